// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the switch: MAC checks, the anti-spoofing rule, and a
 * switch object with test ports for the forwarding decisions, queue
 * bounds and drop counters, the round-robin drain order and port
 * teardown. No VM and no worker: the test drains.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <asm/unaligned.h>
#include <linux/denali_abi.h>

#include "net.h"

static const u8 mac_a[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0a };
static const u8 mac_b[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0b };
static const u8 mac_c[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0c };
static const u8 mac_d[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0d };
static const u8 mac_host[ETH_ALEN] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const u8 mac_other[ETH_ALEN] = { 0x52, 0x54, 0, 0x65, 0x43, 0x21 };
static const u8 mac_up[ETH_ALEN] = { 0x06, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const u8 mac_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8 mac_mcast[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0, 0, 0xfb };
static const u8 mac_zero[ETH_ALEN];

/* --- pure checks --- */

static void net_check_mac(struct kunit *test)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, denali_net_check_mac(mac_a, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	/* Globally administered unicast is the operator's business. */
	KUNIT_EXPECT_EQ(test, denali_net_check_mac(mac_host, NULL), 0);

	KUNIT_EXPECT_EQ(test, denali_net_check_mac(mac_zero, &extack), -EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "MAC address is all zero");
	extack._msg = NULL;
	KUNIT_EXPECT_EQ(test, denali_net_check_mac(mac_bcast, &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "MAC address is not unicast");
	extack._msg = NULL;
	KUNIT_EXPECT_EQ(test, denali_net_check_mac(mac_mcast, &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "MAC address is not unicast");
	/* The group bit alone makes it multicast. */
	KUNIT_EXPECT_EQ(test,
			denali_net_check_mac((const u8[]){ 0x03, 0, 0, 0, 0, 1 },
					     NULL), -EINVAL);
}

static void net_default_mac(struct kunit *test)
{
	u8 one[ETH_ALEN], two[ETH_ALEN], big[ETH_ALEN];

	denali_net_default_mac(1, one);
	denali_net_default_mac(2, two);
	denali_net_default_mac(0x123456789aULL, big);
	KUNIT_EXPECT_EQ(test, denali_net_check_mac(one, NULL), 0);
	KUNIT_EXPECT_EQ(test, denali_net_check_mac(big, NULL), 0);
	/* Locally administered, so it never clashes with real hardware. */
	KUNIT_EXPECT_TRUE(test, one[0] & 0x02);
	KUNIT_EXPECT_FALSE(test, ether_addr_equal(one, two));
	KUNIT_EXPECT_EQ(test, one[5], 1);
	KUNIT_EXPECT_EQ(test, big[1], 0x12);
	KUNIT_EXPECT_EQ(test, big[5], 0x9a);
}

static void net_src_rule(struct kunit *test)
{
	/* A VM sends from its own MAC and nothing else. */
	KUNIT_EXPECT_TRUE(test, denali_net_src_ok(false, mac_a, mac_a, true));
	KUNIT_EXPECT_FALSE(test, denali_net_src_ok(false, mac_a, mac_b, true));
	KUNIT_EXPECT_FALSE(test,
			   denali_net_src_ok(false, mac_a, mac_host, false));
	KUNIT_EXPECT_FALSE(test,
			   denali_net_src_ok(false, mac_a, mac_bcast, false));
	/* The uplink: any unicast MAC that is no VM's. */
	KUNIT_EXPECT_TRUE(test, denali_net_src_ok(true, mac_up, mac_host,
						  false));
	KUNIT_EXPECT_TRUE(test, denali_net_src_ok(true, mac_up, mac_up, false));
	KUNIT_EXPECT_FALSE(test, denali_net_src_ok(true, mac_up, mac_a, true));
	KUNIT_EXPECT_FALSE(test, denali_net_src_ok(true, mac_up, mac_bcast,
						   false));
	KUNIT_EXPECT_FALSE(test, denali_net_src_ok(true, mac_up, mac_mcast,
						   false));
	KUNIT_EXPECT_FALSE(test, denali_net_src_ok(true, mac_up, mac_zero,
						   false));
}

/* --- a switch with test ports --- */

struct tport {
	struct denali_port *port;
	struct denali_net_stats stats;
	int notified;
};

struct tnet {
	struct denali_switch *sw;
	struct tport a, b, c, d, up;
};

static void tport_notify(struct denali_port *port)
{
	struct tport *tp = port->priv;

	tp->notified++;
}

static const struct denali_port_ops tport_ops = {
	.notify = tport_notify,
};

static void tport_add(struct kunit *test, struct denali_switch *sw,
		      struct tport *tp, const u8 *mac, bool uplink)
{
	tp->port = denali_port_add(sw, mac, uplink, 0, NULL, &tport_ops, tp,
				   &tp->stats);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tp->port));
}

static void tport_del(struct tport *tp)
{
	if (tp->port)
		denali_port_del(tp->port);
	tp->port = NULL;
}

static int tnet_init(struct kunit *test)
{
	struct tnet *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->sw = kunit_kzalloc(test, sizeof(*t->sw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->sw);
	KUNIT_ASSERT_EQ(test, denali_switch_init(t->sw, NULL), 0);
	tport_add(test, t->sw, &t->a, mac_a, false);
	tport_add(test, t->sw, &t->b, mac_b, false);
	tport_add(test, t->sw, &t->c, mac_c, false);
	tport_add(test, t->sw, &t->up, mac_up, true);
	test->priv = t;
	return 0;
}

static void tnet_exit(struct kunit *test)
{
	struct tnet *t = test->priv;

	if (!t)
		return;
	tport_del(&t->a);
	tport_del(&t->b);
	tport_del(&t->c);
	tport_del(&t->d);
	tport_del(&t->up);
	denali_switch_destroy(t->sw);
}

/* A minimal frame, with a tag byte after the header to tell it apart. */
static struct sk_buff *frame(struct kunit *test, const u8 *dst, const u8 *src,
			     u8 tag)
{
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);
	struct ethhdr *eth;
	u8 *payload;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dst);
	ether_addr_copy(eth->h_source, src);
	eth->h_proto = htons(0x88b5);	/* local experimental */
	payload = skb_put_zero(skb, 46);
	payload[0] = tag;
	return skb;
}

