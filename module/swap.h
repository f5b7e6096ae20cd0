/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_SWAP_H
#define _DENALI_SWAP_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/denali.h>

struct denali_vm;

/*
 * Registers the shrinker through which memory pressure swaps VMs out,
 * and keeps the list of victims through the run queue's ops (sched.h).
 */
int denali_swap_init(void);
void denali_swap_exit(void);

/*
 * Sets what is called, by the VM's owner, as each VM leaves memory: the
 * gatekeeper takes back its admission. Once at load, before any runner
 * comes up.
 */
void denali_swap_set_out_hook(void (*hook)(struct denali_vm *vm));

/*
 * Makes the VM resident: pins its virtual registers and kernel pages,
 * allocates its top-level table and creates the backend's CPU state.
 * Its runner calls it before the VM runs; on failure nothing is left.
 */
int denali_swap_in(struct denali_vm *vm);

/*
 * Frees everything swap_in made and drops every page reference, so that
 * reclaim may write the VM's memory to swap. The caller owns the VM.
 */
void denali_swap_out(struct denali_vm *vm);

/*
 * Swaps a VM out now if it is resident and no runner owns it: for the
 * operator's command, and for a VM that ended off its CPU. -EBUSY when
 * it runs or is queued to.
 */
int denali_swap_out_now(struct denali_vm *vm);

/*
 * Swaps idle VMs out, the least recently run first, until at least the
 * given number of pages are unpinned or no victim is left; returns the
 * number of pages unpinned.
 */
unsigned long denali_swap_reclaim(unsigned long pages);

/* Takes the VM off the list of victims: it woke up, or is being freed. */
void denali_swap_lru_del(struct denali_vm *vm);

/*
 * The victim policy, apart from its locking so that KUnit can test it:
 * a VM may be swapped out when it is resident, no runner owns it and it
 * is idle or has ended. Running and queued VMs keep their memory.
 */
bool denali_swap_candidate(enum denali_vm_state state, bool owned,
			   bool resident);

/*
 * Moves node to the tail of the victims' list, where the most recently
 * run idle VM goes; victims are taken from the head.
 */
void denali_swap_lru_touch(struct list_head *lru, struct list_head *node);

#endif /* _DENALI_SWAP_H */
