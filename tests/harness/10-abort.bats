#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of tests/harness/abort-test.sh: the second test starts a
# guest and waits, until the host makes QEMU abort under it.

load ../bats/helpers

setup_file() {
	denali_setup_file
}

@test "the module loads" {
	module_loaded
}

@test "a guest runs until the emulator aborts" {
	start_vm idle.elf abort-victim --mem 1M
	wait_state abort-victim idle
	echo "svm-run: the guest is idle" >/dev/ttyS0
	sleep 600
}
