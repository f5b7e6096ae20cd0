#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs every example guest under scripts/run-qemu.sh (QEMU standing in for
# the Denali kernel) and compares its console output and its end with
# what the example must do. This checks the SDK (crt0, libdenali, libc)
# and the examples themselves; the kernel's own enforcement (crashing a
# VM for cpuid or a wild write) is for the system tests.
#
# usage: scripts/check-examples.sh   (from guest-sdk/, after make)

set -u
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
out=$(mktemp)
end=$(mktemp)
trap 'rm -f "$out" "$end"' EXIT

# expect NAME CMDLINE TIMEOUT WANT_END WANT_CONSOLE
expect()
{
	if ! TIMEOUT=$3 VM_ID=5 sh scripts/run-qemu.sh "examples/$1.elf" "$2" \
			>"$out" 2>"$end"; then
		echo "FAIL $1: $(tail -n 1 "$end")"
		failed=$((failed + 1))
		return
	fi
	got_end=$(tail -n 1 "$end" | sed 's/^run-qemu: //')
	if [ "$got_end" != "$4" ]; then
		echo "FAIL $1 \"$2\": ended with \"$got_end\", want \"$4\""
		sed 's/^/    | /' "$out"
		failed=$((failed + 1))
	elif [ "$(cat "$out")" != "$5" ]; then
		echo "FAIL $1 \"$2\": console output differs:"
		printf '%s\n' "$5" | diff -u - "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	else
		echo "ok   $1 \"$2\": $got_end"
		passed=$((passed + 1))
	fi
}

nl='
'

expect hello "" 10 "exit 7" "Hello from Denali VM 5"
expect hello "a b=c" 10 "exit 7" "Hello from Denali VM 5${nl}cmdline: a b=c"
expect crash "" 10 "triple fault" "crash: about to triple-fault"
# Here cpuid and the wild write succeed; the guest reports that itself.
expect forbidden "" 10 "exit 1" "forbidden: executing cpuid${nl}$(
	)forbidden: cpuid ran, the VM should have crashed"
expect wild "" 10 "exit 1" "wild: writing to 0xf0000000${nl}$(
	)wild: the write to 0xf0000000 went through, the VM should have crashed"
expect badcall "" 10 "exit 0" "badcall: buffer outside memory -> -14${nl}$(
	)badcall: length wrapping past 4 GiB -> -14${nl}$(
	)badcall: unknown hypercall 99 -> -38"
expect sleeper "2" 20 "exit 0" "tick 1${nl}tick 2"
expect spin "" 2 "still running after 2s" "spin: spinning"
expect idle "" 2 "still running after 2s" "idle: idling forever"
# Here the timer hypercall fails and idle returns at once, so the thread
# scheduler polls the clock; ticks due at the same time run in the order
# their sleeps began.
expect ticker "1" 20 "exit 0" "ticker: thread 1 tick 1${nl}$(
	)ticker: thread 1 tick 2${nl}$(
	)ticker: thread 2 tick 1${nl}$(
	)ticker: thread 1 tick 3${nl}$(
	)ticker: thread 1 tick 4${nl}$(
	)ticker: thread 3 tick 1${nl}$(
	)ticker: thread 2 tick 2${nl}$(
	)ticker: thread 1 tick 5${nl}$(
	)ticker: thread 1 tick 6${nl}$(
	)ticker: thread 1 tick 7${nl}$(
	)ticker: thread 2 tick 3${nl}$(
	)ticker: thread 1 tick 8${nl}$(
	)ticker: thread 1 tick 9${nl}$(
	)ticker: thread 3 tick 2${nl}$(
	)ticker: thread 2 tick 4${nl}$(
	)ticker: thread 1 tick 10${nl}$(
	)ticker: done"

# The stand-in kernel's NIC drops what it is given and delivers nothing:
# the network examples come up, servers wait, clients time out.
expect udp-echo "ip=10.0.0.5/24" 2 "still running after 2s" \
	"udp-echo: listening on 10.0.0.5 port 7"
expect httpd "ip=10.0.0.5/24 tag=t" 2 "still running after 2s" "$(
	)httpd: serving 2258 bytes tagged \"t\" at http://10.0.0.5:80/ with 16 workers"
expect httpd "ip=10.0.0.5/24 size=2000000" 10 "exit 1" \
	"httpd: want size=0..1048576 port=1..65535 workers=1..64"
expect httpd "ip=10.0.0.5" 10 "exit 1" "$(
	)net: no usable ip=A.B.C.D/LEN (and gw=) on the command line${nl}$(
	)httpd: no network: -22"
# The stand-in kernel has no disks: kvstore refuses to start.
expect kvstore "ip=10.0.0.5/24" 10 "exit 1" "kvstore: no read-write disk 0"
expect nettest "ip=10.0.0.5/24" 10 "exit 2" "$(
	)nettest: usage: udp-client DST PORT COUNT | tcp-server PORT [CONNS] |${nl}$(
	)nettest:   tcp-client DST PORT BYTES | tcp-sink PORT [CONNS] |${nl}$(
	)nettest:   tcp-source DST PORT BYTES | ping DST COUNT; buf=1024..65535"
expect nettest "ip=10.0.0.5/24 ping 10.0.0.6 2" 20 "exit 1" \
	"nettest: ping result=fail sent=2 received=0 avg_rtt_us=0"
expect nettest "ip=10.0.0.5/24 udp-client 10.0.0.6 7 2" 30 "exit 1" \
	"nettest: udp-client result=fail sent=2 received=0 retries=4"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
