/* SPDX-License-Identifier: MIT */
/*
 * libdisk: request tagging, the queue of requests the kernel could not
 * take yet, the completion dispatch shared by the DENALI_IRQ_DISK upcall
 * and disk_poll(), and the synchronous calls on top (see <denali/disk.h>).
 * The queue and the tag table change with upcalls disabled, because the
 * upcall changes them too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>
#include <denali/disk.h>
#include <thread.h>

/* Completions reaped per hypercall. */
#define REAP_BATCH		32
/* Requests a synchronous call has in flight at once: 512 KiB. */
#define SYNC_IOS		8

_Static_assert(DENALI_DISK_INFLIGHT_MAX <= 256, "tags keep the slot in 8 bits");

/*
 * A request the kernel holds, by tag: the slot in the low 8 bits, and a
 * count above them that changes each time the slot is reused, so that a
 * completion with a stale or made-up tag finds nothing.
 */
struct disk_slot {
	struct disk_io *io;
	uint32_t tag;
};

static struct disk_slot slots[DENALI_DISK_INFLIGHT_MAX];
static uint8_t free_slots[DENALI_DISK_INFLIGHT_MAX];
static unsigned int nr_free_slots;
static uint32_t tag_generation;
static struct disk_io *queue_head, *queue_tail;
static unsigned int queued;
static int disk_ready;

unsigned int disk_count(void)
{
	uint32_t count = denali_vregs()->disk_count;

	return count < DENALI_VREGS_DISKS_MAX ? count : DENALI_VREGS_DISKS_MAX;
}

uint64_t disk_blocks(unsigned int disk)
{
	return disk < disk_count() ? denali_vregs()->disk_blocks[disk] : 0;
}

int disk_readonly(unsigned int disk)
{
	return disk >= disk_count() ||
	       (denali_vregs()->disk_readonly >> disk & 1);
}

static void disk_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	disk_poll();
}

/* Upcalls disabled. */
static void disk_setup(void)
{
	unsigned int i;

	if (disk_ready)
		return;
	for (i = 0; i < DENALI_DISK_INFLIGHT_MAX; i++)
		free_slots[i] = (uint8_t)(DENALI_DISK_INFLIGHT_MAX - 1 - i);
	nr_free_slots = DENALI_DISK_INFLIGHT_MAX;
	denali_irq_register(DENALI_IRQ_DISK, disk_irq, NULL);
	disk_ready = 1;
}

static struct disk_io *queue_pop(void)
{
	struct disk_io *io = queue_head;

	queue_head = io->next;
	if (!queue_head)
		queue_tail = NULL;
	io->next = NULL;
	queued--;
	return io;
}

static void slot_release(unsigned int slot)
{
	slots[slot].io = NULL;
	free_slots[nr_free_slots++] = (uint8_t)slot;
}

static void fill_req(struct denali_disk_req *req, const struct disk_io *io,
		     uint32_t tag)
{
	memset(req, 0, sizeof(*req));
	req->tag = tag;
	req->disk = io->disk < 256 ? (uint8_t)io->disk : 255;
	req->op = (uint8_t)io->op;
	/* A flush names no blocks; the ABI wants zeroes there. */
	if (io->op != DENALI_DISK_FLUSH) {
		req->blocks = io->blocks <= UINT16_MAX ?
			      (uint16_t)io->blocks : 0;
		req->block = io->block;
		req->addr = (uint32_t)(uintptr_t)io->buf;
	}
}

/*
 * Hands queued requests to the kernel while it takes them and tags are
 * free. A batch it refuses as a whole (not for being full) completes
 * with the error: the kernel would refuse it again. Upcalls disabled.
 */
