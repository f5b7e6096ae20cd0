// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel VMX backend: one VMCS per VM, EPT for the VM's memory and an
 * unrestricted guest for the ABI's 32-bit protected mode with paging off.
 * Every instruction that could reach beyond the VM (port I/O, MSRs, CPUID,
 * HLT, control and debug registers, ...) exits and crashes the VM.
 * Hardware details follow KVM (arch/x86/kvm/vmx).
 */
#define pr_fmt(fmt) "denali: vmx: " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/hw_breakpoint.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/mtrr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/reboot.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/virtext.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "backend.h"
#include "insn.h"
#include "spec.h"
#include "vmx.h"
#include "vmx_ops.h"

/* The time a guest may run before the preemption timer takes it back. */
#define VMX_QUANTUM_US		1000

#define GUEST_CODE_AR		0xc09b	/* 32-bit, 4 KiB granular, execute/read */
#define GUEST_DATA_AR		0xc093	/* 32-bit, 4 KiB granular, read/write */
/*
 * TR: a busy 32-bit TSS (VM entry takes no other) with base and limit 0,
 * as on SVM: an interrupt that needs a stack switch raises #TS.
 */
#define GUEST_TR_AR		0x008b
#define GUEST_CODE_SEL		0x08
#define GUEST_DATA_SEL		0x10
#define GUEST_TR_SEL		0x18

/* Guest CR0: protected mode with paging off, as the ABI says. */
#define ABI_CR0			(X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE)
#define ABI_CR4			(X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)
/* DR7 after reset: bit 10 is always 1. */
#define DR7_RESET		0x400

/* Not in asm/vmx.h. */
#define EXIT_REASON_GETSEC	11

#define EPT_RWX			(VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK | \
				 VMX_EPT_EXECUTABLE_MASK)

struct vmx_config {
	u32 revision;
	u32 vmcs_size;
	u32 pin;
	u32 proc;
	u32 proc2;
	u32 exit;
	u32 entry;
	u32 preempt_ticks;
	unsigned long guest_cr0;
	unsigned long guest_cr4;
};

static struct vmx_config vmx_conf;

/* Per CPU: VMX operation and the VMCSs that are active on the CPU. */
struct vmx_cpu {
	void *vmxon;
	bool on;
	void *current_vmcs;
	/* vmx_vcpu.link; changed on this CPU only, interrupts off. */
	struct list_head loaded;
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpus);

/*
 * Allocated with the VM. The fields after vcpu are the hardware state,
 * set anew by vmx_vcpu_hw_create() at every swap-in.
 */
struct vmx_vcpu {
	struct denali_vcpu vcpu;
	void *vmcs;
	phys_addr_t vmcs_pa;
	/* The CPU the VMCS is active on, or -1 when clear. */
	int cpu;
	bool launched;
	struct list_head link;
	u64 eptp;
	/* Host state last written to the VMCS, to skip unchanged writes. */
	unsigned long host_rsp;
	unsigned long host_cr3;
	unsigned long host_cr4;
	/* GUEST_CR0 has TS set: the guest's FPU registers are not loaded. */
	bool cr0_ts;
	/*
	 * The guest's CR2: the VMCS has no field for it, so it is switched
	 * by hand around VM entry and exit, as KVM does, and the host's page
	 * fault addresses never reach the guest.
	 */
	unsigned long cr2;
};

