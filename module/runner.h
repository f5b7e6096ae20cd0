/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_RUNNER_H
#define _DENALI_RUNNER_H

/*
 * Brings up a runner thread on every online CPU that runner_cpus names,
 * and on such CPUs that come online later; virtualization is enabled on
 * them first (see cpu.h), and the run queue is set up (sched.h).
 */
int denali_runner_init(void);
void denali_runner_exit(void);

#endif /* _DENALI_RUNNER_H */
