/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <stdio.h>
#include <denali.h>

void __assert_fail(const char *expr, const char *file, unsigned int line,
		   const char *func)
{
	printf("%s:%u: %s: assertion failed: %s\n", file, line, func, expr);
	denali_terminate(DENALI_EXIT_ABORT);
}
