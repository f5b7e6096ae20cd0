#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VMX smoke test: runs inside the Bochs machine (tests/vm/vmx-run
# tests/vm/vmx-smoke.sh), where /test holds denali.ko and the guest images
# and denalictl is on PATH. Bochs is slow, so this is a focused subset of
# tests/bats: one TAP line per test, then "# vmx: N passed, N failed".
# Exits 0 when every test passed.

T=/test
G=$T/guests
H=$T/hostile
BAD=$G/bad
DMESG_BAD='\<(WARN|BUG\>|Oops|KASAN|general protection|kernel BUG)|lockdep|rcu.*stall|blocked for more than|soft lockup|hard LOCKUP'

n=0
passed=0
failed=0
log=$(mktemp)

# t NAME COMMAND...: run COMMAND as test NAME; its output is shown only
# when it fails. Status 77 skips the test, COMMAND's output the reason.
t() {
	local name=$1 rc
	shift
	n=$((n + 1))
	"$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $name"
		passed=$((passed + 1))
	elif [ "$rc" -eq 77 ]; then
		echo "ok $n - $name # SKIP $(head -n 1 "$log")"
	else
		echo "not ok $n - $name"
		sed 's/^/#   /' "$log"
		failed=$((failed + 1))
	fi
}

fail() {
	echo "$*"
	return 1
}

# field NAME KEY: a string or number field of VM NAME's JSON object.
field() {
	denalictl show "$1" -j |
		sed -n -e "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" \
		       -e "t" -e "s/.*\"$2\": \([0-9-]*\).*/\1/p"
}

# start IMAGE NAME [ARGS...]: start a guest, print its id.
start() {
	local image=$1 name=$2 out
	shift 2

	out=$(denalictl start "$image" --name "$name" "$@") || return 1
	[[ $out =~ ^started\ $name\ \(id\ ([0-9]+)\)$ ]] ||
		fail "unexpected output of start: $out" || return 1
	echo "${BASH_REMATCH[1]}"
}

# expect_wait NAME TEXT [SECONDS]: 'denalictl wait' prints TEXT.
expect_wait() {
	local out rc=0

	# How the VM ended is the line's to say; 124 and 125 are wait's own.
	out=$(denalictl wait "$1" --timeout "${3:-120}") || rc=$?
	[ "$rc" -ne 124 ] && [ "$rc" -ne 125 ] ||
		fail "wait $1 failed: $out" || return 1
	[ "$out" = "$2" ] || fail "$1: '$out', expected '$2'"
}

destroy_all() {
	local name

	for name in $(denalictl list -j | grep -o '"name": "[^"]*"' |
		      sed 's/"name": "\(.*\)"/\1/'); do
		denalictl destroy "$name" >/dev/null || return 1
	done
}

# --- the tests -----------------------------------------------------------

test_load() {
	grep -qw vmx /proc/cpuinfo || fail "the CPU shows no vmx" || return 1
	insmod $T/denali.ko || return 1
	dmesg | grep -q 'denali: ready, vmx' ||
		fail "no 'denali: ready, vmx' line: $(dmesg | grep denali)"
}

test_hello() {
	local id out

	id=$(start $G/hello.elf h1) || return 1
	expect_wait h1 "exited (code 7)" || return 1
	out=$(denalictl console h1) || return 1
	[ "$out" = "Hello from Denali VM $id" ] || fail "console: $out"
}

test_list() {
	local out

	out=$(denalictl list) || return 1
	echo "$out" | grep -E '(^|[[:space:]])h1[[:space:]]' |
		grep -q 'exited (code 7)' || fail "list: $out" || return 1
	out=$(denalictl list -j) || return 1
	[[ $out == \[*\] ]] || fail "list -j is no array: $out" || return 1
	for want in '"name": "h1"' '"state": "exited"' '"exit_code": 7' \
		    '"backend": "vmx"'; do
		[[ $out == *"$want"* ]] || fail "list -j lacks $want: $out" ||
			return 1
	done
}

test_crash() {
	local state

	start $G/sleeper.elf sl --cmdline 3 >/dev/null || return 1
	start $G/crash.elf cr >/dev/null || return 1
	expect_wait cr "crashed (triple fault)" 60 || return 1
	state=$(field sl state)
	[[ $state =~ ^(running|idle)$ ]] ||
		fail "the sleeper is $state after the crash" || return 1
	expect_wait sl "exited (code 0)" 120 || return 1
	[ "$(denalictl console sl | grep -c '^tick [0-9]*$')" = 3 ] ||
		fail "sleeper console: $(denalictl console sl)"
}

