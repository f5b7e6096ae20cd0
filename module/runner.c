// SPDX-License-Identifier: GPL-2.0
/*
 * The runner threads, one per CPU that runner_cpus names: each takes the
 * next VM off the run queue (sched.c), brings a swapped-out one back
 * through the gatekeeper, runs it for a slice in the vCPU loop (run.c)
 * and lets go of it. They sit on top of what they drive: nothing there
 * calls back into them.
 *
 * The runners' CPU hotplug state comes up after virtualization's own
 * (cpu.c) and goes down before it.
 */
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "gate.h"
#include "run.h"
#include "runner.h"
#include "sched.h"
#include "swap.h"
#include "trace.h"
#include "vm.h"

/* Housekeeping CPUs can be kept free of guests; all CPUs by default. */
static char *runner_cpus;
module_param(runner_cpus, charp, 0444);
MODULE_PARM_DESC(runner_cpus, "CPUs whose runners run VMs, as a list such as 1-3 (default: all)");
static cpumask_var_t runner_mask;

static enum cpuhp_state runner_hp_state;

static enum hrtimer_restart slice_timer_fn(struct hrtimer *timer)
{
	struct denali_runner *r = container_of(timer, struct denali_runner,
					       slice_timer);

	WRITE_ONCE(r->end_quantum, true);
	return HRTIMER_NORESTART;
}

/* Runs the VM until deadline (ns) or until it must leave its CPU. */
static void runner_run_slice(struct denali_runner *r, struct denali_vm *vm,
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
static void runner_run_quantum(struct denali_runner *r, struct denali_vm *vm)
{
	struct mem_cgroup *old_memcg;
	u64 begin, deadline;
	bool boosted;

	begin = ktime_get_ns();
	deadline = begin + denali_sched_slice_ns(vm, &boosted);
	/* What the VM makes the host allocate is its creator's to pay. */
	old_memcg = set_active_memcg(vm->memcg);
	trace_denali_sched_in(vm->id);
	runner_run_slice(r, vm, deadline);
	trace_denali_sched_out(vm->id, begin);
	set_active_memcg(old_memcg);
	if (boosted)
		denali_sched_spend_boost(vm, ktime_get_ns() - begin);
}

static int runner_fn(void *data)
{
	struct denali_runner *r = data;

	while (!kthread_should_stop()) {
		struct denali_vm *vm = denali_sched_pop();

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
		 * Else one that idles gives back the pages granted to it and
		 * not mapped, and one that found memory short waits to be
		 * admitted again.
		 */
		if (denali_vm_state_is_final(READ_ONCE(vm->state)))
			denali_swap_out(vm);
		else if (denali_gate_settle(vm))
			continue;
		denali_sched_release(vm);
		cond_resched();
	}
	return 0;
}

static int runner_cpu_online(unsigned int cpu)
{
	struct denali_runner *r = per_cpu_ptr(&denali_runners, cpu);
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

static int runner_cpu_offline(unsigned int cpu)
{
	struct denali_runner *r = per_cpu_ptr(&denali_runners, cpu);

	/* The runner requeues its VM before it ends. */
	if (r->task) {
		kthread_stop(r->task);
		WRITE_ONCE(r->task, NULL);
	}
	return 0;
}

int denali_runner_init(void)
{
	int ret;

	/* Before the first runner waits on it. */
	denali_sched_init();
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
				runner_cpu_online, runner_cpu_offline);
	if (ret < 0)
		goto err_mask;
	runner_hp_state = ret;
	return 0;

err_mask:
	free_cpumask_var(runner_mask);
	return ret;
}

void denali_runner_exit(void)
{
	cpuhp_remove_state(runner_hp_state);
	free_cpumask_var(runner_mask);
}
