#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The guest SDK's TCP/IP stack over the switched LAN, end to end: the
# host pings VMs and fetches from httpd VMs through denali0 (one, then a
# hundred, each serving its own document), VMs talk to each other over
# UDP and TCP, 1 MiB crosses TCP intact in both directions between VMs
# and between the host and a VM, a flooding VM does not stop another
# from serving, and a program on a tap device bridged to denali0
# exchanges ARP and ICMP echo with a VM.

load helpers

UPLINK=denali0
HOST_IP=10.0.0.1
TAP_PEER="python3 $BATS_TEST_DIRNAME/tap-peer.py"
# 100 httpd VMs at 2 MiB each fit the test machine's gatekeeper;
# DENALI_SCALE_VMS (at most 253: one address each) sets fewer for a pass
# on a slower kernel, as in 50-scale.bats.
SCALE_VMS=${DENALI_SCALE_VMS:-100}

setup_file() {
	denali_setup_file
}

teardown_file() {
	ip link del dnbr1 2>/dev/null || true
	ip link del dntap1 2>/dev/null || true
	denali_teardown_file
}

setup() {
	sysctl -qw "net.ipv6.conf.$UPLINK.disable_ipv6=1" 2>/dev/null || true
	ip addr replace "$HOST_IP/24" dev "$UPLINK"
	ip link set "$UPLINK" up
}

teardown() {
	denali_teardown
	# The VMs' MACs and IPs come back with other VMs in the next test.
	ip neigh flush dev "$UPLINK" 2>/dev/null || true
}


# start_net IMAGE NAME IP [ARGS...]: start a network guest at IP/24.
start_net() {
	local image=$1 name=$2 ip=$3
	shift 3
	start_vm "$image" "$name" --ip "$ip/24" "$@" >/dev/null
}

# document TAG SIZE: what httpd serves when tagged TAG.
document() {
	yes "denali-httpd $1" | head -c "$2"
}

# fetch_ok IP TAG SIZE: curl fetches httpd's document at IP and it is
# byte for byte the one tagged TAG.
fetch_ok() {
	local got

	got=$(mktemp)
	if ! curl -sS --retry 5 --retry-connrefused --retry-delay 1 \
		--max-time 30 -o "$got" "http://$1/"; then
		rm -f "$got"
		return 1
	fi
	if ! cmp -s "$got" <(document "$2" "$3"); then
		echo "http://$1/ served $(wc -c <"$got") bytes, not its document:" >&2
		head -c 200 "$got" >&2
		rm -f "$got"
		return 1
	fi
	rm -f "$got"
}

# nettest_result NAME MODE: wait for VM NAME to end and print the
# key=value words of its "nettest: MODE result=..." line.
nettest_result() {
	local out line

	out=$(wait_vm "$1" 120)
	line=$(denalictl console "$1" | grep -E "^nettest: $2 result=" | tail -n 1)
	if [ "$out" != "exited (code 0)" ] || [[ $line != *result=ok* ]]; then
		echo "$1 ended $out; its console:" >&2
		denalictl console "$1" >&2
		return 1
	fi
	echo "${line#nettest: $2 }"
}

# pattern_fnv BYTES: FNV-1a of nettest's pattern byte(i) = i mod 251.
pattern_fnv() {
	python3 -c '
import sys
h = 2166136261
for i in range(int(sys.argv[1])):
    h = ((h ^ (i % 251)) * 16777619) & 0xffffffff
print(f"{h:08x}")' "$1"
}

@test "the host pings a VM through denali0" {
	start_net udp-echo.elf p1 10.0.0.2
	run ping -c 3 -W 5 10.0.0.2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"3 received"* ]]
	# The reply came from the VM's own MAC.
	[ "$(ip neigh show 10.0.0.2 dev "$UPLINK" | awk '{ print $3 }')" = \
		"$(vm_field p1 mac)" ]
}

@test "curl fetches httpd's document, default and sized" {
	start_net httpd.elf w1 10.0.0.3
	start_net httpd.elf w2 10.0.0.4 --cmdline "size=100000 tag=big"
	fetch_ok 10.0.0.3 10.0.0.3 2258
	fetch_ok 10.0.0.4 big 100000
	# HTTP/1.1 keep-alive: two requests on one connection.
	run curl -sS --max-time 30 -o /dev/null -o /dev/null \
		-w '%{num_connects} ' http://10.0.0.3/ http://10.0.0.3/
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1 0 " ]
}

