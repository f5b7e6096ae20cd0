// SPDX-License-Identifier: GPL-2.0
/*
 * The uplink: a plain Ethernet net_device that joins the VMs' switch to
 * the host. What the host transmits on it enters the switch as frames
 * from the uplink port; what the switch forwards to the uplink arrives
 * on it as received frames. The host gives it an address, tcpdump reads
 * it, and a bridge can enslave it like any Ethernet device.
 *
 * The device is a switch port only while it is up (ndo_open to
 * ndo_stop): a down device is no destination, so VMs' frames for hosts
 * behind it are dropped in the switch instead of queueing. The core
 * stops transmission before ndo_stop, so ndo_start_xmit always finds
 * the port.
 *
 * The counters are the port's, so `ip -s link` shows what the switch
 * saw: frames it took from the host (tx), frames it handed up (rx), and
 * drops (the send queue full or spoofing a VM's MAC count as tx_dropped,
 * a receive queue full as rx_dropped); `ethtool -S` shows each of them.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/inetdevice.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/dst.h>
#include <linux/denali_abi.h>

#include "net.h"
#include "netdev.h"

static char *uplink_name = "denali0";
module_param_named(netdev_name, uplink_name, charp, 0444);
MODULE_PARM_DESC(netdev_name, "Name of the switch's uplink network device");

struct denali_uplink {
	struct net_device *dev;
	/* Set while up; under RTNL. */
	struct denali_port *port;
	struct denali_net_stats stats;
};

static struct net_device *uplink_dev;

/* From the worker: hand what waits up to the stack. */
static void uplink_notify(struct denali_port *port)
{
	struct denali_uplink *up = port->priv;
	struct sk_buff *skb;

	while ((skb = denali_port_rx_dequeue(port))) {
		unsigned int len = skb->len;

		skb->protocol = eth_type_trans(skb, up->dev);
		if (netif_rx(skb) == NET_RX_SUCCESS) {
			atomic64_inc(&up->stats.rx_frames);
			atomic64_add(len, &up->stats.rx_bytes);
		} else {
			atomic64_inc(&up->stats.rx_drops);
		}
	}
}

static const struct denali_port_ops uplink_port_ops = {
	.notify = uplink_notify,
};

static int uplink_open(struct net_device *dev)
{
	struct denali_uplink *up = netdev_priv(dev);
	struct denali_port *port;

	port = denali_port_add(denali_net_switch(), dev->dev_addr, true, 0,
			       NULL, &uplink_port_ops, up, &up->stats);
	if (IS_ERR(port))
		return PTR_ERR(port);
	up->port = port;
	netif_start_queue(dev);
	return 0;
}

static int uplink_stop(struct net_device *dev)
{
	struct denali_uplink *up = netdev_priv(dev);

	netif_stop_queue(dev);
	if (up->port) {
		denali_port_del(up->port);
		up->port = NULL;
	}
	return 0;
}

static netdev_tx_t uplink_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct denali_uplink *up = netdev_priv(dev);

	/* A guest's buffer takes DENALI_FRAME_MAX bytes at most. */
	if (skb->len < ETH_HLEN || skb->len > DENALI_FRAME_MAX ||
	    !pskb_may_pull(skb, ETH_HLEN) || !up->port) {
		atomic64_inc(&up->stats.tx_drops);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	/*
	 * A VM may keep it queued for long: don't let it hold the sending
	 * socket's memory meanwhile.
	 */
	skb_orphan(skb);
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	/* Counted in tx_drops when the queue is full. */
	denali_port_send(up->port, skb);
	return NETDEV_TX_OK;
}

static void uplink_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *s)
{
	struct denali_uplink *up = netdev_priv(dev);

	s->rx_packets = atomic64_read(&up->stats.rx_frames);
	s->rx_bytes = atomic64_read(&up->stats.rx_bytes);
	s->tx_packets = atomic64_read(&up->stats.tx_frames);
	s->tx_bytes = atomic64_read(&up->stats.tx_bytes);
	s->rx_dropped = atomic64_read(&up->stats.rx_drops);
	s->tx_dropped = atomic64_read(&up->stats.tx_drops) +
			atomic64_read(&up->stats.spoofed);
}

static int uplink_set_mac(struct net_device *dev, void *addr)
{
	/* The port keeps no copy that matters: the uplink carries any MAC. */
	return eth_mac_addr(dev, addr);
}

