/* SPDX-License-Identifier: MIT */
/*
 * Source-MAC spoofing: gratuitous ARP for the victim's address
 * (victim_ip=) sent from forged source MACs: the victim's own
 * (victim_mac=), the host's (host_mac=), broadcast, an IPv4 multicast
 * MAC, all zeros and a stranger's. The switch must drop and count every
 * one (net_spoofed) and deliver none, forever. Each round is 6 frames.
 */
#include "hostile.h"

static uint8_t f[64];

int main(void)
{
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t zero[6];
	static const uint8_t stranger[6] = { 0x02, 0x66, 0x66, 0x66, 0x66, 0x66 };
	uint32_t vip = hostile_ip_arg("victim_ip", 0x0a000002);
	uint8_t forged[6][6], mine[6];
	unsigned long round;
	int i;

	hostile_own_mac(mine);
	hostile_mac_arg("victim_mac", forged[0]);
	hostile_mac_arg("host_mac", forged[1]);
	memcpy(forged[2], hostile_bcast, 6);
	memcpy(forged[3], mcast, 6);
	memcpy(forged[4], zero, 6);
	memcpy(forged[5], stranger, 6);
	printf("macspoof: spoofing\n");
	for (round = 1;; round++) {
		for (i = 0; i < 6; i++) {
			memset(f, 0, sizeof(f));
			/* The ARP claims the forged MAC too, as a poisoner's would. */
			hostile_arp(hostile_eth(f, hostile_bcast, forged[i],
						ETH_P_ARP),
				    2, forged[i], vip, hostile_bcast, vip);
			hostile_send(f, 60);
		}
		hostile_pace("macspoof", round, 10000);
	}
}
