/* SPDX-License-Identifier: MIT */
/*
 * void __thread_switch(uint32_t *save_esp, uint32_t new_esp): save the
 * callee-saved registers on the current stack, store its pointer in
 * *save_esp, and resume the thread whose stack new_esp points to, as
 * __thread_switch() left it (or as thread_create() built it).
 */
	.text
	.code32
	.globl	__thread_switch
	.type	__thread_switch, @function
__thread_switch:
	movl	4(%esp), %eax
	movl	8(%esp), %edx
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	%esp, (%eax)
	movl	%edx, %esp
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
	.size	__thread_switch, . - __thread_switch

	.section .note.GNU-stack, "", @progbits
