// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the decoder behind SVM's control register and VMMCALL
 * intercepts, and the control register write rule both backends share.
 * The bytes are a hostile guest's: every prefix, addressing form and
 * edge of memory must give the right length and operand, or an error.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/processor-flags.h>

#include "insn.h"

#define MEM_SIZE	0x2000
#define CODE		0x1000

struct insn_test {
	u8 mem[MEM_SIZE];
	unsigned long gpr[8];
	struct denali_insn_ctx ctx;
	struct denali_insn insn;
};

static int test_read(void *arg, u32 addr, void *buf, unsigned int len)
{
	struct insn_test *t = arg;

	if (addr >= MEM_SIZE || len > MEM_SIZE - addr)
		return -EFAULT;
	memcpy(buf, t->mem + addr, len);
	return 0;
}

/* Flat 32-bit code at CODE, the bytes given, registers 0x100 * n. */
static struct insn_test *setup(struct kunit *test, const u8 *code,
			       size_t len)
{
	struct insn_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	if (len)
		memcpy(t->mem + CODE, code, len);
	for (i = 0; i < 8; i++)
		t->gpr[i] = 0x100 * i;
	t->ctx.eip = CODE;
	t->ctx.addr32 = true;
	t->ctx.gpr = t->gpr;
	t->ctx.read = test_read;
	t->ctx.arg = t;
	return t;
}

static int decode(struct insn_test *t)
{
	return denali_insn_decode(&t->ctx, &t->insn);
}

#define SETUP(test, ...)						\
({									\
	static const u8 __code[] = { __VA_ARGS__ };			\
	setup(test, __code, sizeof(__code));				\
})

static void insn_vmmcall(struct kunit *test)
{
	struct insn_test *t = SETUP(test, 0x0f, 0x01, 0xd9, 0xc3);

	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_VMMCALL);
	KUNIT_EXPECT_EQ(test, t->insn.len, 3);
}

/* A prefixed VMMCALL resumes after the whole instruction. */
static void insn_vmmcall_prefixed(struct kunit *test)
{
	struct insn_test *t = SETUP(test, 0x66, 0x0f, 0x01, 0xd9);

	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_VMMCALL);
	KUNIT_EXPECT_EQ(test, t->insn.len, 4);

	t = SETUP(test, 0xf3, 0x66, 0x2e, 0x67, 0xf2, 0x0f, 0x01, 0xd9);
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_VMMCALL);
	KUNIT_EXPECT_EQ(test, t->insn.len, 8);
}

/* 14 prefixes fit in 15 bytes; 15 do not. */
static void insn_too_long(struct kunit *test)
{
	struct insn_test *t = setup(test, NULL, 0);

	memset(t->mem + CODE, 0x66, 12);
	memcpy(t->mem + CODE + 12, "\x0f\x01\xd9", 3);
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.len, DENALI_INSN_MAX);

	memset(t->mem + CODE, 0x66, 13);
	memcpy(t->mem + CODE + 13, "\x0f\x01\xd9", 3);
	KUNIT_EXPECT_EQ(test, decode(t), -EINVAL);
}

static void insn_unexpected(struct kunit *test)
{
	/* mov %cr0,%eax; vmcall; nop; lgdt (%eax) */
	KUNIT_EXPECT_EQ(test, decode(SETUP(test, 0x0f, 0x20, 0xc0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, decode(SETUP(test, 0x0f, 0x01, 0xc1)), -EINVAL);
	KUNIT_EXPECT_EQ(test, decode(SETUP(test, 0x90)), -EINVAL);
	KUNIT_EXPECT_EQ(test, decode(SETUP(test, 0x0f, 0x01, 0x10)), -EINVAL);
}

static void insn_mov_cr(struct kunit *test)
{
	/* mov %ebx,%cr3 */
	struct insn_test *t = SETUP(test, 0x0f, 0x22, 0xdb);

	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_MOV_TO_CR);
	KUNIT_EXPECT_EQ(test, t->insn.cr, 3);
	KUNIT_EXPECT_EQ(test, t->insn.val, 0x300);
	KUNIT_EXPECT_EQ(test, t->insn.len, 3);

	/* 66 mov %esp,%cr4: the operand stays 32-bit; mod is ignored */
	t = SETUP(test, 0x66, 0x0f, 0x22, 0x24);
	t->gpr[4] = 0x12345678;
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.cr, 4);
	KUNIT_EXPECT_EQ(test, t->insn.val, 0x12345678);
	KUNIT_EXPECT_EQ(test, t->insn.len, 4);

	/* lock mov %eax,%cr0 is CR8 on AMD */
	t = SETUP(test, 0xf0, 0x0f, 0x22, 0xc0);
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.cr, 8);
}

static void insn_clts(struct kunit *test)
{
	struct insn_test *t = SETUP(test, 0x3e, 0x0f, 0x06);

	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_CLTS);
	KUNIT_EXPECT_EQ(test, t->insn.len, 3);
}

