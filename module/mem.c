// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: one shmem object per VM, so Linux swap can page it, and
 * second-level page tables (EPT or NPT) filled one page at a time on the
 * guest's first touch. The tables map only the VM's own pages. Only the
 * VM's owner (its runner, or the swapper, see swap.c) changes them, so
 * they need no lock: the swapper may run inside reclaim entered from a
 * runner's own fault.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/io.h>

#include "backend.h"
#include "mem.h"

#define SL_ENTRIES	512
#define SL_ADDR_MASK	GENMASK_ULL(51, PAGE_SHIFT)

static atomic64_t mem_pinned = ATOMIC64_INIT(0);

u64 denali_mem_pinned_pages(void)
{
	return atomic64_read(&mem_pinned);
}

static unsigned int sl_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & (SL_ENTRIES - 1);
}

int denali_mem_init(struct denali_mem *mem, u32 size, const char *name)
{
	loff_t bytes = (loff_t)size + DENALI_NR_KPAGES * PAGE_SIZE;

	mem->shmem = shmem_file_setup(name, bytes, VM_NORESERVE);
	if (IS_ERR(mem->shmem))
		return PTR_ERR(mem->shmem);
	mem->size = size;
	mem->root = NULL;
	mem->mapped = 0;
	return 0;
}

static void *sl_alloc_table(void)
{
	return (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
}

static void sl_free_table(u64 *table, int level)
{
	unsigned int i;

	for (i = 0; i < SL_ENTRIES; i++) {
		phys_addr_t pa = table[i] & SL_ADDR_MASK;

		if (!table[i])
			continue;
		if (level == 1)
			put_page(pfn_to_page(PHYS_PFN(pa)));
		else
			sl_free_table(__va(pa), level - 1);
	}
	free_page((unsigned long)table);
}

int denali_mem_map_begin(struct denali_mem *mem)
{
	mem->root = sl_alloc_table();
	if (!mem->root)
		return -ENOMEM;
	mem->root_pa = __pa(mem->root);
	return 0;
}

void denali_mem_unmap(struct denali_mem *mem)
{
	if (!mem->root)
		return;
	sl_free_table(mem->root, denali_backend->sl_levels);
	atomic64_sub(mem->mapped, &mem_pinned);
	mem->mapped = 0;
	mem->root = NULL;
	mem->root_pa = 0;
}

void denali_mem_free(struct denali_mem *mem)
{
	denali_mem_unmap(mem);
	fput(mem->shmem);
}

struct page *denali_mem_pin(struct denali_mem *mem, pgoff_t index)
{
	struct page *page;

	page = shmem_read_mapping_page(mem->shmem->f_mapping, index);
	if (!IS_ERR(page))
		atomic64_inc(&mem_pinned);
	return page;
}

void denali_mem_unpin(struct page *page, bool dirty)
{
	if (dirty)
		set_page_dirty(page);
	put_page(page);
	atomic64_dec(&mem_pinned);
}

/* The leaf entry for gpa, allocating the tables above it. */
static u64 *sl_leaf(struct denali_mem *mem, u64 gpa)
{
	u64 *table = mem->root;
	int level;

	for (level = denali_backend->sl_levels; level > 1; level--) {
		u64 *entry = &table[sl_index(gpa, level)];

		if (!*entry) {
			void *next = sl_alloc_table();

			if (!next)
				return NULL;
			WRITE_ONCE(*entry, denali_backend->sl_table_entry(__pa(next)));
		}
		table = __va(*entry & SL_ADDR_MASK);
	}
	return &table[sl_index(gpa, 1)];
}

static struct page *mem_get_page(struct denali_mem *mem, u64 gpa)
{
	return shmem_read_mapping_page(mem->shmem->f_mapping,
				       denali_mem_index(gpa));
}

int denali_mem_fault(struct denali_mem *mem, u64 gpa)
{
	struct page *page;
	u64 *leaf;
	int ret = 0;

	if (gpa >= mem->size)
		return -EFAULT;
	if (WARN_ON_ONCE(!mem->root))
		return -EINVAL;

	page = mem_get_page(mem, gpa);
	if (IS_ERR(page))
		return PTR_ERR(page);
	/* The guest may write it behind the page cache's back. */
	set_page_dirty(page);

	leaf = sl_leaf(mem, gpa);
	if (!leaf)
		ret = -ENOMEM;
	else if (*leaf)
		ret = -EEXIST;	/* mapped, yet it faulted: not ours to fix */
	else
		WRITE_ONCE(*leaf, denali_backend->sl_page_entry(page_to_phys(page)));
	if (!ret) {
		mem->mapped++;
		atomic64_inc(&mem_pinned);
	}

	/* On success the table keeps the reference until teardown. */
	if (ret)
		put_page(page);
	return ret;
}

enum mem_op { MEM_READ, MEM_WRITE, MEM_LOAD };

struct mem_copy {
	enum mem_op op;
	union {
		void *to;
		const void *from;
		struct {
			struct file *file;
			loff_t pos;
		};
	};
};

static int mem_copy(struct denali_mem *mem, u64 gpa, size_t len,
		    struct mem_copy *c)
{
	if (!denali_gpa_range_ok(mem->size, gpa, len))
		return -EFAULT;

	while (len) {
		size_t off = offset_in_page(gpa);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		struct page *page = mem_get_page(mem, gpa);
		ssize_t done = n;
		char *kaddr;

		if (IS_ERR(page))
			return PTR_ERR(page);

		kaddr = kmap_local_page(page);
		switch (c->op) {
		case MEM_READ:
			memcpy(c->to, kaddr + off, n);
			c->to += n;
			break;
		case MEM_WRITE:
			memcpy(kaddr + off, c->from, n);
			c->from += n;
			break;
		case MEM_LOAD:
			done = kernel_read(c->file, kaddr + off, n, &c->pos);
			break;
		}
		kunmap_local(kaddr);
		if (c->op != MEM_READ)
			set_page_dirty(page);
		put_page(page);

		if (done != n)
			return done < 0 ? done : -EIO;
		gpa += n;
		len -= n;
	}
	return 0;
}

int denali_mem_read(struct denali_mem *mem, u64 gpa, void *buf, size_t len)
{
	struct mem_copy c = { .op = MEM_READ, .to = buf };

	return mem_copy(mem, gpa, len, &c);
}

int denali_mem_write(struct denali_mem *mem, u64 gpa, const void *buf,
		     size_t len)
{
	struct mem_copy c = { .op = MEM_WRITE, .from = buf };

	return mem_copy(mem, gpa, len, &c);
}

int denali_mem_load_file(struct denali_mem *mem, u64 gpa, struct file *file,
			 loff_t pos, size_t len)
{
	struct mem_copy c = { .op = MEM_LOAD, .file = file, .pos = pos };

	return mem_copy(mem, gpa, len, &c);
}
