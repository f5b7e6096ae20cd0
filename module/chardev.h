/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_CHARDEV_H
#define _DENALI_CHARDEV_H

/* /dev/denali: hands out per-VM file descriptors such as consoles. */
int denali_chardev_init(void);
void denali_chardev_exit(void);

#endif /* _DENALI_CHARDEV_H */
