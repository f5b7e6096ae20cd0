#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Virtual disks: objects of their own over a file, attached to VMs
# read-write (alone), read-only (shared) or through a private overlay;
# the guest's block I/O (guest-sdk/examples/disktest.c) with its errors;
# and VMs that end, swap out, or meet an unload with I/O in flight.

load helpers

setup_file() {
	denali_setup_file
}

teardown_file() {
	denali_teardown_file
}

# Every disk, by name, from the table of 'denalictl disk list'.
disk_names() {
	local table

	table=$(denalictl disk list) || return 1
	awk 'NR > 1 { print $1 }' <<<"$table"
}

teardown() {
	local disks

	denali_teardown
	if module_loaded; then
		disks=$(disk_names)
		# shellcheck disable=SC2086 # one name per word
		[ -z "$disks" ] ||
			printf 'disk destroy %s\n' $disks | denalictl -b - -f >/dev/null
	fi
	if [ -n "${FROZEN:-}" ]; then
		fsfreeze -u "$FROZEN" 2>/dev/null || true
	fi
	if [ -n "${MNT:-}" ]; then
		umount "$MNT" 2>/dev/null || true
	fi
	if [ -n "${LOOPDEV:-}" ]; then
		losetup -d "$LOOPDEV" 2>/dev/null || true
	fi
}

# disk_value NAME KEY: KEY's value in 'denalictl disk show NAME'.
disk_value() {
	local out

	out=$(denalictl disk show "$1") || return 1
	awk -v k="$2" '$1 == k { print $2; found = 1; exit } END { exit !found }' <<<"$out"
}

# A file of BLOCKS 4 KiB blocks of zeros.
zero_file() {
	truncate -s $(($2 * 4096)) "$1"
}

# run_disktest NAME CMDS DISK-ARGS...: runs disktest to its end and
# prints its console; fails unless it exited with code 0.
run_disktest() {
	local name=$1 cmds=$2 out
	shift 2

	start_vm disktest.elf "$name" --cmdline "$cmds" "$@" >/dev/null || return 1
	out=$(wait_vm "$name" 60) || return 1
	denalictl console "$name"
	[ "$out" = "exited (code 0)" ]
}

@test "disks are made, reported and destroyed; bad ones are refused" {
	local f=$BATS_TEST_TMPDIR/d.img

	zero_file "$f" 256
	run denalictl disk create d1 "$f" --blocks 64
	[ "$status" -eq 0 ]
	[ "$output" = "created disk d1 (64 blocks)" ]
	run denalictl disk create d2 "$f" --ro
	[ "$output" = "created disk d2 (256 blocks, read-only)" ]
	run denalictl disk show d1 -j
	[ "$output" = '{"name": "d1", "blocks": 64, "readonly": false, "attached": 0, "stats": {"reads": 0, "writes": 0, "flushes": 0, "blocks_read": 0, "blocks_written": 0, "errors": 0}}' ]
	run denalictl disk list -j
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == ' {"name": "d2", "blocks": 256, "readonly": true,'* ]]
	[ "$(disk_value d2 readonly)" = yes ]

	run denalictl disk create d1 "$f"
	expect_error "disk name already in use: d1"
	run denalictl disk create d3 "$f" --blocks 257
	expect_error "backing store is smaller than the disk"
	run denalictl disk create d3 /dev/null
	expect_error "neither a regular file nor a block device"
	run denalictl disk create 'a:b' "$f"
	[ "$status" -eq 2 ]
	run denalictl disk destroy d1
	[ "$output" = "destroyed disk d1" ]
	run denalictl disk destroy d1
	expect_error "no such disk: d1"
	run denalictl start "$EX/disktest.elf" --disk nosuch
	expect_error "no such disk: nosuch"

	# A block device gives its own size (where loop devices exist: the
	# debug kernel has none).
	modprobe -q loop 2>/dev/null || true
	LOOPDEV=$(losetup -f --show "$f" 2>/dev/null) || return 0
	run denalictl disk create bd "$LOOPDEV"
	[ "$output" = "created disk bd (256 blocks)" ]
}

