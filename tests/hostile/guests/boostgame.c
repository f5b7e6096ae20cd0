/* SPDX-License-Identifier: MIT */
/*
 * Games the post-idle boost: burns burn_us= (default 9000) microseconds
 * of its own clock, then idles idle_us= (default 1) microseconds, forever.
 * Idling that briefly earns the boost of a VM woken from idle each time;
 * a fair scheduler still gives it no more than its share.
 */
#include "hostile.h"

int main(void)
{
	uint64_t burn = hostile_num("burn_us", 9000) * 1000ULL;
	unsigned int idle = hostile_num("idle_us", 1);
	unsigned long rounds = 0;
	uint64_t t;

	printf("boostgame: burn %lu us, idle %u us\n",
	       (unsigned long)(burn / 1000), idle);
	for (;;) {
		t = denali_now_ns();
		while (denali_now_ns() - t < burn)
			asm volatile("pause");
		denali_idle(idle);
		if (!(++rounds % 1000))
			printf("boostgame: %lu rounds\n", rounds);
	}
}
