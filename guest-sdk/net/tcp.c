/* SPDX-License-Identifier: MIT */
/*
 * TCP (RFC 793 with RFC 1122's corrections, RFC 6298 timers, RFC 5961's
 * checks against blind resets): the state machine, with both opens and
 * every closing state, the MSS option, flow control by the peer's window
 * (with zero-window probes) and by ours (with receiver-side silly window
 * avoidance), and retransmission on timeout or three duplicate ACKs.
 *
 * The receiver keeps data that comes after a gap in its ring, where it
 * belongs, and remembers a few such ranges. The sender retransmits one
 * segment after three duplicate ACKs and one more for each partial ACK
 * that follows (RFC 6582's NewReno, without its congestion window), and
 * goes back to the oldest unacknowledged byte on a timeout. No SACK:
 * the windows are small.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tcp.h"

#define SEQ_LT(a, b)		((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b)		((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)		((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b)		((int32_t)((a) - (b)) >= 0)

#define TCP_MSS_DEFAULT		536	/* without the option (RFC 1122) */
#define TCP_OPT_EOL		0
#define TCP_OPT_NOP		1
#define TCP_OPT_MSS		2
#define TCP_OPT_MSS_LEN		4

#define TCP_RTO_INIT_NS		(1 * NSEC_PER_SEC)
#define TCP_RTO_MIN_NS		(200 * NSEC_PER_MSEC)
#define TCP_RTO_MAX_NS		(60 * NSEC_PER_SEC)
#define TCP_SYN_RETRIES		5
#define TCP_RETRIES		8
#define TCP_TIME_WAIT_NS	(30 * NSEC_PER_SEC)	/* 2 MSL */
/* How long a closed connection waits for the peer's FIN. */
#define TCP_FIN_WAIT_2_NS	(60 * NSEC_PER_SEC)
#define TCP_DUPACKS		3

/* What tcp_input() needs of a segment, in host order. */
struct tcp_seg {
	uint32_t src, seq, ack;
	uint16_t sport, dport, win, mss;
	uint8_t flags;
	const uint8_t *data;
	uint32_t len;
};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Byte rings */

static uint32_t ring_write(struct tcp_ring *r, const uint8_t *src, uint32_t n)
{
	uint32_t tail, first;

	n = min_u32(n, r->size - r->len);
	if (!n)
		return 0;
	tail = (r->head + r->len) % r->size;
	first = min_u32(n, r->size - tail);
	memcpy(r->data + tail, src, first);
	memcpy(r->data, src + first, n - first);
	r->len += n;
	return n;
}

/* Copies n bytes from off bytes past the head; the caller checked. */
static void ring_peek(const struct tcp_ring *r, uint32_t off, uint8_t *dst,
		      uint32_t n)
{
	uint32_t start, first;

	if (!n)
		return;
	start = (r->head + off) % r->size;
	first = min_u32(n, r->size - start);
	memcpy(dst, r->data + start, first);
	memcpy(dst + first, r->data, n - first);
}

/* Writes n bytes off bytes past the ring's end; the caller checked. */
static void ring_put(struct tcp_ring *r, uint32_t off, const uint8_t *src,
		     uint32_t n)
{
	uint32_t start, first;

	if (!n)
		return;
	start = (r->head + r->len + off) % r->size;
	first = min_u32(n, r->size - start);
	memcpy(r->data + start, src, first);
	memcpy(r->data, src + first, n - first);
}

static void ring_drop(struct tcp_ring *r, uint32_t n)
{
	if (!n)
		return;
	r->head = (r->head + n) % r->size;
	r->len -= n;
}

static int ring_alloc(struct tcp_ring *r, uint32_t size)
{
	r->data = malloc(size);
	r->size = size;
	r->head = 0;
	r->len = 0;
	return r->data ? 0 : -ENOMEM;
}

static void ring_free(struct tcp_ring *r)
{
	free(r->data);
	r->data = NULL;
	r->size = 0;
	r->len = 0;
}

/* Connections */

static void conn_wake(struct tcp_conn *c)
{
	if (c->sock)
		sock_wake(c->sock);
}

static void conn_unqueue(struct tcp_conn *c)
{
	struct tcp_conn *l = c->listener, **pp;

	for (pp = &l->accept_head; *pp; pp = &(*pp)->accept_next) {
		if (*pp == c) {
			*pp = c->accept_next;
			break;
		}
	}
	l->accept_tail = NULL;
	for (c = l->accept_head; c; c = c->accept_next)
		l->accept_tail = c;
}

