// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the gatekeeper's admission decision: a VM fits when
 * free memory less its size stays at or above the watermark, and no sum
 * may wrap around.
 */
#include <kunit/test.h>
#include <linux/limits.h>

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

static struct kunit_case denali_gate_cases[] = {
	KUNIT_CASE(gate_fits_above_watermark),
	KUNIT_CASE(gate_edge),
	KUNIT_CASE(gate_refuses),
	KUNIT_CASE(gate_no_wrap),
	{}
};

static struct kunit_suite denali_gate_suite = {
	.name = "denali_gate",
	.test_cases = denali_gate_cases,
};

kunit_test_suite(denali_gate_suite);
