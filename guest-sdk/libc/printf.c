/* SPDX-License-Identifier: MIT */
/*
 * The printf family. One formatter writes into a struct sink: snprintf's
 * sink is the caller's buffer; printf's is a stack buffer flushed to the
 * console when full and once at the end, so a printf of up to
 * STDIO_BUFSIZ bytes is one console hypercall.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <denali.h>

struct sink {
	char *buf;
	size_t size;		/* bytes buf can take */
	size_t pos;		/* bytes in buf */
	size_t total;		/* bytes produced */
	void (*flush)(struct sink *s);	/* NULL: drop what does not fit */
};

static void put(struct sink *s, char c)
{
	if (s->pos == s->size && s->flush)
		s->flush(s);
	if (s->pos < s->size)
		s->buf[s->pos++] = c;
	s->total++;
}

static void put_n(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

static void put_str(struct sink *s, const char *str, size_t len)
{
	while (len--)
		put(s, *str++);
}

#define F_LEFT		0x01
#define F_ZERO		0x02
#define F_PLUS		0x04
#define F_SPACE		0x08
#define F_ALT		0x10
#define F_UPPER		0x20

struct spec {
	unsigned int flags;
	int width;
	int prec;		/* -1: none */
};

/* Writes the digits of v in base 10 or 16, last digit first. */
static int digits(char *out, uint64_t v, unsigned int base, int upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	/* Stay in 32 bits where we can: 64-bit division is a libgcc call. */
	while (v > 0xffffffffULL) {
		out[n++] = set[v % base];
		v /= base;
	}
	for (uint32_t w = v; w; w /= base)
		out[n++] = set[w % base];
	return n;
}

static void put_num(struct sink *s, uint64_t v, int negative,
		    unsigned int base, const struct spec *sp)
{
	char buf[24];		/* 2^64 has 20 decimal digits */
	const char *prefix = "";
	int n, zeros, pad;

	n = digits(buf, v, base, sp->flags & F_UPPER);
	zeros = sp->prec > n ? sp->prec - n : 0;
	if (sp->prec < 0 && !n)
		zeros = 1;	/* 0 prints as "0" unless ".0" asked for none */

	if (negative)
		prefix = "-";
	else if (sp->flags & F_PLUS)
		prefix = "+";
	else if (sp->flags & F_SPACE)
		prefix = " ";
	else if ((sp->flags & F_ALT) && base == 16 && v)
		prefix = sp->flags & F_UPPER ? "0X" : "0x";

	pad = sp->width - (int)strlen(prefix) - zeros - n;
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		put_n(s, ' ', pad);
	put_str(s, prefix, strlen(prefix));
	put_n(s, '0', zeros);
	while (n)
		put(s, buf[--n]);
	if (sp->flags & F_LEFT)
		put_n(s, ' ', pad);
}

static void put_padded(struct sink *s, const char *str, size_t len,
		       const struct spec *sp)
{
	int pad = sp->width - (int)len;

	if (!(sp->flags & F_LEFT))
		put_n(s, ' ', pad);
	put_str(s, str, len);
	if (sp->flags & F_LEFT)
		put_n(s, ' ', pad);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG };

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		struct spec sp = { .flags = 0, .width = 0, .prec = -1 };
		enum length len = LEN_INT;
		const char *start = fmt;
		unsigned int base = 10;
		int is_signed = 0;
		uint64_t u;
		int64_t v;
		char c;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}

		for (;;) {
			switch (*++fmt) {
			case '-':
				sp.flags |= F_LEFT;
				continue;
			case '0':
				sp.flags |= F_ZERO;
				continue;
			case '+':
				sp.flags |= F_PLUS;
				continue;
			case ' ':
				sp.flags |= F_SPACE;
				continue;
			case '#':
				sp.flags |= F_ALT;
				continue;
			}
			break;
		}

		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.flags |= F_LEFT;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + *fmt++ - '0';
		}

		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + *fmt++ - '0';
			}
		}

		switch (*fmt) {
		case 'h':
			len = LEN_SHORT;
			if (*++fmt == 'h') {
				len = LEN_CHAR;
				fmt++;
			}
			break;
		case 'l':
			len = LEN_LONG;
			if (*++fmt == 'l') {
				len = LEN_LLONG;
				fmt++;
			}
			break;
		case 'j':
			len = LEN_LLONG;	/* intmax_t */
			fmt++;
			break;
		case 'z':
		case 't':
			len = LEN_LONG;		/* size_t, ptrdiff_t */
			fmt++;
			break;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			is_signed = 1;
			break;
		case 'u':
			break;
		case 'X':
			sp.flags |= F_UPPER;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'p':
			put_str(s, "0x", 2);
			sp.width = sp.width > 2 ? sp.width - 2 : 0;
			sp.flags &= ~(F_ALT | F_PLUS | F_SPACE);
			put_num(s, (uintptr_t)va_arg(ap, void *), 0, 16, &sp);
			continue;
		case 'c':
			c = (char)va_arg(ap, int);
			put_padded(s, &c, 1, &sp);
			continue;
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			put_padded(s, str, sp.prec < 0 ? strlen(str) :
				   strnlen(str, sp.prec), &sp);
			continue;
		}
		case '%':
			put(s, '%');
			continue;
		default:
			/* Unknown: print it as written. */
			if (!*fmt)
				fmt--;
			put_str(s, start, fmt - start + 1);
			continue;
		}

		if (is_signed) {
			switch (len) {
			case LEN_LLONG:
				v = va_arg(ap, long long);
				break;
			case LEN_LONG:
				v = va_arg(ap, long);
				break;
			case LEN_SHORT:
				v = (short)va_arg(ap, int);
				break;
			case LEN_CHAR:
				v = (signed char)va_arg(ap, int);
				break;
			default:
				v = va_arg(ap, int);
				break;
			}
			/* Negate in unsigned arithmetic: INT64_MIN has no -v. */
			u = v < 0 ? -(uint64_t)v : (uint64_t)v;
			put_num(s, u, v < 0, base, &sp);
		} else {
			switch (len) {
			case LEN_LLONG:
				u = va_arg(ap, unsigned long long);
				break;
			case LEN_LONG:
				u = va_arg(ap, unsigned long);
				break;
			case LEN_SHORT:
				u = (unsigned short)va_arg(ap, unsigned int);
				break;
			case LEN_CHAR:
				u = (unsigned char)va_arg(ap, unsigned int);
				break;
			default:
				u = va_arg(ap, unsigned int);
				break;
			}
			sp.flags &= ~(F_PLUS | F_SPACE);
			put_num(s, u, 0, base, &sp);
		}
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {
		.buf = buf,
		.size = size ? size - 1 : 0,	/* room for the NUL */
	};

	format(&s, fmt, ap);
	if (size)
		buf[s.pos] = '\0';
	return s.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

static void console_flush(struct sink *s)
{
	if (s->pos)
		denali_console_write(s->buf, s->pos);
	s->pos = 0;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[STDIO_BUFSIZ];
	struct sink s = {
		.buf = buf,
		.size = sizeof(buf),
		.flush = console_flush,
	};

	format(&s, fmt, ap);
	console_flush(&s);
	return s.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vprintf(fmt, ap);
	va_end(ap);
	return ret;
}

int puts(const char *s)
{
	char buf[STDIO_BUFSIZ];
	size_t len = strlen(s);

	/* One hypercall for the line and its newline when they fit. */
	if (len < sizeof(buf)) {
		memcpy(buf, s, len);
		buf[len] = '\n';
		return denali_console_write(buf, len + 1) < 0 ? EOF : 0;
	}
	if (denali_console_write(s, len) < 0 ||
	    denali_console_write("\n", 1) < 0)
		return EOF;
	return 0;
}

int putchar(int c)
{
	char ch = c;

	return denali_console_write(&ch, 1) == 1 ? (unsigned char)ch : EOF;
}
