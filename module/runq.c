// SPDX-License-Identifier: GPL-2.0
/* The run queue's policy; see runq.h. */
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
