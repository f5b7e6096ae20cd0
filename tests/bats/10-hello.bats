#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The simplest guest: it prints a line, echoes its boot command line and
# exits with code 7. Checks start, wait, console, list and list -j.

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

@test "hello prints its line and exits with code 7" {
	local id

	id=$(start_vm hello.elf h1)
	run wait_vm h1
	[ "$status" -eq 0 ]
	[ "$output" = "exited (code 7)" ]
	run denalictl console h1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Hello from Denali VM $id" ]
	# No command line given: no cmdline line.
	[ "${#lines[@]}" -eq 1 ]
}

@test "the boot command line reaches the guest" {
	local id

	id=$(start_vm hello.elf h2 --cmdline "alpha beta=2")
	run wait_vm h2
	[ "$output" = "exited (code 7)" ]
	run denalictl console h2
	[ "${lines[0]}" = "Hello from Denali VM $id" ]
	[ "${lines[1]}" = "cmdline: alpha beta=2" ]
}

@test "without --name the VM is named vm<id>" {
	local out id

	out=$(denalictl start "$EX/hello.elf")
	[[ $out =~ ^started\ vm([0-9]+)\ \(id\ ([0-9]+)\)$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	id=${BASH_REMATCH[2]}
	run wait_vm "vm$id"
	[ "$output" = "exited (code 7)" ]
	# Ids name VMs too, as N and #N.
	run denalictl wait "$id" --timeout 10
	[ "$output" = "exited (code 7)" ]
	run denalictl console "#$id"
	[ "${lines[0]}" = "Hello from Denali VM $id" ]
}

@test "list shows the VM, its state and exit code" {
	start_vm hello.elf h3
	wait_vm h3
	run denalictl list
	[ "$status" -eq 0 ]
	echo "$output"
	# A header line, then one line for the VM.
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} =~ (^|[[:space:]])h3[[:space:]] ]]
	[[ ${lines[1]} == *"exited (code 7)"* ]]
}

@test "list -j prints valid JSON with every key of every VM" {
	local id json

	id=$(start_vm hello.elf h4 --mem 8M)
	wait_vm h4
	start_vm spin.elf s1
	wait_state s1 running
	json=$(denalictl list -j)
	echo "$json"
	python3 -m json.tool <<<"$json" >/dev/null
	if command -v jq >/dev/null; then
		jq -e 'type == "array" and length == 2' <<<"$json"
	fi
	python3 - "$json" "$id" <<'EOF'
import json, sys

vms = {vm["name"]: vm for vm in json.loads(sys.argv[1])}
assert sorted(vms) == ["h4", "s1"], vms
h, s = vms["h4"], vms["s1"]
for vm in h, s:
    for key in ("id", "name", "state", "mem_size", "exit_code",
                "crash_reason", "backend", "stats"):
        assert key in vm, (key, vm)
    assert vm["backend"] in ("vmx", "svm"), vm
    assert isinstance(vm["stats"], dict), vm
assert h["id"] == int(sys.argv[2]), h
assert h["state"] == "exited" and h["exit_code"] == 7, h
assert h["mem_size"] == 8 << 20, h
assert h["crash_reason"] is None, h
assert s["state"] == "running" and s["exit_code"] is None, s
assert s["mem_size"] == 4 << 20, s
assert s["id"] != h["id"], s
# Every exit has one reason: a hypercall, a page mapped on demand, the
# first use of the FPU in a quantum, or the host's (its interrupts and
# the end of a quantum). Only an ended VM's counters hold still, and
# hello ended with a hypercall.
st = h["stats"]
assert st["exits"] == (st["hypercalls"] + st["pages_faulted"] +
                       st["fpu_loads"] + st["exits_host"]), st
# hello is built without FPU instructions: its FPU is never switched.
assert st["fpu_loads"] == 0, st
assert st["hypercalls"] > 0 and st["pages_faulted"] > 0, st
EOF
}
