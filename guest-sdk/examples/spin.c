/* SPDX-License-Identifier: MIT */
/*
 * Burns its CPU forever and never idles: the scheduler must preempt it
 * and share the CPU with the other VMs.
 */
#include <stdio.h>

int main(void)
{
	volatile unsigned long count = 0;

	printf("spin: spinning\n");
	for (;;)
		count++;
}
