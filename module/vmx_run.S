/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX guest entry and exit. The guest's general purpose registers live in
 * memory (struct denali_regs.gpr, x86 register order); RSP, RIP and RFLAGS
 * are in the VMCS. Modelled on KVM's vmenter.S.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>

/* Offsets in struct denali_regs.gpr; vmx.c checks them at build time. */
#define REG_AX	(0 * 8)
#define REG_CX	(1 * 8)
#define REG_DX	(2 * 8)
#define REG_BX	(3 * 8)
#define REG_BP	(5 * 8)
#define REG_SI	(6 * 8)
#define REG_DI	(7 * 8)

/* The VMCS field encoding of HOST_RSP (asm/vmx.h is C only). */
#define VMCS_HOST_RSP	0x00006c14

/* Nothing may trace or probe the host while the guest's state is loaded. */
.section .noinstr.text, "ax"

/*
 * int denali_vmx_enter(unsigned long *gpr, unsigned long *host_rsp,
 *			bool resume)
 *
 * Enters the guest with VMLAUNCH, or VMRESUME when resume is true.
 * *host_rsp caches the HOST_RSP field: it is rewritten only when this
 * call's stack pointer differs. Returns 0 after a VM exit, 1 when the
 * entry instruction failed (VM-fail or a fault).
 */
SYM_FUNC_START(denali_vmx_enter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx

	/* Kept for the exit path, which finds it at 0(%rsp). */
	push %rdi

	cmp  %rsp, (%rsi)
	je   1f
	mov  %rsp, (%rsi)
	mov  $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
1:
	/* CF = resume; the moves below keep the flags. */
	bt   $0, %edx

	mov  %rdi, %rax
	mov  REG_CX(%rax), %rcx
	mov  REG_DX(%rax), %rdx
	mov  REG_BX(%rax), %rbx
	mov  REG_BP(%rax), %rbp
	mov  REG_SI(%rax), %rsi
	mov  REG_DI(%rax), %rdi
	mov  REG_AX(%rax), %rax

	/* MDS, TAA, MMIO stale data: the host's data leaves the buffers. */
	CLEAR_CPU_BUFFERS

	jnc  .Llaunch

	UNWIND_HINT_SAVE
.Lresume:
	vmresume
	jmp  .Lfail
.Llaunch:
	vmlaunch
	jmp  .Lfail

	_ASM_EXTABLE(.Lresume, .Lfail)
	_ASM_EXTABLE(.Llaunch, .Lfail)

/* HOST_RIP: the CPU comes back here after every VM exit. */
SYM_INNER_LABEL(denali_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	push %rax
	mov  8(%rsp), %rax
	pop  REG_AX(%rax)
	mov  %rcx, REG_CX(%rax)
	mov  %rdx, REG_DX(%rax)
	mov  %rbx, REG_BX(%rax)
	mov  %rbp, REG_BP(%rax)
	mov  %rsi, REG_SI(%rax)
	mov  %rdi, REG_DI(%rax)
	xor  %ebx, %ebx

.Lout:
	pop  %rax

	/* No guest value may steer speculation in the host. */
	xor  %eax, %eax
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %ebp, %ebp
	xor  %esi, %esi
	xor  %edi, %edi

	/* The guest may have filled the return stack buffer. */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT,\
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Legacy IBRS restricts predictions only when written after the
	 * move to the more privileged mode, so the host's SPEC_CTRL value is
	 * written again. Guests cannot reach the MSR, and VM entry and exit
	 * do not switch it, so nothing else can differ from the host's.
	 */
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov  $MSR_IA32_SPEC_CTRL, %ecx
	mov  PER_CPU_VAR(x86_spec_ctrl_current), %rax
	mov  %rax, %rdx
	shr  $32, %rdx
	wrmsr
	lfence
.Lspec_ctrl_done:

	/* Branch history the guest left must not steer the host. */
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov  %rbx, %rax
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET

.Lfail:
	mov  $1, %ebx
	jmp  .Lout
SYM_FUNC_END(denali_vmx_enter)

.section .text, "ax"

/*
 * void denali_vmx_nmi(void)
 *
 * A VM exit caused by an NMI leaves NMIs blocked and the NMI unhandled:
 * call the host's handler through a synthetic interrupt frame, whose
 * IRET also unblocks NMIs. Called with interrupts disabled.
 */
SYM_FUNC_START(denali_vmx_nmi)
#if IS_ENABLED(CONFIG_KVM_INTEL)
	push %rbp
	mov  %rsp, %rbp
	and  $-16, %rsp
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	call asm_exc_nmi_noist
	mov  %rbp, %rsp
	pop  %rbp
#else
	/*
	 * The kernel builds the NMI entry without IST only for KVM; through
	 * the IDT the handler runs on its IST stack, which is just as good.
	 */
	int  $2
#endif
	RET
SYM_FUNC_END(denali_vmx_nmi)
