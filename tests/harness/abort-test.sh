#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# abort-test.sh: svm-run reports a QEMU abort as a failed test that names
# the test and the guest started last, and the run goes on to its summary
# instead of losing the machine. Runs tests/harness/10-abort.bats in the
# SVM test machine and, once its guest idles, sends QEMU SIGABRT, which is
# how a fatal emulator error ("qemu: fatal: ...") ends it. Prints TAP.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo" || exit 1
out=tests/out/svm
mkdir -p "$out"
log=$out/abort-serial.log
stdout=$out/abort-stdout.log
stderr=$out/abort-stderr.log
: >"$log"

echo "1..4"
# No core file from the abort.
ulimit -c 0
SVM_RUN_LOG=$log SVM_RUN_TIMEOUT=${ABORT_TEST_TIMEOUT:-600} \
	tests/vm/svm-run bats --tap tests/harness/10-abort.bats >"$stdout" 2>"$stderr" &
run_pid=$!

idle=0
for _ in $(seq 1 "${ABORT_TEST_TIMEOUT:-600}"); do
	if grep -q '^svm-run: the guest is idle' "$log"; then
		idle=1
		break
	fi
	kill -0 "$run_pid" 2>/dev/null || break
	sleep 1
done
if [ "$idle" -eq 1 ]; then
	echo "ok 1 the guest started and idles"
	pkill -ABRT -f "^qemu-system.*file:$log" || true
else
	echo "not ok 1 the guest started and idles"
	sed 's/^/# /' "$stdout" "$stderr" | tail -n 20
	pkill -KILL -f "^qemu-system.*file:$log" || true
fi
wait "$run_pid"
rc=$?

if [ "$rc" -eq 1 ]; then
	echo "ok 2 svm-run exits with status 1, a failed test"
else
	echo "not ok 2 svm-run exits with status 1, a failed test (got $rc)"
fi
want="not ok 2 a guest runs until the emulator aborts # the SVM test machine aborted: "
line=$(grep -F "$want" "$stdout")
if [[ $line == *"; the guest started last: "*"/guest-sdk/examples/idle.elf --name abort-victim --mem 1M" ]]; then
	echo "ok 3 the TAP line names the test and the guest"
else
	echo "not ok 3 the TAP line names the test and the guest"
	sed 's/^/# /' "$stdout"
fi
if grep -q "svm-run: QEMU aborted while test 2, 'a guest runs until the emulator aborts' (tests/harness/10-abort.bats) ran: .*the guest started last: .*idle.elf --name abort-victim" "$stderr"; then
	echo "ok 4 svm-run's message names the test, its file and the guest"
else
	echo "not ok 4 svm-run's message names the test, its file and the guest"
	head -n 5 "$stderr" | sed 's/^/# /'
fi