static int send(struct kunit *test, struct tport *from, const u8 *dst,
		const u8 *src, u8 tag)
{
	return denali_port_send(from->port, frame(test, dst, src, tag));
}

static void drain_all(struct denali_switch *sw)
{
	while (denali_switch_drain(sw, DENALI_NET_BUDGET))
		;
}

static unsigned int rxlen(struct tport *tp)
{
	return skb_queue_len(&tp->port->rxq);
}

/* The tag of the next received frame, taken off the queue; -1: none. */
static int rx_tag(struct tport *tp)
{
	struct sk_buff *skb = denali_port_rx_dequeue(tp->port);
	int tag;

	if (!skb)
		return -1;
	tag = skb->data[ETH_HLEN];
	kfree_skb(skb);
	return tag;
}

static s64 stat(atomic64_t *v)
{
	return atomic64_read(v);
}

static void net_unicast_to_vm(struct kunit *test)
{
	struct tnet *t = test->priv;

	KUNIT_EXPECT_EQ(test, send(test, &t->a, mac_b, mac_a, 1), 0);
	KUNIT_EXPECT_TRUE(test, denali_switch_tx_pending(t->sw));
	/* Nothing moves before the worker runs: the sender only queued. */
	KUNIT_EXPECT_EQ(test, rxlen(&t->b), 0);
	KUNIT_EXPECT_EQ(test, denali_switch_drain(t->sw, 8), 1);
	KUNIT_EXPECT_FALSE(test, denali_switch_tx_pending(t->sw));

	KUNIT_EXPECT_EQ(test, rx_tag(&t->b), 1);
	KUNIT_EXPECT_EQ(test, t->b.notified, 1);
	KUNIT_EXPECT_EQ(test, rxlen(&t->a) + rxlen(&t->c) + rxlen(&t->up), 0);
	KUNIT_EXPECT_EQ(test, t->a.notified + t->c.notified + t->up.notified,
			0);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.tx_frames), 1);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.tx_bytes), 60);

	/* From the host to a VM: that VM only. */
	KUNIT_EXPECT_EQ(test, send(test, &t->up, mac_c, mac_host, 2), 0);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->c), 2);
	KUNIT_EXPECT_EQ(test, rxlen(&t->a) + rxlen(&t->b) + rxlen(&t->up), 0);
	KUNIT_EXPECT_EQ(test, stat(&t->up.stats.tx_frames), 1);
}

