// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: the guest's only way to ask for anything. A table indexed
 * by the call's number gives its handler; the devices' front ends
 * (hc_console.c, hc_net.c, hc_disk.c) handle theirs. Every argument is
 * guest-controlled.
 */
#include <linux/errno.h>
#include <linux/nospec.h>
#include <linux/denali_abi.h>

#include "hc.h"
#include "hc_console.h"
#include "hc_disk.h"
#include "hc_net.h"
#include "hypercall.h"
#include "irq.h"
#include "trace.h"
#include "vm.h"

static bool hc_terminate(struct denali_vm *vm, u32 exit_code, u32 unused)
{
	/* It never returns: the result traced is the exit code. */
	trace_denali_hypercall(vm->id, DENALI_HC_TERMINATE, (int)exit_code);
	denali_vm_terminate(vm, (int)exit_code);
	return false;
}

static bool hc_idle(struct denali_vm *vm, u32 timeout_us, u32 unused)
{
	bool stay = denali_irq_idle(vm, timeout_us);

	denali_hc_return(vm, 0);
	return stay;
}

static bool hc_timer_set(struct denali_vm *vm, u32 delay_us, u32 unused)
{
	denali_irq_timer_set(vm, delay_us);
	return denali_hc_return(vm, 0);
}

static bool (*const hc_handlers[])(struct denali_vm *vm, u32 arg1,
				   u32 arg2) = {
	[DENALI_HC_TERMINATE]		= hc_terminate,
	[DENALI_HC_CONSOLE_WRITE]	= denali_hc_console_write,
	[DENALI_HC_IDLE]		= hc_idle,
	[DENALI_HC_TIMER_SET]		= hc_timer_set,
	[DENALI_HC_CONSOLE_READ]	= denali_hc_console_read,
	[DENALI_HC_NET_SEND]		= denali_hc_net_send,
	[DENALI_HC_NET_RECV]		= denali_hc_net_recv,
	[DENALI_HC_DISK_SUBMIT]		= denali_hc_disk_submit,
	[DENALI_HC_DISK_REAP]		= denali_hc_disk_reap,
};

bool denali_hypercall(struct denali_vm *vm)
{
	unsigned long *gpr = vm->vcpu->regs.gpr;
	u32 nr = gpr[DENALI_REG_AX];

	vm->stats.hypercalls++;
	if (nr < ARRAY_SIZE(hc_handlers)) {
		/* The guest chose nr: no speculative call past the table. */
		nr = array_index_nospec(nr, ARRAY_SIZE(hc_handlers));
		if (hc_handlers[nr])
			return hc_handlers[nr](vm, gpr[DENALI_REG_BX],
					       gpr[DENALI_REG_CX]);
	}
	/* Guest ABI: an unknown call fails as an unknown syscall does. */
	return denali_hc_return(vm, -ENOSYS);
}
