// SPDX-License-Identifier: GPL-2.0
/*
 * The execution layer's part in each VM's life: what the run queue, the
 * gatekeeper, the interrupt timers and the pager set up and give back
 * as the VM object (vm.c) creates, starts, stops and frees a VM.
 */
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/denali_abi.h>

#include "exec.h"
#include "gate.h"
#include "irq.h"
#include "sched.h"
#include "swap.h"

static void exec_vm_init(struct denali_vm *vm)
{
	denali_sched_vm_init(vm);
	denali_irq_vm_init(vm);
}

static bool exec_vm_off_cpu(struct denali_vm *vm)
{
	unsigned long flags;
	bool off;

	spin_lock_irqsave(&vm->lock, flags);
	off = !vm->on_runqueue;
	spin_unlock_irqrestore(&vm->lock, flags);
	return off;
}

static void exec_vm_finish(struct denali_vm *vm)
{
	/*
	 * Stopped while idle, it still holds what only running needs; the
	 * shrinker may be swapping it out already.
	 */
	do {
		wait_event(vm->off_cpu, exec_vm_off_cpu(vm));
	} while (denali_swap_out_now(vm) == -EBUSY);
	/* Off its CPU for good, the guest can no longer arm them. */
	denali_sched_cancel_idle(vm);
	denali_irq_vm_stop(vm);
	denali_gate_remove(vm);
	denali_gate_release(vm);
}

static void exec_vm_release(struct denali_vm *vm)
{
	/* Stopped already unless creation failed; then it was never armed. */
	denali_irq_vm_stop(vm);
	/* Swapped out when it ended; nobody can own it any more. */
	if (WARN_ON(vm->resident))
		denali_swap_out(vm);
	/* The shrinker skips a VM without references, but not a freed one. */
	denali_swap_lru_del(vm);
}

static void exec_console_input(struct denali_console *con)
{
	struct denali_vm *vm = container_of(con, struct denali_vm, console);

	denali_irq_raise(vm, DENALI_IRQ_CONSOLE);
}

const struct denali_vm_ops denali_exec_vm_ops = {
	.may_create = denali_gate_may_create,
	.init = exec_vm_init,
	.submit = denali_gate_submit,
	.dequeue_locked = denali_sched_dequeue,
	.finish = exec_vm_finish,
	.ended = denali_gate_release,
	.release = exec_vm_release,
	.console_input = exec_console_input,
};
