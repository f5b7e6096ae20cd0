/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_HYPERCALL_H
#define _DENALI_HYPERCALL_H

#include <linux/types.h>

struct denali_vm;

/* Most bytes one console write moves; a longer write is cut short. */
#define DENALI_CONSOLE_WRITE_MAX	4096
/* Most bytes of console input one read takes. */
#define DENALI_CONSOLE_READ_MAX		4096

/*
 * Handles the hypercall in the VM's registers and puts the result in
 * EAX. Returns false when the VM must leave its CPU (it terminated or
 * idled).
 */
bool denali_hypercall(struct denali_vm *vm);

/*
 * Checks a guest buffer argument: returns the number of bytes to use
 * (at most max) or a negative errno.
 */
long denali_hc_buffer(u32 mem_size, u32 gpa, u32 len, u32 max);

#endif /* _DENALI_HYPERCALL_H */
