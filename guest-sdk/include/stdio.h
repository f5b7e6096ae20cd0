/* SPDX-License-Identifier: MIT */
/*
 * Console output. printf() formats into a buffer and writes it with one
 * console hypercall (more only for output beyond STDIO_BUFSIZ bytes).
 * Conversions: %d %i %u %x %X %p %s %c %%, flags '-' '0' '+' ' ' '#',
 * width and precision (also '*'), modifiers hh h l ll z t j.
 */
#ifndef _DENALI_STDIO_H
#define _DENALI_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF		(-1)
#define STDIO_BUFSIZ	1024

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int puts(const char *s);
int putchar(int c);

#endif /* _DENALI_STDIO_H */
