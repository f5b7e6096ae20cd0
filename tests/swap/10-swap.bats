#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Guest memory through Linux swap, in a test machine with little RAM and
# a swap disk (tests/vm/svm-run with SVM_RUN_MEM and SVM_RUN_SWAP, see
# scripts/check.sh's swap level). The tests run in order on one set of
# VMs: they write twice the RAM, are swapped out, check their
# memory, and free their swap when destroyed; then, without swap, memory
# exhaustion refuses new VMs cleanly while the others run on.

load ../bats/helpers

# MiB each memtest VM writes, in a VM of MEM_MB.
TOUCH_MB=40
MEM_MB=48

setup_file() {
	swap_on
	# Under emulation, compacting hundreds of MiB in the background
	# trips the soft lockup watchdog; nothing here needs it.
	echo 0 >/proc/sys/vm/compaction_proactiveness
	denali_setup_file
}

teardown_file() {
	local rc=0

	denali_teardown_file || rc=1
	swap_off
	return "$rc"
}

# The VMs live from one test to the next; only a failure clears them.
teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		denali_teardown
	fi
}

# swap_on: the machine's swap disk becomes its only swap.
swap_on() {
	[ -n "${DENALI_SWAP_DISK:-}" ] || {
		echo "no swap disk: run under svm-run with SVM_RUN_SWAP" >&2
		return 1
	}
	load_kmod virtio_blk
	udevadm settle 2>/dev/null || sleep 1
	mkswap "$DENALI_SWAP_DISK" >/dev/null
	swapon "$DENALI_SWAP_DISK"
}

swap_off() {
	swapoff -a
}

meminfo_mb() {
	awk -v key="$1:" '$1 == key { print int($2 / 1024) }' /proc/meminfo
}

swap_used_mb() {
	echo $(($(meminfo_mb SwapTotal) - $(meminfo_mb SwapFree)))
}

# memtest_count: how many memtest VMs write twice the RAM.
memtest_count() {
	local ram

	ram=$(meminfo_mb MemTotal)
	echo $(((2 * ram + TOUCH_MB - 1) / TOUCH_MB))
}

@test "VMs that write twice the RAM are swapped out to make room" {
	local n i used=0 peak=0 ram

	ram=$(meminfo_mb MemTotal)
	n=$(memtest_count)
	echo "$n VMs of $MEM_MB MiB write $TOUCH_MB MiB each; RAM $ram MiB" >&2
	[ "$(swap_used_mb)" -lt 16 ]
	for i in $(seq 1 "$n"); do
		start_vm memtest.elf "t$i" --mem "${MEM_MB}M" \
			--cmdline "$TOUCH_MB $i" >/dev/null
	done
	for i in $(seq 1 "$n"); do
		wait_console "t$i" '^memtest: written$' 900
		used=$(swap_used_mb)
		[ "$used" -le "$peak" ] || peak=$used
	done
	denalictl stats >&2
	echo "swap used at most $peak MiB while they wrote" >&2
	# What the VMs wrote did not fit: most of it went to swap.
	[ "$peak" -ge "$ram" ]
	denalictl list -j | python3 -c '
import json, sys
vms = json.load(sys.stdin)
out = [vm for vm in vms if vm["stats"]["swap_outs"] > 0]
print(len(out), "of", len(vms), "VMs were swapped out", file=sys.stderr)
assert len(out) >= len(vms) // 2, "too few VMs were swapped out"'
}

@test "every VM finds its memory intact after coming back from swap" {
	local n i

	n=$(memtest_count)
	for i in $(seq 1 "$n"); do
		denalictl console "t$i" --send check
	done
	for i in $(seq 1 "$n"); do
		run wait_vm "t$i" 900
		echo "t$i: $output"
		[ "$output" = "exited (code 0)" ]
		wait_console "t$i" "^memtest: $TOUCH_MB MiB intact$" 5
	done
	# They waited to be let back in, as many as the memory held at once.
	denalictl list -j | python3 -c '
import json, sys
vms = json.load(sys.stdin)
waited = [vm for vm in vms if vm["stats"]["waiting_ns"] > 0]
print(len(waited), "of", len(vms), "VMs waited for admission",
      file=sys.stderr)
assert waited'
}

@test "destroying the VMs frees their swap" {
	local i used

	used=$(swap_used_mb)
	echo "swap used before: $used MiB" >&2
	[ "$used" -ge 64 ]
	destroy_all
	for i in $(seq 1 100); do
		used=$(swap_used_mb)
		[ "$used" -lt 16 ] && break
		snooze 0.2
	done
	echo "swap used after: $used MiB" >&2
	[ "$used" -lt 16 ]
	[ "$(vm_count)" -eq 0 ]
}

@test "without swap, exhausted memory refuses new VMs while the others run" {
	local fill=$BATS_FILE_TMPDIR/fill q1 q2 i

	swapoff -a
	start_vm bench.elf busy --mem 1M --cmdline "tick 5000" >/dev/null
	start_vm idle.elf quiet --mem 1M >/dev/null
	wait_state quiet idle
	echo 64 >/sys/module/denali/parameters/create_free_mb
	# Unswappable memory, until less than the floor is free.
	mkdir -p "$fill"
	mount -t tmpfs -o size=100% tmpfs "$fill"
	i=0
	while [ "$(meminfo_mb MemAvailable)" -ge 56 ]; do
		dd if=/dev/zero of="$fill/$i" bs=1M count=8 status=none
		i=$((i + 1))
	done
	echo "filled $((i * 8)) MiB; $(meminfo_mb MemAvailable) MiB available" >&2
	run denalictl start "$EX/hello.elf" --name refused
	rm -f "$fill"/*
	umount "$fill"
	echo 16 >/sys/module/denali/parameters/create_free_mb
	expect_error "not enough memory for another VM"
	run vm_field refused state
	[ "$status" -ne 0 ]
	# The VMs that were there ran all along.
	q1=$(vm_stat busy quanta)
	sleep 1
	q2=$(vm_stat busy quanta)
	[ "$q2" -gt "$q1" ]
	[ "$(vm_field quiet state)" = idle ]
	# With memory back, creating works again.
	start_vm hello.elf fine >/dev/null
	run wait_vm fine
	[ "$output" = "exited (code 7)" ]
}
