/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_EXEC_H
#define _DENALI_EXEC_H

#include "vm.h"

/* What scheduling, admission, interrupts and the pager do for each VM. */
extern const struct denali_vm_ops denali_exec_vm_ops;

#endif /* _DENALI_EXEC_H */
