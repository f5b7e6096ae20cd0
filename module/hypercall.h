/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_HYPERCALL_H
#define _DENALI_HYPERCALL_H

#include <linux/types.h>

struct denali_vm;

/*
 * Handles the hypercall in the VM's registers and puts the result in
 * EAX. Returns false when the VM must leave its CPU (it terminated or
 * idled). Each call has its handler in a front end (hc_console.c,
 * hc_net.c) or in hypercall.c; hc.h gives what the handlers share.
 */
bool denali_hypercall(struct denali_vm *vm);

#endif /* _DENALI_HYPERCALL_H */
