#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# x87 and SSE state belongs to each VM: guests that compute at the same
# time, preempted many times over on shared CPUs, all get exact results.

load helpers

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	denali_teardown
}

@test "floating-point guests sharing the CPUs all get exact results" {
	local name

	# Three computations and a spinner on two runners: every guest is
	# switched out while its FPU registers hold live partial sums.
	start_vm fpu.elf f1 --cmdline 1500000
	start_vm fpu.elf f2 --cmdline 2000000
	start_vm fpu.elf f3 --cmdline 2500000
	start_vm spin.elf sp
	for name in f1 f2 f3; do
		run wait_vm "$name" 300
		[ "$output" = "exited (code 0)" ]
		run denalictl console "$name"
		[[ $output == *"fpu: exact result for N="* ]]
		[ "$(vm_stat "$name" quanta)" -gt 1 ]
		# The FPU was loaded lazily, at most once per quantum.
		[ "$(vm_stat "$name" fpu_loads)" -gt 0 ]
		[ "$(vm_stat "$name" fpu_loads)" -le "$(vm_stat "$name" quanta)" ]
	done
	# The spinner never touched the FPU, so it never paid for it.
	[ "$(vm_stat sp fpu_loads)" -eq 0 ]
	[ "$(vm_stat sp quanta)" -gt 1 ]
}

@test "the FPU guest refuses an N too large for exact sums" {
	# Past 50000000 the sums would round: the guest exits with code 2.
	start_vm fpu.elf bad --cmdline 60000000
	run wait_vm bad 60
	[ "$output" = "exited (code 2)" ]
}