static void disk_push(void)
{
	struct denali_disk_req reqs[DENALI_DISK_BATCH_MAX];
	unsigned int n, i, taken, slot;
	struct disk_io *io;
	long ret;

	while (queued && nr_free_slots) {
		n = queued < nr_free_slots ? queued : nr_free_slots;
		if (n > DENALI_DISK_BATCH_MAX)
			n = DENALI_DISK_BATCH_MAX;
		for (i = 0, io = queue_head; i < n; i++, io = io->next) {
			slot = free_slots[--nr_free_slots];
			tag_generation++;
			slots[slot].io = io;
			slots[slot].tag = tag_generation << 8 | slot;
			fill_req(&reqs[i], io, slots[slot].tag);
		}
		ret = denali_disk_submit(reqs, n);
		taken = ret > 0 ? (unsigned int)ret : 0;
		if (taken > n)
			taken = n;
		for (i = 0; i < n; i++) {
			if (i < taken) {
				queue_pop();
				continue;
			}
			slot_release(reqs[i].tag & 0xff);
		}
		if (taken)
			continue;
		/* Full: completions will make room, unless none can come. */
		if (ret == -EAGAIN &&
		    nr_free_slots < DENALI_DISK_INFLIGHT_MAX)
			return;
		if (!ret)
			ret = -EIO;
		for (i = 0; i < n; i++) {
			io = queue_pop();
			io->done(io, (int)ret);
		}
	}
}

void disk_submit(struct disk_io *const *ios, unsigned int count)
{
	int was = denali_irq_save();
	unsigned int i;

	disk_setup();
	for (i = 0; i < count; i++) {
		ios[i]->next = NULL;
		if (queue_tail)
			queue_tail->next = ios[i];
		else
			queue_head = ios[i];
		queue_tail = ios[i];
		queued++;
	}
	disk_push();
	denali_irq_restore(was);
}

unsigned int disk_poll(void)
{
	struct denali_disk_done done[REAP_BATCH];
	unsigned int completed = 0, i, slot;
	struct disk_io *io;
	int was = denali_irq_save();
	long ret;

	disk_setup();
	do {
		ret = denali_disk_reap(done, REAP_BATCH);
		if (ret <= 0)
			break;
		if (ret > REAP_BATCH)
			ret = REAP_BATCH;
		for (i = 0; i < (unsigned int)ret; i++) {
			slot = done[i].tag & 0xff;
			if (slot >= DENALI_DISK_INFLIGHT_MAX ||
			    !slots[slot].io || slots[slot].tag != done[i].tag)
				continue;	/* not a request of ours */
			io = slots[slot].io;
			slot_release(slot);
			completed++;
			io->done(io, done[i].result);
		}
	} while (ret == REAP_BATCH);
	disk_push();
	denali_irq_restore(was);
	return completed;
}

unsigned int disk_pending(void)
{
	int was = denali_irq_save();
	unsigned int pending = queued;

	if (disk_ready)
		pending += DENALI_DISK_INFLIGHT_MAX - nr_free_slots;
	denali_irq_restore(was);
	return pending;
}

/* Synchronous calls: the requests of one call, and what they came to. */
struct disk_waiter {
	struct thread_cond cond;
	unsigned int pending;
	int result;			/* the first error */
};

static void waiter_done(struct disk_io *io, int result)
{
	struct disk_waiter *w = io->arg;

	if (result && !w->result)
		w->result = result;
	if (!--w->pending)
		thread_cond_signal(&w->cond);
}

/* Submits count requests and blocks until they have all completed. */
static int submit_and_wait(struct disk_io *ios, unsigned int count)
{
	struct disk_waiter w = { .pending = count };
	struct thread_mutex lock = THREAD_MUTEX_INIT;
	struct disk_io *ptrs[SYNC_IOS];
	unsigned int i;
	int was;

	for (i = 0; i < count; i++) {
		ios[i].done = waiter_done;
		ios[i].arg = &w;
		ptrs[i] = &ios[i];
	}
	thread_mutex_lock(&lock);
	was = denali_irq_save();
	disk_submit(ptrs, count);
	/* Upcalls stay off from the test to the wait: none is lost. */
	while (w.pending)
		thread_cond_wait(&w.cond, &lock);
	denali_irq_restore(was);
	thread_mutex_unlock(&lock);
	return w.result;
}

static int check_range(unsigned int disk, uint64_t block,
		       unsigned int nblocks, const void *buf)
{
	uint64_t size = disk_blocks(disk);

	if (disk >= disk_count())
		return -ENODEV;
	if (block > size || nblocks > size - block ||
	    (uintptr_t)buf % DENALI_DISK_BLOCK_SIZE)
		return -EINVAL;
	return 0;
}

