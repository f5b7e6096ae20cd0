/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_GATE_H
#define _DENALI_GATE_H

#include <linux/types.h>

struct denali_vm;

/*
 * The admission decision: a VM that may touch vm_pages pages fits when
 * free memory stays at or above the watermark after it touched them all.
 */
bool denali_gate_admit(u64 free_pages, u64 watermark_pages, u64 vm_pages);

/*
 * Queues a VM that has just entered the waiting state behind the other
 * waiters and admits whoever fits, in FIFO order.
 */
void denali_gate_submit(struct denali_vm *vm);

/* Takes a VM that is leaving for a final state off the waiting list. */
void denali_gate_remove(struct denali_vm *vm);

/*
 * The runner mapped one more page of the VM: one page less is reserved
 * for it. Only the runner that owns the VM calls it.
 */
void denali_gate_touched(struct denali_vm *vm);

/*
 * The VM has ended and touches nothing more: its reserve goes back and
 * the waiters are re-checked. Called on its runner, or after it left.
 */
void denali_gate_release(struct denali_vm *vm);

/* Memory may have been freed: re-check the waiters soon. Any context. */
void denali_gate_kick(void);

/* Ends the periodic re-check; no VM may be left. */
void denali_gate_exit(void);

#endif /* _DENALI_GATE_H */
