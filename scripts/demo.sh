#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: Denali at work, in a few minutes. Loads denali.ko, starts a
# handful of small guests side by side (three greeters with their own
# command lines, a sleeper that ticks, a spinner that never stops, one that
# triple-faults) and a web server that the host reaches through denali0,
# shows the VM table, their consoles and the JSON listing, then stops
# everything and unloads the module.
#
# It runs on this machine when it can load modules and its CPU has VMX or
# SVM; otherwise inside the SVM test machine (tests/vm/svm-run: QEMU
# emulating an AMD CPU, about a minute more). Run 'make' first ('make demo'
# does both).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if ! [ -e /proc/modules ] || ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
	if [ -n "${DENALI_IN_VM:-}" ]; then
		echo "demo: this test machine cannot load modules or lacks VMX/SVM" >&2
		exit 1
	fi
	echo "demo: this host cannot load modules or has no VMX/SVM;"
	echo "demo: running in the SVM test machine (QEMU, AMD SVM emulated)"
	exec tests/vm/svm-run bash scripts/demo.sh
fi

ctl=$root/tools/denalictl/denalictl
ex=guest-sdk/examples
for f in module/denali.ko "$ctl" "$ex/hello.elf"; do
	[ -e "$f" ] || { echo "demo: $f is missing: run 'make' first" >&2; exit 1; }
done

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

for kvm in kvm_intel kvm_amd; do
	if [ -d "/sys/module/$kvm" ]; then
		echo "demo: $kvm holds the CPU's virtualization extensions;" \
		     "unload it first (sudo modprobe -r $kvm)" >&2
		exit 1
	fi
done

names=(hello1 hello2 hello3 sleeper spin crash web)
loaded_here=0

# Prints a shell command as one would type it, then runs it.
show() {
	local arg line="$"

	for arg in "$@"; do
		[[ $arg =~ [[:space:]] ]] && arg="'$arg'"
		line+=" $arg"
	done
	printf '\n%s\n' "$line"
	"$@"
}

denalictl() {
	"${sudo[@]}" "$ctl" "$@"
}

cleanup() {
	local name

	[ -d /sys/module/denali ] || return 0
	for name in "${names[@]}"; do
		denalictl destroy "$name" >/dev/null 2>&1 || true
	done
	if [ "$loaded_here" -eq 1 ]; then
		"${sudo[@]}" rmmod denali
	fi
}
trap cleanup EXIT

echo "== Load the isolation kernel"
if [ -d /sys/module/denali ]; then
	echo "(denali is already loaded)"
else
	show "${sudo[@]}" insmod module/denali.ko
	loaded_here=1
	"${sudo[@]}" dmesg | grep -E '\bdenali\b' | tail -n 3 || true
fi

echo
echo "== Start six VMs, each its own ELF32 image in its own address space"
show denalictl start "$ex/hello.elf" --name hello1 --cmdline "greetings from the first"
show denalictl start "$ex/hello.elf" --name hello2 --cmdline "and from the second"
show denalictl start "$ex/hello.elf" --name hello3 --mem 1M --cmdline "the third has 1 MiB"
show denalictl start "$ex/sleeper.elf" --name sleeper --cmdline 3
show denalictl start "$ex/spin.elf" --name spin
show denalictl start "$ex/crash.elf" --name crash

echo
echo "== Every VM at a glance"
show denalictl list

echo
echo "== Each VM's end: the greeters exit with code 7, one VM triple-faults"
echo "   (wait's exit status is how the VM ended: 7, and 139 for the crash)"
for name in hello1 hello2 hello3 crash; do
	rc=0
	show denalictl wait "$name" --timeout 60 || rc=$?
	[ "$rc" -lt 124 ] || [ "$rc" -eq 139 ]
done
echo
echo "(the host's kernel log names the crashed VM and why)"
printf '\n$ %s\n' "dmesg | grep 'denali: VM'"
"${sudo[@]}" dmesg | grep 'denali: VM' | tail -n 3 || true

echo
echo "== Their consoles"
for name in hello1 hello2 hello3; do
	show denalictl console "$name"
done
echo
echo "(console -f follows the sleeper until it exits: one tick a second,"
echo " unharmed by the crash beside it)"
show denalictl console sleeper -f

echo
echo "== The spinner still runs; the others have ended"
show denalictl list

echo
echo "== A web server VM on Denali's LAN, reached from the host through denali0"
show "${sudo[@]}" ip addr replace 10.0.0.1/24 dev denali0
show "${sudo[@]}" ip link set denali0 up
show denalictl start "$ex/httpd.elf" --name web --ip 10.0.0.2/24 --cmdline "tag=demo"
show ping -c 2 -W 5 10.0.0.2
printf '\n$ %s\n' "curl -s http://10.0.0.2/ | head -n 3"
curl -s --retry 5 --retry-connrefused --retry-delay 1 http://10.0.0.2/ | head -n 3
show denalictl stats web

echo
echo "== The same as JSON, for programs"
printf '\n$ %s\n' "denalictl list -j | python3 -m json.tool"
denalictl list -j | python3 -m json.tool

echo
echo "== Stop the spinner, destroy every VM, unload"
show denalictl stop spin
show denalictl wait spin --timeout 60 || [ $? -eq 143 ]
for name in "${names[@]}"; do
	show denalictl destroy "$name"
done
show denalictl list
if [ "$loaded_here" -eq 1 ]; then
	show "${sudo[@]}" rmmod denali
	loaded_here=0
fi
echo
echo "demo: done"
