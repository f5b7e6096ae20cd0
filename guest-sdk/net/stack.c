/* SPDX-License-Identifier: MIT */
/*
 * One VM's stack: creation, and the poll that the network thread (or
 * the host tests' simulator) runs whenever frames arrive or a protocol
 * timer is due. Timers are deadlines in the objects they belong to,
 * scanned at each poll: with a few hundred connections at most, that is
 * cheaper than keeping them sorted.
 */
#include <stdlib.h>
#include <string.h>
#include "stack.h"
#include "tcp.h"

#define EPHEMERAL_FIRST		49152

struct net_stack *net_stack_create(const struct net_config *cfg, void *port)
{
	struct net_stack *ns = calloc(1, sizeof(*ns));
	unsigned int i;
	uint64_t now = net_port_now_ns();

	if (!ns)
		return NULL;
	ns->cfg = *cfg;
	if (!ns->cfg.mtu || ns->cfg.mtu > NET_MTU_DEFAULT)
		ns->cfg.mtu = NET_MTU_DEFAULT;
	if (ns->cfg.mtu < NET_MTU_MIN)
		ns->cfg.mtu = NET_MTU_MIN;
	ns->port = port;
	thread_mutex_init(&ns->lock);
	thread_cond_init(&ns->ping_wait);
	for (i = 0; i < NET_BATCH; i++)
		ns->rx[i].data = ns->rx_buf[i];
	/*
	 * Initial sequence numbers and ports must differ between VMs and
	 * boots: mix the MAC (unique per VM) with the clock.
	 */
	ns->isn_secret = (uint32_t)now ^ (uint32_t)(now >> 32);
	for (i = 0; i < 6; i++)
		ns->isn_secret = (ns->isn_secret ^ cfg->mac[i]) * 16777619U;
	ns->next_port = EPHEMERAL_FIRST + ns->isn_secret % 16384;
	ns->ip_id = (uint16_t)ns->isn_secret;
	ns->wake_ns = UINT64_MAX;
	if (ns->cfg.ip)
		arp_announce(ns);
	eth_flush(ns);
	return ns;
}

void net_timer_set(struct net_stack *ns, uint64_t *slot, uint64_t when)
{
	*slot = when;
	/* A poll going on finds the new deadline itself when it ends. */
	if (when && when < ns->wake_ns && !ns->polling) {
		ns->wake_ns = when;
		net_port_wake(ns);
	}
}

uint64_t net_stack_next_timer(struct net_stack *ns)
{
	uint64_t next = arp_next_timer(ns), t;

	t = tcp_next_timer(ns);
	if (t < next)
		next = t;
	t = sock_next_timer(ns);
	if (t < next)
		next = t;
	if (ns->ping_until_ns && ns->ping_until_ns < next)
		next = ns->ping_until_ns;
	return next;
}

unsigned int net_stack_poll(struct net_stack *ns)
{
	unsigned int i, count;
	uint64_t now;

	ns->polling = 1;
	for (i = 0; i < NET_BATCH; i++)
		ns->rx[i].len = NET_FRAME_MAX;
	count = net_port_recv(ns, ns->rx, NET_BATCH);
	if (count > NET_BATCH)
		count = NET_BATCH;
	ns->stats.rx_frames += count;
	for (i = 0; i < count; i++)
		eth_input(ns, ns->rx[i].data, ns->rx[i].len);

	now = net_port_now_ns();
	arp_timers(ns, now);
	tcp_timers(ns, now);
	sock_timers(ns, now);
	icmp_timers(ns, now);
	tcp_flush(ns);
	eth_flush(ns);
	ns->wake_ns = net_stack_next_timer(ns);
	ns->polling = 0;
	return count;
}

uint16_t net_ephemeral_port(struct net_stack *ns)
{
	unsigned int tries, i;
	uint16_t port;

	for (tries = 0; tries < 65536 - EPHEMERAL_FIRST; tries++) {
		port = ns->next_port++;
		if (ns->next_port < EPHEMERAL_FIRST)
			ns->next_port = EPHEMERAL_FIRST;
		if (tcp_port_in_use(ns, port))
			continue;
		for (i = 0; i < ns->socks_used; i++)
			if (ns->socks[i].type && ns->socks[i].port == port)
				break;
		if (i == ns->socks_used)
			return port;
	}
	return 0;
}
