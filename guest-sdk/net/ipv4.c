/* SPDX-License-Identifier: MIT */
/*
 * IPv4 (RFC 791, 1122) for a host with one interface: checked headers,
 * options skipped, fragments dropped and counted (every stack we talk to
 * does path-MTU-sized segments, and reassembly would be memory a hostile
 * sender could pin), and one route: on-link, or the gateway.
 */
#include <errno.h>
#include <string.h>
#include "stack.h"

#define IP_BROADCAST		0xffffffffU

int ipv4_is_broadcast(struct net_stack *ns, uint32_t ip)
{
	return ip == IP_BROADCAST ||
	       (ns->cfg.netmask && ip == (ns->cfg.ip | ~ns->cfg.netmask));
}

/* Sources we never answer: nobody, everybody, a group, ourselves. */
static int ipv4_bad_source(struct net_stack *ns, uint32_t ip)
{
	return !ip || ipv4_is_broadcast(ns, ip) || (ip >> 28) == 0xe ||
	       ip == ns->cfg.ip;
}

void ipv4_input(struct net_stack *ns, const uint8_t *pkt, unsigned int len)
{
	const struct ip_hdr *ih = (const struct ip_hdr *)pkt;
	unsigned int hlen, total;
	uint32_t src, dst;

	if (len < IP_HLEN || (ih->ver_ihl >> 4) != 4) {
		ns->stats.rx_malformed++;
		return;
	}
	hlen = (ih->ver_ihl & 0xf) * 4u;
	total = net_ntohs(ih->len);
	/* Ethernet pads short frames: the header's length is the truth. */
	if (hlen < IP_HLEN || total < hlen || total > len) {
		ns->stats.rx_malformed++;
		return;
	}
	if (net_csum_fold(net_csum_add(0, pkt, hlen))) {
		ns->stats.ip_bad_checksum++;
		return;
	}
	if (net_ntohs(ih->frag) & (IP_FLAG_MF | IP_FRAG_OFFSET)) {
		ns->stats.ip_fragments++;
		return;
	}
	src = net_ntohl(ih->src);
	dst = net_ntohl(ih->dst);
	if (!ns->cfg.ip || (dst != ns->cfg.ip && !ipv4_is_broadcast(ns, dst))) {
		ns->stats.rx_not_ours++;
		return;
	}
	if (ipv4_bad_source(ns, src)) {
		ns->stats.rx_malformed++;
		return;
	}
	pkt += hlen;
	len = total - hlen;
	switch (ih->proto) {
	case IP_PROTO_ICMP:
		/* No answers to broadcast pings (smurf amplification). */
		if (dst == ns->cfg.ip)
			icmp_input(ns, src, pkt, len);
		break;
	case IP_PROTO_UDP:
		udp_input(ns, src, dst, pkt, len);
		break;
	case IP_PROTO_TCP:
		if (dst == ns->cfg.ip)
			tcp_input(ns, src, dst, pkt, len);
		break;
	default:
		ns->stats.rx_unknown_proto++;
	}
}

uint8_t *ipv4_payload(struct net_stack *ns)
{
	return eth_frame(ns) + ETH_HLEN + IP_HLEN;
}

unsigned int ipv4_payload_max(struct net_stack *ns)
{
	return ns->cfg.mtu - IP_HLEN;
}

int ipv4_output(struct net_stack *ns, uint32_t dst, uint8_t proto,
		unsigned int len)
{
	struct ip_hdr *ih = (struct ip_hdr *)(eth_frame(ns) + ETH_HLEN);
	uint32_t next_hop = dst;

	if (len > ipv4_payload_max(ns))
		return -EMSGSIZE;
	if (!ns->cfg.ip)
		return -ENETUNREACH;
	if (!ipv4_is_broadcast(ns, dst) &&
	    ((dst ^ ns->cfg.ip) & ns->cfg.netmask)) {
		if (!ns->cfg.gateway) {
			ns->stats.ip_no_route++;
			return -ENETUNREACH;
		}
		next_hop = ns->cfg.gateway;
	}
	ih->ver_ihl = 0x45;
	ih->tos = 0;
	ih->len = net_htons((uint16_t)(IP_HLEN + len));
	ih->id = net_htons(ns->ip_id++);
	/* Don't fragment: nobody here reassembles, we included. */
	ih->frag = net_htons(0x4000);
	ih->ttl = IP_TTL;
	ih->proto = proto;
	ih->csum = 0;
	ih->src = net_htonl(ns->cfg.ip);
	ih->dst = net_htonl(dst);
	ih->csum = net_csum_fold(net_csum_add(0, ih, IP_HLEN));
	arp_output(ns, next_hop, ETH_TYPE_IPV4, ETH_HLEN + IP_HLEN + len);
	return 0;
}
