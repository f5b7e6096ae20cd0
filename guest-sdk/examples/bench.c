/* SPDX-License-Identifier: MIT */
/*
 * Scheduler workloads for tests/bench and tests/bats, chosen by the
 * command line:
 *
 * "tick USEC": re-arms the one-shot timer every USEC microseconds
 * (default 1000) from its upcall and spins between, forever: every VM
 * keeps raising interrupts while it competes for the CPU.
 *
 * "late COUNT": COUNT times (default 10), arms the timer, idles until
 * its upcall and measures how late it came on the guest's clock; then
 * prints "bench: late <us> <us> ..." and exits 0 (1 when a timer fired
 * early, 2 when it could not be set). The deadlines step through 20 to
 * 30 ms in uneven steps so that they fall at every point of the other
 * VMs' quanta, not always at one phase of them.
 *
 * "null COUNT": COUNT times (default 100000), the cheapest hypercall
 * (cancelling the timer, which is not armed): one exit and back. Prints
 * "bench: null <ns>", the mean per call on the guest's clock, and exits 0.
 *
 * "exit": exits 0 at once, for a VM's shortest life.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>

#define NSEC_PER_USEC	1000
#define LATE_MAX	100

static volatile int fired;
static volatile uint64_t fired_ns;
static unsigned long tick_usec = 1000;

static void late_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	fired_ns = denali_now_ns();
	fired = 1;
}

static void tick_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	denali_timer_set(tick_usec);
}

static int tick(const char *arg)
{
	volatile unsigned long count = 0;

	if (*arg)
		tick_usec = strtoul(arg, NULL, 10);
	denali_irq_register(DENALI_IRQ_TIMER, tick_irq, NULL);
	denali_irq_enable();
	if (denali_timer_set(tick_usec) < 0) {
		printf("bench: setting the timer failed\n");
		return 2;
	}
	printf("bench: ticking every %lu us\n", tick_usec);
	for (;;)
		count++;
}

static int late(const char *arg)
{
	static int64_t lates[LATE_MAX];
	unsigned long count = 10, i, usec;
	uint64_t deadline;

	if (*arg)
		count = strtoul(arg, NULL, 10);
	if (count > LATE_MAX)
		count = LATE_MAX;
	denali_irq_register(DENALI_IRQ_TIMER, late_irq, NULL);
	for (i = 0; i < count; i++) {
		/* 7919 is prime: the steps cover the 10 ms unevenly. */
		usec = 20000 + (i * 7919) % 10000;
		fired = 0;
		deadline = denali_now_ns() + (uint64_t)usec * NSEC_PER_USEC;
		if (denali_timer_set(usec) < 0) {
			printf("bench: setting the timer failed\n");
			return 2;
		}
		denali_irq_disable();
		while (!fired) {
			denali_irq_idle(DENALI_IDLE_FOREVER);
			denali_irq_disable();
		}
		denali_irq_enable();
		lates[i] = (int64_t)(fired_ns - deadline);
	}
	printf("bench: late");
	for (i = 0; i < count; i++) {
		if (lates[i] < 0) {
			printf("\nbench: timer %lu fired early\n", i);
			return 1;
		}
		printf(" %llu", (unsigned long long)lates[i] / NSEC_PER_USEC);
	}
	printf("\n");
	return 0;
}

static int null_calls(const char *arg)
{
	unsigned long count = 100000, i;
	uint64_t start, ns;

	if (*arg)
		count = strtoul(arg, NULL, 10);
	if (!count)
		count = 1;
	start = denali_now_ns();
	for (i = 0; i < count; i++)
		denali_hypercall1(DENALI_HC_TIMER_SET, 0);
	ns = denali_now_ns() - start;
	printf("bench: null %llu\n", (unsigned long long)(ns / count));
	return 0;
}

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	char *arg;

	denali_cmdline(cmdline, sizeof(cmdline));
	arg = strchr(cmdline, ' ');
	if (arg)
		*arg++ = '\0';
	else
		arg = cmdline + strlen(cmdline);
	if (strcmp(cmdline, "tick") == 0)
		return tick(arg);
	if (strcmp(cmdline, "late") == 0)
		return late(arg);
	if (strcmp(cmdline, "null") == 0)
		return null_calls(arg);
	if (strcmp(cmdline, "exit") == 0)
		return 0;
	printf("bench: usage: tick [USEC] | late [COUNT] | null [COUNT] | exit\n");
	return 2;
}