static int transfer(unsigned int disk, enum denali_disk_op op,
		    uint64_t block, char *buf, unsigned int nblocks)
{
	struct disk_io ios[SYNC_IOS];
	unsigned int n, chunk;
	int ret = check_range(disk, block, nblocks, buf);

	while (!ret && nblocks) {
		for (n = 0; n < SYNC_IOS && nblocks; n++) {
			chunk = nblocks < DENALI_DISK_REQ_BLOCKS_MAX ?
				nblocks : DENALI_DISK_REQ_BLOCKS_MAX;
			ios[n] = (struct disk_io){
				.disk = disk, .op = op, .blocks = chunk,
				.block = block, .buf = buf,
			};
			block += chunk;
			buf += (size_t)chunk * DENALI_DISK_BLOCK_SIZE;
			nblocks -= chunk;
		}
		ret = submit_and_wait(ios, n);
	}
	return ret;
}

int disk_read(unsigned int disk, uint64_t block, void *buf,
	      unsigned int nblocks)
{
	return transfer(disk, DENALI_DISK_READ, block, buf, nblocks);
}

int disk_write(unsigned int disk, uint64_t block, const void *buf,
	       unsigned int nblocks)
{
	if (disk < disk_count() && disk_readonly(disk))
		return -EROFS;
	/* The kernel only reads the buffer of a write. */
	return transfer(disk, DENALI_DISK_WRITE, block, (char *)buf, nblocks);
}

int disk_flush(unsigned int disk)
{
	struct disk_io io = { .disk = disk, .op = DENALI_DISK_FLUSH };

	if (disk >= disk_count())
		return -ENODEV;
	return submit_and_wait(&io, 1);
}

void *disk_alloc(unsigned int nblocks)
{
	size_t size = (size_t)nblocks * DENALI_DISK_BLOCK_SIZE;
	uintptr_t aligned;
	char *raw;

	if (!nblocks || nblocks > SIZE_MAX / DENALI_DISK_BLOCK_SIZE - 1)
		return NULL;
	/* Room to align, and for the pointer disk_free() needs. */
	raw = malloc(size + DENALI_DISK_BLOCK_SIZE);
	if (!raw)
		return NULL;
	aligned = ((uintptr_t)raw + sizeof(void *) + DENALI_DISK_BLOCK_SIZE -
		   1) & ~(uintptr_t)(DENALI_DISK_BLOCK_SIZE - 1);
	((void **)aligned)[-1] = raw;
	return (void *)aligned;
}

void disk_free(void *buf)
{
	if (buf)
		free(((void **)buf)[-1]);
}

int disk_pread(unsigned int disk, uint64_t offset, void *buf, size_t len)
{
	uint64_t size = disk_blocks(disk) * DENALI_DISK_BLOCK_SIZE, first;
	unsigned int bounce_blocks, nblocks, skip;
	char *bounce, *dst = buf;
	size_t part;
	int ret = 0;

	if (disk >= disk_count())
		return -ENODEV;
	if (offset > size || len > size - offset)
		return -EINVAL;
	if (!len)
		return 0;
	/* What the range spans, at most one request's worth at a time. */
	first = offset / DENALI_DISK_BLOCK_SIZE;
	skip = (unsigned int)(offset % DENALI_DISK_BLOCK_SIZE);
	bounce_blocks = DENALI_DISK_REQ_BLOCKS_MAX;
	if ((uint64_t)skip + len <
	    (uint64_t)bounce_blocks * DENALI_DISK_BLOCK_SIZE)
		bounce_blocks = (unsigned int)((skip + len +
			DENALI_DISK_BLOCK_SIZE - 1) / DENALI_DISK_BLOCK_SIZE);
	bounce = disk_alloc(bounce_blocks);
	if (!bounce)
		return -ENOMEM;
	while (len) {
		nblocks = (unsigned int)((skip + len + DENALI_DISK_BLOCK_SIZE -
					  1) / DENALI_DISK_BLOCK_SIZE);
		if (nblocks > bounce_blocks)
			nblocks = bounce_blocks;
		ret = disk_read(disk, first, bounce, nblocks);
		if (ret)
			break;
		part = (size_t)nblocks * DENALI_DISK_BLOCK_SIZE - skip;
		if (part > len)
			part = len;
		memcpy(dst, bounce + skip, part);
		dst += part;
		len -= part;
		first += nblocks;
		skip = 0;
	}
	disk_free(bounce);
	return ret;
}
