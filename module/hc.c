// SPDX-License-Identifier: GPL-2.0
/*
 * What the hypercall handlers share: the result, and the check of a
 * guest buffer. Buffers are checked against the VM's memory with 64-bit
 * arithmetic so nothing wraps at 4 GiB.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/denali_abi.h>

#include "hc.h"
#include "mem.h"
#include "trace.h"
#include "vm.h"

bool denali_hc_return(struct denali_vm *vm, long ret)
{
	unsigned long *gpr = vm->vcpu->regs.gpr;

	trace_denali_hypercall(vm->id, gpr[DENALI_REG_AX], ret);
	gpr[DENALI_REG_AX] = (u32)ret;
	return true;
}

long denali_hc_buffer(u32 mem_size, u32 gpa, u32 len, u32 max)
{
	if (!denali_gpa_range_ok(mem_size, gpa, len))
		return -EFAULT;
	return min(len, max);
}
