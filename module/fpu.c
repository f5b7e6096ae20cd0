// SPDX-License-Identifier: GPL-2.0
/*
 * Guest FPU state. The runner claims the FPU with kernel_fpu_begin(),
 * which saves the host task's registers and marks them for reload, then
 * loads the guest's; nothing of one VM is left for another or for the
 * host to see.
 *
 * Most guests never use the FPU, so a quantum starts with the guest's
 * CR0.TS set and no switch at all; the first x87, MMX or SSE instruction
 * exits, and from then on the runner switches at every entry of that
 * quantum. Saving and restoring 512 bytes twice per exit for guests that
 * do not need it would dominate the cost of a hypercall.
 *
 * The state lives in a kernel page of the VM's memory (see mem.h),
 * pinned while the VM is resident and swapped with it otherwise.
 */
#include <linux/string.h>
#include <asm/fpu/api.h>

#include "fpu.h"

#define FXSAVE_SIZE		512
#define FXSAVE_ALIGN		16
#define FCW_DEFAULT		0x037f
#define MXCSR_DEFAULT		0x1f80

struct fxsave_area {
	u16 fcw;
	u16 fsw;
	u8 ftw;
	u8 reserved;
	u16 fop;
	u64 fip;
	u64 fdp;
	u32 mxcsr;
	u32 mxcsr_mask;
	u8 rest[FXSAVE_SIZE - 32];
} __packed __aligned(FXSAVE_ALIGN);

void denali_fpu_init_state(void *state)
{
	struct fxsave_area *fx = state;

	memset(fx, 0, sizeof(*fx));
	fx->fcw = FCW_DEFAULT;
	fx->mxcsr = MXCSR_DEFAULT;
}

void denali_fpu_enter(void *state)
{
	kernel_fpu_begin();
	asm volatile("fxrstor %0" : : "m" (*(struct fxsave_area *)state));
}

void denali_fpu_leave(void *state)
{
	asm volatile("fxsave %0" : "=m" (*(struct fxsave_area *)state));
	kernel_fpu_end();
}
