// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: the guest's only way to ask for anything. Every argument
 * is guest-controlled; buffers are checked against the VM's memory with
 * 64-bit arithmetic so nothing wraps at 4 GiB.
 */
#include <linux/errno.h>
#include <linux/denali_abi.h>

#include "hypercall.h"
#include "mem.h"
#include "sched.h"
#include "vm.h"

/* Console bytes copied per step, on the runner's stack. */
#define CONSOLE_CHUNK	256

long denali_hc_buffer(u32 mem_size, u32 gpa, u32 len, u32 max)
{
	if (!denali_gpa_range_ok(mem_size, gpa, len))
		return -EFAULT;
	return min(len, max);
}

static long hc_console_write(struct denali_vm *vm, u32 gpa, u32 len)
{
	char buf[CONSOLE_CHUNK];
	long count, done;
	int ret;

	count = denali_hc_buffer(vm->mem.size, gpa, len,
				 DENALI_CONSOLE_WRITE_MAX);
	if (count < 0)
		return count;

	for (done = 0; done < count; done += ret) {
		ret = min_t(long, count - done, sizeof(buf));
		if (denali_mem_read(&vm->mem, gpa + done, buf, ret))
			return done ? done : -EFAULT;
		denali_console_write(&vm->console, buf, ret);
	}
	vm->stats.console_bytes += count;
	return count;
}

bool denali_hypercall(struct denali_vm *vm)
{
	unsigned long *gpr = vm->regs.gpr;
	u32 arg1 = gpr[DENALI_REG_BX];
	u32 arg2 = gpr[DENALI_REG_CX];
	bool stay = true;
	long ret;

	vm->stats.hypercalls++;
	switch ((u32)gpr[DENALI_REG_AX]) {
	case DENALI_HC_TERMINATE:
		denali_vm_terminate(vm, (int)arg1);
		return false;
	case DENALI_HC_CONSOLE_WRITE:
		ret = hc_console_write(vm, arg1, arg2);
		break;
	case DENALI_HC_IDLE:
		ret = 0;
		stay = denali_sched_idle(vm, arg1);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	gpr[DENALI_REG_AX] = (u32)ret;
	return stay;
}
