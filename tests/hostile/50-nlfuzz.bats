#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Hostile control-plane input: tests/hostile/nlfuzz.py sends the denali
# family thousands of malformed and random requests beside real VMs being
# created, started, stopped, swapped out and destroyed, as root with two
# seeds, then as an unprivileged user and from user namespaces, where
# every request must fail with EPERM (ENOENT outside the initial network
# namespace) and the events group must refuse to be joined. Afterwards no
# VM is left, unreclaimable slab is back near where it started, the kernel
# log is clean and the module unloads. Events that root receives meanwhile
# must parse and carry no more than netlink.rst allows.
#
# DENALI_NLFUZZ_COUNT: requests of the first root run (default 1200, about
# 30 seconds in the SVM machine; 400 on a kernel with kmemleak, the debug
# pass's); the other runs send a fixed share of it.
# DENALI_NLFUZZ_SEED: the first seed (default fixed; the second is one
# more). Each run prints its seed and the command that repeats it.

load ../bats/helpers

FUZZ="$BATS_TEST_DIRNAME/nlfuzz.py"
# Under KASAN and kmemleak (the debug pass's kernel) requests cost a few
# times more, and KASAN's quarantine keeps freed objects (up to 1/32 of
# memory) in the slab: the slab check is loose there, kmemleak's is not.
if [ -e /sys/kernel/debug/kmemleak ]; then
	COUNT=${DENALI_NLFUZZ_COUNT:-400}
	SLAB_SLACK_KB=$((40 << 10))
else
	COUNT=${DENALI_NLFUZZ_COUNT:-1200}
	SLAB_SLACK_KB=2048
fi
SEED=${DENALI_NLFUZZ_SEED:-20261206}
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

setup_file() {
	denali_setup_file
	slab_kb >"$BATS_FILE_TMPDIR/slab-start"
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	denali_teardown
}

# slab_kb: unreclaimable slab in KiB, after the reclaimable caches were
# dropped so that they do not hide a change.
slab_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}

# fuzz [PREFIX...] -- ARGS...: the fuzzer run under PREFIX (setpriv,
# unshare) with ARGS, its output shown on failure; fails on any protocol
# violation.
fuzz() {
	local prefix=()

	while [ "$1" != -- ]; do
		prefix+=("$1")
		shift
	done
	shift
	echo "# ${prefix[*]} python3 $FUZZ $*" >&3
	run "${prefix[@]}" python3 "$FUZZ" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *" 0 violations"* ]]
}

@test "root: malformed and random requests beside real VMs, first seed" {
	fuzz -- --seed "$SEED" --count "$COUNT"
	# The fuzzer made and destroyed real VMs, and left none.
	[[ $output =~ VMs\ created\ ([0-9]+),\ destroyed\ ([0-9]+),\ left\ 0 ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	[ "${BASH_REMATCH[1]}" -eq "${BASH_REMATCH[2]}" ]
	[ "$(vm_count)" -eq 0 ]
}

@test "root: malformed and random requests beside real VMs, second seed" {
	fuzz -- --seed "$((SEED + 1))" --count "$((COUNT * 2 / 3))"
	[ "$(vm_count)" -eq 0 ]
}

# vm_states: "NAME STATE" for every VM, from the text of 'denalictl list'
# (no python3 to start: slow in the emulated machine).
vm_states() {
	denalictl list | awk 'NR > 1 { print $2, $3 }'
}

# victim: a running VM that root made, for unprivileged requests to aim
# at; prints ID:NAME.
victim() {
	local id i

	id=$(start_vm idle.elf victim) || return 1
	for ((i = 0; i < 300; i++)); do
		[[ $(vm_states) =~ ^victim\ (running|idle)$ ]] && break
		snooze 0.1
	done
	echo "$id:victim"
}

# victim_intact: the victim is still there, untouched, and alone.
victim_intact() {
	local states

	states=$(vm_states)
	echo "VMs: $states"
	[[ $states =~ ^victim\ (running|idle)$ ]]
}

@test "an unprivileged user gets EPERM for every request and cannot join events" {
	local target

	target=$(victim)
	fuzz "${NOBODY[@]}" -- --unpriv --target "$target" \
		--seed "$((SEED + 2))" --count "$((COUNT / 4))"
	victim_intact
}

@test "from user namespaces every request fails, and another netns has no family" {
	local target fid

	# The debug pass's kernel is built without them.
	[ -e /proc/self/ns/user ] || skip "this kernel has no user namespaces"
	target=$(victim)
	# The namespace's root, made by root and by nobody.
	fuzz unshare -U -r -- --unpriv --target "$target" \
		--seed "$((SEED + 3))" --count "$((COUNT / 8))"
	fuzz "${NOBODY[@]}" unshare -U -r -- --unpriv --target "$target" \
		--seed "$((SEED + 4))" --count "$((COUNT / 8))"
	# With a network namespace of its own the family is not there: the
	# family id from the initial namespace gets ENOENT.
	fid=$(python3 "$FUZZ" --print-family-id)
	[[ $fid =~ ^[0-9]+$ ]]
	fuzz "${NOBODY[@]}" unshare -U -r -n -- --unpriv --no-family \
		--family-id "$fid" --target "$target" --seed "$((SEED + 5))" \
		--count "$((COUNT / 8))"
	victim_intact
}

@test "afterwards no VM is left, slab is back, the log is clean and rmmod works" {
	local start now

	[ "$(vm_count)" -eq 0 ]
	run denalictl stats
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"vms 0"* ]]
	[[ $output == *"pinned_pages 0"* ]]
	start=$(cat "$BATS_FILE_TMPDIR/slab-start")
	now=$(slab_kb)
	echo "# unreclaimable slab: $start KiB at the start, $now KiB now" >&3
	# Thousands of requests and a few hundred VMs: a leak of a kilobyte
	# per request or some kilobytes per VM would show.
	[ "$now" -lt "$((start + SLAB_SLACK_KB))" ]
	unload_module 60
	check_dmesg "$(cat "$BATS_FILE_TMPDIR/dmesg-mark")" "the fuzzer's runs"
}
