#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The switched LAN: each VM's port and MAC, frames between the host (the
# denali0 uplink) and VMs, anti-spoofing, a flooding VM's drops staying
# its own, frames for nobody interrupting nobody, bad NIC hypercall
# arguments, a Linux bridge joining denali0 to a tap device, and unloading
# with traffic flowing. The guest is netraw.elf; the host side is
# netframe.py (AF_PACKET and tap).

load helpers

NETFRAME="python3 $BATS_TEST_DIRNAME/netframe.py"
UPLINK=denali0
NOBODY=02:fe:fe:fe:fe:fe

setup_file() {
	denali_setup_file
}

teardown_file() {
	ip link del dnbr0 2>/dev/null || true
	ip link del dntap0 2>/dev/null || true
	denali_teardown_file
}

setup() {
	module_loaded || load_module
	uplink_up
}

teardown() {
	denali_teardown
}

# uplink_up: denali0 up, without IPv6 (whose multicast would reach VMs).
uplink_up() {
	sysctl -qw "net.ipv6.conf.$UPLINK.disable_ipv6=1" 2>/dev/null || true
	ip link set "$UPLINK" up
}

# link_stat IFACE KEY: a counter of IFACE from 'ip -s -j link'.
link_stat() {
	ip -s -j link show "$1" | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
d, k = sys.argv[1].split(".")
print(s[d][k])' "$2"
}


# start_echo NAME [ARGS...]: start netraw.elf as NAME and wait until it
# reads frames.
start_echo() {
	local name=$1
	shift
	start_vm netraw.elf "$name" "$@" >/dev/null
	wait_console "$name" '^netraw: ready '
}

@test "each VM has its own unicast MAC, in list -j and in its vregs" {
	local m1 m2

	start_echo n1
	start_echo n2
	m1=$(vm_field n1 mac)
	m2=$(vm_field n2 mac)
	[[ $m1 =~ ^02(:[0-9a-f]{2}){5}$ ]]
	[[ $m2 =~ ^02(:[0-9a-f]{2}){5}$ ]]
	[ "$m1" != "$m2" ]
	wait_console n1 "^netraw: ready mac=$m1 mtu=1500\$"
	wait_console n2 "^netraw: ready mac=$m2 mtu=1500\$"
	run denalictl show n1
	[[ $output == *"mac:"*"$m1"* ]]
}

@test "start --mac gives the VM that MAC; taken, multicast and zero MACs are refused" {
	start_echo mm --mac 02:12:34:56:78:9a
	[ "$(vm_field mm mac)" = 02:12:34:56:78:9a ]
	wait_console mm '^netraw: ready mac=02:12:34:56:78:9a mtu=1500$'
	run denalictl start "$EX/netraw.elf" --name dup --mac 02:12:34:56:78:9A
	[ "$status" -eq 1 ]
	expect_error "MAC address in use"
	# It stays taken after the VM ended, until it is destroyed.
	denalictl stop mm
	run denalictl start "$EX/netraw.elf" --name dup2 --mac 02:12:34:56:78:9a
	expect_error "MAC address in use"
	run denalictl start "$EX/netraw.elf" --name bad --mac 01:00:5e:00:00:01
	[ "$status" -eq 2 ]
	expect_error "multicast"
	run denalictl start "$EX/netraw.elf" --name bad --mac 00:00:00:00:00:00
	expect_error "all zero"
	run denalictl start "$EX/netraw.elf" --name bad --mac 02:00:00:00:01
	expect_error "bad MAC address"
	[ "$(vm_count)" -eq 1 ]
}

@test "start --ip and --gw append to the guest's command line" {
	start_vm hello.elf ipgw --cmdline "alpha" --ip 10.0.0.5/24 \
		--gw 10.0.0.1 >/dev/null
	run wait_vm ipgw
	run denalictl console ipgw
	[[ $output == *"cmdline: alpha ip=10.0.0.5/24 gw=10.0.0.1"* ]]
	start_vm hello.elf ip2 --ip 10.0.0.6/8 >/dev/null
	run wait_vm ip2
	run denalictl console ip2
	[[ $output == *"cmdline: ip=10.0.0.6/8"* ]]
	run denalictl start "$EX/hello.elf" --ip 10.0.0.5
	[ "$status" -eq 2 ]
	expect_error "bad --ip"
	run denalictl start "$EX/hello.elf" --ip 10.0.0.300/24
	expect_error "bad --ip"
	run denalictl start "$EX/hello.elf" --gw 10.0.0.1/24
	expect_error "bad --gw"
}

@test "a frame from denali0 to a VM is echoed back and counted" {
	local mac rx0 tx0 rx

	start_echo e1
	mac=$(vm_field e1 mac)
	rx0=$(link_stat "$UPLINK" rx.packets)
	tx0=$(link_stat "$UPLINK" tx.packets)
	$NETFRAME ping "$UPLINK" "$mac"
	$NETFRAME ping "$UPLINK" "$mac"
	[ "$(link_stat "$UPLINK" rx.packets)" -ge $((rx0 + 2)) ]
	[ "$(link_stat "$UPLINK" tx.packets)" -ge $((tx0 + 2)) ]
	# A ping resends after a second without an echo: at least two.
	rx=$(vm_stat e1 net_rx_frames)
	[ "$rx" -ge 2 ]
	[ "$(vm_stat e1 net_tx_frames)" -eq "$rx" ]
	[ "$(vm_stat e1 net_rx_bytes)" -eq $((rx * 60)) ]
	[ "$(vm_stat e1 net_spoofed)" -eq 0 ]
}

