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
#include <linux/types.h>

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

/*
 * The boost is bounded by what idling earned: a VM's balance grows by
 * the time it idled, up to one quantum, and a boosted run spends it;
 * a run past the balance (a quantum ends only at an exit) leaves a debt
 * that later idling pays first. A VM is boosted only with a positive
 * balance, so a VM that idles for a moment between long bursts gains
 * that moment and no more: it cannot take the CPU from VMs that never
 * idle by gaming the boost.
 */
s64 denali_runq_boost_earn(s64 balance, u64 idle_ns, u64 quantum_ns);
s64 denali_runq_boost_spend(s64 balance, u64 ran_ns, u64 quantum_ns);

#endif /* _DENALI_RUNQ_H */
