/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Denali virtual architecture, version 1: the ABI between the isolation
 * kernel and its guests. Documentation/guest-abi.rst describes it in full.
 *
 * A guest is an IA-32 program running at CPL 0 in protected mode with
 * paging off, so guest-physical equals guest-linear. Its memory is
 * [0, mem_size). Page 0 holds the virtual registers, page 1 the hypercall
 * page; loadable segments start at DENALI_IMAGE_BASE.
 */
#ifndef _UAPI_LINUX_DENALI_ABI_H
#define _UAPI_LINUX_DENALI_ABI_H

#include <linux/types.h>

#define DENALI_ABI_MAGIC	0x494c4e44	/* "DNLI" */
#define DENALI_ABI_VERSION	1

#define DENALI_VREGS_ADDR	0x0000
#define DENALI_HYPERCALL_ADDR	0x1000
#define DENALI_IMAGE_BASE	0x2000

/*
 * State at entry: EIP = ELF entry point, ESP = mem_size,
 * EAX = DENALI_BOOT_MAGIC, EBX = DENALI_VREGS_ADDR, other registers 0,
 * EFLAGS = 0x2 (interrupts off), flat 4 GiB CS/DS/ES/FS/GS/SS,
 * GDTR and IDTR empty: the guest installs its own before it faults.
 * CR0 = PE|MP|ET|NE and CR4 = OSFXSR|OSXMMEXCPT: x87 and SSE are ready.
 */
#define DENALI_BOOT_MAGIC	0x2badd00d

/*
 * Hypercalls: "call DENALI_HYPERCALL_ADDR" with the number in EAX and
 * arguments in EBX, ECX, EDX, ESI, EDI. The result comes back in EAX;
 * a negative value is a Linux errno. Other registers are preserved.
 */
enum denali_hypercall {
	DENALI_HC_TERMINATE	= 0,	/* EBX: exit code; does not return */
	DENALI_HC_CONSOLE_WRITE	= 1,	/* EBX: buffer, ECX: length */
	DENALI_HC_IDLE		= 2,	/* EBX: timeout in microseconds */
	DENALI_HC_TIMER_SET	= 3,	/* EBX: microseconds from now; 0 cancels */
	DENALI_HC_CONSOLE_READ	= 4,	/* EBX: buffer, ECX: length; never blocks */
	DENALI_HC_NET_SEND	= 5,	/* EBX: struct denali_frame[], ECX: count */
	DENALI_HC_NET_RECV	= 6,	/* EBX: struct denali_frame[], ECX: count */
	DENALI_HC_DISK_SUBMIT	= 7,	/* EBX: struct denali_disk_req[], ECX: count */
	DENALI_HC_DISK_REAP	= 8,	/* EBX: struct denali_disk_done[], ECX: count */
};

/*
 * The virtual NIC: one port of the isolation kernel's switched Ethernet.
 * Frames are Ethernet II without preamble or FCS, 14-byte header
 * included, between DENALI_FRAME_MIN and DENALI_FRAME_MAX bytes long.
 *
 * DENALI_HC_NET_SEND queues up to DENALI_NET_BATCH_MAX frames, each
 * described by {addr, len}, on the VM's send queue. It returns how many
 * it took (from the first, in order), which is fewer than count when the
 * queue is full; -EAGAIN when it took none for that reason, -EFAULT or
 * -EINVAL when the first descriptor is bad. A frame whose source MAC is
 * not the VM's own is taken but dropped, and counted.
 *
 * DENALI_HC_NET_RECV fills up to count buffers, each described by
 * {addr, len = its size}, with received frames in arrival order, sets
 * each filled descriptor's len to the frame's length and returns how
 * many it filled; 0 when none is waiting (it never blocks:
 * DENALI_IRQ_NET says when frames arrive). A frame longer than its
 * buffer is dropped and counted, never cut.
 */
#define DENALI_FRAME_MIN	14
#define DENALI_FRAME_MAX	1514
#define DENALI_NET_BATCH_MAX	64

struct denali_frame {
	__u32 addr;		/* guest-physical address of the frame */
	__u32 len;		/* bytes: the frame's, or the buffer's size */
};

