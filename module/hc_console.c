// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's console, as the guest sees it: hypercalls that copy between
 * guest memory and the console's rings (console.c). Buffers are the
 * guest's and are checked before they are used.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/denali_abi.h>

#include "console.h"
#include "hc.h"
#include "hc_console.h"
#include "mem.h"
#include "vm.h"

/* Console bytes copied per step, on the runner's stack. */
#define CONSOLE_CHUNK	256

static long console_write(struct denali_vm *vm, u32 gpa, u32 len)
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
		if (denali_console_write(&vm->console, buf, ret))
			return done ? done : -ENOMEM;
	}
	vm->stats.console_bytes += count;
	return count;
}

static long console_read(struct denali_vm *vm, u32 gpa, u32 len)
{
	char buf[CONSOLE_CHUNK];
	long count, done;
	ssize_t n;

	count = denali_hc_buffer(vm->mem.size, gpa, len,
				 DENALI_CONSOLE_READ_MAX);
	if (count < 0)
		return count;

	/* Input leaves the ring only once it is in guest memory. */
	for (done = 0; done < count; done += n) {
		n = denali_console_peek_input(&vm->console, buf,
					      min_t(long, count - done,
						    sizeof(buf)));
		if (n < 0)
			return done ? done : n;
		if (!n)
			break;
		if (denali_mem_write(&vm->mem, gpa + done, buf, n))
			return done ? done : -EFAULT;
		denali_console_consume_input(&vm->console, n);
	}
	return done;
}

bool denali_hc_console_write(struct denali_vm *vm, u32 gpa, u32 len)
{
	return denali_hc_return(vm, console_write(vm, gpa, len));
}

bool denali_hc_console_read(struct denali_vm *vm, u32 gpa, u32 len)
{
	return denali_hc_return(vm, console_read(vm, gpa, len));
}
