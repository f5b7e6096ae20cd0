#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Requests the module must refuse: bad images, taken names, unknown VMs
# and callers without CAP_NET_ADMIN. Each gets one clear line and leaves
# nothing behind.

load helpers

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

teardown() {
	denali_teardown
}

# start_bad IMAGE MESSAGE: starting bad/IMAGE fails with MESSAGE and
# leaves no VM.
start_bad() {
	run denalictl start "$BAD/$1" --name bad
	expect_error "$2"
	[ "$(vm_count)" -eq 0 ]
}

@test "a file that is not ELF is refused" {
	start_bad notelf.img "not an ELF32 image"
}

@test "a 64-bit ELF image is refused" {
	start_bad elf64.img "not an ELF32 image"
}

@test "an image larger than the VM's memory is refused" {
	start_bad toobig.elf "image larger than memory"
}

@test "an entry point outside the VM's memory is refused" {
	start_bad entry.elf "entry point outside memory"
}

@test "a truncated ELF image is refused" {
	run denalictl start "$BAD/truncated.elf" --name bad
	expect_error ""
	[[ ${output,,} =~ elf|truncated|image ]]
	[ "$(vm_count)" -eq 0 ]
}

@test "the same image fits in more memory" {
	# toobig.elf is refused only for want of memory: its failure above is
	# the size check, not some other defect.
	run denalictl start "$BAD/toobig.elf" --name big --mem 64M
	[ "$status" -eq 0 ]
	run wait_vm big
	[ "$output" = "exited (code 0)" ]
}

@test "a name in use is refused and the first VM is untouched" {
	start_vm spin.elf dup
	run denalictl start "$EX/hello.elf" --name dup
	expect_error "name already in use: dup"
	[ "$(vm_count)" -eq 1 ]
	[ "$(vm_field dup state)" = running ]
}

@test "commands on a VM that does not exist say so" {
	local cmd

	for cmd in stop destroy console wait; do
		run denalictl "$cmd" ghost
		expect_error "no such VM: ghost"
	done
	run denalictl stop 4242
	expect_error "no such VM"
}

@test "callers without CAP_NET_ADMIN are refused" {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

	start_vm spin.elf mine
	"${nobody[@]}" true
	run "${nobody[@]}" denalictl list
	expect_error "operation not permitted"
	run "${nobody[@]}" denalictl start "$EX/hello.elf" --name theirs
	expect_error "operation not permitted"
	run "${nobody[@]}" denalictl stop mine
	expect_error "operation not permitted"
	run "${nobody[@]}" denalictl destroy mine
	expect_error "operation not permitted"
	[ "$(vm_names)" = mine ]
	[ "$(vm_field mine state)" = running ]
}

@test "/dev/denali opens for anyone; its console needs CAP_NET_ADMIN, as netlink" {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	local admin=("${nobody[@]}" --inh-caps=+net_admin --ambient-caps=+net_admin)
	local id

	id=$(start_vm hello.elf mine)
	wait_vm mine >/dev/null
	[ "$(stat -c %a /dev/denali)" = 666 ]
	# The ioctl itself, past netlink: DENALI_IOCTL_CONSOLE_OPEN.
	run "${nobody[@]}" python3 -c '
import errno, fcntl, os, struct, sys
dev = os.open("/dev/denali", os.O_RDONLY)
try:
    fcntl.ioctl(dev, 0x4008de01, struct.pack("=II", int(sys.argv[1]), 0))
except OSError as e:
    sys.exit(0 if e.errno == errno.EPERM else e.errno)
sys.exit(1)' "$id"
	[ "$status" -eq 0 ]
	run "${nobody[@]}" denalictl console mine
	expect_error "operation not permitted"
	# Not root, but with CAP_NET_ADMIN: the console as the family.
	run "${admin[@]}" denalictl console mine
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Hello from Denali VM $id" ]]
}