@test "one VM's writes are read back by the next; bad requests get their errno" {
	local f=$BATS_TEST_TMPDIR/d.img want

	zero_file "$f" 512
	denalictl disk create data "$f" >/dev/null
	denalictl disk create dataro "$f" --ro >/dev/null
	run run_disktest w1 "info w:0:0:300:5" --disk data
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"disktest: info disks 1 ro 0 blocks 512"* ]]
	[[ $output =~ disktest:\ w\ ok\ 300\ blocks\ ([0-9]+)\ hypercalls ]]
	[ "${BASH_REMATCH[1]}" -lt 30 ]
	# Then bad requests, a flood past the cap, and the disk still works.
	run run_disktest r1 "r:0:0:300:5 r:0:300:16:0 bad:0 flood:0" \
		--disk data --disk dataro
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"disktest: r ok 300 blocks"* ]]
	for want in "nodisk -19" "op -22" "zero -22" "big -22" "reserved -22" \
		"unaligned -22" "past -22" "outside -14" "wrap -14" "rofs -30" \
		"array -14" "count0 -22" "count65 -22" "none 0"; do
		[[ $output == *"disktest: bad $want"$'\n'* ]] || {
			echo "missing: bad $want"
			return 1
		}
	done
	[[ $output == *"disktest: flood took 128 then -11"* ]]
	[[ $output == *"disktest: flood reaped 128 result 0"* ]]
	# Bad requests never reach the disk.
	[ "$(disk_value data blocks_written)" -eq 300 ]
	[ "$(disk_value data blocks_read)" -eq $((316 + 128)) ]
	[ "$(disk_value data flushes)" -eq 2 ]
	[ "$(disk_value data errors)" -eq 0 ]
	[ "$(disk_value data attached)" -eq 0 ]
	# The data is in the file, where the pattern puts it.
	[ "$(od -An -tx4 -j $((299 * 4096)) -N4 "$f" | tr -d ' ')" != 00000000 ]
}

@test "a read-only disk is shared; read-write is exclusive; attached disks stay" {
	local f=$BATS_TEST_TMPDIR/d.img

	zero_file "$f" 64
	denalictl disk create base "$f" --ro >/dev/null
	denalictl disk create rw "$f" >/dev/null
	start_vm disktest.elf a --cmdline "info idle" --disk base >/dev/null
	start_vm disktest.elf b --cmdline "info idle" --disk base:ro >/dev/null
	wait_console a '^disktest: info disks 1 ro 1 blocks 64$'
	wait_console b '^disktest: idling$'
	[ "$(disk_value base attached)" -eq 2 ]
	run denalictl start "$EX/disktest.elf" --disk base:rw
	expect_error "disk is read-only"
	run denalictl disk destroy base
	expect_error "disk is attached to a VM"

	start_vm disktest.elf c --cmdline "idle" --disk rw >/dev/null
	run denalictl start "$EX/disktest.elf" --disk rw
	expect_error "attached read-write"
	run denalictl start "$EX/disktest.elf" --disk rw:ro
	expect_error "attached read-write"
	denalictl destroy c >/dev/null
	denalictl destroy a >/dev/null
	denalictl destroy b >/dev/null
	run denalictl disk destroy base
	[ "$status" -eq 0 ]
}

@test "overlays keep each VM's writes to itself and survive reattach" {
	local f=$BATS_TEST_TMPDIR/d.img o1=$BATS_TEST_TMPDIR/o1 o2=$BATS_TEST_TMPDIR/o2

	zero_file "$f" 64
	denalictl disk create src "$f" >/dev/null
	run_disktest s "w:0:0:32:5" --disk src >/dev/null
	denalictl disk destroy src >/dev/null
	denalictl disk create base "$f" --ro >/dev/null

	run run_disktest o1 "info w:0:4:8:6 r:0:0:4:5 r:0:4:8:6 r:0:12:20:5" \
		--disk "base:cow=$o1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"disktest: info disks 1 ro 0 blocks 64"* ]]
	# Another overlay sees the base alone, untouched.
	run run_disktest o2 "r:0:0:32:5 w:0:0:2:7 r:0:0:2:7" --disk "base:cow=$o2"
	echo "$output"
	[ "$status" -eq 0 ]
	# The first overlay again: its writes, and the base elsewhere.
	run run_disktest o1b "r:0:0:4:5 r:0:4:8:6 r:0:12:20:5" --disk "base:cow=$o1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(od -An -c -N8 "$o1" | tr -d ' ')" = DNLICOW1 ]

	start_vm disktest.elf h --cmdline "idle" --disk "base:cow=$o1" >/dev/null
	run denalictl start "$EX/disktest.elf" --disk "base:cow=$o1"
	expect_error "overlay is in use"
	zero_file "$BATS_TEST_TMPDIR/small" 8
	denalictl disk create small "$BATS_TEST_TMPDIR/small" >/dev/null
	run denalictl start "$EX/disktest.elf" --disk "small:cow=$o2"
	expect_error "overlay was made for a disk of another size"
	run denalictl start "$EX/disktest.elf" --disk "small:cow=$f"
	expect_error "not a Denali overlay"
}

