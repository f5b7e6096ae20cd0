// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual disks: named, fixed-size block stores over a file or a block
 * device, which exist apart from the VMs that attach to them. Block I/O
 * runs on a workqueue through the kernel's own file paths (bvec
 * iterators over pages the caller pinned), never on the caller's thread;
 * reads of a shared disk go through its page cache. A copy-on-write
 * overlay keeps one user's writes in a file of its own over a base that
 * stays read-only (see disk.h for its format).
 */
#include <linux/bitmap.h>
#include <linux/bvec.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/rwsem.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/wait_bit.h>
#include <net/netlink.h>

#include "disk.h"
#include "mem.h"

#define BLOCK_SHIFT	12
#define BITS_PER_BLOCK	(DENALI_DISK_BLOCK_SIZE * BITS_PER_BYTE)

static_assert(DENALI_DISK_BLOCK_SIZE == PAGE_SIZE);
static_assert(sizeof(struct denali_cow_header) <= DENALI_DISK_BLOCK_SIZE);

struct denali_disk_overlay {
	struct file *file;
	u64 base_blocks;
	u64 data_start;
	u64 bitmap_blocks;
	/*
	 * Blocks the overlay holds; little-endian as on file (x86). Bits
	 * are set once their data is written, under the read side of
	 * sync_lock; a flush takes the write side, so that the bitmap it
	 * writes marks only data its fsync made durable.
	 */
	unsigned long *bitmap;
	unsigned long *dirty;		/* bitmap blocks to write back */
	struct rw_semaphore sync_lock;
	struct list_head node;		/* overlays in use, under disks_lock */
};

/* The disks by name and the overlays in use; and their attachments. */
static DEFINE_MUTEX(disks_lock);
static LIST_HEAD(disks);
static LIST_HEAD(overlays);
static struct workqueue_struct *disk_wq;

u64 denali_cow_bitmap_blocks(u64 base_blocks)
{
	return DIV_ROUND_UP_ULL(base_blocks, BITS_PER_BLOCK);
}

u64 denali_cow_data_start(u64 base_blocks)
{
	return 1 + denali_cow_bitmap_blocks(base_blocks);
}

void denali_cow_header_init(struct denali_cow_header *hdr, u64 base_blocks)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le64(DENALI_COW_MAGIC);
	hdr->version = cpu_to_le32(DENALI_COW_VERSION);
	hdr->block_size = cpu_to_le32(DENALI_DISK_BLOCK_SIZE);
	hdr->base_blocks = cpu_to_le64(base_blocks);
	hdr->bitmap_blocks = cpu_to_le64(denali_cow_bitmap_blocks(base_blocks));
	hdr->data_start = cpu_to_le64(denali_cow_data_start(base_blocks));
}

int denali_cow_header_check(const struct denali_cow_header *hdr,
			    u64 base_blocks)
{
	if (le64_to_cpu(hdr->magic) != DENALI_COW_MAGIC ||
	    le32_to_cpu(hdr->version) != DENALI_COW_VERSION ||
	    le32_to_cpu(hdr->block_size) != DENALI_DISK_BLOCK_SIZE)
		return -EINVAL;
	if (le64_to_cpu(hdr->base_blocks) != base_blocks)
		return -ERANGE;
	/* The layout follows from the size: anything else is corrupt. */
	if (le64_to_cpu(hdr->bitmap_blocks) !=
	    denali_cow_bitmap_blocks(base_blocks) ||
	    le64_to_cpu(hdr->data_start) != denali_cow_data_start(base_blocks))
		return -EINVAL;
	return 0;
}

u32 denali_cow_run(const unsigned long *bitmap, u64 block, u32 count,
		   bool *in_overlay)
{
	u32 n;

	*in_overlay = test_bit(block, bitmap);
	for (n = 1; n < count; n++)
		if (test_bit(block + n, bitmap) != *in_overlay)
			break;
	return n;
}

