/* SPDX-License-Identifier: MIT */
/*
 * Reads at the edge of guest memory. The last byte (mem_size - 1) is the
 * guest's and must read back; then, by at=: "end" reads the byte at
 * mem_size, "straddle" a dword whose last byte is mem_size, "top" the
 * byte at 4 GiB - 1 (inside the flat segment, so no #GP: only the kernel
 * can stop it). Each must crash the VM with a memory reason.
 */
#include "hostile.h"

int main(void)
{
	uint32_t mem = hostile_mem_size(), addr, v;

	v = *(volatile uint8_t *)(unsigned long)(mem - 1);
	printf("memread: last byte %#x ok\n", (unsigned int)v);
	if (hostile_is("at", "straddle")) {
		addr = mem - 3;
		printf("memread: dword at %#x\n", (unsigned int)addr);
		v = *(volatile uint32_t *)(unsigned long)addr;
	} else {
		addr = hostile_is("at", "top") ? 0xffffffffU : mem;
		printf("memread: byte at %#x\n", (unsigned int)addr);
		v = *(volatile uint8_t *)(unsigned long)addr;
	}
	printf("memread: read %#x outside memory\n", (unsigned int)v);
	return 1;
}
