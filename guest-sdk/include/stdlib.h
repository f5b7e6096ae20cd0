/* SPDX-License-Identifier: MIT */
#ifndef _DENALI_STDLIB_H
#define _DENALI_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS	0
#define EXIT_FAILURE	1

/*
 * The heap: first fit over the memory between the end of .bss and
 * DENALI_STACK_RESERVE bytes below the top of memory (the stack).
 */
#define DENALI_STACK_RESERVE	(64 * 1024)

void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);

void abort(void) __attribute__((noreturn));
void exit(int code) __attribute__((noreturn));

long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
int atoi(const char *s);

#endif /* _DENALI_STDLIB_H */
