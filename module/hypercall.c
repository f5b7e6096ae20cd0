// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: the guest's only way to ask for anything. Every argument
 * is guest-controlled; buffers are checked against the VM's memory with
 * 64-bit arithmetic so nothing wraps at 4 GiB.
 */
#include <linux/errno.h>
#include <linux/denali_abi.h>

#include "hypercall.h"
#include "irq.h"
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

static long hc_console_read(struct denali_vm *vm, u32 gpa, u32 len)
{
	char buf[CONSOLE_CHUNK];
	long count, done;
	size_t n;

	count = denali_hc_buffer(vm->mem.size, gpa, len,
				 DENALI_CONSOLE_READ_MAX);
	if (count < 0)
		return count;

	/* Input leaves the ring only once it is in guest memory. */
	for (done = 0; done < count; done += n) {
		n = denali_console_peek_input(&vm->console, buf,
					      min_t(long, count - done,
						    sizeof(buf)));
		if (!n)
			break;
		if (denali_mem_write(&vm->mem, gpa + done, buf, n))
			return done ? done : -EFAULT;
		denali_console_consume_input(&vm->console, n);
	}
	return done;
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
	case DENALI_HC_TIMER_SET:
		denali_irq_timer_set(vm, arg1);
		ret = 0;
		break;
	case DENALI_HC_CONSOLE_READ:
		ret = hc_console_read(vm, arg1, arg2);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	gpr[DENALI_REG_AX] = (u32)ret;
	return stay;
}
