// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: VM and host messages of the denali family, parsed into
 * struct dn_vm and struct dn_host, and the names of states and counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "denalictl.h"

static const char *const state_names[] = {
	[DENALI_VM_CREATED]	= "created",
	[DENALI_VM_RUNNING]	= "running",
	[DENALI_VM_IDLE]	= "idle",
	[DENALI_VM_STOPPED]	= "stopped",
	[DENALI_VM_EXITED]	= "exited",
	[DENALI_VM_CRASHED]	= "crashed",
	[DENALI_VM_WAITING]	= "waiting",
};

/* JSON keys and stats lines; the uapi comments give the meanings. */
static const char *const stat_names[] = {
	[DENALI_STAT_CPU_NS]		= "cpu_ns",
	[DENALI_STAT_QUANTA]		= "quanta",
	[DENALI_STAT_EXITS]		= "exits",
	[DENALI_STAT_HYPERCALLS]	= "hypercalls",
	[DENALI_STAT_PAGES_FAULTED]	= "pages_faulted",
	[DENALI_STAT_CONSOLE_BYTES]	= "console_bytes",
	[DENALI_STAT_IRQS_RAISED]	= "irqs_raised",
	[DENALI_STAT_UPCALLS]		= "upcalls",
	[DENALI_STAT_IDLES]		= "idles",
	[DENALI_STAT_WAITING_NS]	= "waiting_ns",
	[DENALI_STAT_EXITS_HOST]	= "exits_host",
	[DENALI_STAT_NET_RX_FRAMES]	= "net_rx_frames",
	[DENALI_STAT_NET_RX_BYTES]	= "net_rx_bytes",
	[DENALI_STAT_NET_TX_FRAMES]	= "net_tx_frames",
	[DENALI_STAT_NET_TX_BYTES]	= "net_tx_bytes",
	[DENALI_STAT_NET_RX_DROPS]	= "net_rx_drops",
	[DENALI_STAT_NET_TX_DROPS]	= "net_tx_drops",
	[DENALI_STAT_NET_SPOOFED]	= "net_spoofed",
	[DENALI_STAT_NET_ADDR_SPOOFED]	= "net_addr_spoofed",
	[DENALI_STAT_NET_ROUTER_DROPS]	= "net_router_dropped",
	[DENALI_STAT_FPU_LOADS]		= "fpu_loads",
	[DENALI_STAT_RESIDENT_PAGES]	= "resident_pages",
	[DENALI_STAT_SWAP_OUTS]		= "swap_outs",
	[DENALI_STAT_SWAPPED_NS]	= "swapped_ns",
};

static const char *const host_stat_names[] = {
	[DENALI_HOST_STAT_VMS]		= "vms",
	[DENALI_HOST_STAT_ADMITTED]	= "admitted",
	[DENALI_HOST_STAT_WAITING]	= "waiting",
	[DENALI_HOST_STAT_SWAPPED]	= "swapped",
	[DENALI_HOST_STAT_PINNED_PAGES]	= "pinned_pages",
};

