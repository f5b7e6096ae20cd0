// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the ELF32 loader's checks: every field of a guest image
 * is untrusted, so each way a header, a program header or a size can be
 * wrong must be refused with its own error code and message.
 */
#include <kunit/test.h>
#include <linux/elf.h>
#include <linux/denali_abi.h>

#include "elf.h"

#define TEST_MEM_SIZE	(1U << 20)
#define TEST_FILE_SIZE	0x3000ULL
#define TEST_ENTRY	0x2010

struct test_elf {
	struct elf32_hdr eh;
	struct elf32_phdr ph[DENALI_ELF_MAX_SEGMENTS + 1];
};

/* An image, the part of it the loader is given, and the VM it is for. */
struct test_input {
	struct test_elf elf;
	size_t len;
	u64 file_size;
	u32 mem_size;
};

static void set_phdr(struct elf32_phdr *ph, u32 type, u32 offset, u32 vaddr,
		     u32 filesz, u32 memsz, u32 flags)
{
	ph->p_type = type;
	ph->p_offset = offset;
	ph->p_vaddr = vaddr;
	ph->p_paddr = vaddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_flags = flags;
	ph->p_align = 0x1000;
}

/*
 * A well-formed image as guest-sdk's linker script lays it out: code,
 * then data followed by its bss, and a note that is not loaded.
 */
static void test_input_init(struct test_input *in, unsigned int phnum)
{
	struct elf32_hdr *eh = &in->elf.eh;

	memset(in, 0, sizeof(*in));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = TEST_ENTRY;
	eh->e_phoff = offsetof(struct test_elf, ph);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf32_phdr);
	eh->e_phnum = phnum;

	set_phdr(&in->elf.ph[0], PT_LOAD, 0x1000, DENALI_IMAGE_BASE, 0x800,
		 0x800, PF_R | PF_X);
	set_phdr(&in->elf.ph[1], PT_LOAD, 0x2000, 0x3000, 0x100, 0x1000,
		 PF_R | PF_W);
	set_phdr(&in->elf.ph[2], PT_NOTE, 0x2100, 0x3100, 0x20, 0x20, PF_R);

	in->len = sizeof(*eh) + phnum * sizeof(struct elf32_phdr);
	in->file_size = TEST_FILE_SIZE;
	in->mem_size = TEST_MEM_SIZE;
}

static struct test_input *test_input_new(struct kunit *test)
{
	struct test_input *in = kunit_kzalloc(test, sizeof(*in), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, in);
	test_input_init(in, 3);
	return in;
}

static int test_parse(struct test_input *in, struct denali_elf_image *img,
		      const char **why)
{
	return denali_elf_parse(&in->elf, in->len, in->file_size, in->mem_size,
				img, why);
}

static void expect_segment(struct kunit *test,
			   const struct denali_elf_segment *seg,
			   const struct elf32_phdr *ph)
{
	KUNIT_EXPECT_EQ(test, seg->offset, ph->p_offset);
	KUNIT_EXPECT_EQ(test, seg->vaddr, ph->p_vaddr);
	KUNIT_EXPECT_EQ(test, seg->filesz, ph->p_filesz);
	KUNIT_EXPECT_EQ(test, seg->memsz, ph->p_memsz);
}

static void elf_parse_valid(struct kunit *test)
{
	struct test_input *in = test_input_new(test);
	struct denali_elf_image img;
	const char *why = NULL;

	memset(&img, 0xa5, sizeof(img));
	KUNIT_ASSERT_EQ(test, test_parse(in, &img, &why), 0);
	KUNIT_EXPECT_EQ(test, img.entry, TEST_ENTRY);
	/* The note is not loaded. */
	KUNIT_ASSERT_EQ(test, img.nr_segments, 2);
	expect_segment(test, &img.seg[0], &in->elf.ph[0]);
	expect_segment(test, &img.seg[1], &in->elf.ph[1]);
}

/* A loadable segment of size 0 takes no slot and needs no room. */
static void elf_parse_skips_empty_segments(struct kunit *test)
{
	struct test_input *in = test_input_new(test);
	struct denali_elf_image img;
	const char *why = NULL;

	set_phdr(&in->elf.ph[1], PT_LOAD, 0xfffff000, 0xfffff000, 0, 0, PF_R);
	KUNIT_ASSERT_EQ(test, test_parse(in, &img, &why), 0);
	KUNIT_ASSERT_EQ(test, img.nr_segments, 1);
	expect_segment(test, &img.seg[0], &in->elf.ph[0]);
}

/* Everything exactly at its limit is still accepted. */
static void elf_parse_limits(struct kunit *test)
{
	struct test_input *in = test_input_new(test);
	struct denali_elf_image img;
	const char *why = NULL;

	/* bss up to the last byte of memory, data up to the end of file */
	in->elf.ph[1].p_memsz = in->mem_size - in->elf.ph[1].p_vaddr;
	in->file_size = in->elf.ph[1].p_offset + in->elf.ph[1].p_filesz;
	/* entry on the last byte of the code */
	in->elf.eh.e_entry = DENALI_IMAGE_BASE + in->elf.ph[0].p_memsz - 1;

	KUNIT_ASSERT_EQ(test, test_parse(in, &img, &why), 0);
	KUNIT_EXPECT_EQ(test, img.entry, DENALI_IMAGE_BASE + 0x800 - 1);
	KUNIT_ASSERT_EQ(test, img.nr_segments, 2);
	KUNIT_EXPECT_EQ(test, img.seg[1].memsz, in->mem_size - 0x3000);
}