static void net_unicast_to_nobody(struct kunit *test)
{
	struct tnet *t = test->priv;

	/* An unknown MAC, and the sender's own: dropped, nobody notified. */
	send(test, &t->a, mac_other, mac_a, 1);
	send(test, &t->a, mac_a, mac_a, 2);
	send(test, &t->up, mac_other, mac_host, 3);
	send(test, &t->up, mac_d, mac_host, 4);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, t->a.notified + t->b.notified + t->c.notified +
			t->up.notified, 0);
	KUNIT_EXPECT_EQ(test, rxlen(&t->a) + rxlen(&t->b) + rxlen(&t->c) +
			rxlen(&t->up), 0);
	/* Not drops of anyone's: a LAN loses frames for nobody. */
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.rx_drops), 0);
	KUNIT_EXPECT_EQ(test, stat(&t->up.stats.rx_drops), 0);
}

static void net_unicast_to_uplink(struct kunit *test)
{
	struct tnet *t = test->priv;

	/* The host has not been seen: its MAC is nobody's yet. */
	send(test, &t->a, mac_host, mac_a, 1);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, t->up.notified, 0);

	/* It speaks (to anyone): now it is known behind the uplink. */
	send(test, &t->up, mac_bcast, mac_host, 2);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->a), 2);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->b), 2);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->c), 2);
	send(test, &t->a, mac_host, mac_a, 3);
	send(test, &t->b, mac_host, mac_b, 4);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, t->up.notified, 2);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->up), 3);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->up), 4);
	KUNIT_EXPECT_EQ(test, rxlen(&t->c), 0);

	/* Another host behind the uplink is still unknown. */
	send(test, &t->a, mac_other, mac_a, 5);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rxlen(&t->up), 0);

	/* Without an uplink, a learned MAC leads nowhere. */
	tport_del(&t->up);
	send(test, &t->a, mac_host, mac_a, 6);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rxlen(&t->b) + rxlen(&t->c), 0);
}

static void net_broadcast(struct kunit *test)
{
	struct tnet *t = test->priv;

	send(test, &t->a, mac_bcast, mac_a, 1);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->b), 1);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->c), 1);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->up), 1);
	KUNIT_EXPECT_EQ(test, rxlen(&t->a), 0);
	KUNIT_EXPECT_EQ(test, t->a.notified, 0);

	/* Multicast floods alike; from the uplink it reaches every VM. */
	send(test, &t->up, mac_mcast, mac_host, 2);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->a), 2);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->b), 2);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->c), 2);
	KUNIT_EXPECT_EQ(test, rxlen(&t->up), 0);
	KUNIT_EXPECT_EQ(test, stat(&t->up.stats.tx_frames), 1);
}

static void net_spoofing(struct kunit *test)
{
	struct tnet *t = test->priv;

	/* A VM using another VM's MAC, a host's, or broadcast as source. */
	send(test, &t->a, mac_c, mac_b, 1);
	send(test, &t->a, mac_bcast, mac_b, 2);
	send(test, &t->a, mac_bcast, mac_host, 3);
	send(test, &t->a, mac_bcast, mac_bcast, 4);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.spoofed), 4);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.tx_frames), 0);
	KUNIT_EXPECT_EQ(test, rxlen(&t->b) + rxlen(&t->c) + rxlen(&t->up), 0);
	KUNIT_EXPECT_EQ(test, t->b.notified + t->c.notified + t->up.notified,
			0);

	/* The host side may not pose as a VM either, nor teach the switch. */
	send(test, &t->up, mac_b, mac_a, 5);
	send(test, &t->up, mac_b, mac_mcast, 6);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, stat(&t->up.stats.spoofed), 2);
	KUNIT_EXPECT_EQ(test, rxlen(&t->b), 0);

	/* The spoofer's honest frames still go. */
	send(test, &t->a, mac_b, mac_a, 7);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->b), 7);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.tx_frames), 1);
	KUNIT_EXPECT_EQ(test, stat(&t->b.stats.spoofed), 0);
}

