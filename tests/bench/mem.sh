#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mem.sh: the memory benchmark, run inside the SVM test machine with
# little RAM and a swap disk (scripts/bench.sh reads the line below):
#
# bench-machine: SVM_RUN_MEM=512M SVM_RUN_SWAP=3G SVM_RUN_APPEND=slab_nomerge
#
# 1. Kernel bytes per VM, like the paper's Table 2: COUNT idle.elf VMs of
#    each size in BENCH_MEM_SIZES, measured resident (idle, and a 50th
#    as many spinning) and swapped out (denalictl swap --idle). The
#    kernel's own counters give the figures: per slab cache the growth
#    of its objects (slab_nomerge keeps the caches apart), the pages the
#    kernel took outside slab and the page cache, and the pages Denali
#    pins.
# 2. Scale: hello.elf VMs of 128K are started BENCH_BATCH at a time
#    until creating fails or BENCH_MAX_VMS live at once; each must run
#    to completion (exit code 7). Prints how many, in how much RAM and
#    swap.
# 3. Swapping in: how long a memtest VM of 32 MiB takes to check its
#    memory resident, after a swap-out of its run-time state only, and
#    after other VMs pushed its pages to the swap disk.
# Asserts nothing about speed.
#
# Environment: BENCH_COUNT (default 1000), BENCH_MEM_SIZES (default
# "128K 4M"), BENCH_MAX_VMS (default 30000), BENCH_BATCH (default 1000),
# DENALI_MODULE, DENALI_SWAP_DISK (set by svm-run).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
module=${DENALI_MODULE:-$root/module/denali.ko}
ex=$root/guest-sdk/examples
count=${BENCH_COUNT:-1000}
read -ra sizes <<<"${BENCH_MEM_SIZES:-128K 4M}"
max_vms=${BENCH_MAX_VMS:-30000}
batch=${BENCH_BATCH:-1000}
# Few enough that the gatekeeper admits them all at the largest size.
spinners=$((count / 50))
PATH=$root/tools/denalictl:$PATH
read -ra params <<<"${DENALI_MODULE_PARAMS:-}"

die() { echo "mem.sh: $*" >&2; exit 1; }

[ -r "$module" ] || die "no $module (run 'make')"
[ -n "${DENALI_SWAP_DISK:-}" ] || die "no swap disk (run it through scripts/bench.sh)"

modprobe virtio_blk
udevadm settle 2>/dev/null || sleep 1
mkswap "$DENALI_SWAP_DISK" >/dev/null
swapon "$DENALI_SWAP_DISK"

load() {
	rmmod denali 2>/dev/null || true
	insmod "$module" "${params[@]}"
}

host_stat() {
	denalictl stats | awk -v k="$1" '$1 == k { print $2 }'
}

# snapshot FILE: slab caches (name, bytes in use) and the page counts,
# after dropping what the kernel could drop anyway.
snapshot() {
	sync
	# Page cache only: dropping slab would run the shrinker, which
	# swaps idle VMs out.
	echo 1 >/proc/sys/vm/drop_caches
	{
		awk 'NR > 2 { printf "slab %s %.0f\n", $1, $2 * $4 }' /proc/slabinfo
		awk '{ sub(":", "", $1); printf "mem %s %.0f\n", $1, $2 * 1024 }' \
			/proc/meminfo
		echo "pinned pinned $(($(host_stat pinned_pages) * 4096))"
	} >"$1"
}

# breakdown LABEL N BEFORE AFTER: bytes per VM between two snapshots.
breakdown() {
	python3 - "$@" <<'PY'
import sys

label, n, before, after = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]

def read(path):
    d = {}
    for line in open(path):
        kind, name, value = line.split()
        d[(kind, name)] = int(value)
    return d

a, b = read(before), read(after)
delta = {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b)}
mem = {k[1]: v for k, v in delta.items() if k[0] == "mem"}
# Pages the kernel holds outside slab, the page cache and anonymous
# memory: page tables of ours, hardware state pages, and the like.
other = (-mem["MemFree"] - mem["Buffers"] - mem["Cached"]
         - mem["SwapCached"] - mem["AnonPages"] - mem["Slab"]
         - mem["KernelStack"] - mem["PageTables"])
rows = sorted(((v / n, k[1]) for k, v in delta.items()
               if k[0] == "slab" and v / n >= 8), reverse=True)
slab = sum(v for v, _ in rows)
pinned = delta[("pinned", "pinned")] / n
print(f"{label}: {n} VMs, bytes per VM")
for v, name in rows:
    print(f"  slab {name:28} {v:8.0f}")