@test "ethtool shows denali0's driver, link and the switch's counters" {
	local stats

	run ethtool -i "$UPLINK"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "driver: denali" ]
	run ethtool "$UPLINK"
	[[ $output == *"Duplex: Full"* ]]
	[[ $output == *"Link detected: yes"* ]]
	stats=$(ethtool -S "$UPLINK")
	echo "$stats"
	[ "$(awk 'NR > 1 { print $1 }' <<<"$stats" | tr -d : | tr '\n' ' ')" = \
	  "rx_frames rx_bytes tx_frames tx_bytes rx_drops tx_drops spoofed addr_spoofed router_drops " ]
	[ "$(awk '$1 == "rx_frames:" { print $2 }' <<<"$stats")" -eq \
	  "$(cat "/sys/class/net/$UPLINK/statistics/rx_packets")" ]
}

@test "a spoofing VM's frames reach neither another VM nor denali0" {
	local out pid

	start_echo victim
	out=$BATS_TEST_TMPDIR/watch
	$NETFRAME watch "$UPLINK" 02:66:66:66:66:66 4 >"$out" &
	pid=$!
	sleep 1
	start_echo spoofer --cmdline spoof
	wait_console spoofer '^netraw: spoofed 16$'
	wait "$pid"
	[ "$(cat "$out")" -eq 0 ]
	[ "$(vm_stat spoofer net_spoofed)" -eq 16 ]
	[ "$(vm_stat spoofer net_tx_frames)" -eq 0 ]
	[ "$(vm_stat victim net_rx_frames)" -eq 0 ]
	# The spoofer still talks from its own MAC.
	$NETFRAME ping "$UPLINK" "$(vm_field spoofer mac)"
}

@test "a flooding VM's drops are its own; another VM still echoes" {
	start_echo quiet
	start_echo flooder --cmdline flood
	wait_console flooder '^netraw: queue full' 60
	[ "$(vm_stat flooder net_tx_drops)" -gt 0 ]
	$NETFRAME ping "$UPLINK" "$(vm_field quiet mac)" --timeout 20
	[ "$(vm_stat quiet net_rx_drops)" -eq 0 ]
	[ "$(vm_stat quiet net_tx_drops)" -eq 0 ]
	[ "$(vm_stat quiet net_rx_frames)" -ge 1 ]
}

@test "frames for an unknown MAC interrupt nobody" {
	local i1 i2 tx0

	start_echo u1
	start_echo u2
	wait_state u1 idle
	wait_state u2 idle
	i1=$(vm_stat u1 irqs_raised)
	i2=$(vm_stat u2 irqs_raised)
	tx0=$(link_stat "$UPLINK" tx.packets)
	$NETFRAME send "$UPLINK" "$NOBODY" 50
	sleep 1
	# The switch took them all...
	[ "$(link_stat "$UPLINK" tx.packets)" -ge $((tx0 + 50)) ]
	# ...and gave them to nobody.
	[ "$(vm_stat u1 irqs_raised)" -eq "$i1" ]
	[ "$(vm_stat u2 irqs_raised)" -eq "$i2" ]
	[ "$(vm_stat u1 net_rx_frames)" -eq 0 ]
	[ "$(vm_stat u2 net_rx_frames)" -eq 0 ]
	# A broadcast, in contrast, reaches both.
	$NETFRAME send "$UPLINK" ff:ff:ff:ff:ff:ff 1
	sleep 1
	[ "$(vm_stat u1 irqs_raised)" -gt "$i1" ]
	[ "$(vm_stat u2 irqs_raised)" -gt "$i2" ]
}

@test "bad NIC hypercall arguments get errnos and harm nothing" {
	start_vm netraw.elf bad --cmdline badargs >/dev/null
	run wait_vm bad
	echo "$output"
	denalictl console bad
	[ "$output" = "exited (code 0)" ]
	denalictl console bad | grep -qx 'netraw: badargs ok'
	# Of the two it took, one was from the vregs' bytes: spoofed.
	[ "$(vm_stat bad net_spoofed)" -eq 1 ]
	[ "$(vm_stat bad net_tx_frames)" -eq 1 ]
}

@test "a Linux bridge joins denali0 and a tap device" {
	local mac

	load_kmod bridge
	load_kmod tun
	ip link add dnbr0 type bridge
	ip tuntap add dev dntap0 mode tap
	for dev in dnbr0 dntap0; do
		sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" 2>/dev/null || true
	done
	ip link set "$UPLINK" master dnbr0
	ip link set dntap0 master dnbr0
	ip link set dnbr0 up
	ip link set dntap0 up
	start_echo br1
	mac=$(vm_field br1 mac)
	# From the tap, through the bridge and the switch, and back.
	$NETFRAME ping dntap0 "$mac" --src 52:54:00:aa:bb:cc --tap
	[ "$(vm_stat br1 net_rx_frames)" -ge 1 ]
	ip link set "$UPLINK" nomaster
	ip link del dnbr0
	ip link del dntap0
}

@test "unloading with traffic flowing is clean" {
	local mac

	start_echo t1
	start_echo t2
	start_vm netraw.elf tflood --cmdline flood >/dev/null
	mac=$(vm_field t1 mac)
	$NETFRAME blast "$UPLINK" "$mac" 8 &
	$NETFRAME blast "$UPLINK" ff:ff:ff:ff:ff:ff 8 &
	sleep 3
	unload_module 60
	wait
	run ! ip link show "$UPLINK"
	load_module
	uplink_up
	start_echo again
	$NETFRAME ping "$UPLINK" "$(vm_field again mac)"
}
