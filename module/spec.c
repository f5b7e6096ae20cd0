// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution hardening between mutually distrusting VMs and
 * the host, at KVM's level and by KVM's rules (arch/x86/kvm/vmx/vmx.c,
 * arch/x86/kvm/svm/svm.c and their vmenter.S). Every measure follows the
 * host's own choice in arch/x86/kernel/cpu/bugs.c, read here as CPU
 * feature bits, static keys and the L1TF setting, so "mitigations=off"
 * and the per-issue switches (l1tf=, mds=, spectre_v2_user=, ...) govern
 * Denali as they govern KVM.
 *
 * Done here: the barrier when a CPU switches VMs, the L1D flush or the
 * MMIO-only VERW before a VMX entry and the flag that makes the host
 * flush branch predictions before its user space runs after a guest.
 * Done in vmx_run.S and svm_run.S, as alternatives the kernel patched at
 * boot: VERW right before entry, RSB filling, the SPEC_CTRL rewrite for
 * legacy IBRS, branch history clearing and return untraining after exit.
 */
#define pr_fmt(fmt) "denali: " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/jump_label.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include <asm/cpufeature.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/vmx.h>

#include "spec.h"

/* KVM's software L1D flush reads 64 KiB, twice the largest L1D. */
#define SPEC_FLUSH_ORDER	4

static bool spec_vmx __read_mostly;
/* VMENTER_L1D_FLUSH_NEVER, _COND or _ALWAYS on VMX, as KVM decides. */
static enum vmx_l1d_flush_state spec_l1d __read_mostly;
/* Without MSR_IA32_FLUSH_CMD: memory to read through the L1D. */
static void *spec_flush_pages;

/* The TLB tag of the vCPU this CPU last loaded; tags start at 1. */
static DEFINE_PER_CPU(u64, spec_last_vm);
/* Conditional L1D flush: host code has run since this CPU's last entry. */
static DEFINE_PER_CPU(bool, spec_l1d_dirty);

/* The active measures, one word each, or "none". */
static char spec_report[128];

static int spec_report_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", spec_report);
}

/* The set follows the host: nothing at load time may change it. */
static int spec_report_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops spec_report_ops = {
	.get = spec_report_get,
	.set = spec_report_set,
};

module_param_cb(mitigations, &spec_report_ops, NULL, 0444);
MODULE_PARM_DESC(mitigations,
		 "speculative-execution mitigations active around VM entry and exit (read-only)");

static void spec_add(const char *word)
{
	if (spec_report[0])
		strlcat(spec_report, " ", sizeof(spec_report));
	strlcat(spec_report, word, sizeof(spec_report));
}

/* KVM's choice for vmentry_l1d_flush=auto (vmx_setup_l1d_flush()). */
static enum vmx_l1d_flush_state spec_l1d_choice(void)
{
	u64 caps;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return VMENTER_L1D_FLUSH_NOT_REQUIRED;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES) &&
	    !rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &caps) &&
	    (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH))
		return VMENTER_L1D_FLUSH_NOT_REQUIRED;

#if IS_ENABLED(CONFIG_KVM_INTEL)
	switch (l1tf_mitigation) {
	case L1TF_MITIGATION_OFF:
		return VMENTER_L1D_FLUSH_NEVER;
	case L1TF_MITIGATION_FLUSH_NOWARN:
	case L1TF_MITIGATION_FLUSH:
	case L1TF_MITIGATION_FLUSH_NOSMT:
		return VMENTER_L1D_FLUSH_COND;
	default:
		return VMENTER_L1D_FLUSH_ALWAYS;
	}
#else
	/*
	 * The kernel exports its l1tf= choice only for kvm_intel: follow
	 * mitigations= and l1tf='s default, a conditional flush.
	 */
	return cpu_mitigations_off() ? VMENTER_L1D_FLUSH_NEVER :
				       VMENTER_L1D_FLUSH_COND;
#endif
}

static int spec_init_l1d(void)
{
	struct page *page;
	unsigned int i;

	spec_l1d = spec_l1d_choice();
	if (spec_l1d != VMENTER_L1D_FLUSH_COND &&
	    spec_l1d != VMENTER_L1D_FLUSH_ALWAYS)
		return 0;

	if (!boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		page = alloc_pages(GFP_KERNEL, SPEC_FLUSH_ORDER);
		if (!page)
			return -ENOMEM;
		spec_flush_pages = page_address(page);
		/* Distinct contents, so no host can merge the pages. */
		for (i = 0; i < 1U << SPEC_FLUSH_ORDER; i++)
			memset(spec_flush_pages + i * PAGE_SIZE, i + 1,
			       PAGE_SIZE);
	}
	spec_add(spec_l1d == VMENTER_L1D_FLUSH_COND ? "l1d_flush_cond" :
		 "l1d_flush");
	return 0;
}

