/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_HC_H
#define _DENALI_HC_H

#include <linux/types.h>

struct denali_vm;

/*
 * What every hypercall handler shares. A handler takes the guest's EBX
 * and ECX and returns false when the VM must leave its CPU; one that
 * returns to the guest gives it its result with denali_hc_return().
 */

/* Traces the hypercall in EAX and puts ret there; returns true. */
bool denali_hc_return(struct denali_vm *vm, long ret);

/*
 * Checks a guest buffer argument: returns the number of bytes to use
 * (at most max) or a negative errno.
 */
long denali_hc_buffer(u32 mem_size, u32 gpa, u32 len, u32 max);

#endif /* _DENALI_HC_H */
