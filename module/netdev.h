/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_NETDEV_H
#define _DENALI_NETDEV_H

/*
 * The switch's uplink: an Ethernet net_device (netdev_name, "denali0"
 * by default) that is a port of the switch while it is up.
 */
int denali_netdev_init(void);
void denali_netdev_exit(void);

#endif /* _DENALI_NETDEV_H */
