/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_SCHED_H
#define _DENALI_SCHED_H

#include <linux/types.h>

struct denali_vm;

/*
 * Brings up a runner thread on every online CPU that runner_cpus names,
 * and on such CPUs that come online later; virtualization is enabled on
 * them first (see cpu.h).
 */
int denali_sched_init(void);
void denali_sched_exit(void);

void denali_sched_vm_init(struct denali_vm *vm);

/*
 * Hands a VM that nobody owns, just admitted, to the runners. The caller
 * holds vm->lock.
 */
void denali_sched_enqueue(struct denali_vm *vm);

/*
 * Takes a VM that nobody owns as a runner takes one off the queue, for
 * the swapper: until denali_sched_release(), a wakeup only marks it
 * runnable. The caller holds vm->lock and has seen vm->on_runqueue
 * clear.
 */
void denali_sched_claim(struct denali_vm *vm);

/*
 * Ends an idle VM's idling and queues it ahead of the VMs that did not
 * idle, the boost after idling; nothing for a VM in another state. The
 * caller holds vm->lock.
 */
void denali_sched_wake(struct denali_vm *vm);

/*
 * Takes a stopping VM off the run queue if it waits there, so that it
 * leaves the scheduler at once however busy the runners are (in
 * irq_mode=sync, hurried VMs could keep it queued for good). The caller
 * holds vm->lock and has set vm->stop.
 */
void denali_sched_dequeue(struct denali_vm *vm);

/*
 * irq_mode=sync: makes a runnable VM run at once. A queued VM moves to
 * the head of the queue and, when every runner is busy, one of them ends
 * its quantum now; a VM on a CPU is made to exit so that its upcall goes
 * in. The caller holds vm->lock.
 */
void denali_sched_hurry(struct denali_vm *vm);

/*
 * The owner of a VM, a runner or the swapper, lets go of it: a runnable
 * VM goes back on the queue, any other leaves the scheduler (an idle
 * resident one becomes a swap victim) and vm->off_cpu is woken.
 */
void denali_sched_release(struct denali_vm *vm);

/* Cancels a pending idle timeout; the VM is stopping. */
void denali_sched_cancel_idle(struct denali_vm *vm);

/*
 * The idle hypercall: gives up the CPU for usec microseconds or until an
 * interrupt is pending; 0 yields. With an interrupt already pending it
 * returns at once. Returns false when the VM must leave its CPU.
 */
bool denali_sched_idle(struct denali_vm *vm, u32 usec);

#endif /* _DENALI_SCHED_H */
