/* SPDX-License-Identifier: MIT */
/*
 * Executes cpuid, which the Denali ABI forbids: the kernel must mark the
 * VM crashed instead of emulating it.
 */
#include <stdio.h>

int main(void)
{
	unsigned int eax = 0, ebx, ecx = 0, edx;

	printf("forbidden: executing cpuid\n");
	asm volatile("cpuid" : "+a" (eax), "=b" (ebx), "+c" (ecx), "=d" (edx));
	printf("forbidden: cpuid ran, the VM should have crashed\n");
	return 1;
}
