/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_HC_DISK_H
#define _DENALI_HC_DISK_H

#include <linux/types.h>

struct denali_vm;
struct denali_vm_config;
struct netlink_ext_ack;

/* DENALI_HC_DISK_SUBMIT and DENALI_HC_DISK_REAP (see hc.h). */
bool denali_hc_disk_submit(struct denali_vm *vm, u32 gpa, u32 count);
bool denali_hc_disk_reap(struct denali_vm *vm, u32 gpa, u32 count);

/* Attaches cfg's disks and tells the guest of them in its vregs. */
int denali_disk_vm_attach(struct denali_vm *vm,
			  const struct denali_vm_config *cfg,
			  struct netlink_ext_ack *extack);
/*
 * The VM is ending and off its CPU: its completions stop reaching it,
 * and its disks are detached once the I/O in flight is done. Never
 * waits for that I/O.
 */
void denali_disk_vm_detach(struct denali_vm *vm);

#endif /* _DENALI_HC_DISK_H */
