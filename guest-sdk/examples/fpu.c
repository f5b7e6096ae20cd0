/* SPDX-License-Identifier: MIT */
/*
 * A long floating-point computation that checks its own result. For
 * i = 1..N (the command line, default 2000000) it sums i/2 in SSE double
 * precision and i/4 in x87 extended precision. Every partial sum is exact,
 * so the totals must equal N(N+1)/4 and N(N+1)/8 to the last bit: a VM
 * switch that lost or mixed FPU state would show. Exits 0 when both match.
 * "N USEC" idles USEC microseconds every 65536 steps, with the sums in
 * the FPU registers, so that the VM can be swapped out meanwhile.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <denali.h>

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	unsigned long n = 2000000, pause = 0, i;
	char *arg;
	long double x87 = 0;
	double sse = 0;
	uint64_t twice;

	if (denali_cmdline(cmdline, sizeof(cmdline))) {
		n = strtoul(cmdline, &arg, 10);
		pause = strtoul(arg, NULL, 10);
	}
	/* Keep the sums below 2^53 so that they stay exact in a double. */
	if (n == 0 || n > 50000000) {
		printf("fpu: N must be 1 to 50000000\n");
		return 2;
	}

	for (i = 1; i <= n; i++) {
		sse += (double)i * 0.5;
		x87 += (long double)i * 0.25L;
		if (pause && !(i & 0xffff))
			denali_idle(pause);
	}

	twice = (uint64_t)n * (n + 1);
	if (sse * 4.0 != (double)twice || x87 * 8.0L != (long double)twice) {
		printf("fpu: wrong result for N=%lu\n", n);
		return 1;
	}
	printf("fpu: exact result for N=%lu\n", n);
	return 0;
}
