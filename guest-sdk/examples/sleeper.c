/* SPDX-License-Identifier: MIT */
/*
 * Sleeps N seconds (the command line, default 5) in idle-with-timeout,
 * printing "tick <i>" once a second. Between ticks the VM is off the CPU:
 * a host running many sleepers should stay idle.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <denali.h>

#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_USEC	1000U
#define TICK_USEC	1000000U

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	unsigned long seconds = 5, i;
	uint64_t start, now;

	if (denali_cmdline(cmdline, sizeof(cmdline)))
		seconds = strtoul(cmdline, NULL, 10);
	if (!denali_vregs()->tsc_khz) {
		printf("sleeper: the virtual registers give no clock\n");
		return 1;
	}

	start = denali_now_ns();
	for (i = 1; i <= seconds; i++) {
		uint64_t due = start + i * NSEC_PER_SEC;

		/* An interrupt may end an idle early: sleep the rest. */
		while ((now = denali_now_ns()) < due) {
			uint64_t left = (due - now + NSEC_PER_USEC - 1) /
					NSEC_PER_USEC;
			int ret = denali_idle(left < TICK_USEC ? left : TICK_USEC);

			if (ret < 0) {
				printf("sleeper: idle failed: %d\n", ret);
				return 1;
			}
		}
		printf("tick %lu\n", i);
	}
	return 0;
}