static struct vmx_vcpu *to_vmx(struct denali_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

/* Out of line: one rate limit for every VMWRITE in vmx_ops.h. */
void vmx_vmwrite_error(unsigned long field)
{
	pr_warn_ratelimited("VMWRITE of field %#lx failed\n", field);
}

/* --- Capabilities ---------------------------------------------------------- */

/*
 * Combines the controls we need and those we would like with what the
 * CPU allows (low word: bits that must be 1, high word: bits that may
 * be 1). Returns false when a needed control is missing.
 */
static bool vmx_adjust(u32 msr, u32 need, u32 want, u32 *result)
{
	u32 must, may, ctl;

	rdmsr(msr, must, may);
	ctl = (need | want | must) & may;
	*result = ctl;
	return (ctl & need) == need;
}

static int vmx_refuse(const char *why)
{
	pr_err("cannot use VMX: %s\n", why);
	return -EOPNOTSUPP;
}

static int vmx_setup_config(void)
{
	bool true_ctls;
	u64 basic, ept, misc, fixed0, fixed1;
	u32 rate;

	if (!boot_cpu_has(X86_FEATURE_VMX))
		return vmx_refuse("the CPU has no VMX, or the firmware disabled it");

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	vmx_conf.revision = basic & 0x7fffffff;
	vmx_conf.vmcs_size = (basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff;
	if (vmx_conf.vmcs_size > PAGE_SIZE || (basic & VMX_BASIC_64) ||
	    ((basic & VMX_BASIC_MEM_TYPE_MASK) >> VMX_BASIC_MEM_TYPE_SHIFT) !=
	    VMX_BASIC_MEM_TYPE_WB)
		return vmx_refuse("unsupported VMCS layout");
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	if (!vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			MSR_IA32_VMX_PINBASED_CTLS,
			PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			PIN_BASED_VMX_PREEMPTION_TIMER, &vmx_conf.pin))
		return vmx_refuse("no interrupt or NMI exiting");
	/* No MSR bitmap: every RDMSR and WRMSR exits. */
	if (!vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			MSR_IA32_VMX_PROCBASED_CTLS,
			CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
			CPU_BASED_RDPMC_EXITING | CPU_BASED_MOV_DR_EXITING |
			CPU_BASED_CR3_LOAD_EXITING |
			CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0,
			&vmx_conf.proc))
		return vmx_refuse("missing processor-based controls");
	/* A guest reads its CR3 itself; only writes are checked. */
	if (vmx_conf.proc & CPU_BASED_CR3_STORE_EXITING)
		return vmx_refuse("CR3-store exiting cannot be turned off");
	if (vmx_conf.proc & (CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_USE_IO_BITMAPS))
		return vmx_refuse("MSR or I/O bitmaps cannot be turned off");
	if (!vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
			SECONDARY_EXEC_ENABLE_EPT |
			SECONDARY_EXEC_UNRESTRICTED_GUEST |
			SECONDARY_EXEC_WBINVD_EXITING, 0, &vmx_conf.proc2))
		return vmx_refuse("no EPT or unrestricted guest");
	if (!vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			MSR_IA32_VMX_EXIT_CTLS,
			VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_LOAD_IA32_EFER,
			VM_EXIT_SAVE_DEBUG_CONTROLS, &vmx_conf.exit))
		return vmx_refuse("missing VM-exit controls");
	/* Interrupts stay pending in the local APIC for the host to take. */
	vmx_conf.exit &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	if (!vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			MSR_IA32_VMX_ENTRY_CTLS,
			VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_DEBUG_CONTROLS,
			0, &vmx_conf.entry))
		return vmx_refuse("missing VM-entry controls");
	vmx_conf.entry &= ~VM_ENTRY_IA32E_MODE;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, ept);
	if (!(ept & VMX_EPT_PAGE_WALK_4_BIT) || !(ept & VMX_EPTP_WB_BIT) ||
	    !(ept & VMX_EPT_INVEPT_BIT) || !(ept & VMX_EPT_EXTENT_CONTEXT_BIT))
		return vmx_refuse("no 4-level write-back EPT with INVEPT");

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, fixed1);
	/* Unrestricted guest exempts PE and PG from CR0's fixed bits. */
	vmx_conf.guest_cr0 = ABI_CR0 | (fixed0 & ~(X86_CR0_PE | X86_CR0_PG));
	if (vmx_conf.guest_cr0 & ~fixed1)
		return vmx_refuse("the guest's CR0 is not allowed");
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, fixed1);
	/*
	 * The guest reads CR4 as ABI_CR4 through the read shadow, as on
	 * SVM; VMX operation needs VMXE in the real one.
	 */
	vmx_conf.guest_cr4 = ABI_CR4 | X86_CR4_VMXE | fixed0;
	if (vmx_conf.guest_cr4 & ~fixed1)
		return vmx_refuse("the guest's CR4 is not allowed");

	/* The timer counts down at the TSC rate divided by 2^rate. */
	if (vmx_conf.pin & PIN_BASED_VMX_PREEMPTION_TIMER) {
		rdmsrl(MSR_IA32_VMX_MISC, misc);
		rate = misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK;
		vmx_conf.preempt_ticks =
			min_t(u64, ((u64)tsc_khz * VMX_QUANTUM_US / 1000) >> rate,
			      U32_MAX);
		if (!vmx_conf.preempt_ticks)
			vmx_conf.pin &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
	}
	return 0;
}

/* --- Per-CPU VMX operation ------------------------------------------------ */

/* Makes a VMCS inactive on this CPU, so it may be loaded elsewhere. */
static void vmx_clear_local(struct vmx_vcpu *v)
{
	struct vmx_cpu *c = this_cpu_ptr(&vmx_cpus);

	vmx_insn_pa("vmclear", v->vmcs_pa);
	if (c->current_vmcs == v->vmcs)
		c->current_vmcs = NULL;
	list_del(&v->link);
	/* The list update is seen before the VMCS looks free; see load. */
	smp_wmb();
	v->cpu = -1;
	v->launched = false;
}