/*
 * Virtual disks: up to DENALI_VREGS_DISKS_MAX per VM, numbered from 0 in
 * the order they were attached; vregs.disk_blocks[i] is disk i's size in
 * blocks of DENALI_DISK_BLOCK_SIZE bytes, and bit i of vregs.disk_readonly
 * says that the VM may not write it.
 *
 * DENALI_HC_DISK_SUBMIT takes up to DENALI_DISK_BATCH_MAX requests, in
 * order, and returns how many it took: fewer than count when the VM has
 * DENALI_DISK_INFLIGHT_MAX requests in flight or completed but not yet
 * reaped; -EAGAIN when it took none for that reason, -EFAULT or -EINVAL
 * when the array itself is outside guest memory or count is 0 or too big.
 * A request that is taken but bad completes at once with its error:
 * -ENODEV for a disk the VM does not have, -EINVAL for an unknown op, a
 * blocks of 0 or over DENALI_DISK_REQ_BLOCKS_MAX, a non-zero reserved
 * field, a buffer not aligned to a block or a range past the disk's end,
 * -EFAULT for a buffer outside guest memory, -EROFS for a write to a
 * read-only disk. I/O errors complete with -EIO, a backing store out of
 * space with -ENOSPC.
 *
 * Requests complete in any order, each with one struct denali_disk_done,
 * and never before their data is in guest memory (read) or in the
 * backing store's cache (write). A flush completes once every write the
 * VM submitted to that disk before it has completed and is durable on
 * the backing store.
 *
 * DENALI_HC_DISK_REAP copies up to count completions, oldest first, and
 * returns how many; 0 when none is waiting (it never blocks:
 * DENALI_IRQ_DISK says when completions arrive).
 */
#define DENALI_DISK_BLOCK_SIZE		4096
#define DENALI_DISK_BATCH_MAX		64
#define DENALI_DISK_INFLIGHT_MAX	128
#define DENALI_DISK_REQ_BLOCKS_MAX	16	/* 64 KiB per request */

enum denali_disk_op {
	DENALI_DISK_READ	= 0,
	DENALI_DISK_WRITE	= 1,
	DENALI_DISK_FLUSH	= 2,	/* blocks, block and addr: zero */
};

struct denali_disk_req {
	__u32 tag;		/* the guest's own, returned on completion */
	__u8 disk;		/* index below vregs.disk_count */
	__u8 op;		/* enum denali_disk_op */
	__u16 blocks;		/* consecutive blocks to transfer */
	__u64 block;		/* the first of them */
	__u32 addr;		/* guest-physical buffer, block-aligned */
	__u32 reserved;		/* zero */
};

struct denali_disk_done {
	__u32 tag;		/* the request's */
	__s32 result;		/* 0, or a negative errno */
};

/*
 * Virtual interrupts. A source sets its bit in vregs.irq_pending. When the
 * VM next enters with vregs.irq_enabled set and bits pending, the kernel
 * clears irq_enabled and delivers DENALI_UPCALL_VECTOR through the guest's
 * IDT, as an external interrupt with an interrupt gate would. EFLAGS.IF
 * does not gate it, but delivery sets IF (VMX injects external interrupts
 * only with IF set), so the frame's EFLAGS and the state after IRET have
 * IF set; IF means nothing else to a guest. The handler takes every pending bit with one atomic
 * exchange, handles them, sets irq_enabled again and returns with IRET.
 * Many raises before the upcall arrive as one.
 */
#define DENALI_UPCALL_VECTOR	32

enum denali_irq {
	DENALI_IRQ_TIMER	= 0,	/* the one-shot timer expired */
	DENALI_IRQ_CONSOLE	= 1,	/* console input arrived */
	DENALI_IRQ_NET		= 2,	/* frames wait in the receive queue */
	DENALI_IRQ_DISK		= 3,	/* disk completions wait to be reaped */
};

/* DENALI_HC_IDLE timeout that waits for an interrupt only. */
#define DENALI_IDLE_FOREVER	0xffffffffU

#define DENALI_VREGS_CMDLINE_MAX	256
#define DENALI_VREGS_DISKS_MAX		8

/*
 * The virtual registers, at DENALI_VREGS_ADDR. The kernel fills them
 * before the first instruction; fields for devices a VM lacks are zero.
 * Guest time in ns is ns_base + (rdtsc - tsc_base) * 1000000 / tsc_khz.
 */
struct denali_vregs {
	__u32 magic;			/* DENALI_ABI_MAGIC */
	__u32 abi_version;		/* DENALI_ABI_VERSION */
	__u32 vm_id;
	__u32 mem_size;			/* bytes */
	__u64 tsc_khz;
	__u64 tsc_base;
	__u64 ns_base;
	__u32 irq_enabled;		/* guest-written: upcalls allowed */
	__u32 irq_pending;		/* bitmask of pending interrupts */
	__u8 mac[6];
	__u16 mtu;
	__u32 disk_count;
	__u32 disk_readonly;		/* bit i: disk i is read-only */
	__u64 disk_blocks[DENALI_VREGS_DISKS_MAX];	/* 4 KiB blocks */
	char cmdline[DENALI_VREGS_CMDLINE_MAX];		/* NUL-terminated */
};

#endif /* _UAPI_LINUX_DENALI_ABI_H */
