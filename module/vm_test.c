// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the VM state machine: every (state, event) pair is
 * either one allowed transition or refused, nothing leaves a final
 * state, and the transition function tells the listeners each change
 * once, in order, except idling and waking. The VM table: unique ids,
 * names and MACs, lookups that find only published VMs, and many VMs.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <net/netlink.h>
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

/* A VM as the table sees it: a reference and a MAC ending in n (16 bits). */
static struct denali_vm *table_vm(struct kunit *test, u32 n)
{
	struct denali_vm *vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	kref_init(&vm->ref);
	vm->mac[0] = 0x02;
	vm->mac[4] = n >> 8;
	vm->mac[5] = n;
	return vm;
}

static void table_no_release(struct kref *ref)
{
}

/* found is want (NULL: nothing found); drops what the lookup took. */
static void table_expect(struct kunit *test, struct denali_vm *found,
			 struct denali_vm *want)
{
	KUNIT_EXPECT_PTR_EQ(test, found, want);
	if (found) {
		KUNIT_EXPECT_EQ(test, kref_read(&found->ref), 2);
		kref_put(&found->ref, table_no_release);
	}
}

static struct denali_vm_table *table_new(struct kunit *test)
{
	struct denali_vm_table *table;

	table = kunit_kzalloc(test, sizeof(*table), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, table);
	KUNIT_ASSERT_EQ(test, denali_vm_table_init(table), 0);
	return table;
}

/* Added, a VM has its id and name but is found only once published. */
static void vm_table_publish(struct kunit *test)
{
	struct denali_vm_table *table = table_new(test);
	struct denali_vm *a = table_vm(test, 1), *b = table_vm(test, 2);
	char name[DENALI_NAME_MAX];

	KUNIT_ASSERT_EQ(test, denali_vm_table_add(table, a, NULL, NULL, NULL),
			0);
	KUNIT_ASSERT_EQ(test, denali_vm_table_add(table, b, "web", NULL, NULL),
			0);
	KUNIT_EXPECT_GT(test, a->id, 0);
	KUNIT_EXPECT_NE(test, a->id, b->id);
	snprintf(name, sizeof(name), "vm%u", a->id);
	KUNIT_EXPECT_STREQ(test, a->name, name);
	KUNIT_EXPECT_STREQ(test, b->name, "web");

	table_expect(test, denali_vm_table_get_by_id(table, a->id), NULL);
	table_expect(test, denali_vm_table_get_by_name(table, name), NULL);
	denali_vm_table_publish(table, a);
	denali_vm_table_publish(table, b);
	table_expect(test, denali_vm_table_get_by_id(table, a->id), a);
	table_expect(test, denali_vm_table_get_by_name(table, name), a);
	table_expect(test, denali_vm_table_get_by_id(table, b->id), b);
	table_expect(test, denali_vm_table_get_by_name(table, "web"), b);
	table_expect(test, denali_vm_table_get_by_name(table, "we"), NULL);
	table_expect(test, denali_vm_table_get_by_name(table, "webs"), NULL);
	table_expect(test, denali_vm_table_get_by_id(table, b->id + 1), NULL);
	table_expect(test, denali_vm_table_get_by_id(table, U32_MAX), NULL);
	table_expect(test, denali_vm_table_get_by_name(table,
		"a-name-longer-than-any-vm-may-have"), NULL);

	KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, a));
	KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, b));
	denali_vm_table_destroy(table);
}

