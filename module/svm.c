// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD SVM backend. Each VM has one VMCB; the guest runs in 32-bit
 * protected mode with paging off under nested paging, with everything
 * outside the Denali ABI intercepted. Only the minimal SVM feature set is
 * assumed (NPT; no NRIP save, decode assists, clean bits or flush by
 * ASID), so the backend also runs under software emulation.
 */
#include <linux/cc_platform.h>
#include <linux/gfp.h>
#include <linux/hw_breakpoint.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/trapnr.h>

#include "backend.h"
#include "insn.h"
#include "spec.h"
#include "svm.h"

#define SVM_ASID		1
#define SVM_IOPM_ORDER		2	/* 12 KiB used */
#define SVM_MSRPM_ORDER		1	/* 8 KiB used */

#define SVM_CR0			(X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE)
#define SVM_CR4			(X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)
#define SVM_DR6			0xffff0ff0
#define SVM_DR7			0x400
#define SVM_PAT			0x0007040600070406ULL

/* VMCB segment attributes: type, S, DPL, P in bits 0-7; AVL, L, DB, G in 8-11. */
#define SVM_CODE_ATTR		0xc9b	/* execute/read, accessed, 32-bit, 4 KiB */
#define SVM_DATA_ATTR		0xc93	/* read/write, accessed, 32-bit, 4 KiB */
/*
 * TR: an available 32-bit TSS with base and limit 0. The type is the one
 * LTR leaves in the hidden part, the only one that QEMU's stack switch
 * accepts (it aborts the whole machine on a busy type; VMRUN on AMD
 * hardware checks none); with limit 0 an interrupt that needs a stack
 * switch from the TSS raises #TS instead of reading guest memory.
 */
#define SVM_TR_ATTR		0x089
#define SVM_LDTR_ATTR		0x082	/* LDT */

/* Second-level entries: present, writable, user (NPT walks are user walks). */
#define SVM_NPT_FLAGS		(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

struct svm_cpu {
	/* The CPU's host save area (MSR_VM_HSAVE_PA). */
	struct page *hsave;
	/* The host's VMSAVE state across a VMRUN. */
	struct page *host_vmcb;
	bool enabled;
	/* ASID 1 is shared by all VMs: flush whenever it changes hands. */
	bool tlb_valid;
	u64 last_tlb_tag;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpus);

/*
 * Allocated with the VM. The fields after vcpu are the hardware state,
 * from svm_vcpu_hw_create() at swap-in to svm_vcpu_hw_free().
 */
struct svm_vcpu {
	struct denali_vcpu vcpu;
	/* The vCPU's state page: the VMCB is its own saved state. */
	struct vmcb *vmcb;
	/*
	 * On a host with 5-level paging nested paging walks five levels.
	 * All guest memory lies below 4 GiB, so one extra top-level table
	 * with a single entry turns the common 4-level tables into that.
	 */
	u64 *top;
	/* The CPU between vcpu_load and vcpu_put, or -1. */
	int cpu;
};

static struct svm_vcpu *to_svm(struct denali_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

/* One I/O and one MSR permission map for all VMs: every bit set. */
static struct page *svm_iopm;
static struct page *svm_msrpm;

static u64 svm_sl_table_entry(phys_addr_t table)
{
	return table | SVM_NPT_FLAGS;
}

static u64 svm_sl_page_entry(phys_addr_t page)
{
	return page | SVM_NPT_FLAGS;
}

static void svm_free_cpus(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);

		if (sc->hsave)
			__free_page(sc->hsave);
		if (sc->host_vmcb)
			__free_page(sc->host_vmcb);
		sc->hsave = NULL;
		sc->host_vmcb = NULL;
	}
}

static int svm_init(void)
{
	u64 vm_cr;
	int ret;

	if (!boot_cpu_has(X86_FEATURE_SVM) || !boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("denali: SVM without nested paging is not supported\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("denali: SVM is disabled by the firmware\n");
		return -EOPNOTSUPP;
	}
	/* Nested page entries would need the encryption bit, and mem.c has none. */
	if (cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT)) {
		pr_err("denali: SVM with host memory encryption is not supported\n");
		return -EOPNOTSUPP;
	}

	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		if (svm_iopm)
			__free_pages(svm_iopm, SVM_IOPM_ORDER);
		if (svm_msrpm)
			__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
		return -ENOMEM;
	}
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	ret = denali_spec_init(false);
	if (ret) {
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	}
	return ret;
}

