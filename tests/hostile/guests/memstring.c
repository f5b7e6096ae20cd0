/* SPDX-License-Identifier: MIT */
/*
 * String instructions that start inside memory and cross out of it,
 * by op=: "movs" copies 64 bytes to mem_size - 16, "stos" stores 16
 * dwords from mem_size - 8, "cmps" compares up to 64 bytes from
 * mem_size - 8 with a zero buffer (memory there is zero: it runs on),
 * "down" stores backwards from address 3 with DF set, wrapping below 0
 * to 4 GiB - 1, "outs" (forbidden I/O) writes a port from the last
 * byte. Each must crash the VM after the first iterations.
 */
#include "hostile.h"

static uint8_t src[64];

int main(void)
{
	uint32_t mem = hostile_mem_size(), a, c;

	printf("memstring: %s across the end\n",
	       hostile_arg("op") ? hostile_arg("op") : "movs");
	if (hostile_is("op", "stos")) {
		a = mem - 8;
		c = 16;
		asm volatile("rep stosl" : "+D" (a), "+c" (c)
			     : "a" (0xcccccccc) : "memory");
	} else if (hostile_is("op", "cmps")) {
		a = mem - 8;
		c = 64;
		asm volatile("mov %2, %%esi; repe cmpsb"
			     : "+D" (a), "+c" (c) : "r" (src)
			     : "esi", "cc", "memory");
	} else if (hostile_is("op", "down")) {
		a = 3;
		c = 8;
		asm volatile("std; rep stosb; cld" : "+D" (a), "+c" (c)
			     : "a" (0) : "memory");
	} else if (hostile_is("op", "outs")) {
		a = mem - 1;
		asm volatile("outsb" : "+S" (a) : "d" (0x80) : "memory");
	} else {
		a = mem - 16;
		c = 64;
		asm volatile("mov %2, %%esi; rep movsb"
			     : "+D" (a), "+c" (c) : "r" (src)
			     : "esi", "memory");
	}
	printf("memstring: went through, stopped at %#x\n", (unsigned int)a);
	return 1;
}
