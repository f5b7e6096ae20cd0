// SPDX-License-Identifier: GPL-2.0
/* The run queue's policy; see runq.h. */
#include <linux/minmax.h>

#include "runq.h"

void denali_runq_init(struct denali_runq *q)
{
	INIT_LIST_HEAD(&q->boosted);
	INIT_LIST_HEAD(&q->normal);
}

bool denali_runq_empty(const struct denali_runq *q)
{
	return list_empty_careful(&q->boosted) &&
	       list_empty_careful(&q->normal);
}

void denali_runq_add(struct denali_runq *q, struct list_head *node,
		     bool boosted)
{
	list_add_tail(node, boosted ? &q->boosted : &q->normal);
}

void denali_runq_hurry(struct denali_runq *q, struct list_head *node)
{
	list_move(node, &q->boosted);
}

struct list_head *denali_runq_pop(struct denali_runq *q)
{
	struct list_head *head = list_empty(&q->boosted) ? &q->normal :
							   &q->boosted;
	struct list_head *node = head->next;

	if (node == head)
		return NULL;
	list_del_init(node);
	return node;
}

/* quantum_ns comes from a u32 of microseconds: no sum here can wrap. */
s64 denali_runq_boost_earn(s64 balance, u64 idle_ns, u64 quantum_ns)
{
	return min_t(s64, balance + (s64)min(idle_ns, quantum_ns),
		     (s64)quantum_ns);
}

s64 denali_runq_boost_spend(s64 balance, u64 ran_ns, u64 quantum_ns)
{
	return max_t(s64, balance - (s64)min(ran_ns, quantum_ns),
		     -(s64)quantum_ns);
}
