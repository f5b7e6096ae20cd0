# SPDX-License-Identifier: GPL-2.0
#
# Shared by tests/bats/*.bats, which run as root inside a test machine
# that can load modules and has VMX or SVM (tests/vm/svm-run).
#
# Every file calls denali_setup_file from setup_file and
# denali_teardown_file from teardown_file: the first puts a marker in the
# kernel log and loads the module, the second destroys what is left,
# unloads the module and fails (printing the lines) when the kernel logged
# a warning, BUG, oops, KASAN or lockdep report or the like since the
# marker, or, on a kernel with kmemleak, when a scan finds memory that
# denali leaked.
#
# DENALI_MODULE names the module to load (default module/denali.ko; the
# debug pass loads one built for its debug kernel).

# Sourced by bats: the names set here are used by the .bats files, and
# status, output and lines come from bats's run.
# shellcheck disable=SC2034,SC2154

bats_require_minimum_version 1.5.0

# Every file lives in tests/SUITE/ of the checkout.
REPO=${BATS_TEST_DIRNAME%/tests/*}
MODULE=${DENALI_MODULE:-$REPO/module/denali.ko}
EX=$REPO/guest-sdk/examples
BAD=$EX/bad
PATH=$REPO/tools/denalictl:$PATH

# In the SVM test machine every 'denalictl start' of a test is noted on
# the serial console (the kernel's, kept in svm-run's serial log) before
# it runs: should a guest make QEMU abort, that log's last words are all
# that is left, and svm-run names the guests started last from them.
if [ "${DENALI_IN_VM:-}" = svm ] && [ -w /dev/ttyS0 ]; then
	denalictl() {
		[ "${1:-}" != start ] || echo "svm-run: denalictl $*" >/dev/ttyS0
		command denalictl "$@"
	}
fi

# snooze SECONDS: sleep without starting a process, which costs a tenth
# of a second under emulation and more on the debug kernel: polls wait
# here. read times out on a pipe that this shell holds open both ways.
exec {SNOOZE_FD}<> <(:)
snooze() {
	read -r -t "$1" -u "$SNOOZE_FD" || true
}

# Kernel log lines that fail a test file. Words that merely end in these
# (DEBUG) must not match, hence the word boundaries. Most lockdep reports
# start with WARNING or BUG; the unannotated lock key is only an INFO.
DMESG_BAD='\<(WARN|BUG\>|Oops|KASAN|general protection|kernel BUG)|lockdep|non-static key|rcu.*stall|blocked for more than|soft lockup|hard LOCKUP'

# kmemleak's control file: present only on a kernel built with it (the
# debug pass's), which scans only when asked to.
KMEMLEAK=/sys/kernel/debug/kmemleak
# When to scan: "file" (after each file) or "suite" (only where a file
# calls check_kmemleak itself, as tests/debug/99-kmemleak.bats does at the
# end of the debug pass: one scan of a big heap under KASAN takes half a
# minute).
KMEMLEAK_SCAN=${DENALI_KMEMLEAK_SCAN:-file}

# kmsg_mark: write a unique marker line to the kernel log and print it.
kmsg_mark() {
	local m

	m="denali-bats: mark $$.$RANDOM.${EPOCHREALTIME/./}"
	echo "$m" >/dev/kmsg
	echo "$m"
}

# dmesg_after MARK: the kernel log lines after MARK.
dmesg_after() {
	dmesg | awk -v m="$1" 'found { print } index($0, m) { found = 1 }'
}

# dmesg_bad: filter stdin down to the lines DMESG_BAD matches, each with
# the lines that follow it (the stack trace).
dmesg_bad() {
	grep -E -A 20 -- "$DMESG_BAD"
}

# load_kmod NAME: modprobe NAME, where the kernel has modules; one
# without a modules directory (the debug pass's kernel) has everything
# the tests need built in.
load_kmod() {
	[ -d "/lib/modules/$(uname -r)" ] || return 0
	modprobe "$1"
}

module_loaded() {
	[ -d /sys/module/denali ]
}

# The parameters every load of the module gets (svm-run sets them).
read -ra MODULE_PARAMS <<<"${DENALI_MODULE_PARAMS:-}"

load_module() {
	local m

	m=$(kmsg_mark)
	if ! insmod "$MODULE" "${MODULE_PARAMS[@]}"; then
		echo "insmod $MODULE failed; kernel log:" >&2
		dmesg_after "$m" >&2
		return 1
	fi
}

# unload_module [SECONDS]: rmmod denali, failing when it fails or is still
# loaded after SECONDS (default 60). rmmod runs in the background so that
# a hang inside the kernel fails this test instead of the whole run.
unload_module() {
	local limit=${1:-60} out pid i

	module_loaded || return 0
	out=$(mktemp)
	rmmod denali >"$out" 2>&1 3>&- &
	pid=$!
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		snooze 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "rmmod denali still running after ${limit}s" >&2
		rm -f "$out"
		return 1
	fi
	if ! wait "$pid"; then
		echo "rmmod denali failed: $(cat "$out")" >&2
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
	if module_loaded; then
		echo "denali still loaded after rmmod" >&2
		return 1
	fi
}

# check_dmesg MARK WHAT: fail, printing the lines, when the kernel logged
# anything DMESG_BAD matches after MARK.
check_dmesg() {
	local bad

	bad=$(dmesg_after "$1" | dmesg_bad) || true
	if [ -n "$bad" ]; then
		echo "kernel log after $2 has warnings or errors:" >&2
		echo "$bad" >&2
		return 1
	fi
}

# kmemleak_denali: print kmemleak's reports (one per unreferenced object,
# each with the allocation's backtrace) that implicate denali: a frame in
# denali, or a frame whose address no longer has a symbol, as happens to
# denali's code once it is unloaded (it is the only module this kernel
# ever loads).
kmemleak_denali() {
	awk '
	function flush() { if (blk != "" && hit) printf "%s", blk; blk = ""; hit = 0 }
	/^unreferenced object / { flush() }
	{ blk = blk $0 "\n" }
	/\[denali\]/ || /^ +\[<[0-9a-f]+>\] 0x[0-9a-f]+$/ { hit = 1 }
	END { flush() }'
}

# check_kmemleak WHAT: on a kernel with kmemleak, scan and fail, printing
# them, when any leak report implicates denali; then forget every report
# so that the next file starts afresh. kmemleak does not report objects
# younger than 5 seconds: the wait lets those of the last test count. Nor
# does it report an object the first scan finds unreferenced, only one
# that the next scan finds so again, unchanged: hence two scans.
check_kmemleak() {
	local leaks

	[ -e "$KMEMLEAK" ] || return 0
	sleep 5
	if ! { echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK"; }; then
		echo "kmemleak cannot scan (disabled?) after $1" >&2
		return 1
	fi
	leaks=$(kmemleak_denali <"$KMEMLEAK")
	echo clear >"$KMEMLEAK"
	if [ -n "$leaks" ]; then
		echo "kmemleak found memory denali leaked in $1:" >&2
		echo "$leaks" >&2
		return 1
	fi
}

denali_setup_file() {
	kmsg_mark >"$BATS_FILE_TMPDIR/dmesg-mark"
	# Reports from before this file are not its own.
	if [ -e "$KMEMLEAK" ] && [ "$KMEMLEAK_SCAN" = file ]; then
		echo clear >"$KMEMLEAK"
	fi
	# A module left behind by an earlier file that failed to unload is
	# that file's failure; start from a fresh load all the same.
	module_loaded && rmmod denali
	load_module
}

denali_teardown_file() {
	local rc=0

	if module_loaded; then
		destroy_all || rc=1
		unload_module 60 || rc=1
	fi
	check_dmesg "$(cat "$BATS_FILE_TMPDIR/dmesg-mark")" \
		"$(basename "$BATS_TEST_FILENAME")" || rc=1
	if [ "$KMEMLEAK_SCAN" = file ]; then
		check_kmemleak "$(basename "$BATS_TEST_FILENAME")" || rc=1
	fi
	return "$rc"
}

# denali_unload_teardown_file SECONDS: teardown_file for a file that
# leaves thousands of VMs: rmmod destroys them all at once, far sooner
# than 'denalictl destroy' one at a time, within SECONDS.
denali_unload_teardown_file() {
	local rc=0

	unload_module "$1" || rc=1
	denali_teardown_file || rc=1
	return "$rc"
}

# Per-test teardown: show the VMs when a test failed, then destroy them so
# that the next test starts from none.
denali_teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && module_loaded; then
		echo "VMs at the end of the failed test:" >&2
		denalictl list >&2 || true
	fi
	if module_loaded; then
		destroy_all
	fi
}

# vms_json: the output of 'denalictl list -j', checked to be JSON.
vms_json() {
	local j

	j=$(denalictl list -j) || return 1
	printf '%s\n' "$j" | python3 -m json.tool >/dev/null || {
		echo "list -j printed invalid JSON: $j" >&2
		return 1
	}
	printf '%s\n' "$j"
}

# show_value NAME KEY: the value on KEY's line of 'denalictl show NAME'
# (KEY: for the VM's own fields, KEY alone for its counters); fails when
# there is no such VM or line. wait_state polls through it: under
# emulation awk starts in a tenth of the time python3 takes to start and
# import json.
show_value() {
	local out

	out=$(denalictl show "$1") || return 1
	awk -v k="$2" '$1 == k { print $2; found = 1; exit } END { exit !found }' <<<"$out"
}

# vm_field NAME KEY: one key of VM NAME's object in 'list -j' (empty when
# it is null or missing); fails when there is no such VM or no valid JSON.
# state, mac and resident (True or False, as the JSON's true and false
# print in python3) come from 'show', the others from 'list -j' through
# one python3.
vm_field() {
	local v

	case $2 in
	state | mac)
		show_value "$1" "$2:"
		;;
	resident)
		v=$(show_value "$1" resident:) || return 1
		case $v in
		yes) echo True ;;
		no) echo False ;;
		*) echo "resident: $v" >&2; return 1 ;;
		esac
		;;
	*)
		denalictl list -j | python3 -c '
import json, sys
for vm in json.load(sys.stdin):
    if vm["name"] == sys.argv[1]:
        v = vm.get(sys.argv[2])
        print("" if v is None else
              json.dumps(v) if isinstance(v, (dict, list)) else v)
        sys.exit(0)
sys.exit(1)' "$1" "$2"
		;;
	esac
}

# vm_stat NAME KEY: one of VM NAME's counters.
vm_stat() {
	show_value "$1" "$2"
}

# vm_names: every VM's name, one per line.
vm_names() {
	denalictl list -j | python3 -c '
import json, sys
for vm in json.load(sys.stdin):
    print(vm["name"])'
}

# vm_ids: every VM's id, one per line, from the table of 'denalictl list'
# (every test's teardown asks: awk starts far sooner than python3 under
# emulation).
vm_ids() {
	local table

	table=$(denalictl list) || return 1
	awk 'NR > 1 { print $1 }' <<<"$table"
}

vm_count() {
	local ids

	ids=$(vm_ids) || return 1
	if [ -z "$ids" ]; then
		echo 0
	else
		wc -l <<<"$ids"
	fi
}

# destroy_all: destroy every VM, from one denalictl.
destroy_all() {
	local ids

	ids=$(vm_ids) || return 1
	[ -n "$ids" ] || return 0
	# shellcheck disable=SC2086 # one id per word
	printf "destroy '#%s'\n" $ids | denalictl -b - -f >/dev/null
}

# start_vm IMAGE NAME [ARGS...]: start guest-sdk/examples/IMAGE as NAME and
# print its id, checking what denalictl printed (and the line a VM that
# waits for memory adds).
start_vm() {
	local image=$1 name=$2 out
	local waits="("$'\n'"vm $name waits for memory: .*)?"
	shift 2

	out=$(denalictl start "$EX/$image" --name "$name" "$@") || return 1
	if ! [[ $out =~ ^started\ $name\ \(id\ ([0-9]+)\)$waits$ ]]; then
		echo "unexpected output of start: $out" >&2
		return 1
	fi
	echo "${BASH_REMATCH[1]}"
}

# wait_vm NAME [SECONDS]: 'denalictl wait' with a timeout (default 60);
# prints what it printed. Its exit status tells how the VM ended, which
# the callers read from that line: only wait's own time-out (124) and
# failure (125) fail here.
wait_vm() {
	local rc=0

	denalictl wait "$1" --timeout "${2:-60}" || rc=$?
	[ "$rc" -ne 124 ] && [ "$rc" -ne 125 ] || return "$rc"
}

# wait_state NAME REGEX [SECONDS]: poll until VM NAME's state matches.
wait_state() {
	local i state

	for ((i = 0; i < ${3:-30} * 10; i++)); do
		state=$(vm_field "$1" state) || return 1
		[[ $state =~ ^($2)$ ]] && return 0
		snooze 0.1
	done
	echo "VM $1 is $state, not $2" >&2
	return 1
}

# expect_error MESSAGE: after 'run', check for a failure that printed
# exactly one line "denalictl: ..." holding MESSAGE.
expect_error() {
	if [ "$status" -eq 0 ]; then
		echo "expected a failure, got status 0: $output" >&2
		return 1
	fi
	if [ "${#lines[@]}" -ne 1 ] || [[ ${lines[0]} != "denalictl: "* ]]; then
		echo "expected one line 'denalictl: ...', got: $output" >&2
		return 1
	fi
	if [[ ${lines[0]} != *"$1"* ]]; then
		echo "expected '$1' in: ${lines[0]}" >&2
		return 1
	fi
}

# wait_console NAME TEXT [SECONDS]: poll until VM NAME's console holds a
# line matching the extended regex TEXT.
wait_console() {
	local i

	for ((i = 0; i < ${3:-30} * 10; i++)); do
		denalictl console "$1" | grep -qE -- "$2" && return 0
		snooze 0.1
	done
	echo "VM $1 never printed '$2'; its console:" >&2
	denalictl console "$1" >&2
	return 1
}
