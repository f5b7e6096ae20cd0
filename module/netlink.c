// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "denali": create, start, stop, destroy and
 * report VMs. Every command needs CAP_NET_ADMIN. Attributes are checked
 * strictly, each op against its own request attributes.
 *
 * The handlers run in parallel (parallel_ops), without the global genl
 * mutex: a create that reads a large image stalls no other request. Each
 * holds a reference on the VM it acts on; vm.c locks the rest (see
 * Documentation/netlink.rst, "Concurrency").
 */
#include <linux/ctype.h>
#include <linux/etherdevice.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <linux/denali.h>

#include "disk.h"
#include "gate.h"
#include "mem.h"
#include "net.h"
#include "netlink.h"
#include "swap.h"
#include "vm.h"

static struct netlink_range_validation mem_size_range = {
	.min = DENALI_MEM_MIN,
	.max = DENALI_MEM_MAX,
};

static const struct nla_policy nl_vm_disk_policy[DENALI_VM_DISK_MAX + 1] = {
	[DENALI_VM_DISK_NAME] = { .type = NLA_NUL_STRING,
				  .len = DENALI_NAME_MAX - 1 },
	[DENALI_VM_DISK_READONLY] = { .type = NLA_FLAG },
	[DENALI_VM_DISK_COW_FD] = { .type = NLA_S32 },
};

/*
 * Each op takes only its own request attributes (the spec's request
 * lists); any other, reply-only ones included, is refused by the core's
 * strict validation as unsupported. HOST_GET takes none: the core gives
 * an op without a policy one that rejects everything.
 */
static const struct nla_policy nl_create_policy[DENALI_A_MAX + 1] = {
	[DENALI_A_VM_NAME] = { .type = NLA_NUL_STRING,
			       .len = DENALI_NAME_MAX - 1 },
	[DENALI_A_VM_IMAGE_FD] = { .type = NLA_S32 },
	[DENALI_A_VM_MEM_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &mem_size_range),
	[DENALI_A_VM_CMDLINE] = { .type = NLA_NUL_STRING,
				  .len = DENALI_CMDLINE_MAX - 1 },
	[DENALI_A_VM_MAC] = NLA_POLICY_ETH_ADDR,
	/*
	 * Big endian; NLA_BE32 checks no more than NLA_U32 does, and
	 * nlctrl's policy dump leaves it out on this kernel.
	 */
	[DENALI_A_VM_IPV4] = { .type = NLA_U32 },
	[DENALI_A_VM_TRUSTED] = { .type = NLA_FLAG },
	[DENALI_A_VM_DISK] = NLA_POLICY_NESTED(nl_vm_disk_policy),
};

static const struct nla_policy nl_disk_create_policy[DENALI_A_MAX + 1] = {
	[DENALI_A_DISK_NAME] = { .type = NLA_NUL_STRING,
				 .len = DENALI_NAME_MAX - 1 },
	[DENALI_A_DISK_FD] = { .type = NLA_S32 },
	[DENALI_A_DISK_BLOCKS] = { .type = NLA_U64 },
	[DENALI_A_DISK_READONLY] = { .type = NLA_FLAG },
};

/* The requests that name one disk. */
static const struct nla_policy nl_disk_ref_policy[DENALI_A_MAX + 1] = {
	[DENALI_A_DISK_NAME] = { .type = NLA_NUL_STRING,
				 .len = DENALI_NAME_MAX - 1 },
};

/* The requests that name one VM. */
static const struct nla_policy nl_vm_ref_policy[DENALI_A_MAX + 1] = {
	[DENALI_A_VM_ID] = { .type = NLA_U32 },
	[DENALI_A_VM_NAME] = { .type = NLA_NUL_STRING,
			       .len = DENALI_NAME_MAX - 1 },
};

static struct genl_family denali_family;

