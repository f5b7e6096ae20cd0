#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Unloading the module while VMs run must stop and free them all; the
# kernel log check in teardown_file catches leaks and warnings it causes.

load helpers

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	module_loaded || load_module
	denali_teardown
}

@test "unloading with spinning and idle VMs is clean" {
	local i

	for i in 1 2 3 4; do
		start_vm spin.elf "spin$i"
		start_vm idle.elf "idle$i"
	done
	for i in 1 2 3 4; do
		wait_state "spin$i" running
		wait_state "idle$i" 'idle|running'
	done
	sleep 2
	[ "$(vm_count)" -eq 8 ]
	unload_module 60
	[ ! -d /sys/module/denali ]
	run denalictl list
	expect_error "the denali module is not loaded"
}

@test "the module loads again after that, with no VMs" {
	module_loaded || load_module
	[ "$(vm_count)" -eq 0 ]
	start_vm hello.elf again
	run wait_vm again
	[ "$output" = "exited (code 7)" ]
}

@test "unloading with a VM in every state is clean" {
	start_vm spin.elf running
	start_vm idle.elf idle
	denalictl create "$EX/hello.elf" --name created
	start_vm hello.elf exited
	start_vm crash.elf crashed
	start_vm spin.elf stopped
	denalictl stop stopped
	wait_vm exited
	wait_vm crashed
	wait_vm stopped
	unload_module 60
}
