/* SPDX-License-Identifier: MIT */
/*
 * Games the post-idle boost: burns burn_us= (default 9000) microseconds
 * of CPU, then idles idle_us= (default 1) microseconds, forever. Idling
 * that briefly earns the boost of a VM woken from idle each time; a fair
 * scheduler still gives it no more than its share.
 *
 * The burn is work, not time: a loop count measured once at the start,
 * so that a burst takes as much CPU however often the VM is preempted
 * in it (a burst timed by the clock would end early after a preemption,
 * and the VM would ask for less than it says).
 */
#include "hostile.h"

/* Spins n times; the asm keeps the compiler from folding the loop. */
static void spin(unsigned long n)
{
	while (n--)
		asm volatile("" ::: "memory");
}

int main(void)
{
	uint64_t burn = hostile_num("burn_us", 9000) * 1000ULL;
	unsigned int idle = hostile_num("idle_us", 1);
	unsigned long rounds = 0, loops = 1 << 16;
	uint64_t t, took, again;
	int i;

	/* Grow a trial until it takes a millisecond. */
	for (;;) {
		t = denali_now_ns();
		spin(loops);
		took = denali_now_ns() - t;
		if (took >= 1000000)
			break;
		loops *= 2;
	}
	/*
	 * Keep the fastest of a few more: a trial that was preempted took
	 * longer than its work, and a gamer that scaled from it would burn
	 * less than it says (under emulation, ten times less).
	 */
	for (i = 0; i < 8; i++) {
		t = denali_now_ns();
		spin(loops);
		again = denali_now_ns() - t;
		if (again < took)
			took = again;
	}
	loops = (unsigned long)((uint64_t)loops * burn / took);
	printf("boostgame: burn %lu us (%lu loops), idle %u us\n",
	       (unsigned long)(burn / 1000), loops, idle);
	for (;;) {
		spin(loops);
		denali_idle(idle);
		if (!(++rounds % 1000))
			printf("boostgame: %lu rounds\n", rounds);
	}
}