enum denali_mcgrp {
	DENALI_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group denali_mcgrps[] = {
	/* Events name every VM: no more visible than VM_GET. */
	[DENALI_MCGRP_EVENTS_ID] = { .name = DENALI_MCGRP_EVENTS,
				     .flags = GENL_MCAST_CAP_NET_ADMIN },
};

int denali_nl_check_name(const char *name, struct netlink_ext_ack *extack)
{
	bool all_digits = true;
	const char *p;

	if (!*name) {
		NL_SET_ERR_MSG(extack, "VM name is empty");
		return -EINVAL;
	}
	/* "#3" and "3" name VMs by id in denalictl. */
	if (*name == '#') {
		NL_SET_ERR_MSG(extack, "VM name starts with '#'");
		return -EINVAL;
	}
	for (p = name; *p; p++) {
		/*
		 * ASCII only: the kernel's isgraph() takes Latin-1 letters,
		 * which no UTF-8 client can print or type back.
		 */
		if (!isascii(*p) || !isgraph(*p)) {
			NL_SET_ERR_MSG(extack,
				       "VM name has blanks, control or non-ASCII characters");
			return -EINVAL;
		}
		if (!isdigit(*p))
			all_digits = false;
	}
	if (all_digits) {
		NL_SET_ERR_MSG(extack, "VM name is all digits");
		return -EINVAL;
	}
	return 0;
}

int denali_nl_check_mem_size(u32 size, struct netlink_ext_ack *extack)
{
	if (size < DENALI_MEM_MIN || size > DENALI_MEM_MAX) {
		NL_SET_ERR_MSG(extack, "memory size out of range (64K to 3G)");
		return -ERANGE;
	}
	if (!PAGE_ALIGNED(size)) {
		NL_SET_ERR_MSG(extack, "memory size is not a multiple of 4K");
		return -EINVAL;
	}
	return 0;
}

/* The VM that a request names by DENALI_A_VM_ID or DENALI_A_VM_NAME. */
static struct denali_vm *nl_get_vm(struct genl_info *info)
{
	struct nlattr *id = info->attrs[DENALI_A_VM_ID];
	struct nlattr *name = info->attrs[DENALI_A_VM_NAME];
	struct denali_vm *vm;

