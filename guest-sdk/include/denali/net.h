/* SPDX-License-Identifier: MIT */
/*
 * libnet: the guest SDK's TCP/IP stack (Ethernet II, ARP, IPv4, ICMP echo,
 * UDP, TCP) over the Denali virtual NIC, with a blocking socket API for
 * the cooperative threads of <thread.h>, as Ilwaco gave its guests.
 *
 * One interface per VM, configured from the boot command line. A network
 * thread started by net_start() receives frames and runs the protocol
 * timers; socket calls do their sending in the calling thread and block
 * on condition variables. Addresses and ports are in host byte order.
 * Calls return a negative errno (<errno.h>) on failure. None may be made
 * from an upcall handler.
 */
#ifndef _DENALI_NET_H
#define _DENALI_NET_H

#include <stddef.h>
#include <stdint.h>

#define NET_SOCK_STREAM		1	/* TCP */
#define NET_SOCK_DGRAM		2	/* UDP */

#define NET_SOCKETS_MAX		256	/* descriptors per VM */
#define NET_TCP_CONNS_MAX	512	/* TCP connections, TIME_WAIT too */
#define NET_TCP_SNDBUF		8192	/* bytes queued per TCP socket */
#define NET_TCP_RCVBUF		8192	/* receive window per TCP socket */
#define NET_TCP_BUF_MIN		1024	/* for net_set_buffers() */
#define NET_TCP_BUF_MAX		65535	/* no window scaling */
#define NET_UDP_QUEUE		8	/* datagrams waiting per UDP socket */

#define NET_IPV4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define NET_IPV4_STRLEN		16	/* "255.255.255.255" and its NUL */

struct net_config {
	uint32_t ip;		/* 0: none, the stack drops IPv4 */
	uint32_t netmask;
	uint32_t gateway;	/* 0: on-link destinations only */
	uint8_t mac[6];
	uint16_t mtu;		/* IP packet size; at most 1500 */
};

/*
 * Counters, for tests and for diagnosing a guest. Every frame dropped is
 * counted under one reason.
 */
struct net_stats {
	uint32_t rx_frames, tx_frames;
	uint32_t tx_dropped;		/* the NIC's send queue stayed full */
	uint32_t rx_not_ours;		/* another MAC, or another IP */
	uint32_t rx_malformed;		/* too short, bad lengths or fields */
	uint32_t rx_unknown_proto;	/* EtherType or IP protocol */
	uint32_t arp_requests, arp_replies, arp_failed;
	uint32_t arp_conflicts;		/* someone else claims our IP */
	uint32_t ip_bad_checksum;
	uint32_t ip_fragments;		/* dropped: we do not reassemble */
	uint32_t ip_no_route;
	uint32_t icmp_echo_replies;	/* sent in answer to pings */
	uint32_t udp_bad_checksum, udp_no_port, udp_queue_full;
	uint32_t tcp_bad_checksum;
	uint32_t tcp_resets_sent, tcp_retransmits, tcp_backlog_full;
	uint32_t tcp_zero_windows;	/* times we advertised none */
	uint32_t tcp_out_of_order;	/* segments kept past a gap */
};

/*
 * Reads the words "ip=A.B.C.D/LEN" and "gw=A.B.C.D" from a command line
 * into cfg's ip, netmask and gateway, leaving its other fields; other
 * words are ignored. Returns 0, or -EINVAL for a malformed ip= or gw=.
 */
int net_config_parse(const char *cmdline, struct net_config *cfg);

/*
 * Copies the value of the word "key=value" in cmdline into buf (size
 * bytes, NUL-terminated, cut to fit). Returns the value's length, or
 * -ENOENT when no word has that key.
 */
int net_cmdline_value(const char *cmdline, const char *key, char *buf,
		      size_t size);

/*
 * Parses a dotted quad at s into *ip; returns the character after it,
 * or NULL when there is none.
 */
const char *net_parse_ipv4(const char *s, uint32_t *ip);
/* Formats ip into buf (NET_IPV4_STRLEN bytes) and returns buf. */
char *net_format_ipv4(uint32_t ip, char *buf);

/*
 * Brings the interface up: MAC and MTU from the virtual registers, the
 * addresses from the command line, a gratuitous ARP, the network thread.
 * Call once, from main(), before any other call here. Returns 0 or
 * -EINVAL (no usable ip=), -ENOMEM.
 */
int net_start(void);

void net_get_config(struct net_config *cfg);
void net_get_stats(struct net_stats *stats);

/* A descriptor for a new TCP or UDP socket, or -EMFILE, -ENOMEM. */
int net_socket(int type);
/* The local port; 0 picks a free one. -EADDRINUSE when taken. */
int net_bind(int fd, uint16_t port);
/* A bound TCP socket takes connections, backlog at most not accepted. */
int net_listen(int fd, int backlog);
/* Waits for a connection; returns its descriptor. ip, port may be NULL. */
int net_accept(int fd, uint32_t *ip, uint16_t *port);
/*
 * Connects a TCP socket, waiting for the handshake: 0, -ECONNREFUSED,
 * -ETIMEDOUT. A UDP socket only sets the destination of net_send().
 */
int net_connect(int fd, uint32_t ip, uint16_t port);
/*
 * TCP: queues all of buf, waiting for room; returns len, what went before
 * an error, or -EPIPE, -ECONNRESET. UDP: one datagram to the connected
 * destination.
 */
long net_send(int fd, const void *buf, size_t len);
/*
 * TCP: waits for data; returns 1..len bytes, 0 at the end of the stream,
 * or -ECONNRESET, -ETIMEDOUT (see net_set_timeout()). UDP: one datagram.
 */
long net_recv(int fd, void *buf, size_t len);
/* UDP datagrams: -EMSGSIZE when len does not fit in one packet. */
long net_sendto(int fd, const void *buf, size_t len, uint32_t ip,
		uint16_t port);
/* A datagram longer than len is cut; ip and port may be NULL. */
long net_recvfrom(int fd, void *buf, size_t len, uint32_t *ip,
		  uint16_t *port);
/* TCP: no more sending; the FIN follows the data queued. */
int net_shutdown(int fd);
/*
 * Frees the descriptor. A TCP connection is closed in the background
 * (FIN after the data queued), or reset when received data was unread.
 */
int net_close(int fd);
/*
 * Waits until every closed TCP connection has had its data and its FIN
 * acknowledged (it sits in FIN_WAIT_2 or TIME_WAIT, or is gone), for at
 * most msec milliseconds: a program calls it before it terminates, since
 * the connections die with the VM. Returns 0 or -ETIMEDOUT.
 */
int net_linger(uint32_t msec);
/*
 * Sizes a TCP socket's send and receive buffers (NET_TCP_BUF_MIN to
 * NET_TCP_BUF_MAX), before net_connect() or net_listen(); a listener's
 * connections get its sizes. Bigger buffers, more throughput per round
 * trip, more memory per connection. -EISCONN when too late.
 */
int net_set_buffers(int fd, uint32_t snd, uint32_t rcv);
/*
 * Limits how long net_accept(), net_recv() and net_recvfrom() wait;
 * 0 (the default) waits for ever. They return -ETIMEDOUT.
 */
int net_set_timeout(int fd, uint32_t msec);

/*
 * Sends one ICMP echo request and waits for its reply: 0 with the round
 * trip in *rtt_ns, or -ETIMEDOUT, -ENETUNREACH.
 */
int net_ping(uint32_t ip, uint16_t seq, uint32_t timeout_ms,
	     uint64_t *rtt_ns);

#endif /* _DENALI_NET_H */
