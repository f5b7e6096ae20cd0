/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_MEM_H
#define _DENALI_MEM_H

#include <linux/mm.h>
#include <linux/types.h>

struct file;

/*
 * Kernel pages: the shmem object holds them before the guest's own pages
 * (in the same radix tree node as the guest's first pages, which a
 * swapped-out VM keeps in memory), where no second-level table ever maps
 * them, so that per-VM state the guest must not see is swapped with its
 * memory (see swap.c). The enum values are their page indices.
 */
enum denali_kpage {
	DENALI_KPAGE_VCPU,		/* the backend's CPU state */
	DENALI_KPAGE_FPU,		/* the guest's FPU registers */
	DENALI_KPAGE_CONSOLE_OUT,	/* console history */
	DENALI_KPAGE_CONSOLE_IN,	/* console input */
	DENALI_NR_KPAGES
};

/*
 * A VM's guest-physical memory: a shmem object of mem_size bytes (and
 * the kernel pages), and the second-level page tables (EPT or NPT) that
 * map it page by page on first touch. Nothing else is ever mapped. The
 * tables exist only while the VM is resident; each mapped page holds a
 * reference, which keeps it from reclaim.
 */
struct denali_mem {
	struct file *shmem;
	u32 size;
	/* Changed by the VM's owner alone, see mem.c. */
	u64 *root;		/* NULL while the VM is swapped out */
	phys_addr_t root_pa;
	u32 mapped;		/* guest pages the tables map */
};

int denali_mem_init(struct denali_mem *mem, u32 size, const char *name);
void denali_mem_free(struct denali_mem *mem);

/* Allocates an empty root table for a VM about to run. */
int denali_mem_map_begin(struct denali_mem *mem);
/*
 * Frees every table and drops the references of every mapped page, so
 * that reclaim may write them to swap; the VM must be off every CPU.
 */
void denali_mem_unmap(struct denali_mem *mem);

/* Maps the page holding gpa; -EFAULT when gpa lies outside the VM. */
int denali_mem_fault(struct denali_mem *mem, u64 gpa);

/* The page index in the shmem object of the guest page holding gpa. */
static inline pgoff_t denali_mem_index(u64 gpa)
{
	return DENALI_NR_KPAGES + (gpa >> PAGE_SHIFT);
}

/*
 * Pins the page at index (read from swap if it must be) until
 * denali_mem_unpin(), which marks it dirty if the kernel wrote to it
 * behind the page cache's back. Process context.
 */
struct page *denali_mem_pin(struct denali_mem *mem, pgoff_t index);
void denali_mem_unpin(struct page *page, bool dirty);

/* Pages of all VMs that reclaim cannot take: mapped or pinned. */
u64 denali_mem_pinned_pages(void);

/* Copies to or from guest memory; -EFAULT for any byte outside it. */
int denali_mem_read(struct denali_mem *mem, u64 gpa, void *buf, size_t len);
int denali_mem_write(struct denali_mem *mem, u64 gpa, const void *buf,
		     size_t len);
/* Copies len bytes of file at offset pos into guest memory at gpa. */
int denali_mem_load_file(struct denali_mem *mem, u64 gpa, struct file *file,
			 loff_t pos, size_t len);

/* True when [gpa, gpa + len) lies inside a memory of mem_size bytes. */
static inline bool denali_gpa_range_ok(u32 mem_size, u64 gpa, u64 len)
{
	return gpa <= mem_size && len <= mem_size - gpa;
}

#endif /* _DENALI_MEM_H */
