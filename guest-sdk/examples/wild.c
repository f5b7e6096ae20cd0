/* SPDX-License-Identifier: MIT */
/*
 * Writes far outside its memory. Nothing is mapped there, so the kernel
 * must mark the VM crashed.
 */
#include <stdint.h>
#include <stdio.h>

#define WILD_ADDR	0xf0000000U

int main(void)
{
	volatile uint32_t *p = (volatile uint32_t *)WILD_ADDR;

	printf("wild: writing to %#x\n", WILD_ADDR);
	*p = 0xdeadbeef;
	printf("wild: the write to %#x went through, the VM should have crashed\n",
	       WILD_ADDR);
	return 1;
}
