/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_DISK_H
#define _DENALI_DISK_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/denali.h>
#include <linux/denali_abi.h>

struct file;
struct mem_cgroup;
struct netlink_ext_ack;
struct page;

/*
 * Virtual disks: named, fixed-size objects over a backing file or block
 * device, which exist apart from any VM. Whoever uses one attaches to it
 * (read-write alone, read-only with others, or through a private
 * copy-on-write overlay) and submits block I/O on its attachment; the I/O
 * runs on a workqueue and ends with the attachment's complete() callback.
 * Nothing here knows of VMs or guests.
 */

struct denali_disk_stats {
	atomic64_t reads;
	atomic64_t writes;
	atomic64_t flushes;
	atomic64_t blocks_read;
	atomic64_t blocks_written;
	atomic64_t errors;
};

struct denali_disk {
	struct kref ref;
	struct list_head node;		/* on the disks' list, under its lock */
	char name[DENALI_NAME_MAX];
	struct file *file;
	u64 blocks;
	bool readonly;
	/* Under the disks' lock. */
	unsigned int readers;		/* read-only and overlay attachments */
	unsigned int writers;		/* 0 or 1, and then no readers */
	struct denali_disk_stats stats;
};

/* A snapshot of one disk, for reports. */
struct denali_disk_info {
	char name[DENALI_NAME_MAX];
	u64 blocks;
	bool readonly;
	unsigned int attached;
	u64 reads, writes, flushes, blocks_read, blocks_written, errors;
};

/*
 * The copy-on-write overlay's file: a header block, a bitmap of the
 * base's blocks (set: the overlay holds that block), then the data, each
 * block at data_start + its number, so the file is as sparse as the
 * writes. The bitmap on file only ever marks blocks whose data is
 * durable: it is written after an fsync of the data, at each flush and
 * at detach.
 */
#define DENALI_COW_MAGIC	0x31574f43494c4e44ULL	/* "DNLICOW1" */
#define DENALI_COW_VERSION	1

struct denali_cow_header {
	__le64 magic;
	__le32 version;
	__le32 block_size;
	__le64 base_blocks;
	__le64 bitmap_blocks;
	__le64 data_start;		/* in blocks */
};

/* Blocks of bitmap for a base of base_blocks, and where data starts. */
u64 denali_cow_bitmap_blocks(u64 base_blocks);
u64 denali_cow_data_start(u64 base_blocks);
/* Fills a new overlay's header for a base of base_blocks. */
void denali_cow_header_init(struct denali_cow_header *hdr, u64 base_blocks);
/*
 * Checks an existing overlay's header against a base of base_blocks:
 * 0, -EINVAL for a file that is no overlay, -ERANGE for another size.
 */
int denali_cow_header_check(const struct denali_cow_header *hdr,
			    u64 base_blocks);
/*
 * How many blocks from block on, at most count, have the same state in
 * bitmap as block itself; *in_overlay says which state it is.
 */
u32 denali_cow_run(const unsigned long *bitmap, u64 block, u32 count,
		   bool *in_overlay);

struct denali_disk_overlay;

struct denali_disk_io;

struct denali_disk_attachment_ops {
	/* The I/O ended with io->result; workqueue context, may sleep. */
	void (*complete)(struct denali_disk_io *io);
};

struct denali_disk_attachment {
	struct denali_disk *disk;
	struct denali_disk_overlay *overlay;	/* NULL: none */
	bool readonly;
	const struct denali_disk_attachment_ops *ops;
	/* Writes submitted and not completed: flushes wait for them. */
	atomic_t writes;
	/* The attacher's, and one per I/O submitted and not completed. */
	refcount_t refs;
	struct work_struct release;
};

/* One request: read, write or flush blocks of pinned pages. */
struct denali_disk_io {
	struct work_struct work;
	struct denali_disk_attachment *att;
	struct mem_cgroup *memcg;	/* charged for what the I/O allocates */
	u8 op;				/* enum denali_disk_op */
	u16 blocks;
	u64 block;
	struct page *pages[DENALI_DISK_REQ_BLOCKS_MAX];
	int result;
};

/*
 * Checks one guest request against a memory of mem_size bytes and count
 * disks, disk i of blocks[i] blocks and read-only where bit i of
 * readonly is set: 0, or the errno the request completes with (see
 * denali_abi.h).
 */
int denali_disk_req_check(const struct denali_disk_req *req, u32 mem_size,
			  u32 count, const u64 *blocks, u32 readonly);

int denali_disk_init(void);
/* Frees every disk; nothing may be attached any more. */
void denali_disk_exit(void);

/*
 * Makes a disk of the given number of blocks (0: all that file holds) over
 * file, which it keeps a reference of: -EEXIST for a name in use,
 * -EINVAL for a file that is neither regular nor a block device or does
 * not hold the blocks, -EBADF for one not open for reading (and writing,
 * not appending, unless readonly).
 */
int denali_disk_create(const char *name, struct file *file, u64 blocks,
		       bool readonly, struct netlink_ext_ack *extack);
/* -ENOENT, or -EBUSY while attached. */
int denali_disk_destroy(const char *name, struct netlink_ext_ack *extack);
/* The disk named name, referenced, or NULL. */
struct denali_disk *denali_disk_get(const char *name);
void denali_disk_put(struct denali_disk *disk);
/* The index-th disk (from 0) for dumps: false when there is none. */
bool denali_disk_info_nth(unsigned long index, struct denali_disk_info *info);
bool denali_disk_info_by_name(const char *name, struct denali_disk_info *info);

/*
 * Attaches to disk: read-write (exclusive), read-only, or, with cow, read
 * and write through the overlay in the file cow, a base attached
 * read-only. -EBUSY where another attachment excludes this one, -EROFS
 * for a read-write attachment of a read-only disk.
 */
struct denali_disk_attachment *
denali_disk_attach(struct denali_disk *disk, bool readonly, struct file *cow,
		   const struct denali_disk_attachment_ops *ops,
		   struct netlink_ext_ack *extack);
/*
 * Ends the attachment once its I/O has completed, off the caller's
 * thread: makes its overlay durable, then lets others attach. Never
 * blocks.
 */
void denali_disk_detach(struct denali_disk_attachment *att);

/* Queues io, which must be valid for its attachment; never blocks. */
void denali_disk_submit(struct denali_disk_io *io);

#endif /* _DENALI_DISK_H */
