#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Privileged instructions end as the guest ABI says, the same on both
# backends: every case of tests/hostile/guests/privinsn.c runs as its own
# VM, and 'denalictl wait' must print what privinsn.list gives for it
# (tests/vm/vmx-smoke.sh checks the same list on VMX). The CR2 cases run
# first, all at once, while the host takes page faults on every CPU,
# which a guest must never see in its CR2; then all the others at once.

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

# outcomes REGEX: "CASE<tab>OUTCOME" for each case matching REGEX, with
# the outcome the list gives for it on SVM.
outcomes() {
	awk -v re="^($1)\$" '
	/^#/ || !NF { next }
	{
		c = $1
		sub(/^[^ \t]+[ \t]+/, "")
		if (c ~ /:svm$/) {
			sub(/:svm$/, "", c)
			own[c] = $0
		} else if (c !~ /:/ && c ~ re) {
			order[n++] = c
			both[c] = $0
		}
	}
	END {
		for (i = 0; i < n; i++)
			print order[i] "\t" (order[i] in own ? own[order[i]] : both[order[i]])
	}' "$LIST"
}

# start_cases REGEX: one VM per case matching REGEX, all from one
# denalictl: a process start costs a tenth of a second under emulation.
start_cases() {
	cases "$1" | awk -v g="$GUEST" \
		'{ print "start " g " --name pi-" $1 " --cmdline " $1 }' |
		denalictl -b - >/dev/null
}

# check_cases REGEX: every case matching REGEX ended as the list says;
# prints each that did not, with its console.
check_cases() {
	local c want out bad=0

	while IFS=$'\t' read -r c want; do
		# The status tells how it ended; the line is what is checked.
		out=$(denalictl wait "pi-$c" --timeout 120 2>&1) || true
		if [ "$out" != "$want" ]; then
			echo "$c: '$out', expected '$want'; console:"
			denalictl console "pi-$c" | sed 's/^/    /'
			bad=1
		fi
	done < <(outcomes "$1")
	[ -n "$(cases "$1")" ] || { echo "no case matches $1"; bad=1; }
	return "$bad"
}

setup_file() {
	local cpu c pids=()

	denali_setup_file
	# The CR2 cases run while the host takes page faults on every CPU:
	# forks, one shell per CPU, stopped once those cases have ended, as
	# they would slow every other case down.
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$cpu" bash -c 'while :; do /bin/true; done' \
			>/dev/null 2>&1 3>&- &
		pids+=("$!")
	done
	start_cases 'cr2-.*'
	for c in $(cases 'cr2-.*'); do
		denalictl wait "pi-$c" --timeout 120 >/dev/null 2>&1 || true
	done
	kill "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
	start_cases "$(cases '.*' | grep -vE "^(cr2-.*|$UPCALL_CASES)$" | paste -sd'|')"
}

teardown_file() {
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
