#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: run every benchmark under tests/bench/ in the SVM test machine,
# one machine per benchmark, and keep each one's output in
# tests/out/bench/<name>.log. BENCH="sched" (for instance) picks a subset.
# The benchmarks print their figures; none asserts anything about speed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/tests/out/bench
cd "$root" || exit 1
mkdir -p "$out" || exit 1

if [ -n "${BENCH:-}" ]; then
	read -ra names <<<"$BENCH"
else
	names=()
	for f in tests/bench/*.sh; do
		names+=("$(basename "$f" .sh)")
	done
fi

# A benchmark names the machine it needs on a line
# "# bench-machine: VAR=VALUE ..." (SVM_RUN_MEM, SVM_RUN_SWAP, ...).
machine() {
	sed -n 's/^# bench-machine: //p' "tests/bench/$1.sh"
}

rc=0
for name in "${names[@]}"; do
	echo "== bench: $name"
	read -ra vars <<<"$(machine "$name")"
	env ${vars[@]+"${vars[@]}"} SVM_RUN_TIMEOUT="${SVM_RUN_TIMEOUT:-1800}" \
		tests/vm/svm-run bash "tests/bench/$name.sh" 2>&1 |
		tee "$out/$name.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "== bench: $name failed"; rc=1; }
done
exit "$rc"
