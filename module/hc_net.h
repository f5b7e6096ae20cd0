/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_HC_NET_H
#define _DENALI_HC_NET_H

#include <linux/types.h>

struct denali_frame;
struct denali_vm;
struct denali_vm_config;
struct netlink_ext_ack;

/*
 * Checks one send or receive descriptor against a memory of mem_size
 * bytes: the frame length (or buffer size) in bytes, or -EINVAL for a
 * send length outside DENALI_FRAME_MIN..MAX or a buffer shorter than a
 * minimal frame, or -EFAULT for a range outside memory.
 */
long denali_hc_net_check_send(u32 mem_size, const struct denali_frame *f);
long denali_hc_net_check_recv(u32 mem_size, const struct denali_frame *f);

/* DENALI_HC_NET_SEND and DENALI_HC_NET_RECV (see hc.h). */
bool denali_hc_net_send(struct denali_vm *vm, u32 gpa, u32 count);
bool denali_hc_net_recv(struct denali_vm *vm, u32 gpa, u32 count);

/* Gives the VM its switch port, with vm->mac; its vregs are mapped. */
int denali_net_vm_attach(struct denali_vm *vm,
			 const struct denali_vm_config *cfg,
			 struct netlink_ext_ack *extack);
/* Tears the VM's port down, once; it is ending. May sleep. */
void denali_net_vm_detach(struct denali_vm *vm);

#endif /* _DENALI_HC_NET_H */
