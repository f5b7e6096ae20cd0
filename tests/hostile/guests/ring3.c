/* SPDX-License-Identifier: MIT */
/*
 * IRET to ring 3, then take upcalls there. An interrupt from ring 3 to a
 * ring-0 gate switches stacks through the task register, which the guest
 * never loaded: the CPU reads the TSS the backend put in TR. Whatever it
 * finds, the kernel must crash this VM (or deliver the upcall), never
 * let the emulator or the host trip over it. The timer fires every
 * millisecond; ring 3 spins.
 */
#include "hostile.h"

static uint8_t stack3[4096] __attribute__((aligned(16)));
static volatile unsigned long upcalls;

static void tick(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	upcalls++;
	denali_timer_set(1000);
}

static void __attribute__((noreturn, used)) ring3_main(void)
{
	for (;;)
		asm volatile("pause");
}

int main(void)
{
	hostile_load_gdt();
	denali_irq_register(DENALI_IRQ_TIMER, tick, NULL);
	denali_timer_set(1000);
	denali_irq_enable();
	printf("ring3: iret to ring 3\n");
	asm volatile("push %[ss]\n\t"
		     "push %[sp]\n\t"
		     "pushf\n\t"
		     "push %[cs]\n\t"
		     "push %[ip]\n\t"
		     "mov %[ss], %%eax\n\t"
		     "mov %%eax, %%ds\n\t"
		     "mov %%eax, %%es\n\t"
		     "iret"
		     : : [ss] "i" (HOSTILE_DS3),
		       [sp] "r" (stack3 + sizeof(stack3)),
		       [cs] "i" (HOSTILE_CS3), [ip] "i" (ring3_main)
		     : "eax", "memory");
	return 1;
}
