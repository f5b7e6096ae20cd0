/* SPDX-License-Identifier: MIT */
#ifndef _DENALI_IRQ_H
#define _DENALI_IRQ_H

/*
 * What upcall.S needs of <linux/denali_abi.h>, which the assembler
 * cannot read (enums, structs); irq.c checks that the two agree.
 */
#define UPCALL_VREGS_IRQ_ENABLED	40	/* address of irq_enabled */
#define UPCALL_HYPERCALL_ADDR		0x1000
#define UPCALL_HC_IDLE			2

#ifndef __ASSEMBLER__
#include <stdint.h>

/* What __denali_upcall_entry leaves on the stack. */
struct denali_upcall_frame {
	uint32_t edi, esi, ebp, esp_pushal, ebx, edx, ecx, eax;
	uint32_t eip, cs, eflags;	/* pushed by the CPU */
};

void __denali_upcall_entry(void);
void __denali_upcall(struct denali_upcall_frame *f);

/* Labels inside denali_irq_idle (upcall.S). */
extern const char __denali_idle_call[], __denali_idle_done[],
	__denali_idle_skip[];

#endif /* __ASSEMBLER__ */

#endif /* _DENALI_IRQ_H */
