/* SPDX-License-Identifier: MIT */
/*
 * Threads and timers: three threads tick every 100, 250 and 500 ms for
 * the command line's seconds (default 3), each tick counted under a
 * mutex in a shared counter; main waits on a condition variable until
 * the counter reaches the total, joins the threads and checks every
 * count. Prints "ticker: thread T tick N" per tick and "ticker: done";
 * exits 0, or 1 when a count is wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <denali.h>
#include <thread.h>

#define NSEC_PER_MSEC	1000000ULL
#define TICKERS		3

struct ticker {
	unsigned int index;
	unsigned long period_ms;
	unsigned long want;	/* ticks expected */
	unsigned long ticks;	/* ticks done, under lock */
	struct thread *thread;
};

static struct thread_mutex lock = THREAD_MUTEX_INIT;
static struct thread_cond changed = THREAD_COND_INIT;
static unsigned long total;
static uint64_t start_ns;

static void *tick(void *arg)
{
	struct ticker *tk = arg;
	unsigned long i;

	for (i = 1; i <= tk->want; i++) {
		/* Absolute deadlines: late wakeups do not add up. */
		thread_sleep_until(start_ns + i * tk->period_ms *
				   NSEC_PER_MSEC);
		thread_mutex_lock(&lock);
		tk->ticks++;
		total++;
		printf("ticker: thread %u tick %lu\n", tk->index, tk->ticks);
		thread_cond_signal(&changed);
		thread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(void)
{
	static const unsigned long periods_ms[TICKERS] = { 100, 250, 500 };
	struct ticker tickers[TICKERS];
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	unsigned long seconds = 3, want_total = 0;
	unsigned int i;
	int ok = 1;

	if (denali_cmdline(cmdline, sizeof(cmdline)))
		seconds = strtoul(cmdline, NULL, 10);

	start_ns = denali_now_ns();
	for (i = 0; i < TICKERS; i++) {
		tickers[i].index = i + 1;
		tickers[i].period_ms = periods_ms[i];
		tickers[i].want = seconds * 1000 / periods_ms[i];
		tickers[i].ticks = 0;
		want_total += tickers[i].want;
		tickers[i].thread = thread_create(tick, &tickers[i]);
		if (!tickers[i].thread) {
			printf("ticker: out of memory for thread %u\n", i + 1);
			return 1;
		}
	}

	thread_mutex_lock(&lock);
	while (total < want_total)
		thread_cond_wait(&changed, &lock);
	thread_mutex_unlock(&lock);

	for (i = 0; i < TICKERS; i++) {
		thread_join(tickers[i].thread, NULL);
		if (tickers[i].ticks != tickers[i].want) {
			printf("ticker: thread %u ticked %lu times, want %lu\n",
			       tickers[i].index, tickers[i].ticks,
			       tickers[i].want);
			ok = 0;
		}
	}
	printf("ticker: done\n");
	return ok ? 0 : 1;
}