test_fpu() {
	start $G/fpu.elf f1 --cmdline 200000 >/dev/null || return 1
	start $G/fpu.elf f2 --cmdline 300000 >/dev/null || return 1
	expect_wait f1 "exited (code 0)" 300 || return 1
	expect_wait f2 "exited (code 0)" 300
}

# resident NAME: "true" or "false", from show -j.
resident() {
	denalictl show "$1" -j | sed -n 's/.*"resident": \([a-z]*\).*/\1/p'
}

# A swapped-out VM's VMCS is gone: its guest state comes back from the
# fields saved in its CPU-state page, into a new VMCS, intact.
test_swap() {
	local out i

	start $G/memtest.elf m1 --mem 2M --cmdline "1 5" >/dev/null || return 1
	for ((i = 0; i < 600; i++)); do
		denalictl console m1 | grep -q '^memtest: written$' &&
			[ "$(field m1 state)" = idle ] && break
		sleep 0.2
	done
	[ "$(field m1 state)" = idle ] || fail "m1: $(field m1 state)" ||
		return 1
	out=$(denalictl swap m1) || fail "swap: $out" || return 1
	[ "$(resident m1)" = false ] || fail "m1 still resident" || return 1
	denalictl console m1 --send check || return 1
	expect_wait m1 "exited (code 0)" 300 || return 1
	denalictl console m1 | grep -q '^memtest: 1 MiB intact$' ||
		fail "m1's console: $(denalictl console m1)"
}

# The host fetches httpd's document through denali0: the NIC hypercalls,
# the switch, the uplink, ARP and TCP, all on VMX. (busybox nc: the
# initramfs's busybox wget crashes.)
test_httpd() {
	local i resp=/tmp/httpd.resp body=/tmp/httpd.body

	ip link set denali0 up || return 1
	ip addr add 10.0.0.1/24 dev denali0 || return 1
	start $G/httpd.elf web --ip 10.0.0.2/24 --cmdline tag=vmx >/dev/null ||
		return 1
	for i in $(seq 1 10); do
		printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 30 10.0.0.2 80 >"$resp" &&
			[ -s "$resp" ] && break
		sleep 2
	done
	head -n 1 "$resp" | grep -q '^HTTP/1\.[01] 200 ' ||
		fail "httpd answered: $(head -n 1 "$resp")" || return 1
	sed '1,/^\r$/d' "$resp" >"$body"
	yes "denali-httpd vmx" | head -c 2258 | cmp - "$body" ||
		fail "the document is not the one httpd serves" || return 1
	[ "$(field web state)" != crashed ] || fail "web: $(field web state)"
}

test_forbidden() {
	local out

	start $G/forbidden.elf fb >/dev/null || return 1
	out=$(denalictl wait fb --timeout 60) || true
	[[ $out =~ ^crashed\ \(.*cpuid.*\)$ ]] || fail "forbidden: $out"
}

# outcome CASE: what privinsn.list says 'denalictl wait' prints for CASE
# on VMX.
outcome() {
	awk -v c="$1" '
	!/^#/ && ($1 == c || $1 == c ":vmx") {
		own = $1 != c
		sub(/^[^ \t]+[ \t]+/, "")
		if (own) { print; done = 1; exit }
		both = $0
	}
	END { if (!done) print both }' "$H/privinsn.list"
}

# The hostile suite's privileged instruction cases, which
# tests/hostile/10-privinsn.bats runs on SVM: each must end the same way
# here. All start at once; the host takes page faults between the
# guests' entries as it starts them (a loop of forks as on SVM would
# cost minutes under Bochs).
test_privinsn() {
	local c out cases bad=0

	cases=$(awk '!/^#/ && NF && $1 !~ /:/ { print $1 }' \
		"$H/privinsn.list") || return 1
	[ -n "$cases" ] || fail "no cases in $H/privinsn.list" || return 1
	for c in $cases; do
		start $H/privinsn.elf "pi-$c" --cmdline "$c" >/dev/null ||
			bad=1
	done
	for c in $cases; do
		out=$(denalictl wait "pi-$c" --timeout 300 2>&1) || true
		if [ "$out" != "$(outcome "$c")" ]; then
			echo "$c: '$out', expected '$(outcome "$c")'"
			denalictl console "pi-$c" | sed 's/^/    /'
			bad=1
		fi
	done
	return "$bad"
}

