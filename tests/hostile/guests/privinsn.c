/* SPDX-License-Identifier: MIT */
/*
 * Privileged instructions, one case per run, named on the command line
 * (tests/hostile/privinsn.list gives each case's expected outcome, the
 * same on VMX and SVM): control register reads and writes (MOV, LMSW in
 * register and memory forms, CLTS, SMSW, CR8), debug registers, the
 * descriptor-table instructions, CR2 across host activity, hypercalls
 * with prefixes, and upcalls taken in ring 3 and in virtual-8086 mode.
 *
 * Exit codes: 0 the case ran and saw what the ABI promises; 1 an
 * instruction that must end the VM completed; 2 a value was wrong; 3 the
 * case could not be set up; 4 no such case. Cases that must end the VM
 * print what they are about to do first.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <denali.h>

#define ABI_CR0		0x33	/* PE, MP, ET, NE */
#define ABI_CR4		0x600	/* OSFXSR, OSXMMEXCPT */
#define CR0_TS		0x8
#define CR0_MP		0x2

/* Our GDT: the SDK's two ring-0 segments first, then ours. */
#define SEL_CS0		0x08
#define SEL_DS0		0x10
#define SEL_CS3		0x1b
#define SEL_DS3		0x23
#define SEL_LDT		0x28
#define SEL_TSS		0x30
#define SEL_BASED	0x38	/* flat data with a base of BASED_OFF */
#define GDT_ENTRIES	8
#define BASED_OFF	0x100

struct dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
/* Code built at run time: paging is off, so data is executable. */
static uint8_t stub[32] __attribute__((aligned(16)));
static uint8_t v86_code[16] __attribute__((aligned(16)));
static uint8_t ring3_stack[256] __attribute__((aligned(16)));
/* LMSW operands: the word a correct decoder reads, and a decoy. */
static volatile uint16_t words[0x200] __attribute__((aligned(16)));

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

static void load_gdt(void)
{
	struct dtr d = { sizeof(gdt) - 1, (uint32_t)gdt };

	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffULL;
	gdt[2] = 0x00cf93000000ffffULL;
	gdt[3] = 0x00cffb000000ffffULL;
	gdt[4] = 0x00cff3000000ffffULL;
	gdt[5] = seg_desc((uint32_t)ldt, sizeof(ldt) - 1, 0x82, 0);
	gdt[6] = seg_desc((uint32_t)tss, sizeof(tss) - 1, 0x89, 0);
	gdt[7] = seg_desc(BASED_OFF, 0xfffff, 0x93, 0xc);
	asm volatile("lgdt %0" : : "m" (d) : "memory");
}

static uint32_t read_cr(int n)
{
	uint32_t v = 0;

	switch (n) {
	case 0:
		asm volatile("mov %%cr0, %0" : "=r" (v));
		break;
	case 2:
		asm volatile("mov %%cr2, %0" : "=r" (v));
		break;
	case 3:
		asm volatile("mov %%cr3, %0" : "=r" (v));
		break;
	case 4:
		asm volatile("mov %%cr4, %0" : "=r" (v));
		break;
	}
	return v;
}

static void write_cr(int n, uint32_t v)
{
	switch (n) {
	case 0:
		asm volatile("mov %0, %%cr0" : : "r" (v) : "memory");
		break;
	case 2:
		asm volatile("mov %0, %%cr2" : : "r" (v) : "memory");
		break;
	case 3:
		asm volatile("mov %0, %%cr3" : : "r" (v) : "memory");
		break;
	case 4:
		asm volatile("mov %0, %%cr4" : : "r" (v) : "memory");
		break;
	}
}

/* Calls the code in stub with EAX in and out. */
static uint32_t call_stub(uint32_t eax, uint32_t ebx, uint32_t ecx)
{
	asm volatile("call *%[fn]"
		     : "+a" (eax), "+b" (ebx), "+c" (ecx)
		     : [fn] "r" (stub)
		     : "edx", "memory", "cc");
	return eax;
}

