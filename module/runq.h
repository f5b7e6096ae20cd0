/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run queue's policy, apart from its locking so that KUnit can test
 * it: VMs woken from idling (the boost) run before the others, and each
 * class is first in, first out. A hurried VM (irq_mode=sync) goes before
 * everyone, as the raise that hurried it wants it to run next.
 *
 * The caller serializes all calls. A VM is queued while its node is on a
 * list; denali_runq_pop() leaves the node empty, so list_empty() on it
 * tells whether it is queued.
 */
#ifndef _DENALI_RUNQ_H
#define _DENALI_RUNQ_H

#include <linux/list.h>

struct denali_runq {
	struct list_head boosted;
	struct list_head normal;
};

void denali_runq_init(struct denali_runq *q);
bool denali_runq_empty(const struct denali_runq *q);

/* Queues node last in its class; it must not be queued already. */
void denali_runq_add(struct denali_runq *q, struct list_head *node,
		     bool boosted);

/* Moves a queued node to the very front. */
void denali_runq_hurry(struct denali_runq *q, struct list_head *node);

/* Takes the first node off the queue, or returns NULL when it is empty. */
struct list_head *denali_runq_pop(struct denali_runq *q);

#endif /* _DENALI_RUNQ_H */
