// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for hypercall buffer arguments: a guest passes any 32-bit
 * address and length, and only a buffer wholly inside its memory may be
 * used, cut to the hypercall's maximum.
 */
#include <kunit/test.h>
#include <linux/denali.h>

#include "hypercall.h"

#define VM_MEM	(4U << 20)
#define CON_MAX	DENALI_CONSOLE_WRITE_MAX

static void hc_buffer_inside(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 13, CON_MAX), 13);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0, 1, CON_MAX), 1);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - 1, 1, CON_MAX), 1);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - CON_MAX, CON_MAX, CON_MAX),
			CON_MAX);
	/* An empty buffer is nothing to do, even at the very end. */
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 0, CON_MAX), 0);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM, 0, CON_MAX), 0);
}

/* A longer buffer is used up to max; it must still lie in memory whole. */
static void hc_buffer_cut_to_max(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, CON_MAX + 1, CON_MAX),
			CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0, VM_MEM, CON_MAX), CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 100, 16), 16);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - CON_MAX - 1, CON_MAX + 1,
					       CON_MAX), CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - CON_MAX, CON_MAX + 1, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0, VM_MEM + 1, CON_MAX),
			-EFAULT);
}

static void hc_buffer_outside(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM, 1, CON_MAX), -EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - 1, 2, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM + 1, 0, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x80000000, 16, CON_MAX),
			-EFAULT);
}

/* gpa + len past 4 GiB must not wrap around to a small address. */
static void hc_buffer_wraps(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0xfffff000, 0x2000, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 0xffffffff, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0xffffffff, 1, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0xffffffff, 0xffffffff,
					       CON_MAX), -EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(DENALI_MEM_MAX, 0xbffff000,
					       0x40001000, CON_MAX), -EFAULT);
}

/* The largest VM: its last byte is usable, one more is not. */
static void hc_buffer_largest_vm(struct kunit *test)
{
	u32 mem = DENALI_MEM_MAX;

	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, mem - 1, 1, CON_MAX), 1);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, 0, mem, CON_MAX), CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, mem, 1, CON_MAX), -EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, 0, mem + 1, CON_MAX),
			-EFAULT);
}

static struct kunit_case denali_hypercall_cases[] = {
	KUNIT_CASE(hc_buffer_inside),
	KUNIT_CASE(hc_buffer_cut_to_max),
	KUNIT_CASE(hc_buffer_outside),
	KUNIT_CASE(hc_buffer_wraps),
	KUNIT_CASE(hc_buffer_largest_vm),
	{}
};

static struct kunit_suite denali_hypercall_suite = {
	.name = "denali_hypercall",
	.test_cases = denali_hypercall_cases,
};

kunit_test_suite(denali_hypercall_suite);
