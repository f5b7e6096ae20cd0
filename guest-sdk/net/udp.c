/* SPDX-License-Identifier: MIT */
/*
 * UDP (RFC 768): datagrams to and from bound sockets. Each socket queues
 * NET_UDP_QUEUE datagrams; more are dropped and counted, as UDP allows.
 */
#include <errno.h>
#include <string.h>
#include "stack.h"

static struct net_sock *udp_find(struct net_stack *ns, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < ns->socks_used; i++)
		if (ns->socks[i].type == NET_SOCK_DGRAM &&
		    ns->socks[i].port == port)
			return &ns->socks[i];
	return NULL;
}

void udp_input(struct net_stack *ns, uint32_t src, uint32_t dst,
	       const uint8_t *pkt, unsigned int len)
{
	const struct udp_hdr *uh = (const struct udp_hdr *)pkt;
	struct udp_datagram *d;
	struct net_sock *s;
	unsigned int ulen;

	if (len < UDP_HLEN) {
		ns->stats.rx_malformed++;
		return;
	}
	ulen = net_ntohs(uh->len);
	/* Port 0 is nobody's: an unbound socket must not match it. */
	if (ulen < UDP_HLEN || ulen > len || !uh->dport) {
		ns->stats.rx_malformed++;
		return;
	}
	/* A zero checksum: the sender computed none (RFC 768). */
	if (uh->csum &&
	    net_csum_fold(net_csum_add(net_csum_pseudo(net_htonl(src),
						       net_htonl(dst),
						       IP_PROTO_UDP, ulen),
				       pkt, ulen))) {
		ns->stats.udp_bad_checksum++;
		return;
	}
	s = udp_find(ns, net_ntohs(uh->dport));
	if (!s) {
		ns->stats.udp_no_port++;
		return;
	}
	if (s->queue_len == NET_UDP_QUEUE ||
	    ulen - UDP_HLEN > sizeof(d->data)) {
		ns->stats.udp_queue_full++;
		return;
	}
	d = &s->queue[(s->queue_head + s->queue_len) % NET_UDP_QUEUE];
	d->ip = src;
	d->port = net_ntohs(uh->sport);
	d->len = (uint16_t)(ulen - UDP_HLEN);
	memcpy(d->data, pkt + UDP_HLEN, d->len);
	s->queue_len++;
	sock_wake(s);
}

int udp_output(struct net_stack *ns, uint16_t sport, uint32_t dst,
	       uint16_t dport, const void *data, unsigned int len)
{
	struct udp_hdr *uh = (struct udp_hdr *)ipv4_payload(ns);
	uint16_t ulen = (uint16_t)(UDP_HLEN + len);
	uint16_t csum;

	if (len > ipv4_payload_max(ns) - UDP_HLEN)
		return -EMSGSIZE;
	uh->sport = net_htons(sport);
	uh->dport = net_htons(dport);
	uh->len = net_htons(ulen);
	uh->csum = 0;
	memcpy(uh + 1, data, len);
	csum = net_csum_fold(net_csum_add(net_csum_pseudo(
		net_htonl(ns->cfg.ip), net_htonl(dst), IP_PROTO_UDP, ulen),
		uh, ulen));
	/* 0 means "no checksum": its ones' complement twin goes instead. */
	uh->csum = csum ? csum : 0xffff;
	return ipv4_output(ns, dst, IP_PROTO_UDP, ulen);
}
