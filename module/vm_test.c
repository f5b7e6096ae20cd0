// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the VM state machine: every (state, event) pair is
 * either one allowed transition or refused, and nothing leaves a final
 * state.
 */
#include <kunit/test.h>
#include <linux/denali.h>

#include "vm.h"

#define NR_STATES	(DENALI_VM_STATE_MAX + 1)
#define NR_EVENTS	(DENALI_EV_READMIT + 1)
#define NO		(-EINVAL)

/* The whole machine; every pair not listed is refused. */
static const int next_state[NR_STATES][NR_EVENTS] = {
	[DENALI_VM_CREATED] = {
		[DENALI_EV_START]	= DENALI_VM_WAITING,
		[DENALI_EV_STOP]	= DENALI_VM_STOPPED,
		[DENALI_EV_IDLE]	= NO,
		[DENALI_EV_WAKE]	= NO,
		[DENALI_EV_TERMINATE]	= NO,
		[DENALI_EV_CRASH]	= NO,
		[DENALI_EV_ADMIT]	= NO,
		[DENALI_EV_READMIT]	= NO,
	},
	[DENALI_VM_RUNNING] = {
		[DENALI_EV_START]	= NO,
		[DENALI_EV_STOP]	= DENALI_VM_STOPPED,
		[DENALI_EV_IDLE]	= DENALI_VM_IDLE,
		[DENALI_EV_WAKE]	= NO,
		[DENALI_EV_TERMINATE]	= DENALI_VM_EXITED,
		[DENALI_EV_CRASH]	= DENALI_VM_CRASHED,
		[DENALI_EV_ADMIT]	= NO,
		/* Woken while swapped out: it passes the gatekeeper again. */
		[DENALI_EV_READMIT]	= DENALI_VM_WAITING,
	},
	/* An idle VM is off its CPU: it can neither end nor break itself. */
	[DENALI_VM_IDLE] = {
		[DENALI_EV_START]	= NO,
		[DENALI_EV_STOP]	= DENALI_VM_STOPPED,
		[DENALI_EV_IDLE]	= NO,
		[DENALI_EV_WAKE]	= DENALI_VM_RUNNING,
		[DENALI_EV_TERMINATE]	= NO,
		[DENALI_EV_CRASH]	= NO,
		[DENALI_EV_ADMIT]	= NO,
		[DENALI_EV_READMIT]	= NO,
	},
	[DENALI_VM_STOPPED] = { NO, NO, NO, NO, NO, NO, NO, NO },
	[DENALI_VM_EXITED]  = { NO, NO, NO, NO, NO, NO, NO, NO },
	[DENALI_VM_CRASHED] = { NO, NO, NO, NO, NO, NO, NO, NO },
	/* Started, not yet admitted: off any CPU, it only runs or stops. */
	[DENALI_VM_WAITING] = {
		[DENALI_EV_START]	= NO,
		[DENALI_EV_STOP]	= DENALI_VM_STOPPED,
		[DENALI_EV_IDLE]	= NO,
		[DENALI_EV_WAKE]	= NO,
		[DENALI_EV_TERMINATE]	= NO,
		[DENALI_EV_CRASH]	= NO,
		[DENALI_EV_ADMIT]	= DENALI_VM_RUNNING,
		[DENALI_EV_READMIT]	= NO,
	},
};

static const char *const event_names[NR_EVENTS] = {
	[DENALI_EV_START]	= "start",
	[DENALI_EV_STOP]	= "stop",
	[DENALI_EV_IDLE]	= "idle",
	[DENALI_EV_WAKE]	= "wake",
	[DENALI_EV_TERMINATE]	= "terminate",
	[DENALI_EV_CRASH]	= "crash",
	[DENALI_EV_ADMIT]	= "admit",
	[DENALI_EV_READMIT]	= "readmit",
};

static void vm_every_transition(struct kunit *test)
{
	int state, event;

	for (state = 0; state < NR_STATES; state++)
		for (event = 0; event < NR_EVENTS; event++)
			KUNIT_EXPECT_EQ_MSG(test,
					    denali_vm_next_state(state, event),
					    next_state[state][event],
					    "%s + %s",
					    denali_vm_state_name(state),
					    event_names[event]);
}

static void vm_final_states(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, denali_vm_state_is_final(DENALI_VM_CREATED));
	KUNIT_EXPECT_FALSE(test, denali_vm_state_is_final(DENALI_VM_RUNNING));
	KUNIT_EXPECT_FALSE(test, denali_vm_state_is_final(DENALI_VM_IDLE));
	KUNIT_EXPECT_FALSE(test, denali_vm_state_is_final(DENALI_VM_WAITING));
	KUNIT_EXPECT_TRUE(test, denali_vm_state_is_final(DENALI_VM_STOPPED));
	KUNIT_EXPECT_TRUE(test, denali_vm_state_is_final(DENALI_VM_EXITED));
	KUNIT_EXPECT_TRUE(test, denali_vm_state_is_final(DENALI_VM_CRASHED));
}

/* Final means no event leads anywhere; every other state has a way out. */
static void vm_final_matches_machine(struct kunit *test)
{
	int state, event;

	for (state = 0; state < NR_STATES; state++) {
		bool way_out = false;

		for (event = 0; event < NR_EVENTS; event++)
			if (denali_vm_next_state(state, event) >= 0)
				way_out = true;
		KUNIT_EXPECT_EQ_MSG(test, denali_vm_state_is_final(state),
				    !way_out, "%s",
				    denali_vm_state_name(state));
	}
}

/* The names denalictl and the netlink replies show. */
static void vm_state_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(DENALI_VM_CREATED),
			   "created");
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(DENALI_VM_RUNNING),
			   "running");
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(DENALI_VM_IDLE), "idle");
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(DENALI_VM_STOPPED),
			   "stopped");
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(DENALI_VM_EXITED),
			   "exited");
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(DENALI_VM_CRASHED),
			   "crashed");
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(DENALI_VM_WAITING),
			   "waiting");
	KUNIT_EXPECT_STREQ(test, denali_vm_state_name(__DENALI_VM_STATE_MAX),
			   "unknown");
}

static struct kunit_case denali_vm_cases[] = {
	KUNIT_CASE(vm_every_transition),
	KUNIT_CASE(vm_final_states),
	KUNIT_CASE(vm_final_matches_machine),
	KUNIT_CASE(vm_state_names),
	{}
};

static struct kunit_suite denali_vm_suite = {
	.name = "denali_vm",
	.test_cases = denali_vm_cases,
};

kunit_test_suite(denali_vm_suite);
