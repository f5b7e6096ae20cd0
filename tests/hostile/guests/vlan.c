/* SPDX-License-Identifier: MIT */
/*
 * 802.1Q and 802.1ad tagged frames from the attacker's own MAC: a
 * gratuitous ARP for the victim's address (victim_ip=) in VLAN 1, with a
 * priority tag (VLAN 0) and double tagged (802.1ad outer, 802.1Q inner),
 * and an IPv4 echo request from the victim's address tagged. Whatever
 * VLAN device the host might have, the switch must drop them when the VM
 * has an address. Forever, paced.
 */
#include "hostile.h"

static uint8_t f[128];

/* Tags at f + 12 (outer first); returns where the payload starts. */
static uint8_t *tagged(const uint8_t *mac, uint16_t outer, uint16_t vid,
		       int twice, uint16_t type)
{
	uint8_t *p;

	memset(f, 0, sizeof(f));
	p = hostile_eth(f, hostile_bcast, mac, outer);
	hostile_put16(p, vid);
	if (twice) {
		hostile_put16(p + 2, ETH_P_8021Q);
		hostile_put16(p + 4, vid);
		p += 4;
	}
	hostile_put16(p + 2, type);
	return p + 4;
}

int main(void)
{
	static const uint8_t zero[6];
	uint32_t vip = hostile_ip_arg("victim_ip", 0x0a000002);
	uint32_t hip = hostile_ip_arg("host_ip", 0x0a000001);
	uint8_t mac[6], *p;
	unsigned long round;

	hostile_own_mac(mac);
	printf("vlan: tagging\n");
	for (round = 1;; round++) {
		hostile_arp(tagged(mac, ETH_P_8021Q, 1, 0, ETH_P_ARP), 1, mac,
			    vip, zero, vip);
		hostile_send(f, 64);
		hostile_arp(tagged(mac, ETH_P_8021Q, 0, 0, ETH_P_ARP), 2, mac,
			    vip, hostile_bcast, vip);
		hostile_send(f, 64);
		hostile_arp(tagged(mac, ETH_P_8021AD, 1, 1, ETH_P_ARP), 1, mac,
			    vip, zero, vip);
		hostile_send(f, 68);
		p = hostile_ipv4(tagged(mac, ETH_P_8021Q, 0, 0, ETH_P_IP), 1,
				 vip, hip, 8);
		p[0] = 8;
		hostile_put16(p + 2, hostile_fold(hostile_sum(p, 8, 0)));
		hostile_send(f, 64);
		hostile_pace("vlan", round, 10000);
	}
}
