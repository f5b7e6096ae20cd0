/* SPDX-License-Identifier: MIT */
/*
 * Far control transfers through descriptors of the guest's own GDT
 * whose base puts the target outside memory, by via=: "jmp" a far jump
 * to a code segment based at mem_size, "call" a far call through a
 * segment based at 4 GiB - 4096 with an offset whose linear address
 * wraps past 4 GiB to mem_size, "ret" a far return there, "ds" a data segment based at mem_size
 * then a load through it. Each must crash the VM with a memory reason.
 */
#include "hostile.h"

#define SEL_OUT	0x28	/* hostile_gdt[5] */

/* A flat-limit descriptor of the given type byte at base. */
static uint64_t descriptor(uint32_t base, uint8_t type)
{
	return 0x00cf00000000ffffULL | (uint64_t)type << 40 |
	       (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)(base >> 24) << 56;
}

int main(void)
{
	uint32_t mem = hostile_mem_size();
	struct { uint32_t off; uint16_t sel; } __attribute__((packed)) far;

	far.sel = SEL_OUT;
	far.off = 0;
	if (hostile_is("via", "ds")) {
		hostile_gdt[5] = descriptor(mem, 0x93);
		hostile_load_gdt();
		printf("farjump: load through a segment based at %#x\n",
		       (unsigned int)mem);
		asm volatile("mov %0, %%fs; movl %%fs:0, %%eax"
			     : : "r" (SEL_OUT) : "eax", "memory");
	} else if (hostile_is("via", "call") || hostile_is("via", "ret")) {
		/* Base + offset wraps past 4 GiB to exactly mem_size. */
		hostile_gdt[5] = descriptor(0xfffff000U, 0x9b);
		hostile_load_gdt();
		far.off = 0x1000 + mem;
		printf("farjump: far %s to %#x:%#x\n",
		       hostile_is("via", "ret") ? "ret" : "call",
		       SEL_OUT, (unsigned int)far.off);
		if (hostile_is("via", "ret"))
			asm volatile("push %0; push %1; lret"
				     : : "r" ((uint32_t)SEL_OUT),
				       "r" (far.off) : "memory");
		else
			asm volatile("lcall *%0" : : "m" (far) : "memory");
	} else {
		hostile_gdt[5] = descriptor(mem, 0x9b);
		hostile_load_gdt();
		printf("farjump: far jmp to a segment based at %#x\n",
		       (unsigned int)mem);
		asm volatile("ljmp *%0" : : "m" (far) : "memory");
	}
	printf("farjump: came back\n");
	return 1;
}
