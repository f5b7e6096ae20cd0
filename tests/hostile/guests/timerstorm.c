/* SPDX-License-Identifier: MIT */
/*
 * An interrupt storm: the one-shot timer re-armed at its minimum (1 us)
 * from its own upcall, forever, so every entry of this VM delivers an
 * upcall and every hrtimer of the host fires as soon as allowed. Prints
 * its upcall count every second.
 */
#include "hostile.h"

static volatile uint32_t ticks;

static void tick(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	ticks++;
	denali_timer_set(1);
}

int main(void)
{
	uint64_t next = denali_now_ns();

	denali_irq_register(DENALI_IRQ_TIMER, tick, NULL);
	denali_timer_set(1);
	denali_irq_enable();
	printf("timerstorm: storming\n");
	for (;;) {
		if (denali_now_ns() >= next) {
			printf("timerstorm: %u upcalls\n",
			       (unsigned int)ticks);
			next += 1000000000ULL;
		}
		/* Sometimes idle: the timer must wake it each time. */
		if (ticks & 1)
			denali_idle(1);
	}
}
