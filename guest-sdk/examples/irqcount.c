/* SPDX-License-Identifier: MIT */
/*
 * Shows interrupt batching. Prints "irqcount: ready", then keeps upcalls
 * disabled while it spins for the command line's milliseconds of guest
 * time (default 2000), so that console input sent meanwhile only sets
 * DENALI_IRQ_CONSOLE in the pending mask, however often it comes. Then
 * it enables upcalls, waits 100 ms, reads the input and prints
 * "irqcount: upcalls <N> bytes <M>": N is the upcalls taken, 1 when
 * every raise was merged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <denali.h>

#define NSEC_PER_MSEC	1000000ULL
#define SETTLE_MSEC	100

static void console_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
}

static void spin_until(uint64_t deadline)
{
	while (denali_now_ns() < deadline)
		asm volatile("pause");
}

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX], buf[256];
	unsigned long msec = 2000, bytes = 0;
	struct denali_irq_stats st;
	long n;

	if (denali_cmdline(cmdline, sizeof(cmdline)))
		msec = strtoul(cmdline, NULL, 10);
	denali_irq_register(DENALI_IRQ_CONSOLE, console_irq, NULL);

	printf("irqcount: ready\n");
	spin_until(denali_now_ns() + msec * NSEC_PER_MSEC);

	denali_irq_enable();
	spin_until(denali_now_ns() + SETTLE_MSEC * NSEC_PER_MSEC);

	while ((n = denali_console_read(buf, sizeof(buf))) > 0)
		bytes += n;
	if (n < 0) {
		printf("irqcount: console read failed: %ld\n", n);
		return 1;
	}
	denali_irq_stats(&st);
	printf("irqcount: upcalls %u bytes %lu\n", st.upcalls, bytes);
	return 0;
}