const char *vm_state_name(uint32_t state)
{
	if (state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "unknown";
}

bool vm_state_is_final(uint32_t state)
{
	return state == DENALI_VM_STOPPED || state == DENALI_VM_EXITED ||
	       state == DENALI_VM_CRASHED;
}

/* Either counter set: what follows its pad, named from names. */
static void stats_walk(const char *const *names, size_t n_names,
		       const uint64_t *stats, uint64_t present_mask,
		       void (*fn)(const char *name, uint64_t value, void *arg),
		       void *arg)
{
	char other[16];
	unsigned int t;

	for (t = DENALI_STAT_PAD + 1; t < DN_STAT_SLOTS; t++) {
		/* NULL for types this build does not know (newer kernels). */
		const char *name = t < n_names ? names[t] : NULL;
		bool present = present_mask & (1ull << t);

		if (!name && !present)
			continue;
		if (!name) {
			snprintf(other, sizeof(other), "stat_%u", t);
			name = other;
		}
		fn(name, present ? stats[t] : 0, arg);
	}
}

void vm_stats_walk(const struct dn_vm *vm,
		   void (*fn)(const char *name, uint64_t value, void *arg),
		   void *arg)
{
	stats_walk(stat_names, ARRAY_SIZE(stat_names), vm->stats,
		   vm->stats_present, fn, arg);
}

void host_stats_walk(const struct dn_host *host,
		     void (*fn)(const char *name, uint64_t value, void *arg),
		     void *arg)
{
	stats_walk(host_stat_names, ARRAY_SIZE(host_stat_names), host->stats,
		   host->stats_present, fn, arg);
}

static struct nla_policy vm_policy[DENALI_A_MAX + 1] = {
	[DENALI_A_VM_ID]		= { .type = NLA_U32 },
	[DENALI_A_VM_NAME]		= { .type = NLA_STRING },
	[DENALI_A_VM_MEM_SIZE]		= { .type = NLA_U32 },
	[DENALI_A_VM_STATE]		= { .type = NLA_U32 },
	[DENALI_A_VM_EXIT_CODE]		= { .type = NLA_U32 },	/* s32 */
	[DENALI_A_VM_CRASH_REASON]	= { .type = NLA_STRING },
	[DENALI_A_VM_STATS]		= { .type = NLA_NESTED },
	[DENALI_A_BACKEND]		= { .type = NLA_STRING },
	[DENALI_A_VM_MAC]		= { .type = NLA_UNSPEC, .minlen = 6 },
	[DENALI_A_VM_RESIDENT]		= { .type = NLA_U8 },
	[DENALI_A_VM_IPV4]		= { .type = NLA_U32 },	/* be32 */
	[DENALI_A_VM_TRUSTED]		= { .type = NLA_FLAG },
	[DENALI_A_VM_MEM_NEEDED]	= { .type = NLA_U64 },
	[DENALI_A_GATE_FREE]		= { .type = NLA_U64 },
};

static struct nla_policy host_policy[DENALI_A_MAX + 1] = {
	[DENALI_A_BACKEND]		= { .type = NLA_STRING },
	[DENALI_A_HOST_STATS]		= { .type = NLA_NESTED },
};

/* parse_stats() and stats_walk() serve both counter sets. */
_Static_assert((int)DENALI_HOST_STAT_PAD == (int)DENALI_STAT_PAD,
	       "the counter sets differ in their pad type");

/* A nest of u64 counters of either set, into stats and present. */
static void parse_stats(struct nlattr *nest, uint64_t *stats,
			uint64_t *present)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		/* Skip the padding and anything that is not a u64. */
		if (type <= DENALI_STAT_PAD || type >= DN_STAT_SLOTS ||
		    nla_len(a) != sizeof(uint64_t))
			continue;
		stats[type] = nla_get_u64(a);
		*present |= 1ull << type;
	}
}

