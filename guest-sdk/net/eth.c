/* SPDX-License-Identifier: MIT */
/*
 * Ethernet II framing, and the batch of frames waiting for the NIC: the
 * layers above build each frame in place in the batch, and one
 * net_port_send() hands a whole batch over.
 */
#include <string.h>
#include "stack.h"

const uint8_t eth_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void eth_input(struct net_stack *ns, uint8_t *frame, unsigned int len)
{
	const struct eth_hdr *eh = (const struct eth_hdr *)frame;

	if (len < ETH_HLEN || len > NET_FRAME_MAX) {
		ns->stats.rx_malformed++;
		return;
	}
	if (memcmp(eh->dst, ns->cfg.mac, 6) &&
	    memcmp(eh->dst, eth_broadcast, 6)) {
		ns->stats.rx_not_ours++;
		return;
	}
	switch (net_ntohs(eh->type)) {
	case ETH_TYPE_ARP:
		arp_input(ns, frame + ETH_HLEN, len - ETH_HLEN);
		break;
	case ETH_TYPE_IPV4:
		ipv4_input(ns, frame + ETH_HLEN, len - ETH_HLEN);
		break;
	default:
		ns->stats.rx_unknown_proto++;
	}
}

void eth_flush(struct net_stack *ns)
{
	unsigned int sent;

	if (!ns->tx_count)
		return;
	sent = net_port_send(ns, ns->tx, ns->tx_count);
	if (sent > ns->tx_count)
		sent = ns->tx_count;
	ns->stats.tx_frames += sent;
	/* The port waited for room already: the rest is lost, as on a wire. */
	ns->stats.tx_dropped += ns->tx_count - sent;
	ns->tx_count = 0;
}

uint8_t *eth_frame(struct net_stack *ns)
{
	if (ns->tx_count == NET_BATCH)
		eth_flush(ns);
	return ns->tx_buf[ns->tx_count];
}

void eth_commit(struct net_stack *ns, const uint8_t *dst_mac,
		uint16_t type, unsigned int len)
{
	uint8_t *frame = ns->tx_buf[ns->tx_count];
	struct eth_hdr *eh = (struct eth_hdr *)frame;

	memcpy(eh->dst, dst_mac, 6);
	memcpy(eh->src, ns->cfg.mac, 6);
	eh->type = net_htons(type);
	ns->tx[ns->tx_count].data = frame;
	ns->tx[ns->tx_count].len = len;
	ns->tx_count++;
}

void eth_queue(struct net_stack *ns, const uint8_t *frame, unsigned int len)
{
	uint8_t *buf = eth_frame(ns);

	memcpy(buf, frame, len);
	ns->tx[ns->tx_count].data = buf;
	ns->tx[ns->tx_count].len = len;
	ns->tx_count++;
}
