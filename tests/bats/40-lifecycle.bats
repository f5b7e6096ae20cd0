#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# A VM's life from the operator's side: stop, destroy, following its
# console until it ends, and many commands in one denalictl (-b).

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

@test "stop stops a running VM, which stays listed until destroyed" {
	start_vm spin.elf sp
	wait_state sp running
	run denalictl stop sp
	[ "$status" -eq 0 ]
	run wait_vm sp 30
	[ "$output" = "stopped" ]
	[ "$(vm_field sp state)" = stopped ]
	run denalictl destroy sp
	[ "$status" -eq 0 ]
	[ "$(vm_count)" -eq 0 ]
	run denalictl destroy sp
	expect_error "no such VM: sp"
}

@test "stop stops an idle VM" {
	start_vm idle.elf id
	wait_state id 'idle|running'
	denalictl stop id
	run wait_vm id 30
	[ "$output" = "stopped" ]
}

@test "destroy removes running, idle and finished VMs at once" {
	start_vm spin.elf d1
	start_vm idle.elf d2
	start_vm hello.elf d3
	wait_vm d3
	for vm in d1 d2 d3; do
		denalictl destroy "$vm"
	done
	[ "$(vm_count)" -eq 0 ]
	# The names are free again.
	start_vm hello.elf d1
	run wait_vm d1
	[ "$output" = "exited (code 7)" ]
}

@test "wait gives up after its timeout while the VM runs on" {
	start_vm spin.elf sp
	SECONDS=0
	run denalictl wait sp --timeout 2
	[ "$status" -eq 124 ]
	[ "$SECONDS" -lt 20 ]
	[ "$(vm_field sp state)" = running ]
}

@test "wait's exit status says how the VM ended; -j prints the VM" {
	start_vm hello.elf h1 >/dev/null
	start_vm crash.elf cr >/dev/null
	start_vm spin.elf sp >/dev/null
	run denalictl wait h1 --timeout 60
	[ "$status" -eq 7 ]
	[ "$output" = "exited (code 7)" ]
	run denalictl wait cr --timeout 60
	[ "$status" -eq 139 ]
	[[ $output == "crashed ("* ]]
	denalictl stop sp >/dev/null
	run denalictl wait sp -j
	[ "$status" -eq 143 ]
	[[ $output == '{"id": '*', "name": "sp", "state": "stopped", '*'}' ]]
	run denalictl wait ghost
	[ "$status" -eq 125 ]
	[ "$output" = "denalictl: no such VM: ghost" ]
	run denalictl wait
	[ "$status" -eq 125 ]
}

@test "start, create, run, stop, destroy and swap print id and name with -j" {
	local out

	out=$(denalictl create "$EX/spin.elf" --name j1 -j)
	out+=$(denalictl run j1 -j)
	out+=$(denalictl start "$EX/spin.elf" --name k --count 2 -j)
	out+=$(denalictl stop j1 --json)
	out+=$(denalictl swap j1 -j)
	out+=$(denalictl swap --idle -j)
	out+=$(denalictl destroy j1 -j)
	python3 -c 'import json, sys
dec, s, got = json.JSONDecoder(), sys.argv[1].strip(), []
while s:
    v, end = dec.raw_decode(s)
    got.append(v)
    s = s[end:].strip()
j1 = got[0]
assert list(j1) == ["id", "name"] and j1["name"] == "j1", got
assert got[1] == got[3] == got[4] == got[6] == j1, got
assert [v["name"] for v in got[2]] == ["k1", "k2"], got
assert all(list(v) == ["id", "name"] for v in got[2]), got
assert got[5] == {"swapped": got[5]["swapped"]}, got' "$out"
}

@test "console -f follows the output and ends when the VM exits" {
	start_vm sleeper.elf sl --cmdline 3
	SECONDS=0
	run timeout 60 denalictl console sl -f
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 60 ]
	[ "${lines[0]}" = "tick 1" ]
	[ "${lines[1]}" = "tick 2" ]
	[ "${lines[2]}" = "tick 3" ]
	[ "$(vm_field sl state)" = exited ]
}

@test "console -f ends when the VM is stopped" {
	start_vm spin.elf sp
	(sleep 3 && denalictl stop sp) 3>&- &
	run timeout 60 denalictl console sp -f
	[ "$status" -eq 0 ]
	wait
	[ "$(vm_field sp state)" = stopped ]
}

@test "console of a finished VM prints its history and returns" {
	start_vm hello.elf h1 --cmdline x
	wait_vm h1
	run timeout 20 denalictl console h1 -f
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "cmdline: x" ]
}

@test "batch mode runs one command per line and stops at the first failure" {
	cat >"$BATS_TEST_TMPDIR/cmds" <<-END
		# comments and blank lines are skipped

		create $EX/hello.elf --name b1 --mem 128K  # a comment
		destroy nosuch
		create "$EX/hello.elf" --name 'b'2
	END
	run denalictl -b "$BATS_TEST_TMPDIR/cmds"
	[ "$status" -eq 1 ]
	[[ ${lines[0]} =~ ^created\ b1\ \(id\ [0-9]+\)$ ]]
	[ "${lines[1]}" = "denalictl: no such VM: nosuch" ]
	[ "${lines[2]}" = "denalictl: $BATS_TEST_TMPDIR/cmds:4: command failed" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(vm_count)" -eq 1 ]

	# With -f it goes on; the status is the first failure's.
	run denalictl -b - -f <"$BATS_TEST_TMPDIR/cmds"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "denalictl: name already in use: b1" ]
	[ "${lines[1]}" = "denalictl: stdin:3: command failed" ]
	[ "${lines[3]}" = "denalictl: stdin:4: command failed" ]
	[[ ${lines[4]} =~ ^created\ b2\ \(id\ [0-9]+\)$ ]]
	[ "$(vm_count)" -eq 2 ]
}

@test "parallel requests on one VM each act once and leave nothing behind" {
	local i j

	# Four processes start, stop and destroy one name at once: the
	# handlers run in parallel, so each of these races the others.
	for i in 1 2 3 4; do
		for ((j = 0; j < 20; j++)); do
			echo "start $EX/idle.elf --name race --mem 128K"
			echo "stop race"
			echo "destroy race"
		done >"$BATS_TEST_TMPDIR/race$i"
	done
	for i in 1 2 3 4; do
		denalictl -b "$BATS_TEST_TMPDIR/race$i" -f >/dev/null 2>&1 &
	done
	for ((j = 0; j < 5; j++)); do
		denalictl list >/dev/null
	done
	wait
	[ "$(vm_count)" -eq 0 ]
	start_vm hello.elf race
	run wait_vm race
	[ "$output" = "exited (code 7)" ]
}
