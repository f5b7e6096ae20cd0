/* SPDX-License-Identifier: MIT */
/*
 * Shared by the hostile guests: command line parameters (key=value
 * words), their own GDT and IDT, and raw frames (Ethernet, ARP, IPv4,
 * IPv6, UDP, ICMP) with their checksums. Everything is static so each
 * guest takes only what it uses.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>

#define EAGAIN	11
#define EFAULT	14
#define ENODEV	19
#define EINVAL	22
#define ENOSYS	38

static char hostile_cmdline[DENALI_VREGS_CMDLINE_MAX];

/* The value of "key=value" on the command line, or NULL. */
static inline const char *hostile_arg(const char *key)
{
	size_t n = strlen(key);
	const char *p = hostile_cmdline;

	if (!*p)
		denali_cmdline(hostile_cmdline, sizeof(hostile_cmdline));
	while (*p) {
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return p + n + 1;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

/* A numeric parameter (decimal or 0x hex), or def when absent. */
static inline unsigned long hostile_num(const char *key, unsigned long def)
{
	const char *v = hostile_arg(key);

	return v ? strtoul(v, NULL, 0) : def;
}

/* Whether the value of key begins with word (up to a blank or a comma). */
static inline int hostile_is(const char *key, const char *word)
{
	const char *v = hostile_arg(key);
	size_t n = strlen(word);

	return v && strncmp(v, word, n) == 0 &&
	       (v[n] == '\0' || v[n] == ' ' || v[n] == ',');
}

/* Parses "aa:bb:cc:dd:ee:ff" at s into mac; returns the end or NULL. */
static inline const char *hostile_mac(const char *s, uint8_t mac[6])
{
	char *end;
	int i;

	for (i = 0; i < 6; i++) {
		mac[i] = strtoul(s, &end, 16);
		if (end == s || (i < 5 && *end != ':'))
			return NULL;
		s = end + (i < 5);
	}
	return s;
}

/* Parses a dotted IPv4 address at s (stopping at '/' or a blank). */
static inline uint32_t hostile_ip(const char *s)
{
	uint32_t ip = 0;
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		ip = ip << 8 | (strtoul(s, &end, 10) & 0xff);
		s = end + 1;
	}
	return ip;
}

/* The IPv4 address of key (key=a.b.c.d or key=a.b.c.d/len), or def. */
static inline uint32_t hostile_ip_arg(const char *key, uint32_t def)
{
	const char *v = hostile_arg(key);

	return v ? hostile_ip(v) : def;
}

static inline void hostile_own_mac(uint8_t mac[6])
{
	int i;

	for (i = 0; i < 6; i++)
		mac[i] = denali_vregs()->mac[i];
}

static inline uint32_t hostile_mem_size(void)
{
	return denali_vregs()->mem_size;
}

/*
 * Descriptor tables of the guest's own. Selectors: 0x08 ring-0 code,
 * 0x10 ring-0 data (the SDK's), 0x18 ring-3 code, 0x20 ring-3 data.
 */
#define HOSTILE_CS	0x08
#define HOSTILE_DS	0x10
#define HOSTILE_CS3	0x1b
#define HOSTILE_DS3	0x23

struct hostile_dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

struct hostile_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_hi;
} __attribute__((packed));

#define HOSTILE_GATE_INTR	0x8e	/* present, DPL 0, interrupt gate */
#define HOSTILE_GATE_INTR3	0xee	/* present, DPL 3, interrupt gate */

static inline void hostile_set_gate(struct hostile_gate *idt, unsigned int vec,
				    void (*fn)(void), uint8_t type)
{
	uint32_t a = (uint32_t)(unsigned long)fn;

	idt[vec].offset_lo = a & 0xffff;
	idt[vec].selector = HOSTILE_CS;
	idt[vec].zero = 0;
	idt[vec].type = type;
	idt[vec].offset_hi = a >> 16;
}

static inline void hostile_lidt(uint32_t base, uint16_t limit)
{
	struct hostile_dtr d = { limit, base };

	asm volatile("lidt %0" : : "m" (d) : "memory");
}

static inline void hostile_lgdt(uint32_t base, uint16_t limit)
{
	struct hostile_dtr d = { limit, base };

	asm volatile("lgdt %0" : : "m" (d) : "memory");
}

/* Flat 4 GiB segments: ring 0 code and data, ring 3 code and data. */
static uint64_t hostile_gdt[8] __attribute__((aligned(8))) = {
	0,
	0x00cf9b000000ffffULL,
	0x00cf93000000ffffULL,
	0x00cffb000000ffffULL,
	0x00cff3000000ffffULL,
};

/* Loads hostile_gdt; CS and DS keep their selectors (the same as the SDK's). */
static inline void hostile_load_gdt(void)
{
	hostile_lgdt((uint32_t)(unsigned long)hostile_gdt,
		     sizeof(hostile_gdt) - 1);
}

/*
 * Raw frames. Offsets into an Ethernet II frame; multi-byte fields are
 * written big endian by hostile_put16/32.
 */
#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_IPV6	0x86dd

static const uint8_t hostile_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
/* The all-nodes IPv6 multicast group's MAC, 33:33:00:00:00:01. */
static const uint8_t hostile_allnodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };

static inline void hostile_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void hostile_put32(uint8_t *p, uint32_t v)
{
	hostile_put16(p, v >> 16);
	hostile_put16(p + 2, v);
}

/* Writes the Ethernet header; returns where the payload starts. */
static inline uint8_t *hostile_eth(uint8_t *f, const uint8_t *dst,
				   const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	hostile_put16(f + 12, type);
	return f + ETH_HLEN;
}