static void net_tx_queue_bound(struct kunit *test)
{
	struct tnet *t = test->priv;
	int i;

	for (i = 0; i < DENALI_NET_TXQ_LEN; i++) {
		KUNIT_EXPECT_TRUE(test, denali_port_tx_room(t->a.port));
		KUNIT_ASSERT_EQ(test, send(test, &t->a, mac_b, mac_a, i), 0);
	}
	KUNIT_EXPECT_FALSE(test, denali_port_tx_room(t->a.port));
	KUNIT_EXPECT_EQ(test, send(test, &t->a, mac_b, mac_a, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, send(test, &t->a, mac_b, mac_a, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.tx_drops), 2);
	/* Another port's queue is its own. */
	KUNIT_EXPECT_EQ(test, send(test, &t->c, mac_b, mac_c, 0), 0);
	KUNIT_EXPECT_EQ(test, stat(&t->c.stats.tx_drops), 0);

	/* Drained, it takes frames again. */
	KUNIT_EXPECT_EQ(test, denali_switch_drain(t->sw, 1), 1);
	KUNIT_EXPECT_TRUE(test, denali_port_tx_room(t->a.port));
	KUNIT_EXPECT_EQ(test, send(test, &t->a, mac_b, mac_a, 0), 0);
}

static void net_rx_queue_bound(struct kunit *test)
{
	struct tnet *t = test->priv;
	int i;

	/* B never reads: its queue fills, and the rest are its drops. */
	for (i = 0; i < DENALI_NET_RXQ_LEN; i++)
		send(test, &t->a, mac_b, mac_a, i);
	drain_all(t->sw);
	for (i = 0; i < 5; i++)
		send(test, &t->c, mac_b, mac_c, i);
	send(test, &t->c, mac_bcast, mac_c, 99);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rxlen(&t->b), DENALI_NET_RXQ_LEN);
	KUNIT_EXPECT_EQ(test, stat(&t->b.stats.rx_drops), 6);
	KUNIT_EXPECT_EQ(test, t->b.notified, DENALI_NET_RXQ_LEN);
	/* Senders are not blamed, and others still get the broadcast. */
	KUNIT_EXPECT_EQ(test, stat(&t->c.stats.tx_drops), 0);
	KUNIT_EXPECT_EQ(test, stat(&t->c.stats.tx_frames), 6);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->a), 99);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->up), 99);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.rx_drops), 0);
	/* The oldest frames were kept, in order. */
	KUNIT_EXPECT_EQ(test, rx_tag(&t->b), 0);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->b), 1);
}

static void net_round_robin(struct kunit *test)
{
	struct tnet *t = test->priv;
	static const int order[] = { 0xa1, 0xb1, 0xc1, 0xa2, 0xb2, 0xa3,
				     0xa4 };
	int i;

	tport_add(test, t->sw, &t->d, mac_d, false);
	/* A has four queued, B two, C one, queued A first. */
	for (i = 1; i <= 4; i++)
		send(test, &t->a, mac_d, mac_a, 0xa0 + i);
	for (i = 1; i <= 2; i++)
		send(test, &t->b, mac_d, mac_b, 0xb0 + i);
	send(test, &t->c, mac_d, mac_c, 0xc1);

	/* A budget stops the drain and the next one carries on. */
	KUNIT_EXPECT_EQ(test, denali_switch_drain(t->sw, 2), 2);
	KUNIT_EXPECT_TRUE(test, denali_switch_tx_pending(t->sw));
	KUNIT_EXPECT_EQ(test, denali_switch_drain(t->sw, 100), 5);
	KUNIT_EXPECT_FALSE(test, denali_switch_tx_pending(t->sw));
	KUNIT_EXPECT_EQ(test, denali_switch_drain(t->sw, 100), 0);
	for (i = 0; i < ARRAY_SIZE(order); i++)
		KUNIT_EXPECT_EQ(test, rx_tag(&t->d), order[i]);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->d), -1);
}