/* The TS bit is the host's: on SVM a read may show it set. */
static int check_cr0(uint32_t v)
{
	if ((v & ~CR0_TS) != ABI_CR0) {
		printf("privinsn: cr0 %#x, expected %#x\n", v, ABI_CR0);
		return 2;
	}
	return 0;
}

static int cr_read(int n)
{
	uint32_t v = read_cr(n);
	uint32_t want = n == 4 ? ABI_CR4 : 0;

	printf("privinsn: cr%d = %#x\n", n, v);
	if (n == 0)
		return check_cr0(v);
	if (v != want) {
		printf("privinsn: cr%d should be %#x\n", n, want);
		return 2;
	}
	return 0;
}

/* A write that leaves the register as read completes as a no-op. */
static int cr_same(int n, uint32_t set)
{
	uint32_t v = read_cr(n);

	write_cr(n, v | set);
	printf("privinsn: cr%d rewritten with %#x\n", n, v | set);
	return n == 0 ? check_cr0(read_cr(0)) : read_cr(n) != v ? 2 : 0;
}

static int cr_diff(int n, uint32_t flip)
{
	uint32_t v = read_cr(n) ^ flip;

	printf("privinsn: writing %#x to cr%d\n", v, n);
	write_cr(n, v);
	printf("privinsn: the write to cr%d completed\n", n);
	return 1;
}

static int lmsw_reg(uint16_t v, int crashes)
{
	printf("privinsn: lmsw %#x\n", v);
	asm volatile("lmsw %0" : : "r" (v) : "memory");
	if (crashes)
		return 1;
	return check_cr0(read_cr(0));
}

/* lmsw (%ebx) */
static int lmsw_mem(uint16_t v, int crashes)
{
	words[0] = v;
	printf("privinsn: lmsw from memory %#x\n", v);
	asm volatile("lmsw (%0)" : : "r" (&words[0]) : "memory");
	if (crashes)
		return 1;
	return check_cr0(read_cr(0));
}

/*
 * lmsw 4(%ebp) with a DS base of BASED_OFF: EBP addresses the stack
 * segment (base 0), where the same value is; DS would find the decoy.
 */
static int lmsw_mem_ebp(void)
{
	uint16_t cr0 = read_cr(0) & 0xffff;
	uint32_t addr = (uint32_t)&words[0];

	words[2] = cr0;
	words[2 + BASED_OFF / 2] = cr0 ^ CR0_MP;
	asm volatile("push %%ds\n\t"
		     "push %%ebp\n\t"
		     "mov %1, %%ds\n\t"
		     "mov %0, %%ebp\n\t"
		     "lmsw 4(%%ebp)\n\t"
		     "pop %%ebp\n\t"
		     "pop %%ds"
		     : : "r" (addr), "r" (SEL_BASED) : "memory");
	return check_cr0(read_cr(0));
}

/* lmsw %fs:(%ebx) with an FS base: the override counts. */
static int lmsw_mem_fs(void)
{
	uint16_t cr0 = read_cr(0) & 0xffff;

	words[0] = cr0 ^ CR0_MP;
	words[BASED_OFF / 2] = cr0;
	asm volatile("push %%fs\n\t"
		     "mov %1, %%fs\n\t"
		     "lmsw %%fs:(%0)\n\t"
		     "pop %%fs"
		     : : "b" (&words[0]), "r" (SEL_BASED) : "memory");
	return check_cr0(read_cr(0));
}

/* addr16 lmsw (%bx,%si): 16-bit addressing, as a 0x67 prefix makes it. */
static int lmsw_mem16(void)
{
	uint32_t addr = (uint32_t)&words[0x100];
	uint16_t cr0 = read_cr(0) & 0xffff;

	if (addr + 2 > 0x10000) {
		printf("privinsn: no operand below 64 KiB\n");
		return 3;
	}
	words[0x100] = cr0;
	/* With 32-bit addressing the sum wraps to the top of 4 GiB. */
	asm volatile(".byte 0x67, 0x0f, 0x01, 0x30"
		     : : "b" (addr - 0x10), "S" (0xffff0010) : "memory");
	return check_cr0(read_cr(0));
}