int denali_disk_req_check(const struct denali_disk_req *req, u32 mem_size,
			  u32 count, const u64 *blocks, u32 readonly)
{
	u64 size;
	u32 disk;

	if (req->disk >= count)
		return -ENODEV;
	disk = array_index_nospec(req->disk, count);
	if (req->reserved)
		return -EINVAL;
	if (req->op == DENALI_DISK_FLUSH)
		return req->blocks || req->block || req->addr ? -EINVAL : 0;
	if (req->op != DENALI_DISK_READ && req->op != DENALI_DISK_WRITE)
		return -EINVAL;
	if (!req->blocks || req->blocks > DENALI_DISK_REQ_BLOCKS_MAX ||
	    !IS_ALIGNED(req->addr, DENALI_DISK_BLOCK_SIZE))
		return -EINVAL;
	size = blocks[disk];
	if (req->block > size || req->blocks > size - req->block)
		return -EINVAL;
	if (!denali_gpa_range_ok(mem_size, req->addr,
				 (u64)req->blocks * DENALI_DISK_BLOCK_SIZE))
		return -EFAULT;
	if (req->op == DENALI_DISK_WRITE && (readonly & BIT(disk)))
		return -EROFS;
	return 0;
}

/* The size of what file holds, in bytes (a block device's as well). */
static loff_t disk_file_size(struct file *file)
{
	return i_size_read(file->f_mapping->host);
}

/*
 * Reads or writes n pages at pos of file. A short transfer is an I/O
 * error; writes go on after a short one so the file system names the
 * error (ENOSPC).
 */
static int disk_rw(struct file *file, unsigned int dir, struct page **pages,
		   u32 n, loff_t pos)
{
	struct bio_vec bv[DENALI_DISK_REQ_BLOCKS_MAX];
	struct iov_iter iter;
	ssize_t ret;
	u32 i;

	for (i = 0; i < n; i++) {
		bv[i].bv_page = pages[i];
		bv[i].bv_len = PAGE_SIZE;
		bv[i].bv_offset = 0;
	}
	iov_iter_bvec(&iter, dir, bv, n, (size_t)n << BLOCK_SHIFT);
	if (dir == READ) {
		ret = vfs_iter_read(file, &iter, &pos, 0);
		if (ret < 0)
			return ret;
		return iov_iter_count(&iter) ? -EIO : 0;
	}
	file_start_write(file);
	while (iov_iter_count(&iter)) {
		ret = vfs_iter_write(file, &iter, &pos, 0);
		if (ret <= 0) {
			file_end_write(file);
			return ret ? ret : -EIO;
		}
	}
	file_end_write(file);
	return 0;
}

/* Range checks against a backing file truncated under the disk. */
static bool disk_holds(struct file *file, u64 block, u32 blocks)
{
	return (block + blocks) << BLOCK_SHIFT <= disk_file_size(file);
}

static int disk_read(struct denali_disk_attachment *att,
		     struct denali_disk_io *io)
{
	struct denali_disk_overlay *ov = att->overlay;
	struct file *base = att->disk->file;
	u32 done = 0;
	int ret;

	while (done < io->blocks) {
		u64 block = io->block + done;
		bool in_overlay = false;
		u32 n = io->blocks - done;

		if (ov)
			n = denali_cow_run(ov->bitmap, block, n, &in_overlay);
		if (in_overlay) {
			ret = disk_rw(ov->file, READ, io->pages + done, n,
				      (ov->data_start + block) << BLOCK_SHIFT);
		} else {
			if (!disk_holds(base, block, n))
				return -EIO;
			ret = disk_rw(base, READ, io->pages + done, n,
				      block << BLOCK_SHIFT);
		}
		if (ret)
			return ret;
		done += n;
	}
	return 0;
}

static int disk_write(struct denali_disk_attachment *att,
		      struct denali_disk_io *io)
{
	struct denali_disk_overlay *ov = att->overlay;
	u64 b;
	int ret;

