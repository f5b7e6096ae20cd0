/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DENALI_FPU_H
#define _DENALI_FPU_H

/*
 * Guest x87 and SSE state. Guests run with CR4.OSXSAVE clear, so the
 * legacy FXSAVE area is all the state they can reach.
 *
 * Fills a 16-byte aligned area of at least 512 bytes with a fresh
 * state, as after FNINIT with the default MXCSR.
 */
void denali_fpu_init_state(void *state);

/*
 * Bracket guest execution: enter claims the FPU from the host (and
 * disables preemption) and loads the guest's registers; leave saves them
 * and gives the FPU back.
 */
void denali_fpu_enter(void *state);
void denali_fpu_leave(void *state);

#endif /* _DENALI_FPU_H */
