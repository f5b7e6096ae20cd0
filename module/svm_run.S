/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trip into an SVM guest and back. VMRUN switches only part of the
 * state: the general registers other than RAX and RSP are ours to load
 * and save, and FS, GS, TR, LDTR, KernelGSBase and the SYSCALL and
 * SYSENTER MSRs go through VMLOAD and VMSAVE. The host's copy of those
 * holds the GS base that per-CPU data needs, so nothing between the first
 * VMLOAD and the last may touch per-CPU data.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/* Offsets in gprs[], by x86 register number as in struct denali_regs. */
#define GPR_CX	(1 * 8)
#define GPR_DX	(2 * 8)
#define GPR_BX	(3 * 8)
#define GPR_BP	(5 * 8)
#define GPR_SI	(6 * 8)
#define GPR_DI	(7 * 8)

.section .noinstr.text, "ax"

/*
 * void __denali_svm_run(unsigned long vmcb_pa, unsigned long host_pa,
 *			 unsigned long *gprs)
 */
SYM_FUNC_START(__denali_svm_run)
	push	%rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* After the exit every register but RAX and RSP is the guest's. */
	push	%rdi			/* 16(%rsp): vmcb_pa */
	push	%rsi			/*  8(%rsp): host_pa */
	push	%rdx			/*  0(%rsp): gprs */

	mov	%rsi, %rax
	vmsave	%rax
	mov	%rdi, %rax
	vmload	%rax

	mov	%rdx, %rdi
	mov	GPR_CX(%rdi), %rcx
	mov	GPR_DX(%rdi), %rdx
	mov	GPR_BX(%rdi), %rbx
	mov	GPR_BP(%rdi), %rbp
	mov	GPR_SI(%rdi), %rsi
	/* A 32-bit guest cannot see them, but it gets nothing of ours. */
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
	mov	GPR_DI(%rdi), %rdi

	/* Clobbers EFLAGS.ZF. */
	VM_CLEAR_CPU_BUFFERS

	/* RAX holds vmcb_pa; VMRUN saves it and restores it at the exit. */
	vmrun	%rax

	mov	(%rsp), %rax
	mov	%rcx, GPR_CX(%rax)
	mov	%rdx, GPR_DX(%rax)
	mov	%rbx, GPR_BX(%rax)
	mov	%rbp, GPR_BP(%rax)
	mov	%rsi, GPR_SI(%rax)
	mov	%rdi, GPR_DI(%rax)

	mov	16(%rsp), %rax
	vmsave	%rax
	mov	8(%rsp), %rax
	vmload	%rax

#ifdef CONFIG_RETPOLINE
	/* Stuff the return stack buffer before the first RET. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif

	/*
	 * Retbleed and SRSO: untrain RET before anything returns, and
	 * before interrupts come back on, as their handlers won't.
	 */
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/* No guest value may steer speculation in the host. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebx, %ebx
	xor	%ebp, %ebp
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__denali_svm_run)
