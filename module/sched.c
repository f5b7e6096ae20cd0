// SPDX-License-Identifier: GPL-2.0
/*
 * The run queue: the runner threads (runner.c), one per CPU, take
 * runnable VMs from it in FIFO order and run each for at most a quantum.
 * A VM that idles leaves the queue until its timeout fires or an
 * interrupt is raised, and then runs before the VMs that did not idle,
 * for as long as its idling earned: the priority boost after idling,
 * bounded so that it cannot be gamed (see runq.h).
 *
 * Everything above (the runners, the pager, the gatekeeper, interrupts)
 * comes here to queue, wake and let go of VMs; the pager's list of idle
 * VMs is kept through the ops it sets at load.
 *
 * Locking: vm->lock, then runq_lock; both are taken with interrupts off
 * because the idle timer fires in hard interrupt context. A VM belongs
 * to the scheduler while vm->on_runqueue is set, queued or on a CPU (or
 * claimed by the swapper); only this file writes it. The owner that
 * clears it wakes vm->off_cpu under vm->lock, after which it never
 * touches the VM again.
 */
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/denali_abi.h>

#include "runq.h"
#include "sched.h"
#include "vm.h"

static unsigned int quantum_us = 10000;
module_param(quantum_us, uint, 0644);
MODULE_PARM_DESC(quantum_us, "Longest time a VM runs before others get the CPU (us)");

static DEFINE_SPINLOCK(runq_lock);
static struct denali_runq runq;
static DECLARE_WAIT_QUEUE_HEAD(runq_wait);

DEFINE_PER_CPU(struct denali_runner, denali_runners);

static const struct denali_sched_victim_ops *sched_victims __read_mostly;

void denali_sched_set_victim_ops(const struct denali_sched_victim_ops *ops)
{
	sched_victims = ops;
}

static u64 sched_quantum_ns(void)
{
	return (u64)READ_ONCE(quantum_us) * NSEC_PER_USEC;
}

static void sched_queue(struct denali_vm *vm, bool boosted)
{
	lockdep_assert_held(&vm->lock);
	vm->boosted = boosted;
	spin_lock(&runq_lock);
	denali_runq_add(&runq, &vm->run_node, boosted);
	spin_unlock(&runq_lock);
	wake_up(&runq_wait);
}

void denali_sched_enqueue(struct denali_vm *vm)
{
	lockdep_assert_held(&vm->lock);
	vm->on_runqueue = true;
	sched_queue(vm, false);
}

void denali_sched_claim(struct denali_vm *vm)
{
	lockdep_assert_held(&vm->lock);
	vm->on_runqueue = true;
}

void denali_sched_wake(struct denali_vm *vm)
{
	lockdep_assert_held(&vm->lock);
	if (denali_vm_transition(vm, DENALI_EV_WAKE) < 0)
		return;
	/*
	 * It is about to run: no victim. Only its owner adds it to the
	 * list, under vm->lock, so under that lock an empty node stays
	 * empty, and most wakeups need not take the swapper's lock.
	 */
	if (!list_empty(&vm->swap_node))
		sched_victims->del(vm);
	vm->boost_ns = denali_runq_boost_earn(vm->boost_ns,
					      ktime_get_ns() - vm->idle_since,
					      sched_quantum_ns());
	/* Still on its CPU, the runner requeues it on the way out. */
	if (!vm->on_runqueue) {
		vm->on_runqueue = true;
		sched_queue(vm, vm->boost_ns > 0);
	}
}

void denali_sched_dequeue(struct denali_vm *vm)
{
	bool queued;

	lockdep_assert_held(&vm->lock);
	spin_lock(&runq_lock);
	queued = !list_empty(&vm->run_node);
	if (queued)
		list_del_init(&vm->run_node);
	spin_unlock(&runq_lock);
	/* Popped already, its runner lets go of it as it sees stop. */
	if (queued) {
		vm->on_runqueue = false;
		wake_up(&vm->off_cpu);
	}
}

