#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kvm.sh: denali.ko against KVM in one SVM test machine, same run, same
# work (scripts/bench.sh reads the line below):
#
# bench-machine: SVM_RUN_MEM=1G
#
# KVM first: kvm_amd (kvm_intel on VMX) is loaded and tests/bench/kvm/
# kvmbench.c, built here, drives /dev/kvm from one process, holding one
# empty VM open so that KVM keeps SVM on between VMs. Then KVM is
# unloaded and denali.ko loaded, and one "denalictl -b -" process does
# the same work through netlink. Each figure is measured
# BENCH_KVM_REPS times (default 5) and printed as the median, with the
# ratio denali / KVM:
#
# - a VM's life: create a VM of 128 KiB, run it to its first
#   instruction, let it end, destroy it; BENCH_KVM_LIVES times (default
#   200) per repetition. KVM's guest is one HLT; denali's is bench.elf
#   "exit" (start, wait, destroy in the batch), which runs the SDK's
#   start-up code and terminates.
# - a null exit: the guest's CPUID in a loop under KVM (the time in
#   KVM_RUN), the cheapest denali hypercall (DENALI_HC_TIMER_SET with 0)
#   in a loop in bench.elf "null" (the guest's clock);
#   BENCH_KVM_EXITS times (default 100000) per repetition.
#
# Under software emulation both hypervisors run on the emulated SVM, so
# the ratios mean more than the times. Environment: BENCH_KVM_REPS,
# BENCH_KVM_LIVES, BENCH_KVM_EXITS, DENALI_MODULE.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
module=${DENALI_MODULE:-$root/module/denali.ko}
image=$root/guest-sdk/examples/bench.elf
reps=${BENCH_KVM_REPS:-5}
lives=${BENCH_KVM_LIVES:-200}
exits=${BENCH_KVM_EXITS:-100000}
PATH=$root/tools/denalictl:$PATH
read -ra params <<<"${DENALI_MODULE_PARAMS:-}"

die() { echo "kvm.sh: $*" >&2; exit 1; }

[ -r "$module" ] || die "no $module (run 'make')"
[ -r "$image" ] || die "no $image (run 'make')"
[ "$reps" -ge 3 ] || die "BENCH_KVM_REPS must be 3 or more"

if grep -qw svm /proc/cpuinfo; then
	vendor=kvm_amd
else
	vendor=kvm_intel
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -o "$tmp/kvmbench" "$root/tests/bench/kvm/kvmbench.c" ||
	die "cannot build kvmbench"

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ns_since() {
	echo $((($(date +%s%N) - $1) / $2))
}

# KVM's part.
rmmod denali 2>/dev/null || true
modprobe "$vendor" || die "$vendor does not load here"
for ((r = 0; r < reps; r++)); do
	"$tmp/kvmbench" life "$lives" >>"$tmp/kvm-life"
	"$tmp/kvmbench" cpuid "$exits" >>"$tmp/kvm-null"
done
modprobe -r "$vendor" kvm

# denali's part.
insmod "$module" "${params[@]}"
for ((r = 0; r < reps; r++)); do
	for ((i = 0; i < lives; i++)); do
		echo "start $image --name life$i --mem 128K --cmdline exit"
		echo "wait life$i"
		echo "destroy life$i"
	done >"$tmp/batch"
	t0=$(date +%s%N)
	denalictl -b "$tmp/batch" >/dev/null
	ns_since "$t0" "$lives" >>"$tmp/denali-life"

	denalictl start "$image" --name null --mem 128K \
		--cmdline "null $exits" >/dev/null
	denalictl wait null --timeout 600 >/dev/null
	denalictl console null |
		awk '$1 == "bench:" && $2 == "null" { print $3 }' >>"$tmp/denali-null"
	denalictl destroy null >/dev/null
done
rmmod denali

printf '%-28s %12s %12s %8s\n' "median of $reps, ns" KVM denali ratio
for what in life null; do
	kvm=$(median <"$tmp/kvm-$what")
	denali=$(median <"$tmp/denali-$what")
	case $what in
	life) label="VM life ($lives per rep)" ;;
	null) label="null exit ($exits per rep)" ;;
	esac
	printf '%-28s %12.0f %12.0f %8.2f\n' "$label" "$kvm" "$denali" \
		"$(awk -v a="$denali" -v b="$kvm" 'BEGIN { print a / b }')"
done
echo "kvm.sh: each rep (KVM life, denali life, KVM null, denali null):"
paste "$tmp/kvm-life" "$tmp/denali-life" "$tmp/kvm-null" "$tmp/denali-null"
