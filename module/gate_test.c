// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the gatekeeper: the admission decision (a VM fits when
 * free memory less what it needs stays at or above the watermark, and no
 * sum may wrap around), what a VM needs (its working set and room to
 * grow, never its whole memory), and the admission order (first come,
 * first served; the head holds back everyone behind it; stopped waiters
 * leave).
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/mm.h>

#include "gate.h"

static void gate_fits_above_watermark(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, denali_gate_admit(1000, 100, 10));
	KUNIT_EXPECT_TRUE(test, denali_gate_admit(1000, 0, 1000));
	KUNIT_EXPECT_TRUE(test, denali_gate_admit(0, 0, 0));
}

/* Exactly at the watermark after it is admitted: still fits. */
static void gate_edge(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, denali_gate_admit(1000, 900, 100));
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(1000, 900, 101));
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(1000, 901, 100));
}

static void gate_refuses(struct kunit *test)
{
	/* Already below the watermark: even an empty VM waits. */
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(99, 100, 0));
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(1000, 0, 1001));
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(0, 0, 1));
}

/* A huge watermark or VM must not wrap into a small sum that fits. */
static void gate_no_wrap(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(1000, U64_MAX, 2));
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(1000, 2, U64_MAX));
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(U64_MAX - 1, 1, U64_MAX));
	KUNIT_EXPECT_TRUE(test, denali_gate_admit(U64_MAX, 1, U64_MAX - 1));
}

/* 128 KiB and 3 GiB of guest memory, in pages. */
#define SMALL_VM_PAGES	32ULL
#define HUGE_VM_PAGES	(3ULL << (30 - PAGE_SHIFT))

/* A fresh idle.elf: its 4-page image, then the room that every VM gets. */
static void gate_need_by_working_set(struct kunit *test)
{
	u64 fresh = denali_gate_need_pages(4, SMALL_VM_PAGES);
	u64 grown = denali_gate_need_pages(6, SMALL_VM_PAGES);

	KUNIT_EXPECT_GT(test, fresh, 4ULL);
	KUNIT_EXPECT_LT(test, fresh, SMALL_VM_PAGES);
	/* Each page mapped when last resident counts once more. */
	KUNIT_EXPECT_EQ(test, grown, fresh + 2);
}

/* Memory it never touched costs nothing: its size does not count. */
static void gate_need_not_memory_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_gate_need_pages(6, HUGE_VM_PAGES),
			denali_gate_need_pages(6, SMALL_VM_PAGES));
	KUNIT_EXPECT_EQ(test, denali_gate_need_pages(0, HUGE_VM_PAGES),
			denali_gate_need_pages(0, SMALL_VM_PAGES));
	/* 8,000 such VMs fit in 1 GiB, where their memory would not. */
	KUNIT_EXPECT_TRUE(test, denali_gate_admit(1ULL << (30 - PAGE_SHIFT), 0,
			  8000 * denali_gate_need_pages(6, HUGE_VM_PAGES)));
}

/*
 * A VM that mapped all its memory needs it all again, and the room to
 * grow never takes it past its memory; the pages besides (tables,
 * pinned state) stay the same.
 */
static void gate_need_bounded_by_memory(struct kunit *test)
{
	u64 besides = denali_gate_need_pages(SMALL_VM_PAGES, SMALL_VM_PAGES) -
		      SMALL_VM_PAGES;

	KUNIT_EXPECT_EQ(test, denali_gate_need_pages(SMALL_VM_PAGES - 1,
						     SMALL_VM_PAGES),
			SMALL_VM_PAGES + besides);
	KUNIT_EXPECT_EQ(test, denali_gate_need_pages(HUGE_VM_PAGES,
						     HUGE_VM_PAGES),
			HUGE_VM_PAGES + besides);
	/* An image larger than the memory is bounded by it too. */
	KUNIT_EXPECT_EQ(test, denali_gate_need_pages(100, 16), 16 + besides);
	KUNIT_EXPECT_EQ(test, denali_gate_need_pages(U64_MAX - 1, 16),
			16 + besides);
}

/* A VM sent back for want of memory returns for twice its pages, once. */
static void gate_grown_ws(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_gate_grown_ws(0, SMALL_VM_PAGES), 0ULL);
	KUNIT_EXPECT_EQ(test, denali_gate_grown_ws(10, SMALL_VM_PAGES), 20ULL);
	KUNIT_EXPECT_EQ(test, denali_gate_grown_ws(16, SMALL_VM_PAGES),
			SMALL_VM_PAGES);
	KUNIT_EXPECT_EQ(test, denali_gate_grown_ws(17, SMALL_VM_PAGES),
			SMALL_VM_PAGES);
	KUNIT_EXPECT_EQ(test, denali_gate_grown_ws(SMALL_VM_PAGES,
						   SMALL_VM_PAGES),
			SMALL_VM_PAGES);
	KUNIT_EXPECT_EQ(test, denali_gate_grown_ws(HUGE_VM_PAGES,
						   HUGE_VM_PAGES),
			HUGE_VM_PAGES);
}

/* What is free above the watermark: never negative, never wrapped. */
static void gate_room_above_watermark(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_gate_room(1000, 100), 900ULL);
	KUNIT_EXPECT_EQ(test, denali_gate_room(100, 100), 0ULL);
	KUNIT_EXPECT_EQ(test, denali_gate_room(99, 100), 0ULL);
	KUNIT_EXPECT_EQ(test, denali_gate_room(0, U64_MAX), 0ULL);
	/* A VM fits exactly when it needs no more than the room. */
	KUNIT_EXPECT_TRUE(test, denali_gate_admit(1000, 100,
						  denali_gate_room(1000, 100)));
	KUNIT_EXPECT_FALSE(test, denali_gate_admit(1000, 100,
						   denali_gate_room(1000, 100) + 1));
}

