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

#endif /* _DENALI_H */
