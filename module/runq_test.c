// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the run queue's policy: round robin in arrival order,
 * the boost after idling ahead of that, first in first out among boosted
 * VMs too, and a hurried VM before all of them.
 */
#include <kunit/test.h>
#include <linux/minmax.h>
#include <linux/time64.h>

#include "runq.h"

#define NR_NODES 6

struct runq_fixture {
	struct denali_runq q;
	struct list_head node[NR_NODES];
};

static int runq_test_init(struct kunit *test)
{
	struct runq_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	denali_runq_init(&f->q);
	for (i = 0; i < NR_NODES; i++)
		INIT_LIST_HEAD(&f->node[i]);
	test->priv = f;
	return 0;
}

/* The index of the node popped next, or -1 for an empty queue. */
static int pop_index(struct runq_fixture *f)
{
	struct list_head *node = denali_runq_pop(&f->q);

	return node ? (int)(node - f->node) : -1;
}

static void runq_empty(struct kunit *test)
{
	struct runq_fixture *f = test->priv;

	KUNIT_EXPECT_TRUE(test, denali_runq_empty(&f->q));
	KUNIT_EXPECT_EQ(test, pop_index(f), -1);
}

/* Round robin: VMs run in the order they were queued. */
static void runq_fifo(struct kunit *test)
{
	struct runq_fixture *f = test->priv;
	int i;

	for (i = 0; i < NR_NODES; i++)
		denali_runq_add(&f->q, &f->node[i], false);
	KUNIT_EXPECT_FALSE(test, denali_runq_empty(&f->q));
	for (i = 0; i < NR_NODES; i++)
		KUNIT_EXPECT_EQ(test, pop_index(f), i);
	KUNIT_EXPECT_TRUE(test, denali_runq_empty(&f->q));
}

/* A VM back from idling runs before VMs that were queued earlier. */
static void runq_boost_first(struct kunit *test)
{
	struct runq_fixture *f = test->priv;

	denali_runq_add(&f->q, &f->node[0], false);
	denali_runq_add(&f->q, &f->node[1], false);
	denali_runq_add(&f->q, &f->node[2], true);
	KUNIT_EXPECT_EQ(test, pop_index(f), 2);
	KUNIT_EXPECT_EQ(test, pop_index(f), 0);
	/* A boost that arrives later still goes ahead of the rest. */
	denali_runq_add(&f->q, &f->node[3], true);
	KUNIT_EXPECT_EQ(test, pop_index(f), 3);
	KUNIT_EXPECT_EQ(test, pop_index(f), 1);
	KUNIT_EXPECT_EQ(test, pop_index(f), -1);
}

/* Many VMs woken at once keep their order: no boosted VM starves. */
static void runq_boost_fifo(struct kunit *test)
{
	struct runq_fixture *f = test->priv;
	int i;

	for (i = 0; i < NR_NODES; i++)
		denali_runq_add(&f->q, &f->node[i], i % 2);
	KUNIT_EXPECT_EQ(test, pop_index(f), 1);
	KUNIT_EXPECT_EQ(test, pop_index(f), 3);
	KUNIT_EXPECT_EQ(test, pop_index(f), 5);
	KUNIT_EXPECT_EQ(test, pop_index(f), 0);
	KUNIT_EXPECT_EQ(test, pop_index(f), 2);
	KUNIT_EXPECT_EQ(test, pop_index(f), 4);
}

/* A hurried VM goes before boosted and normal ones alike. */
static void runq_hurry(struct kunit *test)
{
	struct runq_fixture *f = test->priv;

	denali_runq_add(&f->q, &f->node[0], true);
	denali_runq_add(&f->q, &f->node[1], false);
	denali_runq_add(&f->q, &f->node[2], false);
	denali_runq_hurry(&f->q, &f->node[2]);
	KUNIT_EXPECT_EQ(test, pop_index(f), 2);
	KUNIT_EXPECT_EQ(test, pop_index(f), 0);
	KUNIT_EXPECT_EQ(test, pop_index(f), 1);
	/* The most recent hurry wins. */
	denali_runq_add(&f->q, &f->node[3], false);
	denali_runq_add(&f->q, &f->node[4], false);
	denali_runq_hurry(&f->q, &f->node[3]);
	denali_runq_hurry(&f->q, &f->node[4]);
	KUNIT_EXPECT_EQ(test, pop_index(f), 4);
	KUNIT_EXPECT_EQ(test, pop_index(f), 3);
}

/* A popped node reads as not queued, and can be queued again. */
static void runq_requeue(struct kunit *test)
{
	struct runq_fixture *f = test->priv;

	denali_runq_add(&f->q, &f->node[0], false);
	KUNIT_EXPECT_FALSE(test, list_empty(&f->node[0]));
	KUNIT_EXPECT_EQ(test, pop_index(f), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->node[0]));
	denali_runq_add(&f->q, &f->node[0], true);
	denali_runq_add(&f->q, &f->node[1], false);
	KUNIT_EXPECT_EQ(test, pop_index(f), 0);
	KUNIT_EXPECT_EQ(test, pop_index(f), 1);
	KUNIT_EXPECT_TRUE(test, denali_runq_empty(&f->q));
}