	if (id) {
		vm = denali_vm_get_by_id(nla_get_u32(id));
		if (!vm)
			NL_SET_ERR_MSG_ATTR(info->extack, id, "no such VM");
	} else if (name) {
		vm = denali_vm_get_by_name(nla_data(name));
		if (!vm)
			NL_SET_ERR_MSG_ATTR(info->extack, name, "no such VM");
	} else {
		NL_SET_ERR_MSG(info->extack, "VM id or name required");
		return ERR_PTR(-EINVAL);
	}
	return vm ?: ERR_PTR(-ENOENT);
}

/* Where a counter of DENALI_A_VM_STATS is read from. */
enum nl_stat_source {
	NL_STAT_VM,		/* a u64 of struct denali_nl_vm_counters */
	NL_STAT_NET,		/* an atomic64_t of struct denali_net_stats */
};

struct nl_stat {
	int type;		/* enum denali_stat */
	enum nl_stat_source source;
	size_t offset;		/* of the counter in its source */
};

/* The read in denali_nl_put_stats() relies on the type being checked. */
#define NL_STAT(type, source, st, field, ctype)				\
	{ type, source, offsetof(st, field) +				\
	  BUILD_BUG_ON_ZERO(!__same_type(typeof_member(st, field), ctype)) }
#define NL_VM_STAT(type, field)						\
	NL_STAT(type, NL_STAT_VM, struct denali_nl_vm_counters, field, u64)
#define NL_NET_STAT(type, field)					\
	NL_STAT(type, NL_STAT_NET, struct denali_net_stats, field, atomic64_t)

/* Every counter a VM reports, in the order of the replies. */
static const struct nl_stat nl_vm_stats[] = {
	NL_VM_STAT(DENALI_STAT_CPU_NS, stats.cpu_ns),
	NL_VM_STAT(DENALI_STAT_QUANTA, stats.quanta),
	NL_VM_STAT(DENALI_STAT_EXITS, stats.exits),
	NL_VM_STAT(DENALI_STAT_HYPERCALLS, stats.hypercalls),
	NL_VM_STAT(DENALI_STAT_PAGES_FAULTED, stats.pages_faulted),
	NL_VM_STAT(DENALI_STAT_CONSOLE_BYTES, stats.console_bytes),
	NL_VM_STAT(DENALI_STAT_IRQS_RAISED, stats.irqs_raised),
	NL_VM_STAT(DENALI_STAT_UPCALLS, stats.upcalls),
	NL_VM_STAT(DENALI_STAT_IDLES, stats.idles),
	NL_VM_STAT(DENALI_STAT_WAITING_NS, stats.waiting_ns),
	NL_VM_STAT(DENALI_STAT_EXITS_HOST, stats.exits_host),
	NL_VM_STAT(DENALI_STAT_FPU_LOADS, stats.fpu_loads),
	NL_VM_STAT(DENALI_STAT_RESIDENT_PAGES, resident_pages),
	NL_VM_STAT(DENALI_STAT_SWAP_OUTS, stats.swap_outs),
	NL_VM_STAT(DENALI_STAT_SWAPPED_NS, stats.swapped_ns),
	NL_NET_STAT(DENALI_STAT_NET_RX_FRAMES, rx_frames),
	NL_NET_STAT(DENALI_STAT_NET_RX_BYTES, rx_bytes),
	NL_NET_STAT(DENALI_STAT_NET_TX_FRAMES, tx_frames),
	NL_NET_STAT(DENALI_STAT_NET_TX_BYTES, tx_bytes),
	NL_NET_STAT(DENALI_STAT_NET_RX_DROPS, rx_drops),
	NL_NET_STAT(DENALI_STAT_NET_TX_DROPS, tx_drops),
	NL_NET_STAT(DENALI_STAT_NET_SPOOFED, spoofed),
	NL_NET_STAT(DENALI_STAT_NET_ADDR_SPOOFED, addr_spoofed),
	NL_NET_STAT(DENALI_STAT_NET_ROUTER_DROPS, router_drops),
};

int denali_nl_put_stats(struct sk_buff *skb,
			const struct denali_nl_vm_counters *counters,
			const struct denali_net_stats *net)
{
	struct nlattr *nest = nla_nest_start(skb, DENALI_A_VM_STATS);
	const struct nl_stat *s;

	if (!nest)
		return -EMSGSIZE;
	for (s = nl_vm_stats; s < nl_vm_stats + ARRAY_SIZE(nl_vm_stats); s++) {
		u64 value;

		if (s->source == NL_STAT_NET)
			value = atomic64_read((const void *)net + s->offset);
		else
			value = *(const u64 *)((const void *)counters +
					       s->offset);
		if (nla_put_u64_64bit(skb, s->type, value, DENALI_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* How an ended VM ended; state was read under vm->lock. */
static int nl_put_end(struct sk_buff *skb, struct denali_vm *vm,
		      enum denali_vm_state state)
{
	if (state == DENALI_VM_EXITED &&
	    nla_put_s32(skb, DENALI_A_VM_EXIT_CODE, vm->exit_code))
		return -EMSGSIZE;
	if (state == DENALI_VM_CRASHED &&
	    nla_put_string(skb, DENALI_A_VM_CRASH_REASON, vm->crash_reason))
		return -EMSGSIZE;
	return 0;
}

/* A waiting VM: what it waits for, and what is free for it now. */
static int nl_put_wait(struct sk_buff *skb, struct denali_vm *vm)
{
	if (nla_put_u64_64bit(skb, DENALI_A_VM_MEM_NEEDED,
			      denali_gate_need_bytes(vm), DENALI_A_UNSPEC) ||
	    nla_put_u64_64bit(skb, DENALI_A_GATE_FREE,
			      denali_gate_room_bytes(), DENALI_A_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

static int nl_fill_vm(struct sk_buff *skb, struct denali_vm *vm, u32 portid,
		      u32 seq, int flags, u8 cmd)
{
	struct denali_nl_vm_counters counters;
	enum denali_vm_state state;
	unsigned long irqflags;
	bool resident;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &denali_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	spin_lock_irqsave(&vm->lock, irqflags);
	state = vm->state;
	/* The runner updates them without a lock; a snapshot will do. */
	counters.stats = vm->stats;
	/* A wait still going on counts up to now. */
	if (state == DENALI_VM_WAITING)
		counters.stats.waiting_ns += ktime_get_ns() - vm->waiting_since;
	/* Its owner changes these without the lock, as for the stats. */
	resident = READ_ONCE(vm->resident);
	if (!resident && READ_ONCE(vm->swapped_since))
		counters.stats.swapped_ns += ktime_get_ns() - vm->swapped_since;
	spin_unlock_irqrestore(&vm->lock, irqflags);

	if (nla_put_u32(skb, DENALI_A_VM_ID, vm->id) ||
	    nla_put_string(skb, DENALI_A_VM_NAME, vm->name) ||
	    nla_put_u32(skb, DENALI_A_VM_STATE, state) ||
	    nla_put_u32(skb, DENALI_A_VM_MEM_SIZE, vm->mem.size) ||
	    nla_put(skb, DENALI_A_VM_MAC, ETH_ALEN, vm->mac) ||
	    nla_put_u8(skb, DENALI_A_VM_RESIDENT, resident) ||
	    nla_put_string(skb, DENALI_A_BACKEND, denali_backend->name))
		goto cancel;
	if (vm->ipv4 && nla_put_in_addr(skb, DENALI_A_VM_IPV4, vm->ipv4))
		goto cancel;
	if (vm->trusted && nla_put_flag(skb, DENALI_A_VM_TRUSTED))
		goto cancel;
	if (state == DENALI_VM_WAITING && nl_put_wait(skb, vm))
		goto cancel;
	counters.resident_pages = READ_ONCE(vm->mem.mapped);
	if (nl_put_end(skb, vm, state) ||
	    denali_nl_put_stats(skb, &counters, &vm->net_stats))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int nl_reply_vm(struct genl_info *info, struct denali_vm *vm, u8 cmd)
{
	struct sk_buff *skb;
	int ret;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	ret = nl_fill_vm(skb, vm, info->snd_portid, info->snd_seq, 0, cmd);
	if (ret) {
		nlmsg_free(skb);
		return ret;
	}
	return genlmsg_reply(skb, info);
}

/* An event: which VM, and the state it entered. */
static int nl_fill_event(struct sk_buff *skb, struct denali_vm *vm,
			 enum denali_vm_state state)
{
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &denali_family, 0, DENALI_CMD_VM_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DENALI_A_VM_ID, vm->id) ||
	    nla_put_string(skb, DENALI_A_VM_NAME, vm->name) ||
	    nla_put_u32(skb, DENALI_A_VM_STATE, state) ||
	    nl_put_end(skb, vm, state)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Tells the "events" group; denali_vm_notify() calls it where it may sleep. */
static void nl_vm_changed(struct denali_vm *vm, enum denali_vm_state state)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&denali_family, &init_net,
				DENALI_MCGRP_EVENTS_ID))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (nl_fill_event(skb, vm, state)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast(&denali_family, skb, 0, DENALI_MCGRP_EVENTS_ID,
			  GFP_KERNEL);
}

/* The image must be a regular file that the sender opened for reading. */
static struct file *nl_get_image(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[DENALI_A_VM_IMAGE_FD];
	struct file *file;

	file = fget(nla_get_s32(attr));
	if (!file) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "bad image file descriptor");
		return ERR_PTR(-EBADF);
	}
	if (!S_ISREG(file_inode(file)->i_mode) ||
	    !(file->f_mode & FMODE_READ)) {
		fput(file);
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "image is not a regular file open for reading");
		return ERR_PTR(-EBADF);
	}
	return file;
}

int denali_nl_check_disk_name(const char *name, struct netlink_ext_ack *extack)
{
	const char *p;

	if (!*name) {
		NL_SET_ERR_MSG(extack, "disk name is empty");
		return -EINVAL;
	}
	/* denalictl's --disk NAME:MODE splits at the colon. */
	for (p = name; *p; p++) {
		if (!isascii(*p) || !isgraph(*p) || *p == ':') {
			NL_SET_ERR_MSG(extack,
				       "disk name has blanks, colons, control or non-ASCII characters");
			return -EINVAL;
		}
	}
	return 0;
}

static void nl_put_disks(struct denali_vm_disk_config *disks, u32 n)
{
	while (n--) {
		if (disks[n].cow)
			fput(disks[n].cow);
		denali_disk_put(disks[n].disk);
	}
}

/* The disks of a VM_CREATE, in order, referenced; nr_disks says how many. */
static int nl_get_disks(struct genl_info *info,
			struct denali_vm_disk_config *disks, u32 *nr_disks)
{
	struct nlattr *tb[DENALI_VM_DISK_MAX + 1];
	struct nlattr *attr;
	int rem, ret;
	u32 n = 0;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		struct denali_vm_disk_config *c = &disks[n];

		if (nla_type(attr) != DENALI_A_VM_DISK)
			continue;
		if (n == DENALI_VREGS_DISKS_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "too many disks (at most 8)");
			ret = -E2BIG;
			goto err;
		}
		ret = nla_parse_nested(tb, DENALI_VM_DISK_MAX, attr,
				       nl_vm_disk_policy, info->extack);
		if (ret)
			goto err;
		if (!tb[DENALI_VM_DISK_NAME]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "disk name required");
			ret = -EINVAL;
			goto err;
		}
		c->disk = denali_disk_get(nla_data(tb[DENALI_VM_DISK_NAME]));
		if (!c->disk) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[DENALI_VM_DISK_NAME],
					    "no such disk");
			ret = -ENOENT;
			goto err;
		}
		c->readonly = nla_get_flag(tb[DENALI_VM_DISK_READONLY]);
		c->cow = NULL;
		if (tb[DENALI_VM_DISK_COW_FD]) {
			c->cow = fget(nla_get_s32(tb[DENALI_VM_DISK_COW_FD]));
			if (!c->cow) {
				denali_disk_put(c->disk);
				NL_SET_ERR_MSG_ATTR(info->extack,
						    tb[DENALI_VM_DISK_COW_FD],
						    "bad overlay file descriptor");
				ret = -EBADF;
				goto err;
			}
		}
		n++;
	}
	*nr_disks = n;
	return 0;
