// SPDX-License-Identifier: GPL-2.0
/*
 * The gatekeeper: admission control by memory. A started VM runs only
 * while free memory, less everything the VM may touch, stays above the
 * watermark gate_free_mb; the others wait in the waiting state and are
 * admitted in the order they were started. Pages an admitted VM has not
 * touched yet are not free in truth: they stay reserved (gate_reserved)
 * until it touches them or ends. Waiters are re-checked when a
 * VM ends, when the watermark changes, and every GATE_RECHECK_MS while
 * any wait, since memory is also freed outside Denali.
 *
 * Locking: gate_lock, then vm->lock (then runq_lock, see sched.c). A VM
 * is on gate_waiters only while it waits; vm_finish() takes it off under
 * gate_lock before the VM can be freed.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "gate.h"
#include "netlink.h"
#include "sched.h"
#include "vm.h"

#define GATE_RECHECK_MS	100

static DEFINE_MUTEX(gate_lock);
static LIST_HEAD(gate_waiters);
static atomic64_t gate_reserved = ATOMIC64_INIT(0);

static void gate_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(gate_work, gate_work_fn);

static unsigned int gate_free_mb = 64;

static int gate_free_mb_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		denali_gate_kick();
	return ret;
}

static const struct kernel_param_ops gate_free_mb_ops = {
	.set = gate_free_mb_set,
	.get = param_get_uint,
};

module_param_cb(gate_free_mb, &gate_free_mb_ops, &gate_free_mb, 0644);
MODULE_PARM_DESC(gate_free_mb,
		 "Free memory (MiB) that admitting a VM must leave; the others wait");

bool denali_gate_admit(u64 free_pages, u64 watermark_pages, u64 vm_pages)
{
	/* Written so that no sum can wrap. */
	return free_pages >= watermark_pages &&
	       free_pages - watermark_pages >= vm_pages;
}

/* Free memory less what admitted VMs may still touch, in pages. */
static u64 gate_free_pages(void)
{
	long avail = si_mem_available() - atomic64_read(&gate_reserved);

	return avail > 0 ? avail : 0;
}

/* Admits waiters from the head while they fit. */
static void gate_admit_waiters(void)
{
	u64 watermark = (u64)READ_ONCE(gate_free_mb) << (20 - PAGE_SHIFT);
	struct denali_vm *vm, *next;

	lockdep_assert_held(&gate_lock);
	list_for_each_entry_safe(vm, next, &gate_waiters, gate_node) {
		u64 pages = vm->mem.size >> PAGE_SHIFT;
		unsigned long flags;
		bool admitted = false;

		spin_lock_irqsave(&vm->lock, flags);
		if (vm->state == DENALI_VM_WAITING) {
			/* Strict FIFO: nobody passes the head. */
			if (!denali_gate_admit(gate_free_pages(), watermark,
					       pages)) {
				spin_unlock_irqrestore(&vm->lock, flags);
				break;
			}
			vm->state = denali_vm_next_state(vm->state,
							 DENALI_EV_ADMIT);
			vm->stats.waiting_ns += ktime_get_ns() -
						vm->waiting_since;
			/* Set before the runner may fault pages in. */
			vm->gate_pages = pages;
			atomic64_add(pages, &gate_reserved);
			vm->on_runqueue = true;
			denali_sched_enqueue(vm);
			admitted = true;
		}
		list_del_init(&vm->gate_node);
		spin_unlock_irqrestore(&vm->lock, flags);
		/* Safe: the VM is not freed before gate_remove() runs. */
		if (admitted)
			denali_netlink_notify(vm);
	}
	if (!list_empty(&gate_waiters))
		schedule_delayed_work(&gate_work,
				      msecs_to_jiffies(GATE_RECHECK_MS));
}

static void gate_work_fn(struct work_struct *work)
{
	mutex_lock(&gate_lock);
	gate_admit_waiters();
	mutex_unlock(&gate_lock);
}

void denali_gate_submit(struct denali_vm *vm)
{
	unsigned long flags;

	mutex_lock(&gate_lock);
	spin_lock_irqsave(&vm->lock, flags);
	/* A stop in between took it to a final state already. */
	if (vm->state == DENALI_VM_WAITING)
		list_add_tail(&vm->gate_node, &gate_waiters);
	spin_unlock_irqrestore(&vm->lock, flags);
	gate_admit_waiters();
	mutex_unlock(&gate_lock);
}

void denali_gate_remove(struct denali_vm *vm)
{
	mutex_lock(&gate_lock);
	list_del_init(&vm->gate_node);
	mutex_unlock(&gate_lock);
}

void denali_gate_touched(struct denali_vm *vm)
{
	if (vm->gate_pages) {
		vm->gate_pages--;
		atomic64_dec(&gate_reserved);
	}
}

void denali_gate_release(struct denali_vm *vm)
{
	atomic64_sub(vm->gate_pages, &gate_reserved);
	vm->gate_pages = 0;
	denali_gate_kick();
}

void denali_gate_kick(void)
{
	/* Unlocked: a waiter added meanwhile is checked by its own submit. */
	if (!list_empty_careful(&gate_waiters))
		mod_delayed_work(system_wq, &gate_work, 0);
}

void denali_gate_exit(void)
{
	cancel_delayed_work_sync(&gate_work);
}
