/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the Denali kernel, to run guests without the module:
 * the firmware of a QEMU machine with no BIOS. It fills the virtual
 * registers and a hypercall page, sets up the ABI's entry state and
 * jumps to the image that QEMU's loader device put in memory.
 *
 * The hypercall page implements the ABI with port I/O: console bytes go
 * to one isa-debugcon (0xe9), the exit code, 4 bytes little endian, to
 * another (0xea), then isa-debug-exit (0xf4) ends QEMU. Idle returns at
 * once. The NIC (MAC 02:00:00:00:00:VM_ID) is a switch port with no
 * other port: frames sent are dropped, none arrive. Its send queue is
 * busy, so that guests meet what a loaded switch does: it takes at most
 * two frames a call, and every other call finds it full (-EAGAIN).
 * Nothing here enforces the ABI's prohibitions: a guest that runs
 * cpuid or writes outside its memory carries on.
 *
 * Built per run by run-qemu.sh with MEM_SIZE, VM_ID, ENTRY, TSC_KHZ and
 * CMDLINE defined.
 */
#define VREGS_MAC		48
#define VREGS_MTU		54
#define VREGS_CMDLINE		128
#define HYPERCALL_ADDR		0x1000
#define CONSOLE_PORT		0xe9
#define STATUS_PORT		0xea
#define EXIT_PORT		0xf4
#define CONSOLE_WRITE_MAX	4096
#define NET_SEND_TAKES		2
/* In the hypercall page, past its code: whether the last send was full. */
#define NET_SEND_WAS_FULL	(HYPERCALL_ADDR + 0xffc)
#define EAGAIN			11
#define EFAULT			14
#define ENOSYS			38

	.code16
	.text
boot16:
	cli
	lgdtl	%cs:(gdt_desc - boot16)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $boot32

	.code32
boot32:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	cld

	movl	$0x494c4e44, 0		/* magic */
	movl	$1, 4			/* abi_version */
	movl	$VM_ID, 8
	movl	$MEM_SIZE, 12
	movl	$TSC_KHZ, 16
	rdtsc
	movl	%eax, 24		/* tsc_base */
	movl	%edx, 28
	movl	$0x00000002, VREGS_MAC	/* 02:00:00:00 */
	movw	$(VM_ID << 8), VREGS_MAC + 4	/* 00:VM_ID */
	movw	$1500, VREGS_MTU
	movl	$cmdline, %esi
	movl	$VREGS_CMDLINE, %edi
	movl	$cmdline_end - cmdline, %ecx
	rep movsb
	movl	$hc_start, %esi
	movl	$HYPERCALL_ADDR, %edi
	movl	$hc_end - hc_start, %ecx
	rep movsb

	/* The entry state: empty GDTR and IDTR, the segments stay cached. */
	lgdtl	empty_desc
	lidtl	empty_desc
	movl	$MEM_SIZE, %esp
	pushl	$ENTRY
	movl	$0x2badd00d, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	ret				/* pops ENTRY: ESP = MEM_SIZE */

/* Copied to the hypercall page; position independent. */
hc_start:
	testl	%eax, %eax
	jz	hc_terminate
	cmpl	$1, %eax
	je	hc_console_write
	cmpl	$2, %eax
	je	hc_idle
	cmpl	$5, %eax
	je	hc_net_send
	cmpl	$6, %eax
	je	hc_net_recv
	movl	$-ENOSYS, %eax
	ret
hc_terminate:
	pushl	%ebx
	movl	%esp, %esi
	movl	$4, %ecx
	movw	$STATUS_PORT, %dx
	rep outsb
	movw	$EXIT_PORT, %dx
	outl	%eax, %dx
	jmp	.
hc_console_write:
	/* [ebx, ebx + ecx) inside [0, MEM_SIZE), without wrapping */
	movl	$MEM_SIZE, %eax
	cmpl	%eax, %ebx
	ja	hc_efault
	subl	%ebx, %eax
	cmpl	%eax, %ecx
	ja	hc_efault
	pushl	%ecx
	pushl	%edx
	pushl	%esi
	cmpl	$CONSOLE_WRITE_MAX, %ecx
	jbe	1f
	movl	$CONSOLE_WRITE_MAX, %ecx
1:	movl	%ecx, %eax
	movl	%ebx, %esi
	movw	$CONSOLE_PORT, %dx
	rep outsb
	popl	%esi
	popl	%edx
	popl	%ecx
	ret
hc_efault:
	movl	$-EFAULT, %eax
	ret
hc_idle:
	/* Nothing else runs here: return at once, the guest rechecks. */
	xorl	%eax, %eax
	ret
hc_net_send:
	xorl	$1, NET_SEND_WAS_FULL
	jz	1f
	movl	$-EAGAIN, %eax
	ret
1:	movl	%ecx, %eax		/* taken, and dropped */
	cmpl	$NET_SEND_TAKES, %eax
	jbe	2f
	movl	$NET_SEND_TAKES, %eax
2:	ret
hc_net_recv:
	xorl	%eax, %eax		/* nothing ever arrives */
	ret
hc_end:

cmdline:
	.asciz	CMDLINE
cmdline_end:

	.p2align 3
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* 0x08: flat 32-bit code */
	.quad	0x00cf93000000ffff	/* 0x10: flat 32-bit data */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
empty_desc:
	.word	0
	.long	0

	.code16
	.org	0xfff0			/* the reset vector, 0xfffffff0 */
	jmp	boot16
	.org	0x10000
