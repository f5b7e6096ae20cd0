/* SPDX-License-Identifier: MIT */
/*
 * IRET to virtual-8086 mode, then take upcalls there. Leaving vm86 for
 * the ring-0 upcall gate goes through the TSS in TR, which the guest
 * never loaded; the kernel must crash the VM (or deliver the upcall),
 * never let the emulator or the host trip over it. vm86 code is a
 * "jmp ." below 1 MiB, where the image lives.
 */
#include "hostile.h"

#define EFLAGS_VM	(1U << 17)
#define EFLAGS_IF	(1U << 9)

static uint8_t code16[16] __attribute__((aligned(16))) = { 0xeb, 0xfe };
static uint8_t stack16[1024] __attribute__((aligned(16)));

static void tick(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	denali_timer_set(1000);
}

int main(void)
{
	uint32_t code = (uint32_t)(unsigned long)code16;
	uint32_t seg = (uint32_t)(unsigned long)stack16 >> 4;

	denali_irq_register(DENALI_IRQ_TIMER, tick, NULL);
	denali_timer_set(1000);
	denali_irq_enable();
	printf("vm86: iret to virtual-8086 mode at %04x:%04x\n",
	       (unsigned int)(code >> 4), (unsigned int)(code & 15));
	/* The vm86 frame: GS, FS, DS, ES, SS, ESP, EFLAGS, CS, EIP. */
	asm volatile("push %[seg]\n\t"
		     "push %[seg]\n\t"
		     "push %[seg]\n\t"
		     "push %[seg]\n\t"
		     "push %[seg]\n\t"
		     "push %[sp]\n\t"
		     "push %[fl]\n\t"
		     "push %[cs]\n\t"
		     "push %[ip]\n\t"
		     "iret"
		     : : [seg] "r" (seg), [sp] "i" (sizeof(stack16) - 16),
		       [fl] "i" (EFLAGS_VM | EFLAGS_IF | 2),
		       [cs] "r" (code >> 4), [ip] "r" (code & 15)
		     : "memory");
	return 1;
}
