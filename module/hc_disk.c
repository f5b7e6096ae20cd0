// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's disks: its attachments to disks (disk.c) and the hypercalls
 * that submit block requests and reap their completions. Each request's
 * buffer pages are pinned for the life of its I/O, which runs off the
 * runner; completions wait in a queue of the VM's own, kernel-side, and
 * raise DENALI_IRQ_DISK. Nothing is written to guest memory after the
 * fact but into a request's own pinned pages, and the completions in a
 * reap. Every request is the guest's and is checked before it is used.
 *
 * A VM that ends with I/O in flight does not wait for it: its requests
 * keep their pages pinned and its disks attached until they complete,
 * and their completions, no longer queued, only free them.
 */
#include <linux/errno.h>
#include <linux/memcontrol.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/netlink.h>
#include <linux/denali_abi.h>

#include "disk.h"
#include "hc.h"
#include "hc_disk.h"
#include "irq.h"
#include "mem.h"
#include "vm.h"

/* Requests copied in or completions out at a time: the stack's share. */
#define HC_DISK_CHUNK	16

struct denali_vm_disks {
	struct denali_vm *vm;
	u32 count;
	u32 readonly;			/* bit i: disk i is read-only */
	u64 blocks[DENALI_VREGS_DISKS_MAX];
	struct denali_disk_attachment *att[DENALI_VREGS_DISKS_MAX];
	/* The VM's, until it ends, and one per request in flight. */
	refcount_t refs;
	/* The creator's, as the VM's: charged for what the I/O allocates. */
	struct mem_cgroup *memcg;
	spinlock_t lock;
	/* Completed requests not yet reaped, oldest first, under lock. */
	struct list_head done;
	/* Requests taken and not yet reaped, under lock. */
	u32 outstanding;
	/* Under lock: the VM ended; completions no longer reach it. */
	bool ended;
};

struct hc_disk_req {
	struct denali_disk_io io;
	struct denali_vm_disks *disks;
	struct list_head node;
	u32 tag;
	int result;
};

static void hc_disk_release(struct denali_vm_disks *d)
{
	struct hc_disk_req *r, *next;
	u32 i;

	for (i = 0; i < d->count; i++)
		denali_disk_detach(d->att[i]);
	list_for_each_entry_safe(r, next, &d->done, node)
		kfree(r);
	mem_cgroup_put(d->memcg);
	kfree(d);
}

static void hc_disk_put(struct denali_vm_disks *d)
{
	if (refcount_dec_and_test(&d->refs))
		hc_disk_release(d);
}

/*
 * Queues a completion for the guest and tells it, or frees it once the
 * VM has ended; any context. The VM lives while it has not ended: its
 * end sets ended under the lock before it goes.
 */
