/* SPDX-License-Identifier: MIT */
/*
 * ICMP: echo replies, and the echo requests of net_ping(). Other
 * messages are read and ignored; errors for our own sockets would need
 * the offending packet's ports, and the timeouts catch those cases.
 */
#include <errno.h>
#include <string.h>
#include "stack.h"

#define ICMP_PING_ID	0x444e		/* "DN": our requests */

void icmp_input(struct net_stack *ns, uint32_t src, const uint8_t *pkt,
		unsigned int len)
{
	const struct icmp_echo *req = (const struct icmp_echo *)pkt;
	struct icmp_echo *rep;

	if (len < sizeof(*req) || net_csum_fold(net_csum_add(0, pkt, len))) {
		ns->stats.rx_malformed++;
		return;
	}
	if (req->type == ICMP_ECHO_REPLY && req->code == 0) {
		if (ns->ping_busy && !ns->ping_answered &&
		    net_ntohs(req->id) == ICMP_PING_ID &&
		    net_ntohs(req->seq) == ns->ping_seq) {
			ns->ping_answered = 1;
			ns->ping_rtt_ns = net_port_now_ns() - ns->ping_sent_ns;
			thread_cond_broadcast(&ns->ping_wait);
		}
		return;
	}
	if (req->type != ICMP_ECHO_REQUEST || req->code != 0 ||
	    len > ipv4_payload_max(ns))
		return;
	rep = (struct icmp_echo *)ipv4_payload(ns);
	memcpy(rep, pkt, len);
	rep->type = ICMP_ECHO_REPLY;
	rep->csum = 0;
	rep->csum = net_csum_fold(net_csum_add(0, rep, len));
	if (ipv4_output(ns, src, IP_PROTO_ICMP, len) == 0)
		ns->stats.icmp_echo_replies++;
}

void icmp_timers(struct net_stack *ns, uint64_t now)
{
	if (ns->ping_busy && ns->ping_until_ns && now >= ns->ping_until_ns)
		thread_cond_broadcast(&ns->ping_wait);
}

int net_ping(uint32_t ip, uint16_t seq, uint32_t timeout_ms,
	     uint64_t *rtt_ns)
{
	struct net_stack *ns = net_port_stack();
	static const char pattern[] = "denali libnet ping";
	struct icmp_echo *req;
	int ret;

	thread_mutex_lock(&ns->lock);
	while (ns->ping_busy)
		thread_cond_wait(&ns->ping_wait, &ns->lock);
	ns->ping_busy = 1;
	ns->ping_answered = 0;
	ns->ping_seq = seq;

	req = (struct icmp_echo *)ipv4_payload(ns);
	req->type = ICMP_ECHO_REQUEST;
	req->code = 0;
	req->id = net_htons(ICMP_PING_ID);
	req->seq = net_htons(seq);
	req->csum = 0;
	memcpy(req + 1, pattern, sizeof(pattern));
	req->csum = net_csum_fold(net_csum_add(0, req, sizeof(*req) +
					       sizeof(pattern)));
	ns->ping_sent_ns = net_port_now_ns();
	ret = ipv4_output(ns, ip, IP_PROTO_ICMP,
			  sizeof(*req) + sizeof(pattern));
	eth_flush(ns);
	if (ret == 0) {
		net_timer_set(ns, &ns->ping_until_ns, ns->ping_sent_ns +
			      (uint64_t)timeout_ms * NSEC_PER_MSEC);
		while (!ns->ping_answered &&
		       net_port_now_ns() < ns->ping_until_ns)
			thread_cond_wait(&ns->ping_wait, &ns->lock);
		ret = ns->ping_answered ? 0 : -ETIMEDOUT;
		if (ret == 0 && rtt_ns)
			*rtt_ns = ns->ping_rtt_ns;
	}
	ns->ping_until_ns = 0;
	ns->ping_busy = 0;
	thread_cond_broadcast(&ns->ping_wait);
	thread_mutex_unlock(&ns->lock);
	return ret;
}
