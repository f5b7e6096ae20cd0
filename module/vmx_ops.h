/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX instructions, and VMCS accessors typed by field width as KVM's
 * (arch/x86/kvm/vmx/vmx_ops.h): a constant field read or written with the
 * wrong width fails the build. For vmx.c alone.
 */
#ifndef _DENALI_VMX_OPS_H
#define _DENALI_VMX_OPS_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/vmx.h>

/*
 * VMXON, VMCLEAR or VMPTRLD on a physical address: 0 on success, -EIO
 * when the instruction failed or faulted.
 */
#define vmx_insn_pa(insn, addr)						\
({									\
	u64 __pa = (addr);						\
	u8 __fail = 1;							\
									\
	asm volatile("1: " insn " %[pa]\n\t"				\
		     "setna %[fail]\n"					\
		     "2:\n"						\
		     _ASM_EXTABLE(1b, 2b)				\
		     : [fail] "+qm"(__fail) : [pa] "m"(__pa)		\
		     : "cc", "memory");					\
	__fail ? -EIO : 0;						\
})

static inline void invept_context(u64 eptp)
{
	struct {
		u64 eptp;
		u64 reserved;
	} desc = { eptp, 0 };

	asm volatile("invept %0, %1"
		     : : "m"(desc), "r"((unsigned long)VMX_EPT_EXTENT_CONTEXT)
		     : "cc", "memory");
}

/*
 * Bits 14:13 of a field's encoding give its width (0: 16-bit, 1: 64-bit,
 * 2: 32-bit, 3: natural width); bit 0 set names the high half of a 64-bit
 * field, which a 64-bit host never needs.
 */
#define VMCS_FIELD_WIDTH(field)	((field) & 0x6001)
#define VMCS_FIELD_16		0x0000
#define VMCS_FIELD_64		0x2000
#define VMCS_FIELD_32		0x4000
#define VMCS_FIELD_NATURAL	0x6000

#define vmcs_check(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&			\
			 VMCS_FIELD_WIDTH(field) != (width),		\
			 "VMCS accessor of the wrong width")

/* Any field, whatever its width; vmx.c warns when a write fails. */
static __always_inline unsigned long __vmcs_readl(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

void vmx_vmwrite_error(unsigned long field);

static __always_inline void __vmcs_writel(unsigned long field,
					  unsigned long value)
{
	u8 fail;

	asm volatile("vmwrite %[value], %[field]\n\t"
		     "setna %[fail]"
		     : [fail] "=qm"(fail)
		     : [field] "r"(field), [value] "rm"(value)
		     : "cc");
	if (unlikely(fail))
		vmx_vmwrite_error(field);
}

static __always_inline u16 vmcs_read16(unsigned long field)
{
	vmcs_check(field, VMCS_FIELD_16);
	return __vmcs_readl(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	vmcs_check(field, VMCS_FIELD_32);
	return __vmcs_readl(field);
}

static __always_inline u64 vmcs_read64(unsigned long field)
{
	vmcs_check(field, VMCS_FIELD_64);
	return __vmcs_readl(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	vmcs_check(field, VMCS_FIELD_NATURAL);
	return __vmcs_readl(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	vmcs_check(field, VMCS_FIELD_16);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	vmcs_check(field, VMCS_FIELD_32);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	vmcs_check(field, VMCS_FIELD_64);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_writel(unsigned long field,
					unsigned long value)
{
	vmcs_check(field, VMCS_FIELD_NATURAL);
	__vmcs_writel(field, value);
}

#endif /* _DENALI_VMX_OPS_H */
