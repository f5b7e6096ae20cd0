// SPDX-License-Identifier: GPL-2.0
/*
 * Loader for guest images: static ELF32 i386 executables. Everything in
 * the file is untrusted; every field is checked before it is used.
 */
#include <linux/elf.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/denali_abi.h>

#include "elf.h"
#include "mem.h"

static int elf_fail(const char **why, const char *msg, int err)
{
	*why = msg;
	return err;
}

static int elf_check_header(const struct elf32_hdr *eh, size_t len,
			    const char **why)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS32 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_386)
		return elf_fail(why, "not an ELF32 image", -ENOEXEC);
	if (eh->e_type != ET_EXEC)
		return elf_fail(why, "not an ELF32 executable", -ENOEXEC);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT || eh->e_ehsize != sizeof(*eh) ||
	    eh->e_phentsize != sizeof(struct elf32_phdr))
		return elf_fail(why, "malformed ELF32 header", -ENOEXEC);
	if (eh->e_phnum == 0 || eh->e_phnum > DENALI_ELF_MAX_SEGMENTS ||
	    (u64)eh->e_phoff + (u64)eh->e_phnum * sizeof(struct elf32_phdr) > len)
		return elf_fail(why, "malformed ELF32 program headers",
				-ENOEXEC);
	return 0;
}

static int elf_check_segment(const struct elf32_phdr *ph, u64 file_size,
			     u32 mem_size, const char **why)
{
	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(why, "malformed ELF32 segment sizes", -ENOEXEC);
	if ((u64)ph->p_offset + ph->p_filesz > file_size)
		return elf_fail(why, "ELF32 segment beyond the end of the file",
				-ENOEXEC);
	if (ph->p_vaddr < DENALI_IMAGE_BASE)
		return elf_fail(why, "ELF32 segment overlaps the reserved pages",
				-ENOEXEC);
	if ((u64)ph->p_vaddr + ph->p_memsz > mem_size)
		return elf_fail(why, "image larger than memory", -EFBIG);
	return 0;
}

int denali_elf_parse(const void *buf, size_t len, u64 file_size, u32 mem_size,
		     struct denali_elf_image *img, const char **why)
{
	const struct elf32_hdr *eh = buf;
	const struct elf32_phdr *ph;
	bool entry_ok = false;
	unsigned int i;
	int ret;

	ret = elf_check_header(eh, len, why);
	if (ret)
		return ret;

	img->entry = eh->e_entry;
	img->nr_segments = 0;
	ph = buf + eh->e_phoff;
	for (i = 0; i < eh->e_phnum; i++, ph++) {
		struct denali_elf_segment *seg;

		if (ph->p_type == PT_DYNAMIC || ph->p_type == PT_INTERP)
			return elf_fail(why, "not a static ELF32 executable",
					-ENOEXEC);
		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;

		ret = elf_check_segment(ph, file_size, mem_size, why);
		if (ret)
			return ret;

		seg = &img->seg[img->nr_segments++];
		seg->offset = ph->p_offset;
		seg->vaddr = ph->p_vaddr;
		seg->filesz = ph->p_filesz;
		seg->memsz = ph->p_memsz;
		if ((ph->p_flags & PF_X) && img->entry >= ph->p_vaddr &&
		    img->entry - ph->p_vaddr < ph->p_memsz)
			entry_ok = true;
	}

	if (!img->nr_segments)
		return elf_fail(why, "ELF32 image has nothing to load",
				-ENOEXEC);
	if (img->entry >= mem_size)
		return elf_fail(why, "entry point outside memory", -ERANGE);
	if (!entry_ok)
		return elf_fail(why, "entry point outside the image's code",
				-ERANGE);
	return 0;
}

int denali_elf_load(struct file *file, struct denali_mem *mem, u32 *entry,
		    const char **why)
{
	u64 file_size = i_size_read(file_inode(file));
	struct denali_elf_image *img;
	loff_t pos = 0;
	unsigned int i;
	ssize_t len;
	void *buf;
	int ret;

	buf = kmalloc(DENALI_ELF_HEADER_MAX, GFP_KERNEL);
	img = kmalloc(sizeof(*img), GFP_KERNEL);
	if (!buf || !img) {
		ret = elf_fail(why, "out of memory", -ENOMEM);
		goto out;
	}

	len = kernel_read(file, buf, DENALI_ELF_HEADER_MAX, &pos);
	if (len < 0) {
		ret = elf_fail(why, "cannot read the image", len);
		goto out;
	}

	ret = denali_elf_parse(buf, len, file_size, mem->size, img, why);
	if (ret)
		goto out;

	for (i = 0; i < img->nr_segments; i++) {
		const struct denali_elf_segment *seg = &img->seg[i];

		ret = denali_mem_load_file(mem, seg->vaddr, file, seg->offset,
					   seg->filesz);
		if (ret) {
			*why = "cannot read the image";
			goto out;
		}
	}
	*entry = img->entry;
out:
	kfree(img);
	kfree(buf);
	return ret;
}
