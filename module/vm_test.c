// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the VM state machine: every (state, event) pair is
 * either one allowed transition or refused, nothing leaves a final
 * state, and the transition function tells the listeners each change
 * once, in order, except idling and waking.
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

static const char *const state_names[NR_STATES] = {
	[DENALI_VM_CREATED]	= "created",
	[DENALI_VM_RUNNING]	= "running",
	[DENALI_VM_IDLE]	= "idle",
	[DENALI_VM_STOPPED]	= "stopped",
	[DENALI_VM_EXITED]	= "exited",
	[DENALI_VM_CRASHED]	= "crashed",
	[DENALI_VM_WAITING]	= "waiting",
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
					    state_names[state],
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
				    state_names[state]);
	}
}

/* A VM as denali_vm_create() leaves it, as far as transitions go. */
static struct denali_vm *test_vm(struct kunit *test)
{
	struct denali_vm *vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	spin_lock_init(&vm->lock);
	KUNIT_ASSERT_EQ(test, vm->state, DENALI_VM_CREATED);
	return vm;
}

static int test_transition(struct denali_vm *vm, enum denali_vm_event event)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&vm->lock, flags);
	ret = denali_vm_transition(vm, event);
	spin_unlock_irqrestore(&vm->lock, flags);
	return ret;
}

/* What the listener heard; the suite's cases run one at a time. */
static struct {
	struct denali_vm *vm;
	enum denali_vm_state heard[2 * DENALI_VM_EVENTS_DUE_MAX];
	unsigned int nr_heard;
} listened;

static void test_changed(struct denali_vm *vm, enum denali_vm_state state)
{
	/* Only this case's VM: any other is none of its business. */
	if (vm == listened.vm && listened.nr_heard < ARRAY_SIZE(listened.heard))
		listened.heard[listened.nr_heard++] = state;
}

static struct denali_vm_listener test_listener = {
	.changed = test_changed,
};

/* It follows the table, and a refused event changes nothing. */
static void vm_transition_follows_table(struct kunit *test)
{
	static const struct {
		enum denali_vm_event event;
		int next;
	} steps[] = {
		{ DENALI_EV_ADMIT, NO },
		{ DENALI_EV_START, DENALI_VM_WAITING },
		{ DENALI_EV_START, NO },
		{ DENALI_EV_ADMIT, DENALI_VM_RUNNING },
		{ DENALI_EV_IDLE, DENALI_VM_IDLE },
		{ DENALI_EV_IDLE, NO },
		{ DENALI_EV_WAKE, DENALI_VM_RUNNING },
		{ DENALI_EV_READMIT, DENALI_VM_WAITING },
		{ DENALI_EV_ADMIT, DENALI_VM_RUNNING },
		{ DENALI_EV_CRASH, DENALI_VM_CRASHED },
		{ DENALI_EV_STOP, NO },
	};
	struct denali_vm *vm = test_vm(test);
	enum denali_vm_state state = vm->state;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		KUNIT_EXPECT_EQ_MSG(test, test_transition(vm, steps[i].event),
				    steps[i].next, "step %u: %s", i,
				    event_names[steps[i].event]);
		if (steps[i].next >= 0)
			state = steps[i].next;
		KUNIT_EXPECT_EQ_MSG(test, vm->state, state, "step %u", i);
	}
}

/*
 * A whole life, swapped out and back in once: each change is heard once,
 * in order, idling and waking never, and only when denali_vm_notify() is
 * called, however many changes it finds.
 */
static void vm_transition_tells_listeners(struct kunit *test)
{
	static const enum denali_vm_state expected[] = {
		DENALI_VM_WAITING, DENALI_VM_RUNNING, DENALI_VM_WAITING,
		DENALI_VM_RUNNING, DENALI_VM_EXITED,
	};
	struct denali_vm *vm = test_vm(test);
	unsigned int i;

	memset(&listened, 0, sizeof(listened));
	listened.vm = vm;
	denali_vm_listen(&test_listener);

	test_transition(vm, DENALI_EV_START);
	denali_vm_notify(vm);
	KUNIT_EXPECT_EQ(test, listened.nr_heard, 1);
	/* Two changes before anyone tells them: both come, in order. */
	test_transition(vm, DENALI_EV_ADMIT);
	test_transition(vm, DENALI_EV_IDLE);
	test_transition(vm, DENALI_EV_WAKE);
	test_transition(vm, DENALI_EV_READMIT);
	KUNIT_EXPECT_EQ(test, listened.nr_heard, 1);
	denali_vm_notify(vm);
	KUNIT_EXPECT_EQ(test, listened.nr_heard, 3);
	/* Refused events record nothing. */
	test_transition(vm, DENALI_EV_WAKE);
	test_transition(vm, DENALI_EV_START);
	denali_vm_notify(vm);
	KUNIT_EXPECT_EQ(test, listened.nr_heard, 3);
	test_transition(vm, DENALI_EV_ADMIT);
	for (i = 0; i < 100; i++) {
		test_transition(vm, DENALI_EV_IDLE);
		test_transition(vm, DENALI_EV_WAKE);
	}
	test_transition(vm, DENALI_EV_TERMINATE);
	denali_vm_notify(vm);
	denali_vm_notify(vm);

	denali_vm_unlisten(&test_listener);
	KUNIT_ASSERT_EQ(test, listened.nr_heard, ARRAY_SIZE(expected));
	for (i = 0; i < ARRAY_SIZE(expected); i++)
		KUNIT_EXPECT_EQ_MSG(test, listened.heard[i], expected[i],
				    "event %u: %s", i,
				    state_names[listened.heard[i]]);
}

/* Once unregistered, a listener hears nothing more. */
static void vm_unlisten(struct kunit *test)
{
	struct denali_vm *vm = test_vm(test);

	memset(&listened, 0, sizeof(listened));
	listened.vm = vm;
	denali_vm_listen(&test_listener);
	denali_vm_unlisten(&test_listener);
	test_transition(vm, DENALI_EV_STOP);
	denali_vm_notify(vm);
	KUNIT_EXPECT_EQ(test, listened.nr_heard, 0);
}

static struct kunit_case denali_vm_cases[] = {
	KUNIT_CASE(vm_every_transition),
	KUNIT_CASE(vm_final_states),
	KUNIT_CASE(vm_final_matches_machine),
	KUNIT_CASE(vm_transition_follows_table),
	KUNIT_CASE(vm_transition_tells_listeners),
	KUNIT_CASE(vm_unlisten),
	{}
};

static struct kunit_suite denali_vm_suite = {
	.name = "denali_vm",
	.test_cases = denali_vm_cases,
};

kunit_test_suite(denali_vm_suite);
