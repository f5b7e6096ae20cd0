/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_SCHED_H
#define _DENALI_SCHED_H

#include <linux/types.h>

struct denali_vm;

/*
 * Brings up a runner thread on every online CPU, and on CPUs that come
 * online later, after enabling the CPU's virtualization extensions.
 */
int denali_sched_init(void);
void denali_sched_exit(void);

void denali_sched_vm_init(struct denali_vm *vm);

/* Hands a VM to the runners; the caller holds vm->lock. */
void denali_sched_enqueue(struct denali_vm *vm);

/* Cancels a pending idle timeout; the VM is stopping. */
void denali_sched_cancel_idle(struct denali_vm *vm);

/*
 * The idle hypercall: gives up the CPU for usec microseconds or until an
 * interrupt is pending; 0 yields. Returns false when the VM must leave
 * its CPU.
 */
bool denali_sched_idle(struct denali_vm *vm, u32 usec);

#endif /* _DENALI_SCHED_H */
