/* SPDX-License-Identifier: MIT */
/*
 * Guest entry. The kernel starts us in flat 32-bit protected mode with
 * EIP = _start, ESP = mem_size, EAX = DENALI_BOOT_MAGIC, EBX = the virtual
 * registers (address 0), IF = 0, and empty GDTR and IDTR. Install our own
 * GDT and reload every segment register from it, clear .bss, and hand over
 * to C. The CPU exception stubs the IDT points at live here too.
 */

#define DENALI_CS	0x08
#define DENALI_DS	0x10

	.section .text.entry, "ax"
	.code32
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movl	%eax, %esi		/* boot magic, for __denali_start */
	lgdt	__denali_gdt_desc
	ljmp	$DENALI_CS, $1f
1:	movl	$DENALI_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss

	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	/*
	 * The main stack sits right above the image, not at the top of
	 * memory where ESP starts: the pages a small guest touches then
	 * stay together, and a swapped-out VM keeps one radix tree node of
	 * swap entries in the host instead of three. A memory too small
	 * for that keeps the stack at its top.
	 */
	movl	$__denali_stack_top, %eax
	cmpl	%esp, %eax
	jae	2f
	movl	%eax, %esp
2:	/* 16-byte aligned, no frame above. */
	andl	$-16, %esp
	xorl	%ebp, %ebp
	subl	$12, %esp
	pushl	%esi
	call	__denali_start		/* does not return */
	ud2
	.size	_start, . - _start

/*
 * One stub per CPU exception vector. Each leaves the same frame: an error
 * code (the CPU's, or 0 for vectors without one), then the vector.
 */
	.text
	.irp	vec, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.p2align 3
__denali_trap_\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \
	      \vec == 21 || \vec == 29 || \vec == 30)
	pushl	$0
	.endif
	pushl	$\vec
	jmp	__denali_trap_common
	.endr

/*
 * Saves the general registers under the error code and vector, making a
 * struct denali_trap_frame, and calls __denali_trap(frame). If that
 * returns, the interrupted code resumes.
 */
	.type	__denali_trap_common, @function
__denali_trap_common:
	pushal
	cld
	movl	%esp, %ebx		/* callee-saved: the frame */
	andl	$-16, %esp
	subl	$12, %esp
	pushl	%ebx
	call	__denali_trap
	movl	%ebx, %esp
	popal
	addl	$8, %esp		/* vector, error code */
	iret
	.size	__denali_trap_common, . - __denali_trap_common

	.section .rodata
	.globl	__denali_trap_stubs
	.p2align 2
__denali_trap_stubs:
	.irp	vec, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.long	__denali_trap_\vec
	.endr
	.size	__denali_trap_stubs, . - __denali_trap_stubs

/*
 * Flat 4 GiB ring-0 code and data. The accessed bits are preset so the
 * CPU never writes to the table.
 */
	.data
	.p2align 3
__denali_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* DENALI_CS: code, 32-bit, 4 GiB */
	.quad	0x00cf93000000ffff	/* DENALI_DS: data, 32-bit, 4 GiB */
__denali_gdt_end:

	.p2align 2
	.word	0
__denali_gdt_desc:
	.word	__denali_gdt_end - __denali_gdt - 1
	.long	__denali_gdt

	.section .note.GNU-stack, "", @progbits
