// SPDX-License-Identifier: GPL-2.0
/*
 * The switched Ethernet LAN: every VM has a port with its own MAC, and
 * the uplink (netdev.c) joins the LAN to the host. A port's owner queues
 * frames on its send queue; one worker drains the send queues round
 * robin over the ports that have frames, so a flooding port gets one
 * turn in n like everyone else, and forwards each frame:
 *
 * - a frame whose source MAC the sender may not use is dropped and
 *   counted (spoofed): a VM sends only from its own MAC, the uplink from
 *   any unicast MAC that no VM owns;
 * - a VM's frame that claims an address the VM does not own, or that
 *   only a router or a DHCP server may send, is dropped and counted
 *   (see struct denali_port_filter);
 * - broadcast and multicast go to every port but the sender, uplink
 *   included;
 * - unicast to a VM's MAC goes to that VM only;
 * - unicast to any other MAC goes to the uplink only when that MAC was
 *   seen as a source on the uplink (a small direct-mapped table, aged
 *   after DENALI_NET_FDB_AGE); else it is dropped, interrupting nobody.
 *
 * Why learn rather than send every unknown MAC up: a VM cannot make the
 * host (or the LAN behind a bridge) see frames for addresses nobody
 * there has used, and "a frame for no port is dropped" holds for the
 * uplink too. Hosts behind the uplink make themselves known with their
 * first frame (an ARP request or reply at the latest), as on a real
 * switch; unlike one, we never flood unknown unicast.
 *
 * A frame arriving at a port goes on its receive queue, bounded in frames
 * and in bytes of buffer (full: dropped and counted), and the owner is
 * notified through the ops it gave with its port: a VM's front end
 * (hc_net.c) raises the VM's net interrupt, the uplink hands the frame to
 * the host stack. The switch knows nothing else of its owners.
 *
 * Locking: sw->lock (BH off: the uplink sends from softirq) protects the
 * port list and MAC table for writers, tx_ready and every send queue.
 * port->rxq.lock (irqs off) protects a receive queue. Both are innermost:
 * they never nest with each other or with anything else. Lookups and
 * deliveries run under rcu_read_lock() with a reference on each port
 * they touch; owners are notified with no switch lock held, so a notify
 * may take the owner's own locks (a VM's takes vm->lock and runq_lock).
 *
 * Lifetime: a port holds one reference for being on the switch and one
 * per frame in flight from or to it. denali_port_del() unlinks it, drops
 * its reference and waits for zero, so after it returns nobody notifies
 * the owner any more and the owner may be freed; the port's memory goes
 * after a grace period, for lookups that found it but lost the race.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <linux/wait_bit.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/netlink.h>

#include "net.h"
#include "trace.h"

static unsigned int rx_queue_kb = 256;
module_param(rx_queue_kb, uint, 0644);
MODULE_PARM_DESC(rx_queue_kb,
		 "Bytes of buffer (KiB) a VM's receive queue holds at most");

/* What a queued frame was charged against its receive queue's bound. */
struct denali_skb_cb {
	unsigned int charge;
};

#define DENALI_SKB_CB(skb) ((struct denali_skb_cb *)(skb)->cb)

int denali_net_check_mac(const u8 *mac, struct netlink_ext_ack *extack)
{
	if (is_zero_ether_addr(mac)) {
		NL_SET_ERR_MSG(extack, "MAC address is all zero");
		return -EINVAL;
	}
	if (is_multicast_ether_addr(mac)) {
		NL_SET_ERR_MSG(extack, "MAC address is not unicast");
		return -EINVAL;
	}
	return 0;
}

int denali_net_check_ipv4(__be32 addr, struct netlink_ext_ack *extack)
{
	if (ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr) ||
	    ipv4_is_multicast(addr) || ipv4_is_loopback(addr)) {
		NL_SET_ERR_MSG(extack, "IPv4 address is not a unicast host address");
		return -EINVAL;
	}
	return 0;
}

