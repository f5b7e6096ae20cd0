#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: build everything, run every test level and sum up.
#
# Levels (CHECK_LEVELS="svm vmx" picks a subset; the order of LEVELS below
# is the first lane's, see BESIDE for the second):
#   layers scripts/layers.sh: module/ keeps its layers (no include up a
#          layer, no include cycle; Documentation/architecture.rst)
#   man    scripts/man-lint.sh: every manual page in Documentation/man
#          passes mandoc -T lint without warnings and renders with man -l
#   kunit  scripts/kunit.sh: the KUnit suites in a small kernel under QEMU;
#          counts from its last line "kunit: N passed, N failed, N skipped"
#   sdk    make -C guest-sdk test-net test-disk: the guest TCP/IP stack's
#          tests on this host (stacks joined by a simulated LAN) and the
#          guest ustar file system's (archives made by tar); counts from
#          the TAP lines
#   svm    tests/vm/svm-run bats --tap --timing tests/bats tests/hostile:
#          the bats suites and the hostile suite in the SVM test machine
#          (QEMU, AMD SVM); counts from the TAP lines
#   nomitig  tests/bats/35-spec.bats again in the SVM test machine booted
#          with mitigations=off: the module must follow the host's switch
#          and turn every speculation mitigation off
#   harness  tests/harness/abort-test.sh: svm-run itself reports a QEMU
#          abort as a failed test naming the test and the guest
#   swap   the same machine with SWAP_MEM of RAM and a SWAP_DISK swap
#          disk, for tests/swap: guest memory through Linux swap
#   debug  the bats files of DEBUG_FILES again, then tests/debug (one
#          kmemleak scan for them all), in the SVM test machine booted on
#          the debug kernel of scripts/debug-kernel.sh (KASAN, lockdep,
#          kmemleak) with a denali.ko built for it; test names begin with
#          "[debug]", and one more test checks the whole kernel log for
#          reports; counts from the TAP lines
#   vmx    tests/vm/vmx-run tests/vm/vmx-smoke.sh: the smoke test in the VMX
#          test machine (Bochs, Intel VMX); counts from the TAP lines
#   dkms   tests/install/dkms.sh: DKMS adds, builds, installs and removes
#          denali.ko for the test machines' kernel, in trees of its own on
#          this host; counts from the TAP lines
#
# The levels of BESIDE run in a second lane, in their order, beside the
# others and at a lower priority (nice BESIDE_NICE): an emulated machine
# running the tests' shell commands keeps about one of its host CPUs
# busy, so the second lane mostly uses what the first leaves idle, and the
# first, whose tests time the scheduler, stays ahead when both want the
# CPUs. Their output is shown when the first lane is done.
#
# Prints each test's result as it comes, each level's counts and time, and
# ends with exactly one line "N passed, N failed, N skipped". A level that
# crashes, times out or reports nothing counts as at least one failure;
# tests a TAP plan announced but that never reported count as failed too.
# Exits non-zero iff anything failed. Full logs: tests/out/check/.
#
# Environment:
#   CHECK_LEVELS          levels to run (default: all of LEVELS below)
#   CHECK_TIMEOUT_<LEVEL> seconds before a level is killed (defaults below)
#   CHECK_BESIDE          the levels of the second lane (default: BESIDE
#                         below; empty runs every level in one lane)
#   DEBUG_BATS            the bats files or directories the debug level runs
#                         before tests/debug (default: DEBUG_FILES below;
#                         DEBUG_BATS=tests/bats runs the whole suite, in
#                         about 20 minutes)
set -uo pipefail

LEVELS=(layers man kunit sdk svm nomitig harness swap vmx dkms debug)

declare -A TIMEOUT=([layers]=60 [man]=60 [kunit]=1800 [sdk]=600 [svm]=3600 [nomitig]=600 [harness]=600 [swap]=1800
	[debug]=2400 [vmx]=1800 [dkms]=900)

