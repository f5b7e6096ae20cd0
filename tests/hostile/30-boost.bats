#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Gaming the post-idle boost: VMs that burn about 9 ms of their own
# clock and then idle for 1 us, forever, are woken from idle each time
# and boosted ahead of VMs that never idle. Beside CPU-bound VMs on the
# same runners, every VM must still get its fair share within 20%: all
# of them want the CPU all the time, so fair is the mean.

load ../bats/helpers

G=$BATS_TEST_DIRNAME/guests

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	denali_teardown
}

# cpu_ns_all: "name cpu_ns" for every VM, one per line.
cpu_ns_all() {
	vms_json | python3 -c '
import json, sys
for vm in json.load(sys.stdin):
    print(vm["name"], vm["stats"]["cpu_ns"])'
}

@test "boost gamers and CPU-bound VMs each get their fair share within 20%" {
	local i before after

	if [ -e "$KMEMLEAK" ]; then
		skip "timing on the debug kernel"
	fi
	for i in 1 2 3; do
		denalictl start "$G/boostgame.elf" --name "game$i" >/dev/null
		start_vm spin.elf "spin$i" >/dev/null
	done
	sleep 3
	before=$(cpu_ns_all)
	sleep 20
	after=$(cpu_ns_all)
	python3 - "$before" "$after" <<'PY'
import sys
before = dict(l.split() for l in sys.argv[1].splitlines())
after = dict(l.split() for l in sys.argv[2].splitlines())
share = {n: int(after[n]) - int(before[n]) for n in after}
mean = sum(share.values()) / len(share)
print("cpu ms per VM in the window:",
      {n: round(v / 1e6) for n, v in sorted(share.items())})
assert mean > 0, share
bad = {n: v for n, v in share.items() if abs(v - mean) > 0.20 * mean}
assert not bad, ("outside 20% of fair", bad, mean)
PY
	for i in 1 2 3; do
		[ "$(vm_field "game$i" state)" != crashed ]
	done
}
