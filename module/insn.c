// SPDX-License-Identifier: GPL-2.0
/*
 * Decodes the guest instructions behind SVM's control register and
 * VMMCALL intercepts. Every byte comes from guest memory and is
 * untrusted: only the encodings that can cause those intercepts are
 * accepted, and anything else is an error that crashes the VM.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/processor-flags.h>

#include "insn.h"

struct insn_fetch {
	const struct denali_insn_ctx *ctx;
	u8 buf[DENALI_INSN_MAX];
	unsigned int len;	/* bytes decoded */
	unsigned int have;	/* bytes read into buf */
};

/* The next instruction byte; reads ahead while guest memory allows. */
static int insn_next(struct insn_fetch *f, u8 *byte)
{
	const struct denali_insn_ctx *ctx = f->ctx;
	u32 ip = ctx->seg_base[DENALI_SEG_CS] + ctx->eip;
	int ret;

	if (f->len == DENALI_INSN_MAX)
		return -EINVAL;
	if (f->len == f->have) {
		/*
		 * One read for the rest of the longest instruction, the
		 * common case; near the end of memory, a byte at a time.
		 */
		ret = ctx->read(ctx->arg, ip + f->have, f->buf + f->have,
				DENALI_INSN_MAX - f->have);
		if (!ret) {
			f->have = DENALI_INSN_MAX;
		} else {
			ret = ctx->read(ctx->arg, ip + f->have,
					f->buf + f->have, 1);
			if (ret)
				return ret;
			f->have++;
		}
	}
	*byte = f->buf[f->len++];
	return 0;
}

static int insn_imm(struct insn_fetch *f, unsigned int bytes, u32 *val)
{
	unsigned int i;
	u8 b;
	int ret;

	*val = 0;
	for (i = 0; i < bytes; i++) {
		ret = insn_next(f, &b);
		if (ret)
			return ret;
		*val |= (u32)b << (8 * i);
	}
	return 0;
}

static u32 insn_reg(const struct denali_insn_ctx *ctx, unsigned int reg)
{
	return (u32)ctx->gpr[reg];
}

/* 16-bit addressing: ModRM rm names a base and index pair. */
static int insn_ea16(struct insn_fetch *f, u8 modrm, u32 *ea, int *seg)
{
	static const s8 base[8] = { 3, 3, 5, 5, -1, -1, 5, 3 };
	static const s8 index[8] = { 6, 7, 6, 7, 6, 7, -1, -1 };
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	u32 disp = 0;
	int ret = 0;

	*ea = 0;
	if (mod == 0 && rm == 6) {
		ret = insn_imm(f, 2, &disp);
	} else {
		if (base[rm] >= 0)
			*ea += insn_reg(f->ctx, base[rm]);
		if (index[rm] >= 0)
			*ea += insn_reg(f->ctx, index[rm]);
		/* BP as a base means the stack segment. */
		if (base[rm] == 5)
			*seg = DENALI_SEG_SS;
		if (mod == 1) {
			ret = insn_imm(f, 1, &disp);
			disp = (u32)(s8)disp;
		} else if (mod == 2) {
			ret = insn_imm(f, 2, &disp);
		}
	}
	*ea = (u16)(*ea + disp);
	return ret;
}

/* 32-bit addressing, with a SIB byte when rm is 4. */
static int insn_ea32(struct insn_fetch *f, u8 modrm, u32 *ea, int *seg)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, base = rm;
	u32 disp = 0;
	bool no_base = false;
	int ret;
	u8 sib;

	*ea = 0;
	if (rm == 4) {
		ret = insn_next(f, &sib);
		if (ret)
			return ret;
		base = sib & 7;
		if (((sib >> 3) & 7) != 4)
			*ea = insn_reg(f->ctx, (sib >> 3) & 7) << (sib >> 6);
		no_base = mod == 0 && base == 5;
	} else if (mod == 0 && rm == 5) {
		no_base = true;
	}

	if (!no_base) {
		*ea += insn_reg(f->ctx, base);
		/* ESP or EBP as a base means the stack segment. */
		if (base == 4 || base == 5)
			*seg = DENALI_SEG_SS;
	}
	if (no_base || mod == 2) {
		ret = insn_imm(f, 4, &disp);
	} else if (mod == 1) {
		ret = insn_imm(f, 1, &disp);
		disp = (u32)(s8)disp;
	} else {
		ret = 0;
	}
	*ea += disp;
	return ret;
}

