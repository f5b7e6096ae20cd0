#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The hostile suite: every attacker of tests/hostile/guests at once, in
# one load of the module, beside victims that must not notice: an httpd
# the host fetches from through denali0, a ticker that must keep its
# rate, a CPU-bound spinner that must keep its share, and 30 VMs that
# never read their NIC (deaf.elf) under a receive flood. setup_file
# starts them all and lets them fight for ATTACK_SECS; the tests check each
# attacker's outcome (crashed with the expected reason, or still running
# with its drops counted), the victims, the host's routes, neighbour
# table and memory, and the kernel log.

load ../bats/helpers

G=$BATS_TEST_DIRNAME/guests
UPLINK=denali0
HOST_IP=10.0.0.1
HTTPD_IP=10.0.0.2
HTTPD_MAC=02:00:0a:00:00:02
# The receive flood's victims: 02:dd:00:00:00:01 and up; 30, or
# DENALI_SCALE_VMS when that is fewer (the debug pass's 10), as in
# tests/bats/99-tcpip.bats.
FLOOD_VICTIMS=30
if [ "${DENALI_SCALE_VMS:-30}" -lt "$FLOOD_VICTIMS" ]; then
	FLOOD_VICTIMS=$DENALI_SCALE_VMS
fi
ATTACK_SECS=${DENALI_HOSTILE_SECS:-20}
TICKER_SECS=$ATTACK_SECS

# The attackers that must crash: NAME IMAGE REASON-REGEX [CMDLINE].
# A reason of "." takes any: the ABI says the VM crashes, not how the
# backend words it.
MEM='[Mm]emory|[Oo]utside|[Ff]ault'
CRASHERS=(
	"paging paging.elf ."
	"paging-pse paging.elf . step=pse"
	"longmode longmode.elf ."
	"longmode-pae longmode.elf . step=pae"
	"ring3 ring3.elf ."
	"vm86 vm86.elf ."
	"rd-end memread.elf $MEM at=end"
	"rd-straddle memread.elf $MEM at=straddle"
	"rd-top memread.elf $MEM at=top"
	"wr-end memwrite.elf $MEM at=end"
	"wr-straddle memwrite.elf $MEM at=straddle"
	"wr-top memwrite.elf $MEM at=top"
	"wr-wide memwrite.elf $MEM at=wide"
	"fetch-end memfetch.elf $MEM at=end"
	"fetch-top memfetch.elf $MEM at=top"
	"stack-end memstack.elf $MEM at=end"
	"stack-zero memstack.elf $MEM at=zero"
	"stack-hcall memstack.elf $MEM at=hcall"
	"str-movs memstring.elf $MEM op=movs"
	"str-stos memstring.elf $MEM op=stos"
	"str-cmps memstring.elf $MEM op=cmps"
	"str-down memstring.elf $MEM op=down"
	"str-outs memstring.elf ."
	"far-jmp farjump.elf $MEM via=jmp"
	"far-call farjump.elf $MEM via=call"
	"far-ret farjump.elf $MEM via=ret"
	"far-ds farjump.elf $MEM via=ds"
	"dt-gdt desctab.elf $MEM table=gdt"
	"dt-idt desctab.elf $MEM|triple table=idt"
	"dt-idtwrap desctab.elf $MEM|triple table=idtwrap"
	"dt-tss desctab.elf $MEM|[Ff]orbidden table=tss"
	"dt-ldt desctab.elf $MEM|[Ff]orbidden table=ldt"
	"noidt-de noidt.elf triple vec=de"
	"noidt-ud noidt.elf triple vec=ud"
	"noidt-bp noidt.elf triple vec=bp"
	"noidt-int noidt.elf triple vec=int"
	"noidt-gp noidt.elf triple vec=gp"
	"noidt-upcall noidt.elf triple vec=upcall"
)

# The attackers that run on: NAME IMAGE ARGS... (network ones get an
# address: the switch's ownership checks apply to them).
RUNNERS=(
	"excstorm excstorm.elf"
	"timerstorm timerstorm.elf"
	"yield0 yieldstorm.elf --cmdline us=0"
	"yield1 yieldstorm.elf --cmdline us=1"
	"yieldmix yieldstorm.elf --cmdline us=mix"
	"boostgame boostgame.elf"
	"conflood conflood.elf"
	"bcast bcast.elf --ip 10.0.0.20/24"
	"nicstorm1 nicstorm.elf --mac 02:00:0a:00:00:21 --ip 10.0.0.21/24 --cmdline target=02:00:0a:00:00:22"
	"nicstorm2 nicstorm.elf --mac 02:00:0a:00:00:22 --ip 10.0.0.22/24 --cmdline target=$HTTPD_MAC"
)