static void runq_boost_earn_spend(struct kunit *test)
{
	const u64 q = 10 * NSEC_PER_MSEC;

	/* Idling earns its length, up to a quantum. */
	KUNIT_EXPECT_EQ(test, denali_runq_boost_earn(0, 1000, q), 1000);
	KUNIT_EXPECT_EQ(test, denali_runq_boost_earn(0, 5 * q, q), (s64)q);
	KUNIT_EXPECT_EQ(test, denali_runq_boost_earn(q - 10, 100, q), (s64)q);
	/* A debt is paid first. */
	KUNIT_EXPECT_EQ(test, denali_runq_boost_earn(-3000, 1000, q), -2000);
	/* Running spends it, into a debt of at most a quantum. */
	KUNIT_EXPECT_EQ(test, denali_runq_boost_spend(1000, 400, q), 600);
	KUNIT_EXPECT_EQ(test, denali_runq_boost_spend(1000, 4000, q), -3000);
	KUNIT_EXPECT_EQ(test, denali_runq_boost_spend(0, 5 * q, q), -(s64)q);
	KUNIT_EXPECT_EQ(test, denali_runq_boost_spend(-(s64)q, q, q), -(s64)q);
}

#define SIM_VMS		4
#define SIM_GAMERS	3
#define SIM_QUANTUM	(10 * NSEC_PER_MSEC)
#define SIM_BURN	(9 * NSEC_PER_MSEC)
#define SIM_IDLE	NSEC_PER_USEC

struct sim_vm {
	s64 balance;
	bool boosted;
	u64 left;	/* a gamer's burn before it idles */
	u64 wake_at;	/* 0: runnable */
	u64 cpu;
};

/*
 * One runner, as runner.c drives it: three VMs that burn 9 ms and idle
 * 1 us, forever, beside one that never idles. A slice ends at its
 * deadline (the runner's slice timer) or at an idle hypercall. Fills
 * cpu[] with each VM's CPU time over 20 s. With bounded false, a woken
 * VM is boosted for a whole quantum, as it was before the bound.
 */
static void sim_gamers(struct runq_fixture *f, bool bounded,
		       u64 cpu[SIM_VMS])
{
	struct sim_vm vm[SIM_VMS] = {};
	u64 now = 0;
	int i;

	for (i = 0; i < SIM_VMS; i++) {
		vm[i].left = SIM_BURN;
		denali_runq_add(&f->q, &f->node[i], false);
	}
	while (now < 20ULL * NSEC_PER_SEC) {
		struct list_head *node;
		u64 slice, end;
		struct sim_vm *v;

		for (i = 0; i < SIM_VMS; i++) {
			v = &vm[i];
			if (v->wake_at && v->wake_at <= now) {
				v->balance = denali_runq_boost_earn(v->balance,
								    SIM_IDLE,
								    SIM_QUANTUM);
				v->wake_at = 0;
				v->boosted = v->balance > 0 || !bounded;
				denali_runq_add(&f->q, &f->node[i], v->boosted);
			}
		}
		node = denali_runq_pop(&f->q);
		if (!node) {
			now += SIM_IDLE;
			continue;
		}
		i = node - f->node;
		v = &vm[i];
		slice = v->boosted && bounded ?
			min_t(u64, v->balance, SIM_QUANTUM) : SIM_QUANTUM;
		end = now + slice;
		if (i < SIM_GAMERS)
			end = min(end, now + v->left);
		v->cpu += end - now;
		if (v->boosted)
			v->balance = denali_runq_boost_spend(v->balance,
							     end - now,
							     SIM_QUANTUM);
		if (i < SIM_GAMERS) {
			v->left -= end - now;
			if (!v->left) {
				v->left = SIM_BURN;
				v->wake_at = end + SIM_IDLE;
			}
		}
		now = end;
		v->boosted = false;
		if (!v->wake_at)
			denali_runq_add(&f->q, &f->node[i], false);
	}
	for (i = 0; i < SIM_VMS; i++)
		cpu[i] = vm[i].cpu;
}

/*
 * Every VM gets at least its fair share less 20%, and no gamer more than
 * its share and 20%. The CPU-bound VM may get more: the gamers give up
 * the rest of each quantum when they idle, and the round robin puts a
 * VM that idled behind the others, as it should (work conserving).
 */
static void runq_boost_gamers_fair(struct kunit *test)
{
	u64 cpu[SIM_VMS], total = 0;
	int i;

	sim_gamers(test->priv, true, cpu);
	for (i = 0; i < SIM_VMS; i++)
		total += cpu[i];
	for (i = 0; i < SIM_VMS; i++) {
		KUNIT_EXPECT_GE_MSG(test, cpu[i] * SIM_VMS * 10, total * 8,
				    "VM %d got %llu of %llu ns", i, cpu[i],
				    total);
		if (i < SIM_GAMERS)
			KUNIT_EXPECT_LE_MSG(test, cpu[i] * SIM_VMS * 10,
					    total * 12,
					    "VM %d got %llu of %llu ns", i,
					    cpu[i], total);
	}
}

/* The attack the bound stops: unbounded, the gamers starve the spinner. */
static void runq_boost_unbounded_starves(struct kunit *test)
{
	u64 cpu[SIM_VMS], total = 0;
	int i;

	sim_gamers(test->priv, false, cpu);
	for (i = 0; i < SIM_VMS; i++)
		total += cpu[i];
	KUNIT_EXPECT_LT(test, cpu[SIM_VMS - 1] * SIM_VMS * 10, total * 5);
}

static struct kunit_case denali_runq_cases[] = {
	KUNIT_CASE(runq_empty),
	KUNIT_CASE(runq_fifo),
	KUNIT_CASE(runq_boost_first),
	KUNIT_CASE(runq_boost_fifo),
	KUNIT_CASE(runq_hurry),
	KUNIT_CASE(runq_requeue),
	KUNIT_CASE(runq_boost_earn_spend),
	KUNIT_CASE(runq_boost_gamers_fair),
	KUNIT_CASE(runq_boost_unbounded_starves),
	{}
};

static struct kunit_suite denali_runq_suite = {
	.name = "denali_runq",
	.init = runq_test_init,
	.test_cases = denali_runq_cases,
};

kunit_test_suite(denali_runq_suite);
