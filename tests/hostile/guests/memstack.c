/* SPDX-License-Identifier: MIT */
/*
 * The stack at the edge of memory. A push with ESP = mem_size writes the
 * last dword and must work; then, by at=: "end" pushes with ESP =
 * mem_size + 4 (writes at mem_size), "zero" with ESP = 0 (wraps to
 * 4 GiB - 4), "hcall" calls the hypercall page with ESP = 0, so the
 * return address itself goes outside memory. Each must crash the VM.
 */
#include "hostile.h"

static volatile uint32_t saved_esp;

int main(void)
{
	uint32_t mem = hostile_mem_size(), esp;

	asm volatile("mov %%esp, %0; mov %1, %%esp; push $0x11223344; "
		     "mov %0, %%esp"
		     : "=&r" (saved_esp) : "r" (mem) : "memory");
	printf("memstack: push at the top ok\n");
	esp = hostile_is("at", "end") ? mem + 4 : 0;
	printf("memstack: ESP %#x\n", (unsigned int)esp);
	if (hostile_is("at", "hcall"))
		asm volatile("mov %0, %%esp; mov %1, %%eax; xor %%ebx, %%ebx; "
			     "call *%2"
			     : : "r" (esp), "i" (DENALI_HC_TERMINATE),
			       "r" (DENALI_HYPERCALL_ADDR)
			     : "eax", "ebx", "memory");
	else
		asm volatile("mov %0, %%esp; push $0x55667788"
			     : : "r" (esp) : "memory");
	asm volatile("mov %0, %%esp" : : "m" (saved_esp));
	printf("memstack: pushed outside memory\n");
	return 1;
}
