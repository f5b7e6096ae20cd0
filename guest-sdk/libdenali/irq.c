/* SPDX-License-Identifier: MIT */
/*
 * Virtual interrupts: the C side of the upcall, handler registration,
 * and the enable flag.
 */
#include <stddef.h>
#include <string.h>
#include <denali.h>
#include "irq.h"

_Static_assert(DENALI_VREGS_ADDR + offsetof(struct denali_vregs,
					    irq_enabled) ==
	       UPCALL_VREGS_IRQ_ENABLED, "irq.h and the ABI disagree");
_Static_assert(DENALI_HYPERCALL_ADDR == UPCALL_HYPERCALL_ADDR,
	       "irq.h and the ABI disagree");
_Static_assert(DENALI_HC_IDLE == UPCALL_HC_IDLE, "irq.h and the ABI disagree");

#define EINVAL		22

struct irq_action {
	denali_irq_handler_t handler;
	void *arg;
};

static struct irq_action irq_actions[DENALI_IRQS];
static struct denali_irq_stats irq_stats;

int denali_irq_register(unsigned int irq, denali_irq_handler_t handler,
			void *arg)
{
	int was;

	if (irq >= DENALI_IRQS)
		return -EINVAL;
	/* An upcall must never see the new handler with the old arg. */
	was = denali_irq_save();
	irq_actions[irq].handler = handler;
	irq_actions[irq].arg = arg;
	denali_irq_restore(was);
	return 0;
}

void denali_irq_enable(void)
{
	volatile struct denali_vregs *vr = denali_vregs_rw();

	vr->irq_enabled = 1;
	asm volatile("" : : : "memory");
	/*
	 * The kernel delivers only at VM entry: without an exit, bits
	 * raised while upcalls were off would wait for the next preemption.
	 * A yield is an exit, and the entry after it delivers them.
	 */
	if (vr->irq_pending)
		denali_idle(0);
}

void denali_irq_stats(struct denali_irq_stats *stats)
{
	int was = denali_irq_save();

	memcpy(stats, &irq_stats, sizeof(*stats));
	denali_irq_restore(was);
}

static uint32_t take_pending(void)
{
	volatile struct denali_vregs *vr = denali_vregs_rw();
	uint32_t bits = 0;

	/* One atomic exchange: a bit the kernel sets meanwhile is not lost. */
	asm volatile("xchgl %0, %1"
		     : "+r" (bits), "+m" (vr->irq_pending) : : "memory");
	return bits;
}

void __denali_upcall(struct denali_upcall_frame *f)
{
	uint32_t bits = take_pending();

	irq_stats.upcalls++;
	if (!bits) {
		irq_stats.empty++;
		return;
	}

	/*
	 * Interrupted between enabling upcalls and idling in
	 * denali_irq_idle(): the handlers below may make the idle wrong
	 * (a thread became runnable), so skip it, as if it had returned 0.
	 */
	if (f->eip == (uint32_t)__denali_idle_call) {
		f->eip = (uint32_t)__denali_idle_done;
		f->eax = 0;
	} else if (f->eip == DENALI_HYPERCALL_ADDR &&
		   *(uint32_t *)(&f->eflags + 1) ==
		   (uint32_t)__denali_idle_done) {
		f->eip = (uint32_t)__denali_idle_skip;
		f->eax = 0;
	}

	while (bits) {
		unsigned int irq = __builtin_ctz(bits);
		struct irq_action *a = &irq_actions[irq];

		bits &= bits - 1;
		irq_stats.irqs[irq]++;
		if (a->handler)
			a->handler(irq, a->arg);
		else
			irq_stats.unhandled++;
	}
}
