/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <denali.h>

/* The layout is the same for 32-bit guests and the 64-bit kernel. */
_Static_assert(offsetof(struct denali_vregs, tsc_khz) == 16, "vregs layout");
_Static_assert(offsetof(struct denali_vregs, irq_enabled) == 40,
	       "vregs layout");
_Static_assert(offsetof(struct denali_vregs, mac) == 48, "vregs layout");
_Static_assert(offsetof(struct denali_vregs, disk_blocks) == 64,
	       "vregs layout");
_Static_assert(offsetof(struct denali_vregs, cmdline) == 128, "vregs layout");
_Static_assert(sizeof(struct denali_vregs) == 384, "vregs layout");

/* ns_base + (tsc - tsc_base) * 1000000 / tsc_khz without overflow. */
static uint64_t tsc_to_ns(uint64_t tsc, uint64_t tsc_khz, uint64_t tsc_base,
			  uint64_t ns_base)
{
	uint64_t delta, ms, rest;

	if (!tsc_khz || tsc < tsc_base)
		return ns_base;
	/*
	 * delta * 1000000 overflows after 2^64 / 10^6 cycles (about 100
	 * minutes at 3 GHz), so convert whole milliseconds and the rest
	 * (less than tsc_khz cycles) apart.
	 */
	delta = tsc - tsc_base;
	ms = delta / tsc_khz;
	rest = delta % tsc_khz;
	return ns_base + ms * 1000000 + rest * 1000000 / tsc_khz;
}

uint64_t denali_now_ns(void)
{
	const volatile struct denali_vregs *vr = denali_vregs();
	uint64_t khz, base, ns, tsc;

	/*
	 * The kernel changes the clock fields only while the VM is off its
	 * CPU, which can happen between any two of our loads. Read them on
	 * both sides of the rdtsc and retry until nothing moved, so a torn
	 * 64-bit field or a TSC read against the other parameters is never
	 * used.
	 */
	for (;;) {
		khz = vr->tsc_khz;
		base = vr->tsc_base;
		ns = vr->ns_base;
		tsc = denali_rdtsc();
		if (khz == vr->tsc_khz && base == vr->tsc_base &&
		    ns == vr->ns_base)
			break;
	}
	return tsc_to_ns(tsc, khz, base, ns);
}

unsigned int denali_cmdline(char *buf, unsigned int size)
{
	const volatile char *src = denali_vregs()->cmdline;
	unsigned int i;

	if (!size)
		return 0;
	for (i = 0; i < size - 1 && i < DENALI_VREGS_CMDLINE_MAX; i++) {
		buf[i] = src[i];
		if (!buf[i])
			return i;
	}
	buf[i] = '\0';
	return i;
}
