#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The gatekeeper: started VMs run only while free memory, less what they
# are expected to use, stays above the watermark gate_free_mb; the others
# wait, visibly, saying how much memory they need, and are admitted in
# the order they were started once memory allows. A VM that maps more
# than memory allows waits too, and goes on when there is room.

load helpers

PARAM=/sys/module/denali/parameters/gate_free_mb

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	denali_teardown
	if module_loaded; then
		echo 64 >"$PARAM"
	fi
}

# mem_available_mb: MemAvailable, what the gatekeeper counts as free.
mem_available_mb() {
	awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo
}

@test "with the watermark out of reach a started VM waits and can be stopped" {
	rmmod denali
	insmod "$MODULE" "${MODULE_PARAMS[@]}" gate_free_mb=1000000
	[ "$(cat "$PARAM")" -eq 1000000 ]
	start_vm hello.elf w1
	sleep 1
	[ "$(vm_field w1 state)" = waiting ]
	run denalictl list
	echo "$output"
	[[ $output =~ w1\ +waiting ]]
	[ "$(vm_field w1 exit_code)" = "" ]
	# Never ran, and the wait so far is counted.
	run denalictl stats w1
	echo "$output"
	grep -Eq '^quanta +0$' <<<"$output"
	grep -Eq '^waiting_ns +[1-9]' <<<"$output"
	[ "$(vm_field w1 stats | python3 -c '
import json, sys
print(json.load(sys.stdin)["waiting_ns"] >= 500000000)')" = True ]
	run denalictl stop w1
	[ "$status" -eq 0 ]
	run wait_vm w1 10
	[ "$output" = "stopped" ]
	# A waiting VM cannot be started twice.
	start_vm hello.elf w2
	run denalictl run w2
	expect_error "already started"
	[ "$(vm_field w2 state)" = waiting ]
}

@test "lowering the watermark at run time admits every waiting VM" {
	local i

	echo 1000000 >"$PARAM"
	for i in 1 2 3 4; do
		start_vm hello.elf "h$i" >/dev/null
	done
	snooze 0.5
	for i in 1 2 3 4; do
		[ "$(vm_field "h$i" state)" = waiting ]
	done
	echo 0 >"$PARAM"
	for i in 1 2 3 4; do
		run wait_vm "h$i" 60
		[ "$output" = "exited (code 7)" ]
	done
}

@test "waiting VMs are admitted in the order they were started" {
	local avail i out big=$BATS_TEST_TMPDIR/spin-192M.elf

	# An image as large as its memory: it is expected to use it all.
	cp "$EX/spin.elf" "$big"
	truncate -s 192M "$big"
	echo 1000000 >"$PARAM"
	for i in 1 2 3; do
		out=$(denalictl start "$big" --name "f$i" --mem 192M)
		[[ $out =~ ^started\ f$i ]]
	done
	# Room for one 192 MiB VM with 96 MiB to spare, not for two.
	avail=$(mem_available_mb)
	[ "$avail" -gt 400 ]
	echo $((avail - 192 - 96)) >"$PARAM"
	wait_state f1 running 30
	# Several periodic re-checks pass; nobody overtakes or squeezes in.
	sleep 1
	[ "$(vm_field f2 state)" = waiting ]
	[ "$(vm_field f3 state)" = waiting ]
	denalictl stop f1
	wait_state f2 running 30
	sleep 1
	[ "$(vm_field f3 state)" = waiting ]
	denalictl stop f2
	wait_state f3 running 30
}

@test "a VM that cannot be admitted says how much memory it needs" {
	local i out

	echo 1000000 >"$PARAM"
	run denalictl start "$EX/hello.elf" --name n1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^started\ n1\ \(id\ [0-9]+\)$ ]]
	[[ ${lines[1]} =~ ^vm\ n1\ waits\ for\ memory:\ needs\ [0-9]+\.[0-9]\ MiB,\ 0\.0\ MiB\ free\ above\ the\ watermark$ ]]
	[ "${#lines[@]}" -eq 2 ]
	run denalictl list
	echo "$output"
	[[ $output =~ n1\ +waiting\ \(needs\ [0-9]+\.[0-9]\ MiB\) ]]
	out=$(denalictl start "$EX/hello.elf" --name n2 -j)
	out+=$(denalictl list -j)
	# In bytes: its image and room to grow, far less than its 4 MiB.
	python3 -c 'import json, sys
dec = json.JSONDecoder()
start, end = dec.raw_decode(sys.argv[1])
vms = json.loads(sys.argv[1][end:])
assert list(start) == ["id", "name", "mem_needed", "gate_free"], start
assert start["name"] == "n2" and start["gate_free"] == 0, start
for vm in vms:
    assert vm["state"] == "waiting", vm
    assert 0 < vm["mem_needed"] < vm["mem_size"] // 4, vm
    assert vm["gate_free"] == 0, vm' "$out"
	echo 64 >"$PARAM"
	for i in 1 2; do
		run wait_vm "n$i"
		[ "$output" = "exited (code 7)" ]
	done
	# Admitted at once: one line, and no waiting keys.
	run denalictl start "$EX/hello.elf" --name n3
	[[ $output =~ ^started\ n3\ \(id\ [0-9]+\)$ ]]
	[ -z "$(vm_field n3 mem_needed)" ]
}

@test "a VM that maps beyond what memory allows waits, then goes on" {
	local avail

	# Room for 4 MiB above the watermark; it writes 16 MiB.
	avail=$(mem_available_mb)
	echo $((avail - 4)) >"$PARAM"
	start_vm memtest.elf g1 --mem 24M --cmdline "16 3" >/dev/null
	wait_state g1 waiting 60
	denalictl list
	[ "$(vm_field g1 resident)" = False ]
	[ "$(vm_stat g1 swap_outs)" -ge 1 ]
	[[ $(denalictl list) =~ g1\ +waiting\ \(needs\ [0-9.]+\ MiB\) ]]
	echo 64 >"$PARAM"
	wait_console g1 '^memtest: written$' 120
	denalictl console g1 --send check
	run wait_vm g1 120
	[ "$output" = "exited (code 0)" ]
	wait_console g1 '^memtest: 16 MiB intact$'
}