err:
	nl_put_disks(disks, n);
	return ret;
}

static int nl_vm_create(struct sk_buff *skb, struct genl_info *info)
{
	struct denali_vm_config cfg = { .mem_size = DENALI_MEM_DEFAULT };
	struct denali_vm_disk_config disks[DENALI_VREGS_DISKS_MAX];
	struct nlattr **attrs = info->attrs;
	struct denali_vm *vm;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DENALI_A_VM_IMAGE_FD))
		return -EINVAL;
	if (attrs[DENALI_A_VM_NAME]) {
		cfg.name = nla_data(attrs[DENALI_A_VM_NAME]);
		ret = denali_nl_check_name(cfg.name, info->extack);
		if (ret)
			return ret;
	}
	if (attrs[DENALI_A_VM_MEM_SIZE]) {
		cfg.mem_size = nla_get_u32(attrs[DENALI_A_VM_MEM_SIZE]);
		ret = denali_nl_check_mem_size(cfg.mem_size, info->extack);
		if (ret)
			return ret;
	}
	if (attrs[DENALI_A_VM_CMDLINE])
		cfg.cmdline = nla_data(attrs[DENALI_A_VM_CMDLINE]);
	if (attrs[DENALI_A_VM_MAC]) {
		cfg.mac = nla_data(attrs[DENALI_A_VM_MAC]);
		ret = denali_net_check_mac(cfg.mac, info->extack);
		if (ret) {
			/* The message is set; point at the attribute too. */
			NL_SET_BAD_ATTR(info->extack, attrs[DENALI_A_VM_MAC]);
			return ret;
		}
	}

	if (attrs[DENALI_A_VM_IPV4]) {
		cfg.ipv4 = nla_get_in_addr(attrs[DENALI_A_VM_IPV4]);
		ret = denali_net_check_ipv4(cfg.ipv4, info->extack);
		if (ret) {
			NL_SET_BAD_ATTR(info->extack, attrs[DENALI_A_VM_IPV4]);
			return ret;
		}
	}
	cfg.trusted = nla_get_flag(attrs[DENALI_A_VM_TRUSTED]);

	cfg.image = nl_get_image(info);
	if (IS_ERR(cfg.image))
		return PTR_ERR(cfg.image);
	ret = nl_get_disks(info, disks, &cfg.nr_disks);
	if (ret) {
		fput(cfg.image);
		return ret;
	}
	cfg.disks = disks;
	vm = denali_vm_create(&cfg, info->extack);
	nl_put_disks(disks, cfg.nr_disks);
	fput(cfg.image);
	if (IS_ERR(vm))
		return PTR_ERR(vm);

	ret = nl_reply_vm(info, vm, DENALI_CMD_VM_CREATE);
	if (ret)
		denali_vm_destroy(vm);
	denali_vm_put(vm);
	return ret;
}

