/* SPDX-License-Identifier: MIT */
/*
 * Software timers: a list sorted by deadline, with the one-shot virtual
 * timer armed for its head. Everything here runs with upcalls disabled,
 * so the list needs no other lock.
 */
#include <stddef.h>
#include <denali.h>

#define NSEC_PER_USEC	1000U

static struct denali_timer *timer_head;
/* The deadline the one-shot timer is set for; UINT64_MAX: not set. */
static uint64_t timer_armed = UINT64_MAX;
static int timer_irq_registered;

static void timer_arm(void)
{
	uint64_t now, usec;

	if (!timer_head || timer_head->deadline_ns == timer_armed)
		return;
	now = denali_now_ns();
	usec = 1;
	/* Round up: the timer may fire late, never before the deadline. */
	if (timer_head->deadline_ns > now)
		usec = (timer_head->deadline_ns - now + NSEC_PER_USEC - 1) /
		       NSEC_PER_USEC;
	if (denali_timer_set(usec) == 0)
		timer_armed = timer_head->deadline_ns;
}

void denali_timer_run(void)
{
	struct denali_timer *t;

	while ((t = timer_head) && t->deadline_ns <= denali_now_ns()) {
		timer_head = t->next;
		t->next = NULL;
		t->queued = 0;
		t->fn(t, t->arg);
	}
	timer_arm();
}

static void timer_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	timer_armed = UINT64_MAX;	/* it fired: nothing is set now */
	denali_timer_run();
}

static void timer_unlink(struct denali_timer *t)
{
	struct denali_timer **pp;

	for (pp = &timer_head; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->queued = 0;
}

void denali_timer_add(struct denali_timer *t, uint64_t deadline_ns,
		      denali_timer_fn_t fn, void *arg)
{
	struct denali_timer **pp;
	int was = denali_irq_save();

	if (!timer_irq_registered) {
		denali_irq_register(DENALI_IRQ_TIMER, timer_irq, NULL);
		timer_irq_registered = 1;
	}
	if (t->queued)
		timer_unlink(t);
	t->deadline_ns = deadline_ns;
	t->fn = fn;
	t->arg = arg;
	/* After any equal deadline: timers set alike run in order. */
	for (pp = &timer_head; *pp && (*pp)->deadline_ns <= deadline_ns;
	     pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->queued = 1;
	timer_arm();
	denali_irq_restore(was);
}

int denali_timer_cancel(struct denali_timer *t)
{
	int was = denali_irq_save();
	int queued = t->queued;

	/*
	 * The one-shot timer stays set for the old head: when it fires,
	 * denali_timer_run() finds nothing due and re-arms. Cheaper than
	 * a hypercall for every cancel.
	 */
	if (queued)
		timer_unlink(t);
	denali_irq_restore(was);
	return queued;
}

uint64_t denali_timer_next(void)
{
	return timer_head ? timer_head->deadline_ns : UINT64_MAX;
}
