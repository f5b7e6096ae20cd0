/* SPDX-License-Identifier: MIT */
/*
 * A victim that never reads its NIC: it takes its upcalls (so a pending
 * DENALI_IRQ_NET does not keep its idle hypercall from sleeping) and
 * idles forever, leaving every frame in its receive queue. A receive
 * flood aimed at it must stay bounded there and be counted as its rx
 * drops.
 */
#include "hostile.h"

static void ignore(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
}

int main(void)
{
	denali_irq_register(DENALI_IRQ_NET, ignore, NULL);
	printf("deaf: idling, never reading\n");
	for (;;) {
		denali_irq_disable();
		denali_irq_idle(DENALI_IDLE_FOREVER);
	}
}