/*
 * VM_START, VM_STOP, VM_DESTROY, VM_GET and VM_SWAP_OUT: each names one
 * VM, which stays referenced while the command acts on it.
 */
static int nl_vm_act(struct sk_buff *skb, struct genl_info *info)
{
	struct denali_vm *vm = nl_get_vm(info);
	int ret = 0;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	switch (info->genlhdr->cmd) {
	case DENALI_CMD_VM_START:
		ret = denali_vm_start(vm, info->extack);
		break;
	case DENALI_CMD_VM_STOP:
		ret = denali_vm_stop(vm, info->extack);
		break;
	case DENALI_CMD_VM_DESTROY:
		denali_vm_destroy(vm);
		break;
	case DENALI_CMD_VM_GET:
		ret = nl_reply_vm(info, vm, DENALI_CMD_VM_GET);
		break;
	case DENALI_CMD_VM_SWAP_OUT:
		ret = denali_swap_out_now(vm);
		if (ret == -EBUSY)
			NL_SET_ERR_MSG(info->extack,
				       "VM is runnable; only idle or ended VMs swap out");
		break;
	}
	denali_vm_put(vm);
	return ret;
}

static int nl_put_host_stats(struct sk_buff *skb)
{
	struct denali_vm_counts c;
	struct nlattr *nest;

	denali_vm_count(&c);
	nest = nla_nest_start(skb, DENALI_A_HOST_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DENALI_HOST_STAT_VMS, c.vms,
			      DENALI_HOST_STAT_PAD) ||
	    nla_put_u64_64bit(skb, DENALI_HOST_STAT_ADMITTED, c.admitted,
			      DENALI_HOST_STAT_PAD) ||
	    nla_put_u64_64bit(skb, DENALI_HOST_STAT_WAITING, c.waiting,
			      DENALI_HOST_STAT_PAD) ||
	    nla_put_u64_64bit(skb, DENALI_HOST_STAT_SWAPPED, c.swapped,
			      DENALI_HOST_STAT_PAD) ||
	    nla_put_u64_64bit(skb, DENALI_HOST_STAT_PINNED_PAGES,
			      denali_mem_pinned_pages(), DENALI_HOST_STAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nl_host_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &denali_family, 0,
				DENALI_CMD_HOST_GET);
	if (!hdr || nla_put_string(msg, DENALI_A_BACKEND,
				   denali_backend->name) ||
	    nl_put_host_stats(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int nl_fill_disk(struct sk_buff *skb, const struct denali_disk_info *d,
			u32 portid, u32 seq, int flags, u8 cmd)
{
	const struct { int type; u64 value; } stats[] = {
		{ DENALI_DISK_STAT_READS, d->reads },
		{ DENALI_DISK_STAT_WRITES, d->writes },
		{ DENALI_DISK_STAT_FLUSHES, d->flushes },
		{ DENALI_DISK_STAT_BLOCKS_READ, d->blocks_read },
		{ DENALI_DISK_STAT_BLOCKS_WRITTEN, d->blocks_written },
		{ DENALI_DISK_STAT_ERRORS, d->errors },
	};
	struct nlattr *nest;
	void *hdr;
	int i;

	hdr = genlmsg_put(skb, portid, seq, &denali_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, DENALI_A_DISK_NAME, d->name) ||
	    nla_put_u64_64bit(skb, DENALI_A_DISK_BLOCKS, d->blocks,
			      DENALI_A_UNSPEC) ||
	    (d->readonly && nla_put_flag(skb, DENALI_A_DISK_READONLY)) ||
	    nla_put_u32(skb, DENALI_A_DISK_ATTACHED, d->attached))
		goto cancel;
	nest = nla_nest_start(skb, DENALI_A_DISK_STATS);
	if (!nest)
		goto cancel;
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		if (nla_put_u64_64bit(skb, stats[i].type, stats[i].value,
				      DENALI_DISK_STAT_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int nl_reply_disk(struct genl_info *info, const char *name, u8 cmd)
{
	struct denali_disk_info d;
	struct sk_buff *skb;
	int ret;

	if (!denali_disk_info_by_name(name, &d)) {
		NL_SET_ERR_MSG(info->extack, "no such disk");
		return -ENOENT;
	}
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	ret = nl_fill_disk(skb, &d, info->snd_portid, info->snd_seq, 0, cmd);
	if (ret) {
		nlmsg_free(skb);
		return ret;
	}
	return genlmsg_reply(skb, info);
}

/* The backing store: a file or block device the sender opened. */
static int nl_disk_create(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	const char *name;
	struct file *file;
	u64 blocks = 0;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DENALI_A_DISK_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, DENALI_A_DISK_FD))
		return -EINVAL;
	name = nla_data(attrs[DENALI_A_DISK_NAME]);
	ret = denali_nl_check_disk_name(name, info->extack);
	if (ret)
		return ret;
	if (attrs[DENALI_A_DISK_BLOCKS]) {
		blocks = nla_get_u64(attrs[DENALI_A_DISK_BLOCKS]);
		if (!blocks) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    attrs[DENALI_A_DISK_BLOCKS],
					    "a disk has at least one block");
			return -EINVAL;
		}
	}
	file = fget(nla_get_s32(attrs[DENALI_A_DISK_FD]));
	if (!file) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[DENALI_A_DISK_FD],
				    "bad disk file descriptor");
		return -EBADF;
	}
	ret = denali_disk_create(name, file, blocks,
				 nla_get_flag(attrs[DENALI_A_DISK_READONLY]),
				 info->extack);
	fput(file);
	if (ret)
		return ret;
	return nl_reply_disk(info, name, DENALI_CMD_DISK_CREATE);
}