static void svm_exit(void)
{
	denali_spec_exit();
	svm_free_cpus();
	__free_pages(svm_iopm, SVM_IOPM_ORDER);
	__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
}

static int svm_cpu_enable(void)
{
	int cpu = smp_processor_id();
	struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);
	unsigned long flags;
	u64 efer, vm_cr;
	int ret = 0;

	/* Kept across offline and online: allocated once, freed at exit. */
	if (!sc->hsave)
		sc->hsave = alloc_pages_node(cpu_to_node(cpu),
					     GFP_KERNEL | __GFP_ZERO, 0);
	if (!sc->host_vmcb)
		sc->host_vmcb = alloc_pages_node(cpu_to_node(cpu),
						 GFP_KERNEL | __GFP_ZERO, 0);
	if (!sc->hsave || !sc->host_vmcb)
		return -ENOMEM;

	/* KVM enables SVM from an IPI: check and set EFER.SVME as one step. */
	local_irq_save(flags);
	rdmsrl(MSR_EFER, efer);
	rdmsrl(MSR_VM_CR, vm_cr);
	if (efer & EFER_SVME) {
		ret = -EBUSY;	/* another hypervisor holds SVM */
	} else if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		ret = -EOPNOTSUPP;
	} else {
		wrmsrl(MSR_EFER, efer | EFER_SVME);
		wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sc->hsave));
		/* Another hypervisor may have left a guest's TSC ratio. */
		if (boot_cpu_has(X86_FEATURE_TSCRATEMSR))
			wrmsrl(MSR_AMD64_TSC_RATIO, SVM_TSC_RATIO_DEFAULT);
		sc->enabled = true;
		/* Whoever held SVM before may have left ASID 1 in the TLB. */
		sc->tlb_valid = false;
	}
	local_irq_restore(flags);
	return ret;
}

static void svm_cpu_disable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	unsigned long flags;
	u64 efer;

	local_irq_save(flags);
	if (sc->enabled) {
		wrmsrl(MSR_VM_HSAVE_PA, 0);
		rdmsrl(MSR_EFER, efer);
		wrmsrl(MSR_EFER, efer & ~EFER_SVME);
		sc->enabled = false;
	}
	local_irq_restore(flags);
}

static void svm_set_seg(struct vmcb_seg *seg, u16 attrib, u32 limit)
{
	seg->selector = 0;
	seg->attrib = attrib;
	seg->limit = limit;
	seg->base = 0;
}

static void svm_set_intercept(struct vmcb_control_area *c, unsigned int bit)
{
	c->intercepts[bit / 32] |= BIT(bit % 32);
}

static const unsigned int svm_intercepts[] = {
	INTERCEPT_CR0_WRITE, INTERCEPT_CR3_WRITE, INTERCEPT_CR4_WRITE,
	/* CR8 is LOCK MOV CR0 in 32-bit code: #UD, as on Intel. */
	INTERCEPT_CR8_READ, INTERCEPT_CR8_WRITE,
	INTERCEPT_DR0_READ, INTERCEPT_DR1_READ, INTERCEPT_DR2_READ,
	INTERCEPT_DR3_READ, INTERCEPT_DR4_READ, INTERCEPT_DR5_READ,
	INTERCEPT_DR6_READ, INTERCEPT_DR7_READ,
	INTERCEPT_DR0_WRITE, INTERCEPT_DR1_WRITE, INTERCEPT_DR2_WRITE,
	INTERCEPT_DR3_WRITE, INTERCEPT_DR4_WRITE, INTERCEPT_DR5_WRITE,
	INTERCEPT_DR6_WRITE, INTERCEPT_DR7_WRITE,
	/* #NM: the guest's first FPU use while its CR0.TS is set. */
	INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_NM,
	/* A machine check belongs to the host, not to the guest's IDT. */
	INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_MC,
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI,
	INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_INVD, INTERCEPT_HLT,
	INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
	INTERCEPT_TASK_SWITCH, INTERCEPT_SHUTDOWN,
	INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD,
	INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT,
	INTERCEPT_RDTSCP, INTERCEPT_WBINVD, INTERCEPT_MONITOR,
	INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV,
	/* #UD for these, as VMX runs guests without them. */
	INTERCEPT_RDPRU, INTERCEPT_INVPCID,
};