void denali_sched_hurry(struct denali_vm *vm)
{
	struct denali_runner *victim = NULL;
	bool queued, free = false;
	int cpu;

	lockdep_assert_held(&vm->lock);
	spin_lock(&runq_lock);
	queued = !list_empty(&vm->run_node);
	if (queued)
		denali_runq_hurry(&runq, &vm->run_node);
	spin_unlock(&runq_lock);

	for_each_online_cpu(cpu) {
		struct denali_runner *r = per_cpu_ptr(&denali_runners, cpu);
		struct task_struct *task = READ_ONCE(r->task);
		struct denali_vm *cur = READ_ONCE(r->vm);

		/* Interrupts are off: an ending runner's task stays (RCU). */
		if (!task)
			continue;
		/* On a CPU already: an exit lets the upcall in now. */
		if (cur == vm) {
			kick_process(task);
			return;
		}
		if (cur)
			victim = r;
		else
			free = true;
	}
	/* A free runner takes it from the head of the queue by itself. */
	if (queued && !free && victim) {
		struct task_struct *task = READ_ONCE(victim->task);

		WRITE_ONCE(victim->end_quantum, true);
		if (task)
			kick_process(task);
	}
}

static enum hrtimer_restart idle_timer_fn(struct hrtimer *timer)
{
	struct denali_vm *vm = container_of(timer, struct denali_vm,
					    idle_timer);
	unsigned long flags;

	spin_lock_irqsave(&vm->lock, flags);
	denali_sched_wake(vm);
	spin_unlock_irqrestore(&vm->lock, flags);
	return HRTIMER_NORESTART;
}

void denali_sched_vm_init(struct denali_vm *vm)
{
	hrtimer_init(&vm->idle_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	vm->idle_timer.function = idle_timer_fn;
}

void denali_sched_cancel_idle(struct denali_vm *vm)
{
	hrtimer_cancel(&vm->idle_timer);
}

void denali_sched_idle(struct denali_vm *vm, u32 usec)
{
	lockdep_assert_held(&vm->lock);
	/* A yield stays runnable at the end of the queue. */
	if (!usec || vm->state != DENALI_VM_RUNNING)
		return;
	denali_vm_transition(vm, DENALI_EV_IDLE);
	vm->stats.idles++;
	vm->idle_since = ktime_get_ns();
	if (usec != DENALI_IDLE_FOREVER)
		hrtimer_start(&vm->idle_timer,
			      ns_to_ktime((u64)usec * NSEC_PER_USEC),
			      HRTIMER_MODE_REL);
}

/* Its place is read under the lock, as a wakeup may change it. */
u64 denali_sched_slice_ns(struct denali_vm *vm, bool *boosted)
{
	u64 quantum = sched_quantum_ns();
	unsigned long flags;
	u64 slice = quantum;

	spin_lock_irqsave(&vm->lock, flags);
	*boosted = vm->boosted;
	vm->boosted = false;
	if (*boosted && vm->boost_ns > 0)
		slice = min_t(u64, vm->boost_ns, quantum);
	spin_unlock_irqrestore(&vm->lock, flags);
	return slice;
}

void denali_sched_spend_boost(struct denali_vm *vm, u64 ran_ns)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->lock, flags);
	vm->boost_ns = denali_runq_boost_spend(vm->boost_ns, ran_ns,
					       sched_quantum_ns());
	spin_unlock_irqrestore(&vm->lock, flags);
}

void denali_sched_release(struct denali_vm *vm)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->lock, flags);
	if (vm->state == DENALI_VM_RUNNING && !vm->stop) {
		sched_queue(vm, false);
	} else {
		vm->on_runqueue = false;
		if (vm->state == DENALI_VM_IDLE && vm->resident)
			sched_victims->add(vm);
		wake_up(&vm->off_cpu);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
}

struct denali_vm *denali_sched_pop(void)
{
	struct list_head *node;

	wait_event_idle(runq_wait,
			!denali_runq_empty(&runq) || kthread_should_stop());

	spin_lock_irq(&runq_lock);
	node = denali_runq_pop(&runq);
	spin_unlock_irq(&runq_lock);
	return node ? list_entry(node, struct denali_vm, run_node) : NULL;
}

void denali_sched_init(void)
{
	denali_runq_init(&runq);
}