static void insn_lmsw_reg(struct kunit *test)
{
	/* lmsw %dx */
	struct insn_test *t = SETUP(test, 0x0f, 0x01, 0xf2);

	t->gpr[2] = 0xabcd0033;
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_LMSW);
	KUNIT_EXPECT_FALSE(test, t->insn.mem);
	KUNIT_EXPECT_EQ(test, t->insn.val, 0x0033);
	KUNIT_EXPECT_EQ(test, t->insn.len, 3);
}

static void expect_lmsw_mem(struct kunit *test, struct insn_test *t,
			    u32 addr, unsigned int len)
{
	t->mem[addr] = 0x5a;
	t->mem[addr + 1] = 0xa5;
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_LMSW);
	KUNIT_EXPECT_TRUE(test, t->insn.mem);
	KUNIT_EXPECT_EQ(test, t->insn.addr, addr);
	KUNIT_EXPECT_EQ(test, t->insn.val, 0xa55a);
	KUNIT_EXPECT_EQ(test, t->insn.len, len);
}

static void insn_lmsw_mem32(struct kunit *test)
{
	struct insn_test *t;

	/* lmsw (%ebx) */
	t = SETUP(test, 0x0f, 0x01, 0x33);
	expect_lmsw_mem(test, t, 0x300, 3);

	/* lmsw 0x10(%esi), disp8 */
	t = SETUP(test, 0x0f, 0x01, 0x76, 0x10);
	expect_lmsw_mem(test, t, 0x610, 4);

	/* lmsw -0x10(%edi), disp8 sign-extended */
	t = SETUP(test, 0x0f, 0x01, 0x77, 0xf0);
	expect_lmsw_mem(test, t, 0x6f0, 4);

	/* lmsw 0x1800, disp32 alone */
	t = SETUP(test, 0x0f, 0x01, 0x35, 0x00, 0x18, 0x00, 0x00);
	expect_lmsw_mem(test, t, 0x1800, 7);

	/* lmsw 0x100(%eax,%ecx,4), SIB and disp32 */
	t = SETUP(test, 0x0f, 0x01, 0xb4, 0x88, 0x00, 0x01, 0x00, 0x00);
	expect_lmsw_mem(test, t, 0x0 + 0x100 * 4 + 0x100, 8);

	/* lmsw 0x20(,%edx,2): SIB without a base */
	t = SETUP(test, 0x0f, 0x01, 0x34, 0x55, 0x20, 0x00, 0x00, 0x00);
	expect_lmsw_mem(test, t, 0x200 * 2 + 0x20, 8);
}

/* EBP and ESP bases use SS; an override wins; DS otherwise. */
static void insn_lmsw_segments(struct kunit *test)
{
	struct insn_test *t;

	/* lmsw 0x8(%ebp) */
	t = SETUP(test, 0x0f, 0x01, 0x75, 0x08);
	t->ctx.seg_base[DENALI_SEG_SS] = 0x10;
	t->ctx.seg_base[DENALI_SEG_DS] = 0x20;
	expect_lmsw_mem(test, t, 0x10 + 0x508, 4);

	/* lmsw (%esp) */
	t = SETUP(test, 0x0f, 0x01, 0x34, 0x24);
	t->ctx.seg_base[DENALI_SEG_SS] = 0x10;
	expect_lmsw_mem(test, t, 0x10 + 0x400, 4);

	/* lmsw %es:(%ebp) */
	t = SETUP(test, 0x26, 0x0f, 0x01, 0x75, 0x00);
	t->ctx.seg_base[DENALI_SEG_ES] = 0x30;
	t->ctx.seg_base[DENALI_SEG_SS] = 0x10;
	expect_lmsw_mem(test, t, 0x30 + 0x500, 5);

	/* lmsw %gs:(%ebx) */
	t = SETUP(test, 0x65, 0x0f, 0x01, 0x33);
	t->ctx.seg_base[DENALI_SEG_GS] = 0x40;
	t->ctx.seg_base[DENALI_SEG_DS] = 0x20;
	expect_lmsw_mem(test, t, 0x40 + 0x300, 4);

	/* lmsw (%ebx) with a DS base */
	t = SETUP(test, 0x0f, 0x01, 0x33);
	t->ctx.seg_base[DENALI_SEG_DS] = 0x20;
	expect_lmsw_mem(test, t, 0x20 + 0x300, 3);
}

static void insn_lmsw_mem16(struct kunit *test)
{
	struct insn_test *t;

	/* addr16 lmsw (%bp,%si): SS */
	t = SETUP(test, 0x67, 0x0f, 0x01, 0x32);
	t->ctx.seg_base[DENALI_SEG_SS] = 0x10;
	expect_lmsw_mem(test, t, 0x10 + 0x500 + 0x600, 4);

	/* addr16 lmsw 0x10(%bx,%di) */
	t = SETUP(test, 0x67, 0x0f, 0x01, 0x71, 0x10);
	expect_lmsw_mem(test, t, 0x300 + 0x700 + 0x10, 5);

	/* addr16 lmsw 0x1234: disp16 alone */
	t = SETUP(test, 0x67, 0x0f, 0x01, 0x36, 0x34, 0x12);
	expect_lmsw_mem(test, t, 0x1234, 6);

	/* addr16 wraps at 64 KiB: 0xfff0(%bx) + 0x300 */
	t = SETUP(test, 0x67, 0x0f, 0x01, 0xb7, 0xf0, 0xff);
	expect_lmsw_mem(test, t, 0x2f0, 6);

	/* A 16-bit code segment: 16-bit addressing without 67 */
	t = SETUP(test, 0x0f, 0x01, 0x37);
	t->ctx.addr32 = false;
	t->gpr[3] = 0x10300;
	expect_lmsw_mem(test, t, 0x300, 3);
}

