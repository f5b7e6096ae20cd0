/* SPDX-License-Identifier: MIT */
/*
 * TCP connections (RFC 793, 1122, 6298), between tcp.c and the socket
 * layer. A connection outlives its descriptor: after net_close() it
 * finishes its FIN exchange and TIME_WAIT on its own, then frees itself.
 */
#ifndef _NET_TCP_H
#define _NET_TCP_H

#include "stack.h"

enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};

#define TCP_OOO_MAX	4	/* out-of-order ranges kept */

/* A byte ring: the send or the receive buffer. */
struct tcp_ring {
	uint8_t *data;
	uint32_t size, head, len;
};

struct tcp_conn {
	struct tcp_conn *next;		/* in ns->conns */
	struct net_stack *ns;
	struct net_sock *sock;		/* NULL once closed or not accepted */
	enum tcp_state state;
	int error;			/* what ended it: ECONNRESET, ... */
	uint16_t local_port, remote_port;
	uint32_t remote_ip;

	/* Sending: the ring holds the data from snd_buf_seq on. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t snd_buf_seq;
	uint32_t fin_seq;		/* our FIN's number, once sent */
	uint16_t mss;			/* the peer's, capped by our MTU */
	unsigned int fin_queued : 1;	/* shut down: FIN after the data */
	unsigned int fin_sent : 1;
	unsigned int fin_received : 1;	/* the peer's; the stream's end */
	unsigned int ack_due : 1;	/* tcp_flush() sends an ACK */
	unsigned int output_due : 1;	/* tcp_flush() tries to send */
	unsigned int probe : 1;		/* a zero-window probe may go */
	unsigned int rcv_closed : 1;	/* we advertised a zero window */
	struct tcp_ring snd, rcv;
	uint32_t snd_size, rcv_size;	/* the rings', once allocated */

	/* Receiving */
	uint32_t irs, rcv_nxt;
	uint32_t rcv_adv;		/* right edge of the window we gave */
	/*
	 * Data beyond a gap, already in the receive ring where it belongs
	 * (past the bytes in order): its ranges of sequence numbers,
	 * disjoint, in no order.
	 */
	struct {
		uint32_t start, end;
	} ooo[TCP_OOO_MAX];
	unsigned int ooo_count;

	/* Retransmission (RFC 6298) and the one timer of each state. */
	uint64_t timer_ns;		/* 0: not armed */
	uint64_t rto_ns, srtt_ns, rttvar_ns;
	uint64_t rtt_start_ns;		/* 0: nothing timed */
	uint32_t rtt_seq;
	unsigned int retries, dupacks;
	unsigned int recovering : 1;	/* after a fast retransmit ... */
	uint32_t recover;		/* ... until this is acknowledged */

	/* Listening: connections coming in, those done wait to be accepted. */
	struct tcp_conn *listener;	/* for those connections */
	struct tcp_conn *accept_head, *accept_tail, *accept_next;
	unsigned int backlog, pending;
};

/* The socket layer's calls; each returns 0 or a negative errno. */
int tcp_listen(struct net_stack *ns, struct net_sock *s, unsigned int backlog);
int tcp_connect(struct net_stack *ns, struct net_sock *s, uint32_t ip,
		uint16_t port);
/* The next connection done, handed to s; NULL when none waits. */
struct tcp_conn *tcp_accept(struct tcp_conn *listener, struct net_sock *s);
/* Queues up to len bytes; returns how many fit (0: the buffer is full). */
uint32_t tcp_write(struct tcp_conn *c, const void *buf, uint32_t len);
/* Takes up to len received bytes, opening the window. */
uint32_t tcp_read(struct tcp_conn *c, void *buf, uint32_t len);
void tcp_shutdown(struct tcp_conn *c);
/* The descriptor goes; the connection closes or resets on its own. */
void tcp_close(struct tcp_conn *c);
/* Whether data may still be sent / the handshake is over. */
int tcp_can_send(const struct tcp_conn *c);
int tcp_connected(const struct tcp_conn *c);
int tcp_port_in_use(struct net_stack *ns, uint16_t port);

#endif /* _NET_TCP_H */