# The bats files the debug level runs by default. The whole suite takes
# about 20 minutes on the debug kernel, more than make check can spend;
# these cover every part of the module under its heaviest use of memory
# and locks (VM lifecycle and netlink, crashes, refused input, swap out
# and in, unloading with VMs in every state, the switch and the guest
# TCP/IP stack), leaving out the files that measure timing and fairness,
# which the debug kernel's slowness would fail anyway, and 10-hello.bats,
# whose starts, lists and exits every other file does too; and the hostile
# suite's attackers, all at once beside their victims, and the netlink
# fuzzer (KASAN and kmemleak watch the control plane). Paths under tests/.
DEBUG_FILES=(bats/20-faults.bats bats/30-errors.bats bats/55-swapout.bats
	bats/60-unload.bats bats/99-tcpip.bats hostile/20-attackers.bats
	hostile/50-nlfuzz.bats)

# The second lane: the VMX machine (Bochs, single-threaded, keeping its
# own time), the DKMS build (on this host, while the second lane would
# otherwise wait for the svm level), then the debug pass, whose tests
# time nothing either. The
# swap level follows the svm level in the first lane. Measured both
# ways with warm caches, this order took 32 minutes; the debug pass alone
# in the second lane from the start and vmx after swap in the first, 34:
# Bochs fits beside the svm level better than the debug kernel does.
# vmx goes first so that the debug kernel's build, on a new machine,
# waits for KUnit's on their shared tree and lock while the first lane
# runs the svm level, not before it.
BESIDE=(vmx dkms debug)
BESIDE_NICE=10
# A level of the second lane that waits until a level of the first lane
# is done. The debug pass beside the svm level's busy machine ran four
# times slower, niced, and its swap-out test, which must catch a guest
# in its idle moments, ran out of tries; beside the shorter levels that
# follow svm it runs at its own pace.
declare -A BESIDE_AFTER=([debug]=svm)

SWAP_MEM=384M
SWAP_DISK=3G

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/tests/out/check
cd "$root" || exit 1
mkdir -p "$out" || exit 1

read -ra levels <<<"${CHECK_LEVELS:-${LEVELS[*]}}"

read -ra beside <<<"${CHECK_BESIDE-${BESIDE[*]}}"

