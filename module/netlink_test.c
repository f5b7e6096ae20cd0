// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the netlink attribute checks that the policies cannot
 * express: VM names and memory sizes. A refused value must come back
 * with its error code and a message in the extended ack for the operator.
 * And the counters of a VM reply: every one, in the order clients know.
 */
#include <kunit/test.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/netlink.h>
#include <linux/denali.h>

#include "netlink.h"

struct nl_case {
	const char *desc;
	const char *name;
	u32 size;
	int err;
	const char *msg;
};

static void nl_case_desc(const struct nl_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

static void expect_result(struct kunit *test, const struct nl_case *c,
			  int ret, const struct netlink_ext_ack *extack)
{
	KUNIT_EXPECT_EQ(test, ret, c->err);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack->_msg, c->msg);
	else
		KUNIT_EXPECT_NULL(test, extack->_msg);
}

static const struct nl_case name_cases[] = {
	{ "plain", "web", 0, 0, NULL },
	{ "one_byte", "a", 0, 0, NULL },
	{ "punctuation", "httpd-2.eu_west:80", 0, 0, NULL },
	{ "digits_then_letter", "2048x", 0, 0, NULL },
	{ "hash_inside", "vm#1", 0, 0, NULL },
	{ "longest", "abcdefghijklmnopqrstuvwxyz01234", 0, 0, NULL },
	{ "empty", "", 0, -EINVAL, "VM name is empty" },
	{ "hash_id", "#3", 0, -EINVAL, "VM name starts with '#'" },
	{ "hash_alone", "#", 0, -EINVAL, "VM name starts with '#'" },
	{ "all_digits", "42", 0, -EINVAL, "VM name is all digits" },
	{ "zero", "0", 0, -EINVAL, "VM name is all digits" },
	{ "space", "my vm", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "leading_space", " vm", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "tab", "vm\t1", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "newline", "vm\n", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "escape", "\x1b[2Jvm", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "delete", "vm\x7f", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "digits_and_space", "1 2", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "latin1", "caf\xe9", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
	{ "utf8", "caf\xc3\xa9", 0, -EINVAL,
	  "VM name has blanks, control or non-ASCII characters" },
};

KUNIT_ARRAY_PARAM(nl_name, name_cases, nl_case_desc);

static void nl_check_name(struct kunit *test)
{
	const struct nl_case *c = test->param_value;
	struct netlink_ext_ack extack = {};

	expect_result(test, c, denali_nl_check_name(c->name, &extack),
		      &extack);
	/* Callers without an extended ack get the same answer. */
	KUNIT_EXPECT_EQ(test, denali_nl_check_name(c->name, NULL), c->err);
}

#define RANGE_MSG	"memory size out of range (64K to 3G)"
#define ALIGN_MSG	"memory size is not a multiple of 4K"

static const struct nl_case mem_size_cases[] = {
	{ "min", NULL, DENALI_MEM_MIN, 0, NULL },
	{ "default", NULL, DENALI_MEM_DEFAULT, 0, NULL },
	{ "max", NULL, DENALI_MEM_MAX, 0, NULL },
	{ "odd_pages", NULL, DENALI_MEM_MIN + 3 * 4096, 0, NULL },
	{ "max_minus_page", NULL, DENALI_MEM_MAX - 4096, 0, NULL },
	{ "zero", NULL, 0, -ERANGE, RANGE_MSG },
	{ "below_min", NULL, DENALI_MEM_MIN - 4096, -ERANGE, RANGE_MSG },
	{ "above_max", NULL, DENALI_MEM_MAX + 4096, -ERANGE, RANGE_MSG },
	{ "4g_minus_page", NULL, 0xfffff000, -ERANGE, RANGE_MSG },
	{ "u32_max", NULL, U32_MAX, -ERANGE, RANGE_MSG },
	{ "min_plus_one", NULL, DENALI_MEM_MIN + 1, -EINVAL, ALIGN_MSG },
	{ "half_page", NULL, DENALI_MEM_DEFAULT + 2048, -EINVAL, ALIGN_MSG },
	{ "max_minus_one", NULL, DENALI_MEM_MAX - 1, -EINVAL, ALIGN_MSG },
};

KUNIT_ARRAY_PARAM(nl_mem_size, mem_size_cases, nl_case_desc);

static void nl_check_mem_size(struct kunit *test)
{
	const struct nl_case *c = test->param_value;
	struct netlink_ext_ack extack = {};

	expect_result(test, c, denali_nl_check_mem_size(c->size, &extack),
		      &extack);
	KUNIT_EXPECT_EQ(test, denali_nl_check_mem_size(c->size, NULL), c->err);
}

/* Above 32 bits, and distinct for each counter. */
#define STAT_VALUE(type)	((1ULL << 40) + (type))

/* The order of the counters in DENALI_A_VM_STATS since they exist. */
static const int stats_order[] = {
	DENALI_STAT_CPU_NS,
	DENALI_STAT_QUANTA,
	DENALI_STAT_EXITS,
	DENALI_STAT_HYPERCALLS,
	DENALI_STAT_PAGES_FAULTED,
	DENALI_STAT_CONSOLE_BYTES,
	DENALI_STAT_IRQS_RAISED,
	DENALI_STAT_UPCALLS,
	DENALI_STAT_IDLES,
	DENALI_STAT_WAITING_NS,
	DENALI_STAT_EXITS_HOST,
	DENALI_STAT_FPU_LOADS,
	DENALI_STAT_RESIDENT_PAGES,
	DENALI_STAT_SWAP_OUTS,
	DENALI_STAT_SWAPPED_NS,
	DENALI_STAT_NET_RX_FRAMES,
	DENALI_STAT_NET_RX_BYTES,
	DENALI_STAT_NET_TX_FRAMES,
	DENALI_STAT_NET_TX_BYTES,
	DENALI_STAT_NET_RX_DROPS,
	DENALI_STAT_NET_TX_DROPS,
	DENALI_STAT_NET_SPOOFED,
	DENALI_STAT_NET_ADDR_SPOOFED,
	DENALI_STAT_NET_ROUTER_DROPS,
};

static const struct denali_nl_vm_counters test_counters = {
	.stats = {
		.cpu_ns = STAT_VALUE(DENALI_STAT_CPU_NS),
		.quanta = STAT_VALUE(DENALI_STAT_QUANTA),
		.exits = STAT_VALUE(DENALI_STAT_EXITS),
		.exits_host = STAT_VALUE(DENALI_STAT_EXITS_HOST),
		.hypercalls = STAT_VALUE(DENALI_STAT_HYPERCALLS),
		.pages_faulted = STAT_VALUE(DENALI_STAT_PAGES_FAULTED),
		.console_bytes = STAT_VALUE(DENALI_STAT_CONSOLE_BYTES),
		.irqs_raised = STAT_VALUE(DENALI_STAT_IRQS_RAISED),
		.upcalls = STAT_VALUE(DENALI_STAT_UPCALLS),
		.idles = STAT_VALUE(DENALI_STAT_IDLES),
		.waiting_ns = STAT_VALUE(DENALI_STAT_WAITING_NS),
		.fpu_loads = STAT_VALUE(DENALI_STAT_FPU_LOADS),
		.swap_outs = STAT_VALUE(DENALI_STAT_SWAP_OUTS),
		.swapped_ns = STAT_VALUE(DENALI_STAT_SWAPPED_NS),
	},
	.resident_pages = STAT_VALUE(DENALI_STAT_RESIDENT_PAGES),
};

static void set_test_net_stats(struct denali_net_stats *net)
{
	atomic64_set(&net->rx_frames, STAT_VALUE(DENALI_STAT_NET_RX_FRAMES));
	atomic64_set(&net->rx_bytes, STAT_VALUE(DENALI_STAT_NET_RX_BYTES));
	atomic64_set(&net->tx_frames, STAT_VALUE(DENALI_STAT_NET_TX_FRAMES));
	atomic64_set(&net->tx_bytes, STAT_VALUE(DENALI_STAT_NET_TX_BYTES));
	atomic64_set(&net->rx_drops, STAT_VALUE(DENALI_STAT_NET_RX_DROPS));
	atomic64_set(&net->tx_drops, STAT_VALUE(DENALI_STAT_NET_TX_DROPS));
	atomic64_set(&net->spoofed, STAT_VALUE(DENALI_STAT_NET_SPOOFED));
	atomic64_set(&net->addr_spoofed,
		     STAT_VALUE(DENALI_STAT_NET_ADDR_SPOOFED));
	atomic64_set(&net->router_drops,
		     STAT_VALUE(DENALI_STAT_NET_ROUTER_DROPS));
}

/* One nest holding every counter once, as a u64, in stats_order. */
static void nl_put_stats_order(struct kunit *test)
{
	struct denali_net_stats net;
	struct nlattr *nest, *a;
	struct sk_buff *skb;
	int rem, i = 0;

	/* A counter added to the uapi needs its place here. */
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(stats_order),
			DENALI_STAT_MAX - DENALI_STAT_PAD);
	set_test_net_stats(&net);
	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, denali_nl_put_stats(skb, &test_counters, &net),
			0);

	nest = (struct nlattr *)skb->data;
	KUNIT_EXPECT_EQ(test, nest->nla_type,
			NLA_F_NESTED | DENALI_A_VM_STATS);
	KUNIT_EXPECT_EQ(test, nest->nla_len, skb->len);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == DENALI_STAT_PAD)
			continue;
		KUNIT_ASSERT_LT(test, i, ARRAY_SIZE(stats_order));
		KUNIT_EXPECT_EQ(test, nla_type(a), stats_order[i]);
		KUNIT_EXPECT_EQ(test, nla_len(a), sizeof(u64));
		KUNIT_EXPECT_EQ(test, nla_get_u64(a),
				STAT_VALUE(stats_order[i]));
		i++;
	}
	KUNIT_EXPECT_EQ(test, rem, 0);
	KUNIT_EXPECT_EQ(test, i, ARRAY_SIZE(stats_order));
	kfree_skb(skb);
}

/* A message without room for every counter gets none of them. */
static void nl_put_stats_no_room(struct kunit *test)
{
	struct denali_net_stats net;
	struct sk_buff *skb;
	unsigned int used;

	set_test_net_stats(&net);
	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* Room for the nest and a few counters, not for all. */
	used = skb_tailroom(skb) - 64;
	skb_put(skb, used);
	KUNIT_EXPECT_EQ(test, denali_nl_put_stats(skb, &test_counters, &net),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, skb->len, used);
	kfree_skb(skb);
}

static struct kunit_case denali_netlink_cases[] = {
	KUNIT_CASE_PARAM(nl_check_name, nl_name_gen_params),
	KUNIT_CASE_PARAM(nl_check_mem_size, nl_mem_size_gen_params),
	KUNIT_CASE(nl_put_stats_order),
	KUNIT_CASE(nl_put_stats_no_room),
	{}
};

static struct kunit_suite denali_netlink_suite = {
	.name = "denali_netlink",
	.test_cases = denali_netlink_cases,
};

kunit_test_suite(denali_netlink_suite);
