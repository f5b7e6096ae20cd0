/* SPDX-License-Identifier: MIT */
/*
 * The stack's insides, shared by its files: wire formats, the per-VM
 * state (struct net_stack) and the calls between layers. Everything runs
 * in thread context, one thread at a time (the threads are cooperative),
 * so nothing here takes locks; the mutex in struct net_stack exists only
 * because condition variables want one.
 */
#ifndef _NET_STACK_H
#define _NET_STACK_H

#include <stddef.h>
#include <stdint.h>
#include <thread.h>
#include <denali/net.h>
#include "port.h"

#define NET_FRAME_MAX		1514	/* DENALI_FRAME_MAX */
#define NET_BATCH		64	/* DENALI_NET_BATCH_MAX */
#define NET_MTU_DEFAULT		1500
#define NET_MTU_MIN		576	/* what every IPv4 host must take */

#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

/* Network byte order: the guest and the host tests are little-endian. */
static inline uint16_t net_htons(uint16_t v) { return __builtin_bswap16(v); }
static inline uint16_t net_ntohs(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t net_htonl(uint32_t v) { return __builtin_bswap32(v); }
static inline uint32_t net_ntohl(uint32_t v) { return __builtin_bswap32(v); }

/* Wire formats; packed because the IP header follows 14 bytes of Ethernet. */
#define ETH_HLEN		14
#define ETH_TYPE_IPV4		0x0800
#define ETH_TYPE_ARP		0x0806

struct eth_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t type;
} __attribute__((packed));

struct arp_pkt {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6];
	uint32_t spa;
	uint8_t tha[6];
	uint32_t tpa;
} __attribute__((packed));

#define IP_HLEN			20
#define IP_PROTO_ICMP		1
#define IP_PROTO_TCP		6
#define IP_PROTO_UDP		17
#define IP_FLAG_MF		0x2000
#define IP_FRAG_OFFSET		0x1fff
#define IP_TTL			64

struct ip_hdr {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t len;
	uint16_t id;
	uint16_t frag;
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t src, dst;
} __attribute__((packed));

#define ICMP_ECHO_REPLY		0
#define ICMP_ECHO_REQUEST	8

struct icmp_echo {
	uint8_t type, code;
	uint16_t csum;
	uint16_t id, seq;
} __attribute__((packed));

#define UDP_HLEN		8

struct udp_hdr {
	uint16_t sport, dport;
	uint16_t len;
	uint16_t csum;
} __attribute__((packed));

#define TCP_HLEN		20
#define TCP_FIN			0x01
#define TCP_SYN			0x02
#define TCP_RST			0x04
#define TCP_PSH			0x08
#define TCP_ACK			0x10

struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off;		/* header length in words, high nibble */
	uint8_t flags;
	uint16_t win;
	uint16_t csum;
	uint16_t urg;
} __attribute__((packed));

/* ARP */
#define ARP_CACHE_SIZE		64
#define ARP_PENDING_MAX		16	/* frames held for addresses in ARP */

enum arp_state { ARP_FREE, ARP_RESOLVING, ARP_RESOLVED };

struct arp_entry {
	enum arp_state state;
	uint32_t ip;
	uint8_t mac[6];
	unsigned int tries;	/* requests sent while resolving */
	uint64_t timer_ns;	/* next retry, or expiry when resolved */
};

struct arp_held {
	uint32_t next_hop;	/* 0: slot free */
	unsigned int len;
	uint8_t frame[NET_FRAME_MAX];
};

/* UDP and TCP sockets behind the descriptors. */
struct tcp_conn;

struct udp_datagram {
	uint32_t ip;
	uint16_t port;
	uint16_t len;
	uint8_t data[NET_MTU_DEFAULT - IP_HLEN - UDP_HLEN];
};

struct net_sock {
	int type;			/* NET_SOCK_*; 0: descriptor free */
	unsigned int generation;	/* counts closes: the slot's reuse */
	uint16_t port;			/* bound local port, 0: none */
	uint32_t peer_ip;		/* UDP: net_connect()'s destination */
	uint16_t peer_port;
	uint64_t timeout_ns;		/* net_set_timeout(); 0: none */
	uint32_t snd_size, rcv_size;	/* TCP: net_set_buffers() */
	uint64_t wait_until_ns;		/* a blocked call's deadline, or 0 */
	struct thread_cond wait;	/* threads blocked on this socket */
	struct tcp_conn *conn;		/* TCP: NULL before connect/listen */
	/* UDP: a ring of received datagrams */
	struct udp_datagram *queue;
	unsigned int queue_head, queue_len;
};

/* The state of one VM's stack. */
struct net_stack {
	struct net_config cfg;
	void *port;			/* the porting layer's */
	struct net_stats stats;
	struct thread_mutex lock;	/* for the condition variables */