	if (!ov) {
		if (!disk_holds(att->disk->file, io->block, io->blocks))
			return -EIO;
		return disk_rw(att->disk->file, WRITE, io->pages, io->blocks,
			       io->block << BLOCK_SHIFT);
	}
	ret = disk_rw(ov->file, WRITE, io->pages, io->blocks,
		      (ov->data_start + io->block) << BLOCK_SHIFT);
	if (ret)
		return ret;
	down_read(&ov->sync_lock);
	for (b = io->block; b < io->block + io->blocks; b++) {
		set_bit(b, ov->bitmap);
		set_bit(b / BITS_PER_BLOCK, ov->dirty);
	}
	up_read(&ov->sync_lock);
	return 0;
}

/* Makes the overlay's data durable, then the bitmap that marks it. */
static int overlay_sync(struct denali_disk_overlay *ov)
{
	u64 i;
	int ret;

	down_write(&ov->sync_lock);
	ret = vfs_fsync(ov->file, 1);
	if (ret || bitmap_empty(ov->dirty, ov->bitmap_blocks))
		goto out;
	for_each_set_bit(i, ov->dirty, ov->bitmap_blocks) {
		loff_t pos = (1 + i) << BLOCK_SHIFT;
		ssize_t n;

		n = kernel_write(ov->file,
				 (void *)ov->bitmap + (i << BLOCK_SHIFT),
				 DENALI_DISK_BLOCK_SIZE, &pos);
		if (n != DENALI_DISK_BLOCK_SIZE) {
			ret = n < 0 ? n : -EIO;
			goto out;
		}
		clear_bit(i, ov->dirty);
	}
	ret = vfs_fsync(ov->file, 1);
out:
	up_write(&ov->sync_lock);
	return ret;
}

static int disk_flush(struct denali_disk_attachment *att)
{
	/* Every write submitted before the flush, and maybe some after. */
	wait_var_event(&att->writes, !atomic_read(&att->writes));
	if (att->overlay)
		return overlay_sync(att->overlay);
	if (att->readonly)
		return 0;
	return vfs_fsync(att->disk->file, 1);
}

/* What the guest is told: out of space, or an I/O error. */
static int disk_errno(int ret)
{
	if (ret == -ENOSPC || ret == -EDQUOT)
		return -ENOSPC;
	return ret ? -EIO : 0;
}

/* The last reference: its end may sync, so it runs on the workqueue. */
static void disk_att_put(struct denali_disk_attachment *att)
{
	if (refcount_dec_and_test(&att->refs))
		queue_work(disk_wq, &att->release);
}

static void disk_io_work(struct work_struct *work)
{
	struct denali_disk_io *io = container_of(work, struct denali_disk_io,
						 work);
	struct denali_disk_attachment *att = io->att;
	struct denali_disk_stats *st = &att->disk->stats;
	struct mem_cgroup *old_memcg;
	bool write = io->op == DENALI_DISK_WRITE;
	int ret;

	old_memcg = set_active_memcg(io->memcg);
	switch (io->op) {
	case DENALI_DISK_READ:
		ret = disk_read(att, io);
		atomic64_inc(&st->reads);
		if (!ret)
			atomic64_add(io->blocks, &st->blocks_read);
		break;
	case DENALI_DISK_WRITE:
		ret = disk_write(att, io);
		atomic64_inc(&st->writes);
		if (!ret)
			atomic64_add(io->blocks, &st->blocks_written);
		break;
	default:
		ret = disk_flush(att);
		atomic64_inc(&st->flushes);
		break;
	}
	set_active_memcg(old_memcg);
	if (ret)
		atomic64_inc(&st->errors);
	io->result = disk_errno(ret);

	/* io is the caller's from here; att lives on by the I/O's ref. */
	att->ops->complete(io);
	if (write && atomic_dec_and_test(&att->writes))
		wake_up_var(&att->writes);
	disk_att_put(att);
}

void denali_disk_submit(struct denali_disk_io *io)
{
	struct denali_disk_attachment *att = io->att;

	refcount_inc(&att->refs);
	if (io->op == DENALI_DISK_WRITE)
		atomic_inc(&att->writes);
	INIT_WORK(&io->work, disk_io_work);
	queue_work(disk_wq, &io->work);
}

static struct denali_disk *disk_find_locked(const char *name)
{
	struct denali_disk *disk;

