/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_CONSOLE_H
#define _DENALI_CONSOLE_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

/* Bytes of console history kept per VM; a power of two. */
#define DENALI_CONSOLE_RING	4096

/* Bytes of console input queued per VM; a power of two. */
#define DENALI_CONSOLE_INPUT	4096

/*
 * A VM's console output: a ring of recent history. Each reader keeps its
 * own position; one that falls behind by more than the ring skips ahead.
 * Console input is a second ring that writers fill and the guest drains.
 */
struct denali_console {
	spinlock_t lock;
	char *ring;
	u64 head;		/* bytes ever written */
	bool closed;		/* the VM has ended: readers see EOF */
	wait_queue_head_t wait;
	char *in_ring;
	u32 in_head;		/* input bytes ever written, modulo 2^32 */
	u32 in_tail;		/* input bytes ever read by the guest */
};

int denali_console_init(struct denali_console *con);
void denali_console_free(struct denali_console *con);
void denali_console_write(struct denali_console *con, const char *buf,
			  size_t len);
void denali_console_close(struct denali_console *con);

/*
 * Console input for the guest, which alone consumes it: copies up to len
 * queued bytes to buf without taking them, then drops n of them.
 */
size_t denali_console_peek_input(struct denali_console *con, char *buf,
				 size_t len);
void denali_console_consume_input(struct denali_console *con, size_t n);

struct denali_vm;
/*
 * A new file whose reads return the VM's console output and whose writes
 * queue console input, raising DENALI_IRQ_CONSOLE.
 */
struct file *denali_console_open(struct denali_vm *vm, int flags);

#endif /* _DENALI_CONSOLE_H */
