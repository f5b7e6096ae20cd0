// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the guest-pointer check that every copy to or from
 * guest memory goes through: ranges are u64 so that no sum of a guest's
 * 32-bit values can wrap.
 */
#include <kunit/test.h>
#include <linux/denali.h>

#include "mem.h"

#define MIB	(1ULL << 20)
#define GIB	(1ULL << 30)

static void mem_range_inside(struct kunit *test)
{
	u32 size = 4 * MIB;

	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, 0, 1));
	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, 0x2000, 0x1000));
	/* the whole memory, and ranges ending on its last byte */
	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, 0, size));
	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, size - 1, 1));
	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, 1, size - 1));
}

/* An empty range is fine anywhere up to the end, not past it. */
static void mem_range_empty(struct kunit *test)
{
	u32 size = 4 * MIB;

	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, 0, 0));
	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, size, 0));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, size + 1ULL, 0));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(0, 1, 0));
	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(0, 0, 0));
}

static void mem_range_outside(struct kunit *test)
{
	u32 size = 4 * MIB;

	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 0, size + 1ULL));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, size - 1, 2));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, size, 1));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 8 * MIB, 0x1000));
}

/* Sums that wrap at 4 GiB (u32) or at 2^64 must not look small. */
static void mem_range_wraps(struct kunit *test)
{
	u32 size = 4 * MIB;

	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 0xfffff000, 0x2000));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 0x1000, 0xfffff000));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 0xffffffff, 1));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 4 * GIB, 0));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 4 * GIB + 0x1000,
						     0x1000));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 1, U64_MAX));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, U64_MAX, 2));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, U64_MAX, 0));
}

/* The largest VM reaches 3 GiB, right below where u32 sums would wrap. */
static void mem_range_largest_vm(struct kunit *test)
{
	u32 size = DENALI_MEM_MAX;

	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, 0, size));
	KUNIT_EXPECT_TRUE(test, denali_gpa_range_ok(size, size - 0x1000,
						    0x1000));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, size - 0x1000,
						     0x1001));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, size, 1));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 0xc0000000,
						     0x40000000));
	KUNIT_EXPECT_FALSE(test, denali_gpa_range_ok(size, 0xffffffff,
						     0xffffffff));
}

static struct kunit_case denali_mem_cases[] = {
	KUNIT_CASE(mem_range_inside),
	KUNIT_CASE(mem_range_empty),
	KUNIT_CASE(mem_range_outside),
	KUNIT_CASE(mem_range_wraps),
	KUNIT_CASE(mem_range_largest_vm),
	{}
};

static struct kunit_suite denali_mem_suite = {
	.name = "denali_mem",
	.test_cases = denali_mem_cases,
};

kunit_test_suite(denali_mem_suite);
