#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Tracepoints (Documentation/tracing.rst): with the denali events on in
# tracefs, guests that exit, make hypercalls, get scheduled, take
# interrupts, wait at the gatekeeper, are swapped out and in and have
# frames dropped each leave their events in the trace, with their own VM
# id. Tracing is turned off and the buffer cleared at the end.

load helpers

GATE=/sys/module/denali/parameters/gate_free_mb
UPLINK=denali0

setup_file() {
	denali_setup_file
	# A kernel built without tracing (the debug level's) has no events.
	if ! tracefs_find; then
		touch "$BATS_FILE_TMPDIR/no-tracefs"
		return 0
	fi
	cat "$TRACEFS/tracing_on" >"$BATS_FILE_TMPDIR/tracing_on"
	echo 1 >"$TRACEFS/events/denali/enable"
	echo 1 >"$TRACEFS/tracing_on"
}

teardown_file() {
	local rc=0

	if tracefs_find && [ -d "$TRACEFS/events/denali" ]; then
		echo 0 >"$TRACEFS/events/denali/enable" || rc=1
		cat "$BATS_FILE_TMPDIR/tracing_on" >"$TRACEFS/tracing_on" ||
			rc=1
		echo >"$TRACEFS/trace" || rc=1
	fi
	denali_teardown_file || rc=1
	return "$rc"
}

setup() {
	[ ! -e "$BATS_FILE_TMPDIR/no-tracefs" ] ||
		skip "the kernel has no tracefs"
	tracefs_find
	# Each test reads only its own events.
	echo >"$TRACEFS/trace"
}

teardown() {
	denali_teardown
	if module_loaded; then
		echo 64 >"$GATE"
	fi
}

# tracefs_find: set TRACEFS to where tracefs is mounted, mounting it
# when neither its own place nor debugfs's has it; fails on a kernel
# without tracefs.
tracefs_find() {
	local dir

	for dir in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if [ -e "$dir/trace" ]; then
			TRACEFS=$dir
			return 0
		fi
	done
	[ -d /sys/kernel/tracing ] || return 1
	mount -t tracefs nodev /sys/kernel/tracing || return 1
	TRACEFS=/sys/kernel/tracing
}

# expect_event EVENT REGEX: the trace holds an EVENT line whose fields
# match REGEX (an extended regex, from the start of the fields); prints
# the denali events and fails when there is none.
expect_event() {
	grep -qE -- " $1: $2" "$TRACEFS/trace" && return 0
	echo "no $1 event matching '$2'; the denali events:" >&2
	grep -E ' denali_[a-z_]+: ' "$TRACEFS/trace" | tail -n 40 >&2
	return 1
}

@test "every denali event is in tracefs" {
	local e

	for e in vm_exit hypercall sched_in sched_out irq_raise irq_deliver \
		 gate_wait gate_admit swap_out swap_in frame_drop; do
		[ -d "$TRACEFS/events/denali/denali_$e" ]
		[ "$(cat "$TRACEFS/events/denali/denali_$e/enable")" = 1 ]
	done
}

@test "a guest's exits, hypercalls and quanta are traced with its id" {
	local id

	id=$(start_vm hello.elf h1)
	run wait_vm h1
	[ "$output" = "exited (code 7)" ]
	expect_event denali_vm_exit "vm $id kind hypercall gpa 0x0 reason \"\""
	expect_event denali_vm_exit "vm $id kind mem_fault gpa 0x[0-9a-f]+ "
	expect_event denali_hypercall "vm $id nr console_write result [1-9]"
	expect_event denali_hypercall "vm $id nr terminate result 7$"
	expect_event denali_sched_in "vm $id cpu [0-9]+$"
	expect_event denali_sched_out "vm $id cpu [0-9]+ ran_ns [1-9][0-9]*$"
	# Admitted at start, swapped in to run and out for good at its end.
	expect_event denali_gate_admit "vm $id pages [1-9]"
	expect_event denali_swap_in "vm $id pages [1-9][0-9]* swapped_ns 0$"
	expect_event denali_swap_out "vm $id pages [1-9]"
}

@test "a crashing guest's exit carries the reason" {
	local id

	id=$(start_vm crash.elf c1)
	run wait_vm c1 30
	[ "$output" = "crashed (triple fault)" ]
	expect_event denali_vm_exit \
		"vm $id kind crash gpa 0x0 reason \"triple fault\"$"
}

@test "a timer interrupt is traced as raised and as delivered" {
	local id

	id=$(start_vm timer.elf t1 --cmdline 1000)
	run wait_vm t1 30
	[ "$output" = "exited (code 0)" ]
	expect_event denali_hypercall "vm $id nr timer_set result 0$"
	expect_event denali_irq_raise "vm $id irq timer$"
	expect_event denali_irq_deliver "vm $id pending timer$"
}

@test "a VM that waits at the gatekeeper is traced waiting, then admitted" {
	local id

	echo 1000000 >"$GATE"
	id=$(start_vm hello.elf w1)
	wait_state w1 waiting
	expect_event denali_gate_wait "vm $id pages [1-9]"
	run ! grep -qE " denali_gate_admit: vm $id " "$TRACEFS/trace"
	echo 64 >"$GATE"
	run wait_vm w1
	[ "$output" = "exited (code 7)" ]
	expect_event denali_gate_admit "vm $id pages [1-9]"
}

@test "a VM swapped out and woken by console input is traced both ways" {
	local id

	id=$(start_vm echo.elf e1)
	wait_console e1 '^echo: ready$'
	wait_state e1 idle
	echo >"$TRACEFS/trace"
	denalictl swap e1
	[ "$(vm_field e1 resident)" = False ]
	expect_event denali_swap_out "vm $id pages [1-9]"
	denalictl console e1 --send "back in"
	wait_console e1 '^echo: back in$'
	expect_event denali_irq_raise "vm $id irq console$"
	expect_event denali_irq_deliver "vm $id pending console$"
	expect_event denali_swap_in "vm $id pages [1-9][0-9]* swapped_ns [1-9]"
}

@test "a spoofing VM's dropped frames are traced against its port" {
	local id

	sysctl -qw "net.ipv6.conf.$UPLINK.disable_ipv6=1" 2>/dev/null || true
	ip link set "$UPLINK" up
	id=$(start_vm netraw.elf spoofer --cmdline spoof)
	wait_console spoofer '^netraw: spoofed 16$'
	[ "$(vm_stat spoofer net_spoofed)" -eq 16 ]
	expect_event denali_hypercall "vm $id nr net_send result [1-9]"
	expect_event denali_frame_drop "vm $id reason spoofed$"
	[ "$(grep -cE " denali_frame_drop: vm $id reason spoofed$" \
		"$TRACEFS/trace")" -eq 16 ]
}
