/* SPDX-License-Identifier: MIT */
/*
 * What libdisk's disk.c needs of <denali.h>, for its host test: the
 * virtual registers, the upcall flag and handlers, and the two disk
 * hypercalls, all provided by test-libdisk.c's simulated kernel.
 */
#ifndef _DENALI_H
#define _DENALI_H

#include <stdint.h>
#include <linux/denali_abi.h>

#define DENALI_IRQS	32

typedef void (*denali_irq_handler_t)(unsigned int irq, void *arg);

extern struct denali_vregs test_vregs;
extern int test_irq_enabled;

static inline const volatile struct denali_vregs *denali_vregs(void)
{
	return &test_vregs;
}

int denali_irq_register(unsigned int irq, denali_irq_handler_t handler,
			void *arg);

static inline void denali_irq_enable(void)
{
	test_irq_enabled = 1;
}

static inline void denali_irq_disable(void)
{
	test_irq_enabled = 0;
}

static inline int denali_irq_save(void)
{
	int was = test_irq_enabled;

	test_irq_enabled = 0;
	return was;
}

static inline void denali_irq_restore(int was)
{
	test_irq_enabled = was;
}

long denali_disk_submit(const struct denali_disk_req *reqs,
			unsigned int count);
long denali_disk_reap(struct denali_disk_done *done, unsigned int count);

#endif /* _DENALI_H */
