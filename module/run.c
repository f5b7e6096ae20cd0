// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU loop: what a runner does with the VM it took for a slice.
 * It makes the VM resident, enters the guest, and hands each exit to the
 * handler for its kind, apart from the scheduling around it (runner.c
 * and sched.c), as KVM keeps vcpu_enter_guest() apart from the
 * scheduler. Hypercalls
 * go to the handler that the layer above sets at load.
 *
 * Everything here runs on the runner that owns the VM, so the VM's
 * run-time state needs no lock.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include "backend.h"
#include "fpu.h"
#include "gate.h"
#include "irq.h"
#include "mem.h"
#include "run.h"
#include "swap.h"
#include "trace.h"
#include "vm.h"

static bool (*run_hypercall)(struct denali_vm *vm) __read_mostly;

void denali_run_set_hypercall(bool (*handler)(struct denali_vm *vm))
{
	run_hypercall = handler;
}

bool denali_run_swap_in(struct denali_vm *vm)
{
	int ret;

	if (vm->resident)
		return true;
	ret = denali_swap_in(vm);
	if (ret) {
		denali_vm_crash(vm, "cannot swap in (error %d)", ret);
		return false;
	}
	return true;
}

static bool run_exit_host(struct denali_vm *vm,
			  const struct denali_exit *exit)
{
	vm->stats.exits_host++;
	return true;
}

static bool run_exit_hypercall(struct denali_vm *vm,
			       const struct denali_exit *exit)
{
	return run_hypercall(vm);
}

static bool run_exit_mem_fault(struct denali_vm *vm,
			       const struct denali_exit *exit)
{
	int ret;

	/* Memory is short: it waits, and faults again when back. */
	if (!denali_gate_charge(vm))
		return false;
	ret = denali_mem_fault(&vm->mem, exit->gpa);
	switch (ret) {
	case 0:
		vm->stats.pages_faulted++;
		return true;
	case -EFAULT:
		denali_vm_crash(vm, "memory access outside the VM at %#llx",
				exit->gpa);
		break;
	case -ENOMEM:
		denali_vm_crash(vm, "out of memory mapping %#llx", exit->gpa);
		break;
	default:
		denali_vm_crash(vm, "cannot map guest page %#llx (error %d)",
				exit->gpa, ret);
		break;
	}
	return false;
}

/* The loop switches the FPU from the next entry on; only counted here. */
static bool run_exit_fpu(struct denali_vm *vm, const struct denali_exit *exit)
{
	vm->stats.fpu_loads++;
	return true;
}

static bool run_exit_crash(struct denali_vm *vm,
			   const struct denali_exit *exit)
{
	denali_vm_crash(vm, "%s", exit->reason);
	return false;
}

static bool (*const run_exit_handlers[])(struct denali_vm *vm,
					  const struct denali_exit *exit) = {
	[DENALI_EXIT_NONE]	= run_exit_host,
	[DENALI_EXIT_HYPERCALL]	= run_exit_hypercall,
	[DENALI_EXIT_MEM_FAULT]	= run_exit_mem_fault,
	[DENALI_EXIT_FPU]	= run_exit_fpu,
	[DENALI_EXIT_CRASH]	= run_exit_crash,
};

bool denali_run_handle_exit(struct denali_vm *vm,
			    const struct denali_exit *exit)
{
	/* A kind without a handler takes the VM off its CPU. */
	if (exit->kind >= ARRAY_SIZE(run_exit_handlers) ||
	    !run_exit_handlers[exit->kind])
		return false;
	return run_exit_handlers[exit->kind](vm, exit);
}

void denali_run_slice(struct denali_vm *vm, u64 deadline,
		      const bool *end_slice)
{
	struct denali_exit exit;
	bool stay = true, fpu = false;

	denali_backend->vcpu_load(vm->vcpu);
	while (stay && !READ_ONCE(vm->stop) && !READ_ONCE(*end_slice)) {
		u64 start = ktime_get_ns(), now;

		denali_irq_deliver(vm);
		if (fpu)
			denali_fpu_enter(vm->fpu);
		denali_backend->run(vm->vcpu, fpu, &exit);
		if (fpu)
			denali_fpu_leave(vm->fpu);

		now = ktime_get_ns();
		vm->stats.cpu_ns += now - start;
		vm->stats.exits++;
		trace_denali_vm_exit(vm->id, &exit);
		/* Once used, the FPU is switched at each entry of this slice. */
		if (exit.kind == DENALI_EXIT_FPU)
			fpu = true;
		stay = denali_run_handle_exit(vm, &exit);
		if (now >= deadline || need_resched() || kthread_should_stop())
			break;
	}
	denali_backend->vcpu_put(vm->vcpu);
}