static void svm_init_vmcb(struct svm_vcpu *v)
{
	struct vmcb_control_area *c = &v->vmcb->control;
	struct vmcb_save_area *s = &v->vmcb->save;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(svm_intercepts); i++)
		svm_set_intercept(c, svm_intercepts[i]);
	c->iopm_base_pa = page_to_phys(svm_iopm);
	c->msrpm_base_pa = page_to_phys(svm_msrpm);
	c->asid = SVM_ASID;
	/* Physical interrupts follow the host's IF, and so cause exits. */
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = v->top ? __pa(v->top) : v->vcpu.sl_root;
	/* No clean bits: the CPU reloads the whole VMCB on every VMRUN. */
	c->clean = 0;

	svm_set_seg(&s->cs, SVM_CODE_ATTR, 0xffffffff);
	svm_set_seg(&s->ds, SVM_DATA_ATTR, 0xffffffff);
	svm_set_seg(&s->es, SVM_DATA_ATTR, 0xffffffff);
	svm_set_seg(&s->fs, SVM_DATA_ATTR, 0xffffffff);
	svm_set_seg(&s->gs, SVM_DATA_ATTR, 0xffffffff);
	svm_set_seg(&s->ss, SVM_DATA_ATTR, 0xffffffff);
	svm_set_seg(&s->tr, SVM_TR_ATTR, 0);
	svm_set_seg(&s->ldtr, SVM_LDTR_ATTR, 0);
	/* Empty descriptor tables: the guest installs its own. */
	svm_set_seg(&s->gdtr, 0, 0);
	svm_set_seg(&s->idtr, 0, 0);
	s->cpl = 0;
	s->efer = EFER_SVME;
	s->cr0 = SVM_CR0;
	s->cr3 = 0;
	s->cr4 = SVM_CR4;
	s->dr6 = SVM_DR6;
	s->dr7 = SVM_DR7;
	s->g_pat = SVM_PAT;
}

static struct denali_vcpu *svm_vcpu_alloc(void)
{
	struct svm_vcpu *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	if (!v)
		return NULL;
	v->cpu = -1;
	return &v->vcpu;
}

static void svm_vcpu_free(struct denali_vcpu *vcpu)
{
	kfree(to_svm(vcpu));
}

static int svm_vcpu_hw_create(struct denali_vcpu *vcpu, bool restore)
{
	struct svm_vcpu *v = to_svm(vcpu);

	v->cpu = -1;
	v->vmcb = vcpu->state;
	if (pgtable_l5_enabled()) {
		v->top = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!v->top)
			return -ENOMEM;
		v->top[0] = svm_sl_table_entry(vcpu->sl_root);
	}
	if (restore) {
		/* The VMCB may be on another page, the tables are new. */
		v->vmcb->control.nested_cr3 = v->top ? __pa(v->top) :
						       vcpu->sl_root;
		v->vmcb->control.clean = 0;
	} else {
		memset(v->vmcb, 0, sizeof(*v->vmcb));
		svm_init_vmcb(v);
	}
	return 0;
}

static void svm_vcpu_hw_free(struct denali_vcpu *vcpu)
{
	struct svm_vcpu *v = to_svm(vcpu);

	free_page((unsigned long)v->top);
	v->top = NULL;
	v->vmcb = NULL;
}

static void svm_vcpu_load(struct denali_vcpu *vcpu)
{
	struct svm_vcpu *v = to_svm(vcpu);
	struct svm_cpu *sc;

	/* The runner is pinned: the CPU cannot change until vcpu_put. */
	v->cpu = smp_processor_id();
	sc = per_cpu_ptr(&svm_cpus, v->cpu);
	if (!sc->tlb_valid || sc->last_tlb_tag != vcpu->tlb_tag) {
		v->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		sc->last_tlb_tag = vcpu->tlb_tag;
		sc->tlb_valid = true;
	}
	denali_spec_load(vcpu);
}

static void svm_vcpu_put(struct denali_vcpu *vcpu)
{
	to_svm(vcpu)->cpu = -1;
}

static void svm_dump_invalid(u32 id, const struct vmcb *vmcb)
{
	const struct vmcb_save_area *s = &vmcb->save;
	const struct vmcb_control_area *c = &vmcb->control;

	pr_warn_ratelimited("denali: VM %u: VMRUN refused the guest state: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx rip %#llx rflags %#llx cs %#x/%#x ss %#x/%#x tr %#x/%#x asid %u ncr3 %#llx event %#x\n",
			    id, s->cr0, s->cr3, s->cr4, s->efer, s->rip,
			    s->rflags, s->cs.selector, s->cs.attrib,
			    s->ss.selector, s->ss.attrib, s->tr.selector,
			    s->tr.attrib, c->asid, c->nested_cr3, c->event_inj);
}

