// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the swapper's victim policy: only resident VMs that no
 * runner owns and that idle or have ended are taken, and among them the
 * one that idled longest ago goes first.
 */
#include <kunit/test.h>
#include <linux/denali.h>

#include "swap.h"

static void swap_idle_is_victim(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, denali_swap_candidate(DENALI_VM_IDLE, false,
						      true));
}

/* An ended VM never runs again: all it holds can go. */
static void swap_ended_is_victim(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, denali_swap_candidate(DENALI_VM_EXITED, false,
						      true));
	KUNIT_EXPECT_TRUE(test, denali_swap_candidate(DENALI_VM_CRASHED,
						      false, true));
	KUNIT_EXPECT_TRUE(test, denali_swap_candidate(DENALI_VM_STOPPED,
						      false, true));
}

/* Runnable VMs keep their memory, queued or on a CPU. */
static void swap_runnable_stays(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, denali_swap_candidate(DENALI_VM_RUNNING,
						       false, true));
	KUNIT_EXPECT_FALSE(test, denali_swap_candidate(DENALI_VM_RUNNING,
						       true, true));
	KUNIT_EXPECT_FALSE(test, denali_swap_candidate(DENALI_VM_WAITING,
						       false, true));
	KUNIT_EXPECT_FALSE(test, denali_swap_candidate(DENALI_VM_CREATED,
						       false, true));
}

/* Owned by a runner or the swapper already, or out already: not again. */
static void swap_owned_or_out_stays(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, denali_swap_candidate(DENALI_VM_IDLE, true,
						       true));
	KUNIT_EXPECT_FALSE(test, denali_swap_candidate(DENALI_VM_IDLE, false,
						       false));
	KUNIT_EXPECT_FALSE(test, denali_swap_candidate(DENALI_VM_EXITED,
						       false, false));
}

#define NR_VMS 4

static int lru_index(struct list_head *nodes, struct list_head *node)
{
	return (int)(node - nodes);
}

/* Victims come from the head: the least recently run first. */
static void swap_lru_order(struct kunit *test)
{
	struct list_head nodes[NR_VMS], lru, *pos;
	int order[NR_VMS], i = 0;

	INIT_LIST_HEAD(&lru);
	for (i = 0; i < NR_VMS; i++)
		INIT_LIST_HEAD(&nodes[i]);
	/* 0, 1, 2, 3 idle in turn; then 1 runs again and idles last. */
	for (i = 0; i < NR_VMS; i++)
		denali_swap_lru_touch(&lru, &nodes[i]);
	denali_swap_lru_touch(&lru, &nodes[1]);

	i = 0;
	list_for_each(pos, &lru)
		order[i++] = lru_index(nodes, pos);
	KUNIT_ASSERT_EQ(test, i, NR_VMS);
	KUNIT_EXPECT_EQ(test, order[0], 0);
	KUNIT_EXPECT_EQ(test, order[1], 2);
	KUNIT_EXPECT_EQ(test, order[2], 3);
	KUNIT_EXPECT_EQ(test, order[3], 1);
}

/* Touching the last one changes nothing; each VM is on the list once. */
static void swap_lru_once(struct kunit *test)
{
	struct list_head nodes[2], lru;

	INIT_LIST_HEAD(&lru);
	INIT_LIST_HEAD(&nodes[0]);
	INIT_LIST_HEAD(&nodes[1]);
	denali_swap_lru_touch(&lru, &nodes[0]);
	denali_swap_lru_touch(&lru, &nodes[1]);
	denali_swap_lru_touch(&lru, &nodes[1]);
	denali_swap_lru_touch(&lru, &nodes[0]);
	KUNIT_EXPECT_PTR_EQ(test, lru.next, &nodes[1]);
	KUNIT_EXPECT_PTR_EQ(test, lru.next->next, &nodes[0]);
	KUNIT_EXPECT_PTR_EQ(test, lru.prev, &nodes[0]);
	KUNIT_EXPECT_PTR_EQ(test, nodes[0].next, &lru);
}

static struct kunit_case denali_swap_cases[] = {
	KUNIT_CASE(swap_idle_is_victim),
	KUNIT_CASE(swap_ended_is_victim),
	KUNIT_CASE(swap_runnable_stays),
	KUNIT_CASE(swap_owned_or_out_stays),
	KUNIT_CASE(swap_lru_order),
	KUNIT_CASE(swap_lru_once),
	{}
};

static struct kunit_suite denali_swap_suite = {
	.name = "denali_swap",
	.test_cases = denali_swap_cases,
};

kunit_test_suite(denali_swap_suite);
