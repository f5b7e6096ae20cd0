/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables that point outside memory, by table=: "gdt" a GDT
 * based 8 bytes below mem_size, then a segment load reads a descriptor
 * past the end; "idt" an IDT based at mem_size, then INT3 reads its
 * gate there; "idtwrap" an IDT based at 4 GiB - 8, so gate 3 wraps to
 * low memory (the vregs: no valid gate); "tss" a TSS descriptor based at
 * mem_size loaded with LTR, then from ring 3 an INT through a DPL 3 gate,
 * whose stack switch reads ESP0 from that TSS; "ldt" an LDT based at
 * mem_size and a load through it. LGDT and LIDT themselves read nothing
 * and are allowed: the loads after them must crash the VM.
 */
#include "hostile.h"

static uint64_t descriptor(uint32_t base, uint16_t limit, uint8_t type)
{
	return (uint64_t)limit | (uint64_t)type << 40 |
	       (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)(base >> 24) << 56;
}

static struct hostile_gate idt[256] __attribute__((aligned(8)));
static uint8_t stack3[1024] __attribute__((aligned(16)));

static void __attribute__((noreturn, used)) ring3_int(void)
{
	asm volatile("int $0x80");
	for (;;)
		asm volatile("pause");
}

/* Never reached: the gate's stack switch must crash the VM first. */
static void __attribute__((used)) gate(void)
{
	printf("desctab: went through\n");
	denali_terminate(1);
}

int main(void)
{
	uint32_t mem = hostile_mem_size();
	const char *t = hostile_arg("table");

	printf("desctab: %s outside memory\n", t ? t : "gdt");
	if (hostile_is("table", "idt")) {
		hostile_lidt(mem, 0x7ff);
		asm volatile("int3");
	} else if (hostile_is("table", "idtwrap")) {
		hostile_lidt(0xfffffff8U, 0x7ff);
		asm volatile("int3");
	} else if (hostile_is("table", "tss")) {
		hostile_gdt[5] = descriptor(mem, 0x67, 0x89);
		hostile_load_gdt();
		asm volatile("ltr %w0" : : "r" (0x28));
		hostile_set_gate(idt, 0x80, gate, HOSTILE_GATE_INTR3);
		hostile_lidt((uint32_t)(unsigned long)idt, sizeof(idt) - 1);
		printf("desctab: LTR done, INT from ring 3\n");
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
			       [cs] "i" (HOSTILE_CS3), [ip] "i" (ring3_int)
			     : "eax", "memory");
	} else if (hostile_is("table", "ldt")) {
		hostile_gdt[5] = descriptor(mem, 0xfff, 0x82);
		hostile_load_gdt();
		/* Selector 4 of the LDT, TI set. */
		asm volatile("lldt %w0; mov %1, %%fs"
			     : : "r" (0x28), "r" (0x24) : "memory");
	} else {
		hostile_lgdt(mem - 8, 0xffff);
		asm volatile("mov %0, %%fs" : : "r" (HOSTILE_DS) : "memory");
	}
	printf("desctab: went through\n");
	return 1;
}