/* Fills vm from one family message; 0 or a negative errno. */
int vm_parse_attrs(void *hdr, struct dn_vm *vm)
{
	struct nlattr *tb[DENALI_A_MAX + 1];
	struct nlmsghdr *nlh = hdr;

	memset(vm, 0, sizeof(*vm));
	if (genlmsg_parse(nlh, 0, tb, DENALI_A_MAX, vm_policy) < 0)
		return -EBADMSG;

	if (tb[DENALI_A_VM_ID]) {
		vm->id = nla_get_u32(tb[DENALI_A_VM_ID]);
		vm->has |= DN_HAS_ID;
	}
	if (tb[DENALI_A_VM_NAME]) {
		nla_strlcpy(vm->name, tb[DENALI_A_VM_NAME], sizeof(vm->name));
		vm->has |= DN_HAS_NAME;
	}
	if (tb[DENALI_A_VM_STATE]) {
		vm->state = nla_get_u32(tb[DENALI_A_VM_STATE]);
		vm->has |= DN_HAS_STATE;
	}
	if (tb[DENALI_A_VM_MEM_SIZE]) {
		vm->mem_size = nla_get_u32(tb[DENALI_A_VM_MEM_SIZE]);
		vm->has |= DN_HAS_MEM;
	}
	if (tb[DENALI_A_VM_EXIT_CODE]) {
		vm->exit_code = (int32_t)nla_get_u32(tb[DENALI_A_VM_EXIT_CODE]);
		vm->has |= DN_HAS_EXIT;
	}
	if (tb[DENALI_A_VM_CRASH_REASON]) {
		nla_strlcpy(vm->reason, tb[DENALI_A_VM_CRASH_REASON],
			    sizeof(vm->reason));
		vm->has |= DN_HAS_REASON;
	}
	if (tb[DENALI_A_BACKEND]) {
		nla_strlcpy(vm->backend, tb[DENALI_A_BACKEND],
			    sizeof(vm->backend));
		vm->has |= DN_HAS_BACKEND;
	}
	if (tb[DENALI_A_VM_MAC] && nla_len(tb[DENALI_A_VM_MAC]) == 6) {
		memcpy(vm->mac, nla_data(tb[DENALI_A_VM_MAC]), 6);
		vm->has |= DN_HAS_MAC;
	}
	if (tb[DENALI_A_VM_RESIDENT]) {
		vm->resident = nla_get_u8(tb[DENALI_A_VM_RESIDENT]);
		vm->has |= DN_HAS_RESIDENT;
	}
	if (tb[DENALI_A_VM_IPV4]) {
		vm->ipv4 = nla_get_u32(tb[DENALI_A_VM_IPV4]);
		vm->has |= DN_HAS_IPV4;
	}
	vm->trusted = tb[DENALI_A_VM_TRUSTED];
	if (tb[DENALI_A_VM_MEM_NEEDED] && tb[DENALI_A_GATE_FREE]) {
		vm->mem_needed = nla_get_u64(tb[DENALI_A_VM_MEM_NEEDED]);
		vm->gate_free = nla_get_u64(tb[DENALI_A_GATE_FREE]);
		vm->has |= DN_HAS_WAIT;
	}
	if (tb[DENALI_A_VM_STATS]) {
		parse_stats(tb[DENALI_A_VM_STATS], vm->stats,
			    &vm->stats_present);
		vm->has |= DN_HAS_STATS;
	}
	return 0;
}

/* Fills host from a HOST_GET reply; 0 or a negative errno. */
int host_parse_attrs(void *hdr, struct dn_host *host)
{
	struct nlattr *tb[DENALI_A_MAX + 1];
	struct nlmsghdr *nlh = hdr;

	memset(host, 0, sizeof(*host));
	if (genlmsg_parse(nlh, 0, tb, DENALI_A_MAX, host_policy) < 0)
		return -EBADMSG;

	if (tb[DENALI_A_BACKEND]) {
		nla_strlcpy(host->backend, tb[DENALI_A_BACKEND],
			    sizeof(host->backend));
		host->has |= DN_HAS_BACKEND;
	}
	if (tb[DENALI_A_HOST_STATS]) {
		parse_stats(tb[DENALI_A_HOST_STATS], host->stats,
			    &host->stats_present);
		host->has |= DN_HAS_STATS;
	}
	return 0;
}

/*
 * "running", "exited (code 3)", "crashed (triple fault)", "waiting
 * (needs 1.2 MiB)".
 */
void vm_describe_state(const struct dn_vm *vm, char *buf, size_t len)
{
	const char *state = vm_state_name(vm->state);
	char need[32];

	fmt_mib(vm->mem_needed, need, sizeof(need));
	if (!(vm->has & DN_HAS_STATE))
		snprintf(buf, len, "unknown");
	else if (vm->state == DENALI_VM_EXITED && (vm->has & DN_HAS_EXIT))
		snprintf(buf, len, "%s (code %d)", state, vm->exit_code);
	else if (vm->state == DENALI_VM_CRASHED && (vm->has & DN_HAS_REASON))
		snprintf(buf, len, "%s (%s)", state, vm->reason);
	else if (vm->state == DENALI_VM_WAITING && (vm->has & DN_HAS_WAIT))
		snprintf(buf, len, "%s (needs %s)", state, need);
	else if (vm->state >= ARRAY_SIZE(state_names))
		snprintf(buf, len, "unknown (%u)", vm->state);
	else
		snprintf(buf, len, "%s", state);
}

void vm_format_mac(const struct dn_vm *vm, char *buf, size_t len)
{
	const uint8_t *m = vm->mac;

	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
}
