/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_IRQ_H
#define _DENALI_IRQ_H

#include <linux/types.h>
#include <linux/denali.h>

struct denali_vm;

/*
 * Virtual interrupts: sources set bits in the VM's vregs.irq_pending and
 * the runner injects one upcall at VM entry while vregs.irq_enabled is
 * set. The pure decisions come first, so the KUnit suite can test them.
 */

/* True when an upcall may be injected now. */
bool denali_irq_deliverable(u32 enabled, u32 pending);

/* The pending mask after raising bit; raising a set bit changes nothing. */
u32 denali_irq_merge(u32 pending, unsigned int bit);

/* True when a VM in state must be woken by a raise. */
bool denali_irq_wakes(enum denali_vm_state state);

/* True when the idle hypercall may give up the CPU with these bits pending. */
bool denali_irq_may_idle(u32 pending);

/* Sets up the VM's one-shot timer. */
void denali_irq_vm_init(struct denali_vm *vm);
/* Cancels the timer; the VM is off its CPU for good. */
void denali_irq_vm_stop(struct denali_vm *vm);

/*
 * Sets bit in the VM's pending mask and wakes it if it idles; any
 * context, hard interrupts included.
 */
void denali_irq_raise(struct denali_vm *vm, unsigned int bit);

/* The timer hypercall: raise DENALI_IRQ_TIMER in usec; 0 cancels. */
void denali_irq_timer_set(struct denali_vm *vm, u32 usec);

/*
 * The idle hypercall: gives up the CPU for usec microseconds or until an
 * interrupt is pending; 0 yields. With an interrupt already pending it
 * returns at once. Returns false when the VM must leave its CPU.
 */
bool denali_irq_idle(struct denali_vm *vm, u32 usec);

/*
 * Moves the raised bits into the virtual registers and injects the
 * upcall if one is deliverable; the runner, before entry.
 */
void denali_irq_deliver(struct denali_vm *vm);

/* True when irq_mode=sync: a raise makes its VM run at once. */
bool denali_irq_sync(void);

#endif /* _DENALI_IRQ_H */
