/* SPDX-License-Identifier: MIT */
/*
 * A console flood: 4096-byte writes (the most one hypercall takes) of
 * distinct text as fast as the kernel takes them, with a console read
 * (never blocking) between them. The host must bound what it keeps of
 * the console and stay responsive.
 */
#include "hostile.h"

/* 4096 bytes of 64-byte lines, and snprintf's last NUL. */
static char buf[4096 + 1];

int main(void)
{
	unsigned long n = 0;
	char in[64];
	int i;

	for (;;) {
		for (i = 0; i < 4096; i += 64)
			snprintf(buf + i, 65, "%-63lu\n", n * 64 + i / 64);
		denali_hypercall2(DENALI_HC_CONSOLE_WRITE,
				  (uint32_t)(unsigned long)buf, 4096);
		denali_hypercall2(DENALI_HC_CONSOLE_READ,
				  (uint32_t)(unsigned long)in, sizeof(in));
		n++;
	}
}
