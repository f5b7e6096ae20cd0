/* SPDX-License-Identifier: MIT */
/*
 * Touches memory and checks it survives: fills "memtest MIB SEED" MiB
 * (default 1, seed 1) of the heap with a pattern that depends on the
 * seed and on each word's address, prints "memtest: written", idles
 * until console input arrives (so that the host can swap it out
 * meanwhile), then checks every word and exits 0 when all are intact,
 * 1 after printing the first word that is not, 2 when the heap is too
 * small.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>

#define MIB		(1u << 20)

/* xorshift32 of the address mixed with the seed: no two VMs alike. */
static uint32_t pattern(uint32_t seed, uint32_t addr)
{
	uint32_t x = addr ^ (seed * 0x9e3779b9u);

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x ?: 1;
}

int main(void)
{
	char cmdline[64], input[16];
	unsigned long mib = 1, seed = 1;
	uint32_t *words, n, i;
	char *arg;

	denali_cmdline(cmdline, sizeof(cmdline));
	arg = cmdline;
	if (*arg)
		mib = strtoul(arg, &arg, 10);
	if (*arg)
		seed = strtoul(arg, &arg, 10);

	n = mib * MIB / sizeof(*words);
	words = malloc(n * sizeof(*words));
	if (!words) {
		printf("memtest: no room for %lu MiB\n", mib);
		return 2;
	}
	for (i = 0; i < n; i++)
		words[i] = pattern(seed, (uint32_t)(uintptr_t)&words[i]);
	printf("memtest: written\n");

	while (denali_console_read(input, sizeof(input)) <= 0)
		denali_idle(DENALI_IDLE_FOREVER);

	for (i = 0; i < n; i++) {
		uint32_t want = pattern(seed, (uint32_t)(uintptr_t)&words[i]);

		if (words[i] != want) {
			printf("memtest: word at 0x%x is 0x%x, not 0x%x\n",
			       (unsigned int)(uintptr_t)&words[i],
			       (unsigned int)words[i], (unsigned int)want);
			return 1;
		}
	}
	printf("memtest: %lu MiB intact\n", mib);
	return 0;
}
