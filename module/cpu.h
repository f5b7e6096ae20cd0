/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_CPU_H
#define _DENALI_CPU_H

/*
 * Enables the backend's virtualization extensions on every online CPU,
 * and on CPUs that come online later, for as long as Denali is loaded.
 * Its CPU hotplug state comes before the runners' (sched.h), so it is
 * set up before them and torn down after them.
 */
int denali_cpu_init(void);
void denali_cpu_exit(void);

#endif /* _DENALI_CPU_H */