static void insn_edges(struct kunit *test)
{
	struct insn_test *t;

	/* The last bytes of memory, fetched one at a time. */
	t = setup(test, NULL, 0);
	t->ctx.eip = MEM_SIZE - 3;
	memcpy(t->mem + MEM_SIZE - 3, "\x0f\x01\xd9", 3);
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.len, 3);

	/* An instruction that runs off the end of memory. */
	memcpy(t->mem + MEM_SIZE - 2, "\x66\x0f", 2);
	t->ctx.eip = MEM_SIZE - 2;
	KUNIT_EXPECT_EQ(test, decode(t), -EFAULT);

	/* CS.base + EIP wraps at 4 GiB. */
	t = SETUP(test, 0x0f, 0x06);
	t->ctx.seg_base[DENALI_SEG_CS] = 0xfffff000;
	t->ctx.eip = CODE + 0x1000;
	KUNIT_ASSERT_EQ(test, decode(t), 0);
	KUNIT_EXPECT_EQ(test, t->insn.kind, DENALI_INSN_CLTS);

	/* A memory operand outside memory. */
	t = SETUP(test, 0x0f, 0x01, 0x33);
	t->gpr[3] = MEM_SIZE - 1;
	KUNIT_EXPECT_EQ(test, decode(t), -EFAULT);
	t->gpr[3] = 0xffffffff;
	KUNIT_EXPECT_EQ(test, decode(t), -EFAULT);
}

static void insn_cr_rule(struct kunit *test)
{
	const u32 cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE;

	KUNIT_EXPECT_TRUE(test, denali_cr_write_ok(0, cr0, cr0));
	/* TS is the host's, in either direction. */
	KUNIT_EXPECT_TRUE(test, denali_cr_write_ok(0, cr0, cr0 | X86_CR0_TS));
	KUNIT_EXPECT_TRUE(test, denali_cr_write_ok(0, cr0 | X86_CR0_TS, cr0));
	KUNIT_EXPECT_FALSE(test, denali_cr_write_ok(0, cr0, cr0 | X86_CR0_PG));
	KUNIT_EXPECT_FALSE(test, denali_cr_write_ok(0, cr0, cr0 & ~X86_CR0_PE));
	KUNIT_EXPECT_FALSE(test, denali_cr_write_ok(0, cr0, cr0 | X86_CR0_EM));
	KUNIT_EXPECT_TRUE(test, denali_cr_write_ok(3, 0, 0));
	KUNIT_EXPECT_FALSE(test, denali_cr_write_ok(3, 0, 0x1000));
	KUNIT_EXPECT_TRUE(test, denali_cr_write_ok(4, 0x600, 0x600));
	KUNIT_EXPECT_FALSE(test, denali_cr_write_ok(4, 0x600, 0x620));
	KUNIT_EXPECT_FALSE(test, denali_cr_write_ok(8, 0, 0));

	/* LMSW sets PE but cannot clear it; it reaches bits 0-3 only. */
	KUNIT_EXPECT_EQ(test, denali_lmsw_cr0(cr0, 0), cr0 & ~X86_CR0_MP);
	KUNIT_EXPECT_EQ(test, denali_lmsw_cr0(cr0, 0xfff3), cr0);
	KUNIT_EXPECT_EQ(test, denali_lmsw_cr0(cr0, X86_CR0_MP), cr0);
	KUNIT_EXPECT_EQ(test, denali_lmsw_cr0(cr0 & ~X86_CR0_PE, 1),
			cr0 & ~X86_CR0_MP);
	KUNIT_EXPECT_EQ(test, denali_lmsw_cr0(cr0, 0xb),
			cr0 | X86_CR0_TS);
}

static struct kunit_case insn_cases[] = {
	KUNIT_CASE(insn_vmmcall),
	KUNIT_CASE(insn_vmmcall_prefixed),
	KUNIT_CASE(insn_too_long),
	KUNIT_CASE(insn_unexpected),
	KUNIT_CASE(insn_mov_cr),
	KUNIT_CASE(insn_clts),
	KUNIT_CASE(insn_lmsw_reg),
	KUNIT_CASE(insn_lmsw_mem32),
	KUNIT_CASE(insn_lmsw_segments),
	KUNIT_CASE(insn_lmsw_mem16),
	KUNIT_CASE(insn_edges),
	KUNIT_CASE(insn_cr_rule),
	{}
};

static struct kunit_suite insn_suite = {
	.name = "denali_insn",
	.test_cases = insn_cases,
};

kunit_test_suite(insn_suite);