/*
 * LOCK MOV to or from CR0: CR8 on AMD, #UD on Intel, and #UD on both
 * for a Denali guest.
 */
static int cr8_access(int write)
{
	uint32_t v = 0;

	printf("privinsn: %s cr8\n", write ? "writing" : "reading");
	if (write)
		asm volatile(".byte 0xf0, 0x0f, 0x22, 0xc0" : : "a" (v));
	else
		asm volatile(".byte 0xf0, 0x0f, 0x20, 0xc0" : "=a" (v));
	printf("privinsn: the access to cr8 completed (%#x)\n", v);
	return 1;
}

static int smsw(void)
{
	uint32_t v = 0;

	asm volatile("smsw %0" : "=r" (v));
	printf("privinsn: msw = %#x\n", v & 0xffff);
	return check_cr0(v & 0xffff);
}

/* mov %drN,%eax (0f 21) or mov %eax,%drN (0f 23), then ret. */
static int dr_access(int n, int write)
{
	stub[0] = 0x0f;
	stub[1] = write ? 0x23 : 0x21;
	stub[2] = 0xc0 | n << 3;
	stub[3] = 0xc3;
	printf("privinsn: %s dr%d\n", write ? "writing" : "reading", n);
	call_stub(write ? 0x400 : 0, 0, 0);
	printf("privinsn: the access to dr%d completed\n", n);
	return 1;
}

static int desc_tables(const char *c)
{
	struct dtr d = { 0, 0 }, want = { 0, 0 };
	uint16_t sel = 0xffff;

	load_gdt();
	if (!strcmp(c, "lgdt") || !strcmp(c, "sgdt")) {
		want.limit = sizeof(gdt) - 1;
		want.base = (uint32_t)gdt;
		asm volatile("sgdt %0" : "=m" (d));
	} else if (!strcmp(c, "lidt") || !strcmp(c, "sidt")) {
		asm volatile("sidt %0" : "=m" (want));
		asm volatile("lidt %0" : : "m" (want) : "memory");
		asm volatile("sidt %0" : "=m" (d));
	} else if (!strcmp(c, "lldt") || !strcmp(c, "sldt")) {
		want.limit = SEL_LDT;
		asm volatile("lldt %w0" : : "r" (SEL_LDT) : "memory");
		asm volatile("sldt %w0" : "=r" (sel));
		d.limit = sel;
	} else {
		want.limit = SEL_TSS;
		asm volatile("ltr %w0" : : "r" (SEL_TSS) : "memory");
		asm volatile("str %w0" : "=r" (sel));
		d.limit = sel;
	}
	if (sel == 0xffff && d.base != want.base) {
		printf("privinsn: %s: base %#x, expected %#x\n", c, d.base,
		       want.base);
		return 2;
	}
	if (d.limit != want.limit) {
		printf("privinsn: %s: %#x, expected %#x\n", c, d.limit,
		       want.limit);
		return 2;
	}
	printf("privinsn: %s ok\n", c);
	return 0;
}

/*
 * The guest's CR2 is its own: with paging off nothing but the guest sets
 * it, whatever faults the host takes on the same CPU between entries.
 */
static int cr2_loop(void)
{
	unsigned int i, bad = 0;
	uint32_t v, first = 0;

	for (i = 0; i < 400; i++) {
		v = read_cr(2);
		if (v && !bad++)
			first = v;
		denali_idle(i % 4 ? 0 : 1000);
	}
	printf("privinsn: %u non-zero cr2 reads of 400 (first %#x)\n", bad,
	       first);
	return bad ? 2 : 0;
}

static int cr2_write(void)
{
	unsigned int i;
	uint32_t v;

	write_cr(2, 0x12345678);
	for (i = 0; i < 100; i++) {
		denali_idle(i % 4 ? 0 : 1000);
		v = read_cr(2);
		if (v != 0x12345678) {
			printf("privinsn: cr2 %#x after %u exits\n", v, i);
			return 2;
		}
	}
	printf("privinsn: cr2 kept\n");
	return 0;
}

