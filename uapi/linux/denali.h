/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Denali isolation kernel: control interface shared with user space.
 *
 * The generic netlink family "denali" creates, starts, stops, destroys and
 * reports virtual machines. The character device /dev/denali hands out data
 * streams, such as one VM's console, as file descriptors.
 */
#ifndef _UAPI_LINUX_DENALI_H
#define _UAPI_LINUX_DENALI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define DENALI_GENL_NAME	"denali"
#define DENALI_GENL_VERSION	1
#define DENALI_MCGRP_EVENTS	"events"

/* Sizes include the terminating NUL. */
#define DENALI_NAME_MAX		32
#define DENALI_CMDLINE_MAX	256
#define DENALI_REASON_MAX	128

#define DENALI_MEM_MIN		(64U << 10)
#define DENALI_MEM_DEFAULT	(4U << 20)
#define DENALI_MEM_MAX		(3U << 30)

enum denali_cmd {
	DENALI_CMD_UNSPEC,
	DENALI_CMD_VM_CREATE,	/* IMAGE_FD and optional VM_* attributes */
	DENALI_CMD_VM_START,	/* ID or NAME */
	DENALI_CMD_VM_STOP,	/* ID or NAME */
	DENALI_CMD_VM_DESTROY,	/* ID or NAME; stops it first if needed */
	DENALI_CMD_VM_GET,	/* ID or NAME; or a dump of every VM */
	DENALI_CMD_VM_EVENT,	/* multicast on "events": a VM changed state */
	DENALI_CMD_VM_SWAP_OUT,	/* ID or NAME: swap an idle VM out now */
	DENALI_CMD_HOST_GET,	/* replies with HOST_STATS */
	DENALI_CMD_DISK_CREATE,	/* DISK_NAME, DISK_FD, DISK_BLOCKS, DISK_READONLY */
	DENALI_CMD_DISK_DESTROY,	/* DISK_NAME; EBUSY while attached */
	DENALI_CMD_DISK_GET,	/* DISK_NAME; or a dump of every disk */

	__DENALI_CMD_MAX,
	DENALI_CMD_MAX = __DENALI_CMD_MAX - 1
};

enum denali_vm_state {
	DENALI_VM_CREATED,	/* loaded, never started */
	DENALI_VM_RUNNING,	/* runnable or on a CPU */
	DENALI_VM_IDLE,		/* in idle-with-timeout */
	DENALI_VM_STOPPED,	/* stopped by the operator */
	DENALI_VM_EXITED,	/* terminated itself; see EXIT_CODE */
	DENALI_VM_CRASHED,	/* stopped by the kernel; see CRASH_REASON */
	DENALI_VM_WAITING,	/* started, waits for memory to be admitted */

	__DENALI_VM_STATE_MAX,
	DENALI_VM_STATE_MAX = __DENALI_VM_STATE_MAX - 1
};

enum denali_attr {
	DENALI_A_UNSPEC,
	DENALI_A_VM_ID,			/* u32 */
	DENALI_A_VM_NAME,		/* string, < DENALI_NAME_MAX */
	DENALI_A_VM_IMAGE_FD,		/* s32: an open ELF32 image */
	DENALI_A_VM_MEM_SIZE,		/* u32: bytes, page multiple */
	DENALI_A_VM_CMDLINE,		/* string, < DENALI_CMDLINE_MAX */
	DENALI_A_VM_STATE,		/* u32: enum denali_vm_state */
	DENALI_A_VM_EXIT_CODE,		/* s32 */
	DENALI_A_VM_CRASH_REASON,	/* string */
	DENALI_A_VM_STATS,		/* nested: enum denali_stat */
	DENALI_A_BACKEND,		/* string: "vmx" or "svm" (replies) */
	DENALI_A_VM_MAC,		/* binary, 6 bytes: unicast, not zero */
	DENALI_A_VM_RESIDENT,		/* u8: 0 while swapped out (replies) */
	DENALI_A_HOST_STATS,		/* nested: denali_host_stat (replies) */
	DENALI_A_VM_IPV4,		/* be32: the VM's own IPv4 address */
	DENALI_A_VM_TRUSTED,		/* flag: the VM routes; no address checks */
	DENALI_A_DISK_NAME,		/* string, < DENALI_NAME_MAX, no ':' */
	DENALI_A_DISK_FD,		/* s32: an open file or block device */
	DENALI_A_DISK_BLOCKS,		/* u64: size in DENALI_DISK_BLOCK_SIZE blocks */
	DENALI_A_DISK_READONLY,		/* flag */
	DENALI_A_DISK_ATTACHED,		/* u32: attachments now (replies) */
	DENALI_A_DISK_STATS,		/* nested: enum denali_disk_stat (replies) */
	DENALI_A_VM_DISK,		/* nested, repeated: enum denali_vm_disk_attr */
	DENALI_A_VM_MEM_NEEDED,		/* u64: bytes a waiting VM needs (replies) */
	DENALI_A_GATE_FREE,		/* u64: bytes free above the watermark (replies) */

	__DENALI_A_MAX,
	DENALI_A_MAX = __DENALI_A_MAX - 1
};

