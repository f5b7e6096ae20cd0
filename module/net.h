/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_NET_H
#define _DENALI_NET_H

#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct denali_port;
struct netlink_ext_ack;

/* What every virtual NIC is given in its virtual registers. */
#define DENALI_NET_MTU		1500

/*
 * Per-port queue bounds, in frames. 256 covers four full send or receive
 * batches: enough for a guest that idles between bursts. A receive
 * queue is bounded in bytes of buffer too (module parameter
 * rx_queue_kb), so that a VM which never reads pins little memory
 * however its senders size their frames.
 */
#define DENALI_NET_RXQ_LEN	256
#define DENALI_NET_TXQ_LEN	256

/* Uplink source MACs remembered, and for how long after last seen. */
#define DENALI_NET_FDB_SIZE	256
#define DENALI_NET_FDB_AGE	(300 * HZ)

/* Frames one run of the worker forwards before it yields. */
#define DENALI_NET_BUDGET	64

/*
 * A port's counters. Each is updated by one side only most of the time
 * (the owner for rx and tx, the worker for drops), but not always, so
 * they are atomic; readers take a snapshot.
 */
struct denali_net_stats {
	atomic64_t rx_frames;	/* handed to the port's owner */
	atomic64_t rx_bytes;
	atomic64_t tx_frames;	/* forwarded by the switch */
	atomic64_t tx_bytes;
	atomic64_t rx_drops;	/* receive queue full, or frame too long */
	atomic64_t tx_drops;	/* send queue full */
	atomic64_t spoofed;	/* sent with a source MAC not the port's */
	atomic64_t addr_spoofed; /* IPv4 or ARP sender not the VM's own */
	atomic64_t router_drops; /* a router's or DHCP server's frame */
};

/*
 * What a VM port may send beyond its own source MAC. A VM given an IPv4
 * address owns it: its ARP and IPv4 must come from that address (ARP
 * probes from 0.0.0.0 too), and it sends no VLAN-tagged frames, which
 * would hide what they carry. No VM may act as a router or a DHCP
 * server: router advertisements, ICMP and ICMPv6 redirects, and DHCP
 * and DHCPv6 server replies are dropped. A trusted VM (one that routes)
 * is exempt from all of it.
 */
struct denali_port_filter {
	__be32 ipv4;		/* 0: no address of its own */
	bool trusted;
};

enum denali_net_verdict {
	DENALI_NET_PASS,
	DENALI_NET_ADDR_SPOOFED,
	DENALI_NET_ROUTER,
};

/* The filter's verdict on a frame of len bytes a VM port with mac sends. */
enum denali_net_verdict denali_net_filter(const struct denali_port_filter *f,
					  const u8 *mac, const u8 *frame,
					  unsigned int len);

struct denali_port_ops {
	/*
	 * Frames wait on port->rxq. Called by the worker with no switch lock
	 * held, inside an RCU read-side section and with a reference on the
	 * port: it must not sleep.
	 */
	void (*notify)(struct denali_port *port);
};

struct denali_port {
	struct denali_switch *sw;
	/* A VM port's MAC; the uplink carries many, see net.c. */
	u8 mac[ETH_ALEN];
	bool uplink;
	/* Who owns it, for tracing: a VM's id, 0 for the uplink. */
	u32 owner_id;
	/*
	 * One reference for being on the switch, one per frame being
	 * forwarded from or to it. denali_port_del() waits for zero.
	 */
	refcount_t ref;
	const struct denali_port_ops *ops;
	void *priv;
	struct denali_net_stats *stats;
	struct denali_port_filter filter;	/* VM ports; fixed */

	struct rhash_head hnode;	/* sw->by_mac (VM ports), RCU */
	struct list_head node;		/* sw->ports, RCU */
	struct list_head tx_node;	/* sw->tx_ready, under sw->lock */
	struct sk_buff_head txq;	/* under sw->lock */
	/*
	 * Frames for the owner and their buffers' bytes; its own lock (the
	 * owner reads it).
	 */
	struct sk_buff_head rxq;
	unsigned int rxq_bytes;
	struct rcu_head rcu;
};

