/* SPDX-License-Identifier: MIT */
/*
 * Cooperative threads, as in Denali's Ilwaco: each has its own stack
 * (from malloc()), and a thread runs until it yields, blocks, sleeps or
 * exits; nothing preempts it. When no thread can run, the scheduler
 * idles the VM until the next timer deadline, or until an upcall makes
 * one runnable.
 *
 * The package runs with upcalls enabled: threads start with them on and
 * the scheduler turns them on while it idles. Sleeping uses the software
 * timers of <denali.h>. None of these calls may be made from an upcall
 * handler, except thread_cond_signal() and thread_cond_broadcast(): they
 * only make threads runnable, as the timers' callbacks do, so a handler
 * can wake the thread that waits for its interrupt. x87 and SSE
 * registers are not switched: threads that use them must not yield with
 * live values in them.
 */
#ifndef _DENALI_THREAD_H
#define _DENALI_THREAD_H

#include <stdint.h>

#define THREAD_STACK_SIZE	(16 * 1024)

struct thread;

/* A FIFO of blocked threads. */
struct thread_queue {
	struct thread *head, *tail;
};

struct thread_mutex {
	struct thread *owner;
	struct thread_queue waiters;
};

struct thread_cond {
	struct thread_queue waiters;
};

#define THREAD_MUTEX_INIT	{ 0 }
#define THREAD_COND_INIT	{ 0 }

/*
 * Starts fn(arg) in a new thread with a THREAD_STACK_SIZE stack; it runs
 * once the caller yields or blocks. Returns NULL when memory is short.
 * Returning from fn is thread_exit() with its value. Returning from
 * main() still ends the VM, whatever other threads are doing.
 */
struct thread *thread_create(void *(*fn)(void *arg), void *arg);

/* The calling thread; main() runs as thread 0. */
struct thread *thread_self(void);
unsigned int thread_id(const struct thread *t);

/* Lets every other runnable thread run once before the caller again. */
void thread_yield(void);

/*
 * Ends the calling thread; thread_join() gets ret. The last thread to
 * exit ends the VM with code 0.
 */
void thread_exit(void *ret) __attribute__((noreturn));

/*
 * Waits for t to exit, stores its value in *ret (when ret is not NULL)
 * and frees it. Returns 0, or -1 when t is the caller or another thread
 * joins it already. Threads nobody joins keep their memory.
 */
int thread_join(struct thread *t, void **ret);

/* Blocks for at least usec microseconds, or until deadline_ns. */
void thread_sleep(uint64_t usec);
void thread_sleep_until(uint64_t deadline_ns);

void thread_mutex_init(struct thread_mutex *m);
void thread_mutex_lock(struct thread_mutex *m);
void thread_mutex_unlock(struct thread_mutex *m);

/*
 * Condition variables, used with a mutex the caller holds. A woken
 * waiter holds the mutex again when thread_cond_wait() returns; it must
 * recheck its condition, which may have changed since the signal.
 */
void thread_cond_init(struct thread_cond *c);
void thread_cond_wait(struct thread_cond *c, struct thread_mutex *m);
void thread_cond_signal(struct thread_cond *c);
void thread_cond_broadcast(struct thread_cond *c);

#endif /* _DENALI_THREAD_H */
