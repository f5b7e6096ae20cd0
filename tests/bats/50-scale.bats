#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Many VMs at once: Denali's point is scale, so a hundred small guests
# must all start, run and finish, each with its own result.
# DENALI_SCALE_VMS (even, 4 or more) sets how many, so that a pass on a
# slower kernel can run fewer.

load helpers

SCALE=${DENALI_SCALE_VMS:-100}

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	denali_teardown
}

@test "many VMs start and each exits with its own code and output" {
	local i ids=() out

	# One denalictl for all the starts (-b): under emulation a process
	# start each would cost more than the VMs.
	for i in $(seq 1 "$SCALE"); do
		echo "start $EX/hello.elf --name m$i --cmdline 'vm number $i'"
	done >"$BATS_TEST_TMPDIR/starts"
	out=$(denalictl -b "$BATS_TEST_TMPDIR/starts")
	mapfile -t lines <<<"$out"
	[ "${#lines[@]}" -eq "$SCALE" ]
	for i in $(seq 1 "$SCALE"); do
		[[ ${lines[i - 1]} =~ ^started\ m$i\ \(id\ ([0-9]+)\)$ ]]
		ids[i]=${BASH_REMATCH[1]}
	done
	[ "$(vm_count)" -eq "$SCALE" ]
	# All of them ended, from one table a second rather than a
	# 'denalictl wait' each; the JSON below says how.
	for ((i = 0; i < 120; i++)); do
		[ "$(denalictl list | grep -c ' exited (code ')" -eq "$SCALE" ] && break
		sleep 1
	done
	vms_json | python3 -c '
import collections, json, sys
vms = json.load(sys.stdin)
n = int(sys.argv[1])
assert len(vms) == n, len(vms)
assert len({vm["id"] for vm in vms}) == n
print(collections.Counter((vm["state"], vm["exit_code"]) for vm in vms))
assert all(vm["state"] == "exited" and vm["exit_code"] == 7 for vm in vms)' "$SCALE"
	# Each console holds its own VM's lines and nobody else's.
	for i in 1 $((SCALE / 3)) "$SCALE"; do
		run denalictl console "m$i"
		[ "${lines[0]}" = "Hello from Denali VM ${ids[i]}" ]
		[ "${lines[1]}" = "cmdline: vm number $i" ]
		[ "${#lines[@]}" -eq 2 ]
	done
}

@test "many VMs run side by side and all get CPU time" {
	local i

	denalictl start "$EX/spin.elf" --name s --count $((SCALE / 2)) >/dev/null
	denalictl start "$EX/idle.elf" --name i --count $((SCALE / 2)) >/dev/null
	[ "$(vm_count)" -eq "$SCALE" ]
	sleep 5
	vms_json | python3 -c '
import json, sys
vms = json.load(sys.stdin)
assert len(vms) == int(sys.argv[1]), len(vms)
bad = [vm for vm in vms if vm["state"] not in ("running", "idle")]
assert not bad, bad
# Round robin: every spinner has been on a CPU, not just the first few.
starved = [vm["name"] for vm in vms if vm["name"].startswith("s") and
           not (vm["stats"]["quanta"] > 0 and vm["stats"]["cpu_ns"] > 0)]
assert not starved, starved' "$SCALE"
	# Then a short guest still gets through.
	start_vm hello.elf late
	run wait_vm late 120
	[ "$output" = "exited (code 7)" ]
}
