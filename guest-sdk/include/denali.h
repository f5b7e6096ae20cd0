/* SPDX-License-Identifier: MIT */
/*
 * libdenali: what a guest needs to talk to the Denali isolation kernel.
 * The contract itself is <linux/denali_abi.h>; Documentation/guest-abi.rst
 * describes it.
 */
#ifndef _DENALI_H
#define _DENALI_H

#include <stdint.h>
#include <linux/denali_abi.h>

/*
 * Exit codes the SDK itself uses. Programs keep 0..125 for their own.
 */
#define DENALI_EXIT_BAD_BOOT		126	/* wrong boot magic or ABI */
#define DENALI_EXIT_ABORT		127	/* abort(), failed assert() */
#define DENALI_EXIT_EXCEPTION		128	/* + vector of a CPU exception */

/*
 * Hypercalls. "call DENALI_HYPERCALL_ADDR": number in EAX, arguments in
 * EBX, ECX, EDX, ESI, EDI, result in EAX; the kernel preserves every other
 * register. No version 1 hypercall takes more than two arguments. The
 * memory clobber makes buffers the call reads or writes visible to it.
 */
static inline long denali_hypercall2(unsigned long nr, unsigned long a1,
				     unsigned long a2)
{
	long ret;

	asm volatile("call %P[hc]"
		     : "=a" (ret)
		     : "a" (nr), "b" (a1), "c" (a2),
		       [hc] "i" (DENALI_HYPERCALL_ADDR)
		     : "memory", "cc");
	return ret;
}

static inline long denali_hypercall1(unsigned long nr, unsigned long a1)
{
	return denali_hypercall2(nr, a1, 0);
}

static inline long denali_hypercall0(unsigned long nr)
{
	return denali_hypercall2(nr, 0, 0);
}

/* Ends the VM with an exit code the operator sees. */
void denali_terminate(int code) __attribute__((noreturn));

/*
 * Writes all of buf to the console, in as many hypercalls as the kernel
 * needs. Returns len, the bytes written before an error, or a negative
 * errno when nothing was written.
 */
long denali_console_write(const void *buf, unsigned int len);

/*
 * Gives the CPU away until an interrupt is pending or usec microseconds
 * have passed. 0 only yields; DENALI_IDLE_FOREVER waits for an interrupt.
 * Returns 0 or a negative errno.
 */
int denali_idle(unsigned int usec);

/*
 * The virtual registers at guest-physical address 0. The address goes
 * through an empty asm so the compiler cannot prove it is a null pointer
 * (dereferencing that is undefined behaviour it may turn into a trap).
 */
static inline const volatile struct denali_vregs *denali_vregs(void)
{
	unsigned long addr = DENALI_VREGS_ADDR;

	asm("" : "+r" (addr));
	return (const volatile struct denali_vregs *)addr;
}

static inline uint64_t denali_rdtsc(void)
{
	uint64_t tsc;

	asm volatile("rdtsc" : "=A" (tsc));
	return tsc;
}

/*
 * Guest time in nanoseconds, from the clock the kernel describes in the
 * virtual registers; for intervals (the ABI fixes no origin). Costs no
 * exit.
 */
uint64_t denali_now_ns(void);

/*
 * Copies the boot command line (at most size - 1 bytes) and
 * NUL-terminates it. Returns its length.
 */
unsigned int denali_cmdline(char *buf, unsigned int size);

/*
 * The virtual registers the guest writes: the interrupt-enable flag and
 * the pending mask it takes bits from.
 */
static inline volatile struct denali_vregs *denali_vregs_rw(void)
{
	unsigned long addr = DENALI_VREGS_ADDR;

	asm("" : "+r" (addr));
	return (volatile struct denali_vregs *)addr;
}

/*
 * Reads up to len bytes of console input into buf. Returns the count,
 * 0 when there is none (it never waits: DENALI_IRQ_CONSOLE says when
 * input arrives), or a negative errno.
 */
long denali_console_read(void *buf, unsigned int len);

/*
 * Virtual interrupts. The kernel delivers DENALI_UPCALL_VECTOR when the
 * VM enters with upcalls enabled and bits pending; libdenali's handler
 * takes every pending bit at once and calls the handler registered for
 * each, with upcalls disabled and on the interrupted stack. Upcalls
 * start disabled.
 */
#define DENALI_IRQS	32

typedef void (*denali_irq_handler_t)(unsigned int irq, void *arg);

/*
 * Sets the handler of irq (replacing any; NULL removes it). Returns 0,
 * or -EINVAL for an irq of DENALI_IRQS or more.
 */
int denali_irq_register(unsigned int irq, denali_irq_handler_t handler,
			void *arg);

/*
 * Allows upcalls. Bits already pending are delivered at once (one
 * yielding hypercall makes the kernel enter the VM again), not only at
 * the next preemption.
 */
