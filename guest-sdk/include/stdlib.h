/* SPDX-License-Identifier: MIT */
#ifndef _DENALI_STDLIB_H
#define _DENALI_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS	0
#define EXIT_FAILURE	1

/* Both end the VM: there is nothing to return to. */
void abort(void) __attribute__((noreturn));
void exit(int code) __attribute__((noreturn));

long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
int atoi(const char *s);

/*
 * A heap between the end of the image and the last 64 KiB of memory,
 * which stay for the main stack. Never call these from upcall handlers.
 */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void free(void *ptr);

#endif /* _DENALI_STDLIB_H */