/* A port that sends while others wait gets its turn after them. */
static void net_round_robin_late(struct kunit *test)
{
	struct tnet *t = test->priv;

	tport_add(test, t->sw, &t->d, mac_d, false);
	send(test, &t->a, mac_d, mac_a, 0xa1);
	send(test, &t->a, mac_d, mac_a, 0xa2);
	send(test, &t->b, mac_d, mac_b, 0xb1);
	KUNIT_EXPECT_EQ(test, denali_switch_drain(t->sw, 1), 1);
	/* C comes after B, already waiting, and A, back in line. */
	send(test, &t->c, mac_d, mac_c, 0xc1);
	drain_all(t->sw);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->d), 0xa1);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->d), 0xb1);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->d), 0xa2);
	KUNIT_EXPECT_EQ(test, rx_tag(&t->d), 0xc1);
}

static void net_unique_ports(struct kunit *test)
{
	struct tnet *t = test->priv;
	struct tport dup = {};

	KUNIT_EXPECT_EQ(test, PTR_ERR(denali_port_add(t->sw, mac_b, false, 0,
						      NULL, &tport_ops, &dup,
						      &dup.stats)), -EEXIST);
	KUNIT_EXPECT_EQ(test, PTR_ERR(denali_port_add(t->sw, mac_host, true,
						      0, NULL, &tport_ops, &dup,
						      &dup.stats)), -EBUSY);
	/* Once B is gone its MAC may be used again. */
	tport_del(&t->b);
	tport_add(test, t->sw, &t->b, mac_b, false);
}

static void net_port_teardown(struct kunit *test)
{
	struct tnet *t = test->priv;

	/* B leaves with frames queued both ways; A's to B wait to be sent. */
	send(test, &t->c, mac_b, mac_c, 1);
	drain_all(t->sw);
	send(test, &t->b, mac_c, mac_b, 2);
	send(test, &t->a, mac_b, mac_a, 3);
	KUNIT_EXPECT_EQ(test, rxlen(&t->b), 1);
	tport_del(&t->b);
	drain_all(t->sw);
	/* B's unsent frame went with it; A's found nobody. */
	KUNIT_EXPECT_EQ(test, rxlen(&t->c), 0);
	KUNIT_EXPECT_EQ(test, stat(&t->a.stats.tx_frames), 1);
	KUNIT_EXPECT_EQ(test, t->a.notified + t->c.notified, 0);

	/* A deleted port's queued frames leave the round robin. */
	send(test, &t->a, mac_c, mac_a, 4);
	tport_del(&t->a);
	KUNIT_EXPECT_FALSE(test, denali_switch_tx_pending(t->sw));
	KUNIT_EXPECT_EQ(test, denali_switch_drain(t->sw, 8), 0);
	KUNIT_EXPECT_EQ(test, rxlen(&t->c), 0);
}

static void frame_header(void *buf, const u8 *dst, const u8 *src, u16 proto)
{
	struct ethhdr *eth = buf;

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(proto);
}

