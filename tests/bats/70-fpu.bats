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

# stat NAME KEY: counter KEY of VM NAME.
stat() {
	denalictl list -j | python3 -c '
import json, sys
for vm in json.load(sys.stdin):
    if vm["name"] == sys.argv[1]:
        print(vm["stats"][sys.argv[2]])' "$1" "$2"
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
		[ "$(stat "$name" quanta)" -gt 1 ]
		# The FPU was loaded lazily, at most once per quantum.
		[ "$(stat "$name" fpu_loads)" -gt 0 ]
		[ "$(stat "$name" fpu_loads)" -le "$(stat "$name" quanta)" ]
	done
	# The spinner never touched the FPU, so it never paid for it.
	[ "$(stat sp fpu_loads)" -eq 0 ]
	[ "$(stat sp quanta)" -gt 1 ]
}

@test "the FPU guest refuses an N too large for exact sums" {
	# Past 50000000 the sums would round: the guest exits with code 2.
	start_vm fpu.elf bad --cmdline 60000000
	run wait_vm bad 60
	[ "$output" = "exited (code 2)" ]
}