/* The one's complement sum of len bytes, folded, added to sum. */
static inline uint32_t hostile_sum(const uint8_t *p, unsigned int len,
				   uint32_t sum)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t hostile_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * ARP for IPv4 over Ethernet: op 1 request, 2 reply. Returns the
 * payload's length (28).
 */
static inline unsigned int hostile_arp(uint8_t *p, uint16_t op,
				       const uint8_t *sha, uint32_t spa,
				       const uint8_t *tha, uint32_t tpa)
{
	hostile_put16(p, 1);
	hostile_put16(p + 2, ETH_P_IP);
	p[4] = 6;
	p[5] = 4;
	hostile_put16(p + 6, op);
	memcpy(p + 8, sha, 6);
	hostile_put32(p + 14, spa);
	memcpy(p + 18, tha, 6);
	hostile_put32(p + 24, tpa);
	return 28;
}

/*
 * An IPv4 header (20 bytes, TTL 64) for len bytes of payload of protocol
 * proto; returns where the payload starts.
 */
static inline uint8_t *hostile_ipv4(uint8_t *p, uint8_t proto, uint32_t src,
				    uint32_t dst, unsigned int len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	hostile_put16(p + 2, 20 + len);
	p[8] = 64;
	p[9] = proto;
	hostile_put32(p + 12, src);
	hostile_put32(p + 16, dst);
	hostile_put16(p + 10, hostile_fold(hostile_sum(p, 20, 0)));
	return p + 20;
}

/*
 * An IPv6 header for len bytes of payload, next header nh, hop limit hl;
 * returns where the payload starts.
 */
static inline uint8_t *hostile_ipv6(uint8_t *p, uint8_t nh, uint8_t hl,
				    const uint8_t *src, const uint8_t *dst,
				    unsigned int len)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	hostile_put16(p + 4, len);
	p[6] = nh;
	p[7] = hl;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return p + 40;
}

/* The checksum of an upper-layer IPv6 payload (ICMPv6, UDP) at ip6 + 40. */
static inline uint16_t hostile_csum6(const uint8_t *ip6, uint8_t nh,
				     unsigned int len)
{
	uint32_t sum = hostile_sum(ip6 + 8, 32, 0);

	sum += len >> 16;
	sum += len & 0xffff;
	sum += nh;
	return hostile_fold(hostile_sum(ip6 + 40, len, sum));
}

/* The UDP checksum over IPv4 of a datagram of len bytes at ip4 + 20. */
static inline uint16_t hostile_csum4_udp(const uint8_t *ip4, unsigned int len)
{
	uint32_t sum = hostile_sum(ip4 + 12, 8, 0);

	sum += 17 + len;
	return hostile_fold(hostile_sum(ip4 + 20, len, sum));
}

/* A UDP header for len bytes of data; checksum left to the caller. */
static inline uint8_t *hostile_udp(uint8_t *p, uint16_t sport, uint16_t dport,
				   unsigned int len)
{
	hostile_put16(p, sport);
	hostile_put16(p + 2, dport);
	hostile_put16(p + 4, 8 + len);
	hostile_put16(p + 6, 0);
	return p + 8;
}

/*
 * Sends one frame of len bytes (at least 60: shorter ones are padded
 * with zeros by the caller's buffer), yielding while the send queue is
 * full. Returns what the hypercall last returned.
 */
static inline long hostile_send(const uint8_t *f, unsigned int len)
{
	struct denali_frame d;
	long ret;

	d.addr = (uint32_t)(unsigned long)f;
	d.len = len < 60 ? 60 : len;
	while ((ret = denali_net_send(&d, 1)) == -EAGAIN)
		denali_idle(0);
	return ret;
}

/*
 * Drains the receive queue so the attacker's own port never holds
 * frames; returns how many there were.
 */
static inline unsigned long hostile_drain(void)
{
	static uint8_t buf[DENALI_FRAME_MAX];
	struct denali_frame d;
	unsigned long n = 0;

	for (;;) {
		d.addr = (uint32_t)(unsigned long)buf;
		d.len = sizeof(buf);
		if (denali_net_recv(&d, 1) <= 0)
			return n;
		n++;
	}
}

/*
 * The loop of a paced attacker: drains its own receive queue, idles
 * pace= microseconds (default def_us) and prints how many rounds it has
 * sent every 100 rounds, named by who.
 */
static inline void hostile_pace(const char *who, unsigned long round,
				unsigned int def_us)
{
	hostile_drain();
	if (!(round % 100))
		printf("%s: %lu rounds\n", who, round);
	denali_idle(hostile_num("pace", def_us));
}

/* The link-local IPv6 address fe80::/64 with the EUI-64 of mac. */
static inline void hostile_ll6(uint8_t ip6[16], const uint8_t mac[6])
{
	memset(ip6, 0, 16);
	ip6[0] = 0xfe;
	ip6[1] = 0x80;
	ip6[8] = mac[0] ^ 2;
	ip6[9] = mac[1];
	ip6[10] = mac[2];
	ip6[11] = 0xff;
	ip6[12] = 0xfe;
	ip6[13] = mac[3];
	ip6[14] = mac[4];
	ip6[15] = mac[5];
}

/* ff02::1, all nodes. */
static const uint8_t hostile_allnodes[16] = { 0xff, 0x02, [15] = 1 };

/* The victim's MAC (victim_mac=) or, when absent, broadcast. */
static inline void hostile_mac_arg(const char *key, uint8_t mac[6])
{
	const char *v = hostile_arg(key);

	if (!v || !hostile_mac(v, mac))
		memcpy(mac, hostile_bcast, 6);
}

#endif /* HOSTILE_H */
