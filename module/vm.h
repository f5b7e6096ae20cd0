/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_VM_H
#define _DENALI_VM_H

#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/if_ether.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/denali.h>

#include "backend.h"
#include "console.h"
#include "mem.h"
#include "net.h"

struct denali_disk;
struct denali_vm_disks;
struct file;
struct mem_cgroup;

struct denali_vregs;
struct netlink_ext_ack;
struct page;

struct denali_vm_stats {
	u64 cpu_ns;
	u64 quanta;
	u64 exits;
	u64 exits_host;		/* host interrupts, NMIs, quantum ends */
	u64 hypercalls;
	u64 pages_faulted;
	u64 console_bytes;
	u64 irqs_raised;	/* under vm->lock: raised from any context */
	u64 upcalls;
	u64 idles;
	u64 waiting_ns;		/* under vm->lock, by the gatekeeper */
	u64 fpu_loads;		/* quanta in which the guest used its FPU */
	u64 swap_outs;		/* times its run-time state was freed */
	u64 swapped_ns;		/* time spent swapped out while live */
};

/*
 * Evented changes that may be recorded before the first of their makers
 * tells them: one per actor that can change a VM at once (its creator,
 * the operator's start and stop, the gatekeeper, its runner), with room.
 */
#define DENALI_VM_EVENTS_DUE_MAX	8

struct denali_vm {
	struct kref ref;
	u32 id;
	/* Never reused, unlike id: its default MAC derives from it. */
	u64 serial;
	/* Zero-padded: the whole array is its key in the name table. */
	char name[DENALI_NAME_MAX];
	/* Its entries in the VM table's name and MAC indexes. */
	struct rhash_head name_node;
	struct rhash_head mac_node;
	/*
	 * Serializes the operator's start, stop and destroy of this VM:
	 * netlink handlers run in parallel, and two of them may act on it.
	 */
	struct mutex op_lock;

	/*
	 * Protects state, exit_code, crash_reason, on_runqueue, stop,
	 * waiting_since and stats.waiting_ns.
	 */
	spinlock_t lock;
	enum denali_vm_state state;
	int exit_code;
	const char *crash_reason;	/* set once, when it crashes */
	/* Set by stop or destroy; the runner takes the VM off its CPU. */
	bool stop;
	/*
	 * True while a runner owns the VM (queued or on a CPU), or the
	 * swapper claimed it. Written by sched.c alone.
	 */
	bool on_runqueue;
	struct list_head run_node;
	/* On the gatekeeper's list while waiting, see gate.c. */
	struct list_head gate_node;
	u64 waiting_since;	/* ns, when it started waiting */
	/*
	 * Admitted by the gatekeeper for its next time resident, the pages
	 * granted to it and not mapped yet, and whether it found memory
	 * short for one more: set at admission, then used by its owner
	 * alone; all end when it is swapped out.
	 */
	bool admitted;
	bool gate_short;
	u64 gate_pages;
	/*
	 * Guest pages it is expected to map when next resident, which the
	 * gatekeeper admits it for: its image's at creation, what it had
	 * mapped when last swapped out (by its owner then).
	 */
	u32 ws_pages;
	/* Woken when the VM leaves its runner. */
	wait_queue_head_t off_cpu;
	/*
	 * States entered and not yet told to the listeners, oldest first,
	 * under lock: the transition records them with interrupts off, and
	 * denali_vm_notify() tells them where it may sleep.
	 */
	u8 events_due[DENALI_VM_EVENTS_DUE_MAX];
	u8 nr_events_due;

	struct hrtimer idle_timer;
	/*
	 * The boost after idling, under lock: when it last began to idle
	 * (ns), the boost it may still use (ns; negative: a debt, see
	 * runq.h), and whether its place on the run queue is a boosted one.
	 */
	u64 idle_since;
	s64 boost_ns;
	bool boosted;
	/* The one-shot timer of DENALI_HC_TIMER_SET, see irq.c. */
	struct hrtimer irq_timer;

	struct denali_mem mem;
	/*
	 * Interrupt bits raised and not yet moved to the virtual registers:
	 * one atomic OR from any context, hard interrupts included, whether
	 * the VM is resident or not (see irq.c).
	 */
	atomic_t irq_raised;

