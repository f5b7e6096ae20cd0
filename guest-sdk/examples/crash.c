/* SPDX-License-Identifier: MIT */
/*
 * Triple-faults on purpose: with an empty IDT, #UD cannot be delivered,
 * nor can the #GP and #DF that follow, so the CPU shuts down and the
 * kernel must mark the VM crashed.
 */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	printf("crash: about to triple-fault\n");
	/* libdenali installed an IDT that would report #UD and exit. */
	asm volatile("lidt %0\n\tud2" : : "m" (empty));
	return 1;		/* not reached */
}