@test "many httpd VMs each serve their own document" {
	local i urls=() dir=$BATS_TEST_TMPDIR/docs

	# One denalictl for all the starts (-b): under emulation a process
	# start each would cost more than the VMs.
	for ((i = 1; i <= SCALE_VMS; i++)); do
		echo "start $EX/httpd.elf --name s$i --ip 10.0.1.$i/24 --mem 2M --cmdline 'tag=vm$i workers=2'"
		urls+=(-o "$dir/vm$i" "http://10.0.1.$i/")
	done >"$BATS_TEST_TMPDIR/starts"
	run denalictl -b "$BATS_TEST_TMPDIR/starts"
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^started s[0-9]+ \(id [0-9]+\)$' <<<"$output")" -eq "$SCALE_VMS" ]
	ip addr replace 10.0.1.254/24 dev "$UPLINK"
	# One curl, ten at a time: each fetch waits mostly for its VM's
	# first run.
	mkdir -p "$dir"
	curl -sS --parallel --parallel-max 10 --retry 5 --retry-connrefused \
		--retry-delay 1 --max-time 30 "${urls[@]}" || true
	ip addr del 10.0.1.254/24 dev "$UPLINK"
	# Each is byte for byte the document tagged with its own VM's tag.
	python3 - "$dir" "$SCALE_VMS" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
bad = []
for i in range(1, n + 1):
    tag = f"vm{i}"
    want = (f"denali-httpd {tag}\n" * 2258)[:2258].encode()
    path = os.path.join(d, tag)
    got = open(path, "rb").read() if os.path.exists(path) else None
    if got != want:
        bad.append(tag if got is None else f"{tag} ({len(got)} bytes: {got[:60]!r})")
assert not bad, f"{len(bad)} of {n} did not serve their document: {bad}"
PY
}

@test "VM to VM over UDP" {
	local r

	start_net udp-echo.elf u1 10.0.0.5
	start_net nettest.elf u2 10.0.0.6 --cmdline "udp-client 10.0.0.5 7 20"
	r=$(nettest_result u2 udp-client)
	echo "$r"
	[[ $r == *"sent=20 received=20 "* ]]
}

@test "VM to VM over TCP: 1 MiB each way at once arrives intact" {
	local r fnv

	start_net nettest.elf t1 10.0.0.7 --cmdline "tcp-server 5001 1"
	wait_console t1 'listening port=5001'
	start_net nettest.elf t2 10.0.0.8 \
		--cmdline "tcp-client 10.0.0.7 5001 1048576 buf=32768"
	r=$(nettest_result t2 tcp-client)
	echo "$r"
	fnv=$(pattern_fnv 1048576)
	[[ $r == *"sent=1048576 sent_fnv1a=$fnv received=1048576 received_fnv1a=$fnv"* ]]
	r=$(nettest_result t1 tcp-server)
	[[ $r == *"bytes=1048576 fnv1a=$fnv"* ]]
}

@test "host to VM and VM to host: 1 MiB over TCP arrives intact" {
	local r fnv

	fnv=$(pattern_fnv 1048576)
	# Host to VM: the VM sums what it reads.
	start_net nettest.elf k1 10.0.0.9 --cmdline "tcp-sink 5002 1"
	wait_console k1 'listening port=5002'
	python3 - <<'EOF'
import socket
data = bytes(i % 251 for i in range(1 << 20))
with socket.create_connection(("10.0.0.9", 5002), timeout=60) as s:
    s.sendall(data)
EOF
	r=$(nettest_result k1 tcp-sink)
	echo "to the VM: $r"
	[[ $r == *"bytes=1048576 fnv1a=$fnv"* ]]
	# VM to host: the host checks every byte.
	python3 - "$HOST_IP" <<'EOF' &
import socket, sys
srv = socket.create_server((sys.argv[1], 5003))
srv.settimeout(60)
conn, _ = srv.accept()
conn.settimeout(60)
got = bytearray()
while True:
    chunk = conn.recv(65536)
    if not chunk:
        break
    got += chunk
want = bytes(i % 251 for i in range(1 << 20))
sys.exit(0 if got == want else f"host got {len(got)} bytes, not the pattern")
EOF
	local server=$!
	sleep 1
	start_net nettest.elf k2 10.0.0.10 \
		--cmdline "tcp-source $HOST_IP 5003 1048576"
	r=$(nettest_result k2 tcp-source)
	echo "from the VM: $r"
	[[ $r == *"bytes=1048576 fnv1a=$fnv"* ]]
	wait "$server"
}

@test "a VM flooding frames does not stop another VM from serving" {
	start_net httpd.elf f1 10.0.0.11
	start_vm netraw.elf flood --cmdline flood >/dev/null
	wait_console flood '^netraw: flooding'
	fetch_ok 10.0.0.11 10.0.0.11 2258
	run ping -c 3 -W 5 10.0.0.11
	[ "$status" -eq 0 ]
	# The flood is still going: it was not merely over before.
	[ "$(vm_field flood state)" = running ]
}

@test "a program on a tap bridged to denali0 exchanges ARP and ICMP with a VM" {
	load_kmod bridge
	load_kmod tun
	ip link add dnbr1 type bridge
	ip tuntap add dev dntap1 mode tap
	for dev in dnbr1 dntap1; do
		sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" 2>/dev/null || true
	done
	ip addr flush dev "$UPLINK"
	ip link set "$UPLINK" master dnbr1
	ip link set dntap1 master dnbr1
	ip link set dnbr1 up
	ip link set dntap1 up
	start_net udp-echo.elf b1 10.0.2.2
	run $TAP_PEER dntap1 10.0.2.9 10.0.2.2 3
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "arp 10.0.2.2 is at $(vm_field b1 mac)" ]]
	[ "${lines[3]}" = "echo 3 ok" ]
	ip link set "$UPLINK" nomaster
	ip link del dnbr1
	ip link del dntap1
}
