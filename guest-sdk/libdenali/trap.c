/* SPDX-License-Identifier: MIT */
/*
 * CPU exceptions in the guest: say what happened and where, then end the
 * VM with exit code DENALI_EXIT_EXCEPTION + vector, so a buggy guest
 * reports itself instead of spinning or triple-faulting.
 */
#include <stdio.h>
#include <denali.h>
#include "trap.h"

static const char *const trap_names[DENALI_TRAP_VECTORS] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD error",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security",
};

static int in_trap;

void __denali_trap(struct denali_trap_frame *f)
{
	unsigned int vec = f->vector;
	const char *name = vec < DENALI_TRAP_VECTORS ? trap_names[vec] : NULL;

	/* A fault while reporting one: just leave. */
	if (in_trap++)
		denali_terminate(DENALI_EXIT_EXCEPTION + vec);

	/* Error code bit 1: the fault came from loading an IDT gate. */
	if ((vec == 11 || vec == 13) && (f->error & 2))
		printf("denali: interrupt vector %u has no handler\n",
		       f->error >> 3);
	printf("denali: exception %u (%s) at eip %08x, error code %x\n"
	       "denali: eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x ebp %08x esp %08x eflags %08x\n",
	       vec, name ? name : "reserved", f->eip, f->error,
	       f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp,
	       (uint32_t)&f->eflags + 4, f->eflags);
	denali_terminate(DENALI_EXIT_EXCEPTION + vec);
}