# A subset of the hostile suite's attackers (tests/hostile/20-attackers.bats
# runs them all on SVM), all at once: both mode-switch routes taking
# upcalls, memory and descriptor tables at the edges and past 4 GiB, an
# upcall with no IDT, and every hypercall's edge arguments (hcwild checks
# its own results and exits with INT_MIN).
test_hostile() {
	local entry name image want args out bad=0
	local mem='(memory|outside)'
	local cases=(
		"h-paging paging.elf ."
		"h-longmode longmode.elf ."
		"h-ring3 ring3.elf ."
		"h-vm86 vm86.elf ."
		"h-rdtop memread.elf $mem at=top"
		"h-wrstraddle memwrite.elf $mem at=straddle"
		"h-stack0 memstack.elf $mem at=zero"
		"h-strdown memstring.elf $mem op=down"
		"h-farcall farjump.elf $mem via=call"
		"h-idt desctab.elf . table=idt"
		"h-tss desctab.elf . table=tss"
		"h-noidt noidt.elf triple vec=upcall"
	)

	for entry in "${cases[@]}"; do
		read -r name image want args <<<"$entry"
		start "$H/$image" "$name" --mem 256K \
			${args:+--cmdline "$args"} >/dev/null || bad=1
	done
	start "$H/hcwild.elf" h-hcwild >/dev/null || bad=1
	for entry in "${cases[@]}"; do
		read -r name image want args <<<"$entry"
		out=$(denalictl wait "$name" --timeout 300 2>&1) || true
		if ! [[ ${out,,} =~ ^crashed\ \(.*$want.*\)$ ]]; then
			echo "$name ($image $args): '$out', expected crashed /$want/"
			bad=1
		fi
	done
	out=$(denalictl wait h-hcwild --timeout 300 2>&1) || true
	if [ "$out" != "exited (code -2147483648)" ]; then
		echo "h-hcwild: '$out'"
		denalictl console h-hcwild | sed 's/^/    /'
		bad=1
	fi
	return "$bad"
}

test_wild() {
	local out

	start $G/wild.elf wd >/dev/null || return 1
	out=$(denalictl wait wd --timeout 60) || true
	[[ ${out,,} =~ ^crashed\ \(.*(memory|outside).*\)$ ]] ||
		fail "wild: $out"
}

test_badcall() {
	start $G/badcall.elf bc >/dev/null || return 1
	expect_wait bc "exited (code 0)" || {
		denalictl console bc
		return 1
	}
}

# bad IMAGE MESSAGE: starting IMAGE fails with one line holding MESSAGE.
bad() {
	local out

	if out=$(denalictl start "$BAD/$1" --name bad 2>&1); then
		fail "$1 was accepted: $out"
		return 1
	fi
	[ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == "denalictl: "*"$2"* ]] ||
		fail "$1: '$out', expected '$2'"
}

test_bad_images() {
	bad notelf.img "not an ELF32 image" &&
		bad elf64.img "not an ELF32 image" &&
		bad toobig.elf "image larger than memory" &&
		bad entry.elf "entry point outside memory" &&
		bad truncated.elf "" &&
		{ ! denalictl show bad >/dev/null 2>&1 || fail "a VM was left"; }
}

test_twenty() {
	local i

	for i in $(seq 1 20); do
		start $G/hello.elf "m$i" --cmdline "vm number $i" >/dev/null ||
			return 1
	done
	for i in $(seq 1 20); do
		expect_wait "m$i" "exited (code 7)" 300 || return 1
	done
	[ "$(denalictl console m13 | tail -n 1)" = "cmdline: vm number 13" ] ||
		fail "m13's console: $(denalictl console m13)"
}