static void vmx_clear_ipi(void *arg)
{
	struct vmx_vcpu *v = arg;

	if (v->cpu == raw_smp_processor_id())
		vmx_clear_local(v);
}

/* Crash dumps want the VMCSs in memory; the kernel does VMXOFF itself. */
static void vmx_emergency_clear(void)
{
	struct vmx_cpu *c = this_cpu_ptr(&vmx_cpus);
	struct vmx_vcpu *v;

	if (!c->on)
		return;
	list_for_each_entry(v, &c->loaded, link)
		vmx_insn_pa("vmclear", v->vmcs_pa);
}

static int vmx_cpu_enable(void)
{
	int cpu = raw_smp_processor_id();
	struct vmx_cpu *c = per_cpu_ptr(&vmx_cpus, cpu);
	unsigned long flags;
	u64 feat;
	int ret;

	if (!c->vmxon) {
		struct page *page = alloc_pages_node(cpu_to_node(cpu),
						     GFP_KERNEL | __GFP_ZERO, 0);

		if (!page)
			return -ENOMEM;
		c->vmxon = page_address(page);
		*(u32 *)c->vmxon = vmx_conf.revision;
		INIT_LIST_HEAD(&c->loaded);
	}

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED)) {
		feat |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		wrmsrl(MSR_IA32_FEAT_CTL, feat);
	}
	if (!(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("cannot use VMX: disabled by the firmware on CPU %d\n",
		       cpu);
		return -EOPNOTSUPP;
	}

	local_irq_save(flags);
	if (__read_cr4() & X86_CR4_VMXE) {
		local_irq_restore(flags);
		pr_err("cannot use VMX: another hypervisor (kvm_intel?) holds it on CPU %d\n",
		       cpu);
		return -EBUSY;
	}
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	ret = vmx_insn_pa("vmxon", __pa(c->vmxon));
	if (ret)
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	else
		c->on = true;
	local_irq_restore(flags);

	if (ret)
		pr_err("cannot use VMX: VMXON failed on CPU %d\n", cpu);
	return ret;
}

static void vmx_cpu_disable(void)
{
	struct vmx_cpu *c = per_cpu_ptr(&vmx_cpus, raw_smp_processor_id());
	struct vmx_vcpu *v, *tmp;
	unsigned long flags;

	local_irq_save(flags);
	if (c->on) {
		list_for_each_entry_safe(v, tmp, &c->loaded, link)
			vmx_clear_local(v);
		c->current_vmcs = NULL;
		cpu_vmxoff();
		c->on = false;
	}
	local_irq_restore(flags);
}

static void vmx_exit(void)
{
	int cpu;

	denali_spec_exit();
	cpu_emergency_unregister_virt_callback(vmx_emergency_clear);
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *c = per_cpu_ptr(&vmx_cpus, cpu);

		if (c->vmxon)
			free_page((unsigned long)c->vmxon);
		c->vmxon = NULL;
	}
}

static int vmx_init(void)
{
	int ret = vmx_setup_config();

	if (!ret)
		ret = denali_spec_init(true);
	if (!ret)
		cpu_emergency_register_virt_callback(vmx_emergency_clear);
	return ret;
}

/* --- EPT ------------------------------------------------------------------- */

static u64 vmx_ept_table(phys_addr_t table)
{
	return table | EPT_RWX;
}

static u64 vmx_ept_page(phys_addr_t page)
{
	return page | EPT_RWX | (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT);
}

/* --- VMCS ------------------------------------------------------------------ */

/*
 * Makes v's VMCS current on this CPU, clearing it on the CPU it was
 * active on before, and refreshes the host state that differs per CPU.
 * Preemption is disabled.
 */
