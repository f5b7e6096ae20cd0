// SPDX-License-Identifier: GPL-2.0
/*
 * The gatekeeper: admission control by memory. A started VM runs only
 * while free memory, less what the VM is expected to use, stays above
 * the watermark gate_free_mb; the others wait in the waiting state and
 * are admitted in the order they were started. A VM is admitted by its
 * working set, not its memory size: the pages it had mapped when last
 * resident (its image's when fresh), a little room to grow, and what a
 * resident VM holds besides (see denali_gate_need_pages()). Those pages
 * are granted to it (gate_reserved) until it maps them or idles; what
 * it maps is in use, and counts as such. Beyond its grant a VM maps more
 * only through a new grant, which the watermark bounds as admission
 * does: when memory is short, idle VMs are swapped out for it, and
 * failing that it is swapped out itself and waits for admission again,
 * for twice what it had mapped (so that a VM that grows comes back a few
 * times, not once per grant). So admitted VMs count for what they map,
 * idle VMs stay resident until free memory nears the watermark, and a
 * VM that maps all its memory at once is charged for each page and
 * stopped at the watermark.
 * Waiters are re-checked when a VM ends, when the watermark changes,
 * and every GATE_RECHECK_MS while any wait, since memory is also freed
 * outside Denali.
 *
 * Free memory counts what reclaim can free: MemAvailable, and the shmem
 * pages that no VM pins, as far as free swap can take them. So swapped-
 * out VMs make room for new ones, and when the head waiter does not fit,
 * the gatekeeper first swaps out idle VMs (see swap.c) to make it.
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
#include <linux/swap.h>
#include <linux/vmstat.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "gate.h"
#include "mem.h"
#include "sched.h"
#include "swap.h"
#include "trace.h"
#include "vm.h"

#define GATE_RECHECK_MS	100
/*
 * Pages granted beyond the expected working set, and at a time to a VM
 * that maps beyond its grant: a few checks of free memory per 64 KiB.
 */
#define GATE_GROW_PAGES	16
/*
 * A resident VM's pages besides its guest pages: its pinned vregs, FPU
 * and CPU state pages, and the second-level tables of a small VM.
 */
#define GATE_VM_OVERHEAD_PAGES	8

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

static unsigned int create_free_mb = 16;
module_param(create_free_mb, uint, 0644);
MODULE_PARM_DESC(create_free_mb,
		 "Free memory (MiB) below which creating a VM fails with ENOMEM");

bool denali_gate_admit(u64 free_pages, u64 watermark_pages, u64 vm_pages)
{
	/* Written so that no sum can wrap. */
	return free_pages >= watermark_pages &&
	       free_pages - watermark_pages >= vm_pages;
}

u64 denali_gate_need_pages(u64 ws_pages, u64 mem_pages)
{
	u64 guest = mem_pages;

	/* Written so that no sum can wrap. */
	if (ws_pages < mem_pages && mem_pages - ws_pages > GATE_GROW_PAGES)
		guest = ws_pages + GATE_GROW_PAGES;
	return guest + GATE_VM_OVERHEAD_PAGES;
}

u64 denali_gate_room(u64 free_pages, u64 watermark_pages)
{
	return free_pages > watermark_pages ? free_pages - watermark_pages : 0;
}

/* Shmem pages that swap could take: nobody pins them. */
static long gate_swappable_pages(void)
{
	long shmem = global_node_page_state(NR_SHMEM);
	long unpinned = shmem - (long)denali_mem_pinned_pages();

	return clamp(unpinned, 0L, get_nr_swap_pages());
}

/* Free memory less what is granted to admitted VMs and not mapped. */
static u64 gate_free_pages(void)
{
	long avail = si_mem_available() + gate_swappable_pages() -
		     atomic64_read(&gate_reserved);

	return avail > 0 ? avail : 0;
}

static u64 gate_watermark_pages(void)
{
	return (u64)READ_ONCE(gate_free_mb) << (20 - PAGE_SHIFT);
}

int denali_gate_may_create(void)
{
	u64 floor = (u64)READ_ONCE(create_free_mb) << (20 - PAGE_SHIFT);

	return gate_free_pages() >= floor ? 0 : -ENOMEM;
}

/* Unpins idle VMs' memory until pages fit, if swap can take it. */
static void gate_make_room(u64 watermark, u64 pages)
{
	u64 free = gate_free_pages();

	if (!denali_gate_admit(free, watermark, pages) &&
	    get_nr_swap_pages() > 0)
		denali_swap_reclaim(watermark + pages - free);
}

unsigned int denali_gate_pass(struct list_head *waiters,
			      denali_gate_decide_fn decide, void *arg)
{
	struct list_head *node, *next;
	unsigned int admitted = 0;

	list_for_each_safe(node, next, waiters) {
		enum denali_gate_verdict verdict = decide(node, arg);

		/* Strict FIFO: nobody passes the head. */
		if (verdict == DENALI_GATE_WAIT)
			break;
		list_del_init(node);
		if (verdict == DENALI_GATE_ADMIT)
			admitted++;
	}
	return admitted;
}

/* What it is admitted for: it waits, so nobody changes ws_pages. */
static u64 gate_vm_pages(struct denali_vm *vm)
{
	return denali_gate_need_pages(READ_ONCE(vm->ws_pages),
				      vm->mem.size >> PAGE_SHIFT);
}

u64 denali_gate_need_bytes(struct denali_vm *vm)
{
	return gate_vm_pages(vm) << PAGE_SHIFT;
}

