/* SPDX-License-Identifier: MIT */
/*
 * What runs between crt0 and main(): the IDT (CPU exceptions and the
 * upcall), a check that this is the Denali machine we were built for,
 * constructors, and the exit.
 */
#include <stdio.h>
#include <denali.h>
#include "irq.h"
#include "trap.h"

int main(void);
void __denali_start(uint32_t boot_magic) __attribute__((noreturn));

extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_hi;
} __attribute__((packed));

struct idt_desc {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

#define IDT_VECTORS		256
#define GATE_INTR32		0x8e	/* present, DPL 0, 32-bit intr gate */

/*
 * All 256 gates, so a later interrupt handler only has to fill its own.
 * Vectors without a handler are not present: delivering one raises #NP,
 * which the exception handler reports with the vector's number.
 */
static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(8)));

static void set_gate(unsigned int vec, uint32_t handler)
{
	idt[vec].offset_lo = handler & 0xffff;
	idt[vec].selector = DENALI_TRAP_CS;
	idt[vec].zero = 0;
	idt[vec].type = GATE_INTR32;
	idt[vec].offset_hi = handler >> 16;
}

static void install_idt(void)
{
	struct idt_desc desc;
	unsigned int vec;

	for (vec = 0; vec < DENALI_TRAP_VECTORS; vec++)
		set_gate(vec, __denali_trap_stubs[vec]);
	set_gate(DENALI_UPCALL_VECTOR, (uint32_t)__denali_upcall_entry);
	desc.limit = sizeof(idt) - 1;
	desc.base = (uint32_t)idt;
	asm volatile("lidt %0" : : "m" (desc) : "memory");
}

void __denali_start(uint32_t boot_magic)
{
	const volatile struct denali_vregs *vr = denali_vregs();
	void (**ctor)(void);

	install_idt();

	if (boot_magic != DENALI_BOOT_MAGIC || vr->magic != DENALI_ABI_MAGIC ||
	    vr->abi_version < DENALI_ABI_VERSION) {
		printf("denali: bad boot state: eax %08x, vregs magic %08x, abi version %u (want %u)\n",
		       boot_magic, vr->magic, vr->abi_version,
		       DENALI_ABI_VERSION);
		denali_terminate(DENALI_EXIT_BAD_BOOT);
	}

	for (ctor = __init_array_start; ctor < __init_array_end; ctor++)
		(*ctor)();

	denali_terminate(main());
}