/*
 * ethtool: the driver's name, a link with no speed of its own (frames
 * are copied in memory), and `ethtool -S` the uplink port's counters as
 * the switch keeps them, its drops by reason among them.
 */
struct uplink_stat {
	char name[ETH_GSTRING_LEN];
	size_t offset;		/* of the atomic64_t in denali_net_stats */
};

#define UPLINK_STAT(field) \
	{ #field, offsetof(struct denali_net_stats, field) }

static const struct uplink_stat uplink_stats[] = {
	UPLINK_STAT(rx_frames),
	UPLINK_STAT(rx_bytes),
	UPLINK_STAT(tx_frames),
	UPLINK_STAT(tx_bytes),
	UPLINK_STAT(rx_drops),
	UPLINK_STAT(tx_drops),
	UPLINK_STAT(spoofed),
	UPLINK_STAT(addr_spoofed),
	UPLINK_STAT(router_drops),
};

static void uplink_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, "virtual", sizeof(info->bus_info));
}

static int uplink_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	cmd->base.speed = SPEED_UNKNOWN;
	cmd->base.duplex = DUPLEX_FULL;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static int uplink_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? ARRAY_SIZE(uplink_stats) : -EOPNOTSUPP;
}

static void uplink_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	size_t i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(uplink_stats); i++)
		memcpy(data + i * ETH_GSTRING_LEN, uplink_stats[i].name,
		       ETH_GSTRING_LEN);
}

static void uplink_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct denali_uplink *up = netdev_priv(dev);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(uplink_stats); i++)
		data[i] = atomic64_read((void *)&up->stats +
					uplink_stats[i].offset);
}

static const struct ethtool_ops uplink_ethtool_ops = {
	.get_drvinfo = uplink_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_link_ksettings = uplink_get_link_ksettings,
	.get_sset_count = uplink_get_sset_count,
	.get_strings = uplink_get_strings,
	.get_ethtool_stats = uplink_get_ethtool_stats,
};

static const struct net_device_ops uplink_ops = {
	.ndo_open = uplink_open,
	.ndo_stop = uplink_stop,
	.ndo_start_xmit = uplink_xmit,
	.ndo_get_stats64 = uplink_get_stats64,
	.ndo_set_mac_address = uplink_set_mac,
	.ndo_validate_addr = eth_validate_addr,
};

static void uplink_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &uplink_ops;
	dev->ethtool_ops = &uplink_ethtool_ops;
	/* Frames a guest can take whole: DENALI_FRAME_MAX with the header. */
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = DENALI_FRAME_MAX - ETH_HLEN;
	dev->mtu = DENALI_NET_MTU;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	eth_hw_addr_random(dev);
}

/*
 * VMs are no routers of the host's: the uplink starts out taking neither
 * router advertisements nor redirects from the LAN (the switch drops
 * those a VM sends too). The operator may turn either on through the
 * usual sysctls, net.ipv6.conf.<name>.accept_ra and friends.
 */
static void uplink_distrust_routers(struct net_device *dev)
{
	struct inet6_dev *idev;
	struct in_device *in_dev;

	rtnl_lock();
	idev = __in6_dev_get(dev);
	if (idev) {
		idev->cnf.accept_ra = 0;
		idev->cnf.accept_redirects = 0;
	}
	in_dev = __in_dev_get_rtnl(dev);
	if (in_dev)
		IN_DEV_CONF_SET(in_dev, ACCEPT_REDIRECTS, 0);
	rtnl_unlock();
}

int denali_netdev_init(void)
{
	struct net_device *dev;
	struct denali_uplink *up;
	int ret;

	if (!dev_valid_name(uplink_name)) {
		pr_err("denali: netdev_name '%s' is not a valid device name\n",
		       uplink_name);
		return -EINVAL;
	}
	dev = alloc_netdev(sizeof(*up), uplink_name, NET_NAME_USER,
			   uplink_setup);
	if (!dev)
		return -ENOMEM;
	up = netdev_priv(dev);
	up->dev = dev;
	ret = register_netdev(dev);
	if (ret) {
		pr_err("denali: cannot register %s (error %d)\n", uplink_name,
		       ret);
		free_netdev(dev);
		return ret;
	}
	uplink_distrust_routers(dev);
	uplink_dev = dev;
	return 0;
}

void denali_netdev_exit(void)
{
	/* Closes it first, which takes the port off the switch. */
	unregister_netdev(uplink_dev);
	free_netdev(uplink_dev);
	uplink_dev = NULL;
}