static void vmx_load(struct vmx_vcpu *v)
{
	int cpu = smp_processor_id();
	struct vmx_cpu *c = this_cpu_ptr(&vmx_cpus);
	bool moved = v->cpu != cpu;
	unsigned long fs, gs;

	if (moved) {
		int old = READ_ONCE(v->cpu);

		if (old >= 0)
			smp_call_function_single(old, vmx_clear_ipi, v, 1);
		local_irq_disable();
		/* Pairs with the smp_wmb() in vmx_clear_local(). */
		smp_rmb();
		list_add(&v->link, &c->loaded);
		local_irq_enable();
	}

	if (c->current_vmcs != v->vmcs) {
		vmx_insn_pa("vmptrld", v->vmcs_pa);
		c->current_vmcs = v->vmcs;
	}

	if (moved) {
		vmcs_writel(HOST_TR_BASE,
			    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
		vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
		vmcs_writel(HOST_IA32_SYSENTER_ESP,
			    (unsigned long)(cpu_entry_stack(cpu) + 1));
		rdmsrl(MSR_GS_BASE, gs);
		vmcs_writel(HOST_GS_BASE, gs);
		/*
		 * EPT only ever gains entries while a VM runs, but this CPU
		 * may hold stale ones for the same EPTP from a freed VM.
		 */
		invept_context(v->eptp);
		v->cpu = cpu;
	}
	/* FS base belongs to the runner thread, which may have changed. */
	rdmsrl(MSR_FS_BASE, fs);
	vmcs_writel(HOST_FS_BASE, fs);
}

static void vmx_setup_host(struct vmx_vcpu *v)
{
	struct desc_ptr idt;
	u32 lo, hi;
	u64 efer;

	vmcs_writel(HOST_CR0, read_cr0());
	v->host_cr3 = __read_cr3();
	vmcs_writel(HOST_CR3, v->host_cr3);
	v->host_cr4 = cr4_read_shadow();
	vmcs_writel(HOST_CR4, v->host_cr4);

	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);

	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)denali_vmx_exit);

	rdmsr(MSR_IA32_SYSENTER_CS, lo, hi);
	vmcs_write32(HOST_IA32_SYSENTER_CS, lo);
	rdmsrl(MSR_IA32_SYSENTER_EIP, efer);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, efer);
	rdmsrl(MSR_EFER, efer);
	vmcs_write64(HOST_IA32_EFER, efer);
}

static void vmx_setup_segment(unsigned long sel_field, u16 sel, u32 ar)
{
	/* Selector, limit, AR bytes and base fields are laid out alike. */
	vmcs_write16(sel_field, sel);
	vmcs_write32(sel_field - GUEST_ES_SELECTOR + GUEST_ES_LIMIT, 0xffffffff);
	vmcs_write32(sel_field - GUEST_ES_SELECTOR + GUEST_ES_AR_BYTES, ar);
	vmcs_writel(sel_field - GUEST_ES_SELECTOR + GUEST_ES_BASE, 0);
}

static void vmx_setup_guest(struct vmx_vcpu *v)
{
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmx_conf.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmx_conf.proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, vmx_conf.proc2);
	vmcs_write32(VM_EXIT_CONTROLS, vmx_conf.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, vmx_conf.entry);
	/* Machine checks belong to the host; other exceptions to the guest. */
	vmcs_write32(EXCEPTION_BITMAP, BIT(X86_TRAP_NM) | BIT(X86_TRAP_MC));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(EPT_POINTER, v->eptp);
	vmcs_write64(VMCS_LINK_POINTER, -1ull);

	/* The host owns every CR0 and CR4 bit: a guest write exits. */
	vmcs_writel(CR0_GUEST_HOST_MASK, ~0ul);
	vmcs_writel(CR4_GUEST_HOST_MASK, ~0ul);
	vmcs_writel(CR0_READ_SHADOW, ABI_CR0);
	vmcs_writel(CR4_READ_SHADOW, ABI_CR4);
	vmcs_writel(GUEST_CR0, vmx_conf.guest_cr0);
	vmcs_writel(GUEST_CR3, 0);
	vmcs_writel(GUEST_CR4, vmx_conf.guest_cr4);
	vmcs_writel(GUEST_DR7, DR7_RESET);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_EFER, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);

	vmx_setup_segment(GUEST_CS_SELECTOR, GUEST_CODE_SEL, GUEST_CODE_AR);
	vmx_setup_segment(GUEST_DS_SELECTOR, GUEST_DATA_SEL, GUEST_DATA_AR);
	vmx_setup_segment(GUEST_ES_SELECTOR, GUEST_DATA_SEL, GUEST_DATA_AR);
	vmx_setup_segment(GUEST_FS_SELECTOR, GUEST_DATA_SEL, GUEST_DATA_AR);
	vmx_setup_segment(GUEST_GS_SELECTOR, GUEST_DATA_SEL, GUEST_DATA_AR);
	vmx_setup_segment(GUEST_SS_SELECTOR, GUEST_DATA_SEL, GUEST_DATA_AR);
	vmcs_write16(GUEST_TR_SELECTOR, GUEST_TR_SEL);
	vmcs_writel(GUEST_TR_BASE, 0);
	vmcs_write32(GUEST_TR_LIMIT, 0);
	vmcs_write32(GUEST_TR_AR_BYTES, GUEST_TR_AR);
	vmcs_write16(GUEST_LDTR_SELECTOR, 0);
	vmcs_writel(GUEST_LDTR_BASE, 0);
	vmcs_write32(GUEST_LDTR_LIMIT, 0);
	vmcs_write32(GUEST_LDTR_AR_BYTES, VMX_AR_UNUSABLE_MASK);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0);

	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