# An NMI that arrives while a guest runs exits to the host, which must
# hand it to the kernel's NMI handler: an NMI backtrace of a CPU caught
# in a guest shows that handler called from denali_vmx_nmi, and every
# CPU answers every round (NMIs are not left blocked).
test_nmi() {
	local rounds=0 cpus before seen hits=0

	cpus=$(nproc)
	[ "$cpus" -ge 2 ] || { echo "one CPU"; return 77; }
	start $G/spin.elf n1 >/dev/null || return 1
	start $G/spin.elf n2 >/dev/null || return 1
	sleep 1
	before=$(dmesg | grep -c 'NMI backtrace for cpu')
	# Whether an NMI finds a CPU in the guest is chance: try a few
	# rounds, and more until one does.
	while [ $rounds -lt 3 ] || { [ "$hits" -eq 0 ] && [ $rounds -lt 20 ]; }; do
		echo l >/proc/sysrq-trigger
		sleep 1
		rounds=$((rounds + 1))
		hits=$(dmesg | grep -c 'RIP: 0010:denali_vmx_nmi')
	done
	seen=$(($(dmesg | grep -c 'NMI backtrace for cpu') - before))
	[ "$seen" -eq $((rounds * cpus)) ] ||
		fail "$seen NMI backtraces, expected $((rounds * cpus))" ||
		return 1
	[ "$hits" -ge 1 ] ||
		fail "no NMI caught a guest: $(dmesg | grep -A 3 'NMI backtrace for cpu' | tail -n 20)" ||
		return 1
	[ "$(field n1 state)" = running ] && [ "$(field n2 state)" = running ] ||
		fail "n1 is $(field n1 state), n2 is $(field n2 state)"
}

test_unload() {
	local i pid

	for i in 1 2; do
		start $G/spin.elf "spin$i" >/dev/null || return 1
		start $G/idle.elf "idle$i" >/dev/null || return 1
	done
	sleep 2
	[ "$(field spin1 state)" = running ] ||
		fail "spin1 is $(field spin1 state)" || return 1
	rmmod denali &
	pid=$!
	for i in $(seq 1 600); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $pid 2>/dev/null && fail "rmmod still running after 60 s" &&
		return 1
	wait $pid || fail "rmmod failed" || return 1
	[ ! -d /sys/module/denali ] || fail "denali still loaded"
}

# kvm_intel is the stock holder of VMX: the two must exclude each other,
# whichever comes first, with a clear line in the kernel log.
test_kvm_after() {
	if modprobe kvm_intel 2>/dev/null; then
		modprobe -r kvm_intel
		fail "kvm_intel loaded beside denali"
		return 1
	fi
	dmesg | grep -q 'kvm_intel cannot load while denali holds vmx' ||
		fail "no line about kvm_intel: $(dmesg | tail -n 5)"
}

test_kvm_before() {
	local out

	modprobe kvm_intel || fail "kvm_intel does not load" || return 1
	if out=$(insmod $T/denali.ko 2>&1); then
		rmmod denali
		modprobe -r kvm_intel
		fail "denali loaded beside kvm_intel"
		return 1
	fi
	modprobe -r kvm_intel || fail "kvm_intel does not unload" || return 1
	dmesg | grep -q 'denali: kvm_intel holds vmx' ||
		fail "no line about kvm_intel: $(dmesg | tail -n 5)"
}

test_dmesg() {
	local bad

	bad=$(dmesg | grep -E -A 20 -- "$DMESG_BAD")
	[ -z "$bad" ] || fail "$bad"
}

echo "TAP version 13"
echo "1..19"
t "the module loads on VMX" test_load
if [ -d /sys/module/denali ]; then
	t "kvm_intel cannot load while denali holds VMX" test_kvm_after
	t "hello prints its line and exits with code 7" test_hello
	t "list and list -j show it" test_list
	destroy_all
	t "a triple fault crashes its VM while another keeps running" test_crash
	t "cpuid crashes its VM" test_forbidden
	t "memory outside the VM crashes it" test_wild
	t "privileged instructions end as on SVM (privinsn.list)" \
		test_privinsn
	destroy_all
	t "hostile guests crash alone; hypercall edges get errnos" \
		test_hostile
	destroy_all
	t "bad hypercall arguments only return errnos" test_badcall
	t "two floating-point guests get exact results" test_fpu
	t "a VM swapped out and back in keeps its state and memory" test_swap
	t "the host fetches a page from an httpd VM through denali0" test_httpd
	t "each bad image gives its error" test_bad_images
	destroy_all
	t "20 VMs start and finish" test_twenty
	destroy_all
	t "NMIs that hit a guest reach the host's handler" test_nmi
	destroy_all
	t "unloading with VMs running is clean" test_unload
else
	for name in kvm-after hello list crash forbidden wild privinsn \
		    hostile badcall fpu swap httpd bad-images twenty nmi \
		    unload; do
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - $name # the module is not loaded"
	done
fi
t "denali refuses to load while kvm_intel holds VMX" test_kvm_before
t "the kernel log has no warnings" test_dmesg
rm -f "$log"
echo "# vmx: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
