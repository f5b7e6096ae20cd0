#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Denali's third principle: idle VMs must cost (nearly) no CPU. A
# thousand guests idling forever are started, and the CPU time of the
# runner kthreads (denali/N) over a 10 s window is measured and bounded.

load helpers

# Enough to show that the runners do not walk the VMs: a runner that
# polled each VM once per millisecond would burn its CPU. At 64 KiB each
# (idle.elf needs 20 KiB) they take 64 MiB of the test machine's memory;
# one 'denalictl start --count' starts them all.
IDLE_VMS=1000
WINDOW_S=10

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_unload_teardown_file 120
}

# runner_ticks: the utime + stime of every runner kthread, in clock
# ticks (USER_HZ), summed.
runner_ticks() {
	local pid pids sum=0 ut st

	pids=$(pgrep '^denali/[0-9]+$') || {
		echo "no denali/N runner threads" >&2
		return 1
	}
	for pid in $pids; do
		read -r ut st < <(awk '{ print $14, $15 }' "/proc/$pid/stat")
		sum=$((sum + ut + st))
	done
	echo "$sum"
}

# quanta_sum: the quanta of every VM, summed, after checking that all
# IDLE_VMS are idle.
quanta_sum() {
	denalictl list -j | python3 -c '
import collections, json, sys
vms = json.load(sys.stdin)
states = collections.Counter(vm["state"] for vm in vms)
assert len(vms) == int(sys.argv[1]) and states == {"idle": len(vms)}, states
print(sum(vm["stats"]["quanta"] for vm in vms))' "$IDLE_VMS"
}

@test "1,000 idle VMs cost (nearly) no CPU" {
	local i t0 t1 q0 q1 hz ticks limit

	denalictl start "$EX/idle.elf" --name i --count "$IDLE_VMS" --mem 64K \
		>/dev/null
	# Every VM has run up to its first idle, and no runner is busy.
	for ((i = 0; i < 300; i++)); do
		q0=$(quanta_sum 2>/dev/null) && break
		snooze 0.1
	done
	q0=$(quanta_sum)
	t0=$(runner_ticks)
	sleep "$WINDOW_S"
	t1=$(runner_ticks)
	q1=$(quanta_sum)
	hz=$(getconf CLK_TCK)
	ticks=$((t1 - t0))
	echo "runners over ${WINDOW_S} s with $IDLE_VMS idle VMs:" \
		"$((ticks * 1000 / hz)) ms of CPU, $((q1 - q0)) quanta"
	# An idle VM is off the run queue until its timer or an interrupt;
	# idling forever, it has neither, so it never runs again.
	[ "$((q1 - q0))" -eq 0 ]
	# At most 2% of one CPU. Accounting is per tick (10 ms), so this is
	# 20 ticks over 10 s: room for the runners' wakeups and for ticks
	# charged to them by chance under emulation, while a runner that
	# polled its queue or its VMs would be charged nearly every tick of
	# its CPU (1000 per CPU over the window).
	limit=$((WINDOW_S * hz * 2 / 100))
	[ "$ticks" -le "$limit" ]
}