/*
 * The guest state that a guest or an interrupted event delivery can
 * change: a VMCS may not be copied to another page, so swapping a VM out
 * reads these into its vcpu_state page and swapping it in writes them
 * back into a fresh VMCS. RIP, RSP and RFLAGS live in vcpu->regs; CR0
 * and CR4 belong to the host.
 */
static const u32 vmx_saved_fields[] = {
	GUEST_ES_SELECTOR, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES, GUEST_ES_BASE,
	GUEST_CS_SELECTOR, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES, GUEST_CS_BASE,
	GUEST_SS_SELECTOR, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES, GUEST_SS_BASE,
	GUEST_DS_SELECTOR, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES, GUEST_DS_BASE,
	GUEST_FS_SELECTOR, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES, GUEST_FS_BASE,
	GUEST_GS_SELECTOR, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES, GUEST_GS_BASE,
	GUEST_LDTR_SELECTOR, GUEST_LDTR_LIMIT, GUEST_LDTR_AR_BYTES,
	GUEST_LDTR_BASE,
	GUEST_TR_SELECTOR, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES, GUEST_TR_BASE,
	GUEST_GDTR_BASE, GUEST_GDTR_LIMIT, GUEST_IDTR_BASE, GUEST_IDTR_LIMIT,
	GUEST_CR3, GUEST_DR7,
	GUEST_SYSENTER_CS, GUEST_SYSENTER_ESP, GUEST_SYSENTER_EIP,
	GUEST_INTERRUPTIBILITY_INFO, GUEST_ACTIVITY_STATE,
	GUEST_PENDING_DBG_EXCEPTIONS,
	VM_ENTRY_INTR_INFO_FIELD, VM_ENTRY_EXCEPTION_ERROR_CODE,
	VM_ENTRY_INSTRUCTION_LEN,
};

/* vcpu->state holds the fields above, then CR2. */
#define VMX_SAVED_CR2		ARRAY_SIZE(vmx_saved_fields)

static struct denali_vcpu *vmx_vcpu_alloc(void)
{
	struct vmx_vcpu *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	return v ? &v->vcpu : NULL;
}

static void vmx_vcpu_free(struct denali_vcpu *vcpu)
{
	kfree(to_vmx(vcpu));
}

static int vmx_vcpu_hw_create(struct denali_vcpu *vcpu, bool restore)
{
	struct vmx_vcpu *v = to_vmx(vcpu);
	u64 *saved = vcpu->state;
	unsigned int i;
	struct page *page;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	v->vmcs = page_address(page);
	v->vmcs_pa = page_to_phys(page);
	*(u32 *)v->vmcs = vmx_conf.revision;
	v->cpu = -1;
	v->launched = false;
	INIT_LIST_HEAD(&v->link);
	v->eptp = vcpu->sl_root | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
	/* The copies of the last VMCS's fields do not hold for this one. */
	v->host_rsp = 0;
	v->cr0_ts = false;
	v->cr2 = restore ? saved[VMX_SAVED_CR2] : 0;

	preempt_disable();
	/* VMCLEAR gives a new VMCS its launch state. */
	if (vmx_insn_pa("vmclear", v->vmcs_pa)) {
		preempt_enable();
		__free_page(page);
		v->vmcs = NULL;
		return -EIO;
	}
	vmx_load(v);
	vmx_setup_host(v);
	vmx_setup_guest(v);
	if (restore)
		for (i = 0; i < ARRAY_SIZE(vmx_saved_fields); i++)
			__vmcs_writel(vmx_saved_fields[i], saved[i]);
	preempt_enable();
	return 0;
}

static void vmx_vcpu_hw_save(struct denali_vcpu *vcpu)
{
	struct vmx_cpu *c;
	struct vmx_vcpu *v = to_vmx(vcpu);
	u64 *saved = vcpu->state;
	void *current_vmcs;
	unsigned int i;

	BUILD_BUG_ON((VMX_SAVED_CR2 + 1) * sizeof(u64) > PAGE_SIZE);
	preempt_disable();
	c = this_cpu_ptr(&vmx_cpus);
	/* A runner may be in the middle of a quantum here: keep its VMCS. */
	current_vmcs = c->current_vmcs;
	vmx_load(v);
	for (i = 0; i < ARRAY_SIZE(vmx_saved_fields); i++)
		saved[i] = __vmcs_readl(vmx_saved_fields[i]);
	saved[VMX_SAVED_CR2] = v->cr2;
	vmx_clear_local(v);
	if (current_vmcs && current_vmcs != v->vmcs) {
		vmx_insn_pa("vmptrld", __pa(current_vmcs));
		c->current_vmcs = current_vmcs;
	}
	preempt_enable();
}

