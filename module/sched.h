/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_SCHED_H
#define _DENALI_SCHED_H

#include <linux/hrtimer.h>
#include <linux/percpu.h>
#include <linux/types.h>

struct denali_vm;
struct task_struct;

/*
 * A CPU's runner thread as the run queue sees it: irq_mode=sync looks
 * for the CPU a VM runs on, or a busy one to preempt. The runners
 * (runner.c) fill it in.
 */
struct denali_runner {
	struct task_struct *task;
	/* The VM on this CPU, or NULL: a hint for irq_mode=sync. */
	struct denali_vm *vm;
	/* Set by another CPU, or the slice timer, to end the quantum now. */
	bool end_quantum;
	/*
	 * Ends a slice at its deadline: the interrupt makes the guest exit.
	 * Host ticks come too seldom to end a short boosted slice in time,
	 * and a slice that overran would be the boost's to game.
	 */
	struct hrtimer slice_timer;
};

DECLARE_PER_CPU(struct denali_runner, denali_runners);

/*
 * The pager's list of swap victims, which the run queue keeps as VMs
 * idle off their CPU and wake; both are called under vm->lock.
 */
struct denali_sched_victim_ops {
	/* A resident VM left its CPU idling: it goes last on the list. */
	void (*add)(struct denali_vm *vm);
	/* A VM on the list woke up: it is about to run. */
	void (*del)(struct denali_vm *vm);
};

/* Set once by the pager (swap.c) at load, before any runner comes up. */
void denali_sched_set_victim_ops(const struct denali_sched_victim_ops *ops);

/* Sets up the run queue, before any runner comes up. */
void denali_sched_init(void);

void denali_sched_vm_init(struct denali_vm *vm);

/*
 * A runner waits for the next VM on the run queue and takes it; NULL
 * when it must stop (kthread_should_stop()) or found the queue empty.
 */
struct denali_vm *denali_sched_pop(void);

/*
 * How long the VM the runner took may run now, in ns: a quantum, or a
 * boosted VM's balance. *boosted tells which.
 */
u64 denali_sched_slice_ns(struct denali_vm *vm, bool *boosted);

/* A boosted run spends the balance that idling earned. */
void denali_sched_spend_boost(struct denali_vm *vm, u64 ran_ns);

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
 * A running VM gives up its CPU for usec microseconds or until woken; 0
 * yields, and the VM stays runnable. The caller holds vm->lock and has
 * seen no interrupt pending (irq.c's idle hypercall).
 */
void denali_sched_idle(struct denali_vm *vm, u32 usec);

#endif /* _DENALI_SCHED_H */
