// SPDX-License-Identifier: GPL-2.0
/*
 * VM consoles: what a guest writes goes into a small ring; every open
 * console file reads the ring from its own position, so a late reader
 * still sees the recent history and a slow one never blocks the guest.
 * What is written to a console file goes into a second ring, the VM's
 * input, and raises the console interrupt; the guest reads it with a
 * hypercall. A full input ring refuses more rather than block.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/denali_abi.h>

#include "console.h"
#include "irq.h"
#include "mem.h"
#include "vm.h"

#define RING_MASK	(DENALI_CONSOLE_RING - 1)
#define IN_MASK		(DENALI_CONSOLE_INPUT - 1)

struct console_reader {
	struct denali_vm *vm;
	u64 pos;
};

void denali_console_init(struct denali_console *con, struct denali_mem *mem)
{
	spin_lock_init(&con->lock);
	init_waitqueue_head(&con->wait);
	con->mem = mem;
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

/* Queues what fits of len bytes; -EAGAIN when the ring is full. */
static ssize_t console_queue_input(struct denali_console *con,
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

/* Bytes the reader has not seen yet, skipping what the ring lost. */
static size_t console_unread(struct denali_console *con,
			     struct console_reader *r)
{
	lockdep_assert_held(&con->lock);
	if (con->head - r->pos > DENALI_CONSOLE_RING)
		r->pos = con->head - DENALI_CONSOLE_RING;
	return con->head - r->pos;
}

static bool console_readable(struct denali_console *con,
			     struct console_reader *r)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&con->lock, flags);
	ready = console_unread(con, r) || con->closed;
	spin_unlock_irqrestore(&con->lock, flags);
	return ready;
}

static ssize_t console_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct console_reader *r = file->private_data;
	struct denali_console *con = &r->vm->console;
	unsigned long flags;
	size_t n, off, first;
	struct page *page;
	char *buf, *ring;
	int ret;

	if (!count)
		return 0;
	count = min_t(size_t, count, DENALI_CONSOLE_RING);

	if (file->f_flags & O_NONBLOCK) {
		if (!console_readable(con, r))
			return -EAGAIN;
	} else {
		ret = wait_event_interruptible(con->wait,
					       console_readable(con, r));
		if (ret)
			return ret;
	}

	buf = kmalloc(count, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	page = console_get(con, DENALI_KPAGE_CONSOLE_OUT);
	if (IS_ERR(page)) {
		kfree(buf);
		return PTR_ERR(page);
	}

	ring = kmap_local_page(page);
	spin_lock_irqsave(&con->lock, flags);
	n = min_t(size_t, count, console_unread(con, r));
	off = r->pos & RING_MASK;
	first = min_t(size_t, n, DENALI_CONSOLE_RING - off);
	memcpy(buf, ring + off, first);
	memcpy(buf + first, ring, n - first);
	r->pos += n;
	spin_unlock_irqrestore(&con->lock, flags);
	kunmap_local(ring);
	console_put(page, false);

	ret = copy_to_user(ubuf, buf, n) ? -EFAULT : n;
	kfree(buf);
	return ret;
}

static ssize_t console_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct console_reader *r = file->private_data;
	ssize_t ret;
	char *buf;

	if (!count)
		return 0;
	/* More than the ring holds could never go in at once. */
	count = min_t(size_t, count, DENALI_CONSOLE_INPUT);
	buf = memdup_user(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = console_queue_input(&r->vm->console, buf, count);
	kfree(buf);
	if (ret > 0)
		denali_irq_raise(r->vm, DENALI_IRQ_CONSOLE);
	return ret;
}

static __poll_t console_poll(struct file *file, poll_table *wait)
{
	struct console_reader *r = file->private_data;
	struct denali_console *con = &r->vm->console;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(file, &con->wait, wait);
	spin_lock_irqsave(&con->lock, flags);
	if (console_unread(con, r))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (con->in_head - con->in_tail < DENALI_CONSOLE_INPUT)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (con->closed)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	spin_unlock_irqrestore(&con->lock, flags);
	return mask;
}

static int console_release(struct inode *inode, struct file *file)
{
	struct console_reader *r = file->private_data;

	denali_vm_put(r->vm);
	kfree(r);
	return 0;
}

static const struct file_operations console_fops = {
	.owner = THIS_MODULE,
	.read = console_read,
	.write = console_write,
	.poll = console_poll,
	.release = console_release,
	.llseek = noop_llseek,
};

struct file *denali_console_open(struct denali_vm *vm, int flags)
{
	struct denali_console *con = &vm->console;
	struct console_reader *r;
	unsigned long irqflags;
	struct file *file;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	kref_get(&vm->ref);
	r->vm = vm;
	/* Start with the history that the ring still holds. */
	spin_lock_irqsave(&con->lock, irqflags);
	console_unread(con, r);
	spin_unlock_irqrestore(&con->lock, irqflags);

	file = anon_inode_getfile("[denali-console]", &console_fops, r,
				  O_RDWR | (flags & O_NONBLOCK));
	if (IS_ERR(file)) {
		denali_vm_put(vm);
		kfree(r);
	}
	return file;
}