static void hc_disk_done(struct hc_disk_req *r, int result)
{
	struct denali_vm_disks *d = r->disks;
	unsigned long flags;
	bool ended;

	r->result = result;
	spin_lock_irqsave(&d->lock, flags);
	ended = d->ended;
	if (!ended) {
		list_add_tail(&r->node, &d->done);
		denali_irq_raise(d->vm, DENALI_IRQ_DISK);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	if (ended)
		kfree(r);
}

static void hc_disk_unpin(struct hc_disk_req *r, u32 n, bool dirty)
{
	u32 i;

	for (i = 0; i < n; i++)
		denali_mem_unpin(r->io.pages[i], dirty);
}

static void hc_disk_complete(struct denali_disk_io *io)
{
	struct hc_disk_req *r = container_of(io, struct hc_disk_req, io);
	struct denali_vm_disks *d = r->disks;

	/* The kernel wrote what a read brought behind the page cache. */
	hc_disk_unpin(r, io->blocks,
		      io->op == DENALI_DISK_READ && !io->result);
	hc_disk_done(r, io->result);
	hc_disk_put(d);
}

static const struct denali_disk_attachment_ops hc_disk_ops = {
	.complete = hc_disk_complete,
};

/* Takes one request: checked, pinned and queued, or completed now. */
static void hc_disk_take(struct denali_vm *vm, struct hc_disk_req *r,
			 const struct denali_disk_req *req)
{
	struct denali_vm_disks *d = vm->disks;
	struct denali_disk_io *io = &r->io;
	int ret;
	u32 i;

	r->tag = req->tag;
	ret = denali_disk_req_check(req, vm->mem.size, d->count, d->blocks,
				   d->readonly);
	if (ret) {
		hc_disk_done(r, ret);
		return;
	}
	io->att = d->att[array_index_nospec(req->disk, d->count)];
	io->memcg = d->memcg;
	io->op = req->op;
	io->block = req->block;
	io->blocks = req->op == DENALI_DISK_FLUSH ? 0 : req->blocks;
	for (i = 0; i < io->blocks; i++) {
		struct page *page = denali_mem_pin(&vm->mem,
			denali_mem_index(req->addr + (u64)i * PAGE_SIZE));

		if (IS_ERR(page)) {
			hc_disk_unpin(r, i, false);
			hc_disk_done(r, -EFAULT);
			return;
		}
		io->pages[i] = page;
	}
	refcount_inc(&d->refs);
	denali_disk_submit(io);
}

static long disk_submit(struct denali_vm *vm, u32 gpa, u32 count)
{
	struct denali_disk_req reqs[HC_DISK_CHUNK];
	struct denali_vm_disks *d = vm->disks;
	u32 taken = 0;

	if (!d)
		return -ENODEV;
	if (!count || count > DENALI_DISK_BATCH_MAX)
		return -EINVAL;
	if (!denali_gpa_range_ok(vm->mem.size, gpa,
				 (u64)count * sizeof(reqs[0])))
		return -EFAULT;

	while (taken < count) {
		u32 n = min_t(u32, count - taken, HC_DISK_CHUNK), i;

		if (denali_mem_read(&vm->mem, gpa + taken * sizeof(reqs[0]),
				    reqs, n * sizeof(reqs[0])))
			return taken ?: -EFAULT;
		for (i = 0; i < n; i++) {
			struct hc_disk_req *r;
			bool full;

			spin_lock_irq(&d->lock);
			full = d->outstanding >= DENALI_DISK_INFLIGHT_MAX;
			if (!full)
				d->outstanding++;
			spin_unlock_irq(&d->lock);
			if (full)
				return taken ?: -EAGAIN;
			r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
			if (!r) {
				spin_lock_irq(&d->lock);
				d->outstanding--;
				spin_unlock_irq(&d->lock);
				return taken ?: -ENOMEM;
			}
			r->disks = d;
			hc_disk_take(vm, r, &reqs[i]);
			taken++;
		}
	}
	return taken;
}

static long disk_reap(struct denali_vm *vm, u32 gpa, u32 count)
{
	struct denali_disk_done out[HC_DISK_CHUNK];
	struct denali_vm_disks *d = vm->disks;
	u32 reaped = 0;

	if (!d)
		return 0;
	count = min_t(u32, count, DENALI_DISK_BATCH_MAX);
	if (!denali_gpa_range_ok(vm->mem.size, gpa,
				 (u64)count * sizeof(out[0])))
		return -EFAULT;

	while (reaped < count) {
		u32 want = min_t(u32, count - reaped, HC_DISK_CHUNK), n = 0;
		struct hc_disk_req *r, *next;
		LIST_HEAD(batch);

		spin_lock_irq(&d->lock);
		list_for_each_entry_safe(r, next, &d->done, node) {
			if (n == want)
				break;
			list_move_tail(&r->node, &batch);
			n++;
		}
		spin_unlock_irq(&d->lock);
		if (!n)
			break;

		n = 0;
		list_for_each_entry(r, &batch, node) {
			out[n].tag = r->tag;
			out[n].result = r->result;
			n++;
		}
		if (denali_mem_write(&vm->mem, gpa + reaped * sizeof(out[0]),
				     out, n * sizeof(out[0]))) {
			/* Not delivered: they stay first in line. */
			spin_lock_irq(&d->lock);
			list_splice(&batch, &d->done);
			spin_unlock_irq(&d->lock);
			return reaped ?: -EFAULT;
		}
		list_for_each_entry_safe(r, next, &batch, node)
			kfree(r);
		spin_lock_irq(&d->lock);
		d->outstanding -= n;
		spin_unlock_irq(&d->lock);
		reaped += n;
	}
	return reaped;
}

bool denali_hc_disk_submit(struct denali_vm *vm, u32 gpa, u32 count)
{
	return denali_hc_return(vm, disk_submit(vm, gpa, count));
}

bool denali_hc_disk_reap(struct denali_vm *vm, u32 gpa, u32 count)
{
	return denali_hc_return(vm, disk_reap(vm, gpa, count));
}

/* The guest's view of its disks, in its virtual registers. */
static int hc_disk_vregs(struct denali_vm *vm, struct denali_vm_disks *d)
{
	u32 gpa = DENALI_VREGS_ADDR;
	int ret;

	ret = denali_mem_write(&vm->mem, gpa + offsetof(struct denali_vregs,
							disk_count),
			       &d->count, sizeof(d->count));
	if (!ret)
		ret = denali_mem_write(&vm->mem, gpa +
				       offsetof(struct denali_vregs,
						disk_readonly),
				       &d->readonly, sizeof(d->readonly));
	if (!ret)
		ret = denali_mem_write(&vm->mem, gpa +
				       offsetof(struct denali_vregs,
						disk_blocks),
				       d->blocks, sizeof(d->blocks));
	return ret;
}

int denali_disk_vm_attach(struct denali_vm *vm,
			  const struct denali_vm_config *cfg,
			  struct netlink_ext_ack *extack)
{
	struct denali_vm_disks *d;
	int ret;

	if (cfg->nr_disks > DENALI_VREGS_DISKS_MAX)
		return -E2BIG;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	d->vm = vm;
	refcount_set(&d->refs, 1);
	/* Its own reference: its I/O may outlive the VM's. */
	d->memcg = get_mem_cgroup_from_mm(current->mm);
	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->done);
	for (d->count = 0; d->count < cfg->nr_disks; d->count++) {
		const struct denali_vm_disk_config *c = &cfg->disks[d->count];
		struct denali_disk_attachment *att;

		att = denali_disk_attach(c->disk, c->readonly, c->cow,
					 &hc_disk_ops, extack);
		if (IS_ERR(att)) {
			ret = PTR_ERR(att);
			goto err;
		}
		d->att[d->count] = att;
		d->blocks[d->count] = c->disk->blocks;
		if (att->readonly)
			d->readonly |= BIT(d->count);
	}
	ret = hc_disk_vregs(vm, d);
	if (ret)
		goto err;
	vm->disks = d;
	return 0;

err:
	hc_disk_release(d);
	return ret;
}

void denali_disk_vm_detach(struct denali_vm *vm)
{
	struct denali_vm_disks *d = xchg(&vm->disks, NULL);

	if (!d)
		return;
	spin_lock_irq(&d->lock);
	d->ended = true;
	spin_unlock_irq(&d->lock);
	hc_disk_put(d);
}