#define NR_WAITERS 5

struct waiter {
	struct list_head node;
	u64 pages;
	bool stopped;
};

/* Free memory for decide(), and the order in which it admitted. */
struct order {
	struct waiter w[NR_WAITERS];
	struct list_head list;
	u64 free;
	int admitted[NR_WAITERS];
	int n;
};

static enum denali_gate_verdict decide(struct list_head *node, void *arg)
{
	struct waiter *w = list_entry(node, struct waiter, node);
	struct order *o = arg;

	if (w->stopped)
		return DENALI_GATE_DROP;
	if (!denali_gate_admit(o->free, 0, w->pages))
		return DENALI_GATE_WAIT;
	o->free -= w->pages;
	o->admitted[o->n++] = w - o->w;
	return DENALI_GATE_ADMIT;
}

static struct order *order_new(struct kunit *test, const u64 *pages)
{
	struct order *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, o);
	INIT_LIST_HEAD(&o->list);
	for (i = 0; i < NR_WAITERS; i++) {
		o->w[i].pages = pages[i];
		list_add_tail(&o->w[i].node, &o->list);
	}
	return o;
}

static int first_waiting(struct order *o)
{
	if (list_empty(&o->list))
		return -1;
	return list_first_entry(&o->list, struct waiter, node) - o->w;
}

/* All fit: admitted in the order they came, and none is left. */
static void gate_order_fifo(struct kunit *test)
{
	static const u64 pages[NR_WAITERS] = { 10, 20, 30, 40, 50 };
	struct order *o = order_new(test, pages);
	int i;

	o->free = 1000;
	KUNIT_EXPECT_EQ(test, denali_gate_pass(&o->list, decide, o), 5U);
	for (i = 0; i < NR_WAITERS; i++)
		KUNIT_EXPECT_EQ(test, o->admitted[i], i);
	KUNIT_EXPECT_TRUE(test, list_empty(&o->list));
}

/* A big head waits, and smaller VMs behind it that would fit wait too. */
static void gate_order_head_blocks(struct kunit *test)
{
	static const u64 pages[NR_WAITERS] = { 10, 500, 1, 1, 1 };
	struct order *o = order_new(test, pages);

	o->free = 100;
	KUNIT_EXPECT_EQ(test, denali_gate_pass(&o->list, decide, o), 1U);
	KUNIT_EXPECT_EQ(test, o->admitted[0], 0);
	KUNIT_EXPECT_EQ(test, first_waiting(o), 1);
	KUNIT_EXPECT_EQ(test, o->free, 90ULL);

	/* Memory freed: the head goes first, then the others in order. */
	o->free = 600;
	KUNIT_EXPECT_EQ(test, denali_gate_pass(&o->list, decide, o), 4U);
	KUNIT_EXPECT_EQ(test, o->admitted[1], 1);
	KUNIT_EXPECT_EQ(test, o->admitted[2], 2);
	KUNIT_EXPECT_EQ(test, o->admitted[4], 4);
	KUNIT_EXPECT_EQ(test, first_waiting(o), -1);
}

/* Stopped waiters leave without being admitted and block nobody. */
static void gate_order_stopped_leave(struct kunit *test)
{
	static const u64 pages[NR_WAITERS] = { 1000, 10, 1000, 10, 1000 };
	struct order *o = order_new(test, pages);

	o->w[0].stopped = true;
	o->w[2].stopped = true;
	o->free = 25;
	KUNIT_EXPECT_EQ(test, denali_gate_pass(&o->list, decide, o), 2U);
	KUNIT_EXPECT_EQ(test, o->admitted[0], 1);
	KUNIT_EXPECT_EQ(test, o->admitted[1], 3);
	/* The last does not fit: it alone is left, at the head. */
	KUNIT_EXPECT_EQ(test, first_waiting(o), 4);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&o->list));
}

/* Nothing fits: nothing changes, however often it is asked. */
static void gate_order_none_fit(struct kunit *test)
{
	static const u64 pages[NR_WAITERS] = { 50, 1, 1, 1, 1 };
	struct order *o = order_new(test, pages);

	o->free = 49;
	KUNIT_EXPECT_EQ(test, denali_gate_pass(&o->list, decide, o), 0U);
	KUNIT_EXPECT_EQ(test, denali_gate_pass(&o->list, decide, o), 0U);
	KUNIT_EXPECT_EQ(test, first_waiting(o), 0);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&o->list), 5UL);
}

static struct kunit_case denali_gate_cases[] = {
	KUNIT_CASE(gate_fits_above_watermark),
	KUNIT_CASE(gate_edge),
	KUNIT_CASE(gate_refuses),
	KUNIT_CASE(gate_no_wrap),
	KUNIT_CASE(gate_need_by_working_set),
	KUNIT_CASE(gate_need_not_memory_size),
	KUNIT_CASE(gate_need_bounded_by_memory),
	KUNIT_CASE(gate_grown_ws),
	KUNIT_CASE(gate_room_above_watermark),
	KUNIT_CASE(gate_order_fifo),
	KUNIT_CASE(gate_order_head_blocks),
	KUNIT_CASE(gate_order_stopped_leave),
	KUNIT_CASE(gate_order_none_fit),
	{}
};

static struct kunit_suite denali_gate_suite = {
	.name = "denali_gate",
	.test_cases = denali_gate_cases,
};

kunit_test_suite(denali_gate_suite);
