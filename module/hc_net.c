// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's NIC: its port on the switch (net.c) and the hypercalls that
 * move frames between guest memory and that port. The switch tells the
 * VM of frames through the port's ops, which raise its net interrupt;
 * the guest collects them with DENALI_HC_NET_RECV. Every descriptor and
 * buffer is the guest's and is checked before it is used.
 */
#include <linux/errno.h>
#include <linux/skbuff.h>
#include <net/netlink.h>
#include <linux/denali_abi.h>

#include "hc.h"
#include "hc_net.h"
#include "irq.h"
#include "mem.h"
#include "net.h"
#include "trace.h"
#include "vm.h"

long denali_hc_net_check_send(u32 mem_size, const struct denali_frame *f)
{
	if (f->len < DENALI_FRAME_MIN || f->len > DENALI_FRAME_MAX)
		return -EINVAL;
	return denali_hc_buffer(mem_size, f->addr, f->len, DENALI_FRAME_MAX);
}

long denali_hc_net_check_recv(u32 mem_size, const struct denali_frame *f)
{
	/* The whole buffer must be the guest's, though a frame uses less. */
	if (f->len < DENALI_FRAME_MIN)
		return -EINVAL;
	return denali_hc_buffer(mem_size, f->addr, f->len, DENALI_FRAME_MAX);
}

/*
 * Copies in the descriptor array of a NIC hypercall: at most
 * DENALI_NET_BATCH_MAX, wholly inside the VM. Returns how many or an
 * errno.
 */
static long net_descs(struct denali_vm *vm, u32 gpa, u32 count,
		      struct denali_frame *desc)
{
	u64 bytes;

	count = min_t(u32, count, DENALI_NET_BATCH_MAX);
	bytes = (u64)count * sizeof(*desc);
	if (!denali_gpa_range_ok(vm->mem.size, gpa, bytes))
		return -EFAULT;
	if (count && denali_mem_read(&vm->mem, gpa, desc, bytes))
		return -EFAULT;
	return count;
}

static long net_send(struct denali_vm *vm, u32 gpa, u32 count)
{
	struct denali_frame desc[DENALI_NET_BATCH_MAX];
	struct denali_port *port = vm->port;
	long n, i, len;

	if (!port)
		return -ENETDOWN;
	n = net_descs(vm, gpa, count, desc);
	if (n <= 0)
		return n;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb;

		len = denali_hc_net_check_send(vm->mem.size, &desc[i]);
		if (len < 0)
			break;
		/* Full: refuse before copying; the rest are refused too. */
		if (!denali_port_tx_room(port)) {
			atomic64_add(n - i, &port->stats->tx_drops);
			len = -EAGAIN;
			break;
		}
		skb = alloc_skb(len + NET_IP_ALIGN, GFP_KERNEL_ACCOUNT);
		if (!skb) {
			len = -ENOMEM;
			break;
		}
		skb_reserve(skb, NET_IP_ALIGN);
		if (denali_mem_read(&vm->mem, desc[i].addr, skb_put(skb, len),
				    len)) {
			kfree_skb(skb);
			len = -EFAULT;
			break;
		}
		/* Only the worker takes from the queue: room stays room. */
		len = denali_port_send(port, skb);
		if (len < 0)
			break;
	}
	return i ? i : len;
}

static long net_recv(struct denali_vm *vm, u32 gpa, u32 count)
{
	struct denali_frame desc[DENALI_NET_BATCH_MAX];
	struct denali_port *port = vm->port;
	long n, i, size = 0;

	if (!port)
		return -ENETDOWN;
	n = net_descs(vm, gpa, count, desc);
	if (n <= 0)
		return n;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb;

		size = denali_hc_net_check_recv(vm->mem.size, &desc[i]);
		if (size < 0)
			break;
		/* The guest is the only reader: the head stays the head. */
		while ((skb = denali_port_rx_peek(port)) && skb->len > size) {
			denali_port_rx_unlink(port, skb);
			atomic64_inc(&port->stats->rx_drops);
			trace_denali_frame_drop(port->owner_id,
						DENALI_DROP_TOO_LONG);
			kfree_skb(skb);
		}
		if (!skb)
			break;
		/* A frame from the host may not be linear: copy it once. */
		if (skb_linearize(skb)) {
			size = -ENOMEM;
			break;
		}
		if (denali_mem_write(&vm->mem, desc[i].addr, skb->data,
				     skb->len)) {
			size = -EFAULT;
			break;
		}
		denali_port_rx_unlink(port, skb);
		desc[i].len = skb->len;
		atomic64_inc(&port->stats->rx_frames);
		atomic64_add(skb->len, &port->stats->rx_bytes);
		consume_skb(skb);
	}
	/* The lengths of the filled ones; the range was checked. */
	if (i && denali_mem_write(&vm->mem, gpa, desc, i * sizeof(*desc)))
		return -EFAULT;
	return i ? i : min(size, 0L);
}

bool denali_hc_net_send(struct denali_vm *vm, u32 gpa, u32 count)
{
	return denali_hc_return(vm, net_send(vm, gpa, count));
}

bool denali_hc_net_recv(struct denali_vm *vm, u32 gpa, u32 count)
{
	return denali_hc_return(vm, net_recv(vm, gpa, count));
}

static void vm_port_notify(struct denali_port *port)
{
	denali_irq_raise(port->priv, DENALI_IRQ_NET);
}

static const struct denali_port_ops vm_port_ops = {
	.notify = vm_port_notify,
};

int denali_net_vm_attach(struct denali_vm *vm,
			 const struct denali_vm_config *cfg,
			 struct netlink_ext_ack *extack)
{
	struct denali_port_filter filter = {
		.ipv4 = vm->ipv4,
		.trusted = vm->trusted,
	};
	struct denali_port *port;

	port = denali_port_add(denali_net_switch(), vm->mac, false, vm->id,
			       &filter, &vm_port_ops, vm, &vm->net_stats);
	if (IS_ERR(port)) {
		if (PTR_ERR(port) == -EEXIST)
			NL_SET_ERR_MSG(extack, "MAC address in use");
		return PTR_ERR(port);
	}
	vm->port = port;
	return 0;
}

void denali_net_vm_detach(struct denali_vm *vm)
{
	struct denali_port *port = xchg(&vm->port, NULL);

	if (port)
		denali_port_del(port);
}