/* Bytes bound the receive queue too: large frames fill it sooner. */
static void net_rx_queue_bytes(struct kunit *test)
{
	struct tnet *t = test->priv;
	unsigned int n = 0, limit = DENALI_NET_RXQ_LEN;
	struct sk_buff *skb;

	while (n < limit) {
		skb = alloc_skb(DENALI_FRAME_MAX, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		frame_header(skb_put_zero(skb, DENALI_FRAME_MAX), mac_b, mac_a,
			     0x88b5);
		if (denali_port_send(t->a.port, skb))
			break;
		n++;
	}
	drain_all(t->sw);
	/* Fewer full-size frames fit than the frame count would allow. */
	KUNIT_EXPECT_LT(test, rxlen(&t->b), n);
	KUNIT_EXPECT_GT(test, rxlen(&t->b), 0);
	KUNIT_EXPECT_EQ(test, stat(&t->b.stats.rx_drops), n - rxlen(&t->b));
	/* rx_queue_kb's default. */
	KUNIT_EXPECT_LE(test, t->b.port->rxq_bytes, 256U << 10);
	/* Taking frames gives their bytes back. */
	while (rx_tag(&t->b) >= 0)
		;
	KUNIT_EXPECT_EQ(test, t->b.port->rxq_bytes, 0);
}

static const u8 mac_vm[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x10 };
static const __be32 vm_ip = cpu_to_be32(0x0a000002);	/* 10.0.0.2 */
static const __be32 other_ip = cpu_to_be32(0x0a000003);

static const struct denali_port_filter owner = { .ipv4 = cpu_to_be32(0x0a000002) };
static const struct denali_port_filter anyaddr = { };
static const struct denali_port_filter router = {
	.ipv4 = cpu_to_be32(0x0a000002),
	.trusted = true,
};

static u8 fbuf[256];

static unsigned int arp_frame(const u8 *sha, __be32 spa, u16 op)
{
	u8 *p = fbuf + ETH_HLEN;

	memset(fbuf, 0, sizeof(fbuf));
	frame_header(fbuf, mac_bcast, mac_vm, ETH_P_ARP);
	put_unaligned_be16(ARPHRD_ETHER, p);
	put_unaligned_be16(ETH_P_IP, p + 2);
	p[4] = ETH_ALEN;
	p[5] = 4;
	put_unaligned_be16(op, p + 6);
	memcpy(p + 8, sha, ETH_ALEN);
	memcpy(p + 14, &spa, 4);
	return ETH_HLEN + 28;
}

/* An IPv4 packet from saddr with a transport header of proto. */
static unsigned int ipv4_frame(__be32 saddr, u8 proto, u8 b0, u16 sport)
{
	struct iphdr *ip = (struct iphdr *)(fbuf + ETH_HLEN);
	u8 *l4 = (u8 *)(ip + 1);

	memset(fbuf, 0, sizeof(fbuf));
	frame_header(fbuf, mac_bcast, mac_vm, ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->protocol = proto;
	ip->saddr = saddr;
	if (proto == IPPROTO_UDP)
		put_unaligned_be16(sport, l4);
	else
		l4[0] = b0;
	return ETH_HLEN + sizeof(*ip) + 8;
}

/* An IPv6 packet: exts extension headers of type ext, then proto. */
static unsigned int ipv6_frame(u8 ext, int exts, u8 proto, u8 b0,
			       u16 sport)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)(fbuf + ETH_HLEN);
	u8 *h = (u8 *)(ip6 + 1);
	int i;

	memset(fbuf, 0, sizeof(fbuf));
	frame_header(fbuf, mac_bcast, mac_vm, ETH_P_IPV6);
	ip6->version = 6;
	ip6->nexthdr = exts ? ext : proto;
	for (i = 0; i < exts; i++, h += 8)
		h[0] = i == exts - 1 ? proto : ext;
	if (proto == IPPROTO_UDP)
		put_unaligned_be16(sport, h);
	else
		h[0] = b0;
	return h + 8 - fbuf;
}

static void net_filter_arp(struct kunit *test)
{
	unsigned int len;

	len = arp_frame(mac_vm, vm_ip, ARPOP_REPLY);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	/* Gratuitous ARP or a reply for another's address. */
	len = arp_frame(mac_vm, other_ip, ARPOP_REPLY);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ADDR_SPOOFED);
	len = arp_frame(mac_vm, other_ip, ARPOP_REQUEST);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ADDR_SPOOFED);
	/* A probe from 0.0.0.0 asks; a reply from it does not. */
	len = arp_frame(mac_vm, 0, ARPOP_REQUEST);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	len = arp_frame(mac_vm, 0, ARPOP_REPLY);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ADDR_SPOOFED);
	/* Its address with another's hardware address. */
	len = arp_frame(mac_a, vm_ip, ARPOP_REPLY);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ADDR_SPOOFED);
	/* Truncated. */
	len = arp_frame(mac_vm, vm_ip, ARPOP_REPLY);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len - 1),
			DENALI_NET_ADDR_SPOOFED);
	/* No address of its own, or trusted: no ARP checks. */
	len = arp_frame(mac_vm, other_ip, ARPOP_REPLY);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&router, mac_vm, fbuf, len),
			DENALI_NET_PASS);
}

