#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sched.sh: the scheduler benchmark, run inside the SVM test machine:
#
#     tests/vm/svm-run bash tests/bench/sched.sh
#
# For each interrupt mode (batched, then sync) and each VM count (10, 100
# and 800 by default), loads the module, starts that many bench.elf
# guests that re-arm their one-shot timer every BENCH_TICK_US from its upcall
# and spin in between, lets them settle, and measures over WINDOW_S
# seconds: VM switches (quanta) per second, interrupts raised, upcalls
# delivered, upcalls per VM switch and raises merged per upcall. Prints
# one table; asserts nothing about speed (under emulation only the
# counts and the ratios between the modes mean something).
#
# Environment: BENCH_COUNTS (default "10 100 800"), BENCH_WINDOW_S
# (default 10), BENCH_TICK_US (default 10000), DENALI_MODULE.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
module=${DENALI_MODULE:-$root/module/denali.ko}
image=$root/guest-sdk/examples/bench.elf
read -ra counts <<<"${BENCH_COUNTS:-10 100 800}"
window=${BENCH_WINDOW_S:-10}
tick=${BENCH_TICK_US:-10000}
PATH=$root/tools/denalictl:$PATH
read -ra params <<<"${DENALI_MODULE_PARAMS:-}"

die() { echo "sched.sh: $*" >&2; exit 1; }

[ -r "$module" ] || die "no $module (run 'make')"
[ -r "$image" ] || die "no $image (run 'make')"

# totals: "quanta irqs_raised upcalls running" summed over every VM.
totals() {
	denalictl list -j | python3 -c '
import json, sys
vms = json.load(sys.stdin)
keys = ("quanta", "irqs_raised", "upcalls")
sums = [sum(vm["stats"][k] for vm in vms) for k in keys]
running = sum(vm["state"] in ("running", "idle") for vm in vms)
print(*sums, running)'
}

# measure MODE COUNT: one row of the table.
measure() {
	local mode=$1 n=$2 q0 r0 u0 q1 r1 u1 live

	rmmod denali 2>/dev/null || true
	# The gatekeeper holds every VM back until all are started: VMs
	# that spin from their start would slow the starting of the rest.
	insmod "$module" "${params[@]}" irq_mode="$mode" gate_free_mb=1000000
	denalictl start "$image" --name b --count "$n" --mem 128K \
		--cmdline "tick $tick" >/dev/null
	echo 0 >/sys/module/denali/parameters/gate_free_mb
	sleep 2
	read -r q0 r0 u0 live < <(totals)
	[ "$live" -eq "$n" ] || die "$mode/$n: only $live of $n VMs alive"
	sleep "$window"
	read -r q1 r1 u1 live < <(totals)
	[ "$live" -eq "$n" ] || die "$mode/$n: only $live of $n VMs alive"
	rmmod denali
	python3 - "$mode" "$n" "$window" "$((q1 - q0))" "$((r1 - r0))" \
		"$((u1 - u0))" <<'PY'
import sys
mode, n, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
quanta, raised, upcalls = map(int, sys.argv[4:])
print(f"{mode:8} {n:5} {quanta / window:12.1f} {raised:10} {upcalls:10}"
      f" {upcalls / max(quanta, 1):14.3f} {raised / max(upcalls, 1):13.3f}")
PY
}

echo "denali scheduler benchmark: bench.elf 'tick $tick', ${window} s windows," \
	"$(nproc) CPUs, backend $(grep -qw svm /proc/cpuinfo && echo svm || echo vmx)"
printf '%-8s %5s %12s %10s %10s %14s %13s\n' mode vms switches/s raised \
	upcalls upcalls/switch raises/upcall
for mode in batched sync; do
	for n in "${counts[@]}"; do
		measure "$mode" "$n"
	done
done