enum denali_stat {
	DENALI_STAT_UNSPEC,
	DENALI_STAT_PAD,
	DENALI_STAT_CPU_NS,		/* u64: time spent in guest mode */
	DENALI_STAT_QUANTA,		/* u64: times the VM was scheduled */
	DENALI_STAT_EXITS,		/* u64: VM exits of any kind */
	DENALI_STAT_HYPERCALLS,		/* u64 */
	DENALI_STAT_PAGES_FAULTED,	/* u64: guest pages mapped on demand */
	DENALI_STAT_CONSOLE_BYTES,	/* u64: bytes the guest wrote */
	DENALI_STAT_IRQS_RAISED,	/* u64: interrupt bits set */
	DENALI_STAT_UPCALLS,		/* u64: upcalls delivered */
	DENALI_STAT_IDLES,		/* u64: idle hypercalls that idled */
	DENALI_STAT_WAITING_NS,		/* u64: time spent waiting for admission */
	DENALI_STAT_EXITS_HOST,		/* u64: exits for the host's sake */
	DENALI_STAT_NET_RX_FRAMES,	/* u64: frames the guest received */
	DENALI_STAT_NET_RX_BYTES,	/* u64 */
	DENALI_STAT_NET_TX_FRAMES,	/* u64: frames the switch forwarded */
	DENALI_STAT_NET_TX_BYTES,	/* u64 */
	DENALI_STAT_NET_RX_DROPS,	/* u64: receive queue full, or too long */
	DENALI_STAT_NET_TX_DROPS,	/* u64: refused, send queue full */
	DENALI_STAT_NET_SPOOFED,	/* u64: dropped, source MAC not its own */
	DENALI_STAT_FPU_LOADS,		/* u64: quanta in which it used the FPU */
	DENALI_STAT_RESIDENT_PAGES,	/* u64: guest pages mapped now */
	DENALI_STAT_SWAP_OUTS,		/* u64: times it was swapped out */
	DENALI_STAT_SWAPPED_NS,		/* u64: time spent swapped out while live */
	DENALI_STAT_NET_ADDR_SPOOFED,	/* u64: dropped, IPv4 or ARP sender not its own */
	DENALI_STAT_NET_ROUTER_DROPS,	/* u64: dropped, router's or DHCP server's frame */

	__DENALI_STAT_MAX,
	DENALI_STAT_MAX = __DENALI_STAT_MAX - 1
};

/* Host-wide counters, in DENALI_A_HOST_STATS; all u64. */
enum denali_host_stat {
	DENALI_HOST_STAT_UNSPEC,
	DENALI_HOST_STAT_PAD,
	DENALI_HOST_STAT_VMS,		/* VMs that exist, in any state */
	DENALI_HOST_STAT_ADMITTED,	/* running or idle: past the gatekeeper */
	DENALI_HOST_STAT_WAITING,	/* waiting for admission */
	DENALI_HOST_STAT_SWAPPED,	/* admitted and swapped out */
	DENALI_HOST_STAT_PINNED_PAGES,	/* pages that VMs keep from reclaim */

	__DENALI_HOST_STAT_MAX,
	DENALI_HOST_STAT_MAX = __DENALI_HOST_STAT_MAX - 1
};

/* Disk counters, in DENALI_A_DISK_STATS; all u64. */
enum denali_disk_stat {
	DENALI_DISK_STAT_UNSPEC,
	DENALI_DISK_STAT_PAD,
	DENALI_DISK_STAT_READS,		/* read requests done */
	DENALI_DISK_STAT_WRITES,	/* write requests done */
	DENALI_DISK_STAT_FLUSHES,	/* flush requests done */
	DENALI_DISK_STAT_BLOCKS_READ,
	DENALI_DISK_STAT_BLOCKS_WRITTEN,
	DENALI_DISK_STAT_ERRORS,	/* requests that failed with an I/O error */

	__DENALI_DISK_STAT_MAX,
	DENALI_DISK_STAT_MAX = __DENALI_DISK_STAT_MAX - 1
};

/*
 * One disk of a VM, in DENALI_A_VM_DISK: up to DENALI_VREGS_DISKS_MAX
 * of them, numbered for the guest in the order given.
 */
enum denali_vm_disk_attr {
	DENALI_VM_DISK_UNSPEC,
	DENALI_VM_DISK_NAME,		/* string: the disk */
	DENALI_VM_DISK_READONLY,	/* flag: attach read-only */
	DENALI_VM_DISK_COW_FD,		/* s32: a file for a private overlay */

	__DENALI_VM_DISK_MAX,
	DENALI_VM_DISK_MAX = __DENALI_VM_DISK_MAX - 1
};

/* /dev/denali ioctls. */
#define DENALI_IOCTL_MAGIC	0xDE

struct denali_console_open {
	__u32 vm_id;
	__u32 flags;		/* O_NONBLOCK, O_CLOEXEC */
};

/* Returns a new file descriptor for the VM's console. */
#define DENALI_IOCTL_CONSOLE_OPEN \
	_IOW(DENALI_IOCTL_MAGIC, 0x01, struct denali_console_open)

#endif /* _UAPI_LINUX_DENALI_H */