/* Why the guest is stopped, for exits that the ABI does not allow. */
static const char *svm_forbidden(u32 code)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		return "forbidden instruction: cpuid";
	case SVM_EXIT_HLT:
		return "forbidden instruction: hlt";
	case SVM_EXIT_IOIO:
		return "forbidden: port I/O";
	case SVM_EXIT_MSR:
		return "forbidden: MSR access";
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7:
		return "forbidden: debug register access";
	case SVM_EXIT_RDPMC:
		return "forbidden instruction: rdpmc";
	case SVM_EXIT_INVD:
		return "forbidden instruction: invd";
	case SVM_EXIT_WBINVD:
		return "forbidden instruction: wbinvd";
	case SVM_EXIT_MONITOR:
		return "forbidden instruction: monitor";
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		return "forbidden instruction: mwait";
	case SVM_EXIT_XSETBV:
		return "forbidden instruction: xsetbv";
	case SVM_EXIT_TASK_SWITCH:
		return "forbidden: task switch";
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
		return "forbidden: SVM instruction";
	default:
		return "forbidden instruction";
	}
}

/*
 * An exit in the middle of delivering an event to the guest's IDT (a
 * nested page fault on its IDT or stack, say) loses the event unless it is
 * injected again. Software interrupts are not: RIP still points at the
 * instruction, which runs again.
 */
static void svm_requeue_event(struct vmcb_control_area *c)
{
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u32 vector = info & SVM_EXITINTINFO_VEC_MASK;

	c->event_inj = 0;
	if (!(info & SVM_EXITINTINFO_VALID))
		return;
	if (type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	     (vector == X86_TRAP_BP || vector == X86_TRAP_OF)))
		return;
	c->event_inj = info;
	c->event_inj_err = c->exit_int_info_err;
}

/*
 * Event injection takes an interrupt whatever the guest's IF and interrupt
 * shadow. IF is set all the same, for the frame the ABI promises.
 */
static bool svm_inject_upcall(struct denali_vcpu *vcpu, u8 vector)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	if (c->event_inj & SVM_EVTINJ_VALID)
		return false;
	c->event_inj = vector | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;
	c->event_inj_err = 0;
	vcpu->regs.rflags |= X86_EFLAGS_IF;
	return true;
}

/* Reads guest memory for the decoder; see svm_decode(). */
struct svm_fetch {
	const struct denali_vcpu *vcpu;
	u64 fault_gpa;
};

/*
 * The kernel address of the guest page holding gpa, when the nested
 * page tables map it (they map nothing beyond the guest's memory). Walks
 * them without sleeping: run() may be called with preemption off
 * (kernel_fpu_begin()).
 */
static const u8 *svm_guest_page(const struct denali_vcpu *vcpu, u64 gpa)
{
	const u64 *table;
	int level;
	u64 e;

	if (!vcpu->sl_root)
		return NULL;
	table = __va(vcpu->sl_root);
	for (level = denali_backend->sl_levels; level > 1; level--) {
		e = READ_ONCE(table[(gpa >> (PAGE_SHIFT + 9 * (level - 1))) & 511]);
		if (!e)
			return NULL;
		table = __va(e & PTE_PFN_MASK);
	}
	e = READ_ONCE(table[(gpa >> PAGE_SHIFT) & 511]);
	return e ? __va(e & PTE_PFN_MASK) : NULL;
}

static int svm_read_guest(void *arg, u32 addr, void *buf, unsigned int len)
{
	struct svm_fetch *f = arg;
	u8 *to = buf;

	while (len) {
		unsigned int off = offset_in_page(addr);
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		const u8 *page = svm_guest_page(f->vcpu, addr);

		if (!page) {
			f->fault_gpa = addr;
			return -EFAULT;
		}
		memcpy(to, page + off, n);
		to += n;
		addr += n;	/* linear addresses wrap at 4 GiB */
		len -= n;
	}
	return 0;
}

/*
 * Decodes the instruction that caused the intercept: without decode
 * assists or NRIP save only guest memory tells what it was and how long.
 * Paging is off, so a linear address is a guest-physical one. A byte on a
 * page not mapped yet becomes a nested page fault there, after which the
 * guest runs the instruction again (outside memory, that crashes it); an
 * instruction that cannot be behind the intercept crashes the VM.
 */