setup_file() {
	local entry name image reason args i host_mac cmd

	denali_setup_file
	# denali0 as the module brings it up, IPv6 on (where the kernel has
	# it; the debug kernel has not): router advertisements and
	# redirects must find it refusing them.
	if [ -d /proc/sys/net/ipv6 ]; then
		sysctl -qw "net.ipv6.conf.$UPLINK.disable_ipv6=0"
	fi
	ip addr replace "$HOST_IP/24" dev "$UPLINK"
	ip link set "$UPLINK" up
	host_mac=$(cat "/sys/class/net/$UPLINK/address")
	echo "$host_mac" >"$BATS_FILE_TMPDIR/host-mac"
	meminfo >"$BATS_FILE_TMPDIR/mem-before"

	# The victims.
	denalictl start "$EX/httpd.elf" --name httpd --ip "$HTTPD_IP/24" \
		--mac "$HTTPD_MAC" >/dev/null
	denalictl start "$EX/spin.elf" --name spin >/dev/null
	# From one denalictl: a process start costs a tenth of a second
	# under emulation, more on the debug kernel.
	for ((i = 1; i <= FLOOD_VICTIMS; i++)); do
		printf 'start %s --name quiet%d --mem 256K --mac 02:dd:00:00:00:%02x\n' \
			"$G/deaf.elf" "$i" "$i"
	done | denalictl -b - >/dev/null
	# The host knows the httpd before the attack: the entry must stay.
	curl -sS --retry 5 --retry-connrefused --retry-delay 1 --max-time 30 \
		-o /dev/null "http://$HTTPD_IP/"

	# The attackers.
	{
		for entry in "${CRASHERS[@]}"; do
			read -r name image reason args <<<"$entry"
			echo "start $G/$image --name $name --mem 256K" \
				"${args:+--cmdline $args}"
		done
		for entry in "${RUNNERS[@]}"; do
			read -r name image cmd <<<"$entry"
			echo "start $G/$image --name $name $cmd"
		done
	} | denalictl -b - >/dev/null
	denalictl start "$G/hcwild.elf" --name hcwild --ip 10.0.0.30/24 >/dev/null
	denalictl start "$G/macspoof.elf" --name macspoof --ip 10.0.0.31/24 \
		--cmdline "victim_ip=$HTTPD_IP victim_mac=$HTTPD_MAC host_mac=$host_mac" >/dev/null
	denalictl start "$G/arpspoof.elf" --name arpspoof --ip 10.0.0.32/24 \
		--cmdline "victim_ip=$HTTPD_IP host_ip=$HOST_IP host_mac=$host_mac" >/dev/null
	denalictl start "$G/ipspoof.elf" --name ipspoof --ip 10.0.0.33/24 \
		--cmdline "victim_ip=$HTTPD_IP host_ip=$HOST_IP host_mac=$host_mac" >/dev/null
	denalictl start "$G/ra.elf" --name ra --ip 10.0.0.34/24 >/dev/null
	denalictl start "$G/redirect.elf" --name redirect --ip 10.0.0.35/24 \
		--cmdline "victim_ip=$HTTPD_IP host_ip=$HOST_IP host_mac=$host_mac" >/dev/null
	denalictl start "$G/dhcp.elf" --name dhcp --ip 10.0.0.36/24 \
		--cmdline "victim_ip=$HTTPD_IP host_mac=$host_mac" >/dev/null
	denalictl start "$G/vlan.elf" --name vlan --ip 10.0.0.37/24 \
		--cmdline "victim_ip=$HTTPD_IP host_ip=$HOST_IP" >/dev/null
	denalictl start "$G/rxflood.elf" --name rxflood --ip 10.0.0.38/24 \
		--cmdline "base=02:dd:00:00:00:01 count=$FLOOD_VICTIMS" >/dev/null

	# The ticker runs while the attack lasts; a waiter notes when it
	# ends.
	denalictl start "$EX/ticker.elf" --name ticker \
		--cmdline "$TICKER_SECS" >/dev/null
	date +%s >"$BATS_FILE_TMPDIR/ticker-start"
	{
		denalictl wait ticker --timeout $((TICKER_SECS * 4)) 2>&1 || true
		date +%s >"$BATS_FILE_TMPDIR/ticker-end"
	} >"$BATS_FILE_TMPDIR/ticker-out" &

	# The fight. Halfway, the share of the CPU window starts; the host
	# fetches from the httpd all along.
	sleep $((ATTACK_SECS / 2))
	denalictl list -j >"$BATS_FILE_TMPDIR/mid.json"
	fetch_loop >"$BATS_FILE_TMPDIR/fetches" 2>&1
	sleep 1
	denalictl list -j >"$BATS_FILE_TMPDIR/after.json"
	meminfo >"$BATS_FILE_TMPDIR/mem-during"
	ip neigh show "$HTTPD_IP" dev "$UPLINK" >"$BATS_FILE_TMPDIR/neigh"
	# What the tests read, each VM's fields and console, gathered at
	# once: one python3 or denalictl at a time takes seconds under
	# emulation.
	flatten "$BATS_FILE_TMPDIR/mid.json" >"$BATS_FILE_TMPDIR/mid"
	flatten "$BATS_FILE_TMPDIR/after.json" >"$BATS_FILE_TMPDIR/after"
	mkdir "$BATS_FILE_TMPDIR/console"
	for name in "${CRASHERS[@]%% *}" hcwild excstorm timerstorm; do
		denalictl console "$name" >"$BATS_FILE_TMPDIR/console/$name" &
	done
	# The ticker's waiter too.
	wait_all
}

