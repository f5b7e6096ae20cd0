#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Swapping out: an idle VM gives up what only a running VM needs (its
# second-level tables and their page references, its CPU and FPU state,
# its pinned virtual registers) and gets it back, intact, when it next
# runs; runnable VMs refuse. Swap itself is not needed for that: without
# it the pages just stay in memory, unpinned (tests/swap has the rest).

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

@test "an idle VM swaps out on request and comes back with its memory" {
	start_vm memtest.elf m1 --mem 8M --cmdline "4 7" >/dev/null
	wait_console m1 '^memtest: written$'
	wait_state m1 idle
	[ "$(vm_field m1 resident)" = True ]
	[ "$(vm_stat m1 resident_pages)" -ge 1024 ]
	[ "$(vm_stat m1 swap_outs)" -eq 0 ]

	run denalictl swap m1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ ^swapped\ out\ m1\ \(id\ [0-9]+\)$ ]]
	[ "$(vm_field m1 resident)" = False ]
	[ "$(vm_stat m1 resident_pages)" -eq 0 ]
	[ "$(vm_stat m1 swap_outs)" -eq 1 ]
	[ "$(vm_field m1 state)" = idle ]
	# Out already: nothing more to do, and it stays so.
	run denalictl swap m1
	[ "$status" -eq 0 ]
	[ "$(vm_stat m1 swap_outs)" -eq 1 ]
	snooze 0.3
	[ "$(vm_stat m1 swapped_ns)" -ge 200000000 ]

	faulted=$(vm_stat m1 pages_faulted)
	denalictl console m1 --send check
	run wait_vm m1 120
	[ "$output" = "exited (code 0)" ]
	wait_console m1 '^memtest: 4 MiB intact$'
	# Every page came back through a fault on the new tables.
	[ "$(vm_stat m1 pages_faulted)" -ge $((faulted + 1024)) ]
}

@test "a runnable VM refuses to swap out; an ended one gives everything back" {
	start_vm spin.elf s1 >/dev/null
	wait_state s1 running
	run denalictl swap s1
	expect_error "runnable"
	[ "$(vm_field s1 resident)" = True ]
	[ "$(vm_stat s1 swap_outs)" -eq 0 ]

	start_vm hello.elf h1 >/dev/null
	run wait_vm h1
	[ "$output" = "exited (code 7)" ]
	[ "$(vm_field h1 resident)" = False ]
	[ "$(vm_stat h1 resident_pages)" -eq 0 ]
	[ "$(vm_stat h1 swapped_ns)" -eq 0 ]
	run denalictl swap nosuchvm
	expect_error "no such VM"
}

@test "interrupts raised while a VM is swapped out reach it when it is back" {
	start_vm echo.elf e1 >/dev/null
	wait_console e1 '^echo: ready$'
	wait_state e1 idle
	run denalictl swap e1
	[ "$status" -eq 0 ]
	[ "$(vm_field e1 resident)" = False ]
	denalictl console e1 --send "while out"
	wait_console e1 '^echo: while out$'
	[ "$(vm_field e1 resident)" = True ]
	[ "$(vm_stat e1 swap_outs)" -eq 1 ]
	denalictl console e1 --send quit
	run wait_vm e1
	[ "$output" = "exited (code 0)" ]
}

@test "swapping VMs out and in over and over keeps FPU and CPU state" {
	local i outs

	# It idles 100 ms every 65536 steps (76 times), its sums in the FPU
	# registers.
	start_vm fpu.elf f1 --cmdline "5000000 100000" >/dev/null
	start_vm memtest.elf m2 --mem 4M --cmdline "1 9" >/dev/null
	wait_console m2 '^memtest: written$'
	# Caught while it runs, f1 refuses; enough tries find it idle, three
	# times before it ends (a slower kernel needs more tries). m2 stays
	# out, however often it is asked.
	for ((i = 0; i < 300; i++)); do
		denalictl swap m2 >/dev/null
		denalictl swap f1 >/dev/null 2>&1 || true
		outs=$(denalictl show f1 | awk '$1 == "swap_outs" { print $2 }')
		[ "${outs:-0}" -lt 3 ] || break
		snooze 0.05
	done
	[ "$(vm_stat m2 swap_outs)" -eq 1 ]
	run wait_vm f1 300
	[ "$output" = "exited (code 0)" ]
	echo "fpu.elf was swapped out $(vm_stat f1 swap_outs) times" >&2
	[ "$(vm_stat f1 swap_outs)" -ge 3 ]
	denalictl console m2 --send check
	run wait_vm m2 60
	[ "$output" = "exited (code 0)" ]
}

@test "host-wide counters count admitted, waiting and swapped VMs" {
	start_vm idle.elf i1 >/dev/null
	start_vm idle.elf i2 >/dev/null
	wait_state i1 idle
	wait_state i2 idle
	denalictl swap i1
	run denalictl stats
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'vms 2' <<<"$output"
	grep -qx 'admitted 2' <<<"$output"
	grep -qx 'waiting 0' <<<"$output"
	grep -qx 'swapped 1' <<<"$output"
	grep -Eqx 'pinned_pages [1-9][0-9]*' <<<"$output"
	denalictl stats -j | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert h["vms"] == 2 and h["swapped"] == 1, h'
	# The one still resident goes with --idle; the other is out already.
	run denalictl swap --idle
	[ "$status" -eq 0 ]
	[ "$output" = "swapped out 1 idle VMs" ]
	denalictl stats | grep -qx 'swapped 2'
}
