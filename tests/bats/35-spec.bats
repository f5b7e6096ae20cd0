#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Speculative-execution hardening follows the host's own mitigation
# choices: the set the module reports at load is the one the host's
# vulnerability files in sysfs imply for this backend, VMs run with it in
# place, and a host booted with mitigations=off gets none of it. The
# emulated machines model no speculation, so this checks the wiring, not
# the effect (Documentation/security.rst).

load helpers

VULN=/sys/devices/system/cpu/vulnerabilities
PARAM=/sys/module/denali/parameters/mitigations

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	module_loaded || load_module
	denali_teardown
}

# read_vulns: the host's state for each vulnerability into V[NAME] (unset
# when the kernel has no such file), without a process per file: each
# costs much under emulation.
read_vulns() {
	local f

	declare -gA V=()
	for f in "$VULN"/*; do
		read -r "V[${f##*/}]" <"$f"
	done
}

# sorted WORDS...: the words, sorted, on one line.
sorted() {
	printf '%s\n' "$@" | sort | paste -sd ' '
}

# expected_set: the words the module must report, sorted, from V and the
# backend, by the rules of arch/x86/kernel/cpu/bugs.c.
expected_set() {
	local v2=${V[spectre_v2]:-} words=()

	[[ $v2 == *"IBPB: conditional"* || $v2 == *"IBPB: always-on"* ]] &&
		words+=(ibpb)
	if grep -qw vmx /proc/cpuinfo; then
		# MDS, TAA, MMIO stale data and RFDS all clear with VERW.
		[[ ${V[mds]:-}${V[tsx_async_abort]:-}${V[mmio_stale_data]:-}${V[reg_file_data_sampling]:-} == *"Clear CPU buffers"* ]] &&
			words+=(verw)
		case ${V[l1tf]:-} in
		*"VMX: conditional cache flushes"*) words+=(l1d_flush_cond) ;;
		*"VMX: cache flushes"*) words+=(l1d_flush) ;;
		esac
		if [[ $v2 == *"RSB filling"* ]]; then
			words+=(rsb)
		elif [[ $v2 == *"PBRSB-eIBRS: SW sequence"* ]]; then
			words+=(rsb_lite)
		fi
		[[ $v2 == "Mitigation: IBRS"* ]] && words+=(ibrs)
		[[ $v2 == *"KVM: SW loop"* ]] && words+=(bhb_clear)
	else
		case ${V[tsa]:-} in
		"Mitigation: Clear CPU buffers" | "Mitigation: Clear CPU buffers: VM")
			words+=(verw) ;;
		"Vulnerable: Clear CPU buffers attempted, no microcode")
			# The kernel forces it on only as a guest.
			grep -qw hypervisor /proc/cpuinfo && words+=(verw) ;;
		esac
		[[ $v2 == *Retpolines* || $v2 == *LFENCE* ]] && words+=(rsb)
		[[ ${V[retbleed]:-} == "Mitigation: untrained return thunk"* ||
		   ${V[spec_rstack_overflow]:-} == "Mitigation: safe RET"* ]] &&
			words+=(untrain_ret)
		[[ ${V[retbleed]:-} == "Mitigation: IBPB"* ||
		   ${V[spec_rstack_overflow]:-} == "Mitigation: IBPB" ]] &&
			words+=(ibpb_entry)
		[[ ${V[spec_rstack_overflow]:-} == *"IBPB on VMEXIT"* ||
		   ${V[vmscape]:-} == *"IBPB on VMEXIT"* ]] &&
			words+=(ibpb_vmexit)
	fi
	[[ ${V[vmscape]:-} == *"IBPB before exit to userspace"* ]] &&
		words+=(ibpb_to_user)
	if [ ${#words[@]} -eq 0 ]; then
		echo none
	else
		sorted "${words[@]}"
	fi
}

@test "the module reports its mitigations in its parameter and at load" {
	local m line

	unload_module
	m=$(kmsg_mark)
	load_module
	line=$(dmesg_after "$m" | grep -o 'denali: speculation mitigations: .*')
	echo "log: $line; parameter: $(cat "$PARAM")"
	[ "$line" = "denali: speculation mitigations: $(cat "$PARAM")" ]
	# Read-only, and nothing given at load replaces the host's choice.
	[ "$(stat -c %a "$PARAM")" = 444 ]
	unload_module
	run insmod "$MODULE" mitigations=none
	[ "$status" -ne 0 ]
	[ ! -d /sys/module/denali ]
}

@test "the reported set is the one the host's vulnerability files imply" {
	local name expected reported words

	read_vulns
	for name in "${!V[@]}"; do
		echo "$name: ${V[$name]}"
	done
	expected=$(expected_set)
	read -ra words <"$PARAM"
	reported=$(sorted "${words[@]}")
	echo "expected: $expected"
	echo "reported: $reported"
	[ "$reported" = "$expected" ]
}

@test "with mitigations=off on the kernel command line the set is empty" {
	grep -qw 'mitigations=off' /proc/cmdline ||
		skip "boot with SVM_RUN_APPEND=mitigations=off to check this"
	read_vulns
	[ "$(cat "$PARAM")" = none ]
	[[ ${V[spectre_v2]} == Vulnerable* ]]
}

@test "VMs switching on shared CPUs run correctly with the set in place" {
	local name

	# More VMs than runners: each CPU switches between VMs many times.
	start_vm fpu.elf f1 --cmdline 300000
	start_vm fpu.elf f2 --cmdline 400000
	start_vm spin.elf sp
	for name in h1 h2 h3; do
		start_vm hello.elf "$name"
	done
	for name in h1 h2 h3; do
		run wait_vm "$name"
		[ "$output" = "exited (code 7)" ]
	done
	for name in f1 f2; do
		run wait_vm "$name" 120
		[ "$output" = "exited (code 0)" ]
		[ "$(vm_stat "$name" quanta)" -gt 1 ]
	done
	[ "$(vm_stat sp quanta)" -gt 1 ]
}