	list_for_each_entry(disk, &disks, node)
		if (!strcmp(disk->name, name))
			return disk;
	return NULL;
}

int denali_disk_create(const char *name, struct file *file, u64 blocks,
		       bool readonly, struct netlink_ext_ack *extack)
{
	umode_t mode = file_inode(file)->i_mode;
	u64 size_blocks = disk_file_size(file) >> BLOCK_SHIFT;
	struct denali_disk *disk;
	int ret = 0;

	if (!S_ISREG(mode) && !S_ISBLK(mode)) {
		NL_SET_ERR_MSG(extack,
			       "backing store is neither a regular file nor a block device");
		return -EINVAL;
	}
	/* Appends would put every block at the end. */
	if (!(file->f_mode & FMODE_READ) ||
	    (!readonly && (!(file->f_mode & FMODE_WRITE) ||
			   (file->f_flags & O_APPEND)))) {
		NL_SET_ERR_MSG(extack,
			       "backing store is not open for reading and, unless read-only, writing (not appending)");
		return -EBADF;
	}
	if (!file->f_op->read_iter ||
	    (!readonly && !file->f_op->write_iter)) {
		NL_SET_ERR_MSG(extack, "backing store cannot do block I/O");
		return -EINVAL;
	}
	if (!blocks)
		blocks = size_blocks;
	if (!blocks) {
		NL_SET_ERR_MSG(extack, "backing store is smaller than a block");
		return -EINVAL;
	}
	if (blocks > size_blocks) {
		NL_SET_ERR_MSG(extack, "backing store is smaller than the disk");
		return -EINVAL;
	}

	disk = kzalloc(sizeof(*disk), GFP_KERNEL_ACCOUNT);
	if (!disk)
		return -ENOMEM;
	kref_init(&disk->ref);
	strscpy(disk->name, name, sizeof(disk->name));
	disk->file = get_file(file);
	disk->blocks = blocks;
	disk->readonly = readonly;

	mutex_lock(&disks_lock);
	if (disk_find_locked(name)) {
		NL_SET_ERR_MSG(extack, "disk name already in use");
		ret = -EEXIST;
	} else {
		list_add_tail(&disk->node, &disks);
	}
	mutex_unlock(&disks_lock);
	if (ret) {
		fput(disk->file);
		kfree(disk);
	}
	return ret;
}

static void disk_release(struct kref *ref)
{
	struct denali_disk *disk = container_of(ref, struct denali_disk, ref);

	fput(disk->file);
	kfree(disk);
}

void denali_disk_put(struct denali_disk *disk)
{
	kref_put(&disk->ref, disk_release);
}

struct denali_disk *denali_disk_get(const char *name)
{
	struct denali_disk *disk;

	mutex_lock(&disks_lock);
	disk = disk_find_locked(name);
	if (disk)
		kref_get(&disk->ref);
	mutex_unlock(&disks_lock);
	return disk;
}

int denali_disk_destroy(const char *name, struct netlink_ext_ack *extack)
{
	struct denali_disk *disk;
	int ret = 0;

	mutex_lock(&disks_lock);
	disk = disk_find_locked(name);
	if (!disk) {
		NL_SET_ERR_MSG(extack, "no such disk");
		ret = -ENOENT;
	} else if (disk->readers || disk->writers) {
		NL_SET_ERR_MSG(extack, "disk is attached to a VM");
		ret = -EBUSY;
	} else {
		list_del_init(&disk->node);
	}
	mutex_unlock(&disks_lock);
	if (!ret)
		denali_disk_put(disk);
	return ret;
}

static void disk_info_locked(const struct denali_disk *disk,
			     struct denali_disk_info *info)
{
	const struct denali_disk_stats *st = &disk->stats;

	strscpy(info->name, disk->name, sizeof(info->name));
	info->blocks = disk->blocks;
	info->readonly = disk->readonly;
	info->attached = disk->readers + disk->writers;
	info->reads = atomic64_read(&st->reads);
	info->writes = atomic64_read(&st->writes);
	info->flushes = atomic64_read(&st->flushes);
	info->blocks_read = atomic64_read(&st->blocks_read);
	info->blocks_written = atomic64_read(&st->blocks_written);
	info->errors = atomic64_read(&st->errors);
}

