/* SPDX-License-Identifier: MIT */
#ifndef _DENALI_ASSERT_H
#define _DENALI_ASSERT_H

void __assert_fail(const char *expr, const char *file, unsigned int line,
		   const char *func) __attribute__((noreturn));

#endif /* _DENALI_ASSERT_H */

/* Outside the guard: each inclusion follows the NDEBUG of its place. */
#undef assert
#ifdef NDEBUG
#define assert(expr)	((void)0)
#else
#define assert(expr)	\
	((expr) ? (void)0 : __assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif
