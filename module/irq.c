// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual interrupts, as Denali batches them: a source sets a bit in the
 * VM's raised mask (vm->irq_raised, in the kernel's own memory, so that
 * a swapped-out VM can be raised too) and wakes the VM if it idles;
 * nothing preempts a running VM. At each entry the runner moves the
 * raised bits to the pending mask in the virtual registers; when
 * vregs.irq_enabled is set it injects one upcall and clears the flag,
 * and the guest takes every pending bit at once. irq_mode=sync instead
 * makes the raised VM run next, at once, as the paper's comparison did.
 */
#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/denali_abi.h>

#include "irq.h"
#include "sched.h"
#include "trace.h"
#include "vm.h"

static bool irq_sync;

static int irq_mode_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "batched"))
		WRITE_ONCE(irq_sync, false);
	else if (sysfs_streq(val, "sync"))
		WRITE_ONCE(irq_sync, true);
	else
		return -EINVAL;
	return 0;
}

static int irq_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(irq_sync) ? "sync" : "batched");
}

static const struct kernel_param_ops irq_mode_ops = {
	.set = irq_mode_set,
	.get = irq_mode_get,
};
module_param_cb(irq_mode, &irq_mode_ops, NULL, 0644);
MODULE_PARM_DESC(irq_mode, "Interrupt delivery: batched (when the VM next runs) or sync (switch to it at once)");

bool denali_irq_sync(void)
{
	return READ_ONCE(irq_sync);
}

bool denali_irq_deliverable(u32 enabled, u32 pending)
{
	return enabled && pending;
}

u32 denali_irq_merge(u32 pending, unsigned int bit)
{
	return pending | BIT(bit);
}

bool denali_irq_wakes(enum denali_vm_state state)
{
	return state == DENALI_VM_IDLE;
}

bool denali_irq_may_idle(u32 pending)
{
	/* Idling ends when an interrupt is pending: it already is. */
	return !pending;
}

/*
 * The guest changes the word with locked instructions too, so the kernel
 * sets bits atomically: atomic_t is a plain 32-bit word on x86.
 */
static atomic_t *irq_pending_word(struct denali_vm *vm)
{
	BUILD_BUG_ON(sizeof(atomic_t) != sizeof(vm->vregs->irq_pending));
	return (atomic_t *)&vm->vregs->irq_pending;
}

/*
 * Bits pending in the virtual registers or raised since the last entry;
 * the VM must be resident.
 */
static u32 irq_pending(struct denali_vm *vm)
{
	return READ_ONCE(vm->vregs->irq_pending) |
	       (u32)atomic_read(&vm->irq_raised);
}

void denali_irq_raise(struct denali_vm *vm, unsigned int bit)
{
	unsigned long flags;

	atomic_or(denali_irq_merge(0, bit), &vm->irq_raised);
	trace_denali_irq_raise(vm->id, bit);

	/* Under vm->lock the idle hypercall either sees the bit or idles first. */
	spin_lock_irqsave(&vm->lock, flags);
	vm->stats.irqs_raised++;
	if (denali_irq_wakes(vm->state))
		denali_sched_wake(vm);
	if (denali_irq_sync() && vm->state == DENALI_VM_RUNNING)
		denali_sched_hurry(vm);
	spin_unlock_irqrestore(&vm->lock, flags);
}

bool denali_irq_idle(struct denali_vm *vm, u32 usec)
{
	unsigned long flags;
	bool stay;

	spin_lock_irqsave(&vm->lock, flags);
	/*
	 * Under vm->lock, so that a raise either shows here or wakes it.
	 * One pending already goes in at the next entry, if enabled.
	 */
	stay = !denali_irq_may_idle(irq_pending(vm));
	if (!stay)
		denali_sched_idle(vm, usec);
	spin_unlock_irqrestore(&vm->lock, flags);
	return stay;
}

static enum hrtimer_restart irq_timer_fn(struct hrtimer *timer)
{
	struct denali_vm *vm = container_of(timer, struct denali_vm, irq_timer);

	denali_irq_raise(vm, DENALI_IRQ_TIMER);
	return HRTIMER_NORESTART;
}

void denali_irq_vm_init(struct denali_vm *vm)
{
	hrtimer_init(&vm->irq_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	vm->irq_timer.function = irq_timer_fn;
}

void denali_irq_vm_stop(struct denali_vm *vm)
{
	hrtimer_cancel(&vm->irq_timer);
}

void denali_irq_timer_set(struct denali_vm *vm, u32 usec)
{
	if (!usec) {
		hrtimer_cancel(&vm->irq_timer);
		return;
	}
	/* Starting an armed timer moves it: re-arming replaces. */
	hrtimer_start(&vm->irq_timer, ns_to_ktime((u64)usec * NSEC_PER_USEC),
		      HRTIMER_MODE_REL);
}

void denali_irq_deliver(struct denali_vm *vm)
{
	struct denali_vregs *vregs = vm->vregs;

	if (atomic_read(&vm->irq_raised))
		atomic_or(atomic_xchg(&vm->irq_raised, 0),
			  irq_pending_word(vm));

	if (!denali_irq_deliverable(READ_ONCE(vregs->irq_enabled),
				    READ_ONCE(vregs->irq_pending)))
		return;
	/* An event being delivered again goes first; retry at the next entry. */
	if (!denali_backend->inject_upcall(vm->vcpu, DENALI_UPCALL_VECTOR))
		return;
	/* As an interrupt gate clears IF; the guest sets it again. */
	WRITE_ONCE(vregs->irq_enabled, 0);
	vm->stats.upcalls++;
	trace_denali_irq_deliver(vm->id, READ_ONCE(vregs->irq_pending));
}
