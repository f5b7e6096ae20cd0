// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the run queue's policy: round robin in arrival order,
 * the boost after idling ahead of that, first in first out among boosted
 * VMs too, and a hurried VM before all of them.
 */
#include <kunit/test.h>

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

static struct kunit_case denali_runq_cases[] = {
	KUNIT_CASE(runq_empty),
	KUNIT_CASE(runq_fifo),
	KUNIT_CASE(runq_boost_first),
	KUNIT_CASE(runq_boost_fifo),
	KUNIT_CASE(runq_hurry),
	KUNIT_CASE(runq_requeue),
	{}
};

static struct kunit_suite denali_runq_suite = {
	.name = "denali_runq",
	.init = runq_test_init,
	.test_cases = denali_runq_cases,
};

kunit_test_suite(denali_runq_suite);