teardown_file() {
	denali_teardown_file
}

# wait_all: wait for every background job, failing when one failed.
wait_all() {
	local pid rc=0

	for pid in $(jobs -p); do
		wait "$pid" || rc=1
	done
	return "$rc"
}

# meminfo: "SUnreclaim KB AVAILABLE KB" from /proc/meminfo, where
# AVAILABLE is MemAvailable with what tmpfs holds (the test's own files
# in /tmp) and the free pages on the per-CPU lists of /proc/zoneinfo
# added back: tens of MiB that destroyed VMs gave back wait there, not
# counted as free.
meminfo() {
	awk '/^SUnreclaim:/ { s = $2 } /^MemAvailable:/ { a = $2 }
	/^Shmem:/ { t = $2 } /^ +count:/ { p += $2 }
	END { print s, a + t + p * 4 }' /proc/meminfo /proc/zoneinfo
}

# fetch_loop: curl the httpd once a second for the second half of the
# attack; prints one line per try, "ok" or the error.
fetch_loop() {
	local i end=$((SECONDS + ATTACK_SECS - ATTACK_SECS / 2))

	for ((i = 0; SECONDS < end; i++)); do
		if curl -sS --max-time 5 -o /dev/null "http://$HTTPD_IP/"; then
			echo ok
		else
			echo "try $i failed"
		fi
		sleep 1
	done
}

# flatten JSON: a saved 'list -j' as lines "NAME KEY VALUE" (stats
# keys as stats.KEY; null as an empty value).
flatten() {
	python3 -c '
import json, sys
for vm in json.load(open(sys.argv[1])):
    fields = {k: v for k, v in vm.items() if not isinstance(v, dict)}
    fields.update({"stats." + k: v for k, v in vm["stats"].items()})
    for k, v in fields.items():
        print(vm["name"], k, "" if v is None else v)' "$1"
}

# field WHEN NAME KEY: one key of VM NAME when the attack was halfway
# (mid) or over (after).
field() {
	awk -v n="$2" -v k="$3" '$1 == n && $2 == k {
		sub(/^[^ ]+ [^ ]+ ?/, ""); print; found = 1; exit }
	END { exit !found }' "$BATS_FILE_TMPDIR/$1"
}

# console NAME: VM NAME's console when the attack was over.
console() {
	cat "$BATS_FILE_TMPDIR/console/$1"
}

@test "every attacker that breaks the ABI crashed, with the reason expected" {
	# One awk for them all: each process costs a lot under emulation.
	awk 'FNR == NR { want[$1] = $3; image[$1] = $2; next }
	$2 == "state" { state[$1] = $3 }
	$2 == "crash_reason" { r = $0; sub(/^[^ ]+ [^ ]+ ?/, "", r); why[$1] = r }
	END {
		for (n in want)
			if (state[n] != "crashed" || why[n] !~ want[n]) {
				printf "%s (%s): %s \"%s\", want crashed /%s/\n",
				       n, image[n], state[n], why[n], want[n]
				bad = 1
			}
		exit bad
	}' <(printf '%s\n' "${CRASHERS[@]}") "$BATS_FILE_TMPDIR/after" >&2
}

@test "no crashed attacker got past its attack" {
	local names

	names=("${CRASHERS[@]%% *}")
	! grep -E 'still running|went through|came back|read .* outside memory|wrote outside memory|pushed outside' \
		"${names[@]/#/$BATS_FILE_TMPDIR/console/}" >&2 || false
}

