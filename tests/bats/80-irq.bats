#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Virtual interrupts through the guest SDK: the one-shot timer, console
# input, batching of raises while upcalls are off, and the cooperative
# threads that sleep on software timers.

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

# The lateness the timer test allows. A VM idling for its timer is woken
# when it fires; one quantum (quantum_us, 10000 by default) bounds the
# wait of a VM whose CPU is busy. The margin is for the emulated test
# machine, whose virtual CPUs are host threads on cores that other work
# shares: there a timer has come up to 12 ms late with other VMs starting
# beside it. 30 ms in all still fails a timer that fires at the wrong one
# of the tested deadlines (1, 50 and 200 ms).
QUANTUM_US=10000
MARGIN_US=20000

# check_timers SUFFIX: run timer.elf for each tested deadline, one at a
# time, and check its lateness and its single upcall.
check_timers() {
	local usec name late

	for usec in 1000 50000 200000; do
		name=t$usec$1
		start_vm timer.elf "$name" --cmdline "$usec"
		run wait_vm "$name" 30
		echo "deadline ${usec} us: $output"
		[ "$output" = "exited (code 0)" ]
		run denalictl console "$name"
		echo "$output"
		# No minus sign: early is a failure.
		[[ ${lines[0]} =~ ^timer:\ late\ ([0-9]+)$ ]]
		late=${BASH_REMATCH[1]}
		[ "$late" -le $((QUANTUM_US + MARGIN_US)) ]
		[ "$(vm_stat "$name" upcalls)" -eq 1 ]
	done
}

@test "the timer fires no earlier than its deadline and within a quantum" {
	check_timers ""
}

@test "the timer is as punctual while spinners keep every CPU busy" {
	# The test machine has two CPUs, so one runner per spinner.
	start_vm spin.elf sp1
	start_vm spin.elf sp2
	check_timers s
}

# send_inputs NAME WINDOW_MS: send VM NAME five console lines within half
# of WINDOW_MS; prints the bytes sent, or fails when the host was too slow.
send_inputs() {
	local i t0 t1 bytes=0

	t0=$(date +%s%N)
	for i in 1 2 3 4 5; do
		denalictl console "$1" --send "input $i"
		bytes=$((bytes + ${#i} + 7))	# "input N" and a newline
	done
	t1=$(date +%s%N)
	if (((t1 - t0) / 1000000 > $2 / 2)); then
		echo "sending took $(((t1 - t0) / 1000000)) ms" >&2
		return 1
	fi
	echo "$bytes"
}

@test "raises while upcalls are off arrive as one upcall" {
	local window_ms bytes=""

	# All five must land inside the guest's window of disabled upcalls.
	# A busy host may take longer to run five commands: then the guest
	# proves nothing, and a new one gets another try with twice the window.
	for window_ms in 4000 8000 16000; do
		start_vm irqcount.elf batch --cmdline "$window_ms"
		wait_console batch '^irqcount: ready$'
		bytes=$(send_inputs batch "$window_ms") && break
		bytes=""
		denalictl destroy batch
	done
	[ -n "$bytes" ]
	run wait_vm batch 30
	[ "$output" = "exited (code 0)" ]
	run denalictl console batch
	echo "$output"
	[ "${lines[1]}" = "irqcount: upcalls 1 bytes $bytes" ]
	[ "$(vm_stat batch irqs_raised)" -ge 5 ]
	[ "$(vm_stat batch upcalls)" -eq 1 ]
}

@test "echo echoes console input line by line" {
	start_vm echo.elf e1
	wait_console e1 '^echo: ready$'
	denalictl console e1 --send "hello, Denali"
	wait_console e1 '^echo: hello, Denali$'
	denalictl console e1 --send "a second line"
	wait_console e1 '^echo: a second line$'
	denalictl console e1 --send quit
	run wait_vm e1 30
	[ "$output" = "exited (code 0)" ]
	run denalictl console e1
	[ "${lines[*]}" = "echo: ready echo: hello, Denali echo: a second line echo: quit" ]
}

@test "console -i on a terminal sends typed lines and detaches on Ctrl-]" {
	# Input typed before the guest reads is queued for it.
	start_vm echo.elf e1 >/dev/null
	run python3 "$BATS_TEST_DIRNAME/ptyconsole.py" e1 "typed on a tty"
	echo "$output"
	[ "$status" -eq 0 ]
	# Detached, not ended: the VM still takes input.
	denalictl console e1 --send quit
	run wait_vm e1 30
	[ "$output" = "exited (code 0)" ]
}

@test "threads ticking on software timers all finish beside spinners" {
	local name counts

	# Two spinners keep both runners busy: the tickers' wakeups wait for
	# the end of a quantum, and their ticks are late but all there.
	start_vm spin.elf sp1
	start_vm spin.elf sp2
	for name in tk1 tk2; do
		start_vm ticker.elf "$name" --cmdline 2
	done
	for name in tk1 tk2; do
		run wait_vm "$name" 60
		[ "$output" = "exited (code 0)" ]
		run denalictl console "$name"
		[ "${lines[-1]}" = "ticker: done" ]
		# 2 s at 100, 250 and 500 ms: 20, 8 and 4 ticks.
		counts=$(for n in 1 2 3; do
			grep -c "^ticker: thread $n tick" <<<"$output"
		done | paste -sd' ')
		echo "$name ticks: $counts"
		[ "$counts" = "20 8 4" ]
		# Between ticks the VM idled instead of spinning.
		[ "$(vm_stat "$name" idles)" -ge 16 ]
	done
}
