/* SPDX-License-Identifier: MIT */
#ifndef _DENALI_TRAP_H
#define _DENALI_TRAP_H

#include <stdint.h>

#define DENALI_TRAP_CS		0x08	/* crt0's code segment */
#define DENALI_TRAP_VECTORS	32	/* CPU exceptions */

/* What crt0's stubs leave on the stack; see __denali_trap_common. */
struct denali_trap_frame {
	uint32_t edi, esi, ebp, esp_pushal, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;	/* pushed by the CPU */
};

extern const uint32_t __denali_trap_stubs[DENALI_TRAP_VECTORS];

void __denali_trap(struct denali_trap_frame *f);

#endif /* _DENALI_TRAP_H */
