// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the vCPU loop's exit dispatch: each exit kind reaches
 * its handler through the table, and a kind without one takes the VM
 * off its CPU. Only the kinds whose handlers need no guest are run.
 */
#include <kunit/test.h>

#include "backend.h"
#include "run.h"
#include "vm.h"

static struct denali_vm *test_vm(struct kunit *test)
{
	struct denali_vm *vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	return vm;
}

/* A host interrupt or the end of a slice: counted, the guest goes on. */
static void run_exit_host_stays(struct kunit *test)
{
	struct denali_exit exit = { .kind = DENALI_EXIT_NONE };
	struct denali_vm *vm = test_vm(test);

	KUNIT_EXPECT_TRUE(test, denali_run_handle_exit(vm, &exit));
	KUNIT_EXPECT_EQ(test, vm->stats.exits_host, 1);
	KUNIT_EXPECT_EQ(test, vm->stats.fpu_loads, 0);
}

/* The first FPU use: counted, the guest goes on with its FPU loaded. */
static void run_exit_fpu_stays(struct kunit *test)
{
	struct denali_exit exit = { .kind = DENALI_EXIT_FPU };
	struct denali_vm *vm = test_vm(test);

	KUNIT_EXPECT_TRUE(test, denali_run_handle_exit(vm, &exit));
	KUNIT_EXPECT_EQ(test, vm->stats.fpu_loads, 1);
	KUNIT_EXPECT_EQ(test, vm->stats.exits_host, 0);
}

/* No handler: the VM leaves its CPU and nothing is counted. */
static void run_exit_unknown_leaves(struct kunit *test)
{
	struct denali_exit exit = { .kind = DENALI_EXIT_CRASH + 1 };
	struct denali_vm *vm = test_vm(test);

	KUNIT_EXPECT_FALSE(test, denali_run_handle_exit(vm, &exit));
	KUNIT_EXPECT_EQ(test, vm->stats.exits_host, 0);
	KUNIT_EXPECT_EQ(test, vm->stats.fpu_loads, 0);
}

static struct kunit_case denali_run_cases[] = {
	KUNIT_CASE(run_exit_host_stays),
	KUNIT_CASE(run_exit_fpu_stays),
	KUNIT_CASE(run_exit_unknown_leaves),
	{}
};

static struct kunit_suite denali_run_suite = {
	.name = "denali_run",
	.test_cases = denali_run_cases,
};

kunit_test_suite(denali_run_suite);
