// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the netlink attribute checks that the policies cannot
 * express: VM names and memory sizes. A refused value must come back
 * with its error code and a message in the extended ack for the operator.
 */
#include <kunit/test.h>
#include <linux/netlink.h>
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

static struct kunit_case denali_netlink_cases[] = {
	KUNIT_CASE_PARAM(nl_check_name, nl_name_gen_params),
	KUNIT_CASE_PARAM(nl_check_mem_size, nl_mem_size_gen_params),
	{}
};

static struct kunit_suite denali_netlink_suite = {
	.name = "denali_netlink",
	.test_cases = denali_netlink_cases,
};

kunit_test_suite(denali_netlink_suite);
