#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Thousands of VMs: 2,000 tiny guests, created by one 'denalictl start
# --count', each run to completion and stay listed, with their run-time
# state freed as each ends (tests/bench/mem.sh goes to 30,000).
# DENALI_MANY_VMS sets how many, so that a pass on a slower kernel can
# run fewer.

load helpers

MANY=${DENALI_MANY_VMS:-2000}

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_unload_teardown_file 300
}

@test "thousands of VMs are created and each runs a tiny guest to completion" {
	local i done

	run denalictl start "$EX/hello.elf" --name h --count "$MANY" --mem 128K
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$MANY" ]
	[[ ${lines[0]} =~ ^started\ h1\ \(id\ [0-9]+\)$ ]]
	[[ ${lines[MANY - 1]} =~ ^started\ h$MANY\ \(id\ [0-9]+\)$ ]]
	for ((i = 0; i < 600; i++)); do
		done=$(denalictl stats -j | python3 -c '
import json, sys
h = json.load(sys.stdin)
print(h["vms"] - h["admitted"] - h["waiting"])')
		[ "$done" -eq "$MANY" ] && break
		sleep 1
	done
	denalictl list -j | python3 -c '
import collections, json, sys
vms = json.load(sys.stdin)
ends = collections.Counter((vm["state"], vm["exit_code"]) for vm in vms)
print(ends, file=sys.stderr)
assert len(vms) == int(sys.argv[1]), len(vms)
assert ends == {("exited", 7): len(vms)}, ends
# Ended, they hold nothing that only running needs.
assert not any(vm["resident"] for vm in vms)
assert all(vm["stats"]["resident_pages"] == 0 for vm in vms)' "$MANY"
	run denalictl stats
	echo "$output"
	grep -qx "vms $MANY" <<<"$output"
	grep -qx 'pinned_pages 0' <<<"$output"
}