@test "the wild memory attackers reached the last byte of memory first" {
	console rd-end | grep -q '^memread: last byte .* ok$'
	console wr-top | grep -qx 'memwrite: last byte ok'
	console stack-end | grep -qx 'memstack: push at the top ok'
}

@test "every hypercall's edge arguments got the ABI's errnos; exit code INT_MIN" {
	console hcwild | grep -v '^hcwild: mem_size' | grep '^hcwild:' >&2 || true
	[ "$(field after hcwild state)" = exited ]
	[ "$(field after hcwild exit_code)" = -2147483648 ]
	console hcwild | grep -qx 'hcwild: ok'
}

@test "the storming and gaming attackers still run, each within its own VM" {
	awk 'FNR == NR { want[$1] = 1; next }
	$2 == "state" && ($1 in want) { seen[$1] = 1 }
	$2 == "state" && ($1 in want) && $3 !~ /^(running|idle|waiting)$/ {
		print $1 " is " $3; bad = 1
	}
	END {
		for (n in want)
			if (!(n in seen)) { print "no VM " n; bad = 1 }
		exit bad
	}' <(printf '%s\n' "${RUNNERS[@]}" macspoof arpspoof ipspoof ra \
		redirect dhcp vlan rxflood) "$BATS_FILE_TMPDIR/after" >&2
	console excstorm | grep -qE '^excstorm: [0-9]+ rounds, [1-9][0-9]* exceptions$'
	console timerstorm | grep -qE '^timerstorm: [1-9][0-9]* upcalls$'
}

@test "forged source MACs were dropped and counted" {
	[ "$(field after macspoof stats.net_spoofed)" -gt 0 ]
	[ "$(field after macspoof stats.net_tx_frames)" -eq 0 ]
}

@test "ARP, IPv4 and tagged frames claiming another address were dropped and counted" {
	local name n

	for name in arpspoof ipspoof vlan; do
		n=$(field after "$name" stats.net_addr_spoofed)
		echo "$name net_addr_spoofed=$n" >&2
		[ "${n:-0}" -gt 0 ]
	done
}

@test "router advertisements, redirects and DHCP server replies were dropped and counted" {
	local name n

	for name in ra redirect dhcp; do
		n=$(field after "$name" stats.net_router_dropped)
		echo "$name net_router_dropped=$n" >&2
		[ "${n:-0}" -gt 0 ]
		[ "$(field after "$name" stats.net_tx_frames)" -eq 0 ]
	done
}

@test "the host fetched from the httpd throughout the attack" {
	cat "$BATS_FILE_TMPDIR/fetches" >&2
	[ -s "$BATS_FILE_TMPDIR/fetches" ]
	! grep -qv '^ok$' "$BATS_FILE_TMPDIR/fetches" || false
	[ "$(field after httpd state)" != crashed ]
}

@test "the httpd's IPv4 address stayed on the httpd's MAC" {
	cat "$BATS_FILE_TMPDIR/neigh" >&2
	grep -q "lladdr $HTTPD_MAC" "$BATS_FILE_TMPDIR/neigh"
	# Nothing else on denali0 claims it either.
	! ip neigh show dev "$UPLINK" | grep -v "lladdr $HTTPD_MAC" |
		grep -q "^$HTTPD_IP " || false
}

@test "the host took no route, address or redirect from a VM" {
	ip -4 route show >&2
	! ip -4 route show | grep -q "^default.*dev $UPLINK" || false
	# A host redirect would show as a cached route via the attacker.
	! ip -4 route get "$HTTPD_IP" | grep -q via || false
	[ "$(sysctl -n "net.ipv4.conf.$UPLINK.accept_redirects")" -eq 0 ]
	[ -d /proc/sys/net/ipv6 ] || return 0
	ip -6 route show >&2
	ip -6 addr show dev "$UPLINK" >&2
	! ip -6 route show | grep -q "^default.*dev $UPLINK" || false
	! ip -6 route show | grep -q '2001:db8' || false
	! ip -6 addr show dev "$UPLINK" | grep -q '2001:db8' || false
	[ "$(sysctl -n "net.ipv6.conf.$UPLINK.accept_ra")" -eq 0 ]
	[ "$(sysctl -n "net.ipv6.conf.$UPLINK.accept_redirects")" -eq 0 ]
}