/*
 * The hypercall page's instruction behind prefixes, then ret and ud2:
 * resuming inside the instruction runs into the ud2.
 */
static int hypercall_prefixed(const uint8_t *prefix, unsigned int n)
{
	static const char msg[] = "privinsn: prefixed hypercall\n";
	uint32_t ret;

	memset(stub, 0, sizeof(stub));
	memcpy(stub, prefix, n);
	memcpy(stub + n, (const void *)DENALI_HYPERCALL_ADDR, 3);
	memcpy(stub + n + 3, "\xc3\x0f\x0b\x0f\x0b", 5);
	ret = call_stub(DENALI_HC_CONSOLE_WRITE, (uint32_t)msg,
			sizeof(msg) - 1);
	if (ret != sizeof(msg) - 1) {
		printf("privinsn: the hypercall returned %d\n", (int)ret);
		return 2;
	}
	printf("privinsn: returned after the whole instruction\n");
	return 0;
}

/*
 * Raises the timer interrupt in a millisecond with upcalls still off:
 * the code that leaves ring 0 enables them and spins, and the upcall
 * comes at an entry after a host interrupt.
 */
static void arm_upcall(void)
{
	load_gdt();
	denali_vregs_rw()->irq_enabled = 0;
	denali_hypercall1(DENALI_HC_TIMER_SET, 1000);
}

#define IRQ_ENABLED_ADDR	40
_Static_assert(DENALI_VREGS_ADDR + offsetof(struct denali_vregs,
					    irq_enabled) == IRQ_ENABLED_ADDR,
	       "irq_enabled moved");

/* Ring 3: its own data segment, then irq_enabled = 1 and spin. */
void ring3_entry(void);
asm(".pushsection .text\n"
    "ring3_entry:\n\t"
    "mov $0x23, %ax\n\t"
    "mov %ax, %ds\n\t"
    "movl $1, 40\n"
    "1:\tjmp 1b\n"
    ".popsection");

/* The same in 16-bit code: movb $1, 0x28 (DS is 0); jmp . */
static const uint8_t v86_spin[] = {
	0xc6, 0x06, IRQ_ENABLED_ADDR, 0x00, 0x01, 0xeb, 0xfe
};

/*
 * IRET to ring 3 and wait there: the upcall needs a stack switch from
 * the TSS, which the entry state's TR cannot give. The VM must end, and
 * the machine hosting it must not.
 */
static int ring3_upcall(void)
{
	printf("privinsn: to ring 3\n");
	arm_upcall();
	asm volatile("push %0\n\t"
		     "push %1\n\t"
		     "push $0x2\n\t"
		     "push %2\n\t"
		     "push %3\n\t"
		     "iret"
		     : : "i" (SEL_DS3), "r" (ring3_stack + sizeof(ring3_stack)),
		       "i" (SEL_CS3), "r" (ring3_entry) : "memory");
	return 1;
}

/* The same from virtual-8086 mode, spinning in "jmp ." */
static int v86_upcall(void)
{
	uint32_t code = (uint32_t)v86_code;
	uint32_t stack = (uint32_t)ring3_stack;

	if (code >= 0x100000 || stack >= 0x100000) {
		printf("privinsn: no room below 1 MiB\n");
		return 3;
	}
	memcpy(v86_code, v86_spin, sizeof(v86_spin));
	printf("privinsn: to virtual-8086 mode\n");
	arm_upcall();
	asm volatile("push $0\n\t"		/* GS */
		     "push $0\n\t"		/* FS */
		     "push $0\n\t"		/* DS */
		     "push $0\n\t"		/* ES */
		     "push %0\n\t"		/* SS */
		     "push $0xf0\n\t"		/* SP */
		     "push $0x20002\n\t"	/* EFLAGS: VM */
		     "push %1\n\t"		/* CS */
		     "push $0\n\t"		/* IP */
		     "iret"
		     : : "r" (stack >> 4), "r" (code >> 4) : "memory");
	return 1;
}

