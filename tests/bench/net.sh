#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# net.sh: the network benchmark, run inside the SVM test machine:
#
#     tests/vm/svm-run bash tests/bench/net.sh
#
# For each interrupt mode (batched, then sync), in one run:
#
#   vm-vm     a 1 MiB TCP echo between two nettest.elf VMs: frames per
#             second through the switch, and VM exits per frame;
#   host-vm   UDP datagrams from the host through denali0 to a
#             udp-echo.elf VM for BENCH_WINDOW_S seconds: frames per
#             second the VM received, and its exits per frame;
#   http N    N httpd.elf VMs (1, 10 and 100 by default) and a client on
#             the host making BENCH_REQUESTS requests, each to a VM drawn
#             from a Zipf distribution (s = 1, as the paper's web
#             workload), over BENCH_CLIENTS connections at once:
#             requests per second and exits per frame over all VMs.
#
# Prints one table; asserts nothing about speed (under emulation only
# counts and the ratios between the modes mean something).
#
# Environment: BENCH_HTTP_VMS (default "1 10 100"), BENCH_WINDOW_S
# (default 5), BENCH_REQUESTS (default 1000), BENCH_CLIENTS (default 8),
# DENALI_MODULE.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
module=${DENALI_MODULE:-$root/module/denali.ko}
ex=$root/guest-sdk/examples
read -ra http_vms <<<"${BENCH_HTTP_VMS:-1 10 100}"
window=${BENCH_WINDOW_S:-5}
requests=${BENCH_REQUESTS:-1000}
clients=${BENCH_CLIENTS:-8}
uplink=denali0
PATH=$root/tools/denalictl:$PATH
read -ra params <<<"${DENALI_MODULE_PARAMS:-}"

die() { echo "net.sh: $*" >&2; exit 1; }

# counters NAME-REGEX: "exits frames" summed over the VMs whose names
# match, frames counting both directions.
counters() {
	denalictl list -j | python3 -c '
import json, re, sys
vms = [vm for vm in json.load(sys.stdin)
       if re.fullmatch(sys.argv[1], vm["name"])]
st = [vm["stats"] for vm in vms]
print(sum(s["exits"] for s in st),
      sum(s["net_rx_frames"] + s["net_tx_frames"] for s in st))' "$1"
}

# row MODE TEST RATE UNIT EXITS FRAMES
row() {
	printf '%-8s %-9s %12.1f %-10s %10s %12s %14.3f\n' "$1" "$2" "$3" "$4" \
		"$6" "$5" "$(python3 -c "print($5 / max($6, 1))")"
}

load() {
	rmmod denali 2>/dev/null || true
	insmod "$module" "${params[@]}" irq_mode="$1"
	sysctl -qw "net.ipv6.conf.$uplink.disable_ipv6=1" 2>/dev/null || true
	ip addr replace 10.9.0.1/16 dev "$uplink"
	ip link set "$uplink" up
}

# wait_line NAME REGEX: until VM NAME's console has a matching line.
wait_line() {
	local i

	for ((i = 0; i < 600; i++)); do
		denalictl console "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	die "VM $1 never printed '$2': $(denalictl console "$1")"
}

vm_vm() {
	local mode=$1 e0 f0 e1 f1 t0 t1 out

	denalictl start "$ex/nettest.elf" --name srv --ip 10.9.1.1/16 \
		--cmdline "tcp-server 5001 1 buf=32768" >/dev/null
	wait_line srv 'listening port=5001'
	read -r e0 f0 < <(counters 'srv|cli')
	t0=$(date +%s%N)
	denalictl start "$ex/nettest.elf" --name cli --ip 10.9.1.2/16 \
		--cmdline "tcp-client 10.9.1.1 5001 1048576 buf=32768" >/dev/null
	out=$(denalictl wait cli --timeout 300) || true
	t1=$(date +%s%N)
	[ "$out" = "exited (code 0)" ] || die "vm-vm: client $out"
	read -r e1 f1 < <(counters 'srv|cli')
	row "$mode" vm-vm "$(python3 -c "print(($f1 - $f0) * 1e9 / ($t1 - $t0))")" \
		frames/s "$((e1 - e0))" "$((f1 - f0))"
	denalictl destroy srv >/dev/null
	denalictl destroy cli >/dev/null
}

host_vm() {
	local mode=$1 e0 f0 e1 f1

	denalictl start "$ex/udp-echo.elf" --name echo --ip 10.9.2.1/16 \
		>/dev/null
	ping -c 1 -W 10 10.9.2.1 >/dev/null || die "host-vm: no ping reply"
	read -r e0 f0 < <(counters echo)
	python3 - "$window" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
end = time.monotonic() + float(sys.argv[1])
payload = bytes(64)
while time.monotonic() < end:
    try:
        s.sendto(payload, ("10.9.2.1", 7))
    except BlockingIOError:
        time.sleep(0.0005)
EOF
	read -r e1 f1 < <(counters echo)
	row "$mode" host-vm "$(python3 -c "print(($f1 - $f0) / $window)")" \
		frames/s "$((e1 - e0))" "$((f1 - f0))"
	denalictl destroy echo >/dev/null
}

http() {
	local mode=$1 n=$2 i e0 f0 e1 f1 rate

	for ((i = 1; i <= n; i++)); do
		denalictl start "$ex/httpd.elf" --name "w$i" --mem 2M \
			--ip "10.9.3.$i/16" --cmdline "workers=4" >/dev/null
	done
	read -r e0 f0 < <(counters 'w[0-9]+')
	rate=$(python3 - "$n" "$requests" "$clients" <<'EOF'
import concurrent.futures, http.client, random, sys, time
n, total, clients = map(int, sys.argv[1:])
weights = [1 / (k + 1) for k in range(n)]      # Zipf, s = 1
rng = random.Random(2002)
targets = rng.choices(range(1, n + 1), weights, k=total)

def fetch(vm):
    for attempt in range(5):
        try:
            c = http.client.HTTPConnection(f"10.9.3.{vm}", 80, timeout=30)
            c.request("GET", "/")
            body = c.getresponse().read()
            c.close()
            if len(body) == 2258:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"http: VM {vm} did not serve its document")

# Every VM answers once before the clock starts (ARP, first faults).
for vm in range(1, n + 1):
    fetch(vm)
start = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    list(pool.map(fetch, targets))
print(total / (time.monotonic() - start))
EOF
)
	read -r e1 f1 < <(counters 'w[0-9]+')
	row "$mode" "http $n" "$rate" req/s "$((e1 - e0))" "$((f1 - f0))"
	for ((i = 1; i <= n; i++)); do
		denalictl destroy "w$i" >/dev/null
	done
}

[ -r "$module" ] || die "no $module (run 'make')"
echo "denali network benchmark: $(nproc) CPUs, ${window} s windows," \
	"$requests Zipf requests over $clients connections"
printf '%-8s %-9s %12s %-10s %10s %12s %14s\n' mode test rate unit frames \
	exits exits/frame
for mode in batched sync; do
	load "$mode"
	vm_vm "$mode"
	host_vm "$mode"
	for n in "${http_vms[@]}"; do
		http "$mode" "$n"
	done
	rmmod denali
done
