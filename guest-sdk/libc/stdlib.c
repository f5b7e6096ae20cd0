/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <denali.h>

void exit(int code)
{
	denali_terminate(code);
}

void abort(void)
{
	denali_terminate(DENALI_EXIT_ABORT);
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

/*
 * The common part of strtoul() and strtol(): white space, a sign, a base
 * prefix, then digits. Saturates at ULONG_MAX; *neg reports the sign.
 */
static unsigned long parse(const char *s, char **end, int base, bool *neg)
{
	const char *p = s;
	unsigned long v = 0;
	bool any = false, overflow = false;
	int d;

	*neg = false;
	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	/* "0x" counts as a prefix only when a hex digit follows it. */
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (; (d = digit_value(*p)) < base; p++) {
		any = true;
		if (v > (ULONG_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	return overflow ? ULONG_MAX : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	bool neg;
	unsigned long v = parse(s, end, base, &neg);

	/* As in C: "-1" is ULONG_MAX, but an overflow stays ULONG_MAX. */
	return neg && v != ULONG_MAX ? -v : v;
}

long strtol(const char *s, char **end, int base)
{
	bool neg;
	unsigned long v = parse(s, end, base, &neg);

	if (neg)
		return v > (unsigned long)LONG_MAX + 1 ? LONG_MIN : -(long)(v - 1) - 1;
	return v > LONG_MAX ? LONG_MAX : (long)v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}
