/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_SVM_H
#define _DENALI_SVM_H

#include <linux/linkage.h>

/*
 * One VMRUN, in svm_run.S: saves the host's VMSAVE state to host_pa, loads
 * the guest's from vmcb_pa, enters the guest with the general registers
 * in gprs[] (indexed by x86 register number; RAX and RSP live in the VMCB)
 * and stores them back there after the exit. Called with GIF clear.
 */
asmlinkage void __denali_svm_run(unsigned long vmcb_pa, unsigned long host_pa,
				 unsigned long *gprs);

#endif /* _DENALI_SVM_H */
