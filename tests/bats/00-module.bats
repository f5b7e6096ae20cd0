#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading denali.ko, and its exclusion of KVM: only one
# hypervisor may own VMX/SVM, whichever loads first.

load helpers

setup_file() {
	denali_setup_file
	# KVM's vendor module for this CPU.
	if grep -qw svm /proc/cpuinfo; then
		export KVM_VENDOR=kvm_amd
	else
		export KVM_VENDOR=kvm_intel
	fi
}

teardown_file() {
	denali_teardown_file
}

# Every test leaves denali loaded and KVM unloaded, whatever it did.
teardown() {
	modprobe -r "$KVM_VENDOR" kvm 2>/dev/null || true
	module_loaded || load_module
	denali_teardown
}

# kvm_loads: true when KVM's vendor module loads on this CPU without
# denali (which this unloads); unloads it again.
kvm_loads() {
	unload_module
	modprobe "$KVM_VENDOR" 2>"$BATS_TEST_TMPDIR/kvm.err" || return 1
	modprobe -r "$KVM_VENDOR" kvm
}

@test "the kernel log check flags warnings, BUGs and oopses, not taint notes" {
	local good bad

	good='[    5.1] denali: loading out-of-tree module taints kernel.
[    5.2] denali: module verification failed: signature and/or required key missing - tainting kernel
[    5.3] CONFIG_DEBUG_INFO is on'
	run dmesg_bad <<<"$good"
	[ "$status" -eq 1 ]
	[ -z "$output" ]

	for bad in 'WARNING: CPU: 1 PID: 77 at module/vm.c:120 vm_put+0x4/0x9 [denali]' \
		   'BUG: unable to handle page fault for address: ffff8880' \
		   'kernel BUG at module/sched.c:40!' \
		   'Oops: 0002 [#1] PREEMPT SMP NOPTI' \
		   'BUG: KASAN: use-after-free in vm_free+0x1/0x2' \
		   'WARNING: possible circular locking dependency detected' \
		   'general protection fault, probably for non-canonical address' \
		   'rcu: INFO: rcu_sched self-detected stall on CPU'; do
		run dmesg_bad <<<"$good
$bad
 trace line"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "$bad" ]
		[ "${lines[1]}" = " trace line" ]
	done
}

@test "the module is loaded with its control interfaces and no VMs" {
	module_loaded
	grep -q '^denali ' /proc/modules
	[ -c /dev/denali ]
	run denalictl list -j
	[ "$status" -eq 0 ]
	python3 -c 'import json, sys; assert json.loads(sys.argv[1]) == []' "$output"
}

@test "without the module denalictl says it is not loaded" {
	unload_module
	run denalictl list
	expect_error "the denali module is not loaded"
	run denalictl start "$EX/hello.elf"
	expect_error "the denali module is not loaded"
}

@test "in another network namespace denalictl says where the family is" {
	run unshare -n denalictl list
	expect_error "the denali family is only in the initial network namespace"
}

@test "nlctrl reports the family as Documentation/netlink/specs/denali.yaml says" {
	run python3 "$BATS_TEST_DIRNAME/nlspec.py" \
		"$REPO/Documentation/netlink/specs/denali.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == *" 0 differences" ]]
}

@test "denali refuses to load while KVM owns the CPU's virtualization" {
	local m

	kvm_loads || skip "$KVM_VENDOR cannot load here: $(cat "$BATS_TEST_TMPDIR/kvm.err")"
	modprobe "$KVM_VENDOR"
	m=$(kmsg_mark)
	run insmod "$MODULE" "${MODULE_PARAMS[@]}"
	echo "insmod: $output"
	[ "$status" -ne 0 ]
	[ ! -d /sys/module/denali ]
	# One clear line in the kernel log says why.
	dmesg_after "$m" | grep -Ei 'denali' | grep -Ei 'kvm|hypervisor|in use|busy'
}

@test "KVM refuses to load while denali owns the CPU's virtualization" {
	kvm_loads || skip "$KVM_VENDOR cannot load here: $(cat "$BATS_TEST_TMPDIR/kvm.err")"
	load_module
	run modprobe "$KVM_VENDOR"
	echo "modprobe $KVM_VENDOR: $output"
	[ "$status" -ne 0 ]
	[ ! -d "/sys/module/$KVM_VENDOR" ]
	module_loaded
	# denali still works afterwards.
	start_vm hello.elf h1
	run wait_vm h1
	[ "$output" = "exited (code 7)" ]
}
