/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_RUN_H
#define _DENALI_RUN_H

#include <linux/types.h>

struct denali_exit;
struct denali_vm;

/*
 * Makes the VM resident on the runner that owns it, before it runs:
 * the backend's state is made there so that it starts out local. On
 * failure the VM crashes and false is returned.
 */
bool denali_run_swap_in(struct denali_vm *vm);

/*
 * Runs a resident VM on the calling runner: delivers its interrupts,
 * switches its FPU state once it uses the FPU, enters the guest and
 * handles each exit, until deadline (ns, ktime_get_ns()), until
 * *end_slice is set (by another CPU or the runner's slice timer), or
 * until the VM must leave its CPU.
 */
void denali_run_slice(struct denali_vm *vm, u64 deadline,
		      const bool *end_slice);

/*
 * Sets the handler of hypercall exits, which the devices' layer above
 * provides: once at load, before any runner comes up. Like the exit
 * handlers, it returns false when the VM must leave its CPU.
 */
void denali_run_set_hypercall(bool (*handler)(struct denali_vm *vm));

/*
 * Handles one exit through the table of handlers indexed by its kind;
 * returns false when the VM must leave its CPU.
 */
bool denali_run_handle_exit(struct denali_vm *vm,
			    const struct denali_exit *exit);

#endif /* _DENALI_RUN_H */
