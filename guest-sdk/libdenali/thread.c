/* SPDX-License-Identifier: MIT */
/*
 * The cooperative thread package (see <thread.h>). Run queue and wait
 * queues change with upcalls disabled, because timer callbacks, which
 * run in upcalls, make sleeping threads runnable.
 */
#include <stdlib.h>
#include <string.h>
#include <denali.h>
#include <thread.h>

#define NSEC_PER_USEC	1000U

enum thread_state {
	THREAD_RUNNING,
	THREAD_RUNNABLE,
	THREAD_BLOCKED,
	THREAD_EXITED,
};

struct thread {
	uint32_t esp;			/* saved by __thread_switch */
	enum thread_state state;
	unsigned int id;
	struct thread *next;		/* in the run queue or a wait queue */
	struct thread *joiner;
	void *(*fn)(void *arg);
	void *arg;
	void *ret;
	void *stack;			/* NULL for the main thread */
	struct denali_timer timer;	/* thread_sleep_until() */
};

void __thread_switch(uint32_t *save_esp, uint32_t new_esp);

static struct thread main_thread = { .state = THREAD_RUNNING };
static struct thread *current = &main_thread;
static struct thread_queue run_queue;
static unsigned int next_id = 1;
static unsigned int live_threads = 1;

static void queue_push(struct thread_queue *q, struct thread *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

static struct thread *queue_pop(struct thread_queue *q)
{
	struct thread *t = q->head;

	if (t) {
		q->head = t->next;
		if (!q->head)
			q->tail = NULL;
		t->next = NULL;
	}
	return t;
}

/* Upcalls disabled. */
static void wake(struct thread *t)
{
	if (t->state == THREAD_BLOCKED) {
		t->state = THREAD_RUNNABLE;
		queue_push(&run_queue, t);
	}
}

/*
 * Idles until the earliest timer deadline, or for good when there is
 * none: an upcall ends the idle. Upcalls disabled on entry and return.
 */
static void idle(void)
{
	uint64_t deadline = denali_timer_next(), now = denali_now_ns(), usec;
	unsigned int timeout = DENALI_IDLE_FOREVER;

	if (deadline != UINT64_MAX) {
		if (deadline <= now) {
			denali_timer_run();
			return;
		}
		usec = (deadline - now + NSEC_PER_USEC - 1) / NSEC_PER_USEC;
		timeout = usec < DENALI_IDLE_FOREVER ?
			  (unsigned int)usec : DENALI_IDLE_FOREVER - 1;
	}
	denali_irq_idle(timeout);
	denali_irq_disable();
	/* Woken by the timeout before the timer's upcall came: run them. */
	denali_timer_run();
}

/*
 * Switches to the next runnable thread, idling until there is one. The
 * caller has set its own state (and queued itself when runnable).
 * Upcalls disabled on entry and return.
 */
static void schedule(void)
{
	struct thread *prev = current, *next;

	while (!(next = queue_pop(&run_queue)))
		idle();
	next->state = THREAD_RUNNING;
	if (next == prev)
		return;
	current = next;
	__thread_switch(&prev->esp, next->esp);
}

static void thread_start(void) __attribute__((noreturn, used));
static void thread_start(void)
{
	/* schedule() switched here with upcalls disabled. */
	denali_irq_enable();
	thread_exit(current->fn(current->arg));
}

struct thread *thread_create(void *(*fn)(void *arg), void *arg)
{
	struct thread *t = calloc(1, sizeof(*t));
	uint32_t *sp;
	int was;

	if (!t)
		return NULL;
	t->stack = malloc(THREAD_STACK_SIZE);
	if (!t->stack) {
		free(t);
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;

	/*
	 * What __thread_switch() pops: edi, esi, ebx, ebp, then the return
	 * address, thread_start, entered as if called (a return address
	 * slot above it) with a 16-byte aligned stack as the ABI wants.
	 */
	sp = (uint32_t *)((char *)t->stack + THREAD_STACK_SIZE);
	*--sp = 0;			/* thread_start's return address */
	*--sp = (uint32_t)thread_start;
	*--sp = 0;			/* ebp: the end of frame chains */
	*--sp = 0;			/* ebx */
	*--sp = 0;			/* esi */
	*--sp = 0;			/* edi */
	t->esp = (uint32_t)sp;

	was = denali_irq_save();
	t->id = next_id++;
	live_threads++;
	t->state = THREAD_RUNNABLE;
	queue_push(&run_queue, t);
	denali_irq_restore(was);
	return t;
}

struct thread *thread_self(void)
{
	return current;
}

unsigned int thread_id(const struct thread *t)
{
	return t->id;
}

void thread_yield(void)
{
	int was = denali_irq_save();

	current->state = THREAD_RUNNABLE;
	queue_push(&run_queue, current);
	schedule();
	denali_irq_restore(was);
}

void thread_exit(void *ret)
{
	denali_irq_disable();
	current->ret = ret;
	current->state = THREAD_EXITED;
	if (current->joiner)
		wake(current->joiner);
	if (!--live_threads)
		denali_terminate(0);
	/* The joiner frees this stack, once we are off it for good. */
	schedule();
	__builtin_unreachable();
}

int thread_join(struct thread *t, void **ret)
{
	int was;

	if (t == current || t->joiner)
		return -1;
	was = denali_irq_save();
	t->joiner = current;
	while (t->state != THREAD_EXITED) {
		current->state = THREAD_BLOCKED;
		schedule();
	}
	denali_irq_restore(was);
	if (ret)
		*ret = t->ret;
	if (t != &main_thread) {
		free(t->stack);
		free(t);
	}
	return 0;
}

static void sleep_done(struct denali_timer *timer, void *arg)
{
	(void)timer;
	wake(arg);
}

void thread_sleep_until(uint64_t deadline_ns)
{
	int was = denali_irq_save();

	if (deadline_ns > denali_now_ns()) {
		denali_timer_add(&current->timer, deadline_ns, sleep_done,
				 current);
		current->state = THREAD_BLOCKED;
		schedule();
	}
	denali_irq_restore(was);
}

void thread_sleep(uint64_t usec)
{
	thread_sleep_until(denali_now_ns() + usec * NSEC_PER_USEC);
}

void thread_mutex_init(struct thread_mutex *m)
{
	memset(m, 0, sizeof(*m));
}

void thread_mutex_lock(struct thread_mutex *m)
{
	int was = denali_irq_save();

	while (m->owner) {
		queue_push(&m->waiters, current);
		current->state = THREAD_BLOCKED;
		schedule();
	}
	m->owner = current;
	denali_irq_restore(was);
}

/* Upcalls disabled. */
static void mutex_release(struct thread_mutex *m)
{
	struct thread *t;

	m->owner = NULL;
	/* The woken thread competes for it again: see the loop above. */
	t = queue_pop(&m->waiters);
	if (t)
		wake(t);
}

void thread_mutex_unlock(struct thread_mutex *m)
{
	int was = denali_irq_save();

	mutex_release(m);
	denali_irq_restore(was);
}

void thread_cond_init(struct thread_cond *c)
{
	memset(c, 0, sizeof(*c));
}

void thread_cond_wait(struct thread_cond *c, struct thread_mutex *m)
{
	int was = denali_irq_save();

	/* Queued before the mutex goes: no signal between can be lost. */
	queue_push(&c->waiters, current);
	current->state = THREAD_BLOCKED;
	mutex_release(m);
	schedule();
	denali_irq_restore(was);
	thread_mutex_lock(m);
}

void thread_cond_signal(struct thread_cond *c)
{
	int was = denali_irq_save();
	struct thread *t = queue_pop(&c->waiters);

	if (t)
		wake(t);
	denali_irq_restore(was);
}

void thread_cond_broadcast(struct thread_cond *c)
{
	int was = denali_irq_save();
	struct thread *t;

	while ((t = queue_pop(&c->waiters)))
		wake(t);
	denali_irq_restore(was);
}
