/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A decoder for the few guest instructions that an SVM intercept without
 * decode assists or NRIP save leaves the host to read from guest memory,
 * and the rule both backends apply to control register writes.
 */
#ifndef _DENALI_INSN_H
#define _DENALI_INSN_H

#include <linux/types.h>

/* The architectural limit: longer instructions raise #GP. */
#define DENALI_INSN_MAX		15

/* Segment registers, numbered as in instruction encodings. */
enum {
	DENALI_SEG_ES, DENALI_SEG_CS, DENALI_SEG_SS, DENALI_SEG_DS,
	DENALI_SEG_FS, DENALI_SEG_GS, DENALI_NR_SEGS
};

enum denali_insn_kind {
	DENALI_INSN_MOV_TO_CR,	/* 0f 22 /r */
	DENALI_INSN_CLTS,	/* 0f 06 */
	DENALI_INSN_LMSW,	/* 0f 01 /6, register or memory */
	DENALI_INSN_VMMCALL,	/* 0f 01 d9 */
};

/*
 * Where the instruction is and the guest state its operands use. read()
 * copies len bytes of guest memory at a (32-bit, paging off) linear
 * address; it returns 0 or an errno, which the decoder passes on.
 */
struct denali_insn_ctx {
	u32 seg_base[DENALI_NR_SEGS];
	u32 eip;
	/* The code segment's default address size is 32 bits (CS.D). */
	bool addr32;
	/* Indexed by x86 register number; only the low 32 bits count. */
	const unsigned long *gpr;
	int (*read)(void *arg, u32 addr, void *buf, unsigned int len);
	void *arg;
};

struct denali_insn {
	enum denali_insn_kind kind;
	unsigned int len;	/* bytes, prefixes included */
	/* MOV to CR: the register, 8 for CR0 with a LOCK prefix (AMD). */
	unsigned int cr;
	/* MOV to CR and LMSW: the value written (LMSW: 16 bits). */
	u32 val;
	/* LMSW from memory: the operand's linear address. */
	bool mem;
	u32 addr;
};

/*
 * Decodes the instruction at CS.base + EIP. Returns 0, the error of a
 * read() that failed, or -EINVAL for anything but the instructions above
 * (an unexpected byte, or more than DENALI_INSN_MAX bytes).
 */
int denali_insn_decode(const struct denali_insn_ctx *ctx,
		       struct denali_insn *insn);

/* CR0 after LMSW of src, which can set PE but never clear it. */
u32 denali_lmsw_cr0(u32 cr0, u16 src);

/*
 * True when writing val to control register cr, which the guest reads
 * as old, leaves it as the guest reads it: the write is then a no-op,
 * and any other write ends the VM. CR0.TS belongs to the host, which
 * switches FPU state lazily with it, so it never counts.
 */
bool denali_cr_write_ok(unsigned int cr, u32 old, u32 val);

#endif /* _DENALI_INSN_H */
