// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler: one runner thread per online CPU takes runnable VMs from
 * a shared run queue in FIFO order and runs each for at most a quantum.
 * A VM that idles leaves the queue until its timeout fires or an
 * interrupt is raised, and then runs before the VMs that did not idle,
 * for as long as its idling earned: the priority boost after idling,
 * bounded so that it cannot be gamed (see runq.h).
 *
 * What a runner does with the VM it took is the vCPU loop's (run.c);
 * virtualization is enabled on each CPU before its runner starts (cpu.c).
 *
 * Locking: vm->lock, then runq_lock; both are taken with interrupts off
 * because the idle timer fires in hard interrupt context. A VM belongs
 * to the scheduler while vm->on_runqueue is set, queued or on a CPU (or
 * claimed by the swapper); only this file writes it. The owner that
 * clears it wakes vm->off_cpu under vm->lock, after which it never
 * touches the VM again.
 */
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/denali_abi.h>

#include "gate.h"
#include "irq.h"
#include "run.h"
#include "runq.h"
#include "sched.h"
#include "swap.h"
#include "trace.h"
#include "vm.h"

static unsigned int quantum_us = 10000;
module_param(quantum_us, uint, 0644);
MODULE_PARM_DESC(quantum_us, "Longest time a VM runs before others get the CPU (us)");

/* Housekeeping CPUs can be kept free of guests; all CPUs by default. */
static char *runner_cpus;
module_param(runner_cpus, charp, 0444);
MODULE_PARM_DESC(runner_cpus, "CPUs whose runners run VMs, as a list such as 1-3 (default: all)");
static cpumask_var_t runner_mask;

static DEFINE_SPINLOCK(runq_lock);
static struct denali_runq runq;
static DECLARE_WAIT_QUEUE_HEAD(runq_wait);

struct runner {
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

static DEFINE_PER_CPU(struct runner, runners);
static enum cpuhp_state sched_hp_state;

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
		denali_swap_lru_del(vm);
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
	struct runner *victim = NULL;
	bool queued, free = false;
	int cpu;

	lockdep_assert_held(&vm->lock);
	spin_lock(&runq_lock);
	queued = !list_empty(&vm->run_node);
	if (queued)
		denali_runq_hurry(&runq, &vm->run_node);
	spin_unlock(&runq_lock);

	for_each_online_cpu(cpu) {
		struct runner *r = per_cpu_ptr(&runners, cpu);
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

bool denali_sched_idle(struct denali_vm *vm, u32 usec)
{
	unsigned long flags;
	bool stay = false;

	spin_lock_irqsave(&vm->lock, flags);
	/* Under vm->lock, so that a raise either shows here or wakes it. */
	if (!denali_irq_may_idle(denali_irq_pending(vm))) {
		/* The upcall, if enabled, goes in at the next entry. */
		stay = true;
	} else if (usec && vm->state == DENALI_VM_RUNNING) {
		/* (A yield, usec 0, stays runnable at the end of the queue.) */
		denali_vm_transition(vm, DENALI_EV_IDLE);
		vm->stats.idles++;
		vm->idle_since = ktime_get_ns();
		if (usec != DENALI_IDLE_FOREVER)
			hrtimer_start(&vm->idle_timer,
				      ns_to_ktime((u64)usec * NSEC_PER_USEC),
				      HRTIMER_MODE_REL);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	return stay;
}

/*
 * How long the VM may run now: a quantum, or a boosted VM's balance.
 * Its place is read under the lock, as a wakeup may change it.
 */
static u64 runner_slice_ns(struct denali_vm *vm, bool *boosted)
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

/* A boosted run spends the balance that idling earned. */
static void runner_spend_boost(struct denali_vm *vm, u64 ran_ns)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->lock, flags);
	vm->boost_ns = denali_runq_boost_spend(vm->boost_ns, ran_ns,
					       sched_quantum_ns());
	spin_unlock_irqrestore(&vm->lock, flags);
}

static enum hrtimer_restart slice_timer_fn(struct hrtimer *timer)
{
	struct runner *r = container_of(timer, struct runner, slice_timer);