	/*
	 * Run-time state, present while the VM is resident (see swap.c) and
	 * changed only by its owner: the runner it is on, or the swapper.
	 * The pages are the VM's own (guest page 0 and kernel pages, see
	 * mem.h), pinned while resident.
	 */
	bool resident;
	bool vcpu_saved;	/* vcpu->state holds a swapped-out CPU */
	struct page *vregs_page;
	struct denali_vregs *vregs;
	struct page *fpu_page;
	void *fpu;		/* guest FPU state, see fpu.c */
	struct page *vcpu_page;	/* vcpu->state's, see backend.h */
	/* On the swapper's list while idle and resident, under its lock. */
	struct list_head swap_node;
	u64 swap_node_pages;	/* its pinned pages when it went on */
	u64 swapped_since;	/* ns; 0 while resident or never run */

	struct denali_console console;
	struct denali_vm_stats stats;	/* updated by the runner only */
	/* Its processor, with the VM from creation to release. */
	struct denali_vcpu *vcpu;

	/* Its NIC's address: set before it is published, then fixed. */
	u8 mac[ETH_ALEN];
	/* Its IPv4 address (0: none) and whether it may route; fixed. */
	__be32 ipv4;
	bool trusted;
	/*
	 * The memory cgroup of the process that created it: what the
	 * runner allocates for it (guest pages, frames) is charged there.
	 * NULL when memory cgroups are off.
	 */
	struct mem_cgroup *memcg;
	/*
	 * Its switch port from creation until it ends; used by its runner,
	 * and torn down once by whoever ends it (see denali_net_vm_detach()).
	 */
	struct denali_port *port;
	/* Outlive the port, so an ended VM still reports them. */
	struct denali_net_stats net_stats;
	/*
	 * Its disks and their completions from creation until it ends; used
	 * by its runner, torn down once by whoever ends it (hc_disk.c).
	 */
	struct denali_vm_disks *disks;
};

/* One disk of a new VM: read-only, or through an overlay in cow. */
struct denali_vm_disk_config {
	struct denali_disk *disk;
	bool readonly;
	struct file *cow;		/* NULL: none */
};

struct denali_vm_config {
	struct file *image;
	u32 mem_size;
	const char *name;	/* NULL: "vm<id>" */
	const char *cmdline;	/* NULL: empty */
	const u8 *mac;		/* NULL: derived from the serial */
	__be32 ipv4;		/* 0: none, and no address checks */
	bool trusted;		/* it routes: no address checks */
	/* Its disks, numbered for the guest in this order. */
	const struct denali_vm_disk_config *disks;
	u32 nr_disks;
};

/*
 * Every VM by id, name and MAC: what makes them unique and finds them at
 * a constant cost however many VMs there are. The ids are an IDR (a
 * radix tree: cyclic allocation and the dump's id order); names and MACs
 * are hash tables that grow and shrink with the number of VMs. lock
 * protects all three and holds each VM found by a lookup alive until it
 * takes its reference. A VM is added with NULL in its id's slot, so that
 * no lookup finds it, and published once it is whole. The host has one
 * table (vm.c); the KUnit suite makes its own.
 */
struct denali_vm_table {
	struct mutex lock;
	struct idr ids;
	struct rhashtable names;
	struct rhashtable macs;
};

int denali_vm_table_init(struct denali_vm_table *table);
void denali_vm_table_destroy(struct denali_vm_table *table);
/*
 * Gives the VM an id, its name (NULL: "vm<id>") and its MAC (NULL: the
 * default already in vm->mac), and claims both: -EEXIST, with the extack
 * message, when either is another VM's (ended and unpublished included).
 */
int denali_vm_table_add(struct denali_vm_table *table, struct denali_vm *vm,
			const char *name, const u8 *mac,
			struct netlink_ext_ack *extack);
/* Makes an added VM visible to the lookups. */
void denali_vm_table_publish(struct denali_vm_table *table,
			     struct denali_vm *vm);
/* Takes an added VM out; false when it was not in (removed already). */
bool denali_vm_table_del(struct denali_vm_table *table, struct denali_vm *vm);
/* Published VMs only, each with a reference taken; NULL when none. */
struct denali_vm *denali_vm_table_get_by_id(struct denali_vm_table *table,
					    u32 id);
struct denali_vm *denali_vm_table_get_by_name(struct denali_vm_table *table,
					      const char *name);

struct denali_vm *denali_vm_create(const struct denali_vm_config *cfg,
				   struct netlink_ext_ack *extack);
int denali_vm_start(struct denali_vm *vm, struct netlink_ext_ack *extack);
int denali_vm_stop(struct denali_vm *vm, struct netlink_ext_ack *extack);
void denali_vm_destroy(struct denali_vm *vm);

struct denali_vm *denali_vm_get_by_id(u32 id);
struct denali_vm *denali_vm_get_by_name(const char *name);
/* The VM with the smallest id >= *id, for dumps; advances *id past it. */
struct denali_vm *denali_vm_get_next(u32 *id);
void denali_vm_put(struct denali_vm *vm);

