/* SPDX-License-Identifier: MIT */
/*
 * Exceptions with no IDT (limit 0, as at entry), by vec=: "de" divide
 * error, "ud" UD2, "bp" INT3, "int" INT 0x80, "gp" a bad selector,
 * "upcall" an upcall enabled and pending. Each has nowhere to go: the
 * kernel must see the triple fault and crash the VM, not loop on it.
 */
#include "hostile.h"

int main(void)
{
	const char *v = hostile_arg("vec");
	uint32_t a = 1;

	printf("noidt: %s without an IDT\n", v ? v : "de");
	if (hostile_is("vec", "upcall")) {
		denali_timer_set(1000);
		denali_irq_enable();
	}
	hostile_lidt(0, 0);
	if (hostile_is("vec", "ud"))
		asm volatile("ud2");
	else if (hostile_is("vec", "bp"))
		asm volatile("int3");
	else if (hostile_is("vec", "int"))
		asm volatile("int $0x80");
	else if (hostile_is("vec", "gp"))
		asm volatile("mov %0, %%ds" : : "r" (0x38) : "memory");
	else if (hostile_is("vec", "upcall"))
		for (;;)
			asm volatile("pause");
	else
		asm volatile("div %%ecx" : "+a" (a) : "c" (0) : "edx");
	printf("noidt: went through\n");
	return 1;
}
