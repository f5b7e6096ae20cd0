/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_ELF_H
#define _DENALI_ELF_H

#include <linux/types.h>

struct denali_mem;
struct file;

#define DENALI_ELF_MAX_SEGMENTS	16
/* The ELF header and program headers must lie in the file's first page. */
#define DENALI_ELF_HEADER_MAX	4096

struct denali_elf_segment {
	u32 offset;
	u32 vaddr;
	u32 filesz;
	u32 memsz;
};

struct denali_elf_image {
	u32 entry;
	unsigned int nr_segments;
	struct denali_elf_segment seg[DENALI_ELF_MAX_SEGMENTS];
};

/*
 * Checks a static ELF32 i386 executable for a VM of mem_size bytes. buf
 * holds the first len bytes of a file of file_size bytes. Returns 0 and
 * fills img, or a negative errno with *why set to a message for the
 * operator: -ENOEXEC for anything that is not a well-formed ELF32 image,
 * -EFBIG for a segment that does not fit in memory, -ERANGE for an entry
 * point outside the loaded code.
 */
int denali_elf_parse(const void *buf, size_t len, u64 file_size, u32 mem_size,
		     struct denali_elf_image *img, const char **why);

/* Reads, checks and copies an image into a VM's memory. */
int denali_elf_load(struct file *file, struct denali_mem *mem, u32 *entry,
		    const char **why);

#endif /* _DENALI_ELF_H */
