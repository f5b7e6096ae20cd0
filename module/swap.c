// SPDX-License-Identifier: GPL-2.0
/*
 * Swapping VMs out and in. A resident VM holds what only a running VM
 * needs: its second-level tables with a reference on every page they
 * map, the pinned virtual registers, FPU and CPU state pages, and the
 * backend's hardware state. Swapping it out frees all of that and leaves
 * the VM's memory to Linux: its pages are plain shmem, which reclaim
 * writes to swap as it sees fit. The VM keeps only struct denali_vm and
 * its shmem file; the next time it runs, its runner swaps it back in and
 * the pages fault back one by one.
 *
 * Victims are idle VMs, the least recently run first: the run queue puts
 * a VM on swap_lru as its runner lets go of it idling, through the ops
 * this file gives it. Memory pressure reaches them through the shrinker,
 * and the gatekeeper asks for pages when a waiting VM does not fit; it
 * is told of each VM swapped out through the hook it sets. A VM is swapped out by whoever owns it; the
 * swapper claims an idle VM the way a runner does (vm->on_runqueue), so
 * a wakeup meanwhile only marks it runnable and the swapper queues it.
 *
 * Locking: vm->lock, then swap_lock; swap_lock is taken with interrupts
 * off, as the idle timer wakes VMs in hard interrupt context.
 */
#include <linux/kref.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/ktime.h>
#include <linux/denali_abi.h>

#include "backend.h"
#include "mem.h"
#include "sched.h"
#include "swap.h"
#include "trace.h"
#include "vm.h"

/* Pinned pages besides the mapped ones: vregs, FPU, CPU state. */
#define SWAP_PINNED_PAGES	3

static DEFINE_SPINLOCK(swap_lock);
static LIST_HEAD(swap_lru);
/* Pages the VMs on swap_lru pin: what the shrinker can free. */
static u64 swap_lru_pages;

static void (*swap_out_hook)(struct denali_vm *vm) __read_mostly;

void denali_swap_set_out_hook(void (*hook)(struct denali_vm *vm))
{
	swap_out_hook = hook;
}

bool denali_swap_candidate(enum denali_vm_state state, bool owned,
			   bool resident)
{
	if (owned || !resident)
		return false;
	return state == DENALI_VM_IDLE || denali_vm_state_is_final(state);
}

void denali_swap_lru_touch(struct list_head *lru, struct list_head *node)
{
	list_move_tail(node, lru);
}

static u64 swap_vm_pages(struct denali_vm *vm)
{
	return vm->mem.mapped + SWAP_PINNED_PAGES;
}

/*
 * An idle resident VM left its CPU: it goes last on the list of victims.
 * Called under vm->lock, from any context, by the run queue.
 */
static void swap_lru_add(struct denali_vm *vm)
{
	lockdep_assert_held(&vm->lock);
	spin_lock(&swap_lock);
	if (list_empty(&vm->swap_node)) {
		vm->swap_node_pages = swap_vm_pages(vm);
		swap_lru_pages += vm->swap_node_pages;
	}
	denali_swap_lru_touch(&swap_lru, &vm->swap_node);
	spin_unlock(&swap_lock);
}

static void swap_lru_unlink(struct denali_vm *vm)
{
	lockdep_assert_held(&swap_lock);
	if (list_empty(&vm->swap_node))
		return;
	list_del_init(&vm->swap_node);
	swap_lru_pages -= vm->swap_node_pages;
}

void denali_swap_lru_del(struct denali_vm *vm)
{
	unsigned long flags;

	spin_lock_irqsave(&swap_lock, flags);
	swap_lru_unlink(vm);
	spin_unlock_irqrestore(&swap_lock, flags);
}

/* Unpins whatever swap_in got so far. */
static void swap_unpin(struct denali_vm *vm)
{
	struct page **pages[] = {
		&vm->vregs_page, &vm->fpu_page, &vm->vcpu_page,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		if (*pages[i])
			denali_mem_unpin(*pages[i], true);
		*pages[i] = NULL;
	}
	vm->vregs = NULL;
	vm->fpu = NULL;
	vm->vcpu->state = NULL;
}

static struct page *swap_pin(struct denali_vm *vm, pgoff_t index, int *ret)
{
	struct page *page = denali_mem_pin(&vm->mem, index);

	if (IS_ERR(page)) {
		*ret = PTR_ERR(page);
		return NULL;
	}
	return page;
}

