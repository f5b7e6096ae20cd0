/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_NETLINK_H
#define _DENALI_NETLINK_H

#include <linux/types.h>

#include "vm.h"

struct netlink_ext_ack;
struct sk_buff;

int denali_netlink_init(void);
void denali_netlink_exit(void);

/* Attribute checks beyond what the policy can say. */
int denali_nl_check_name(const char *name, struct netlink_ext_ack *extack);
int denali_nl_check_disk_name(const char *name, struct netlink_ext_ack *extack);
int denali_nl_check_mem_size(u32 size, struct netlink_ext_ack *extack);

/* A VM's counters besides the network's, as one reply reports them. */
struct denali_nl_vm_counters {
	struct denali_vm_stats stats;
	u64 resident_pages;
};

/* DENALI_A_VM_STATS: every counter, each a u64 attribute. */
int denali_nl_put_stats(struct sk_buff *skb,
			const struct denali_nl_vm_counters *counters,
			const struct denali_net_stats *net);

#endif /* _DENALI_NETLINK_H */
