/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_NETLINK_H
#define _DENALI_NETLINK_H

#include <linux/types.h>

struct denali_vm;
struct netlink_ext_ack;

int denali_netlink_init(void);
void denali_netlink_exit(void);
/* Tells the "events" group that a VM changed state. */
void denali_netlink_notify(struct denali_vm *vm);

/* Attribute checks beyond what the policy can say. */
int denali_nl_check_name(const char *name, struct netlink_ext_ack *extack);
int denali_nl_check_mem_size(u32 size, struct netlink_ext_ack *extack);

#endif /* _DENALI_NETLINK_H */