u64 denali_gate_room_bytes(void)
{
	return denali_gate_room(gate_free_pages(),
				gate_watermark_pages()) << PAGE_SHIFT;
}

static enum denali_gate_verdict gate_decide(struct list_head *node,
					    void *arg)
{
	struct denali_vm *vm = list_entry(node, struct denali_vm, gate_node);
	u64 pages = gate_vm_pages(vm);
	u64 watermark = *(u64 *)arg;
	unsigned long flags;

	gate_make_room(watermark, pages);
	spin_lock_irqsave(&vm->lock, flags);
	/* Stopped meanwhile: it leaves the list without being admitted. */
	if (vm->state != DENALI_VM_WAITING) {
		spin_unlock_irqrestore(&vm->lock, flags);
		return DENALI_GATE_DROP;
	}
	if (!denali_gate_admit(gate_free_pages(), watermark, pages)) {
		spin_unlock_irqrestore(&vm->lock, flags);
		return DENALI_GATE_WAIT;
	}
	denali_vm_transition(vm, DENALI_EV_ADMIT);
	vm->stats.waiting_ns += ktime_get_ns() - vm->waiting_since;
	/* Set before the runner may fault pages in. */
	vm->admitted = true;
	vm->gate_pages = pages;
	atomic64_add(pages, &gate_reserved);
	trace_denali_gate_admit(vm->id, pages);
	denali_sched_enqueue(vm);
	spin_unlock_irqrestore(&vm->lock, flags);
	/* Safe: the VM is not freed before gate_remove() takes gate_lock. */
	denali_vm_notify(vm);
	return DENALI_GATE_ADMIT;
}

/* Admits waiters from the head while they fit. */
static void gate_admit_waiters(void)
{
	u64 watermark = gate_watermark_pages();

	lockdep_assert_held(&gate_lock);
	denali_gate_pass(&gate_waiters, gate_decide, &watermark);
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
	if (vm->state == DENALI_VM_WAITING) {
		list_add_tail(&vm->gate_node, &gate_waiters);
		trace_denali_gate_wait(vm->id, gate_vm_pages(vm));
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	gate_admit_waiters();
	mutex_unlock(&gate_lock);
}

bool denali_gate_readmit(struct denali_vm *vm)
{
	unsigned long flags;
	bool waits;

	spin_lock_irqsave(&vm->lock, flags);
	waits = !vm->stop &&
		denali_vm_transition(vm, DENALI_EV_READMIT) >= 0;
	if (waits)
		vm->waiting_since = ktime_get_ns();
	spin_unlock_irqrestore(&vm->lock, flags);
	if (!waits)
		return false;
	/* Waiting again: told before the gatekeeper may admit it. */
	denali_vm_notify(vm);

	/* Once its runner lets go, only this reference keeps it. */
	kref_get(&vm->ref);
	denali_sched_release(vm);
	denali_gate_submit(vm);
	denali_vm_put(vm);
	return true;
}

void denali_gate_remove(struct denali_vm *vm)
{
	mutex_lock(&gate_lock);
	list_del_init(&vm->gate_node);
	mutex_unlock(&gate_lock);
}

/* A new grant for a VM that maps beyond its last one, if memory allows. */
static bool gate_grant(struct denali_vm *vm)
{
	u64 watermark = gate_watermark_pages();

	gate_make_room(watermark, GATE_GROW_PAGES);
	if (!denali_gate_admit(gate_free_pages(), watermark, GATE_GROW_PAGES)) {
		vm->gate_short = true;
		return false;
	}
	vm->gate_pages = GATE_GROW_PAGES;
	atomic64_add(GATE_GROW_PAGES, &gate_reserved);
	return true;
}

bool denali_gate_charge(struct denali_vm *vm)
{
	if (!vm->gate_pages && !gate_grant(vm))
		return false;
	vm->gate_pages--;
	atomic64_dec(&gate_reserved);
	return true;
}

/* What is granted and not mapped goes back. */
static void gate_trim(struct denali_vm *vm)
{
	atomic64_sub(vm->gate_pages, &gate_reserved);
	vm->gate_pages = 0;
}

u64 denali_gate_grown_ws(u64 mapped_pages, u64 mem_pages)
{
	return mapped_pages <= mem_pages / 2 ? 2 * mapped_pages : mem_pages;
}

bool denali_gate_settle(struct denali_vm *vm)
{
	bool short_of_memory = vm->gate_short;

	/* Unlocked: a wakeup meanwhile only makes it ask again sooner. */
	if (READ_ONCE(vm->state) == DENALI_VM_IDLE)
		gate_trim(vm);
	if (!short_of_memory)
		return false;
	/* Its pages go back to reclaim while it waits for room to grow. */
	denali_swap_out(vm);
	vm->ws_pages = denali_gate_grown_ws(vm->ws_pages,
					    vm->mem.size >> PAGE_SHIFT);
	return denali_gate_readmit(vm);
}

void denali_gate_release(struct denali_vm *vm)
{
	gate_trim(vm);
	vm->gate_short = false;
	vm->admitted = false;
	denali_gate_kick();
}

void denali_gate_kick(void)
{
	/* Unlocked: a waiter added meanwhile is checked by its own submit. */
	if (!list_empty_careful(&gate_waiters))
		mod_delayed_work(system_wq, &gate_work, 0);
}

void denali_gate_init(void)
{
	denali_swap_set_out_hook(denali_gate_release);
}

void denali_gate_exit(void)
{
	cancel_delayed_work_sync(&gate_work);
}