static void vmx_vcpu_hw_free(struct denali_vcpu *vcpu)
{
	struct vmx_vcpu *v = to_vmx(vcpu);
	int cpu = READ_ONCE(v->cpu);

	/* The CPU must forget the VMCS before its page is reused. */
	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_ipi, v, 1);
	free_page((unsigned long)v->vmcs);
	v->vmcs = NULL;
}

static void vmx_vcpu_load(struct denali_vcpu *vcpu)
{
	preempt_disable();
	vmx_load(to_vmx(vcpu));
	denali_spec_load(vcpu);
	preempt_enable();
}

/*
 * The VMCS stays active on this CPU: the next VM loaded here just makes
 * its own current, and a move to another CPU clears it there. Host state
 * that a VM exit clobbers is restored after every exit in vmx_run().
 */
static void vmx_vcpu_put(struct denali_vcpu *vcpu)
{
}

/* --- Running ------------------------------------------------------------- */

static const char *const vmx_exit_crash[] = {
	[EXIT_REASON_TRIPLE_FAULT]	= "triple fault",
	[EXIT_REASON_TASK_SWITCH]	= "forbidden: task switch",
	[EXIT_REASON_CPUID]		= "forbidden instruction: cpuid",
	[EXIT_REASON_GETSEC]		= "forbidden instruction: getsec",
	[EXIT_REASON_HLT]		= "forbidden instruction: hlt",
	[EXIT_REASON_INVD]		= "forbidden instruction: invd",
	[EXIT_REASON_RDPMC]		= "forbidden instruction: rdpmc",
	[EXIT_REASON_VMCLEAR]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMLAUNCH]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMPTRLD]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMPTRST]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMREAD]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMRESUME]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMWRITE]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMOFF]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMON]		= "forbidden: VMX instruction",
	[EXIT_REASON_INVEPT]		= "forbidden: VMX instruction",
	[EXIT_REASON_INVVPID]		= "forbidden: VMX instruction",
	[EXIT_REASON_VMFUNC]		= "forbidden: VMX instruction",
	[EXIT_REASON_DR_ACCESS]		= "forbidden: debug register access",
	[EXIT_REASON_IO_INSTRUCTION]	= "forbidden: port I/O",
	[EXIT_REASON_MSR_READ]		= "forbidden: MSR access",
	[EXIT_REASON_MSR_WRITE]		= "forbidden: MSR access",
	[EXIT_REASON_MWAIT_INSTRUCTION]	= "forbidden instruction: mwait",
	[EXIT_REASON_MONITOR_INSTRUCTION] = "forbidden instruction: monitor",
	[EXIT_REASON_WBINVD]		= "forbidden instruction: wbinvd",
	[EXIT_REASON_XSETBV]		= "forbidden instruction: xsetbv",
};

static void vmx_crash(struct denali_exit *exit, const char *reason)
{
	exit->kind = DENALI_EXIT_CRASH;
	exit->reason = reason;
}

/* The exit was a machine check in the guest or during its entry. */
static bool vmx_exit_machine_check(u32 reason)
{
	u32 basic = reason & 0xffff;
	u32 info;

	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return basic == EXIT_REASON_MCE_DURING_VMENTRY;
	if (basic != EXIT_REASON_EXCEPTION_NMI)
		return false;
	info = vmcs_read32(VM_EXIT_INTR_INFO);
	return (info & INTR_INFO_INTR_TYPE_MASK) != INTR_TYPE_NMI_INTR &&
	       (info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC;
}

/*
 * Right after the exit (or the failed entry), interrupts off. A VM exit
 * sets the GDT limit to 0xffff, the TSS limit to 0x67, drops the LDT,
 * clears DEBUGCTL and sets DR7 to its reset value: the host gets its own
 * back. Then a machine check that hit the guest goes to the host's
 * handler, where the host has one.
 */
static void vmx_after_exit(u16 ldt, unsigned long debugctl, bool mce)
{
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
	if (unlikely(ldt))
		asm volatile("lldt %0" : : "rm"(ldt));
	if (unlikely(debugctl))
		update_debugctlmsr(debugctl);
	if (unlikely(hw_breakpoint_active()))
		hw_breakpoint_restore();

	if (IS_ENABLED(CONFIG_X86_MCE) && unlikely(mce)) {
		/* Fake a user-mode context, as the guest is no kernel of ours. */
		struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

		do_machine_check(&regs);
	}
}

/*
 * An exit in the middle of delivering an event to the guest (say, an
 * EPT violation on its IDT or stack) loses the event: deliver it again
 * at the next entry.
 */
static void vmx_redeliver(void)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_RESVD_BITS_MASK);
}

