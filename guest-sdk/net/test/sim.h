/* SPDX-License-Identifier: MIT */
/*
 * A simulated Denali for the stack's host tests: many VMs (one stack
 * each) in one process, joined by a switch whose wire can lose,
 * duplicate, delay and reorder frames; a simulated clock that jumps to
 * the next event whenever no thread can run; and <thread.h> on
 * ucontext. Deterministic: the same seed gives the same run.
 */
#ifndef _NET_TEST_SIM_H
#define _NET_TEST_SIM_H

#include <stdint.h>
#include "../stack.h"

#define SIM_CONSOLE_MAX		4096

struct sim_vm {
	struct net_stack *ns;
	uint8_t mac[6];
	struct sim_frame *rx_head;	/* sorted by delivery time */
	unsigned int rx_len;
	int kicked;			/* net_port_wake() was called */
	char cmdline[256];		/* denali_cmdline()'s */
	char console[SIM_CONSOLE_MAX];	/* what sim_printf() wrote */
	unsigned int console_len;
	/*
	 * Disk 0: what reads see, or NULL for no disk; a multiple of 4 KiB.
	 * With disk_durable, writes go to disk and a flush copies it all
	 * there, the backing store that survives the VM; without, the disk
	 * is read-only.
	 */
	uint8_t *disk;
	uint64_t disk_size;
	uint8_t *disk_durable;
	int (*main_fn)(void);		/* sim_boot()'s program */
	int exit_code;			/* and what it returned */
};

/* What the wire does to each frame; all off after sim_reset(). */
struct sim_wire {
	unsigned int loss_pct;		/* dropped */
	unsigned int dup_pct;		/* delivered twice */
	unsigned int reorder_pct;	/* delayed by up to reorder_ns more */
	uint64_t latency_ns;
	uint64_t reorder_ns;
	unsigned int rx_queue_max;	/* frames a VM's queue holds */
	/*
	 * Sees every frame a VM sends, before the wire; returns 0 to drop
	 * it. NULL: none.
	 */
	int (*tap)(struct sim_vm *from, const uint8_t *frame,
		   unsigned int len);
};

extern struct sim_wire sim_wire;

/* Frees every VM and thread, zeroes the clock, reseeds the wire. */
void sim_reset(uint64_t seed);
/* A VM with the command line's ip= and gw=, MAC 02:00:00:00:00:<id>. */
struct sim_vm *sim_vm_new(const char *cmdline, uint8_t id, uint16_t mtu);
/* A thread on vm: its socket calls use vm's stack. */
struct thread *sim_spawn(struct sim_vm *vm, void *(*fn)(void *), void *arg);
/*
 * Runs an example's main() on vm (built with -Dmain=..., see the
 * Makefile), its exit code in vm->exit_code. A server's threads
 * (daemon) do not keep sim_run() going.
 */
void sim_boot(struct sim_vm *vm, int (*main_fn)(void), int daemon);
/* printf() for the examples: into the calling VM's console. */
int sim_printf(const char *fmt, ...)
	__attribute__((format(__printf__, 1, 2)));
/*
 * Runs until every thread but the daemons has exited: 0; -1 when they
 * all block with nothing left to happen, or for_ns of simulated time
 * have passed.
 */
int sim_run(uint64_t for_ns);
/* Runs for for_ns of simulated time, threads or none. */
void sim_wait(uint64_t for_ns);
/* Puts a frame in vm's receive queue, due now. */
void sim_inject(struct sim_vm *vm, const uint8_t *frame, unsigned int len);
uint64_t sim_now(void);
/* Frames the switch dropped: to unknown MACs, or queues full. */
extern unsigned int sim_switch_drops;

#endif /* _NET_TEST_SIM_H */
