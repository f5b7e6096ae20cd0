/* SPDX-License-Identifier: MIT */
/*
 * Instruction fetch at the edge: a NOP in the last byte of memory, then
 * the fetch runs off the end (at=end); or a jump to 4 GiB - 1 (at=top),
 * inside the flat code segment, so only the kernel can stop it. Each
 * must crash the VM.
 */
#include "hostile.h"

int main(void)
{
	uint32_t mem = hostile_mem_size(), target;

	if (hostile_is("at", "top")) {
		target = 0xffffffffU;
	} else {
		*(volatile uint8_t *)(unsigned long)(mem - 1) = 0x90;
		target = mem - 1;
	}
	printf("memfetch: jumping to %#x\n", (unsigned int)target);
	asm volatile("jmp *%0" : : "r" (target));
	return 1;
}