@test "a truncated backing file gives EIO, a full one ENOSPC; the VM goes on" {
	MNT=$BATS_TEST_TMPDIR/small
	mkdir "$MNT"
	mount -t tmpfs -o size=128k tmpfs "$MNT"
	zero_file "$MNT/full.img" 256
	zero_file "$BATS_TEST_TMPDIR/t.img" 64
	denalictl disk create full "$MNT/full.img" >/dev/null
	denalictl disk create trunc "$BATS_TEST_TMPDIR/t.img" >/dev/null
	truncate -s $((16 * 4096)) "$BATS_TEST_TMPDIR/t.img"

	run run_disktest e "w:0:0:128:3 r:1:32:4:0 r:1:0:4:0 info" \
		--disk full --disk trunc
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"disktest: w error -28"* ]]
	[[ $output == *"disktest: r error -5"* ]]
	[[ $output == *"disktest: r ok 4 blocks"* ]]
	[[ $output == *"disktest: info disks 2"* ]]
	[ "$(vm_field e state)" = exited ]
	[ "$(disk_value full errors)" -ge 1 ]
	[ "$(disk_value trunc errors)" -eq 1 ]
}

# Disks fz and fz2 on a frozen file system: writes wait until it thaws.
# Fails where there is no loop device or ext4 (the debug kernel).
frozen_disks() {
	MNT=$BATS_TEST_TMPDIR/fs
	mkdir "$MNT"
	truncate -s 8M "$BATS_TEST_TMPDIR/fs.img"
	mkfs.ext4 -q "$BATS_TEST_TMPDIR/fs.img"
	modprobe -q loop 2>/dev/null || true
	mount -o loop "$BATS_TEST_TMPDIR/fs.img" "$MNT" 2>/dev/null || return 1
	zero_file "$MNT/d.img" 64
	zero_file "$MNT/d2.img" 64
	denalictl disk create fz "$MNT/d.img" >/dev/null
	denalictl disk create fz2 "$MNT/d2.img" >/dev/null
	freeze
}

freeze() {
	fsfreeze -f "$MNT"
	FROZEN=$MNT
}

thaw() {
	fsfreeze -u "$FROZEN"
	FROZEN=
}

@test "VMs stopped, crashed or swapped out with I/O in flight; rmmod waits for it" {
	local i

	frozen_disks || skip "no loop device with ext4 here"
	# Stopped: the stop does not wait, the disk stays attached meanwhile.
	start_vm disktest.elf s --cmdline "hold:0:8 idle" --disk fz >/dev/null
	wait_console s '^disktest: idling$'
	denalictl stop s >/dev/null
	[ "$(disk_value fz attached)" -eq 1 ]
	run denalictl disk destroy fz
	expect_error "disk is attached to a VM"
	denalictl destroy s >/dev/null
	# Crashed, on its own CPU, which does not wait either.
	start_vm disktest.elf c --cmdline "hold:0:4 crash" --disk fz2 >/dev/null
	run wait_vm c 30
	[[ $output == crashed* ]]
	[ "$(disk_value fz2 attached)" -eq 1 ]
	thaw
	for ((i = 0; i < 100; i++)); do
		[ "$(disk_value fz attached)$(disk_value fz2 attached)" = 00 ] &&
			break
		snooze 0.1
	done
	[ "$(disk_value fz attached)" -eq 0 ]
	[ "$(disk_value fz2 attached)" -eq 0 ]
	# Every write acknowledged or not is there.
	[ "$(disk_value fz blocks_written)" -eq 8 ]
	[ "$(disk_value fz2 blocks_written)" -eq 4 ]
	run run_disktest r "r:0:0:8:1 r:1:0:4:1" --disk fz:ro --disk fz2:ro
	echo "$output"
	[ "$status" -eq 0 ]

	# Swapped out while its writes wait, back in when they complete.
	freeze
	start_vm disktest.elf w --cmdline "w:0:16:8:4 r:0:16:8:4" --disk fz >/dev/null
	wait_console w '^disktest: w submitted$'
	wait_state w idle
	denalictl swap w >/dev/null
	[ "$(vm_field w resident)" = False ]
	thaw
	run wait_vm w 60
	[ "$output" = "exited (code 0)" ]
	denalictl console w | grep -q '^disktest: r ok 8 blocks'

	# rmmod with writes in flight: it waits for them, then all is clean.
	freeze
	start_vm disktest.elf u --cmdline "hold:0:8 idle" --disk fz >/dev/null
	wait_console u '^disktest: idling$'
	rmmod denali &
	snooze 1
	module_loaded
	thaw
	wait $!
	[ ! -d /sys/module/denali ]
	load_module
}
