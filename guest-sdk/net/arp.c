/* SPDX-License-Identifier: MIT */
/*
 * ARP (RFC 826) for IPv4 over Ethernet: a small cache whose entries
 * expire, requests retried a few times while frames for the address
 * wait in a small shared pool, replies for our address, and a
 * gratuitous ARP when the interface comes up so that the switch and
 * the other VMs learn us at once.
 */
#include <string.h>
#include "stack.h"

#define ARP_HTYPE_ETHER		1
#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2
#define ARP_RETRY_NS		(1 * NSEC_PER_SEC)
#define ARP_TRIES		3
#define ARP_LIFETIME_NS		(60 * NSEC_PER_SEC)

static void arp_send(struct net_stack *ns, uint16_t op,
		     const uint8_t *dst_mac, const uint8_t *tha, uint32_t tpa)
{
	uint8_t *frame = eth_frame(ns);
	struct arp_pkt *ap = (struct arp_pkt *)(frame + ETH_HLEN);

	ap->htype = net_htons(ARP_HTYPE_ETHER);
	ap->ptype = net_htons(ETH_TYPE_IPV4);
	ap->hlen = 6;
	ap->plen = 4;
	ap->op = net_htons(op);
	memcpy(ap->sha, ns->cfg.mac, 6);
	ap->spa = net_htonl(ns->cfg.ip);
	memcpy(ap->tha, tha, 6);
	ap->tpa = net_htonl(tpa);
	eth_commit(ns, dst_mac, ETH_TYPE_ARP, ETH_HLEN + sizeof(*ap));
	if (op == ARP_OP_REQUEST)
		ns->stats.arp_requests++;
	else
		ns->stats.arp_replies++;
}

static void arp_request(struct net_stack *ns, uint32_t ip)
{
	static const uint8_t unknown[6];

	arp_send(ns, ARP_OP_REQUEST, eth_broadcast, unknown, ip);
}

void arp_announce(struct net_stack *ns)
{
	/* A request for our own address: RFC 5227's announcement. */
	arp_request(ns, ns->cfg.ip);
}

static struct arp_entry *arp_find(struct net_stack *ns, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < ARP_CACHE_SIZE; i++)
		if (ns->arp[i].state != ARP_FREE && ns->arp[i].ip == ip)
			return &ns->arp[i];
	return NULL;
}

static void arp_drop_held(struct net_stack *ns, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < ARP_PENDING_MAX; i++) {
		if (ns->arp_held[i].next_hop == ip) {
			ns->arp_held[i].next_hop = 0;
			ns->stats.arp_failed++;
		}
	}
}

/* Which of two entries to evict: a resolved one, the sooner to expire. */
static int arp_worse(const struct arp_entry *a, const struct arp_entry *b)
{
	if (a->state != b->state)
		return a->state == ARP_RESOLVED;
	return a->timer_ns < b->timer_ns;
}

/*
 * A free entry, else a resolved one closest to expiring, else the
 * resolution closest to its next try (its held frames dropped).
 */
static struct arp_entry *arp_alloc(struct net_stack *ns)
{
	struct arp_entry *victim = &ns->arp[0];
	unsigned int i;

	for (i = 0; i < ARP_CACHE_SIZE; i++) {
		if (ns->arp[i].state == ARP_FREE)
			return &ns->arp[i];
		if (arp_worse(&ns->arp[i], victim))
			victim = &ns->arp[i];
	}
	if (victim->state == ARP_RESOLVING)
		arp_drop_held(ns, victim->ip);
	victim->state = ARP_FREE;
	return victim;
}

/* Learns ip at mac; the frames waiting for it go now. */
static void arp_resolved(struct net_stack *ns, struct arp_entry *e,
			 const uint8_t *mac)
{
	unsigned int i;

	memcpy(e->mac, mac, 6);
	e->state = ARP_RESOLVED;
	e->timer_ns = net_port_now_ns() + ARP_LIFETIME_NS;
	for (i = 0; i < ARP_PENDING_MAX; i++) {
		struct arp_held *h = &ns->arp_held[i];

		if (h->next_hop != e->ip)
			continue;
		memcpy(((struct eth_hdr *)h->frame)->dst, mac, 6);
		eth_queue(ns, h->frame, h->len);
		h->next_hop = 0;
	}
}