/*
 * VM entry refuses an external interrupt in an STI or MOV SS shadow, and
 * with IF clear: IF is set with the injection, so the guest takes the
 * upcall with IF set in its frame, as the ABI says.
 */
static bool vmx_inject_upcall(struct denali_vcpu *vcpu, u8 vector)
{
	bool ok = false;

	/* The runner is pinned and its VMCS stays current on this CPU. */
	preempt_disable();
	if (!(vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK) &&
	    !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	      (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
		vcpu->regs.rflags |= X86_EFLAGS_IF;
		ok = true;
	}
	preempt_enable();
	return ok;
}

/* Moves RIP past the instruction that exited, ending STI/MOV SS shadows. */
static void vmx_skip_insn(struct denali_vcpu *vcpu)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	u32 len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);

	vcpu->regs.rip = (u32)(vcpu->regs.rip + len);
	vmcs_writel(GUEST_RIP, vcpu->regs.rip);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * The CPU exits on a write to CR0 or CR4 that changes a bit of the read
 * shadow, except CLTS while the shadow's TS is clear, and on every MOV to
 * CR3. A write that leaves the register as the guest reads it completes
 * as a no-op, as on SVM; any other ends the VM.
 */
static void vmx_cr_access(struct denali_vcpu *vcpu, struct denali_exit *exit)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int cr = qual & 15;
	u32 old, val;

	old = cr == 0 ? ABI_CR0 : cr == 4 ? ABI_CR4 : vmcs_readl(GUEST_CR3);
	switch ((qual >> 4) & 3) {
	case 0:		/* MOV to CR */
		val = vcpu->regs.gpr[(qual >> 8) & 15];
		break;
	case 2:		/* CLTS */
		val = old & ~X86_CR0_TS;
		break;
	case 3:		/* LMSW, its operand in the qualification */
		val = denali_lmsw_cr0(old, qual >> 16);
		break;
	default:	/* MOV from CR8, which 32-bit code cannot reach */
		vmx_crash(exit, "forbidden: control register access");
		return;
	}
	if (!denali_cr_write_ok(cr, old, val)) {
		vmx_crash(exit, "forbidden: control register write");
		return;
	}
	vmx_skip_insn(vcpu);
}

/* Decodes an exit; interrupts are off and the VMCS is current. */
static void vmx_handle_exit(struct denali_vcpu *vcpu, u32 reason,
			    struct denali_exit *exit)
{
	u32 basic = reason & 0xffff;
	u32 info;

	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		if (basic == EXIT_REASON_MCE_DURING_VMENTRY) {
			vmx_crash(exit, "machine check during VM entry");
			return;
		}
		pr_warn_ratelimited("VM %u: VM entry failed: exit reason %u, qualification %#lx\n",
				    vcpu->id, basic,
				    vmcs_readl(EXIT_QUALIFICATION));
		vmx_crash(exit, basic == EXIT_REASON_INVALID_STATE ?
			  "invalid guest state" : "VM entry failed");
		return;
	}

	switch (basic) {
	case EXIT_REASON_EXCEPTION_NMI:
		info = vmcs_read32(VM_EXIT_INTR_INFO);
		/* A machine check went to the host in vmx_after_exit(). */
		if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
			denali_vmx_nmi();
		else if ((info & INTR_INFO_VECTOR_MASK) == X86_TRAP_NM)
			exit->kind = DENALI_EXIT_FPU;
		vmx_redeliver();
		return;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
	case EXIT_REASON_INIT_SIGNAL:
		vmx_redeliver();
		return;
	case EXIT_REASON_VMCALL:
		vmx_skip_insn(vcpu);
		exit->kind = DENALI_EXIT_HYPERCALL;
		return;
	case EXIT_REASON_CR_ACCESS:
		vmx_cr_access(vcpu, exit);
		return;
	case EXIT_REASON_EPT_VIOLATION:
		vmx_redeliver();
		exit->kind = DENALI_EXIT_MEM_FAULT;
		exit->gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
		return;
	case EXIT_REASON_EPT_MISCONFIG:
		pr_warn_ratelimited("VM %u: EPT misconfiguration at %#llx\n",
				    vcpu->id, vmcs_read64(GUEST_PHYSICAL_ADDRESS));
		vmx_crash(exit, "EPT misconfiguration");
		return;
	}

	if (basic < ARRAY_SIZE(vmx_exit_crash) && vmx_exit_crash[basic]) {
		vmx_crash(exit, vmx_exit_crash[basic]);
		return;
	}
	pr_warn_ratelimited("VM %u: unexpected exit reason %u\n", vcpu->id,
			    basic);
	vmx_crash(exit, "unexpected VM exit");
}