struct denali_fdb_entry {
	u8 mac[ETH_ALEN];
	unsigned long seen;		/* jiffies; 0: empty slot */
};

/*
 * The switch. tx_ready holds the ports with frames to send, in
 * round-robin order; the worker takes one frame from the first and moves
 * it to the tail.
 */
struct denali_switch {
	/* ports, by_mac, uplink, tx_ready and every port's txq. */
	spinlock_t lock;
	struct list_head ports;
	/* VM ports by MAC: grows with them, a lookup costs the same. */
	struct rhashtable by_mac;
	struct denali_port __rcu *uplink;
	struct list_head tx_ready;
	/* Only the draining context touches it; see denali_switch_drain(). */
	struct denali_fdb_entry fdb[DENALI_NET_FDB_SIZE];
	/* NULL: nobody drains by itself (KUnit calls denali_switch_drain()). */
	struct workqueue_struct *wq;
	struct work_struct work;
};

/* MAC checks for a VM's address; 0 or -EINVAL with a message. */
int denali_net_check_mac(const u8 *mac, struct netlink_ext_ack *extack);
/* A VM's own IPv4 address must be a unicast host address. */
int denali_net_check_ipv4(__be32 addr, struct netlink_ext_ack *extack);
/* The locally administered unicast MAC of the VM with this serial. */
void denali_net_default_mac(u64 serial, u8 *mac);

/*
 * The anti-spoofing rule: a VM port sends only from its own MAC; the
 * uplink, which bridges many hosts, from any unicast MAC that no VM owns.
 */
bool denali_net_src_ok(bool uplink, const u8 *port_mac, const u8 *src,
		       bool src_is_vm);

int denali_switch_init(struct denali_switch *sw,
		       struct workqueue_struct *wq);
/* Every port must be gone. */
void denali_switch_destroy(struct denali_switch *sw);

/*
 * Adds a port: a VM's with its MAC (-EEXIST when another VM has it) and
 * filter, or the uplink (-EBUSY when there is one; filter NULL). The
 * switch tells the owner of frames through ops, with priv in the port.
 * Process context.
 */
struct denali_port *denali_port_add(struct denali_switch *sw, const u8 *mac,
				    bool uplink, u32 owner_id,
				    const struct denali_port_filter *filter,
				    const struct denali_port_ops *ops,
				    void *priv, struct denali_net_stats *stats);
/*
 * Takes the port off the switch, waits until no frame is being forwarded
 * to or from it, purges its queues and frees it. May sleep; it never
 * waits for the caller's own VM, so a runner may call it.
 */
void denali_port_del(struct denali_port *port);

/* True when the send queue has room for one more frame (a hint). */
bool denali_port_tx_room(struct denali_port *port);
/*
 * Queues a frame of at least ETH_HLEN bytes, linear header, for the
 * worker; takes the skb either way. -EAGAIN (counted in tx_drops) when
 * the send queue is full. Process or softirq context.
 */
int denali_port_send(struct denali_port *port, struct sk_buff *skb);

/*
 * The owner's side of the receive queue. Peek leaves the oldest frame
 * queued (the owner is the only reader, so it stays the oldest) and
 * unlink takes it off; dequeue does both.
 */
struct sk_buff *denali_port_rx_peek(struct denali_port *port);
void denali_port_rx_unlink(struct denali_port *port, struct sk_buff *skb);
struct sk_buff *denali_port_rx_dequeue(struct denali_port *port);

/*
 * Forwards up to budget frames, round robin over the sending ports;
 * returns how many it took. One caller at a time (the work item, which
 * never runs twice at once, or a test).
 */
unsigned int denali_switch_drain(struct denali_switch *sw,
				 unsigned int budget);
bool denali_switch_tx_pending(struct denali_switch *sw);

/* The module's switch. */
int denali_net_init(void);
void denali_net_exit(void);
struct denali_switch *denali_net_switch(void);

#endif /* _DENALI_NET_H */
