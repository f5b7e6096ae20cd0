/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hardware virtualization backends (Intel VMX, AMD SVM) behind one
 * ops table. The rest of the module never touches VMCS or VMCB state.
 */
#ifndef _DENALI_BACKEND_H
#define _DENALI_BACKEND_H

#include <linux/types.h>

enum denali_exit_kind {
	/* Host interrupt, NMI or preemption timer: nothing for the guest. */
	DENALI_EXIT_NONE,
	/* Hypercall: RIP already points past the call instruction. */
	DENALI_EXIT_HYPERCALL,
	/* Second-level page fault at exit->gpa. */
	DENALI_EXIT_MEM_FAULT,
	/* The guest touched the FPU while run() kept it out (#NM). */
	DENALI_EXIT_FPU,
	/* The guest broke the ABI or triple-faulted: exit->reason says how. */
	DENALI_EXIT_CRASH,
};

struct denali_exit {
	enum denali_exit_kind kind;
	u64 gpa;
	const char *reason;	/* static string, for DENALI_EXIT_CRASH */
};

/*
 * Guest registers, kept by the backend in sync with the hardware state
 * across run(): read before VM entry, written back after VM exit.
 * gpr[] is indexed by the x86 register number.
 */
enum {
	DENALI_REG_AX, DENALI_REG_CX, DENALI_REG_DX, DENALI_REG_BX,
	DENALI_REG_SP, DENALI_REG_BP, DENALI_REG_SI, DENALI_REG_DI,
	DENALI_NR_GPRS
};

struct denali_regs {
	unsigned long gpr[DENALI_NR_GPRS];
	unsigned long rip;
	unsigned long rflags;
};

/*
 * A VM's processor, as the hardware backends see it. Each backend embeds
 * it in a struct of its own, allocated with the VM by vcpu_alloc() and
 * freed with it by vcpu_free(), so the registers outlive a swap-out. The
 * hardware state (VMCS or VMCB, and what goes with it) exists only while
 * the VM is resident: vcpu_hw_create() makes it as the VM is swapped in,
 * vcpu_hw_free() frees it as the VM is swapped out (see swap.c).
 */
struct denali_vcpu {
	struct denali_regs regs;
	/*
	 * A page of the VM's own, swapped with it, for the backend to keep
	 * the hardware state in while the VM is swapped out: set before
	 * vcpu_hw_create(), NULL while the VM is not resident.
	 */
	void *state;
	/* The second-level table's root, set before vcpu_hw_create(). */
	phys_addr_t sl_root;
	/*
	 * Tags the hardware TLB and branch predictor state of this vCPU:
	 * never reused, and renewed at each swap-in along with the tables.
	 */
	u64 tlb_tag;
	/* The VM's id, for messages. */
	u32 id;
};

struct denali_backend {
	const char *name;

	/* The hypercall page: the vendor's hypercall instruction, then ret. */
	u8 hypercall_insn[4];

	/*
	 * Second-level page table format: number of levels and the entry
	 * for a next-level table or a 4 KiB writable, executable page.
	 */
	int sl_levels;
	u64 (*sl_table_entry)(phys_addr_t table);
	u64 (*sl_page_entry)(phys_addr_t page);

	/* Check the CPU's features and allocate global state. */
	int (*init)(void);
	void (*exit)(void);

	/*
	 * Enable or disable virtualization on the calling CPU. Called from
	 * CPU hotplug callbacks, preemptible but pinned to that CPU.
	 */
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);

	/*
	 * The vCPU, zeroed, charged to the calling task's memory cgroup like
	 * the rest of its VM; NULL when out of memory. Process context.
	 */
	struct denali_vcpu *(*vcpu_alloc)(void);
	void (*vcpu_free)(struct denali_vcpu *vcpu);

	/*
	 * The hardware state, made on the VM's runner as it swaps the VM in,
	 * once vcpu->state and vcpu->sl_root are in place: with restore
	 * false vcpu_hw_create() sets the ABI's entry state, with restore
	 * true the state that vcpu_hw_save() left in vcpu->state.
	 * vcpu_hw_save() (optional) runs before vcpu_hw_free() when the VM
	 * is swapped out, on any CPU, with nobody running the VM.
	 */
	int (*vcpu_hw_create)(struct denali_vcpu *vcpu, bool restore);
	void (*vcpu_hw_save)(struct denali_vcpu *vcpu);
	void (*vcpu_hw_free)(struct denali_vcpu *vcpu);

	/*
	 * A runner brackets the time a VM spends on its CPU with load and
	 * put; run() enters the guest once and returns at the next exit that
	 * the common code must see. All three run on a pinned runner thread
	 * with preemption enabled; run() disables what it must itself.
	 *
	 * With fpu false the guest runs with CR0.TS set, which it cannot see
	 * or clear, and its first x87, MMX or SSE instruction exits with
	 * DENALI_EXIT_FPU before it executes; with fpu true the caller has
	 * loaded the guest's FPU registers (see fpu.c).
	 */
	void (*vcpu_load)(struct denali_vcpu *vcpu);
	void (*vcpu_put)(struct denali_vcpu *vcpu);
	void (*run)(struct denali_vcpu *vcpu, bool fpu,
		    struct denali_exit *exit);

	/*
	 * Makes the next run() deliver vector through the guest's IDT as an
	 * external interrupt, with EFLAGS.IF set in the frame it pushes
	 * whatever IF was (the ABI's upcall). Returns false, injecting
	 * nothing, while an event that an exit cut short is being delivered
	 * again or the guest cannot take an interrupt on this entry. Called
	 * between vcpu_load and vcpu_put.
	 */
	bool (*inject_upcall)(struct denali_vcpu *vcpu, u8 vector);
};

extern const struct denali_backend denali_vmx_backend;
extern const struct denali_backend denali_svm_backend;

/* The backend this CPU supports, chosen at module load. */
extern const struct denali_backend *denali_backend;

#endif /* _DENALI_BACKEND_H */