static void vmx_run(struct denali_vcpu *vcpu, bool fpu,
		    struct denali_exit *exit)
{
	struct vmx_vcpu *v = to_vmx(vcpu);
	unsigned long cr3, cr4, debugctl;
	u32 reason, error;
	u16 ldt;
	int fail;

	/* vmx_run.S knows the register layout. */
	BUILD_BUG_ON(DENALI_REG_AX != 0 || DENALI_REG_CX != 1 ||
		     DENALI_REG_DX != 2 || DENALI_REG_BX != 3 ||
		     DENALI_REG_BP != 5 || DENALI_REG_SI != 6 ||
		     DENALI_REG_DI != 7 ||
		     sizeof(((struct denali_regs *)0)->gpr[0]) != 8);

	exit->kind = DENALI_EXIT_NONE;
	exit->gpa = 0;
	exit->reason = NULL;

	local_irq_disable();
	if (v->cpu != smp_processor_id()) {
		local_irq_enable();
		pr_warn_ratelimited("VM %u: run without load on this CPU\n",
				    vcpu->id);
		vmx_crash(exit, "internal error");
		return;
	}

	vmcs_writel(GUEST_RSP, (u32)vcpu->regs.gpr[DENALI_REG_SP]);
	vmcs_writel(GUEST_RIP, (u32)vcpu->regs.rip);
	vmcs_writel(GUEST_RFLAGS, (u32)vcpu->regs.rflags | X86_EFLAGS_FIXED);
	if (vmx_conf.pin & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, vmx_conf.preempt_ticks);
	/* The guest reads CR0 from the read shadow, which never has TS. */
	if (v->cr0_ts == fpu) {
		v->cr0_ts = !fpu;
		vmcs_writel(GUEST_CR0, fpu ? vmx_conf.guest_cr0 :
			   vmx_conf.guest_cr0 | X86_CR0_TS);
	}

	/* A kernel thread borrows whatever address space ran last. */
	cr3 = __read_cr3();
	if (unlikely(cr3 != v->host_cr3)) {
		vmcs_writel(HOST_CR3, cr3);
		v->host_cr3 = cr3;
	}
	cr4 = cr4_read_shadow();
	if (unlikely(cr4 != v->host_cr4)) {
		vmcs_writel(HOST_CR4, cr4);
		v->host_cr4 = cr4;
	}
	debugctl = get_debugctlmsr();
	asm volatile("sldt %0" : "=rm"(ldt));

	denali_spec_vmx_enter();

	/* Interrupts are off: no host page fault comes between. */
	if (v->cr2 != native_read_cr2())
		native_write_cr2(v->cr2);

	fail = denali_vmx_enter(vcpu->regs.gpr, &v->host_rsp, v->launched);

	v->cr2 = native_read_cr2();
	reason = fail ? 0 : vmcs_read32(VM_EXIT_REASON);
	vmx_after_exit(ldt, debugctl, !fail && vmx_exit_machine_check(reason));

	if (unlikely(fail)) {
		error = vmcs_read32(VM_INSTRUCTION_ERROR);
		local_irq_enable();
		pr_warn_ratelimited("VM %u: VM entry failed (error %u)\n",
				    vcpu->id, error);
		vmx_crash(exit, "VM entry failed");
		return;
	}
	v->launched = true;

	vcpu->regs.gpr[DENALI_REG_SP] = vmcs_readl(GUEST_RSP);
	vcpu->regs.rip = vmcs_readl(GUEST_RIP);
	vcpu->regs.rflags = vmcs_readl(GUEST_RFLAGS);
	vmx_handle_exit(vcpu, reason, exit);
	denali_spec_exited();
	denali_spec_vmx_handled(exit->kind);

	/* The host interrupt that ended the guest's run is taken here. */
	local_irq_enable();
}

const struct denali_backend denali_vmx_backend = {
	.name		= "vmx",
	.hypercall_insn	= { 0x0f, 0x01, 0xc1, 0xc3 },	/* vmcall; ret */
	.sl_levels	= 4,
	.sl_table_entry	= vmx_ept_table,
	.sl_page_entry	= vmx_ept_page,
	.init		= vmx_init,
	.exit		= vmx_exit,
	.cpu_enable	= vmx_cpu_enable,
	.cpu_disable	= vmx_cpu_disable,
	.vcpu_alloc	= vmx_vcpu_alloc,
	.vcpu_free	= vmx_vcpu_free,
	.vcpu_hw_create	= vmx_vcpu_hw_create,
	.vcpu_hw_save	= vmx_vcpu_hw_save,
	.vcpu_hw_free	= vmx_vcpu_hw_free,
	.vcpu_load	= vmx_vcpu_load,
	.vcpu_put	= vmx_vcpu_put,
	.run		= vmx_run,
	.inject_upcall	= vmx_inject_upcall,
};
