#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The guest SDK's disk examples against the module, end to end: three
# httpd VMs share one read-only disk holding a ustar archive that tar
# makes here, and serve its files to curl through denali0; kvstore keeps
# what it acknowledged on a read-write disk across a restart of its VM.
# Few commands: each costs a second or so under emulation.

load helpers

UPLINK=denali0
HOST_IP=10.0.0.1

setup_file() {
	local site=$BATS_FILE_TMPDIR/site

	denali_setup_file
	sysctl -qw "net.ipv6.conf.$UPLINK.disable_ipv6=1" 2>/dev/null || true
	ip addr replace "$HOST_IP/24" dev "$UPLINK"
	ip link set "$UPLINK" up
	mkdir -p "$site/css" "$site/docs"
	printf '<h1>Hello from a Denali disk</h1>\n' >"$site/index.html"
	printf 'h1 { color: teal }\n' >"$site/css/main.css"
	printf 'the docs\n' >"$site/docs/index.html"
	# Over 64 KiB: one read takes several requests.
	head -c 200000 /dev/urandom >"$site/big.bin"
	ln -s docs "$site/latest"
	tar --format=ustar -cf "$BATS_FILE_TMPDIR/site.tar" -C "$site" .
	# A disk is whole 4 KiB blocks of its file.
	truncate -s %4096 "$BATS_FILE_TMPDIR/site.tar"
}

teardown_file() {
	ip neigh flush dev "$UPLINK" 2>/dev/null || true
	denali_teardown_file
}

teardown() {
	denali_teardown
}

# kv IP LINE...: sends each LINE to kvstore at IP on one connection and
# prints each answer.
kv() {
	local ip=$1 line answer
	shift

	exec 3<>"/dev/tcp/$ip/7070" || return 1
	for line in "$@"; do
		printf '%s\n' "$line" >&3
		if ! IFS= read -r -t 20 answer <&3; then
			exec 3>&-
			return 1
		fi
		printf '%s\n' "$answer"
	done
	exec 3>&-
}

@test "httpd VMs sharing a read-only disk serve the files of its ustar archive" {
	local site=$BATS_FILE_TMPDIR/site got=$BATS_TEST_TMPDIR i

	run denalictl disk create web "$BATS_FILE_TMPDIR/site.tar" --ro
	[ "$status" -eq 0 ]
	[ "$output" = "created disk web (53 blocks, read-only)" ]
	for i in 1 2 3; do
		echo "start $EX/httpd.elf --name web$i --ip 10.0.0.3$i/24 --disk web:ro"
	done >"$got/starts"
	run denalictl -b "$got/starts"
	[ "$status" -eq 0 ]
	[[ $(denalictl disk show web) == *$'\nattached 3\n'* ]]
	for i in 1 2 3; do
		wait_console web$i '^httpd: serving 7 files from disk 0'
	done
	# Each VM sends big.bin at once; then one of them the rest.
	run curl --no-progress-meter --parallel --max-time 60 -w '%{http_code} %{content_type} %header{content-length}\n' \
		-o "$got/b1" http://10.0.0.31/big.bin \
		-o "$got/b2" http://10.0.0.32/big.bin \
		-o "$got/b3" http://10.0.0.33/big.bin
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '200 application/octet-stream 200000\n%.0s' 1 2 3)" ]
	run curl --no-progress-meter --max-time 60 -w '%{http_code} %{content_type} %header{content-length}\n' \
		-o "$got/index" http://10.0.0.32/ \
		-o "$got/css" http://10.0.0.32/css/main.css \
		-o "$got/docs" http://10.0.0.32/latest/ \
		-o "$got/missing" http://10.0.0.32/no/such/file
	[ "$status" -eq 0 ]
	[ "$output" = "200 text/html 34
200 text/css 19
200 text/html 9
404  0" ]
	cat "$got"/b[123] "$got/index" "$got/css" "$got/docs" |
		cmp - <(cat "$site"/big.bin "$site"/big.bin "$site"/big.bin \
			"$site/index.html" "$site/css/main.css" \
			"$site/docs/index.html")
}

@test "kvstore keeps what it acknowledged across a restart of its VM" {
	local img=$BATS_FILE_TMPDIR/kv.img

	truncate -s 256K "$img"
	denalictl disk create kv "$img"
	start_vm kvstore.elf kv --ip 10.0.0.40/24 --disk kv:rw >/dev/null
	wait_console kv '^kvstore: 0 keys from 0 records on disk 0'
	run kv 10.0.0.40 "set greeting hello denali" "set n 1" "set n 2" \
		"get n" "get nothing"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'OK\nOK\nOK\nVALUE 2\nNOT_FOUND')" ]
	# Acknowledged: in the disk's file.
	grep -q 'hello denali' "$img"

	denalictl destroy kv >/dev/null
	start_vm kvstore.elf kv --ip 10.0.0.40/24 --disk kv:rw >/dev/null
	wait_console kv '^kvstore: 2 keys from 3 records on disk 0'
	run kv 10.0.0.40 "get greeting" "get n"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'VALUE hello denali\nVALUE 2')" ]
}