	WRITE_ONCE(r->end_quantum, true);
	return HRTIMER_NORESTART;
}

/* Runs the VM until deadline (ns) or until it must leave its CPU. */
static void runner_run_slice(struct runner *r, struct denali_vm *vm,
			     u64 deadline)
{
	if (!denali_run_swap_in(vm))
		return;

	vm->stats.quanta++;
	WRITE_ONCE(r->end_quantum, false);
	WRITE_ONCE(r->vm, vm);
	hrtimer_start(&r->slice_timer, ns_to_ktime(deadline),
		      HRTIMER_MODE_ABS_PINNED_HARD);
	denali_run_slice(vm, deadline, &r->end_quantum);
	hrtimer_cancel(&r->slice_timer);
	WRITE_ONCE(r->vm, NULL);
}

/* Runs a VM for up to one quantum, or what its boost allows. */
static void runner_run_quantum(struct runner *r, struct denali_vm *vm)
{
	struct mem_cgroup *old_memcg;
	u64 begin, deadline;
	bool boosted;

	begin = ktime_get_ns();
	deadline = begin + runner_slice_ns(vm, &boosted);
	/* What the VM makes the host allocate is its creator's to pay. */
	old_memcg = set_active_memcg(vm->memcg);
	trace_denali_sched_in(vm->id);
	runner_run_slice(r, vm, deadline);
	trace_denali_sched_out(vm->id, begin);
	set_active_memcg(old_memcg);
	if (boosted)
		runner_spend_boost(vm, ktime_get_ns() - begin);
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
			denali_swap_lru_add(vm);
		wake_up(&vm->off_cpu);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
}

static struct denali_vm *runq_pop(void)
{
	struct list_head *node;

	wait_event_idle(runq_wait,
			!denali_runq_empty(&runq) || kthread_should_stop());

	spin_lock_irq(&runq_lock);
	node = denali_runq_pop(&runq);
	spin_unlock_irq(&runq_lock);
	return node ? list_entry(node, struct denali_vm, run_node) : NULL;
}

static int runner_fn(void *data)
{
	struct runner *r = data;

	while (!kthread_should_stop()) {
		struct denali_vm *vm = runq_pop();

		if (!vm)
			continue;
		/* Swapped out, it must pass the gatekeeper to come back in. */
		if (!vm->resident && !vm->admitted && denali_gate_readmit(vm))
			continue;
		if (!READ_ONCE(vm->stop))
			runner_run_quantum(r, vm);
		/*
		 * It never runs again: nothing of it need stay in memory. A
		 * final state is for good, so no lock is needed to see one;
		 * a stop that comes after this swaps the VM out itself.
		 */
		if (denali_vm_state_is_final(READ_ONCE(vm->state)))
			denali_swap_out(vm);
		denali_sched_release(vm);
		cond_resched();
	}
	return 0;
}

static int sched_cpu_online(unsigned int cpu)
{
	struct runner *r = per_cpu_ptr(&runners, cpu);
	struct task_struct *task;

	if (!cpumask_test_cpu(cpu, runner_mask))
		return 0;
	hrtimer_init(&r->slice_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_ABS_PINNED_HARD);
	r->slice_timer.function = slice_timer_fn;
	task = kthread_create_on_cpu(runner_fn, r, cpu, "denali/%u");
	if (IS_ERR(task))
		return PTR_ERR(task);
	WRITE_ONCE(r->task, task);
	wake_up_process(task);
	return 0;
}

static int sched_cpu_offline(unsigned int cpu)
{
	struct runner *r = per_cpu_ptr(&runners, cpu);

	/* The runner requeues its VM before it ends. */
	if (r->task) {
		kthread_stop(r->task);
		WRITE_ONCE(r->task, NULL);
	}
	return 0;
}

int denali_sched_init(void)
{
	int ret;

	/* Before the first runner waits on it. */
	denali_runq_init(&runq);
	if (!zalloc_cpumask_var(&runner_mask, GFP_KERNEL))
		return -ENOMEM;
	if (!runner_cpus) {
		cpumask_setall(runner_mask);
	} else if (cpulist_parse(runner_cpus, runner_mask) ||
		   !cpumask_intersects(runner_mask, cpu_online_mask)) {
		pr_err("denali: runner_cpus=%s names no online CPU\n",
		       runner_cpus);
		ret = -EINVAL;
		goto err_mask;
	}

	/* After virtualization's state (cpu.c): up after it, down before. */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "virt/denali:runner",
				sched_cpu_online, sched_cpu_offline);
	if (ret < 0)
		goto err_mask;
	sched_hp_state = ret;
	return 0;

err_mask:
	free_cpumask_var(runner_mask);
	return ret;
}

void denali_sched_exit(void)
{
	cpuhp_remove_state(sched_hp_state);
	free_cpumask_var(runner_mask);
}
