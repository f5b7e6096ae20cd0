#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Misbehaving guests: each is stopped and marked crashed with a reason,
# the others keep running, and bad hypercall arguments only earn errnos.

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

# console_ticks NAME: how many "tick N" lines VM NAME printed.
console_ticks() {
	denalictl console "$1" | grep -c '^tick [0-9]*$'
}

@test "a triple fault crashes its VM while another keeps running" {
	start_vm sleeper.elf sl --cmdline 10
	start_vm crash.elf cr
	run wait_vm cr 30
	[ "$status" -eq 0 ]
	[ "$output" = "crashed (triple fault)" ]
	# The sleeper was running when the crash came (wait gives up on it),
	# and goes on to finish every tick.
	run denalictl wait sl --timeout 0.1
	[ "$status" -eq 124 ]
	[ "$(console_ticks sl)" -lt 10 ]
	[ "$(vm_field cr state)" = crashed ]
	[ "$(vm_field cr crash_reason)" = "triple fault" ]
	run wait_vm sl 60
	[ "$output" = "exited (code 0)" ]
	run console_ticks sl
	[ "$output" -eq 10 ]
}

@test "cpuid is outside the guest ABI and crashes the VM" {
	start_vm forbidden.elf fb
	run wait_vm fb 30
	[[ $output =~ ^crashed\ \(.*cpuid.*\)$ ]]
	[[ $(vm_field fb crash_reason) == *cpuid* ]]
}

@test "touching memory outside the VM crashes it" {
	start_vm wild.elf wd
	run wait_vm wd 30
	[[ $output =~ ^crashed\ \(.*\)$ ]]
	[[ ${output,,} =~ memory|outside ]]
	[[ $(vm_field wd crash_reason) =~ [Mm]emory|[Oo]utside ]]
}

@test "bad hypercall arguments return errnos and harm nothing" {
	start_vm badcall.elf bc
	run wait_vm bc 60
	if [ "$output" != "exited (code 0)" ]; then
		denalictl console bc
		false
	fi
	# The host still runs guests.
	start_vm hello.elf h1
	run wait_vm h1
	[ "$output" = "exited (code 7)" ]
}

@test "crashes leave other VMs' consoles and states alone" {
	start_vm hello.elf h1 --cmdline one
	wait_vm h1
	start_vm crash.elf c1
	start_vm wild.elf c2
	start_vm forbidden.elf c3
	for vm in c1 c2 c3; do
		run wait_vm "$vm" 30
		[[ $output == crashed* ]]
	done
	run denalictl console h1
	[ "${lines[1]}" = "cmdline: one" ]
	[ "$(vm_field h1 state)" = exited ]
	[ "$(vm_field h1 exit_code)" = 7 ]
}