rm -f "$out"/*.result "$out"/*.done "$out/beside.log"

# account LEVEL PASSED FAILED SKIPPED SECONDS [NOTE]: the level's counts
# and summary line, in tests/out/check/LEVEL.result for the summary, which
# either lane may write.
account() {
	printf '%d %d %d\t%-7s %d passed, %d failed, %d skipped in %ds%s\n' \
		"$2" "$3" "$4" "$1" "$2" "$3" "$4" "$5" "${6:+ ($6)}" \
		>"$out/$1.result"
}

# Live view of a level's output: only the per-test result lines.
live_tap() {
	grep --line-buffered -E '^(ok|not ok) ' | sed -u 's/^/  /'
}

live_kunit() {
	grep --line-buffered -E '\[(PASSED|FAILED|SKIPPED|CRASHED|ERROR)\]' |
		sed -u -E 's/^\[[0-9:]+\] //; s/^/  /'
}

# run_level LEVEL LIVE-FILTER COMMAND...: run COMMAND under the level's
# timeout with its output in tests/out/check/LEVEL.log; sets rc and secs.
run_level() {
	local level=$1 filter=$2 var=CHECK_TIMEOUT_${1^^} limit start
	shift 2

	limit=${!var:-${TIMEOUT[$level]}}
	echo "== $level: $* (at most ${limit}s)"
	start=$(date +%s)
	timeout -k 30 "$limit" "$@" </dev/null 2>&1 | tee "$out/$level.log" | "$filter"
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		note="timed out after ${limit}s"
	elif [ "$rc" -ne 0 ]; then
		note="exit status $rc"
	else
		note=""
	fi
}

# debug_pass: the debug level's command (run through bash -c, under the
# level's timeout of DEBUG_LIMIT seconds). Builds or finds the debug kernel
# and its denali.ko, runs the bats suites on them with each test's name
# marked "[debug]", then reports one more test: no KASAN, lockdep or
# kmemleak report anywhere in the kernel log, boot and the time between
# test files included (a lockdep report before the suites would have
# turned lockdep off for all of them).
debug_pass() {
	local out=tests/out/debug paths kernel module rc n bad left boot

	mkdir -p "$out" || return 1
	paths=$(bash scripts/debug-kernel.sh -p) || return 1
	{ read -r kernel; read -r module; } <<<"$paths"
	echo "debug kernel $kernel, module $module"
	# The machine gets what the build left of the level's time. Under
	# emulation the debug kernel's ACPI interpreter runs past its loop
	# timeout in _PRT, leaving virtio without an IRQ: route PCI IRQs
	# from the BIOS's table instead.
	# Fewer VMs in the scale tests, and one kmemleak scan at the end
	# (tests/debug) instead of one per file: under KASAN both cost
	# minutes, and neither finds more bugs for being bigger. Now and
	# then the debug kernel hangs in RCU's boot-time self tests under
	# TCG, before anything of ours runs: such a machine is killed after
	# DEBUG_BOOT_LIMIT seconds and booted once more.
	for boot in 1 2; do
		left=$((DEBUG_LIMIT - SECONDS - 30))
		# shellcheck disable=SC2086 # DEBUG_BATS is a list of paths
		SVM_RUN_KERNEL=$kernel DENALI_MODULE=$module \
			SVM_RUN_LOG=$out/serial.log SVM_RUN_TIMEOUT=$left \
			SVM_RUN_BOOT_TIMEOUT=${DEBUG_BOOT_LIMIT:-480} \
			SVM_RUN_APPEND="pci=noacpi ${SVM_RUN_APPEND:-}" \
			DENALI_SCALE_VMS=${DENALI_SCALE_VMS:-10} \
			DENALI_MANY_VMS=${DENALI_MANY_VMS:-100} \
			DENALI_KMEMLEAK_SCAN=suite \
			tests/vm/svm-run bats --tap --timing $DEBUG_BATS tests/debug |
			sed -u -E 's/^((not )?ok [0-9]+ )/\1[debug] /' |
			tee "$out/tap.log"
		rc=${PIPESTATUS[0]}
		[ "$rc" -eq 126 ] || break
		echo "# the debug kernel did not boot (boot $boot of 2)"
	done
	n=$(($(grep -cE '^(not )?ok [0-9]+ ' "$out/tap.log") + 1))
	bad=$(grep -E -A 20 "$DEBUG_BAD" "$out/serial.log")
	if [ -n "$bad" ]; then
		echo "not ok $n [debug] the kernel log has no KASAN, lockdep or kmemleak report"
		while IFS= read -r line; do
			echo "# $line"
		done <<<"$bad"
		[ "$rc" -ne 0 ] || rc=1
	else
		echo "ok $n [debug] the kernel log has no KASAN, lockdep or kmemleak report"
	fi
	return "$rc"
}
# Kernel log lines that begin a KASAN, lockdep or kmemleak report.
# kmemleak's own lines count when it stops tracking (it disables itself
# on an internal error); its leak reports count only where they implicate
# denali, which tests/debug/99-kmemleak.bats checks.
export DEBUG_BAD='BUG: KASAN|WARNING: .*(lock|RCU)|BUG: .*(lock|sleeping)|lockdep is turned off|non-static key|kmemleak: .*(disabled|unknown object|[Pp]ool empty)'
export -f debug_pass

# tail_log LEVEL: the end of a failed level's log, for the reader.
tail_log() {
	echo "  --- last lines of tests/out/check/$1.log:"
	tail -n 40 "$out/$1.log" | sed 's/^/  | /'
}

# parse_tap LEVEL: count the TAP results in LEVEL's log, print the details
# of failed tests, and account for the level.
parse_tap() {
	local level=$1 p f s plan seen

	{ awk '
	/^1\.\.[0-9]+/ { split($0, a, /\.\./); plan += a[2]; next }
	# TAP TODO: a known failure, counted as skipped.
	/^not ok .* # [Tt][Oo][Dd][Oo]([ :]|$)/ { s++; seen++; show = 0; next }
	/^not ok / { f++; seen++; show = 1; print "  FAILED: " substr($0, 8) > "/dev/stderr"; next }
	/^ok / {
		seen++; show = 0
		if ($0 ~ / # [Ss][Kk][Ii][Pp]([ :]|$)/) s++; else p++
		next
	}
	/^#/ && show { print "    " $0 > "/dev/stderr"; next }
	{ show = 0 }
	END { printf "%d %d %d %d %d\n", p, f, s, plan, seen }
	' "$out/$level.log" >"$out/$level.counts"; } 2>&1
	read -r p f s plan seen <"$out/$level.counts"
	if [ "$plan" -gt "$seen" ]; then
		echo "  $((plan - seen)) of $plan planned tests never reported"
		f=$((f + plan - seen))
		unexplained=1
		note="${note:+$note, }$((plan - seen)) not run"
	fi
	finish_level "$level" "$p" "$f" "$s"
}

# parse_kunit: counts from kunit.sh's last line.
parse_kunit() {
	local p=0 f=0 s=0 last

	last=$(grep -E '^kunit: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' \
		"$out/kunit.log" | tail -n 1)
	if [[ $last =~ ^kunit:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
		s=${BASH_REMATCH[3]}
	fi
	finish_level kunit "$p" "$f" "$s"
}

# finish_level LEVEL P F S: a level that failed, crashed, timed out or
# reported nothing counts as at least one failure.
finish_level() {
	local level=$1 p=$2 f=$3 s=$4

	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		unexplained=1
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		f=1
		unexplained=1
		note="${note:+$note, }no results"
	fi
	# Failed TAP tests were shown with their diagnostics; anything else
	# is explained only by the log.
	if [ "$unexplained" -eq 1 ] || { [ "$level" = kunit ] && [ "$f" -ne 0 ]; }; then
		tail_log "$level"
	fi
	echo "== $level: $p passed, $f failed, $s skipped in ${secs}s${note:+ ($note)}"
	account "$level" "$p" "$f" "$s" "$secs" "$note"
}

# The build. The machines need everything built; KUnit builds its own.
built=1
echo "== build: make all"
start=$(date +%s)
if ! make all >"$out/build.log" 2>&1; then
	built=0
	echo "== build: FAILED"
	tail -n 40 "$out/build.log" | sed 's/^/  | /'
	account build 0 1 0 $(($(date +%s) - start)) "make all failed"
else
	printf '0 0 0\t%-7s ok in %ds\n' build $(($(date +%s) - start)) \
		>"$out/build.result"
fi

# run_one LEVEL: run a level and account for it.
run_one() {
	local level=$1

	rc=0 secs=0 note="" unexplained=0
	case $level in
	kunit)
		if [ ! -r /usr/src/linux-source-6.1.tar.xz ]; then
			echo "== kunit: skipped (no linux-source-6.1; run 'make deps')"
			account kunit 0 0 1 0 "no kernel source"
			return
		fi
		run_level kunit live_kunit bash scripts/kunit.sh
		parse_kunit
		;;
	layers)
		run_level layers live_tap bash scripts/layers.sh
		parse_tap layers
		;;
	man)
		run_level man live_tap bash scripts/man-lint.sh
		parse_tap man
		;;
	sdk)
		run_level sdk live_tap make -s -k -C guest-sdk test-net test-disk
		parse_tap sdk
		;;
	dkms)
		run_level dkms live_tap bash tests/install/dkms.sh
		parse_tap dkms
		;;
	harness)
		run_level harness live_tap env \
			ABORT_TEST_TIMEOUT=$((${CHECK_TIMEOUT_HARNESS:-${TIMEOUT[harness]}} - 60)) \
			bash tests/harness/abort-test.sh
		parse_tap harness
		;;
	svm | nomitig | swap | debug | vmx)
		if [ "$built" -eq 0 ]; then
			echo "== $level: not run (the build failed)"
			return
		fi
		if [ "$level" = svm ]; then
			export SVM_RUN_TIMEOUT=${SVM_RUN_TIMEOUT:-$((${CHECK_TIMEOUT_SVM:-${TIMEOUT[svm]}} - 60))}
			run_level svm live_tap tests/vm/svm-run \
				bats --tap --timing tests/bats tests/hostile
		elif [ "$level" = nomitig ]; then
			run_level nomitig live_tap env \
				SVM_RUN_TIMEOUT=$((${CHECK_TIMEOUT_NOMITIG:-${TIMEOUT[nomitig]}} - 60)) \
				SVM_RUN_APPEND=mitigations=off \
				SVM_RUN_LOG=tests/out/svm/nomitig-serial.log \
				tests/vm/svm-run bats --tap --timing tests/bats/35-spec.bats
		elif [ "$level" = swap ]; then
			run_level swap live_tap env \
				SVM_RUN_TIMEOUT=$((${CHECK_TIMEOUT_SWAP:-${TIMEOUT[swap]}} - 60)) \
				SVM_RUN_MEM=$SWAP_MEM SVM_RUN_SWAP=$SWAP_DISK \
				SVM_RUN_LOG=tests/out/svm/swap-serial.log \
				tests/vm/svm-run bats --tap --timing tests/swap
		elif [ "$level" = debug ]; then
			if [ ! -r /usr/src/linux-source-6.1.tar.xz ]; then
				echo "== debug: skipped (no linux-source-6.1; run 'make deps')"
				account debug 0 0 1 0 "no kernel source"
				return
			fi
			export DEBUG_LIMIT=${CHECK_TIMEOUT_DEBUG:-${TIMEOUT[debug]}}
			export DEBUG_BATS=${DEBUG_BATS:-${DEBUG_FILES[*]/#/tests/}}
			run_level debug live_tap bash -c debug_pass
		else
			export VMX_TIMEOUT=${VMX_TIMEOUT:-$((${CHECK_TIMEOUT_VMX:-${TIMEOUT[vmx]}} - 60))}
			run_level vmx live_tap tests/vm/vmx-run tests/vm/vmx-smoke.sh
		fi
		parse_tap "$level"
		;;
	*)
		echo "== $level: unknown level"
		account "$level" 0 1 0 0 "unknown level"
		;;
	esac
}

# in_list WORD LIST...: whether WORD is one of LIST.
in_list() {
	local w=$1 l

	shift
	for l in "$@"; do
		[ "$l" = "$w" ] && return 0
	done
	return 1
}

# The second lane runs its levels in BESIDE's order.
lane2=()
for level in "${beside[@]}"; do
	in_list "$level" "${levels[@]}" && lane2+=("$level")
done
lane2_pid=""
# kill_tree PID: end PID and everything it started (each level runs under
# timeout(1), in a process group of its own, which passes TERM on).
kill_tree() {
	local child

	for child in $(pgrep -P "$1"); do
		kill_tree "$child"
	done
	kill "$1" 2>/dev/null
}
# Stopping make check stops the second lane too.
stop_lane2() {
	[ -z "$lane2_pid" ] || kill_tree "$lane2_pid"
}
trap stop_lane2 EXIT
trap 'exit 130' INT TERM
if [ ${#lane2[@]} -gt 0 ]; then
	echo "== beside the others, niced, output at the end: ${lane2[*]}"
	(
		renice -n "$BESIDE_NICE" -p "$BASHPID" >/dev/null
		for level in "${lane2[@]}"; do
			after=${BESIDE_AFTER[$level]:-}
			if [ -n "$after" ] && in_list "$after" "${levels[@]}" &&
			   ! in_list "$after" "${lane2[@]}"; then
				while [ ! -e "$out/$after.done" ]; do
					sleep 5
				done
			fi
			run_one "$level"
		done
	) </dev/null >"$out/beside.log" 2>&1 &
	lane2_pid=$!
fi
for level in "${levels[@]}"; do
	in_list "$level" "${lane2[@]}" && continue
	run_one "$level"
	: >"$out/$level.done"
done
if [ -n "$lane2_pid" ]; then
	echo "== waiting for ${lane2[*]}"
	wait "$lane2_pid"
	lane2_pid=""
	cat "$out/beside.log"
fi

total_p=0
total_f=0
total_s=0
echo "== summary"
for level in build "${levels[@]}"; do
	[ -r "$out/$level.result" ] || continue
	IFS=$'\t' read -r counts line <"$out/$level.result"
	read -r p f s <<<"$counts"
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	total_s=$((total_s + s))
	echo "  $line"
done
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
