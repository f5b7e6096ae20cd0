#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The events multicast group: every state change that 'denalictl list'
# shows sends exactly one event, in order, with the VM's id and the state
# it entered; idling and waking send none (they happen thousands of times
# a second; the tracepoints show them). See Documentation/netlink.rst.

load helpers

PARAM=/sys/module/denali/parameters/gate_free_mb

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	if [ -n "${EVENTS_PID:-}" ]; then
		kill "$EVENTS_PID" 2>/dev/null || true
		wait "$EVENTS_PID" 2>/dev/null || true
	fi
	denali_teardown
	if module_loaded; then
		echo 64 >"$PARAM"
	fi
}

# events_listen: run 'denalictl events -j' into $EVENTS in the background
# and return once it hears: a VM made for that (evmarkN, which the checks
# ignore) has its creation in the file.
events_listen() {
	local i

	EVENTS=$BATS_TEST_TMPDIR/events
	denalictl events -j >"$EVENTS" 2>"$EVENTS.err" 3>&- &
	EVENTS_PID=$!
	for ((i = 0; i < 20; i++)); do
		denalictl create "$EX/hello.elf" --name "evmark$i" >/dev/null
		snooze 0.5
		grep -q '"evmark' "$EVENTS" && return 0
	done
	echo "denalictl events heard nothing; its errors:" >&2
	cat "$EVENTS.err" >&2
	return 1
}

# events_check_now NAME:ID:STATE,STATE... ...: whether the events so far
# are, for each VM named, exactly those states in that order with its id,
# and no VM was told idle; prints what differs.
events_check_now() {
	python3 - "$EVENTS" "$@" <<'EOF'
import json, sys

heard = {}
bad = []
for line in open(sys.argv[1]):
    ev = json.loads(line)
    if ev["name"].startswith("evmark"):
        continue
    heard.setdefault(ev["name"], []).append(ev)
    if ev["state"] == "idle":
        bad.append("an idle event: %s" % line.strip())
    if ev["state"] == "exited" and ev["exit_code"] is None:
        bad.append("exited without its code: %s" % line.strip())
    if ev["state"] == "crashed" and not ev["crash_reason"]:
        bad.append("crashed without a reason: %s" % line.strip())
    if ev["stats"] is not None:
        bad.append("an event with counters: %s" % line.strip())
expected = {}
for arg in sys.argv[2:]:
    name, vm_id, states = arg.split(":")
    expected[name] = (int(vm_id), states.split(","))
for name, (vm_id, states) in expected.items():
    evs = heard.get(name, [])
    got = [ev["state"] for ev in evs]
    if got != states:
        bad.append("%s: heard %s, expected %s" % (name, got, states))
    for ev in evs:
        if ev["id"] != vm_id:
            bad.append("%s: id %d, expected %d" % (name, ev["id"], vm_id))
for name in heard:
    if name not in expected:
        bad.append("unexpected events of %s" % name)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

# events_check SPEC...: events_check_now, given up to 30 s for the last
# events to arrive (an end is sent once the VM is off its CPU, after
# 'denalictl wait' may have seen it).
events_check() {
	local i

	for ((i = 0; i < 60; i++)); do
		events_check_now "$@" >/dev/null && break
		snooze 0.5
	done
	# A second look: nothing more came meanwhile.
	sleep 1
	run events_check_now "$@"
	echo "$output"
	echo "events heard:"
	cat "$EVENTS"
	[ "$status" -eq 0 ]
}

@test "every change from creation to each end sends one event, idling none" {
	local hello crash spin idler sleeper made live out

	events_listen
	hello=$(start_vm hello.elf hello)
	crash=$(start_vm crash.elf crash)
	spin=$(start_vm spin.elf spin)
	idler=$(start_vm idle.elf idler)
	sleeper=$(start_vm sleeper.elf sleeper --cmdline 2)
	out=$(denalictl create "$EX/hello.elf" --name made)
	[[ $out =~ ^created\ made\ \(id\ ([0-9]+)\)$ ]]
	made=${BASH_REMATCH[1]}
	live=$(start_vm spin.elf live)

	run wait_vm hello
	[ "$output" = "exited (code 7)" ]
	run wait_vm crash
	[[ $output = crashed* ]]
	wait_state spin running
	denalictl stop spin
	run wait_vm spin 30
	[ "$output" = stopped ]
	wait_state idler idle
	denalictl stop idler
	run wait_vm idler 30
	[ "$output" = stopped ]
	run wait_vm sleeper 60
	[ "$output" = "exited (code 0)" ]
	# It idled and woke, without an event for either.
	[ "$(vm_stat sleeper idles)" -ge 2 ]
	denalictl stop made
	# Destroying a live VM stops it: one event; an ended one: none.
	wait_state live running
	denalictl destroy live
	denalictl destroy hello

	events_check "hello:$hello:created,waiting,running,exited" \
		"crash:$crash:created,waiting,running,crashed" \
		"spin:$spin:created,waiting,running,stopped" \
		"idler:$idler:created,waiting,running,stopped" \
		"sleeper:$sleeper:created,waiting,running,exited" \
		"made:$made:created,stopped" \
		"live:$live:created,waiting,running,stopped"
}

@test "a VM that waits at the gatekeeper is told waiting once, then admitted or stopped" {
	local w1 w2

	events_listen
	echo 1000000 >"$PARAM"
	w1=$(start_vm hello.elf w1)
	w2=$(start_vm hello.elf w2)
	# Several periodic re-checks pass without an event.
	sleep 1
	[ "$(vm_field w1 state)" = waiting ]
	[ "$(vm_field w2 state)" = waiting ]
	denalictl stop w2
	run wait_vm w2 10
	[ "$output" = stopped ]
	echo 64 >"$PARAM"
	run wait_vm w1 60
	[ "$output" = "exited (code 7)" ]

	events_check "w1:$w1:created,waiting,running,exited" \
		"w2:$w2:created,waiting,stopped"
}

@test "a VM swapped out and woken is told waiting and running again" {
	local echo_id

	events_listen
	echo_id=$(start_vm echo.elf echo)
	wait_console echo '^echo: ready$'
	wait_state echo idle
	run denalictl swap echo
	[ "$status" -eq 0 ]
	[ "$(vm_field echo resident)" = False ]
	# The input wakes it: it passes the gatekeeper again to come back.
	denalictl console echo --send "while out"
	wait_console echo '^echo: while out$'
	[ "$(vm_field echo resident)" = True ]
	denalictl console echo --send quit
	run wait_vm echo
	[ "$output" = "exited (code 0)" ]

	events_check "echo:$echo_id:created,waiting,running,waiting,running,exited"
}