bool denali_disk_info_nth(unsigned long index, struct denali_disk_info *info)
{
	struct denali_disk *disk;
	bool found = false;

	mutex_lock(&disks_lock);
	list_for_each_entry(disk, &disks, node) {
		if (index--)
			continue;
		disk_info_locked(disk, info);
		found = true;
		break;
	}
	mutex_unlock(&disks_lock);
	return found;
}

bool denali_disk_info_by_name(const char *name, struct denali_disk_info *info)
{
	struct denali_disk *disk;

	mutex_lock(&disks_lock);
	disk = disk_find_locked(name);
	if (disk)
		disk_info_locked(disk, info);
	mutex_unlock(&disks_lock);
	return disk;
}

static void overlay_free(struct denali_disk_overlay *ov)
{
	kvfree(ov->bitmap);
	bitmap_free(ov->dirty);
	fput(ov->file);
	kfree(ov);
}

/* Opens the overlay in file for a base of base_blocks, new or not. */
static struct denali_disk_overlay *overlay_open(struct file *file,
						u64 base_blocks,
						struct netlink_ext_ack *extack)
{
	struct denali_cow_header *hdr;
	struct denali_disk_overlay *ov;
	loff_t pos = 0;
	size_t bytes;
	ssize_t n;
	int ret;

	if (!S_ISREG(file_inode(file)->i_mode) ||
	    (file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE) || (file->f_flags & O_APPEND)) {
		NL_SET_ERR_MSG(extack,
			       "overlay is not a regular file open for reading and writing");
		return ERR_PTR(-EBADF);
	}
	ov = kzalloc(sizeof(*ov), GFP_KERNEL_ACCOUNT);
	hdr = kzalloc(DENALI_DISK_BLOCK_SIZE, GFP_KERNEL_ACCOUNT);
	if (!ov || !hdr) {
		ret = -ENOMEM;
		goto err;
	}
	ov->file = get_file(file);
	ov->base_blocks = base_blocks;
	ov->bitmap_blocks = denali_cow_bitmap_blocks(base_blocks);
	ov->data_start = denali_cow_data_start(base_blocks);
	init_rwsem(&ov->sync_lock);
	INIT_LIST_HEAD(&ov->node);
	bytes = ov->bitmap_blocks << BLOCK_SHIFT;
	ov->bitmap = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
	ov->dirty = bitmap_zalloc(ov->bitmap_blocks, GFP_KERNEL_ACCOUNT);
	if (!ov->bitmap || !ov->dirty) {
		ret = -ENOMEM;
		goto err_free;
	}

	if (!disk_file_size(file)) {
		denali_cow_header_init(hdr, base_blocks);
		n = kernel_write(file, hdr, DENALI_DISK_BLOCK_SIZE, &pos);
		ret = n == DENALI_DISK_BLOCK_SIZE ? vfs_fsync(file, 1) :
		      n < 0 ? n : -EIO;
		if (ret) {
			NL_SET_ERR_MSG(extack, "cannot write the overlay's header");
			goto err_free;
		}
		kfree(hdr);
		return ov;
	}
	n = kernel_read(file, hdr, DENALI_DISK_BLOCK_SIZE, &pos);
	ret = n == DENALI_DISK_BLOCK_SIZE ?
	      denali_cow_header_check(hdr, base_blocks) : -EINVAL;
	if (ret == -ERANGE) {
		NL_SET_ERR_MSG(extack, "overlay was made for a disk of another size");
		ret = -EINVAL;
		goto err_free;
	}
	if (ret) {
		NL_SET_ERR_MSG(extack, "overlay file is not a Denali overlay");
		goto err_free;
	}
	/* What lies past the end of the file is clear: zero. */
	n = kernel_read(file, ov->bitmap, bytes, &pos);
	if (n < 0) {
		ret = n;
		NL_SET_ERR_MSG(extack, "cannot read the overlay's bitmap");
		goto err_free;
	}
	kfree(hdr);
	return ov;

err_free:
	overlay_free(ov);
	ov = NULL;
err:
	kfree(ov);
	kfree(hdr);
	return ERR_PTR(ret);
}