static bool svm_decode(struct svm_vcpu *v, struct denali_insn *insn,
		       struct denali_exit *exit)
{
	const struct vmcb_save_area *s = &v->vmcb->save;
	struct svm_fetch f = { .vcpu = &v->vcpu };
	struct denali_insn_ctx ctx = {
		.seg_base = {
			[DENALI_SEG_ES] = s->es.base,
			[DENALI_SEG_CS] = s->cs.base,
			[DENALI_SEG_SS] = s->ss.base,
			[DENALI_SEG_DS] = s->ds.base,
			[DENALI_SEG_FS] = s->fs.base,
			[DENALI_SEG_GS] = s->gs.base,
		},
		.eip = v->vcpu.regs.rip,
		.addr32 = (s->cs.attrib & SVM_SELECTOR_DB_MASK) &&
			  !(v->vcpu.regs.rflags & X86_EFLAGS_VM),
		.gpr = v->vcpu.regs.gpr,
		.read = svm_read_guest,
		.arg = &f,
	};
	int ret = denali_insn_decode(&ctx, insn);

	if (ret == -EFAULT) {
		exit->kind = DENALI_EXIT_MEM_FAULT;
		exit->gpa = f.fault_gpa;
	} else if (ret) {
		exit->reason = "forbidden: undecodable instruction at an intercept";
	}
	return !ret;
}

/* Moves RIP past an instruction, ending an STI or MOV SS shadow. */
static void svm_skip(struct svm_vcpu *v, unsigned int len)
{
	v->vcpu.regs.rip = (u32)(v->vcpu.regs.rip + len);
	v->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

static void svm_vmmcall(struct svm_vcpu *v, struct denali_exit *exit)
{
	struct denali_insn insn;

	if (boot_cpu_has(X86_FEATURE_NRIPS)) {
		v->vcpu.regs.rip = (u32)v->vmcb->control.next_rip;
		v->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
		exit->kind = DENALI_EXIT_HYPERCALL;
		return;
	}
	/* Prefixes are allowed, and part of its length. */
	if (!svm_decode(v, &insn, exit))
		return;
	if (insn.kind != DENALI_INSN_VMMCALL) {
		exit->reason = "forbidden: undecodable instruction at an intercept";
		return;
	}
	svm_skip(v, insn.len);
	exit->kind = DENALI_EXIT_HYPERCALL;
}

/*
 * A write to CR0, CR3 or CR4 that leaves the register as the guest reads
 * it completes as a no-op; any other ends the VM. VMX hardware lets the
 * same writes through without an exit, so both backends agree.
 */
static void svm_cr_write(struct svm_vcpu *v, unsigned int cr,
			 struct denali_exit *exit)
{
	const struct vmcb_save_area *s = &v->vmcb->save;
	struct denali_insn insn;
	u32 old, val;

	if (!svm_decode(v, &insn, exit))
		return;
	old = cr == 0 ? s->cr0 : cr == 3 ? s->cr3 : s->cr4;
	switch (insn.kind) {
	case DENALI_INSN_MOV_TO_CR:
		if (insn.cr != cr)
			goto bad;
		val = insn.val;
		break;
	case DENALI_INSN_LMSW:
		if (cr)
			goto bad;
		val = denali_lmsw_cr0(old, insn.val);
		break;
	case DENALI_INSN_CLTS:
		if (cr)
			goto bad;
		val = old & ~X86_CR0_TS;
		break;
	default:
		goto bad;
	}
	if (!denali_cr_write_ok(cr, old, val)) {
		exit->reason = "forbidden: control register write";
		return;
	}
	svm_skip(v, insn.len);
	exit->kind = DENALI_EXIT_NONE;
	return;
bad:
	exit->reason = "forbidden: undecodable instruction at an intercept";
}

/* The guest takes #UD, as it would on a CPU without the instruction. */
static void svm_inject_ud(struct vmcb_control_area *c,
			  struct denali_exit *exit)
{
	c->event_inj = X86_TRAP_UD | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID;
	c->event_inj_err = 0;
	exit->kind = DENALI_EXIT_NONE;
}

static void svm_handle_exit(struct svm_vcpu *v, struct denali_exit *exit)
{
	struct vmcb_control_area *c = &v->vmcb->control;
	u32 code = c->exit_code;

	exit->kind = DENALI_EXIT_CRASH;
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_VINTR:
	/* The host's handler had it, in svm_after_exit(). */
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		exit->kind = DENALI_EXIT_NONE;
		break;
	case SVM_EXIT_VMMCALL:
		svm_vmmcall(v, exit);
		break;
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR3:
	case SVM_EXIT_WRITE_CR4:
		svm_cr_write(v, code - SVM_EXIT_WRITE_CR0, exit);
		break;
	case SVM_EXIT_READ_CR8:
	case SVM_EXIT_WRITE_CR8:
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_INVPCID:
		svm_inject_ud(c, exit);
		break;
	case SVM_EXIT_NPF:
		exit->kind = DENALI_EXIT_MEM_FAULT;
		exit->gpa = c->exit_info_2;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_NM:
		exit->kind = DENALI_EXIT_FPU;
		break;
	case SVM_EXIT_SHUTDOWN:
		exit->reason = "triple fault";
		break;
	case (u32)SVM_EXIT_ERR:
		svm_dump_invalid(v->vcpu.id, v->vmcb);
		exit->reason = "invalid guest state";
		break;
	default:
		exit->reason = svm_forbidden(code);
		break;
	}
}