static int nl_disk_act(struct sk_buff *skb, struct genl_info *info)
{
	const char *name;

	if (GENL_REQ_ATTR_CHECK(info, DENALI_A_DISK_NAME))
		return -EINVAL;
	name = nla_data(info->attrs[DENALI_A_DISK_NAME]);
	if (info->genlhdr->cmd == DENALI_CMD_DISK_DESTROY)
		return denali_disk_destroy(name, info->extack);
	return nl_reply_disk(info, name, DENALI_CMD_DISK_GET);
}

/* cb->args[0]: how many disks were dumped. */
static int nl_disk_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct denali_disk_info d;

	while (denali_disk_info_nth(cb->args[0], &d)) {
		if (nl_fill_disk(skb, &d, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI,
				 DENALI_CMD_DISK_GET))
			break;
		cb->args[0]++;
	}
	return skb->len;
}

/* cb->args[0]: the smallest id not yet dumped. */
static int nl_vm_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 id = cb->args[0];
	struct denali_vm *vm;

	while ((vm = denali_vm_get_next(&id))) {
		int ret = nl_fill_vm(skb, vm, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     DENALI_CMD_VM_GET);

		denali_vm_put(vm);
		if (ret)
			break;
		cb->args[0] = id;
	}
	return skb->len;
}