void arp_input(struct net_stack *ns, const uint8_t *pkt, unsigned int len)
{
	const struct arp_pkt *ap = (const struct arp_pkt *)pkt;
	struct arp_entry *e;
	uint32_t spa, tpa;
	uint16_t op;

	if (len < sizeof(*ap) || net_ntohs(ap->htype) != ARP_HTYPE_ETHER ||
	    net_ntohs(ap->ptype) != ETH_TYPE_IPV4 || ap->hlen != 6 ||
	    ap->plen != 4) {
		ns->stats.rx_malformed++;
		return;
	}
	op = net_ntohs(ap->op);
	spa = net_ntohl(ap->spa);
	tpa = net_ntohl(ap->tpa);
	/* Group addresses never answer ARP: learning one would be a lie. */
	if ((op != ARP_OP_REQUEST && op != ARP_OP_REPLY) ||
	    (ap->sha[0] & 1) || !memcmp(ap->sha, ns->cfg.mac, 6)) {
		ns->stats.rx_malformed++;
		return;
	}
	if (!ns->cfg.ip || !spa)
		return;		/* nothing to learn, nothing to answer */
	if (spa == ns->cfg.ip) {
		ns->stats.arp_conflicts++;
		return;
	}

	/* RFC 826: update what we know; add the sender if it asks us. */
	e = arp_find(ns, spa);
	if (!e && tpa == ns->cfg.ip) {
		e = arp_alloc(ns);
		e->ip = spa;
		e->tries = 0;
	}
	if (e)
		arp_resolved(ns, e, ap->sha);
	if (op == ARP_OP_REQUEST && tpa == ns->cfg.ip)
		arp_send(ns, ARP_OP_REPLY, ap->sha, ap->sha, spa);
}

void arp_output(struct net_stack *ns, uint32_t next_hop, uint16_t type,
		unsigned int len)
{
	uint64_t now = net_port_now_ns();
	struct arp_held *h = NULL;
	struct arp_entry *e;
	unsigned int i;

	if (ipv4_is_broadcast(ns, next_hop)) {
		eth_commit(ns, eth_broadcast, type, len);
		return;
	}
	e = arp_find(ns, next_hop);
	if (e && e->state == ARP_RESOLVED && e->timer_ns > now) {
		eth_commit(ns, e->mac, type, len);
		return;
	}

	/* Hold a copy: the batch slot is reused by the request below. */
	for (i = 0; i < ARP_PENDING_MAX && !h; i++)
		if (!ns->arp_held[i].next_hop)
			h = &ns->arp_held[i];
	if (h) {
		struct eth_hdr *eh = (struct eth_hdr *)h->frame;

		memcpy(h->frame, ns->tx_buf[ns->tx_count], len);
		memcpy(eh->src, ns->cfg.mac, 6);
		eh->type = net_htons(type);
		h->len = len;
		h->next_hop = next_hop;
	} else {
		ns->stats.arp_failed++;
	}
	if (!e)
		e = arp_alloc(ns);
	if (e->state != ARP_RESOLVING) {
		e->state = ARP_RESOLVING;
		e->ip = next_hop;
		e->tries = 1;
		net_timer_set(ns, &e->timer_ns, now + ARP_RETRY_NS);
		arp_request(ns, next_hop);
	}
}

void arp_timers(struct net_stack *ns, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *e = &ns->arp[i];

		if (e->state == ARP_FREE || e->timer_ns > now)
			continue;
		if (e->state == ARP_RESOLVED) {
			e->state = ARP_FREE;
		} else if (e->tries >= ARP_TRIES) {
			arp_drop_held(ns, e->ip);
			e->state = ARP_FREE;
		} else {
			e->tries++;
			e->timer_ns = now + ARP_RETRY_NS;
			arp_request(ns, e->ip);
		}
	}
}

uint64_t arp_next_timer(struct net_stack *ns)
{
	uint64_t next = UINT64_MAX;
	unsigned int i;

	/* Expiry needs no wakeup of its own: arp_output() compares times. */
	for (i = 0; i < ARP_CACHE_SIZE; i++)
		if (ns->arp[i].state == ARP_RESOLVING &&
		    ns->arp[i].timer_ns < next)
			next = ns->arp[i].timer_ns;
	return next;
}
