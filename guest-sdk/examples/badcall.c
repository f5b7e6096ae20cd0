/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls with bad arguments must fail with an errno, not crash the VM
 * nor touch anything outside it. Exit code 0 when every call failed as
 * the ABI says, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <denali.h>

#define EFAULT	14
#define ENOSYS	38

static const char msg[] = "badcall: this must not be printed\n";

static int check(const char *what, long ret, long want)
{
	printf("badcall: %s -> %ld\n", what, ret);
	return ret == want;
}

int main(void)
{
	uint32_t mem_size = denali_vregs()->mem_size;
	uintptr_t buf = (uintptr_t)msg;
	int ok = 1;

	/* The first byte past the end of memory. */
	ok &= check("buffer outside memory",
		    denali_hypercall2(DENALI_HC_CONSOLE_WRITE, mem_size,
				      sizeof(msg) - 1),
		    -EFAULT);
	/* buf + len wraps past 4 GiB to 16: a 32-bit range check passes. */
	ok &= check("length wrapping past 4 GiB",
		    denali_hypercall2(DENALI_HC_CONSOLE_WRITE, buf,
				      (uint32_t)(0 - buf) + 16),
		    -EFAULT);
	ok &= check("unknown hypercall 99", denali_hypercall0(99), -ENOSYS);
	return ok ? 0 : 1;
}
