/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_MEM_H
#define _DENALI_MEM_H

#include <linux/mutex.h>
#include <linux/types.h>

struct file;

/*
 * A VM's guest-physical memory: a shmem object of mem_size bytes, and the
 * second-level page tables (EPT or NPT) that map it page by page on first
 * touch. Nothing else is ever mapped.
 */
struct denali_mem {
	struct file *shmem;
	u32 size;
	/* Serializes changes to the second-level tables. */
	struct mutex lock;
	u64 *root;
	phys_addr_t root_pa;
};

int denali_mem_init(struct denali_mem *mem, u32 size, const char *name);
void denali_mem_free(struct denali_mem *mem);

/* Maps the page holding gpa; -EFAULT when gpa lies outside the VM. */
int denali_mem_fault(struct denali_mem *mem, u64 gpa);

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