static bool overlay_in_use_locked(struct file *file)
{
	struct denali_disk_overlay *ov;

	list_for_each_entry(ov, &overlays, node)
		if (file_inode(ov->file) == file_inode(file))
			return true;
	return false;
}

static void disk_att_release(struct work_struct *work)
{
	struct denali_disk_attachment *att =
		container_of(work, struct denali_disk_attachment, release);
	struct denali_disk *disk = att->disk;
	struct denali_disk_overlay *ov = att->overlay;

	/* Nobody flushed the last writes: they are durable all the same. */
	if (ov && overlay_sync(ov))
		pr_warn_ratelimited("denali: cannot sync an overlay of disk %s\n",
				    disk->name);
	mutex_lock(&disks_lock);
	if (att->readonly || ov)
		disk->readers--;
	else
		disk->writers--;
	if (ov)
		list_del(&ov->node);
	mutex_unlock(&disks_lock);
	if (ov)
		overlay_free(ov);
	kfree(att);
	denali_disk_put(disk);
}

struct denali_disk_attachment *
denali_disk_attach(struct denali_disk *disk, bool readonly, struct file *cow,
		   const struct denali_disk_attachment_ops *ops,
		   struct netlink_ext_ack *extack)
{
	struct denali_disk_attachment *att;
	int ret = 0;

	att = kzalloc(sizeof(*att), GFP_KERNEL_ACCOUNT);
	if (!att)
		return ERR_PTR(-ENOMEM);
	att->disk = disk;
	att->ops = ops;
	att->readonly = readonly && !cow;
	refcount_set(&att->refs, 1);
	INIT_WORK(&att->release, disk_att_release);
	if (cow) {
		att->overlay = overlay_open(cow, disk->blocks, extack);
		if (IS_ERR(att->overlay)) {
			ret = PTR_ERR(att->overlay);
			kfree(att);
			return ERR_PTR(ret);
		}
	}

	mutex_lock(&disks_lock);
	if (list_empty(&disk->node)) {
		NL_SET_ERR_MSG(extack, "no such disk");
		ret = -ENOENT;
	} else if (cow && overlay_in_use_locked(cow)) {
		NL_SET_ERR_MSG(extack, "overlay is in use");
		ret = -EBUSY;
	} else if (!readonly && !cow && disk->readonly) {
		NL_SET_ERR_MSG(extack, "disk is read-only");
		ret = -EROFS;
	} else if (disk->writers || (!att->readonly && !cow && disk->readers)) {
		NL_SET_ERR_MSG(extack,
			       "disk is attached read-write, or attached when asked for read-write");
		ret = -EBUSY;
	} else if (att->readonly || cow) {
		disk->readers++;
		if (cow)
			list_add(&att->overlay->node, &overlays);
	} else {
		disk->writers++;
	}
	if (!ret)
		kref_get(&disk->ref);
	mutex_unlock(&disks_lock);
	if (ret) {
		if (att->overlay)
			overlay_free(att->overlay);
		kfree(att);
		return ERR_PTR(ret);
	}
	return att;
}

void denali_disk_detach(struct denali_disk_attachment *att)
{
	disk_att_put(att);
}

int denali_disk_init(void)
{
	/* Unbound: I/O waits on the file system, not on a CPU. */
	disk_wq = alloc_workqueue("denali_disk", WQ_UNBOUND | WQ_MEM_RECLAIM,
				  0);
	return disk_wq ? 0 : -ENOMEM;
}

void denali_disk_exit(void)
{
	struct denali_disk *disk, *next;

	/* The I/O of the VMs ended last, and the ends of their attachments. */
	destroy_workqueue(disk_wq);
	list_for_each_entry_safe(disk, next, &disks, node) {
		WARN_ON(disk->readers || disk->writers);
		list_del_init(&disk->node);
		denali_disk_put(disk);
	}
}
