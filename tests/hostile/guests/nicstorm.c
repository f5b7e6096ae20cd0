/* SPDX-License-Identifier: MIT */
/*
 * A NIC interrupt storm: minimum-size unicast frames to target= (each
 * one raises DENALI_IRQ_NET there), a few per send, while taking its own
 * NIC upcalls and draining its queue. Two of them aimed at each other
 * storm both ways; aimed at a victim, the victim wakes for every batch.
 */
#include "hostile.h"

static uint8_t f[64];
static volatile uint32_t upcalls;

static void net_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	upcalls++;
}

int main(void)
{
	uint8_t mac[6], target[6];
	unsigned long n = 0;

	hostile_own_mac(mac);
	hostile_mac_arg("target", target);
	hostile_eth(f, target, mac, 0x88b5);
	denali_irq_register(DENALI_IRQ_NET, net_irq, NULL);
	denali_irq_enable();
	printf("nicstorm: storming\n");
	for (;;) {
		hostile_put32(f + ETH_HLEN, n);
		hostile_send(f, 60);
		hostile_drain();
		if (!(++n % 100000))
			printf("nicstorm: %lu sent, %u upcalls\n", n,
			       (unsigned int)upcalls);
		/* A short idle: each wakeup is an interrupt's doing. */
		if (!(n % 16))
			denali_idle(1);
	}
}