	/* Frames built and not yet handed to the NIC. */
	struct net_frame tx[NET_BATCH];
	unsigned int tx_count;
	uint8_t tx_buf[NET_BATCH][NET_FRAME_MAX];
	struct net_frame rx[NET_BATCH];
	uint8_t rx_buf[NET_BATCH][NET_FRAME_MAX];

	struct arp_entry arp[ARP_CACHE_SIZE];
	struct arp_held arp_held[ARP_PENDING_MAX];

	uint16_t ip_id;

	/* net_ping(): one echo outstanding at a time. */
	struct thread_cond ping_wait;
	int ping_busy, ping_answered;
	uint16_t ping_seq;
	uint64_t ping_sent_ns, ping_until_ns, ping_rtt_ns;

	struct net_sock socks[NET_SOCKETS_MAX];
	unsigned int socks_used;	/* slots beyond are all free */
	struct tcp_conn *conns;		/* every TCP connection */
	unsigned int conn_count;
	uint16_t next_port;		/* ephemeral ports, cycling */
	uint32_t isn_secret;

	uint64_t wake_ns;		/* when net_stack_poll() is due next */
	int polling;			/* in net_stack_poll() */
};

/* stack.c */
struct net_stack *net_stack_create(const struct net_config *cfg,
				   void *port);
/*
 * Receives one batch of frames, runs the timers that are due and sends
 * what that produced. Returns the frames received (NET_BATCH: more may
 * wait).
 */
unsigned int net_stack_poll(struct net_stack *ns);
/* When net_stack_poll() must run next; UINT64_MAX: only for frames. */
uint64_t net_stack_next_timer(struct net_stack *ns);
/* Arms a protocol timer: *slot = when (0 is off), waking the loop. */
void net_timer_set(struct net_stack *ns, uint64_t *slot, uint64_t when);
uint16_t net_ephemeral_port(struct net_stack *ns);

/* checksum.c: the Internet checksum (RFC 1071) */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t net_csum_fold(uint32_t sum);
/* The TCP/UDP pseudo-header's sum (addresses in network order). */
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len);

/* eth.c */
void eth_input(struct net_stack *ns, uint8_t *frame, unsigned int len);
/* A buffer for the next frame to send; eth_commit() queues it. */
uint8_t *eth_frame(struct net_stack *ns);
void eth_commit(struct net_stack *ns, const uint8_t *dst_mac,
		uint16_t type, unsigned int len);
/* Queues a frame built elsewhere (its Ethernet header complete). */
void eth_queue(struct net_stack *ns, const uint8_t *frame, unsigned int len);
void eth_flush(struct net_stack *ns);
extern const uint8_t eth_broadcast[6];

/* arp.c */
void arp_input(struct net_stack *ns, const uint8_t *pkt, unsigned int len);
/*
 * Sends the frame in eth_frame() (its payload built, len bytes with the
 * Ethernet header) to next_hop, holding it while ARP resolves.
 */
void arp_output(struct net_stack *ns, uint32_t next_hop, uint16_t type,
		unsigned int len);
void arp_announce(struct net_stack *ns);
void arp_timers(struct net_stack *ns, uint64_t now);
uint64_t arp_next_timer(struct net_stack *ns);

/* ipv4.c */
void ipv4_input(struct net_stack *ns, const uint8_t *pkt, unsigned int len);
/* Where the payload of the packet being built goes: in eth_frame(). */
uint8_t *ipv4_payload(struct net_stack *ns);
/* Payload bytes that fit in one packet. */
unsigned int ipv4_payload_max(struct net_stack *ns);
/* Sends the packet whose payload is in ipv4_payload(). */
int ipv4_output(struct net_stack *ns, uint32_t dst, uint8_t proto,
		unsigned int len);
int ipv4_is_broadcast(struct net_stack *ns, uint32_t ip);

/* icmp.c */
void icmp_input(struct net_stack *ns, uint32_t src, const uint8_t *pkt,
		unsigned int len);
void icmp_timers(struct net_stack *ns, uint64_t now);

/* udp.c */
void udp_input(struct net_stack *ns, uint32_t src, uint32_t dst,
	       const uint8_t *pkt, unsigned int len);
int udp_output(struct net_stack *ns, uint16_t sport, uint32_t dst,
	       uint16_t dport, const void *data, unsigned int len);

/* tcp.c */
void tcp_input(struct net_stack *ns, uint32_t src, uint32_t dst,
	       const uint8_t *pkt, unsigned int len);
void tcp_timers(struct net_stack *ns, uint64_t now);
uint64_t tcp_next_timer(struct net_stack *ns);
/* Sends what the last input made due: ACKs, data into opened windows. */
void tcp_flush(struct net_stack *ns);

/* socket.c */
/* A socket's state changed: its blocked threads look again. */
void sock_wake(struct net_sock *s);
void sock_timers(struct net_stack *ns, uint64_t now);
uint64_t sock_next_timer(struct net_stack *ns);

#endif /* _NET_STACK_H */