/*
 * Right after the exit, interrupts off: the exit turned the host's
 * breakpoints off, and a machine check that hit the guest belongs to the
 * host's handler, where the host has one.
 */
static void svm_after_exit(const struct vmcb *vmcb)
{
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (IS_ENABLED(CONFIG_X86_MCE) &&
	    unlikely(vmcb->control.exit_code ==
		     SVM_EXIT_EXCP_BASE + X86_TRAP_MC)) {
		/* Fake a user-mode context, as the guest is no kernel of ours. */
		struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

		do_machine_check(&regs);
	}
}

static void svm_run(struct denali_vcpu *vcpu, bool fpu,
		    struct denali_exit *exit)
{
	struct svm_vcpu *v = to_svm(vcpu);
	struct vmcb *vmcb = v->vmcb;
	struct svm_cpu *sc;
	int i;

	vmcb->save.rax = (u32)vcpu->regs.gpr[DENALI_REG_AX];
	vmcb->save.rsp = (u32)vcpu->regs.gpr[DENALI_REG_SP];
	vmcb->save.rip = (u32)vcpu->regs.rip;
	vmcb->save.rflags = (u32)vcpu->regs.rflags;
	/* Without decode assists a read of CR0 cannot be hidden: it shows TS. */
	vmcb->save.cr0 = fpu ? SVM_CR0 : SVM_CR0 | X86_CR0_TS;

	local_irq_disable();
	sc = this_cpu_ptr(&svm_cpus);
	if (unlikely(!sc->enabled || v->cpu != smp_processor_id())) {
		local_irq_enable();
		exit->kind = DENALI_EXIT_CRASH;
		exit->reason = "run on a CPU without SVM state";
		return;
	}

	asm volatile("clgi" ::: "memory");
	/*
	 * VMRUN takes physical interrupt masking from the host's IF. With
	 * GIF clear nothing is taken here; in the guest they cause exits.
	 */
	raw_local_irq_enable();
	amd_clear_divider();
	__denali_svm_run(__pa(vmcb),
			 page_to_phys(sc->host_vmcb), vcpu->regs.gpr);
	raw_local_irq_disable();
	asm volatile("stgi" ::: "memory");
	denali_spec_exited();

	svm_after_exit(vmcb);
	local_irq_enable();

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	svm_requeue_event(&vmcb->control);

	/* A 32-bit guest: the upper halves are undefined, not its data. */
	for (i = 0; i < DENALI_NR_GPRS; i++)
		vcpu->regs.gpr[i] = (u32)vcpu->regs.gpr[i];
	vcpu->regs.gpr[DENALI_REG_AX] = (u32)vmcb->save.rax;
	vcpu->regs.gpr[DENALI_REG_SP] = (u32)vmcb->save.rsp;
	vcpu->regs.rip = (u32)vmcb->save.rip;
	vcpu->regs.rflags = (u32)vmcb->save.rflags;

	svm_handle_exit(v, exit);
}

const struct denali_backend denali_svm_backend = {
	.name = "svm",
	.hypercall_insn = { 0x0f, 0x01, 0xd9, 0xc3 },	/* vmmcall; ret */
	.sl_levels = 4,
	.sl_table_entry = svm_sl_table_entry,
	.sl_page_entry = svm_sl_page_entry,
	.init = svm_init,
	.exit = svm_exit,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.vcpu_alloc = svm_vcpu_alloc,
	.vcpu_free = svm_vcpu_free,
	.vcpu_hw_create = svm_vcpu_hw_create,
	.vcpu_hw_free = svm_vcpu_hw_free,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.run = svm_run,
	.inject_upcall = svm_inject_upcall,
};
