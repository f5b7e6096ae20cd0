// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the decisions behind virtual interrupts: when an
 * upcall may go in, how raises merge into the pending mask, which VMs a
 * raise wakes, and when the idle hypercall may give up the CPU.
 */
#include <kunit/test.h>
#include <linux/denali_abi.h>

#include "irq.h"

#define TIMER	BIT(DENALI_IRQ_TIMER)
#define CONSOLE	BIT(DENALI_IRQ_CONSOLE)

static void irq_deliverable_needs_both(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, denali_irq_deliverable(0, 0));
	KUNIT_EXPECT_FALSE(test, denali_irq_deliverable(1, 0));
	KUNIT_EXPECT_FALSE(test, denali_irq_deliverable(0, TIMER));
	KUNIT_EXPECT_FALSE(test, denali_irq_deliverable(0, TIMER | CONSOLE));
	KUNIT_EXPECT_TRUE(test, denali_irq_deliverable(1, TIMER));
	KUNIT_EXPECT_TRUE(test, denali_irq_deliverable(1, CONSOLE));
	KUNIT_EXPECT_TRUE(test, denali_irq_deliverable(1, TIMER | CONSOLE));
	/* The guest writes the flag: any non-zero value enables. */
	KUNIT_EXPECT_TRUE(test, denali_irq_deliverable(0xffffffff, BIT(31)));
	KUNIT_EXPECT_TRUE(test, denali_irq_deliverable(0x100, TIMER));
}

/* Many raises before the upcall arrive as one bit per source. */
static void irq_merge_batches(struct kunit *test)
{
	u32 pending = 0;
	int i;

	for (i = 0; i < 5; i++)
		pending = denali_irq_merge(pending, DENALI_IRQ_TIMER);
	KUNIT_EXPECT_EQ(test, pending, TIMER);
	pending = denali_irq_merge(pending, DENALI_IRQ_CONSOLE);
	KUNIT_EXPECT_EQ(test, pending, TIMER | CONSOLE);
	pending = denali_irq_merge(pending, DENALI_IRQ_TIMER);
	KUNIT_EXPECT_EQ(test, pending, TIMER | CONSOLE);
	/* Bits the guest has not taken yet stay as they are. */
	KUNIT_EXPECT_EQ(test, denali_irq_merge(BIT(7), DENALI_IRQ_CONSOLE),
			BIT(7) | CONSOLE);
	KUNIT_EXPECT_EQ(test, denali_irq_merge(0, 31), BIT(31));
}

static void irq_wakes_only_idle(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, denali_irq_wakes(DENALI_VM_IDLE));
	KUNIT_EXPECT_FALSE(test, denali_irq_wakes(DENALI_VM_CREATED));
	KUNIT_EXPECT_FALSE(test, denali_irq_wakes(DENALI_VM_RUNNING));
	KUNIT_EXPECT_FALSE(test, denali_irq_wakes(DENALI_VM_STOPPED));
	KUNIT_EXPECT_FALSE(test, denali_irq_wakes(DENALI_VM_EXITED));
	KUNIT_EXPECT_FALSE(test, denali_irq_wakes(DENALI_VM_CRASHED));
}

/* Idling waits for an interrupt: one already pending ends it at once. */
static void irq_idle_waits_for_none(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, denali_irq_may_idle(0));
	KUNIT_EXPECT_FALSE(test, denali_irq_may_idle(TIMER));
	KUNIT_EXPECT_FALSE(test, denali_irq_may_idle(CONSOLE));
	KUNIT_EXPECT_FALSE(test, denali_irq_may_idle(BIT(31)));
}

/* A raise on an idle VM both wakes it and makes its upcall deliverable. */
static void irq_raise_then_deliver(struct kunit *test)
{
	u32 pending = denali_irq_merge(0, DENALI_IRQ_TIMER);

	KUNIT_EXPECT_FALSE(test, denali_irq_may_idle(pending));
	KUNIT_EXPECT_TRUE(test, denali_irq_deliverable(1, pending));
	/* The handler takes every bit at once: nothing is left to deliver. */
	KUNIT_EXPECT_FALSE(test, denali_irq_deliverable(1, 0));
	KUNIT_EXPECT_TRUE(test, denali_irq_may_idle(0));
}

static struct kunit_case irq_cases[] = {
	KUNIT_CASE(irq_deliverable_needs_both),
	KUNIT_CASE(irq_merge_batches),
	KUNIT_CASE(irq_wakes_only_idle),
	KUNIT_CASE(irq_idle_waits_for_none),
	KUNIT_CASE(irq_raise_then_deliver),
	{}
};

static struct kunit_suite irq_suite = {
	.name = "denali_irq",
	.test_cases = irq_cases,
};
kunit_test_suite(irq_suite);
