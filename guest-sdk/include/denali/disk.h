/* SPDX-License-Identifier: MIT */
/*
 * libdisk: the virtual disks of <linux/denali_abi.h> for guest programs.
 *
 * Disks are numbered from 0 and counted in blocks of
 * DENALI_DISK_BLOCK_SIZE (4 KiB). Requests go to the kernel in batches
 * (denali_disk_submit() of <denali.h>) and complete in any order; libdisk
 * tags them, keeps those the kernel cannot take yet in a queue, and calls
 * each request's completion function when its DENALI_IRQ_DISK upcall
 * comes, or when the program polls with disk_poll(). On top of that,
 * disk_read(), disk_write() and disk_flush() wait for their requests in
 * the calling thread (<thread.h>): other threads run meanwhile, and with
 * none runnable the VM idles until the disk answers.
 *
 * Buffers given to the kernel must be block-aligned: disk_alloc() gives
 * such memory; disk_pread() reads any byte range into any buffer.
 * Calls return 0 (or a count) or a negative errno (<errno.h>).
 */
#ifndef _DENALI_DISK_H
#define _DENALI_DISK_H

#include <stddef.h>
#include <stdint.h>
#include <denali.h>

/* The disks the VM has, from the virtual registers. */
unsigned int disk_count(void);
/* Size of disk in blocks; 0 for a disk the VM does not have. */
uint64_t disk_blocks(unsigned int disk);
/* Whether the VM may not write disk (1 too for a disk it does not have). */
int disk_readonly(unsigned int disk);

/*
 * One asynchronous request. The caller fills disk, op, blocks, block
 * and buf (block-aligned; unused for a flush), done and arg, and keeps
 * the struct until done(io, result) has been called: from the disk's
 * upcall or from disk_poll(), with upcalls disabled, so done may only
 * do what an upcall handler may (thread_cond_signal(), not blocking
 * calls). result is 0 or a negative errno (see denali_abi.h).
 */
struct disk_io;
typedef void (*disk_io_done_t)(struct disk_io *io, int result);

struct disk_io {
	unsigned int disk;
	enum denali_disk_op op;
	unsigned int blocks;		/* 1..DENALI_DISK_REQ_BLOCKS_MAX */
	uint64_t block;
	void *buf;
	disk_io_done_t done;
	void *arg;
	struct disk_io *next;		/* libdisk's: its queue */
};

/*
 * Queues count requests, in order, and hands the kernel as many as it
 * takes now (in batches of up to DENALI_DISK_BATCH_MAX); the rest go as
 * earlier ones complete. Never blocks; every request completes through
 * its done function, errors included.
 */
void disk_submit(struct disk_io *const *ios, unsigned int count);

/*
 * Reaps waiting completions, calls their done functions and hands
 * queued requests to the kernel. Returns how many completed. The
 * DENALI_IRQ_DISK upcall does this; a program that runs with upcalls
 * disabled calls it itself.
 */
unsigned int disk_poll(void);

/* Requests handed to the kernel or queued, and not yet completed. */
unsigned int disk_pending(void);

/*
 * Synchronous transfers of nblocks blocks from block on, any number of
 * them, through buf (block-aligned); and a flush, which returns once
 * every write submitted to disk before it is durable. They block the
 * calling thread until the disk answers. Errors: -ENODEV (no such disk),
 * -EINVAL (unaligned buffer, a range past the disk's end), -EROFS, or
 * what the kernel reports (-EIO, -ENOSPC).
 */
int disk_read(unsigned int disk, uint64_t block, void *buf,
	      unsigned int nblocks);
int disk_write(unsigned int disk, uint64_t block, const void *buf,
	       unsigned int nblocks);
int disk_flush(unsigned int disk);

/*
 * Reads len bytes at byte offset of disk into buf (any alignment), through
 * a bounce buffer from malloc(); blocks like disk_read(). Returns 0,
 * -EINVAL for a range past the end, -ENOMEM, or disk_read()'s errors.
 */
int disk_pread(unsigned int disk, uint64_t offset, void *buf, size_t len);

/*
 * Block-aligned memory for nblocks blocks, and its release. The
 * pointer disk_alloc() returns must go to disk_free(), not free().
 */
void *disk_alloc(unsigned int nblocks);
void disk_free(void *buf);

#endif /* _DENALI_DISK_H */