static void elf_parse_max_segments(struct kunit *test)
{
	struct test_input *in = test_input_new(test);
	struct denali_elf_image img;
	const char *why = NULL;
	unsigned int i;

	test_input_init(in, DENALI_ELF_MAX_SEGMENTS);
	for (i = 0; i < DENALI_ELF_MAX_SEGMENTS; i++)
		set_phdr(&in->elf.ph[i], PT_LOAD, 0x1000,
			 DENALI_IMAGE_BASE + i * 0x1000, 0x10, 0x1000,
			 PF_R | PF_X);

	KUNIT_ASSERT_EQ(test, test_parse(in, &img, &why), 0);
	KUNIT_ASSERT_EQ(test, img.nr_segments, DENALI_ELF_MAX_SEGMENTS);
	for (i = 0; i < DENALI_ELF_MAX_SEGMENTS; i++)
		expect_segment(test, &img.seg[i], &in->elf.ph[i]);
}

/* One malformed image: how to break a valid one, and what must be said. */
struct elf_bad_case {
	const char *desc;
	void (*breakit)(struct test_input *in);
	int err;
	const char *why;
};

static void short_buffer(struct test_input *in)
{
	in->len = sizeof(struct elf32_hdr) - 1;
}

static void bad_magic(struct test_input *in)
{
	in->elf.eh.e_ident[EI_MAG3] = 'G';
}

static void elf64_class(struct test_input *in)
{
	in->elf.eh.e_ident[EI_CLASS] = ELFCLASS64;
}

static void big_endian(struct test_input *in)
{
	in->elf.eh.e_ident[EI_DATA] = ELFDATA2MSB;
}

static void x86_64_machine(struct test_input *in)
{
	in->elf.eh.e_machine = EM_X86_64;
}

static void shared_object(struct test_input *in)
{
	in->elf.eh.e_type = ET_DYN;
}

static void relocatable(struct test_input *in)
{
	in->elf.eh.e_type = ET_REL;
}

static void ident_version(struct test_input *in)
{
	in->elf.eh.e_ident[EI_VERSION] = EV_NONE;
}

static void header_version(struct test_input *in)
{
	in->elf.eh.e_version = EV_CURRENT + 1;
}

static void header_size(struct test_input *in)
{
	in->elf.eh.e_ehsize = sizeof(struct elf64_hdr);
}

static void phdr_entry_size(struct test_input *in)
{
	in->elf.eh.e_phentsize = sizeof(struct elf64_phdr);
}

static void no_phdrs(struct test_input *in)
{
	in->elf.eh.e_phnum = 0;
}

static void too_many_phdrs(struct test_input *in)
{
	in->elf.eh.e_phnum = DENALI_ELF_MAX_SEGMENTS + 1;
	in->len = sizeof(in->elf);
}

static void phdrs_past_buffer(struct test_input *in)
{
	in->len--;
}

/* e_phoff + e_phnum * e_phentsize wraps in 32 bits. */
static void phdrs_offset_wraps(struct test_input *in)
{
	in->elf.eh.e_phoff = 0xffffffff - sizeof(struct elf32_phdr);
}

static void dynamic_segment(struct test_input *in)
{
	in->elf.ph[2].p_type = PT_DYNAMIC;
}

static void interp_segment(struct test_input *in)
{
	in->elf.ph[2].p_type = PT_INTERP;
}

static void filesz_over_memsz(struct test_input *in)
{
	in->elf.ph[0].p_filesz = in->elf.ph[0].p_memsz + 1;
}

static void data_past_file_end(struct test_input *in)
{
	in->file_size = in->elf.ph[1].p_offset + in->elf.ph[1].p_filesz - 1;
}

/* p_offset + p_filesz wraps in 32 bits to inside the file. */
static void data_offset_wraps(struct test_input *in)
{
	in->elf.ph[1].p_offset = 0xffffff00;
	in->elf.ph[1].p_filesz = 0x200;
	in->elf.ph[1].p_memsz = 0x200;
}

static void segment_at_zero(struct test_input *in)
{
	in->elf.ph[0].p_vaddr = DENALI_VREGS_ADDR;
	in->elf.eh.e_entry = DENALI_VREGS_ADDR;
}

static void segment_over_hypercall_page(struct test_input *in)
{
	in->elf.ph[0].p_vaddr = DENALI_IMAGE_BASE - 1;
}

static void bss_past_memory(struct test_input *in)
{
	in->elf.ph[1].p_memsz = in->mem_size - in->elf.ph[1].p_vaddr + 1;
}

static void segment_past_memory(struct test_input *in)
{
	in->elf.ph[1].p_vaddr = in->mem_size;
}

