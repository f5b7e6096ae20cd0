// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: the guest's only way to ask for anything. Every argument
 * is guest-controlled; buffers are checked against the VM's memory with
 * 64-bit arithmetic so nothing wraps at 4 GiB.
 */
#include <linux/errno.h>
#include <linux/skbuff.h>
#include <linux/denali_abi.h>

#include "hypercall.h"
#include "irq.h"
#include "mem.h"
#include "net.h"
#include "sched.h"
#include "trace.h"
#include "vm.h"

/* Console bytes copied per step, on the runner's stack. */
#define CONSOLE_CHUNK	256

long denali_hc_buffer(u32 mem_size, u32 gpa, u32 len, u32 max)
{
	if (!denali_gpa_range_ok(mem_size, gpa, len))
		return -EFAULT;
	return min(len, max);
}

static long hc_console_write(struct denali_vm *vm, u32 gpa, u32 len)
{
	char buf[CONSOLE_CHUNK];
	long count, done;
	int ret;

	count = denali_hc_buffer(vm->mem.size, gpa, len,
				 DENALI_CONSOLE_WRITE_MAX);
	if (count < 0)
		return count;

	for (done = 0; done < count; done += ret) {
		ret = min_t(long, count - done, sizeof(buf));
		if (denali_mem_read(&vm->mem, gpa + done, buf, ret))
			return done ? done : -EFAULT;
		if (denali_console_write(&vm->console, buf, ret))
			return done ? done : -ENOMEM;
	}
	vm->stats.console_bytes += count;
	return count;
}

static long hc_console_read(struct denali_vm *vm, u32 gpa, u32 len)
{
	char buf[CONSOLE_CHUNK];
	long count, done;
	ssize_t n;

	count = denali_hc_buffer(vm->mem.size, gpa, len,
				 DENALI_CONSOLE_READ_MAX);
	if (count < 0)
		return count;

	/* Input leaves the ring only once it is in guest memory. */
	for (done = 0; done < count; done += n) {
		n = denali_console_peek_input(&vm->console, buf,
					      min_t(long, count - done,
						    sizeof(buf)));
		if (n < 0)
			return done ? done : n;
		if (!n)
			break;
		if (denali_mem_write(&vm->mem, gpa + done, buf, n))
			return done ? done : -EFAULT;
		denali_console_consume_input(&vm->console, n);
	}
	return done;
}

/*
 * Copies in the descriptor array of a NIC hypercall: at most
 * DENALI_NET_BATCH_MAX, wholly inside the VM. Returns how many or an
 * errno.
 */
static long hc_net_descs(struct denali_vm *vm, u32 gpa, u32 count,
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

static long hc_net_send(struct denali_vm *vm, u32 gpa, u32 count)
{
	struct denali_frame desc[DENALI_NET_BATCH_MAX];
	struct denali_port *port = vm->port;
	long n, i, len;

	if (!port)
		return -ENETDOWN;
	n = hc_net_descs(vm, gpa, count, desc);
	if (n <= 0)
		return n;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb;

		len = denali_net_check_send(vm->mem.size, &desc[i]);
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

static long hc_net_recv(struct denali_vm *vm, u32 gpa, u32 count)
{
	struct denali_frame desc[DENALI_NET_BATCH_MAX];
	struct denali_port *port = vm->port;
	long n, i, size = 0;

	if (!port)
		return -ENETDOWN;
	n = hc_net_descs(vm, gpa, count, desc);
	if (n <= 0)
		return n;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb;

		size = denali_net_check_recv(vm->mem.size, &desc[i]);
		if (size < 0)
			break;
		/* The guest is the only reader: the head stays the head. */
		while ((skb = denali_port_rx_peek(port)) && skb->len > size) {
			denali_port_rx_unlink(port, skb);
			atomic64_inc(&port->stats->rx_drops);
			trace_denali_frame_drop(port, DENALI_DROP_TOO_LONG);
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

bool denali_hypercall(struct denali_vm *vm)
{
	unsigned long *gpr = vm->regs.gpr;
	u32 arg1 = gpr[DENALI_REG_BX];
	u32 arg2 = gpr[DENALI_REG_CX];
	bool stay = true;
	long ret;

	vm->stats.hypercalls++;
	switch ((u32)gpr[DENALI_REG_AX]) {
	case DENALI_HC_TERMINATE:
		/* It never returns: the result traced is the exit code. */
		trace_denali_hypercall(vm->id, DENALI_HC_TERMINATE, (int)arg1);
		denali_vm_terminate(vm, (int)arg1);
		return false;
	case DENALI_HC_CONSOLE_WRITE:
		ret = hc_console_write(vm, arg1, arg2);
		break;
	case DENALI_HC_IDLE:
		ret = 0;
		stay = denali_sched_idle(vm, arg1);
		break;
	case DENALI_HC_TIMER_SET:
		denali_irq_timer_set(vm, arg1);
		ret = 0;
		break;
	case DENALI_HC_CONSOLE_READ:
		ret = hc_console_read(vm, arg1, arg2);
		break;
	case DENALI_HC_NET_SEND:
		ret = hc_net_send(vm, arg1, arg2);
		break;
	case DENALI_HC_NET_RECV:
		ret = hc_net_recv(vm, arg1, arg2);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	trace_denali_hypercall(vm->id, gpr[DENALI_REG_AX], ret);
	gpr[DENALI_REG_AX] = (u32)ret;
	return stay;
}