static const struct genl_ops denali_ops[] = {
	{
		.cmd = DENALI_CMD_VM_CREATE,
		.doit = nl_vm_create,
		.policy = nl_create_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_VM_START,
		.doit = nl_vm_act,
		.policy = nl_vm_ref_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_VM_STOP,
		.doit = nl_vm_act,
		.policy = nl_vm_ref_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_VM_DESTROY,
		.doit = nl_vm_act,
		.policy = nl_vm_ref_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_VM_GET,
		.doit = nl_vm_act,
		.dumpit = nl_vm_dump,
		.policy = nl_vm_ref_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_VM_SWAP_OUT,
		.doit = nl_vm_act,
		.policy = nl_vm_ref_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_HOST_GET,
		.doit = nl_host_get,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_DISK_CREATE,
		.doit = nl_disk_create,
		.policy = nl_disk_create_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_DISK_DESTROY,
		.doit = nl_disk_act,
		.policy = nl_disk_ref_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DENALI_CMD_DISK_GET,
		.doit = nl_disk_act,
		.dumpit = nl_disk_dump,
		.policy = nl_disk_ref_policy,
		.maxattr = DENALI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family denali_family __ro_after_init = {
	.name = DENALI_GENL_NAME,
	.version = DENALI_GENL_VERSION,
	.maxattr = DENALI_A_MAX,
	.module = THIS_MODULE,
	.parallel_ops = true,
	.ops = denali_ops,
	.n_ops = ARRAY_SIZE(denali_ops),
	.resv_start_op = DENALI_CMD_VM_CREATE,
	.mcgrps = denali_mcgrps,
	.n_mcgrps = ARRAY_SIZE(denali_mcgrps),
};

/* The first request for the family loads the module (request_module). */
MODULE_ALIAS_GENL_FAMILY(DENALI_GENL_NAME);

static struct denali_vm_listener nl_vm_listener = {
	.changed = nl_vm_changed,
};

int denali_netlink_init(void)
{
	int ret = genl_register_family(&denali_family);

	if (!ret)
		denali_vm_listen(&nl_vm_listener);
	return ret;
}

void denali_netlink_exit(void)
{
	denali_vm_unlisten(&nl_vm_listener);
	genl_unregister_family(&denali_family);
}