int denali_insn_decode(const struct denali_insn_ctx *ctx,
		       struct denali_insn *insn)
{
	struct insn_fetch f = { .ctx = ctx };
	bool addr32 = ctx->addr32, lock = false;
	int seg = -1, def_seg = DENALI_SEG_DS;
	u8 b, modrm, src[2];
	int ret;

	/* Legacy prefixes, any number and order, up to the length limit. */
	for (;;) {
		ret = insn_next(&f, &b);
		if (ret)
			return ret;
		switch (b) {
		case 0x26:
			seg = DENALI_SEG_ES;
			continue;
		case 0x2e:
			seg = DENALI_SEG_CS;
			continue;
		case 0x36:
			seg = DENALI_SEG_SS;
			continue;
		case 0x3e:
			seg = DENALI_SEG_DS;
			continue;
		case 0x64:
			seg = DENALI_SEG_FS;
			continue;
		case 0x65:
			seg = DENALI_SEG_GS;
			continue;
		case 0x67:
			addr32 = !ctx->addr32;
			continue;
		case 0xf0:
			lock = true;
			continue;
		case 0x66:
		case 0xf2:
		case 0xf3:
			continue;
		}
		break;
	}
	if (b != 0x0f)
		return -EINVAL;
	ret = insn_next(&f, &b);
	if (ret)
		return ret;

	memset(insn, 0, sizeof(*insn));
	if (b == 0x06) {
		insn->kind = DENALI_INSN_CLTS;
		goto done;
	}
	if (b != 0x22 && b != 0x01)
		return -EINVAL;
	ret = insn_next(&f, &modrm);
	if (ret)
		return ret;

	if (b == 0x22) {
		/* MOV to CR always takes a register, whatever mod says. */
		insn->kind = DENALI_INSN_MOV_TO_CR;
		insn->cr = ((modrm >> 3) & 7) + (lock ? 8 : 0);
		insn->val = insn_reg(ctx, modrm & 7);
		goto done;
	}
	if (modrm == 0xd9) {
		insn->kind = DENALI_INSN_VMMCALL;
		goto done;
	}
	if (((modrm >> 3) & 7) != 6)
		return -EINVAL;

	insn->kind = DENALI_INSN_LMSW;
	if ((modrm >> 6) == 3) {
		insn->val = (u16)insn_reg(ctx, modrm & 7);
		goto done;
	}
	ret = addr32 ? insn_ea32(&f, modrm, &insn->addr, &def_seg) :
		       insn_ea16(&f, modrm, &insn->addr, &def_seg);
	if (ret)
		return ret;
	insn->mem = true;
	insn->addr += ctx->seg_base[seg >= 0 ? seg : def_seg];
	ret = ctx->read(ctx->arg, insn->addr, &src, sizeof(src));
	if (ret)
		return ret;
	insn->val = src[0] | src[1] << 8;
done:
	insn->len = f.len;
	return 0;
}

u32 denali_lmsw_cr0(u32 cr0, u16 src)
{
	const u32 bits = X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS;

	return (cr0 & ~bits) | (src & bits) | (cr0 & X86_CR0_PE);
}

bool denali_cr_write_ok(unsigned int cr, u32 old, u32 val)
{
	switch (cr) {
	case 0:
		return !((old ^ val) & ~X86_CR0_TS);
	case 3:
	case 4:
		return old == val;
	}
	return false;
}
