/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_VMX_H
#define _DENALI_VMX_H

#include <linux/types.h>

/* vmx_run.S */
int denali_vmx_enter(unsigned long *gpr, unsigned long *host_rsp,
		     bool resume);
void denali_vmx_exit(void);
void denali_vmx_nmi(void);

#endif /* _DENALI_VMX_H */
