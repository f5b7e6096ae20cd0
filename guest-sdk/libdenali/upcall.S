/* SPDX-License-Identifier: MIT */
/*
 * The upcall entry (DENALI_UPCALL_VECTOR) and the idle step that must
 * not sleep through an upcall; see irq.c for the C side of both.
 */
#include "irq.h"

	.text
	.code32

/*
 * The kernel cleared irq_enabled and entered here through an interrupt
 * gate, on the interrupted stack. Save the general registers as a
 * struct denali_upcall_frame, let __denali_upcall() handle every pending
 * bit, then allow upcalls again as the last step before IRET, so that a
 * new upcall can nest at most one frame deep here.
 */
	.globl	__denali_upcall_entry
	.type	__denali_upcall_entry, @function
__denali_upcall_entry:
	pushal
	cld
	movl	%esp, %ebx		/* callee-saved: the frame */
	andl	$-16, %esp
	subl	$12, %esp
	pushl	%ebx
	call	__denali_upcall
	movl	%ebx, %esp
	popal
	movl	$1, UPCALL_VREGS_IRQ_ENABLED
	iret
	.size	__denali_upcall_entry, . - __denali_upcall_entry

/*
 * int denali_irq_idle(unsigned int usec): enable upcalls, then idle.
 * An upcall taken at __denali_idle_call, or at the hypercall page with
 * __denali_idle_done as its return address, would be followed by an
 * idle the upcall may have made wrong; __denali_upcall() then moves the
 * interrupted EIP past the hypercall (to __denali_idle_done, or to
 * __denali_idle_skip, which returns there) with EAX = 0.
 */
	.globl	denali_irq_idle
	.type	denali_irq_idle, @function
denali_irq_idle:
	pushl	%ebx
	movl	8(%esp), %ebx
	movl	$UPCALL_HC_IDLE, %eax
	movl	$1, UPCALL_VREGS_IRQ_ENABLED
	.globl	__denali_idle_call
__denali_idle_call:
	call	UPCALL_HYPERCALL_ADDR
	.globl	__denali_idle_done
__denali_idle_done:
	popl	%ebx
	ret
	.globl	__denali_idle_skip
__denali_idle_skip:
	ret
	.size	denali_irq_idle, . - denali_irq_idle

	.section .note.GNU-stack, "", @progbits
