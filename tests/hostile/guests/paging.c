/* SPDX-License-Identifier: MIT */
/*
 * Turns paging on: sets CR0.PG (and, with step=pse, CR4.PSE first).
 * Paging is off in ABI version 1 so that a VM cannot remap its own
 * physical addresses; the kernel must crash the VM at the first write,
 * not emulate it and not run on with paging half set up, nor deliver
 * its timer upcalls in the new mode.
 */
#include "hostile.h"

static void tick(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	denali_timer_set(1000);
}

int main(void)
{
	unsigned long cr;

	/*
	 * Upcalls every millisecond: were a step let through, the next
	 * entry would deliver one in the new mode.
	 */
	denali_irq_register(DENALI_IRQ_TIMER, tick, NULL);
	denali_timer_set(1000);
	denali_irq_enable();

	if (hostile_is("step", "pse")) {
		printf("paging: setting CR4.PSE\n");
		asm volatile("mov %%cr4, %0; or $0x10, %0; mov %0, %%cr4"
			     : "=&r" (cr) : : "memory");
	}
	printf("paging: setting CR0.PG\n");
	asm volatile("mov %%cr0, %0; or $0x80000000, %0; mov %0, %%cr0"
		     : "=&r" (cr) : : "memory");
	printf("paging: still running with CR0 %#lx\n", cr);
	return 1;
}
