// SPDX-License-Identifier: GPL-2.0
/*
 * Console rings: what a guest writes goes into a small ring; every
 * reader reads it from its own position, so a late reader still sees
 * the recent history and a slow one never blocks the guest. Input goes
 * into a second ring, which the guest drains; whoever owns the console
 * hears of new input through the callback it gave. A full input ring
 * refuses more rather than block. The rings know nothing of VMs or
 * files: hc_console.c copies to and from the guest, chardev.c to and
 * from user space.
 */
#include <linux/highmem.h>
#include <linux/poll.h>

#include "console.h"
#include "mem.h"

#define RING_MASK	(DENALI_CONSOLE_RING - 1)
#define IN_MASK		(DENALI_CONSOLE_INPUT - 1)

void denali_console_init(struct denali_console *con, struct denali_mem *mem,
			 void (*input_ready)(struct denali_console *con))
{
	spin_lock_init(&con->lock);
	init_waitqueue_head(&con->wait);
	con->mem = mem;
	con->input_ready = input_ready;
	con->head = 0;
	con->closed = false;
	con->in_head = 0;
	con->in_tail = 0;
}

/* The ring's page, held until console_put(); it may come from swap. */
static struct page *console_get(struct denali_console *con,
				enum denali_kpage ring)
{
	return denali_mem_pin(con->mem, ring);
}

static void console_put(struct page *page, bool written)
{
	denali_mem_unpin(page, written);
}

ssize_t denali_console_peek_input(struct denali_console *con, char *buf,
				  size_t len)
{
	struct page *page = console_get(con, DENALI_KPAGE_CONSOLE_IN);
	unsigned long flags;
	size_t n, off, first;
	char *ring;

	if (IS_ERR(page))
		return PTR_ERR(page);
	ring = kmap_local_page(page);
	spin_lock_irqsave(&con->lock, flags);
	n = min_t(size_t, len, con->in_head - con->in_tail);
	off = con->in_tail & IN_MASK;
	first = min_t(size_t, n, DENALI_CONSOLE_INPUT - off);
	memcpy(buf, ring + off, first);
	memcpy(buf + first, ring, n - first);
	spin_unlock_irqrestore(&con->lock, flags);
	kunmap_local(ring);
	console_put(page, false);
	return n;
}

void denali_console_consume_input(struct denali_console *con, size_t n)
{
	unsigned long flags;

	spin_lock_irqsave(&con->lock, flags);
	con->in_tail += n;
	spin_unlock_irqrestore(&con->lock, flags);
	/* Writers that polled a full ring can go on. */
	wake_up_interruptible(&con->wait);
}

ssize_t denali_console_queue_input(struct denali_console *con,
				   const char *buf, size_t len)
{
	struct page *page = console_get(con, DENALI_KPAGE_CONSOLE_IN);
	unsigned long flags;
	size_t n, off, first;
	ssize_t ret;
	char *ring;

	if (IS_ERR(page))
		return PTR_ERR(page);
	ring = kmap_local_page(page);
	spin_lock_irqsave(&con->lock, flags);
	n = min_t(size_t, len,
		  DENALI_CONSOLE_INPUT - (con->in_head - con->in_tail));
	if (con->closed) {
		ret = -EPIPE;
	} else if (!n) {
		ret = -EAGAIN;
	} else {
		off = con->in_head & IN_MASK;
		first = min_t(size_t, n, DENALI_CONSOLE_INPUT - off);
		memcpy(ring + off, buf, first);
		memcpy(ring, buf + first, n - first);
		con->in_head += n;
		ret = n;
	}
	spin_unlock_irqrestore(&con->lock, flags);
	kunmap_local(ring);
	console_put(page, ret > 0);
	if (ret > 0)
		con->input_ready(con);
	return ret;
}

int denali_console_write(struct denali_console *con, const char *buf,
			 size_t len)
{
	struct page *page = console_get(con, DENALI_KPAGE_CONSOLE_OUT);
	unsigned long flags;
	char *ring;

	if (IS_ERR(page))
		return PTR_ERR(page);
	ring = kmap_local_page(page);
	spin_lock_irqsave(&con->lock, flags);
	/* Only the last ring's worth can ever be read. */
	if (len > DENALI_CONSOLE_RING) {
		buf += len - DENALI_CONSOLE_RING;
		con->head += len - DENALI_CONSOLE_RING;
		len = DENALI_CONSOLE_RING;
	}
	while (len) {
		size_t off = con->head & RING_MASK;
		size_t n = min_t(size_t, len, DENALI_CONSOLE_RING - off);

		memcpy(ring + off, buf, n);
		con->head += n;
		buf += n;
		len -= n;
	}
	spin_unlock_irqrestore(&con->lock, flags);
	kunmap_local(ring);
	console_put(page, true);
	wake_up_interruptible(&con->wait);
	return 0;
}

void denali_console_close(struct denali_console *con)
{
	unsigned long flags;

	spin_lock_irqsave(&con->lock, flags);
	con->closed = true;
	spin_unlock_irqrestore(&con->lock, flags);
	wake_up_interruptible(&con->wait);
}

/* Bytes a reader at *pos has not seen yet, skipping what the ring lost. */
static size_t console_unread(struct denali_console *con, u64 *pos)
{
	lockdep_assert_held(&con->lock);
	if (con->head - *pos > DENALI_CONSOLE_RING)
		*pos = con->head - DENALI_CONSOLE_RING;
	return con->head - *pos;
}

void denali_console_reader_init(struct denali_console *con, u64 *pos)
{
	unsigned long flags;

	*pos = 0;
	spin_lock_irqsave(&con->lock, flags);
	console_unread(con, pos);
	spin_unlock_irqrestore(&con->lock, flags);
}

bool denali_console_readable(struct denali_console *con, u64 *pos)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&con->lock, flags);
	ready = console_unread(con, pos) || con->closed;
	spin_unlock_irqrestore(&con->lock, flags);
	return ready;
}

ssize_t denali_console_read(struct denali_console *con, u64 *pos, char *buf,
			    size_t len)
{
	struct page *page = console_get(con, DENALI_KPAGE_CONSOLE_OUT);
	unsigned long flags;
	size_t n, off, first;
	char *ring;

	if (IS_ERR(page))
		return PTR_ERR(page);
	ring = kmap_local_page(page);
	spin_lock_irqsave(&con->lock, flags);
	n = min_t(size_t, len, console_unread(con, pos));
	off = *pos & RING_MASK;
	first = min_t(size_t, n, DENALI_CONSOLE_RING - off);
	memcpy(buf, ring + off, first);
	memcpy(buf + first, ring, n - first);
	*pos += n;
	spin_unlock_irqrestore(&con->lock, flags);
	kunmap_local(ring);
	console_put(page, false);
	return n;
}

__poll_t denali_console_poll(struct denali_console *con, u64 *pos)
{
	unsigned long flags;
	__poll_t mask = 0;

	spin_lock_irqsave(&con->lock, flags);
	if (console_unread(con, pos))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (con->in_head - con->in_tail < DENALI_CONSOLE_INPUT)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (con->closed)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	spin_unlock_irqrestore(&con->lock, flags);
	return mask;
}

