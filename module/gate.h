/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_GATE_H
#define _DENALI_GATE_H

#include <linux/list.h>
#include <linux/types.h>

struct denali_vm;

/*
 * The admission decision: a VM that needs vm_pages pages fits when free
 * memory stays at or above the watermark after it took them all.
 */
bool denali_gate_admit(u64 free_pages, u64 watermark_pages, u64 vm_pages);

/*
 * The pages a VM is admitted for: those it is expected to map (ws_pages:
 * its image's when fresh, what it had mapped when last swapped out) and
 * a little room to grow, at most its memory of mem_pages, and what a
 * resident VM holds besides (pinned pages, second-level tables). Never
 * its whole memory size: it gets more pages as it maps them.
 */
u64 denali_gate_need_pages(u64 ws_pages, u64 mem_pages);

/* Free pages above the watermark; 0 below it. */
u64 denali_gate_room(u64 free_pages, u64 watermark_pages);

/*
 * The admission order, apart from its locking so that KUnit can test it:
 * each waiter from the head of the list, in order, goes to decide(); an
 * admitted or dropped one leaves the list, and the first that must wait
 * holds back everyone behind it. Returns how many were admitted.
 */
enum denali_gate_verdict {
	DENALI_GATE_ADMIT,	/* it fits: it runs */
	DENALI_GATE_DROP,	/* it waits no more (it was stopped) */
	DENALI_GATE_WAIT,	/* it does not fit yet */
};

typedef enum denali_gate_verdict (*denali_gate_decide_fn)(struct list_head *node,
							  void *arg);
unsigned int denali_gate_pass(struct list_head *waiters,
			      denali_gate_decide_fn decide, void *arg);

/*
 * Whether a VM may be created at all: -ENOMEM once free memory (see
 * gate.c) is below create_free_mb, so that memory exhaustion is a clean
 * error for the operator, never a failure inside a running VM.
 */
int denali_gate_may_create(void);

/*
 * Queues a VM that has just entered the waiting state behind the other
 * waiters and admits whoever fits, in FIFO order.
 */
void denali_gate_submit(struct denali_vm *vm);

/*
 * Its runner found a woken VM swapped out and not admitted: the VM waits
 * for admission again, at the tail, and the runner lets go of it. False,
 * changing nothing, when the VM is stopping instead.
 */
bool denali_gate_readmit(struct denali_vm *vm);

/* Takes a VM that is leaving for a final state off the waiting list. */
void denali_gate_remove(struct denali_vm *vm);

/*
 * The runner is about to map one more page of the VM: one of the pages
 * granted to it, or of a new grant while free memory above the watermark
 * allows (swapping idle VMs out for it if need be). False when memory is
 * short: the page must not be mapped, and the VM leaves its CPU to wait
 * (see denali_gate_settle()). Only the runner that owns the VM calls it.
 */
bool denali_gate_charge(struct denali_vm *vm);

/*
 * The VM's quantum ended. One that idles gives back the pages granted to
 * it and not mapped, so that admitted VMs count for what they map. One
 * that found memory short is swapped out and waits for admission again,
 * at the tail, for denali_gate_grown_ws() of what it had mapped; true
 * then, and its runner has let go of it. Only the runner that owns the
 * VM calls it.
 */
bool denali_gate_settle(struct denali_vm *vm);

/*
 * The working set a VM that found memory short is readmitted for: twice
 * the mapped_pages it had, at most its memory of mem_pages.
 */
u64 denali_gate_grown_ws(u64 mapped_pages, u64 mem_pages);

/*
 * What a waiting VM needs free above the watermark to be admitted, and
 * what is free above it now, in bytes, as the gatekeeper counts them.
 */
u64 denali_gate_need_bytes(struct denali_vm *vm);
u64 denali_gate_room_bytes(void);

/*
 * The VM has ended or is being swapped out: its grant goes back, it
 * is no longer admitted, and the waiters are re-checked. Called by its
 * owner, or after it left.
 */
void denali_gate_release(struct denali_vm *vm);

/* Memory may have been freed: re-check the waiters soon. Any context. */
void denali_gate_kick(void);

/*
 * Has the pager tell the gatekeeper of each VM it swaps out, which must
 * pass the gate again to come back in; before any runner comes up.
 */
void denali_gate_init(void);
/* Ends the periodic re-check; no VM may be left. */
void denali_gate_exit(void);

#endif /* _DENALI_GATE_H */
