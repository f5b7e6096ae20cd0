#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Privileged instructions end as the guest ABI says, the same on both
# backends: every case of tests/hostile/guests/privinsn.c runs as its own
# VM, all at once, and 'denalictl wait' must print what privinsn.list
# gives for it (tests/vm/vmx-smoke.sh checks the same list on VMX). The
# host keeps taking page faults on every CPU meanwhile, which a guest
# must never see in its CR2.

load ../bats/helpers

LIST=$BATS_TEST_DIRNAME/privinsn.list
GUEST=$BATS_TEST_DIRNAME/guests/privinsn.elf
# These need a stack switch from the TSS: they run in a test of their
# own, as they once took the whole test machine down.
UPCALL_CASES='ring3-upcall|v86-upcall'

# cases REGEX: the list's cases whose names match REGEX.
cases() {
	awk -v re="^($1)\$" '!/^#/ && NF && $1 !~ /:/ && $1 ~ re { print $1 }' \
		"$LIST"
}

# expected CASE: the outcome the list gives for CASE on SVM.
expected() {
	awk -v c="$1" '
	!/^#/ && ($1 == c || $1 == c ":svm") {
		own = $1 != c
		sub(/^[^ \t]+[ \t]+/, "")
		if (own) { print; done = 1; exit }
		both = $0
	}
	END { if (!done) print both }' "$LIST"
}

start_cases() {
	local c

	for c in $(cases "$1"); do
		denalictl start "$GUEST" --name "pi-$c" --cmdline "$c" \
			>/dev/null || return 1
	done
}

# check_cases REGEX: every case matching REGEX ended as the list says;
# prints each that did not, with its console.
check_cases() {
	local c out want bad=0

	for c in $(cases "$1"); do
		want=$(expected "$c")
		# The status tells how it ended; the line is what is checked.
		out=$(denalictl wait "pi-$c" --timeout 120 2>&1) || true
		if [ "$out" != "$want" ]; then
			echo "$c: '$out', expected '$want'; console:"
			denalictl console "pi-$c" | sed 's/^/    /'
			bad=1
		fi
	done
	[ "$(cases "$1" | wc -l)" -gt 0 ] || { echo "no case matches $1"; bad=1; }
	return "$bad"
}

setup_file() {
	local cpu

	denali_setup_file
	# Page faults on every CPU: forks, one shell per CPU.
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$cpu" bash -c 'while :; do /bin/true; done' \
			>/dev/null 2>&1 3>&- &
		echo $! >>"$BATS_FILE_TMPDIR/faulters"
	done
	start_cases "$(cases '.*' | grep -vE "^($UPCALL_CASES)$" | paste -sd'|')"
}

teardown_file() {
	xargs -r kill <"$BATS_FILE_TMPDIR/faulters" 2>/dev/null
	denali_teardown_file
}

# The VMs of setup_file stay for the tests after a failed one.
teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && module_loaded; then
		denalictl list >&2 || true
	fi
}

@test "control register reads complete; a write is a no-op or ends the VM" {
	run check_cases 'cr[0348]-.*|smsw|clts|lmsw-.*'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "CR2 is the guest's own while the host takes page faults" {
	run check_cases 'cr2-.*'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "every debug register access ends the VM" {
	run check_cases 'dr[0-7]-.*'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "descriptor-table instructions load and store the guest's own tables" {
	run check_cases '[ls](gdt|idt|ldt|tr)|str'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "a hypercall behind prefixes returns after the whole instruction" {
	run check_cases 'hypercall-.*'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "an upcall in ring 3 or virtual-8086 mode ends the VM, not the machine" {
	start_cases "$UPCALL_CASES"
	run check_cases "$UPCALL_CASES"
	echo "$output"
	[ "$status" -eq 0 ]
	# The host still runs guests.
	start_vm hello.elf h1
	run wait_vm h1
	[ "$output" = "exited (code 7)" ]
}