int denali_swap_in(struct denali_vm *vm)
{
	struct denali_mem *mem = &vm->mem;
	int ret = 0;

	vm->vregs_page = swap_pin(vm, denali_mem_index(DENALI_VREGS_ADDR), &ret);
	if (!ret)
		vm->fpu_page = swap_pin(vm, DENALI_KPAGE_FPU, &ret);
	if (!ret)
		vm->vcpu_page = swap_pin(vm, DENALI_KPAGE_VCPU, &ret);
	if (ret)
		goto err_unpin;
	vm->vregs = page_address(vm->vregs_page);
	vm->fpu = page_address(vm->fpu_page);
	vm->vcpu->state = page_address(vm->vcpu_page);

	ret = denali_mem_map_begin(mem);
	if (ret)
		goto err_unpin;
	vm->vcpu->sl_root = mem->root_pa;
	/* Its old TLB entries, on any CPU, must not match the new tables. */
	vm->vcpu->tlb_tag = denali_vm_new_serial();
	ret = denali_backend->vcpu_hw_create(vm->vcpu, vm->vcpu_saved);
	if (ret)
		goto err_unmap;

	vm->resident = true;
	trace_denali_swap_in(vm->id, swap_vm_pages(vm), vm->swapped_since);
	if (vm->swapped_since) {
		vm->stats.swapped_ns += ktime_get_ns() - vm->swapped_since;
		vm->swapped_since = 0;
	}
	return 0;

err_unmap:
	denali_mem_unmap(mem);
err_unpin:
	swap_unpin(vm);
	return ret;
}

void denali_swap_out(struct denali_vm *vm)
{
	/* Final states are for good: no lock needed to see one. */
	bool ended = denali_vm_state_is_final(READ_ONCE(vm->state));
	unsigned long flags;

	if (!vm->resident)
		return;
	trace_denali_swap_out(vm->id, swap_vm_pages(vm));
	denali_swap_lru_del(vm);
	/* An ended VM's CPU state is never needed again. */
	if (!ended) {
		if (denali_backend->vcpu_hw_save)
			denali_backend->vcpu_hw_save(vm->vcpu);
		vm->vcpu_saved = true;
	}
	denali_backend->vcpu_hw_free(vm->vcpu);
	/* What it will likely map again when back: the gatekeeper's guess. */
	vm->ws_pages = vm->mem.mapped;
	denali_mem_unmap(&vm->mem);
	swap_unpin(vm);
	vm->resident = false;
	vm->stats.swap_outs++;
	/* It must pass the gatekeeper again to come back in. */
	swap_out_hook(vm);

	spin_lock_irqsave(&vm->lock, flags);
	/* An ended VM is swapped out for good: that is no time swapped. */
	if (!denali_vm_state_is_final(vm->state))
		vm->swapped_since = ktime_get_ns();
	spin_unlock_irqrestore(&vm->lock, flags);
}

/* Takes an unowned victim as a runner would take it off the queue. */
static bool swap_claim(struct denali_vm *vm)
{
	unsigned long flags;
	bool claimed;

	spin_lock_irqsave(&vm->lock, flags);
	claimed = denali_swap_candidate(vm->state, vm->on_runqueue,
					READ_ONCE(vm->resident));
	if (claimed)
		denali_sched_claim(vm);
	spin_unlock_irqrestore(&vm->lock, flags);
	return claimed;
}

int denali_swap_out_now(struct denali_vm *vm)
{
	if (!READ_ONCE(vm->resident))
		return 0;
	if (!swap_claim(vm))
		return -EBUSY;
	denali_swap_out(vm);
	denali_sched_release(vm);
	return 0;
}

/* The VM at the head of the victims' list, with a reference, or NULL. */
static struct denali_vm *swap_lru_pop(void)
{
	struct denali_vm *vm, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&swap_lock, flags);
	while (!found && !list_empty(&swap_lru)) {
		vm = list_first_entry(&swap_lru, struct denali_vm, swap_node);
		swap_lru_unlink(vm);
		/* One being freed takes itself off; leave it be. */
		if (kref_get_unless_zero(&vm->ref))
			found = vm;
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	return found;
}

unsigned long denali_swap_reclaim(unsigned long pages)
{
	unsigned long freed = 0;
	struct denali_vm *vm;

	while (freed < pages && (vm = swap_lru_pop())) {
		/* Woken since it went on the list: it stays. */
		if (swap_claim(vm)) {
			freed += swap_vm_pages(vm);
			denali_swap_out(vm);
			denali_sched_release(vm);
		}
		denali_vm_put(vm);
	}
	return freed;
}

static unsigned long swap_count(struct shrinker *shrinker,
				struct shrink_control *sc)
{
	/* Without swap, the guest pages stay where they are: no gain. */
	if (get_nr_swap_pages() <= 0)
		return SHRINK_EMPTY;
	return READ_ONCE(swap_lru_pages) ?: SHRINK_EMPTY;
}

static unsigned long swap_scan(struct shrinker *shrinker,
			       struct shrink_control *sc)
{
	unsigned long freed = denali_swap_reclaim(sc->nr_to_scan);

	return freed ?: SHRINK_STOP;
}

static struct shrinker swap_shrinker = {
	.count_objects = swap_count,
	.scan_objects = swap_scan,
	.seeks = DEFAULT_SEEKS,
};

static const struct denali_sched_victim_ops swap_victim_ops = {
	.add = swap_lru_add,
	.del = denali_swap_lru_del,
};

int denali_swap_init(void)
{
	denali_sched_set_victim_ops(&swap_victim_ops);
	return register_shrinker(&swap_shrinker, "denali-vm");
}

void denali_swap_exit(void)
{
	unregister_shrinker(&swap_shrinker);
}
