#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# What a VM makes the host spend is bounded and charged: its guest pages
# and the frames it sends go to the memory cgroup of the process that
# created it, and a receive queue holds a bounded number of bytes. And
# the uplink takes no routing orders from the LAN by default.

load helpers

CG=/sys/fs/cgroup

setup_file() {
	denali_setup_file
	if ! grep -q "^cgroup2 $CG " /proc/mounts; then
		mount -t cgroup2 none "$CG"
	fi
	echo +memory >"$CG/cgroup.subtree_control"
}

teardown_file() {
	denali_teardown_file
	rmdir "$CG/denali-tenant" 2>/dev/null || true
}

teardown() {
	denali_teardown
}

# in_tenant CMD...: run CMD as a process of the cgroup denali-tenant.
in_tenant() {
	mkdir -p "$CG/denali-tenant"
	(echo "$BASHPID" >"$CG/denali-tenant/cgroup.procs" && exec "$@")
}

@test "a VM's guest pages are charged to its creator's memory cgroup" {
	local before after

	in_tenant true
	before=$(cat "$CG/denali-tenant/memory.current")
	in_tenant denalictl start "$EX/memtest.elf" --name tenant --mem 16M \
		--cmdline "8 3" >/dev/null
	wait_console tenant '^memtest: written$'
	after=$(cat "$CG/denali-tenant/memory.current")
	echo "tenant cgroup: $before -> $after bytes"
	# 8 MiB written; the guest's image, stack and tables come on top.
	[ $((after - before)) -ge $((8 << 20)) ]
	# Destroying the VM gives it back.
	denalictl destroy tenant >/dev/null
	after=$(cat "$CG/denali-tenant/memory.current")
	echo "after destroy: $after bytes"
	[ $((after - before)) -lt $((2 << 20)) ]
}

@test "the frames a VM floods are charged to it, and bounded at each victim" {
	local i before after slab0 slab1 victims=8 kb

	kb=$(cat /sys/module/denali/parameters/rx_queue_kb)
	[ "$kb" -gt 0 ]
	for i in $(seq 1 $victims); do
		start_vm idle.elf "v$i" --mac "02:00:00:00:10:0$i" >/dev/null
	done
	in_tenant true
	before=$(grep -w '^slab_unreclaimable' "$CG/denali-tenant/memory.stat" |
		cut -d' ' -f2)
	slab0=$(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)
	in_tenant denalictl start "$BATS_TEST_DIRNAME/../hostile/guests/rxflood.elf" \
		--name flooder --cmdline "base=02:00:00:00:10:01 count=$victims" \
		>/dev/null
	# Until every victim's queue is full: its drops start.
	for i in $(seq 1 300); do
		[ "$(vm_stat "v$victims" net_rx_drops)" -gt 0 ] && break
		snooze 0.1
	done
	[ "$(vm_stat "v$victims" net_rx_drops)" -gt 0 ]
	after=$(grep -w '^slab_unreclaimable' "$CG/denali-tenant/memory.stat" |
		cut -d' ' -f2)
	slab1=$(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)
	echo "tenant slab: $before -> $after bytes; host SUnreclaim: $slab0 -> $slab1 KiB"
	# The queued frames are the flooder's creator's: at least half of
	# what the full queues hold. And the host holds no more than the
	# bound per victim, with room for the flooder's own send queue.
	[ $((after - before)) -ge $((victims * kb * 1024 / 2)) ]
	[ $((slab1 - slab0)) -le $((victims * kb + 1024)) ]
}

@test "denali0 starts out taking no router advertisements or redirects" {
	[ "$(sysctl -n net.ipv6.conf.denali0.accept_ra)" = 0 ]
	[ "$(sysctl -n net.ipv6.conf.denali0.accept_redirects)" = 0 ]
	[ "$(sysctl -n net.ipv4.conf.denali0.accept_redirects)" = 0 ]
	# The operator may still turn them on.
	sysctl -qw net.ipv6.conf.denali0.accept_ra=1
	[ "$(sysctl -n net.ipv6.conf.denali0.accept_ra)" = 1 ]
	sysctl -qw net.ipv6.conf.denali0.accept_ra=0
}
