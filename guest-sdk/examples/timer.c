/* SPDX-License-Identifier: MIT */
/*
 * Arms the one-shot timer for the command line's microseconds (default
 * 50000), idles until its upcall, and reports how late it came on the
 * guest's clock: "timer: late <us>". Exits 0, or 1 when it fired before
 * its deadline, 2 when the timer could not be set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <denali.h>

#define NSEC_PER_USEC	1000

static volatile int fired;
static volatile uint64_t fired_ns;

static void timer_fired(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	fired_ns = denali_now_ns();
	fired = 1;
}

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	unsigned long usec = 50000;
	uint64_t deadline;
	int64_t late;
	int ret;

	if (denali_cmdline(cmdline, sizeof(cmdline)))
		usec = strtoul(cmdline, NULL, 10);
	denali_irq_register(DENALI_IRQ_TIMER, timer_fired, NULL);

	/* The kernel counts from the hypercall, after this reading. */
	deadline = denali_now_ns() + (uint64_t)usec * NSEC_PER_USEC;
	ret = denali_timer_set(usec);
	if (ret < 0) {
		printf("timer: setting the timer failed: %d\n", ret);
		return 2;
	}
	while (!fired) {
		denali_irq_idle(DENALI_IDLE_FOREVER);
		denali_irq_disable();
	}

	late = (int64_t)(fired_ns - deadline);
	/* Round towards minus infinity: 1 ns early is early. */
	printf("timer: late %lld\n", late >= 0 ? late / NSEC_PER_USEC :
	       -((-late + NSEC_PER_USEC - 1) / NSEC_PER_USEC));
	return late >= 0 ? 0 : 1;
}
