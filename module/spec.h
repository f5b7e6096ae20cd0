/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Speculative-execution hardening around VM entry and exit, following the
 * host's own mitigation choices (arch/x86/kernel/cpu/bugs.c) the way KVM
 * does. See Documentation/security.rst.
 */
#ifndef _DENALI_SPEC_H
#define _DENALI_SPEC_H

#include <linux/types.h>

#include "backend.h"

/*
 * Reads the host's mitigation state for the VMX or SVM backend, sets up
 * what the active ones need and reports them in the kernel log and the
 * read-only module parameter "mitigations". Called from the backend's
 * init(); denali_spec_exit() undoes it from the backend's exit().
 */
int denali_spec_init(bool vmx);
void denali_spec_exit(void);

/*
 * From the backend's vcpu_load: an indirect branch prediction barrier
 * when this CPU last ran another VM, and an L1D flush before the next
 * VMX entry when that is conditional.
 */
void denali_spec_load(const struct denali_vcpu *vcpu);

/* VMX, interrupts off, just before the entry: L1D flush or VERW. */
void denali_spec_vmx_enter(void);

/*
 * Interrupts off, right after an exit that ran the guest: what the host
 * must do before its own user space runs again.
 */
void denali_spec_exited(void);

/*
 * VMX, after the exit is decoded: kind says what the common code will do
 * about it, which decides whether the next entry flushes the L1D cache
 * when that is conditional.
 */
void denali_spec_vmx_handled(enum denali_exit_kind kind);

#endif /* _DENALI_SPEC_H */