void denali_net_default_mac(u64 serial, u8 *mac)
{
	/* 02: locally administered, unicast; then 40 bits of the serial. */
	mac[0] = 0x02;
	mac[1] = serial >> 32;
	mac[2] = serial >> 24;
	mac[3] = serial >> 16;
	mac[4] = serial >> 8;
	mac[5] = serial;
}

bool denali_net_src_ok(bool uplink, const u8 *port_mac, const u8 *src,
		       bool src_is_vm)
{
	if (!uplink)
		return ether_addr_equal(src, port_mac);
	return is_valid_ether_addr(src) && !src_is_vm;
}

/* ARP for IPv4 over Ethernet, from the port's own MAC and address. */
static enum denali_net_verdict filter_arp(const struct denali_port_filter *f,
					  const u8 *mac, const u8 *p,
					  unsigned int len)
{
	const struct arphdr *arp = (const struct arphdr *)p;
	const u8 *sha = p + sizeof(*arp);
	__be32 spa;

	if (len < sizeof(*arp) + 2 * (ETH_ALEN + 4) ||
	    arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
		return DENALI_NET_ADDR_SPOOFED;
	memcpy(&spa, sha + ETH_ALEN, sizeof(spa));
	if (!ether_addr_equal(sha, mac))
		return DENALI_NET_ADDR_SPOOFED;
	/* An address probe (RFC 5227) names no sender address. */
	if (spa == f->ipv4 ||
	    (!spa && arp->ar_op == htons(ARPOP_REQUEST)))
		return DENALI_NET_PASS;
	return DENALI_NET_ADDR_SPOOFED;
}

static enum denali_net_verdict filter_ipv4(const struct denali_port_filter *f,
					   const u8 *p, unsigned int len)
{
	const struct iphdr *ip = (const struct iphdr *)p;
	unsigned int hlen;

	if (len < sizeof(*ip) || ip->version != 4 || ip->ihl < 5)
		return DENALI_NET_ADDR_SPOOFED;
	if (f->ipv4 && ip->saddr != f->ipv4)
		return DENALI_NET_ADDR_SPOOFED;
	/* Later fragments carry no transport header to look at. */
	if (ip->frag_off & htons(IP_OFFSET))
		return DENALI_NET_PASS;
	hlen = ip->ihl * 4;
	if (len < hlen)
		return DENALI_NET_ADDR_SPOOFED;
	p += hlen;
	len -= hlen;
	switch (ip->protocol) {
	case IPPROTO_ICMP:
		if (len < 1)
			return DENALI_NET_ROUTER;
		return p[0] == ICMP_REDIRECT ? DENALI_NET_ROUTER :
					       DENALI_NET_PASS;
	case IPPROTO_UDP:
		if (len < sizeof(struct udphdr))
			return DENALI_NET_ROUTER;
		return ((const struct udphdr *)p)->source == htons(67) ?
		       DENALI_NET_ROUTER : DENALI_NET_PASS;
	}
	return DENALI_NET_PASS;
}

/* Extension headers the walk goes through before the transport header. */
#define FILTER_IPV6_MAX_EXT	8

static enum denali_net_verdict filter_ipv6(const u8 *p, unsigned int len)
{
	const struct ipv6hdr *ip6 = (const struct ipv6hdr *)p;
	unsigned int off = sizeof(*ip6), i;
	u8 next;

	if (len < sizeof(*ip6) || ip6->version != 6)
		return DENALI_NET_ROUTER;
	next = ip6->nexthdr;
	/*
	 * A header chain that does not fit in the frame, or is too long to
	 * follow, may hide an advertisement: drop it (RFC 7112 wants the
	 * whole chain in the first fragment anyway).
	 */
	for (i = 0; ; i++) {
		const u8 *h = p + off;

		if (next == NEXTHDR_ICMP) {
			if (len < off + 1)
				return DENALI_NET_ROUTER;
			return h[0] == NDISC_ROUTER_ADVERTISEMENT ||
			       h[0] == NDISC_REDIRECT ? DENALI_NET_ROUTER :
							DENALI_NET_PASS;
		}
		if (next == NEXTHDR_UDP) {
			if (len < off + sizeof(struct udphdr))
				return DENALI_NET_ROUTER;
			return ((const struct udphdr *)h)->source ==
			       htons(547) ? DENALI_NET_ROUTER : DENALI_NET_PASS;
		}
		/* Encrypted (ESP), or nothing more: nothing to look at. */
		if (!ipv6_ext_hdr(next) || next == NEXTHDR_NONE)
			return DENALI_NET_PASS;
		if (i == FILTER_IPV6_MAX_EXT || len < off + 8)
			return DENALI_NET_ROUTER;
		if (next == NEXTHDR_FRAGMENT) {
			const struct frag_hdr *fh = (const struct frag_hdr *)h;

			if (fh->frag_off & htons(IP6_OFFSET))
				return DENALI_NET_PASS;
			off += sizeof(*fh);
		} else if (next == NEXTHDR_AUTH) {
			/* AH counts its length in 4-byte units, less two. */
			off += (h[1] + 2) << 2;
		} else {
			off += ipv6_optlen((const struct ipv6_opt_hdr *)h);
		}
		next = h[0];
	}
}

enum denali_net_verdict denali_net_filter(const struct denali_port_filter *f,
					  const u8 *mac, const u8 *frame,
					  unsigned int len)
{
	const struct ethhdr *eth = (const struct ethhdr *)frame;

	if (f->trusted)
		return DENALI_NET_PASS;
	if (len < ETH_HLEN)
		return DENALI_NET_ADDR_SPOOFED;
	frame += ETH_HLEN;
	len -= ETH_HLEN;
	switch (eth->h_proto) {
	case htons(ETH_P_8021Q):
	case htons(ETH_P_8021AD):
	case htons(ETH_P_QINQ1):
		return DENALI_NET_ADDR_SPOOFED;
	case htons(ETH_P_ARP):
		return f->ipv4 ? filter_arp(f, mac, frame, len) :
				 DENALI_NET_PASS;
	case htons(ETH_P_IP):
		return filter_ipv4(f, frame, len);
	case htons(ETH_P_IPV6):
		return filter_ipv6(frame, len);
	}
	return DENALI_NET_PASS;
}

static void switch_work(struct work_struct *work);

static u32 mac_hash(const u8 *mac)
{
	return jhash(mac, ETH_ALEN, 0);
}

static const struct rhashtable_params port_mac_params = {
	.key_len = ETH_ALEN,
	.key_offset = offsetof(struct denali_port, mac),
	.head_offset = offsetof(struct denali_port, hnode),
	.automatic_shrinking = true,
};

int denali_switch_init(struct denali_switch *sw, struct workqueue_struct *wq)
{
	int ret = rhashtable_init(&sw->by_mac, &port_mac_params);

	if (ret)
		return ret;
	spin_lock_init(&sw->lock);
	INIT_LIST_HEAD(&sw->ports);
	RCU_INIT_POINTER(sw->uplink, NULL);
	INIT_LIST_HEAD(&sw->tx_ready);
	memset(sw->fdb, 0, sizeof(sw->fdb));
	sw->wq = wq;
	INIT_WORK(&sw->work, switch_work);
	return 0;
}

void denali_switch_destroy(struct denali_switch *sw)
{
	if (sw->wq)
		cancel_work_sync(&sw->work);
	WARN_ON(!list_empty(&sw->ports));
	WARN_ON(!list_empty(&sw->tx_ready));
	rhashtable_destroy(&sw->by_mac);
}

/* A VM port by MAC; under rcu_read_lock() or sw->lock. */
static struct denali_port *sw_lookup(struct denali_switch *sw, const u8 *mac)
{
	return rhashtable_lookup_fast(&sw->by_mac, mac, port_mac_params);
}

struct denali_port *denali_port_add(struct denali_switch *sw, const u8 *mac,
				    bool uplink, u32 owner_id,
				    const struct denali_port_filter *filter,
				    const struct denali_port_ops *ops,
				    void *priv, struct denali_net_stats *stats)
{
	struct denali_port *port;
	int ret = 0;

	port = kzalloc(sizeof(*port), GFP_KERNEL_ACCOUNT);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->sw = sw;
	ether_addr_copy(port->mac, mac);
	port->uplink = uplink;
	port->owner_id = owner_id;
	refcount_set(&port->ref, 1);
	port->ops = ops;
	port->priv = priv;
	port->stats = stats;
	if (filter)
		port->filter = *filter;
	INIT_LIST_HEAD(&port->tx_node);
	skb_queue_head_init(&port->txq);
	skb_queue_head_init(&port->rxq);

	spin_lock_bh(&sw->lock);
	if (uplink && rcu_access_pointer(sw->uplink))
		ret = -EBUSY;
	else if (!uplink)
		/* -EEXIST when another port has the MAC. */
		ret = rhashtable_lookup_insert_fast(&sw->by_mac, &port->hnode,
						    port_mac_params);
	if (!ret) {
		list_add_tail_rcu(&port->node, &sw->ports);
		if (uplink)
			rcu_assign_pointer(sw->uplink, port);
	}
	spin_unlock_bh(&sw->lock);
	if (ret) {
		kfree(port);
		return ERR_PTR(ret);
	}
	return port;
}

static void port_put(struct denali_port *port)
{
	if (refcount_dec_and_test(&port->ref))
		wake_up_var(&port->ref);
}

void denali_port_del(struct denali_port *port)
{
	struct denali_switch *sw = port->sw;
	struct sk_buff_head txq;

	__skb_queue_head_init(&txq);
	spin_lock_bh(&sw->lock);
	list_del_rcu(&port->node);
	if (port->uplink)
		RCU_INIT_POINTER(sw->uplink, NULL);
	else
		rhashtable_remove_fast(&sw->by_mac, &port->hnode,
				       port_mac_params);
	list_del_init(&port->tx_node);
	skb_queue_splice_init(&port->txq, &txq);
	spin_unlock_bh(&sw->lock);
	__skb_queue_purge(&txq);

	/* Lookups that still find it fail to take a reference from here. */
	port_put(port);
	wait_var_event(&port->ref, !refcount_read(&port->ref));
	/* Nobody delivers any more: what waits is ours to free. */
	skb_queue_purge(&port->rxq);
	port->rxq_bytes = 0;
	kfree_rcu(port, rcu);
}

bool denali_port_tx_room(struct denali_port *port)
{
	return skb_queue_len_lockless(&port->txq) < DENALI_NET_TXQ_LEN;
}

int denali_port_send(struct denali_port *port, struct sk_buff *skb)
{
	struct denali_switch *sw = port->sw;
	bool kick = false;

	spin_lock_bh(&sw->lock);
	if (skb_queue_len(&port->txq) >= DENALI_NET_TXQ_LEN) {
		spin_unlock_bh(&sw->lock);
		atomic64_inc(&port->stats->tx_drops);
		trace_denali_frame_drop(port->owner_id, DENALI_DROP_TX_FULL);
		kfree_skb(skb);
		return -EAGAIN;
	}
	__skb_queue_tail(&port->txq, skb);
	if (list_empty(&port->tx_node)) {
		list_add_tail(&port->tx_node, &sw->tx_ready);
		kick = true;
	}
	spin_unlock_bh(&sw->lock);
	if (kick && sw->wq)
		queue_work(sw->wq, &sw->work);
	return 0;
}

/*
 * Queues a frame on port's receive queue and notifies the owner; takes
 * the skb either way. The caller holds a reference on the port.
 */
static void port_rx(struct denali_port *port, struct sk_buff *skb)
{
	unsigned int limit = READ_ONCE(rx_queue_kb) << 10;
	unsigned int charge = skb->truesize;
	unsigned long flags;

	spin_lock_irqsave(&port->rxq.lock, flags);
	if (skb_queue_len(&port->rxq) >= DENALI_NET_RXQ_LEN ||
	    charge > limit || port->rxq_bytes > limit - charge) {
		spin_unlock_irqrestore(&port->rxq.lock, flags);
		atomic64_inc(&port->stats->rx_drops);
		trace_denali_frame_drop(port->owner_id, DENALI_DROP_RX_FULL);
		kfree_skb(skb);
		return;
	}
	/* Linearizing may change truesize: remember what was counted. */
	DENALI_SKB_CB(skb)->charge = charge;
	port->rxq_bytes += charge;
	__skb_queue_tail(&port->rxq, skb);
	spin_unlock_irqrestore(&port->rxq.lock, flags);
	port->ops->notify(port);
}

struct sk_buff *denali_port_rx_peek(struct denali_port *port)
{
	struct sk_buff *skb;
	unsigned long flags;

	spin_lock_irqsave(&port->rxq.lock, flags);
	skb = skb_peek(&port->rxq);
	spin_unlock_irqrestore(&port->rxq.lock, flags);
	return skb;
}

void denali_port_rx_unlink(struct denali_port *port, struct sk_buff *skb)
{
	unsigned long flags;

	spin_lock_irqsave(&port->rxq.lock, flags);
	__skb_unlink(skb, &port->rxq);
	port->rxq_bytes -= DENALI_SKB_CB(skb)->charge;
	spin_unlock_irqrestore(&port->rxq.lock, flags);
}

struct sk_buff *denali_port_rx_dequeue(struct denali_port *port)
{
	struct sk_buff *skb;
	unsigned long flags;

	spin_lock_irqsave(&port->rxq.lock, flags);
	skb = __skb_dequeue(&port->rxq);
	if (skb)
		port->rxq_bytes -= DENALI_SKB_CB(skb)->charge;
	spin_unlock_irqrestore(&port->rxq.lock, flags);
	return skb;
}

/* Delivers to a port found under RCU, unless it is being deleted. */
static void port_deliver(struct denali_port *port, struct sk_buff *skb)
{
	if (!refcount_inc_not_zero(&port->ref)) {
		kfree_skb(skb);
		return;
	}
	port_rx(port, skb);
	port_put(port);
}

static struct denali_fdb_entry *fdb_slot(struct denali_switch *sw,
					 const u8 *mac)
{
	return &sw->fdb[mac_hash(mac) % DENALI_NET_FDB_SIZE];
}

/* A MAC seen as a source on the uplink; a collision evicts the older. */
static void fdb_learn(struct denali_switch *sw, const u8 *mac)
{
	struct denali_fdb_entry *e = fdb_slot(sw, mac);

	ether_addr_copy(e->mac, mac);
	/* 0 means empty; jiffies is 0 for one tick in 2^64. */
	e->seen = jiffies ?: 1;
}

static bool fdb_known(struct denali_switch *sw, const u8 *mac)
{
	struct denali_fdb_entry *e = fdb_slot(sw, mac);

	return e->seen && ether_addr_equal(e->mac, mac) &&
	       time_before(jiffies, e->seen + DENALI_NET_FDB_AGE);
}

static void sw_flood(struct denali_switch *sw, struct denali_port *src,
		     struct sk_buff *skb)
{
	struct denali_port *port;

	list_for_each_entry_rcu(port, &sw->ports, node) {
		struct sk_buff *clone;

		/* Its counters may live in a VM: touch them with a reference. */
		if (port == src || !refcount_inc_not_zero(&port->ref))
			continue;
		/* Readers never write the data: clones may share it. */
		clone = skb_clone(skb, GFP_ATOMIC);
		if (clone) {
			port_rx(port, clone);
		} else {
			atomic64_inc(&port->stats->rx_drops);
			trace_denali_frame_drop(port->owner_id, DENALI_DROP_NO_MEMORY);
		}
		port_put(port);
	}
	consume_skb(skb);
}

/* Forwards one frame from src; takes the skb. Under rcu_read_lock(). */
static void sw_forward(struct denali_switch *sw, struct denali_port *src,
		       struct sk_buff *skb)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;
	struct denali_port *dst;
	bool src_is_vm;

	src_is_vm = src->uplink && sw_lookup(sw, eth->h_source);
	if (!denali_net_src_ok(src->uplink, src->mac, eth->h_source,
			       src_is_vm)) {
		atomic64_inc(&src->stats->spoofed);
		trace_denali_frame_drop(src->owner_id, DENALI_DROP_SPOOFED);
		kfree_skb(skb);
		return;
	}
	if (!src->uplink) {
		switch (denali_net_filter(&src->filter, src->mac, skb->data,
					  skb->len)) {
		case DENALI_NET_PASS:
			break;
		case DENALI_NET_ADDR_SPOOFED:
			atomic64_inc(&src->stats->addr_spoofed);
			trace_denali_frame_drop(src->owner_id, DENALI_DROP_ADDR_SPOOFED);
			kfree_skb(skb);
			return;
		case DENALI_NET_ROUTER:
			atomic64_inc(&src->stats->router_drops);
			trace_denali_frame_drop(src->owner_id, DENALI_DROP_ROUTER);
			kfree_skb(skb);
			return;
		}
	}
	atomic64_inc(&src->stats->tx_frames);
	atomic64_add(skb->len, &src->stats->tx_bytes);
	if (src->uplink)
		fdb_learn(sw, eth->h_source);

	if (is_multicast_ether_addr(eth->h_dest)) {
		sw_flood(sw, src, skb);
		return;
	}
	dst = sw_lookup(sw, eth->h_dest);
	if (!dst && !src->uplink && fdb_known(sw, eth->h_dest))
		dst = rcu_dereference(sw->uplink);
	/* Nobody, or the sender itself: no hairpin. */
	if (!dst || dst == src) {
		consume_skb(skb);
		return;
	}
	port_deliver(dst, skb);
}