/* A serial that no VM has had yet: hardware TLB tags must not repeat. */
u64 denali_vm_new_serial(void);

/* Called by the runner when the guest ends itself or breaks the ABI. */
void denali_vm_terminate(struct denali_vm *vm, int exit_code);
void denali_vm_crash(struct denali_vm *vm, const char *fmt, ...)
	__printf(2, 3);

/* What happens to a VM; denali_vm_next_state() is the state machine. */
enum denali_vm_event {
	DENALI_EV_START,	/* operator starts it */
	DENALI_EV_STOP,		/* operator stops it */
	DENALI_EV_IDLE,		/* guest idles with a timeout */
	DENALI_EV_WAKE,		/* timeout passed or interrupt pending */
	DENALI_EV_TERMINATE,	/* guest terminates itself */
	DENALI_EV_CRASH,	/* guest broke the ABI */
	DENALI_EV_ADMIT,	/* the gatekeeper lets a waiting VM run */
	DENALI_EV_READMIT,	/* a swapped-out VM must run: it waits again */
};

/* The state after event, or -EINVAL where the event is not allowed. */
int denali_vm_next_state(enum denali_vm_state state,
			 enum denali_vm_event event);
bool denali_vm_state_is_final(enum denali_vm_state state);

/*
 * The only way a VM changes state: applies event under vm->lock and
 * returns the new state, or -EINVAL, changing nothing, where the event is
 * not allowed. Every change but idling and waking is recorded for the
 * listeners; the caller tells them with denali_vm_notify() once it has
 * dropped vm->lock (and any other spinlock).
 */
int denali_vm_transition(struct denali_vm *vm, enum denali_vm_event event);

/*
 * Tells the listeners each change recorded for the VM, in order, once
 * each; nothing when none is due. Process context: listeners may sleep.
 */
void denali_vm_notify(struct denali_vm *vm);

/* Who hears of state changes; changed() may sleep. */
struct denali_vm_listener {
	struct list_head node;
	void (*changed)(struct denali_vm *vm, enum denali_vm_state state);
};

void denali_vm_listen(struct denali_vm_listener *listener);
void denali_vm_unlisten(struct denali_vm_listener *listener);

struct denali_vm_counts {
	u64 vms;
	u64 admitted;		/* running or idle */
	u64 waiting;
	u64 swapped;		/* admitted, not resident */
};

/* Counts the VMs by state, for the host-wide counters. */
void denali_vm_count(struct denali_vm_counts *c);

/*
 * The execution layer's part in each VM's life (exec.c), given to
 * denali_vm_init(): the VM object calls these at fixed points of a VM's
 * life and so includes nothing of the layers above it.
 */
struct denali_vm_ops {
	/* Whether memory allows one more VM; an errno if not. */
	int (*may_create)(void);
	/* A new VM, not yet published: its timers and queue entries. */
	void (*init)(struct denali_vm *vm);
	/* Started: it waits for the gatekeeper to admit it. */
	void (*submit)(struct denali_vm *vm);
	/* Stopped, under vm->lock: take it off its run queue. */
	void (*dequeue_locked)(struct denali_vm *vm);
	/*
	 * Stopped or destroyed: wait until it is off its CPU for good, then
	 * give back what running it holds (CPU state, admission, timers).
	 */
	void (*finish)(struct denali_vm *vm);
	/* Ended on its own CPU (terminate, crash): give back its admission. */
	void (*ended)(struct denali_vm *vm);
	/* Its last reference is gone: nothing may run or page it any more. */
	void (*release)(struct denali_vm *vm);
	/* Console input arrived for the guest: its interrupt. */
	void (*console_input)(struct denali_console *con);
};

/*
 * A device every VM has (its NIC, its disks), registered before any VM
 * is made. attach() runs last in creation, once the VM's memory holds
 * its image, with the VM's configuration; detach() when it ends, by
 * whoever ends it, and maybe again: a second call finds nothing to do.
 */
struct denali_vm_device {
	struct list_head node;
	int (*attach)(struct denali_vm *vm, const struct denali_vm_config *cfg,
		      struct netlink_ext_ack *extack);
	void (*detach)(struct denali_vm *vm);
};

void denali_vm_add_device(struct denali_vm_device *dev);
void denali_vm_remove_device(struct denali_vm_device *dev);

/* The VM objects' cache, before any VM is made and after the last. */
int denali_vm_init(const struct denali_vm_ops *ops);
void denali_vm_exit(void);

/* Stops and frees every VM; the runners must still be alive. */
void denali_vms_exit(void);

#endif /* _DENALI_VM_H */