static void conn_free(struct tcp_conn *c)
{
	struct net_stack *ns = c->ns;
	struct tcp_conn **pp;

	if (c->listener) {
		conn_unqueue(c);
		c->listener->pending--;
	}
	for (pp = &ns->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ns->conn_count--;
	ring_free(&c->snd);
	ring_free(&c->rcv);
	free(c);
}

/* A new connection, making room by ending the oldest TIME_WAIT. */
static struct tcp_conn *conn_new(struct net_stack *ns, uint16_t local_port)
{
	struct tcp_conn *c, *oldest = NULL;

	if (ns->conn_count >= NET_TCP_CONNS_MAX) {
		for (c = ns->conns; c; c = c->next)
			if (c->state == TCP_TIME_WAIT &&
			    (!oldest || c->timer_ns < oldest->timer_ns))
				oldest = c;
		if (!oldest)
			return NULL;
		conn_free(oldest);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ns = ns;
	c->local_port = local_port;
	c->rto_ns = TCP_RTO_INIT_NS;
	c->next = ns->conns;
	ns->conns = c;
	ns->conn_count++;
	return c;
}

static int conn_buffers(struct tcp_conn *c)
{
	if (ring_alloc(&c->snd, c->snd_size) ||
	    ring_alloc(&c->rcv, c->rcv_size)) {
		ring_free(&c->snd);
		ring_free(&c->rcv);
		return -ENOMEM;
	}
	return 0;
}

/* Unguessable per connection pair (RFC 6528), moving with the clock. */
static uint32_t tcp_iss(struct net_stack *ns, uint32_t ip, uint16_t lport,
			uint16_t rport)
{
	uint32_t h = ns->isn_secret;

	h = (h ^ ip) * 16777619U;
	h = (h ^ ((uint32_t)lport << 16 | rport)) * 16777619U;
	h ^= h >> 15;
	return h + (uint32_t)(net_port_now_ns() / 4000);
}

static void conn_set_timer(struct tcp_conn *c, uint64_t delay_ns)
{
	net_timer_set(c->ns, &c->timer_ns, net_port_now_ns() + delay_ns);
}

/* Done with: the descriptor's owner finds the error, or it goes now. */
static void conn_closed(struct tcp_conn *c, int error)
{
	c->state = TCP_CLOSED;
	c->timer_ns = 0;
	if (error)
		c->error = error;
	if (c->sock)
		conn_wake(c);
	else
		conn_free(c);
}

static void conn_time_wait(struct tcp_conn *c)
{
	c->state = TCP_TIME_WAIT;
	conn_set_timer(c, TCP_TIME_WAIT_NS);
	/* Nothing more goes either way; an orphan needs no buffers. */
	if (!c->sock) {
		ring_free(&c->snd);
		ring_free(&c->rcv);
	}
	conn_wake(c);
}

/* Output */

static uint16_t our_mss(struct net_stack *ns)
{
	return (uint16_t)(ipv4_payload_max(ns) - TCP_HLEN);
}

/*
 * Sends one segment; data comes from the send ring at data_off. Returns
 * ipv4_output()'s answer.
 */
static int tcp_emit(struct net_stack *ns, uint16_t sport, uint32_t dst,
		    uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		    uint16_t win, const struct tcp_ring *ring,
		    uint32_t data_off, uint32_t len)
{
	struct tcp_hdr *th = (struct tcp_hdr *)ipv4_payload(ns);
	unsigned int hlen = TCP_HLEN;
	uint8_t *opt = (uint8_t *)(th + 1);
	uint16_t mss;

	if (flags & TCP_SYN) {
		mss = our_mss(ns);
		opt[0] = TCP_OPT_MSS;
		opt[1] = TCP_OPT_MSS_LEN;
		opt[2] = mss >> 8;
		opt[3] = mss & 0xff;
		hlen += TCP_OPT_MSS_LEN;
	}
	th->sport = net_htons(sport);
	th->dport = net_htons(dport);
	th->seq = net_htonl(seq);
	th->ack = net_htonl(flags & TCP_ACK ? ack : 0);
	th->off = (uint8_t)(hlen / 4) << 4;
	th->flags = flags;
	th->win = net_htons(win);
	th->csum = 0;
	th->urg = 0;
	if (len)
		ring_peek(ring, data_off, (uint8_t *)th + hlen, len);
	th->csum = net_csum_fold(net_csum_add(net_csum_pseudo(
		net_htonl(ns->cfg.ip), net_htonl(dst), IP_PROTO_TCP,
		(uint16_t)(hlen + len)), th, hlen + len));
	return ipv4_output(ns, dst, IP_PROTO_TCP, hlen + len);
}

/*
 * The window to offer: the free receive space, but the right edge moves
 * only by a worthwhile amount (RFC 1122 4.2.3.3) and never back.
 */
static uint32_t rcv_window(const struct tcp_conn *c)
{
	uint32_t space = c->rcv.size - c->rcv.len;
	uint32_t promised = SEQ_GT(c->rcv_adv, c->rcv_nxt) ?
			    c->rcv_adv - c->rcv_nxt : 0;

	if (space - promised < min_u32(c->rcv.size / 2, c->mss))
		return promised;
	return space;
}

static int conn_emit(struct tcp_conn *c, uint32_t seq, uint8_t flags,
		     uint32_t data_off, uint32_t len)
{
	struct net_stack *ns = c->ns;
	uint32_t win;

	/* A passive open offers the buffer it will have once established. */
	if (c->rcv.size)
		win = rcv_window(c);
	else
		win = c->state == TCP_SYN_RECEIVED ? c->rcv_size : 0;
	if (!win && c->rcv.size && !c->rcv_closed)
		ns->stats.tcp_zero_windows++;
	c->rcv_closed = !win;
	if (SEQ_GT(c->rcv_nxt + win, c->rcv_adv) || !win)
		c->rcv_adv = c->rcv_nxt + win;
	c->ack_due = 0;
	return tcp_emit(ns, c->local_port, c->remote_ip, c->remote_port, seq,
			c->rcv_nxt, flags, (uint16_t)win, &c->snd, data_off,
			len);
}

static void conn_reset(struct tcp_conn *c)
{
	c->ns->stats.tcp_resets_sent++;
	tcp_emit(c->ns, c->local_port, c->remote_ip, c->remote_port,
		 c->snd_nxt, 0, TCP_RST, 0, NULL, 0, 0);
}

/* Sends what the windows allow, an ACK if one is due, and arms timers. */
static void tcp_output(struct tcp_conn *c)
{
	uint32_t off, avail, wnd_end, usable, n;
	int sent = 0, fin;
	uint8_t flags;

	c->output_due = 0;
	switch (c->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
		c->ack_due = 0;
		return;
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
		if (c->snd_nxt == c->iss) {
			flags = c->state == TCP_SYN_SENT ? TCP_SYN :
				TCP_SYN | TCP_ACK;
			conn_emit(c, c->iss, flags, 0, 0);
			c->snd_nxt = c->snd_max = c->iss + 1;
			if (!c->timer_ns)
				conn_set_timer(c, c->rto_ns);
		} else if (c->ack_due && c->state == TCP_SYN_RECEIVED) {
			conn_emit(c, c->snd_nxt, TCP_ACK, 0, 0);
		}
		return;
	case TCP_TIME_WAIT:
		if (c->ack_due)
			conn_emit(c, c->snd_nxt, TCP_ACK, 0, 0);
		return;
	default:
		break;
	}

	for (;;) {
		off = c->snd_nxt - c->snd_buf_seq;
		if (off > c->snd.len)
			break;		/* the FIN is out */
		avail = c->snd.len - off;
		wnd_end = c->snd_una + c->snd_wnd;
		usable = SEQ_GT(wnd_end, c->snd_nxt) ? wnd_end - c->snd_nxt : 0;
		n = min_u32(min_u32(avail, c->mss), usable);
		if (!n && avail && c->probe)
			n = 1;		/* into a closed window, on purpose */
		c->probe = 0;
		fin = c->fin_queued && n == avail;
		if (!n && !fin)
			break;
		flags = TCP_ACK;
		if (n && n == avail)
			flags |= TCP_PSH;
		if (fin)
			flags |= TCP_FIN;
		if (conn_emit(c, c->snd_nxt, flags, off, n))
			break;
		/* Time one new segment at a time, never a resent one (Karn). */
		if (n && !c->rtt_start_ns && c->snd_nxt == c->snd_max) {
			c->rtt_start_ns = net_port_now_ns();
			c->rtt_seq = c->snd_nxt + n;
		}
		c->snd_nxt += n + (fin ? 1 : 0);
		if (fin) {
			c->fin_sent = 1;
			c->fin_seq = c->snd_nxt - 1;
		}
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		sent = 1;
		if (fin)
			break;
	}
	if (c->ack_due && !sent)
		conn_emit(c, c->snd_nxt, TCP_ACK, 0, 0);
	/* Retransmission, or the persist timer of a closed window. */
	if (!c->timer_ns && (c->snd_nxt != c->snd_una ||
			     (c->snd.len && !c->snd_wnd)))
		conn_set_timer(c, c->rto_ns);
}

/* Sends the oldest unacknowledged segment again, and the FIN with it. */
static void tcp_resend_first(struct tcp_conn *c)
{
	uint32_t off = c->snd_una - c->snd_buf_seq, n = 0;
	uint8_t flags = TCP_ACK;

	if (off <= c->snd.len)
		n = min_u32(c->mss, c->snd.len - off);
	if (c->fin_sent && c->snd_una + n == c->fin_seq)
		flags |= TCP_FIN;
	if (!n && !(flags & TCP_FIN))
		return;
	c->ns->stats.tcp_retransmits++;
	c->rtt_start_ns = 0;
	conn_emit(c, c->snd_una, flags, off, n);
}

/* A reset for a segment no connection wants (RFC 793 p. 65). */
static void tcp_reset_reply(struct net_stack *ns, const struct tcp_seg *seg)
{
	uint32_t ack;

	if (seg->flags & TCP_RST)
		return;
	ns->stats.tcp_resets_sent++;
	if (seg->flags & TCP_ACK) {
		tcp_emit(ns, seg->dport, seg->src, seg->sport, seg->ack, 0,
			 TCP_RST, 0, NULL, 0, 0);
		return;
	}
	ack = seg->seq + seg->len + !!(seg->flags & TCP_SYN) +
	      !!(seg->flags & TCP_FIN);
	tcp_emit(ns, seg->dport, seg->src, seg->sport, 0, ack,
		 TCP_RST | TCP_ACK, 0, NULL, 0, 0);
}

/* Input */

/* The peer's MSS option; 0 when absent or malformed. */
static uint16_t parse_mss(const uint8_t *opt, unsigned int len)
{
	unsigned int i = 0, olen;

	while (i < len) {
		if (opt[i] == TCP_OPT_EOL)
			break;
		if (opt[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			break;
		if (opt[i] == TCP_OPT_MSS && olen == TCP_OPT_MSS_LEN)
			return (uint16_t)(opt[i + 2] << 8 | opt[i + 3]);
		i += olen;
	}
	return 0;
}

static void set_mss(struct tcp_conn *c, uint16_t peer_mss)
{
	uint16_t mss = peer_mss ? peer_mss : TCP_MSS_DEFAULT;

	/* A peer asking for tiny segments would make us send thousands. */
	if (mss < 64)
		mss = 64;
	c->mss = mss < our_mss(c->ns) ? mss : our_mss(c->ns);
}

static struct tcp_conn *tcp_lookup(struct net_stack *ns,
				   const struct tcp_seg *seg)
{
	struct tcp_conn *c, *listener = NULL;

	for (c = ns->conns; c; c = c->next) {
		if (c->local_port != seg->dport)
			continue;
		if (c->state == TCP_LISTEN)
			listener = c;
		else if (c->remote_ip == seg->src &&
			 c->remote_port == seg->sport)
			return c;
	}
	return listener;
}

/* The RTO from the estimates, without any backoff (RFC 6298 2.3). */
static void rto_reset(struct tcp_conn *c)
{
	c->rto_ns = c->srtt_ns + 4 * c->rttvar_ns;
	if (c->rto_ns < TCP_RTO_MIN_NS)
		c->rto_ns = TCP_RTO_MIN_NS;
	if (c->rto_ns > TCP_RTO_MAX_NS)
		c->rto_ns = TCP_RTO_MAX_NS;
}

static void rtt_sample(struct tcp_conn *c, uint64_t r)
{
	uint64_t delta;

	if (!c->srtt_ns) {
		c->srtt_ns = r;
		c->rttvar_ns = r / 2;
	} else {
		delta = c->srtt_ns > r ? c->srtt_ns - r : r - c->srtt_ns;
		c->rttvar_ns = (3 * c->rttvar_ns + delta) / 4;
		c->srtt_ns = (7 * c->srtt_ns + r) / 8;
	}
	rto_reset(c);
}

static void input_listen(struct tcp_conn *l, const struct tcp_seg *seg)
{
	struct net_stack *ns = l->ns;
	struct tcp_conn *c;

	if (seg->flags & TCP_RST)
		return;
	if (seg->flags & TCP_ACK) {
		tcp_reset_reply(ns, seg);
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	/* Full: the SYN goes unanswered and the peer tries again later. */
	if (l->pending >= l->backlog) {
		ns->stats.tcp_backlog_full++;
		return;
	}
	/* The buffers come with the handshake's end: a SYN costs no more. */
	c = conn_new(ns, l->local_port);
	if (!c)
		return;
	c->listener = l;
	l->pending++;
	c->snd_size = l->snd_size;
	c->rcv_size = l->rcv_size;
	c->remote_ip = seg->src;
	c->remote_port = seg->sport;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = tcp_iss(ns, seg->src, c->local_port, seg->sport);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_buf_seq = c->iss + 1;
	c->snd_wnd = seg->win;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = c->iss;
	set_mss(c, seg->mss);
	c->state = TCP_SYN_RECEIVED;
	tcp_output(c);
}

static void input_syn_sent(struct tcp_conn *c, const struct tcp_seg *seg)
{
	if ((seg->flags & TCP_ACK) &&
	    (SEQ_LEQ(seg->ack, c->iss) || SEQ_GT(seg->ack, c->snd_max))) {
		tcp_reset_reply(c->ns, seg);
		return;
	}
	if (seg->flags & TCP_RST) {
		if (seg->flags & TCP_ACK)
			conn_closed(c, ECONNREFUSED);
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	set_mss(c, seg->mss);
	c->snd_wnd = seg->win;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	c->timer_ns = 0;
	c->retries = 0;
	if (!(seg->flags & TCP_ACK)) {
		/* Simultaneous open: answer with a SYN-ACK. */
		c->state = TCP_SYN_RECEIVED;
		c->snd_nxt = c->iss;
		tcp_output(c);
		return;
	}
	if (c->rtt_start_ns)
		rtt_sample(c, net_port_now_ns() - c->rtt_start_ns);
	c->rtt_start_ns = 0;
	c->snd_una = seg->ack;
	c->state = TCP_ESTABLISHED;
	c->ack_due = 1;
	conn_wake(c);
}

/* The ACK field of a segment in a synchronized state; 0: drop it. */
static int input_ack(struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t acked;

	if (SEQ_GT(seg->ack, c->snd_max)) {
		c->ack_due = 1;		/* acks what we never sent */
		return 0;
	}
	if (SEQ_GT(seg->ack, c->snd_una)) {
		if (c->rtt_start_ns && SEQ_GEQ(seg->ack, c->rtt_seq)) {
			rtt_sample(c, net_port_now_ns() - c->rtt_start_ns);
			c->rtt_start_ns = 0;
		}
		acked = 0;
		if (SEQ_GT(seg->ack, c->snd_buf_seq))
			acked = min_u32(seg->ack - c->snd_buf_seq, c->snd.len);
		ring_drop(&c->snd, acked);
		c->snd_buf_seq += acked;
		c->snd_una = seg->ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		/*
		 * The peer is alive: undo the backoff now, not at the next
		 * RTT sample, which Karn's rule may hold off for long.
		 */
		c->retries = 0;
		c->dupacks = 0;
		c->timer_ns = 0;
		if (c->srtt_ns)
			rto_reset(c);
		c->output_due = 1;	/* rearms the timer if in flight */
		if (acked)
			conn_wake(c);
		/* A partial ACK: the next hole is at snd_una now. */
		if (c->recovering && SEQ_LT(seg->ack, c->recover))
			tcp_resend_first(c);
		else
			c->recovering = 0;
	} else if (seg->ack == c->snd_una && !seg->len &&
		   seg->win == c->snd_wnd && c->snd_nxt != c->snd_una &&
		   !(seg->flags & TCP_FIN)) {
		/* Fast retransmit: the rest got there, or comes again. */
		if (++c->dupacks == TCP_DUPACKS && !c->recovering) {
			c->recovering = 1;
			c->recover = c->snd_max;
			tcp_resend_first(c);
		}
	}
	if (SEQ_LT(c->snd_wl1, seg->seq) ||
	    (c->snd_wl1 == seg->seq && SEQ_LEQ(c->snd_wl2, seg->ack))) {
		if (seg->win > c->snd_wnd)
			c->output_due = 1;
		c->snd_wnd = seg->win;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
	}

	if (!c->fin_sent || SEQ_LEQ(c->snd_una, c->fin_seq))
		return 1;
	/* Our FIN is acknowledged. */
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		c->state = TCP_FIN_WAIT_2;
		if (!c->sock)
			conn_set_timer(c, TCP_FIN_WAIT_2_NS);
		conn_wake(c);
		break;
	case TCP_CLOSING:
		conn_time_wait(c);
		break;
	case TCP_LAST_ACK:
		conn_closed(c, 0);
		return 0;
	default:
		break;
	}
	return 1;
}

/* Notes [start, end) as received, merging it with what it touches. */
static void ooo_add(struct tcp_conn *c, uint32_t start, uint32_t end)
{
	unsigned int i = 0;

	while (i < c->ooo_count) {
		if (SEQ_GT(start, c->ooo[i].end) ||
		    SEQ_GT(c->ooo[i].start, end)) {
			i++;
			continue;
		}
		if (SEQ_LT(c->ooo[i].start, start))
			start = c->ooo[i].start;
		if (SEQ_GT(c->ooo[i].end, end))
			end = c->ooo[i].end;
		c->ooo[i] = c->ooo[--c->ooo_count];
	}
	/* No room: the bytes stay in the ring unrecorded, and come again. */
	if (c->ooo_count < TCP_OOO_MAX) {
		c->ooo[c->ooo_count].start = start;
		c->ooo[c->ooo_count].end = end;
		c->ooo_count++;
	}
}

/* The gap before some ranges closed: their bytes join those in order. */
static void ooo_advance(struct tcp_conn *c)
{
	unsigned int i = 0;

	while (i < c->ooo_count) {
		if (SEQ_GT(c->ooo[i].start, c->rcv_nxt)) {
			i++;
			continue;
		}
		if (SEQ_GT(c->ooo[i].end, c->rcv_nxt)) {
			c->rcv.len += c->ooo[i].end - c->rcv_nxt;
			c->rcv_nxt = c->ooo[i].end;
		}
		c->ooo[i] = c->ooo[--c->ooo_count];
		i = 0;		/* rcv_nxt moved: look at every range again */
	}
}

/*
 * Data past a gap goes where it belongs in the ring, as far as the
 * window reaches. Byte s of the stream always sits rcv.len + (s -
 * rcv_nxt) past the ring's head: appending in order and reading both
 * keep that true.
 */
static void ooo_store(struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t off = seg->seq - c->rcv_nxt;
	uint32_t space = c->rcv.size - c->rcv.len;
	uint32_t n = seg->len;

	if (off >= space)
		return;
	if (n > space - off)
		n = space - off;
	ring_put(&c->rcv, off, seg->data, n);
	ooo_add(c, seg->seq, seg->seq + n);
	c->ns->stats.tcp_out_of_order++;
}

/* Data and FIN; earlier bytes were trimmed off already. */
static void input_data(struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t n = 0;

	if (seg->len) {
		c->ack_due = 1;
		if (seg->seq != c->rcv_nxt) {
			/* A gap: the ACK repeats rcv_nxt, the sender resends. */
			ooo_store(c, seg);
			return;
		}
		n = ring_write(&c->rcv, seg->data, seg->len);
		c->rcv_nxt += n;
		if (n) {
			ooo_advance(c);
			conn_wake(c);
		}
	}
	if (!(seg->flags & TCP_FIN) || n != seg->len ||
	    seg->seq + n != c->rcv_nxt)
		return;
	c->rcv_nxt++;
	c->fin_received = 1;
	c->ack_due = 1;
	switch (c->state) {
	case TCP_ESTABLISHED:
		c->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		c->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		conn_time_wait(c);
		break;
	default:
		break;
	}
	conn_wake(c);
}

static void input_synchronized(struct tcp_conn *c, struct tcp_seg *seg)
{
	struct net_stack *ns = c->ns;
	uint32_t wnd = c->rcv.size - c->rcv.len, dup;

	if (seg->flags & TCP_RST) {
		/* TIME_WAIT outlives resets (RFC 1337). */
		if (c->state == TCP_TIME_WAIT)
			return;
		/* Only exactly at rcv_nxt: others may be blind guesses
		 * (RFC 5961). */
		if (seg->seq != c->rcv_nxt) {
			if (SEQ_GT(seg->seq, c->rcv_nxt) &&
			    SEQ_LT(seg->seq, c->rcv_nxt + wnd))
				c->ack_due = 1;
			return;
		}
		if (c->state == TCP_SYN_RECEIVED && c->listener)
			conn_free(c);
		else
			conn_closed(c, c->state == TCP_SYN_RECEIVED ?
				    ECONNREFUSED : ECONNRESET);
		return;
	}
	if (seg->flags & TCP_SYN) {
		/* The peer missed our SYN-ACK and asks again. */
		if (c->state == TCP_SYN_RECEIVED && seg->seq == c->irs) {
			c->snd_nxt = c->iss;
			c->output_due = 1;
		} else {
			c->ack_due = 1;		/* challenge ACK */
		}
		return;
	}

	/* Cut off what we have already, then what the window cannot take. */
	if (SEQ_LT(seg->seq, c->rcv_nxt)) {
		dup = c->rcv_nxt - seg->seq;
		if (dup >= seg->len) {
			if (dup > seg->len)
				seg->flags &= ~TCP_FIN;
			dup = seg->len;
			c->ack_due = 1;
		}
		seg->data += dup;
		seg->len -= dup;
		seg->seq += dup;
	}
	if (SEQ_GT(seg->seq, c->rcv_nxt + wnd)) {
		c->ack_due = 1;		/* beyond the window: not acceptable */
		return;
	}
	if (!(seg->flags & TCP_ACK))
		return;

	if (c->state == TCP_SYN_RECEIVED) {
		if (SEQ_LEQ(seg->ack, c->snd_una) ||
		    SEQ_GT(seg->ack, c->snd_max)) {
			tcp_reset_reply(ns, seg);
			return;
		}
		if (!c->rcv.data && conn_buffers(c)) {
			conn_reset(c);
			conn_free(c);
			return;
		}
		c->state = TCP_ESTABLISHED;
		c->timer_ns = 0;
		if (c->listener) {
			struct tcp_conn *l = c->listener;

			if (l->accept_tail)
				l->accept_tail->accept_next = c;
			else
				l->accept_head = c;
			l->accept_tail = c;
			conn_wake(l);
		}
		conn_wake(c);
	}
	if (!input_ack(c, seg))
		return;

	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
		/* Closed for reading: data now can only be reset (RFC 2525). */
		if (!c->sock && seg->len && !c->listener) {
			conn_reset(c);
			conn_closed(c, ECONNRESET);
			return;
		}
		input_data(c, seg);
		break;
	default:
		break;
	}
	/* A FIN again: our ACK was lost; ACK it again, wait 2 MSL again. */
	if (c->state == TCP_TIME_WAIT && c->ack_due)
		conn_set_timer(c, TCP_TIME_WAIT_NS);
}

void tcp_input(struct net_stack *ns, uint32_t src, uint32_t dst,
	       const uint8_t *pkt, unsigned int len)
{
	const struct tcp_hdr *th = (const struct tcp_hdr *)pkt;
	struct tcp_seg seg;
	struct tcp_conn *c;
	unsigned int hlen;

	if (len < TCP_HLEN) {
		ns->stats.rx_malformed++;
		return;
	}
	hlen = (th->off >> 4) * 4u;
	if (hlen < TCP_HLEN || hlen > len) {
		ns->stats.rx_malformed++;
		return;
	}
	if (net_csum_fold(net_csum_add(net_csum_pseudo(net_htonl(src),
						       net_htonl(dst),
						       IP_PROTO_TCP,
						       (uint16_t)len),
				       pkt, len))) {
		ns->stats.tcp_bad_checksum++;
		return;
	}
	seg.src = src;
	seg.sport = net_ntohs(th->sport);
	seg.dport = net_ntohs(th->dport);
	seg.seq = net_ntohl(th->seq);
	seg.ack = net_ntohl(th->ack);
	seg.flags = th->flags;
	seg.win = net_ntohs(th->win);
	seg.mss = (th->flags & TCP_SYN) ?
		  parse_mss(pkt + TCP_HLEN, hlen - TCP_HLEN) : 0;
	seg.data = pkt + hlen;
	seg.len = len - hlen;

	c = tcp_lookup(ns, &seg);
	/*
	 * A new SYN beyond an orphan's TIME_WAIT: the peer reuses its port
	 * with a later ISN, and the listener may have it (RFC 1122 4.2.2.13).
	 */
	if (c && c->state == TCP_TIME_WAIT && !c->sock &&
	    (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    SEQ_GT(seg.seq, c->rcv_nxt)) {
		conn_free(c);
		c = tcp_lookup(ns, &seg);
	}
	if (!c) {
		tcp_reset_reply(ns, &seg);
		return;
	}
	switch (c->state) {
	case TCP_LISTEN:
		input_listen(c, &seg);
		break;
	case TCP_SYN_SENT:
		input_syn_sent(c, &seg);
		break;
	case TCP_CLOSED:
		/* Reset, its descriptor not closed yet: it knows nothing. */
		tcp_reset_reply(ns, &seg);
		break;
	default:
		input_synchronized(c, &seg);
	}
}

void tcp_flush(struct net_stack *ns)
{
	struct tcp_conn *c;

	for (c = ns->conns; c; c = c->next)
		if (c->ack_due || c->output_due)
			tcp_output(c);
}

/* Timers */

static void tcp_timeout(struct tcp_conn *c)
{
	struct net_stack *ns = c->ns;
	unsigned int limit;

	c->timer_ns = 0;
	switch (c->state) {
	case TCP_TIME_WAIT:
	case TCP_FIN_WAIT_2:
		conn_closed(c, 0);
		return;
	case TCP_CLOSED:
	case TCP_LISTEN:
		return;
	default:
		break;
	}
	if (c->snd_nxt == c->snd_una && !(c->snd.len && !c->snd_wnd))
		return;		/* everything arrived meanwhile */

	if (c->state != TCP_SYN_SENT && c->state != TCP_SYN_RECEIVED &&
	    !c->snd_wnd && c->snd.len) {
		/* Probe the closed window; a live peer answers, so no limit. */
		c->probe = 1;
	} else {
		limit = c->state == TCP_SYN_SENT ||
			c->state == TCP_SYN_RECEIVED ? TCP_SYN_RETRIES :
			TCP_RETRIES;
		if (++c->retries > limit) {
			if (c->state != TCP_SYN_SENT)
				conn_reset(c);
			if (c->state == TCP_SYN_RECEIVED && c->listener)
				conn_free(c);
			else
				conn_closed(c, ETIMEDOUT);
			return;
		}
		ns->stats.tcp_retransmits++;
		c->dupacks = 0;
	}
	c->snd_nxt = c->state == TCP_SYN_SENT ||
		     c->state == TCP_SYN_RECEIVED ? c->iss : c->snd_una;
	c->recovering = 0;
	c->rtt_start_ns = 0;
	c->rto_ns *= 2;
	if (c->rto_ns > TCP_RTO_MAX_NS)
		c->rto_ns = TCP_RTO_MAX_NS;
	tcp_output(c);
}

void tcp_timers(struct net_stack *ns, uint64_t now)
{
	struct tcp_conn *c, *next;

	for (c = ns->conns; c; c = next) {
		next = c->next;
		if (c->timer_ns && c->timer_ns <= now)
			tcp_timeout(c);
	}
}

uint64_t tcp_next_timer(struct net_stack *ns)
{
	uint64_t next = UINT64_MAX;
	struct tcp_conn *c;

	for (c = ns->conns; c; c = c->next)
		if (c->timer_ns && c->timer_ns < next)
			next = c->timer_ns;
	return next;
}

/* The socket layer's side */

int tcp_port_in_use(struct net_stack *ns, uint16_t port)
{
	struct tcp_conn *c;

	for (c = ns->conns; c; c = c->next)
		if (c->local_port == port)
			return 1;
	return 0;
}

int tcp_listen(struct net_stack *ns, struct net_sock *s, unsigned int backlog)
{
	struct tcp_conn *c;

	for (c = ns->conns; c; c = c->next)
		if (c->state == TCP_LISTEN && c->local_port == s->port)
			return -EADDRINUSE;
	c = conn_new(ns, s->port);
	if (!c)
		return -ENOMEM;
	c->snd_size = s->snd_size;
	c->rcv_size = s->rcv_size;
	c->state = TCP_LISTEN;
	c->backlog = backlog;
	c->sock = s;
	s->conn = c;
	return 0;
}

int tcp_connect(struct net_stack *ns, struct net_sock *s, uint32_t ip,
		uint16_t port)
{
	struct tcp_conn *c;
	int ret;

	for (c = ns->conns; c; c = c->next)
		if (c->local_port == s->port && c->remote_ip == ip &&
		    c->remote_port == port)
			return -EADDRINUSE;
	c = conn_new(ns, s->port);
	if (!c)
		return -ENOMEM;
	c->snd_size = s->snd_size;
	c->rcv_size = s->rcv_size;
	if (conn_buffers(c)) {
		conn_free(c);
		return -ENOMEM;
	}
	c->remote_ip = ip;
	c->remote_port = port;
	c->iss = tcp_iss(ns, ip, s->port, port);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_buf_seq = c->iss + 1;
	c->mss = our_mss(ns);
	c->state = TCP_SYN_SENT;
	/* ARP may hold the SYN; only a missing route fails at once. */
	ret = conn_emit(c, c->iss, TCP_SYN, 0, 0);
	if (ret) {
		conn_free(c);
		return ret;
	}
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->rtt_start_ns = net_port_now_ns();
	c->rtt_seq = c->snd_nxt;
	conn_set_timer(c, c->rto_ns);
	c->sock = s;
	s->conn = c;
	return 0;
}

struct tcp_conn *tcp_accept(struct tcp_conn *l, struct net_sock *s)
{
	struct tcp_conn *c = l->accept_head;

	if (!c)
		return NULL;
	l->accept_head = c->accept_next;
	if (!l->accept_head)
		l->accept_tail = NULL;
	c->accept_next = NULL;
	c->listener = NULL;
	l->pending--;
	c->sock = s;
	s->conn = c;
	return c;
}

int tcp_can_send(const struct tcp_conn *c)
{
	return (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) &&
	       !c->fin_queued;
}

int tcp_connected(const struct tcp_conn *c)
{
	return c->state != TCP_SYN_SENT && c->state != TCP_SYN_RECEIVED;
}

uint32_t tcp_write(struct tcp_conn *c, const void *buf, uint32_t len)
{
	uint32_t n = ring_write(&c->snd, buf, len);

	if (n)
		tcp_output(c);
	return n;
}

uint32_t tcp_read(struct tcp_conn *c, void *buf, uint32_t len)
{
	uint32_t n = min_u32(len, c->rcv.len), edge;

	ring_peek(&c->rcv, 0, buf, n);
	ring_drop(&c->rcv, n);
	/* Tell a sender waiting on our window that it opened. */
	edge = c->rcv_nxt + rcv_window(c);
	if (n && !c->fin_received && SEQ_GT(edge, c->rcv_adv) &&
	    c->state != TCP_CLOSED) {
		c->ack_due = 1;
		tcp_output(c);
	}
	return n;
}

void tcp_shutdown(struct tcp_conn *c)
{
	switch (c->state) {
	case TCP_ESTABLISHED:
		c->state = TCP_FIN_WAIT_1;
		break;
	case TCP_CLOSE_WAIT:
		c->state = TCP_LAST_ACK;
		break;
	default:
		return;
	}
	c->fin_queued = 1;
	tcp_output(c);
}

void tcp_close(struct tcp_conn *c)
{
	struct tcp_conn *child, *next;

	c->sock = NULL;
	switch (c->state) {
	case TCP_LISTEN:
		for (child = c->ns->conns; child; child = next) {
			next = child->next;
			if (child->listener != c)
				continue;
			conn_reset(child);
			conn_free(child);
		}
		conn_free(c);
		return;
	case TCP_CLOSED:
	case TCP_SYN_SENT:
		conn_free(c);
		return;
	case TCP_TIME_WAIT:
		ring_free(&c->snd);
		ring_free(&c->rcv);
		return;
	case TCP_FIN_WAIT_2:
		conn_set_timer(c, TCP_FIN_WAIT_2_NS);
		return;
	default:
		break;
	}
	/* Unread data: the peer must learn it was not taken (RFC 2525). */
	if (c->rcv.len || c->state == TCP_SYN_RECEIVED) {
		conn_reset(c);
		conn_free(c);
		return;
	}
	tcp_shutdown(c);
}