unsigned int denali_switch_drain(struct denali_switch *sw,
				 unsigned int budget)
{
	unsigned int n;

	for (n = 0; n < budget; n++) {
		struct denali_port *port;
		struct sk_buff *skb;

		spin_lock_bh(&sw->lock);
		port = list_first_entry_or_null(&sw->tx_ready,
						struct denali_port, tx_node);
		if (!port) {
			spin_unlock_bh(&sw->lock);
			break;
		}
		skb = __skb_dequeue(&port->txq);
		/* Its turn is over: to the back of the line, if it has more. */
		list_del_init(&port->tx_node);
		if (!skb_queue_empty(&port->txq))
			list_add_tail(&port->tx_node, &sw->tx_ready);
		/* On tx_ready, so not deleted yet: the count is above zero. */
		refcount_inc(&port->ref);
		spin_unlock_bh(&sw->lock);

		rcu_read_lock();
		sw_forward(sw, port, skb);
		rcu_read_unlock();
		port_put(port);
	}
	return n;
}

bool denali_switch_tx_pending(struct denali_switch *sw)
{
	bool pending;

	spin_lock_bh(&sw->lock);
	pending = !list_empty(&sw->tx_ready);
	spin_unlock_bh(&sw->lock);
	return pending;
}

static void switch_work(struct work_struct *work)
{
	struct denali_switch *sw = container_of(work, struct denali_switch,
						work);

	/* Yield between budgets: other work on this CPU, and other CPUs. */
	if (denali_switch_drain(sw, DENALI_NET_BUDGET) == DENALI_NET_BUDGET &&
	    denali_switch_tx_pending(sw))
		queue_work(sw->wq, &sw->work);
}

/* The module's switch. */
static struct denali_switch *the_switch;

struct denali_switch *denali_net_switch(void)
{
	return the_switch;
}

int denali_net_init(void)
{
	struct workqueue_struct *wq;
	struct denali_switch *sw;
	int ret;

	sw = kzalloc(sizeof(*sw), GFP_KERNEL);
	if (!sw)
		return -ENOMEM;
	/* Unbound: forwarding should not compete with a pinned runner. */
	wq = alloc_workqueue("denali_net", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
	if (!wq) {
		kfree(sw);
		return -ENOMEM;
	}
	ret = denali_switch_init(sw, wq);
	if (ret) {
		destroy_workqueue(wq);
		kfree(sw);
		return ret;
	}
	the_switch = sw;
	return 0;
}

void denali_net_exit(void)
{
	struct denali_switch *sw = the_switch;

	denali_switch_destroy(sw);
	destroy_workqueue(sw->wq);
	the_switch = NULL;
	/* kfree_rcu() of the ports must not outlive the module's code. */
	rcu_barrier();
	kfree(sw);
}