static void net_filter_ipv4(struct kunit *test)
{
	unsigned int len;

	len = ipv4_frame(vm_ip, IPPROTO_UDP, 0, 5000);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	len = ipv4_frame(other_ip, IPPROTO_UDP, 0, 5000);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ADDR_SPOOFED);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&router, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	/* DHCP server replies and redirects, whatever the address. */
	len = ipv4_frame(vm_ip, IPPROTO_UDP, 0, 67);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&router, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	len = ipv4_frame(vm_ip, IPPROTO_ICMP, ICMP_REDIRECT, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	len = ipv4_frame(vm_ip, IPPROTO_ICMP, ICMP_ECHO, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	/* A header shorter than its IHL says. */
	len = ipv4_frame(vm_ip, IPPROTO_UDP, 0, 5000);
	fbuf[ETH_HLEN] = 0x4f;
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, len),
			DENALI_NET_ADDR_SPOOFED);
}

static void net_filter_ipv6(struct kunit *test)
{
	unsigned int len;

	len = ipv6_frame(0, 0, IPPROTO_ICMPV6, NDISC_ROUTER_ADVERTISEMENT, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&router, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	len = ipv6_frame(0, 0, IPPROTO_ICMPV6, NDISC_REDIRECT, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	len = ipv6_frame(0, 0, IPPROTO_ICMPV6, NDISC_NEIGHBOUR_SOLICITATION, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_PASS);
	/* Behind hop-by-hop and destination options headers. */
	len = ipv6_frame(NEXTHDR_HOP, 1, IPPROTO_ICMPV6,
			 NDISC_ROUTER_ADVERTISEMENT, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	len = ipv6_frame(NEXTHDR_DEST, 3, IPPROTO_ICMPV6,
			 NDISC_ROUTER_ADVERTISEMENT, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	/* A chain too long to follow, or cut short. */
	len = ipv6_frame(NEXTHDR_DEST, 12, IPPROTO_ICMPV6, ICMPV6_ECHO_REQUEST,
			 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	len = ipv6_frame(NEXTHDR_HOP, 1, IPPROTO_ICMPV6, ICMPV6_ECHO_REQUEST, 0);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len - 8),
			DENALI_NET_ROUTER);
	/* DHCPv6 server or relay replies. */
	len = ipv6_frame(0, 0, IPPROTO_UDP, 0, 547);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_ROUTER);
	len = ipv6_frame(0, 0, IPPROTO_UDP, 0, 546);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, len),
			DENALI_NET_PASS);
}

static void net_filter_tagged(struct kunit *test)
{
	memset(fbuf, 0, sizeof(fbuf));
	frame_header(fbuf, mac_bcast, mac_vm, ETH_P_8021Q);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, 64),
			DENALI_NET_ADDR_SPOOFED);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&anyaddr, mac_vm, fbuf, 64),
			DENALI_NET_ADDR_SPOOFED);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&router, mac_vm, fbuf, 64),
			DENALI_NET_PASS);
	frame_header(fbuf, mac_bcast, mac_vm, 0x88b5);
	KUNIT_EXPECT_EQ(test, denali_net_filter(&owner, mac_vm, fbuf, 64),
			DENALI_NET_PASS);
}

static struct kunit_case net_cases[] = {
	KUNIT_CASE(net_check_mac),
	KUNIT_CASE(net_default_mac),
	KUNIT_CASE(net_src_rule),
	KUNIT_CASE(net_unicast_to_vm),
	KUNIT_CASE(net_unicast_to_nobody),
	KUNIT_CASE(net_unicast_to_uplink),
	KUNIT_CASE(net_broadcast),
	KUNIT_CASE(net_spoofing),
	KUNIT_CASE(net_tx_queue_bound),
	KUNIT_CASE(net_rx_queue_bound),
	KUNIT_CASE(net_round_robin),
	KUNIT_CASE(net_round_robin_late),
	KUNIT_CASE(net_unique_ports),
	KUNIT_CASE(net_port_teardown),
	KUNIT_CASE(net_rx_queue_bytes),
	KUNIT_CASE(net_filter_arp),
	KUNIT_CASE(net_filter_ipv4),
	KUNIT_CASE(net_filter_ipv6),
	KUNIT_CASE(net_filter_tagged),
	{}
};

static struct kunit_suite net_suite = {
	.name = "denali_net",
	.init = tnet_init,
	.exit = tnet_exit,
	.test_cases = net_cases,
};
kunit_test_suite(net_suite);
