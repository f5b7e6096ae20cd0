/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_GATE_H
#define _DENALI_GATE_H

#include <linux/list.h>
#include <linux/types.h>

struct denali_vm;

/*
 * The admission decision: a VM that may touch vm_pages pages fits when
 * free memory stays at or above the watermark after it touched them all.
 */
bool denali_gate_admit(u64 free_pages, u64 watermark_pages, u64 vm_pages);

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
 * The runner mapped one more page of the VM: one page less is reserved
 * for it. Only the runner that owns the VM calls it.
 */
void denali_gate_touched(struct denali_vm *vm);

/*
 * The VM has ended or is being swapped out: its reserve goes back, it
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