/* p_vaddr + p_memsz wraps at 4 GiB to inside memory. */
static void segment_wraps(struct test_input *in)
{
	in->elf.ph[1].p_vaddr = 0xfffff000;
	in->elf.ph[1].p_memsz = 0x2000;
}

static void nothing_loadable(struct test_input *in)
{
	in->elf.ph[0].p_type = PT_NOTE;
	in->elf.ph[1].p_memsz = 0;
	in->elf.ph[1].p_filesz = 0;
}

static void entry_past_memory(struct test_input *in)
{
	in->elf.eh.e_entry = in->mem_size;
}

static void entry_in_data(struct test_input *in)
{
	in->elf.eh.e_entry = in->elf.ph[1].p_vaddr;
}

static void entry_after_code(struct test_input *in)
{
	in->elf.eh.e_entry = DENALI_IMAGE_BASE + in->elf.ph[0].p_memsz;
}

static void entry_before_code(struct test_input *in)
{
	in->elf.eh.e_entry = DENALI_IMAGE_BASE - 1;
}

static void code_not_executable(struct test_input *in)
{
	in->elf.ph[0].p_flags = PF_R;
}

#define BAD(fn, e, msg) { .desc = #fn, .breakit = fn, .err = e, .why = msg }

static const struct elf_bad_case elf_bad_cases[] = {
	BAD(short_buffer, -ENOEXEC, "not an ELF32 image"),
	BAD(bad_magic, -ENOEXEC, "not an ELF32 image"),
	BAD(elf64_class, -ENOEXEC, "not an ELF32 image"),
	BAD(big_endian, -ENOEXEC, "not an ELF32 image"),
	BAD(x86_64_machine, -ENOEXEC, "not an ELF32 image"),
	BAD(shared_object, -ENOEXEC, "not an ELF32 executable"),
	BAD(relocatable, -ENOEXEC, "not an ELF32 executable"),
	BAD(ident_version, -ENOEXEC, "malformed ELF32 header"),
	BAD(header_version, -ENOEXEC, "malformed ELF32 header"),
	BAD(header_size, -ENOEXEC, "malformed ELF32 header"),
	BAD(phdr_entry_size, -ENOEXEC, "malformed ELF32 header"),
	BAD(no_phdrs, -ENOEXEC, "malformed ELF32 program headers"),
	BAD(too_many_phdrs, -ENOEXEC, "malformed ELF32 program headers"),
	BAD(phdrs_past_buffer, -ENOEXEC, "malformed ELF32 program headers"),
	BAD(phdrs_offset_wraps, -ENOEXEC, "malformed ELF32 program headers"),
	BAD(dynamic_segment, -ENOEXEC, "not a static ELF32 executable"),
	BAD(interp_segment, -ENOEXEC, "not a static ELF32 executable"),
	BAD(filesz_over_memsz, -ENOEXEC, "malformed ELF32 segment sizes"),
	BAD(data_past_file_end, -ENOEXEC,
	    "ELF32 segment beyond the end of the file"),
	BAD(data_offset_wraps, -ENOEXEC,
	    "ELF32 segment beyond the end of the file"),
	BAD(segment_at_zero, -ENOEXEC,
	    "ELF32 segment overlaps the reserved pages"),
	BAD(segment_over_hypercall_page, -ENOEXEC,
	    "ELF32 segment overlaps the reserved pages"),
	BAD(bss_past_memory, -EFBIG, "image larger than memory"),
	BAD(segment_past_memory, -EFBIG, "image larger than memory"),
	BAD(segment_wraps, -EFBIG, "image larger than memory"),
	BAD(nothing_loadable, -ENOEXEC, "ELF32 image has nothing to load"),
	BAD(entry_past_memory, -ERANGE, "entry point outside memory"),
	BAD(entry_in_data, -ERANGE, "entry point outside the image's code"),
	BAD(entry_after_code, -ERANGE, "entry point outside the image's code"),
	BAD(entry_before_code, -ERANGE, "entry point outside the image's code"),
	BAD(code_not_executable, -ERANGE,
	    "entry point outside the image's code"),
};

static void elf_bad_case_desc(const struct elf_bad_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(elf_bad, elf_bad_cases, elf_bad_case_desc);

static void elf_parse_refuses(struct kunit *test)
{
	const struct elf_bad_case *c = test->param_value;
	struct test_input *in = test_input_new(test);
	struct denali_elf_image img;
	const char *why = NULL;

	c->breakit(in);
	KUNIT_EXPECT_EQ(test, test_parse(in, &img, &why), c->err);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_STREQ(test, why, c->why);
}

static struct kunit_case denali_elf_cases[] = {
	KUNIT_CASE(elf_parse_valid),
	KUNIT_CASE(elf_parse_skips_empty_segments),
	KUNIT_CASE(elf_parse_limits),
	KUNIT_CASE(elf_parse_max_segments),
	KUNIT_CASE_PARAM(elf_parse_refuses, elf_bad_gen_params),
	{}
};

static struct kunit_suite denali_elf_suite = {
	.name = "denali_elf",
	.test_cases = denali_elf_cases,
};

kunit_test_suite(denali_elf_suite);
