/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_HC_CONSOLE_H
#define _DENALI_HC_CONSOLE_H

#include <linux/types.h>

struct denali_vm;

/* Most bytes one console write moves; a longer write is cut short. */
#define DENALI_CONSOLE_WRITE_MAX	4096
/* Most bytes of console input one read takes. */
#define DENALI_CONSOLE_READ_MAX		4096

/* DENALI_HC_CONSOLE_WRITE and DENALI_HC_CONSOLE_READ (see hc.h). */
bool denali_hc_console_write(struct denali_vm *vm, u32 gpa, u32 len);
bool denali_hc_console_read(struct denali_vm *vm, u32 gpa, u32 len);

#endif /* _DENALI_HC_CONSOLE_H */
