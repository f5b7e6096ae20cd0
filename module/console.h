/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_CONSOLE_H
#define _DENALI_CONSOLE_H

#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct denali_mem;

/* Bytes of console history kept per VM: one kernel page. */
#define DENALI_CONSOLE_RING	PAGE_SIZE

/* Bytes of console input queued per VM: one kernel page. */
#define DENALI_CONSOLE_INPUT	PAGE_SIZE

/*
 * A VM's console output: a ring of recent history. Each reader keeps its
 * own position; one that falls behind by more than the ring skips ahead.
 * Console input is a second ring that writers fill and the guest drains.
 * Both rings are kernel pages of the VM's memory (see mem.h), so they
 * are swapped with it and cost nothing while it is out.
 */
struct denali_console {
	spinlock_t lock;
	struct denali_mem *mem;
	u64 head;		/* bytes ever written */
	bool closed;		/* the VM has ended: readers see EOF */
	wait_queue_head_t wait;
	u32 in_head;		/* input bytes ever written, modulo 2^32 */
	u32 in_tail;		/* input bytes ever read by the guest */
};

void denali_console_init(struct denali_console *con, struct denali_mem *mem);
/* Process context, as are peek_input and the console file's calls. */
int denali_console_write(struct denali_console *con, const char *buf,
			 size_t len);
void denali_console_close(struct denali_console *con);

/*
 * Console input for the guest, which alone consumes it: copies up to len
 * queued bytes to buf without taking them (returns how many, or an
 * errno), then drops n of them.
 */
ssize_t denali_console_peek_input(struct denali_console *con, char *buf,
				  size_t len);
void denali_console_consume_input(struct denali_console *con, size_t n);

struct denali_vm;
/*
 * A new file whose reads return the VM's console output and whose writes
 * queue console input, raising DENALI_IRQ_CONSOLE.
 */
struct file *denali_console_open(struct denali_vm *vm, int flags);

#endif /* _DENALI_CONSOLE_H */