print(f"  {'slab, in all':33} {slab:8.0f}")
print(f"  {'other kernel pages':33} {other / n:8.0f}")
print(f"  {'pinned guest and state pages':33} {pinned:8.0f}")
print(f"  {'unswappable, in all':33} {slab + other / n + pinned:8.0f}")
PY
}

# start_many IMAGE PREFIX N SIZE [CMDLINE]: N VMs, quietly.
start_many() {
	denalictl start "$ex/$1" --name "$2" --count "$3" --mem "$4" \
		${5:+--cmdline "$5"} >/dev/null
}

wait_all() {
	local want=$1 i
	for ((i = 0; i < 600; i++)); do
		[ "$(denalictl list -j | python3 -c "
import json, sys
print(sum(vm['state'] in ($2) for vm in json.load(sys.stdin)))")" -ge "$want" ] &&
			return 0
		sleep 1
	done
	die "only some of $want VMs reached $2"
}

echo "denali memory benchmark: $(nproc) CPUs, RAM $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB," \
	"swap $(awk '/SwapTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB," \
	"backend $(grep -qw svm /proc/cpuinfo && echo svm || echo vmx)"

tmp=$(mktemp -d)
for size in "${sizes[@]}"; do
	load
	snapshot "$tmp/base"
	start_many idle.elf "i" "$count" "$size"
	wait_all "$count" "'idle',"
	snapshot "$tmp/idle"
	breakdown "idle, resident, --mem $size" "$count" "$tmp/base" "$tmp/idle"
	denalictl swap --idle >/dev/null
	[ "$(host_stat swapped)" -eq "$count" ] || die "not every VM swapped out"
	snapshot "$tmp/swapped"
	breakdown "idle, swapped out, --mem $size" "$count" "$tmp/base" "$tmp/swapped"
	rmmod denali

	load
	snapshot "$tmp/base"
	start_many spin.elf "s" "$spinners" "$size"
	wait_all "$spinners" "'running',"
	snapshot "$tmp/running"
	breakdown "spinning, --mem $size" "$spinners" "$tmp/base" "$tmp/running"
	rmmod denali
done

# Scale: batches of tiny VMs that run to completion and stay listed.
load
live=0
started=$(date +%s)
while [ "$live" -lt "$max_vms" ]; do
	n=$((max_vms - live < batch ? max_vms - live : batch))
	if ! denalictl start "$ex/hello.elf" --count "$n" --mem 128K \
		--name "h$live-" >/dev/null 2>"$tmp/err"; then
		echo "creating stopped: $(cat "$tmp/err")"
		live=$(host_stat vms)
		break
	fi
	live=$((live + n))
done
wait_all "$live" "'exited',"
exited=$(denalictl list -j | python3 -c '
import json, sys
print(sum(vm["state"] == "exited" and vm["exit_code"] == 7
          for vm in json.load(sys.stdin)))')
echo "scale: $live VMs live at once, $exited ran to completion (exit 7)," \
	"in $(($(date +%s) - started)) s; swap used" \
	"$(awk '/SwapTotal/ { t = $2 } /SwapFree/ { f = $2 } END { print int((t - f) / 1024) }' /proc/meminfo) MiB"
rmmod denali

# Swapping in: memtest checks 32 MiB, timed from the console input that
# wakes it to its exit.
check_time() {
	local t0
	t0=$(date +%s%N)
	denalictl console "$1" --send check
	denalictl wait "$1" --timeout 600 >/dev/null || [ $? -lt 124 ]
	echo $((($(date +%s%N) - t0) / 1000000))
}
load
start_many memtest.elf r 1 40M "32 1"
until denalictl console r1 | grep -q written; do sleep 0.2; done
resident_ms=$(check_time r1)
start_many memtest.elf q 1 40M "32 2"
until denalictl console q1 | grep -q written; do sleep 0.2; done
denalictl swap q1 >/dev/null
state_ms=$(check_time q1)
# Enough other VMs that q's pages must go to the disk.
start_many memtest.elf d 1 40M "32 3"
until denalictl console d1 | grep -q written; do sleep 0.2; done
denalictl swap d1 >/dev/null
ram=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
start_many memtest.elf p $((2 * ram / 32)) 40M "32 4"
wait_all $((2 * ram / 32)) "'idle',"
disk_ms=$(check_time d1)
echo "swap-in: checking 32 MiB took $resident_ms ms resident," \
	"$state_ms ms after a swap-out with its pages in RAM," \
	"$disk_ms ms with its pages on the swap disk" \
	"($(python3 -c "print(f'{$disk_ms / max($resident_ms, 1):.1f}')")x resident)"
rmmod denali
rm -rf "$tmp"