/* A name or MAC is one VM's until it leaves, published or not. */
static void vm_table_unique(struct kunit *test)
{
	static const u8 chosen[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x42 };
	static const u8 other[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x43 };
	struct denali_vm_table *table = table_new(test);
	struct denali_vm *a = table_vm(test, 1), *b = table_vm(test, 2);
	struct denali_vm *c = table_vm(test, 3);
	struct netlink_ext_ack extack = {};
	char name[DENALI_NAME_MAX];

	KUNIT_ASSERT_EQ(test, denali_vm_table_add(table, a, "a", chosen, NULL),
			0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(a->mac, chosen));
	KUNIT_EXPECT_EQ(test, denali_vm_table_add(table, b, "a", NULL, &extack),
			-EEXIST);
	KUNIT_EXPECT_STREQ(test, extack._msg, "name already in use");
	KUNIT_EXPECT_EQ(test, denali_vm_table_add(table, b, "b", chosen,
						  &extack), -EEXIST);
	KUNIT_EXPECT_STREQ(test, extack._msg, "MAC address in use");
	/* A failed add leaves nothing behind: "b" is still free. */
	KUNIT_ASSERT_EQ(test, denali_vm_table_add(table, b, "b", other, NULL),
			0);
	KUNIT_EXPECT_EQ(test, denali_vm_table_add(table, c, NULL, other,
						  &extack), -EEXIST);
	KUNIT_EXPECT_STREQ(test, extack._msg, "MAC address in use");

	/*
	 * A default name taken by a chosen one: a takes the next id and
	 * the name of the one after, which c would get.
	 */
	snprintf(name, sizeof(name), "vm%u", b->id + 2);
	KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, a));
	KUNIT_EXPECT_FALSE(test, denali_vm_table_del(table, a));
	KUNIT_ASSERT_EQ(test, denali_vm_table_add(table, a, name, chosen, NULL),
			0);
	c = table_vm(test, 3);
	KUNIT_EXPECT_EQ(test, denali_vm_table_add(table, c, NULL, NULL,
						  &extack), -EEXIST);
	KUNIT_EXPECT_STREQ(test, extack._msg, "default name already in use");

	/* Gone, its name and MAC serve again at once. */
	KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, a));
	KUNIT_ASSERT_EQ(test, denali_vm_table_add(table, c, name, chosen, NULL),
			0);
	KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, b));
	KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, c));
	denali_vm_table_destroy(table);
}

#define TABLE_MANY	4096

/* Every one of many VMs is found by id and name; none once gone. */
static void vm_table_many(struct kunit *test)
{
	struct denali_vm_table *table = table_new(test);
	struct denali_vm **vm;
	char name[DENALI_NAME_MAX];
	u32 i;

	vm = kunit_kcalloc(test, TABLE_MANY, sizeof(*vm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	for (i = 0; i < TABLE_MANY; i++) {
		vm[i] = table_vm(test, i);
		snprintf(name, sizeof(name), "guest-%u", i);
		KUNIT_ASSERT_EQ(test, denali_vm_table_add(table, vm[i],
				i % 2 ? name : NULL, NULL, NULL), 0);
		denali_vm_table_publish(table, vm[i]);
	}
	for (i = 0; i < TABLE_MANY; i++) {
		table_expect(test, denali_vm_table_get_by_id(table, vm[i]->id),
			     vm[i]);
		table_expect(test,
			     denali_vm_table_get_by_name(table, vm[i]->name),
			     vm[i]);
	}
	for (i = 0; i < TABLE_MANY; i += 2)
		KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, vm[i]));
	for (i = 0; i < TABLE_MANY; i++)
		table_expect(test,
			     denali_vm_table_get_by_name(table, vm[i]->name),
			     i % 2 ? vm[i] : NULL);
	for (i = 1; i < TABLE_MANY; i += 2)
		KUNIT_EXPECT_TRUE(test, denali_vm_table_del(table, vm[i]));
	denali_vm_table_destroy(table);
}

static struct kunit_case denali_vm_cases[] = {
	KUNIT_CASE(vm_every_transition),
	KUNIT_CASE(vm_final_states),
	KUNIT_CASE(vm_final_matches_machine),
	KUNIT_CASE(vm_transition_follows_table),
	KUNIT_CASE(vm_transition_tells_listeners),
	KUNIT_CASE(vm_unlisten),
	KUNIT_CASE(vm_table_publish),
	KUNIT_CASE(vm_table_unique),
	KUNIT_CASE(vm_table_many),
	{}
};

static struct kunit_suite denali_vm_suite = {
	.name = "denali_vm",
	.test_cases = denali_vm_cases,
};

kunit_test_suite(denali_vm_suite);