int denali_spec_init(bool vmx)
{
	int cpu, ret;

	spec_vmx = vmx;
	spec_report[0] = '\0';
	for_each_possible_cpu(cpu) {
		per_cpu(spec_last_vm, cpu) = 0;
		per_cpu(spec_l1d_dirty, cpu) = true;
	}

	if (cpu_feature_enabled(X86_FEATURE_USE_IBPB))
		spec_add("ibpb");

	if (vmx) {
		/* KVM clears for MMIO stale data only with devices assigned. */
		if (cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF) ||
		    static_key_enabled(&mmio_stale_data_clear))
			spec_add("verw");
		ret = spec_init_l1d();
		if (ret)
			return ret;
		/* As kvm_intel does: the l1tf file in sysfs shows it. */
		l1tf_vmx_mitigation = spec_l1d;
		if (cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT))
			spec_add("rsb");
		else if (cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT_LITE))
			spec_add("rsb_lite");
		if (cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS))
			spec_add("ibrs");
		if (cpu_feature_enabled(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT))
			spec_add("bhb_clear");
	} else {
		if (cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF_VM))
			spec_add("verw");
		if (IS_ENABLED(CONFIG_RETPOLINE) &&
		    cpu_feature_enabled(X86_FEATURE_RETPOLINE))
			spec_add("rsb");
		/* The conditions of UNTRAIN_RET in asm/nospec-branch.h. */
		if (IS_ENABLED(CONFIG_CPU_UNRET_ENTRY) &&
		    (cpu_feature_enabled(X86_FEATURE_UNRET) ||
		     cpu_feature_enabled(X86_FEATURE_SRSO_ALIAS)))
			spec_add("untrain_ret");
		if ((IS_ENABLED(CONFIG_CPU_UNRET_ENTRY) ||
		     IS_ENABLED(CONFIG_CPU_IBPB_ENTRY) ||
		     IS_ENABLED(CONFIG_CPU_SRSO)) &&
		    cpu_feature_enabled(X86_FEATURE_ENTRY_IBPB))
			spec_add("ibpb_entry");
		if (cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
			spec_add("ibpb_vmexit");
	}

	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		spec_add("ibpb_to_user");

	if (!spec_report[0])
		strscpy(spec_report, "none", sizeof(spec_report));
	pr_info("speculation mitigations: %s\n", spec_report);
	return 0;
}

void denali_spec_exit(void)
{
	if (spec_vmx)
		l1tf_vmx_mitigation = VMENTER_L1D_FLUSH_AUTO;
	if (spec_flush_pages)
		free_pages((unsigned long)spec_flush_pages, SPEC_FLUSH_ORDER);
	spec_flush_pages = NULL;
}

void denali_spec_load(const struct denali_vcpu *vcpu)
{
	u64 *last = get_cpu_ptr(&spec_last_vm);

	/*
	 * Predictions that another VM trained must not steer this one. KVM
	 * keys this on the VMCS or VMCB, which may be reused after a VM is
	 * freed; TLB tags never are.
	 */
	if (*last != vcpu->tlb_tag) {
		*last = vcpu->tlb_tag;
		indirect_branch_prediction_barrier();
	}
	/* The runner may have slept, or run another VM, since its last entry. */
	this_cpu_write(spec_l1d_dirty, true);
	put_cpu_ptr(&spec_last_vm);
}

/* KVM's vmx_l1d_flush(), its software sequence included. */
static noinline void spec_flush_l1d(void)
{
	int size = PAGE_SIZE << SPEC_FLUSH_ORDER;

	if (static_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}

	/* First ensure the pages are in the TLB, then fill the cache. */
	asm volatile("xorl	%%eax, %%eax\n"
		".Lspec_populate_tlb:\n\t"
		"movzbl	(%[flush_pages], %%" _ASM_AX "), %%ecx\n\t"
		"addl	$4096, %%eax\n\t"
		"cmpl	%%eax, %[size]\n\t"
		"jne	.Lspec_populate_tlb\n\t"
		"xorl	%%eax, %%eax\n\t"
		"cpuid\n\t"
		"xorl	%%eax, %%eax\n"
		".Lspec_fill_cache:\n"
		"movzbl	(%[flush_pages], %%" _ASM_AX "), %%ecx\n\t"
		"addl	$64, %%eax\n\t"
		"cmpl	%%eax, %[size]\n\t"
		"jne	.Lspec_fill_cache\n\t"
		"lfence\n"
		:: [flush_pages] "r" (spec_flush_pages),
		   [size] "r" (size)
		: "eax", "ebx", "ecx", "edx");
}

void denali_spec_vmx_enter(void)
{
	bool flush = spec_l1d == VMENTER_L1D_FLUSH_ALWAYS;

	if (spec_l1d == VMENTER_L1D_FLUSH_COND) {
		flush = __this_cpu_read(spec_l1d_dirty);
		__this_cpu_write(spec_l1d_dirty, false);
#if IS_ENABLED(CONFIG_KVM_INTEL)
		/* Set by every host interrupt, for KVM. */
		flush |= kvm_get_cpu_l1tf_flush_l1d();
		kvm_clear_cpu_l1tf_flush_l1d();
#else
		/* No record of host interrupts: assume one came. */
		flush = true;
#endif
	}
	/*
	 * The flush clears the CPU buffers too. Without it, where only MMIO
	 * stale data asks for VERW, vmx_run.S does not clear them: do it here.
	 */
	if (flush)
		spec_flush_l1d();
	else if (static_branch_unlikely(&mmio_stale_data_clear))
		x86_clear_cpu_buffers();
}

void denali_spec_exited(void)
{
	/* VMSCAPE: the guest may have trained predictions for host user space. */
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
}

void denali_spec_vmx_handled(enum denali_exit_kind kind)
{
	/*
	 * Hypercalls and memory faults run common code over host data (other
	 * VMs' frames, page tables); the preemption timer, host interrupts
	 * (recorded apart) and FPU switches touch only this VM's own state.
	 */
	if (kind == DENALI_EXIT_HYPERCALL || kind == DENALI_EXIT_MEM_FAULT)
		this_cpu_write(spec_l1d_dirty, true);
}