static int run_case(const char *c)
{
	static const uint8_t p66[] = { 0x66 }, pf3[] = { 0xf3 };
	static const uint8_t many[] = { 0x66, 0xf3, 0x3e, 0x66 };
	uint16_t msw = read_cr(0) & 0xffff;

	if (!strcmp(c, "cr0-read"))
		return cr_read(0);
	if (!strcmp(c, "cr2-read"))
		return cr_read(2);
	if (!strcmp(c, "cr3-read"))
		return cr_read(3);
	if (!strcmp(c, "cr4-read"))
		return cr_read(4);
	if (!strcmp(c, "cr0-same"))
		return cr_same(0, 0);
	if (!strcmp(c, "cr0-ts"))
		return cr_same(0, CR0_TS);
	if (!strcmp(c, "cr0-diff"))
		return cr_diff(0, CR0_MP);
	if (!strcmp(c, "cr3-same"))
		return cr_same(3, 0);
	if (!strcmp(c, "cr3-diff"))
		return cr_diff(3, 0x1000);
	if (!strcmp(c, "cr4-same"))
		return cr_same(4, 0);
	if (!strcmp(c, "cr4-diff"))
		return cr_diff(4, 0x10);	/* PSE */
	if (!strcmp(c, "clts")) {
		asm volatile("clts" : : : "memory");
		return check_cr0(read_cr(0));
	}
	if (!strcmp(c, "lmsw-same"))
		return lmsw_reg(msw, 0);
	if (!strcmp(c, "lmsw-ts"))
		return lmsw_reg(msw | CR0_TS, 0);
	if (!strcmp(c, "lmsw-diff"))
		return lmsw_reg(msw & ~CR0_MP, 1);
	if (!strcmp(c, "lmsw-mem-same"))
		return lmsw_mem(msw, 0);
	if (!strcmp(c, "lmsw-mem-diff"))
		return lmsw_mem(msw & ~CR0_MP, 1);
	if (!strcmp(c, "lmsw-mem-ebp")) {
		load_gdt();
		return lmsw_mem_ebp();
	}
	if (!strcmp(c, "lmsw-mem-fs")) {
		load_gdt();
		return lmsw_mem_fs();
	}
	if (!strcmp(c, "lmsw-mem16"))
		return lmsw_mem16();
	if (!strcmp(c, "smsw"))
		return smsw();
	if (!strcmp(c, "cr8-read"))
		return cr8_access(0);
	if (!strcmp(c, "cr8-write"))
		return cr8_access(1);
	if (!strncmp(c, "dr", 2) && c[2] >= '0' && c[2] <= '7' &&
	    (!strcmp(c + 3, "-read") || !strcmp(c + 3, "-write")))
		return dr_access(c[2] - '0', c[4] == 'w');
	if (!strcmp(c, "lgdt") || !strcmp(c, "sgdt") || !strcmp(c, "lidt") ||
	    !strcmp(c, "sidt") || !strcmp(c, "lldt") || !strcmp(c, "sldt") ||
	    !strcmp(c, "ltr") || !strcmp(c, "str"))
		return desc_tables(c);
	if (!strcmp(c, "cr2-loop"))
		return cr2_loop();
	if (!strcmp(c, "cr2-write"))
		return cr2_write();
	if (!strcmp(c, "hypercall-66"))
		return hypercall_prefixed(p66, sizeof(p66));
	if (!strcmp(c, "hypercall-f3"))
		return hypercall_prefixed(pf3, sizeof(pf3));
	if (!strcmp(c, "hypercall-prefixes"))
		return hypercall_prefixed(many, sizeof(many));
	if (!strcmp(c, "ring3-upcall"))
		return ring3_upcall();
	if (!strcmp(c, "v86-upcall"))
		return v86_upcall();
	printf("privinsn: no case '%s'\n", c);
	return 4;
}

int main(void)
{
	char c[DENALI_VREGS_CMDLINE_MAX];

	denali_cmdline(c, sizeof(c));
	return run_case(c);
}