@test "flood victims dropped and counted what they never read; storms' drops are their own" {
	awk -v n="$FLOOD_VICTIMS" '$1 ~ /^quiet[0-9]+$/ && $2 == "stats.net_rx_drops" {
		seen++
		if ($3 <= 0) { print $1 ": no rx drops"; bad = 1 }
	}
	END {
		if (seen != n) { print seen " of " n " victims"; bad = 1 }
		exit bad
	}' "$BATS_FILE_TMPDIR/after" >&2
	[ "$(field after rxflood stats.net_tx_frames)" -gt 0 ]
	# The broadcast storm filled its own send queue, not others'.
	[ "$(field after bcast stats.net_tx_frames)" -gt 0 ]
	[ "$(field after bcast stats.net_tx_drops)" -gt 0 ]
	[ "$(field after httpd stats.net_tx_drops)" -eq 0 ]
}

@test "queued frames cost at most their bound in slab while the attack lasts" {
	local before during vms bound

	read -r before _ <"$BATS_FILE_TMPDIR/mem-before"
	read -r during _ <"$BATS_FILE_TMPDIR/mem-during"
	vms=$(awk '$2 == "state"' "$BATS_FILE_TMPDIR/after" | wc -l)
	# Each port holds at most rx_queue_kb (256 KiB) of buffers, a send
	# queue's worth in flight, and each VM a few KiB of its own; 12 MiB
	# more for the rest of the host.
	bound=$((vms * 320 + 12 * 1024))
	echo "SUnreclaim grew by $((during - before)) KiB, bound $bound KiB for $vms VMs" >&2
	[ $((during - before)) -le "$bound" ]
}

@test "the ticker kept its rate" {
	local out secs

	if [ -e "$KMEMLEAK" ]; then
		skip "timing on the debug kernel"
	fi
	out=$(cat "$BATS_FILE_TMPDIR/ticker-out")
	secs=$(($(cat "$BATS_FILE_TMPDIR/ticker-end") - $(cat "$BATS_FILE_TMPDIR/ticker-start")))
	echo "ticker: $out after $secs s, want $TICKER_SECS s" >&2
	[ "$out" = "exited (code 0)" ]
	# Its ticks come at absolute deadlines: a starved ticker ends late.
	[ "$secs" -le $((TICKER_SECS * 5 / 4 + 3)) ]
}

@test "the CPU-bound victim kept its share among the busy VMs" {
	if [ -e "$KMEMLEAK" ]; then
		skip "timing on the debug kernel"
	fi
	python3 - "$BATS_FILE_TMPDIR/mid.json" "$BATS_FILE_TMPDIR/after.json" <<'PY'
import json, sys
mid = {vm["name"]: vm["stats"]["cpu_ns"] for vm in json.load(open(sys.argv[1]))}
after = {vm["name"]: vm["stats"]["cpu_ns"] for vm in json.load(open(sys.argv[2]))}
used = {n: after[n] - mid.get(n, 0) for n in after}
total = sum(used.values())
# The VMs that wanted the CPU: at least 2% of what all used.
busy = {n: v for n, v in used.items() if v >= 0.02 * total}
fair = total / len(busy)
print("cpu ms in the window:",
      {n: round(v / 1e6) for n, v in sorted(busy.items())})
print(f"spin {used['spin'] / 1e6:.0f} ms, fair share {fair / 1e6:.0f} ms")
assert used["spin"] >= 0.5 * fair, "spin lost its share"
PY
}

@test "destroying everything gives the host its memory back" {
	local name before after avail0 avail1

	# Side by side, as they were started.
	for name in $(awk '$2 == "state" { print $1 }' "$BATS_FILE_TMPDIR/after"); do
		denalictl destroy "$name" >/dev/null &
	done
	wait_all
	[ "$(vm_count)" -eq 0 ]
	sleep 2
	read -r before avail0 <"$BATS_FILE_TMPDIR/mem-before"
	read -r after avail1 < <(meminfo)
	echo "SUnreclaim $before -> $after KiB, available $avail0 -> $avail1 KiB" >&2
	# On the debug kernel KASAN's quarantine keeps freed objects in the
	# slab (up to 1/32 of memory); kmemleak checks for leaks there.
	if [ -e /sys/kernel/debug/kmemleak ]; then
		[ $((after - before)) -le 40960 ]
	else
		[ $((after - before)) -le 4096 ]
	fi
	[ $((avail0 - avail1)) -le 16384 ]
}

@test "the kernel log has no warning, BUG, oops, lockdep or lockup report" {
	check_dmesg "$(cat "$BATS_FILE_TMPDIR/dmesg-mark")" "the attack"
}
