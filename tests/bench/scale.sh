#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scale.sh: how many idle VMs one host holds, and whether a create costs
# the same at the last step as at the first. Run inside the SVM test
# machine with a swap disk (scripts/bench.sh reads the line below):
#
# bench-machine: SVM_RUN_MEM=4G SVM_RUN_SWAP=16G
#
# Starts idle.elf VMs of BENCH_SCALE_MEM in steps (BENCH_SCALE_STEPS, the
# live VMs after each), each step one "denalictl -b -" process fed one
# "start" line per VM, until the last step, a failed start, or
# BENCH_SCALE_BUDGET seconds; it prints which stopped it. Per step: VMs
# live, admitted, waiting and swapped (the host's counters), milliseconds
# per create (create and start, through the batch) within the step,
# kernel slab bytes per live VM (Slab in /proc/meminfo, over the count at
# load), free memory and swap used, in MiB. Asserts nothing about speed.
#
# Environment: BENCH_SCALE_STEPS (default "1000 2000 5000 10000 20000
# 50000 100000"), BENCH_SCALE_MEM (default 128K), BENCH_SCALE_BUDGET
# (seconds, default 1500: make bench gives a machine 1800), DENALI_MODULE,
# DENALI_SWAP_DISK (set by svm-run).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
module=${DENALI_MODULE:-$root/module/denali.ko}
image=$root/guest-sdk/examples/idle.elf
read -ra steps <<<"${BENCH_SCALE_STEPS:-1000 2000 5000 10000 20000 50000 100000}"
mem=${BENCH_SCALE_MEM:-128K}
budget=${BENCH_SCALE_BUDGET:-1500}
PATH=$root/tools/denalictl:$PATH
read -ra params <<<"${DENALI_MODULE_PARAMS:-}"

die() { echo "scale.sh: $*" >&2; exit 1; }

[ -r "$module" ] || die "no $module (run 'make')"
[ -r "$image" ] || die "no $image (run 'make')"
[ -n "${DENALI_SWAP_DISK:-}" ] || die "no swap disk (run it through scripts/bench.sh)"

modprobe virtio_blk
udevadm settle 2>/dev/null || sleep 1
mkswap "$DENALI_SWAP_DISK" >/dev/null
swapon "$DENALI_SWAP_DISK"

rmmod denali 2>/dev/null || true
insmod "$module" "${params[@]}"

meminfo_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

host_stat() {
	awk -v k="$1" '$1 == k { print $2 }' <<<"$stats"
}

slab_base=$(meminfo_kb Slab)
echo "scale: idle.elf at $mem, steps ${steps[*]}, budget ${budget} s," \
	"$(($(meminfo_kb MemTotal) / 1024)) MiB RAM," \
	"$(($(meminfo_kb SwapTotal) / 1024)) MiB swap"
printf '%8s %8s %8s %8s %10s %10s %9s %9s\n' live admitted waiting \
	swapped ms/create slab/VM free_MiB swap_MiB

live=0
stopped="the last step"
started=$(date +%s)
for target in "${steps[@]}"; do
	n=$((target - live))
	[ "$n" -gt 0 ] || continue
	t0=$(date +%s%N)
	err=$(for ((i = 0; i < n; i++)); do
		echo "start $image --mem $mem"
	done | denalictl -b - 2>&1 >/dev/null) || true
	t1=$(date +%s%N)
	stats=$(denalictl stats)
	now=$(host_stat vms)
	made=$((now - live))
	live=$now
	slab=$(($(meminfo_kb Slab) - slab_base))
	printf '%8d %8d %8d %8d %10.2f %10d %9d %9d\n' "$live" \
		"$(host_stat admitted)" "$(host_stat waiting)" \
		"$(host_stat swapped)" \
		"$(awk -v ns=$((t1 - t0)) -v n="$made" \
			'BEGIN { print n ? ns / n / 1e6 : 0 }')" \
		$((slab * 1024 / (live ? live : 1))) \
		$(($(meminfo_kb MemFree) / 1024)) \
		$((($(meminfo_kb SwapTotal) - $(meminfo_kb SwapFree)) / 1024))
	if [ -n "$err" ]; then
		stopped="a failed start: $(head -n 2 <<<"$err" | tr '\n' ' ')"
		break
	fi
	if [ $(($(date +%s) - started)) -ge "$budget" ]; then
		stopped="the time budget (${budget} s)"
		break
	fi
done
echo "scale: $live VMs live in $(($(date +%s) - started)) s; stopped by $stopped"

rmmod denali
