/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_CONSOLE_H
#define _DENALI_CONSOLE_H

#include <linux/mm.h>
#include <linux/poll.h>
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
	/* New input is queued; process context, no lock held. */
	void (*input_ready)(struct denali_console *con);
};

void denali_console_init(struct denali_console *con, struct denali_mem *mem,
			 void (*input_ready)(struct denali_console *con));
/* Process context, as are the other calls below. */
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
/*
 * Queues what fits of len bytes of input and calls input_ready: how many,
 * -EAGAIN when the ring is full, -EPIPE once the console is closed.
 */
ssize_t denali_console_queue_input(struct denali_console *con,
				   const char *buf, size_t len);

/*
 * A reader of the output keeps its position in *pos; one that fell more
 * than a ring behind skips ahead. A new reader starts with the history
 * the ring still holds. Readers sleep on con->wait.
 */
void denali_console_reader_init(struct denali_console *con, u64 *pos);
/* Output not yet read, or the console is closed (end of file). */
bool denali_console_readable(struct denali_console *con, u64 *pos);
/* Copies up to len unread bytes to buf: how many, or an errno. */
ssize_t denali_console_read(struct denali_console *con, u64 *pos, char *buf,
			    size_t len);
/* What a reader at *pos may do now, as poll() reports it. */
__poll_t denali_console_poll(struct denali_console *con, u64 *pos);

#endif /* _DENALI_CONSOLE_H */
