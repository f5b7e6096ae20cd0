/* SPDX-License-Identifier: MIT */
/*
 * The long-mode route: EFER.LME through WRMSR (and with step=pae, CR4.PAE
 * first), then CR0.PG. Every step is forbidden; the first one must crash
 * the VM, whatever the host's own EFER holds.
 */
#include "hostile.h"

#define MSR_EFER	0xc0000080
#define EFER_LME	(1U << 8)

int main(void)
{
	unsigned long cr;

	if (hostile_is("step", "pae")) {
		printf("longmode: setting CR4.PAE\n");
		asm volatile("mov %%cr4, %0; or $0x20, %0; mov %0, %%cr4"
			     : "=&r" (cr) : : "memory");
	}
	printf("longmode: writing EFER.LME\n");
	/* Written blind: RDMSR is forbidden too, and would crash first. */
	asm volatile("wrmsr" : : "c" (MSR_EFER), "a" (EFER_LME), "d" (0));
	printf("longmode: setting CR0.PG\n");
	asm volatile("mov %%cr0, %0; or $0x80000000, %0; mov %0, %%cr0"
		     : "=&r" (cr) : : "memory");
	printf("longmode: still running\n");
	return 1;
}