void denali_irq_enable(void);

/* Holds upcalls back; pending bits wait in the mask, merged. */
static inline void denali_irq_disable(void)
{
	denali_vregs_rw()->irq_enabled = 0;
	asm volatile("" : : : "memory");
}

/* Disables upcalls and returns whether they were enabled. */
static inline int denali_irq_save(void)
{
	int was = denali_vregs_rw()->irq_enabled != 0;

	denali_irq_disable();
	return was;
}

/* Puts back what denali_irq_save() returned. */
static inline void denali_irq_restore(int was)
{
	if (was)
		denali_irq_enable();
}

/*
 * Enables upcalls and idles for at most usec microseconds (or
 * DENALI_IDLE_FOREVER) as one step, as "sti; hlt" does on a real CPU:
 * an upcall that arrives between the two ends the idle at once instead
 * of being slept through. Call it with upcalls disabled, after finding
 * that the condition to wait for does not hold yet. Returns with upcalls
 * enabled: 0 or a negative errno.
 */
int denali_irq_idle(unsigned int usec);

/* What the upcall handler has seen, for tests and statistics. */
struct denali_irq_stats {
	uint32_t upcalls;		/* upcalls taken */
	uint32_t empty;			/* upcalls that found no bit pending */
	uint32_t irqs[DENALI_IRQS];	/* upcalls that found each bit */
	uint32_t unhandled;		/* bits with no handler */
};

/* A copy of the counters. */
void denali_irq_stats(struct denali_irq_stats *stats);

/*
 * Arms the one-shot virtual timer for usec microseconds from now (at
 * most 2^32 - 1; larger values are clamped), replacing any earlier
 * setting; 0 cancels it. DENALI_IRQ_TIMER is raised when it expires.
 * Returns 0 or a negative errno. The software timers below use this
 * timer: a program uses either them or this call.
 */
int denali_timer_set(uint64_t usec);

/*
 * Software timers: any number of them, multiplexed onto the one-shot
 * timer. Each calls its function once, from the timer's upcall (upcalls
 * disabled), at or after its deadline on the denali_now_ns() clock. The
 * caller owns the struct; it must stay valid until the timer has run or
 * been cancelled.
 */
struct denali_timer;
typedef void (*denali_timer_fn_t)(struct denali_timer *t, void *arg);

struct denali_timer {
	struct denali_timer *next;	/* libdenali's: the sorted list */
	uint64_t deadline_ns;
	denali_timer_fn_t fn;
	void *arg;
	int queued;
};

/* Queues t (cancelling it first when queued) to call fn(t, arg). */
void denali_timer_add(struct denali_timer *t, uint64_t deadline_ns,
		      denali_timer_fn_t fn, void *arg);

/* Removes t if queued; returns whether it was. */
int denali_timer_cancel(struct denali_timer *t);

/*
 * The earliest deadline queued, or UINT64_MAX when none. Call with
 * upcalls disabled for an answer that still holds.
 */
uint64_t denali_timer_next(void);

/*
 * Runs every timer whose deadline has passed and re-arms the one-shot
 * timer for the next. The timer upcall does this; an idle loop that
 * woke at a deadline may call it too. Call with upcalls disabled.
 */
void denali_timer_run(void);

/*
 * The virtual NIC. The VM's MAC and MTU are in the virtual registers.
 * denali_net_send() queues up to count (at most DENALI_NET_BATCH_MAX)
 * frames in one hypercall and returns how many the kernel took, or a
 * negative errno (-EAGAIN: the send queue is full, try after an idle).
 * denali_net_recv() fills up to count buffers (each frames[i].len its
 * size on entry, the frame's length on return) and returns how many it
 * filled; 0 when nothing waits (DENALI_IRQ_NET is raised when frames
 * arrive). Both never block.
 */
long denali_net_send(const struct denali_frame *frames, unsigned int count);
long denali_net_recv(struct denali_frame *frames, unsigned int count);

/*
 * The virtual disks (their count, sizes and read-only bits are in the
 * virtual registers; <denali/disk.h> and libdisk build on these).
 * denali_disk_submit() hands up to count (at most DENALI_DISK_BATCH_MAX)
 * requests to the kernel and returns how many it took, or a negative
 * errno (-EAGAIN: DENALI_DISK_INFLIGHT_MAX are in flight or unreaped).
 * denali_disk_reap() copies up to count completions and returns how
 * many; 0 when none waits (DENALI_IRQ_DISK is raised when they come).
 * Both never block.
 */
long denali_disk_submit(const struct denali_disk_req *reqs,
			unsigned int count);
long denali_disk_reap(struct denali_disk_done *done, unsigned int count);

#endif /* _DENALI_H */
