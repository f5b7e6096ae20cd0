/* SPDX-License-Identifier: MIT */
/*
 * Writes at the edge of guest memory: mem_size - 1 must work, then by
 * at=: "end" the byte at mem_size, "straddle" a dword over the end,
 * "top" the byte at 4 GiB - 1, "wide" an 8-byte MOVQ (SSE) over the end.
 * Each must crash the VM with a memory reason and change nothing.
 */
#include "hostile.h"

int main(void)
{
	uint32_t mem = hostile_mem_size(), addr;

	*(volatile uint8_t *)(unsigned long)(mem - 1) = 0x5a;
	printf("memwrite: last byte ok\n");
	if (hostile_is("at", "straddle")) {
		addr = mem - 2;
		printf("memwrite: dword at %#x\n", (unsigned int)addr);
		*(volatile uint32_t *)(unsigned long)addr = 0xdeadbeef;
	} else if (hostile_is("at", "wide")) {
		addr = mem - 4;
		printf("memwrite: movq at %#x\n", (unsigned int)addr);
		asm volatile("pxor %%xmm0, %%xmm0; movq %%xmm0, (%0)"
			     : : "r" (addr) : "memory");
	} else {
		addr = hostile_is("at", "top") ? 0xffffffffU : mem;
		printf("memwrite: byte at %#x\n", (unsigned int)addr);
		*(volatile uint8_t *)(unsigned long)addr = 0xa5;
	}
	printf("memwrite: wrote outside memory\n");
	return 1;
}
