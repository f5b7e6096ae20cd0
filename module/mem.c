// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: one shmem object per VM, so Linux swap can page it, and
 * second-level page tables (EPT or NPT) filled one page at a time on the
 * guest's first touch. The tables map only the VM's own pages.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/io.h>

#include "backend.h"
#include "mem.h"

#define SL_ENTRIES	512
#define SL_ADDR_MASK	GENMASK_ULL(51, PAGE_SHIFT)

static unsigned int sl_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & (SL_ENTRIES - 1);
}

int denali_mem_init(struct denali_mem *mem, u32 size, const char *name)
{
	mem->shmem = shmem_file_setup(name, size, VM_NORESERVE);
	if (IS_ERR(mem->shmem))
		return PTR_ERR(mem->shmem);

	mem->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!mem->root) {
		fput(mem->shmem);
		return -ENOMEM;
	}
	mem->root_pa = __pa(mem->root);
	mem->size = size;
	mutex_init(&mem->lock);
	return 0;
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

void denali_mem_free(struct denali_mem *mem)
{
	sl_free_table(mem->root, denali_backend->sl_levels);
	fput(mem->shmem);
}

/* The leaf entry for gpa, allocating the tables above it. */
static u64 *sl_leaf(struct denali_mem *mem, u64 gpa)
{
	u64 *table = mem->root;
	int level;

	for (level = denali_backend->sl_levels; level > 1; level--) {
		u64 *entry = &table[sl_index(gpa, level)];

		if (!*entry) {
			void *next = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

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
	return shmem_read_mapping_page(mem->shmem->f_mapping, gpa >> PAGE_SHIFT);
}

int denali_mem_fault(struct denali_mem *mem, u64 gpa)
{
	struct page *page;
	u64 *leaf;
	int ret = 0;

	if (gpa >= mem->size)
		return -EFAULT;

	page = mem_get_page(mem, gpa);
	if (IS_ERR(page))
		return PTR_ERR(page);
	/* The guest may write it behind the page cache's back. */
	set_page_dirty(page);

	mutex_lock(&mem->lock);
	leaf = sl_leaf(mem, gpa);
	if (!leaf)
		ret = -ENOMEM;
	else if (*leaf)
		ret = -EEXIST;	/* mapped, yet it faulted: not ours to fix */
	else
		WRITE_ONCE(*leaf, denali_backend->sl_page_entry(page_to_phys(page)));
	mutex_unlock(&mem->lock);

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
