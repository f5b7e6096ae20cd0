#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh: DKMS builds and installs denali.ko from what "make dkms-source"
# puts in place, as "sudo make dkms" does on a user's machine, but in
# trees of its own under a temporary directory (--sourcetree, --dkmstree,
# --installtree), so that the host's /usr/src, /var/lib/dkms and
# /lib/modules stay as they are. It builds for KVER (default: the newest
# kernel with headers in /lib/modules, the one the test machines boot).
# Prints TAP.
#
#     bash tests/install/dkms.sh
#
# Exits non-zero iff a test failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kver=${KVER:-$(ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log
trees=(--sourcetree "$tmp/src" --dkmstree "$tmp/dkms")

n=0
failed=0
# check DESCRIPTION COMMAND...: one TAP test; the log of a failure follows
# as diagnostics.
check() {
	local desc=$1

	shift
	n=$((n + 1))
	if "$@" >"$log" 2>&1; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		sed 's/^/# /' "$log" | tail -n 30
		failed=$((failed + 1))
	fi
}

skip_all() {
	printf '1..1\nok 1 DKMS builds and installs denali.ko # skip %s\n' "$1"
	exit 0
}

command -v dkms >/dev/null || skip_all "no dkms (run 'make deps')"
[ -d "/lib/modules/$kver/build" ] || skip_all "no headers for $kver"
mkdir -p "$tmp/dkms" "$tmp/modules/$kver"

echo "1..5"
check "make dkms-source puts dkms.conf and the module's source in place" \
	make -s -C "$root" dkms-source DESTDIR="$tmp/src" \
	DKMSDIR="/denali-$version"
check "dkms add registers denali/$version" \
	dkms add "denali/$version" "${trees[@]}"
check "dkms build builds denali.ko for $kver" \
	dkms build "denali/$version" -k "$kver" "${trees[@]}"

installed() {
	local ko

	dkms install "denali/$version" -k "$kver" "${trees[@]}" \
		--installtree "$tmp/modules" --force || return 1
	ko=$(find "$tmp/modules/$kver" -name 'denali.ko*' | head -n 1)
	[ -n "$ko" ] || { echo "no denali.ko under $tmp/modules/$kver"; return 1; }
	modinfo -F vermagic "$ko" | grep -q "^$kver " ||
		{ echo "$ko is not for $kver: $(modinfo -F vermagic "$ko")"; return 1; }
	modinfo -F alias "$ko" | grep -qx 'net-pf-16-proto-16-family-denali' ||
		{ echo "$ko lacks the generic netlink family alias"; return 1; }
	dkms status "denali/$version" -k "$kver" "${trees[@]}" |
		grep -q 'installed'
}
check "dkms install puts a denali.ko for $kver, with its netlink alias" installed

removed() {
	dkms remove "denali/$version" --all "${trees[@]}" \
		--installtree "$tmp/modules" || return 1
	! find "$tmp/modules" -name 'denali.ko*' | grep -q .
}
check "dkms remove takes it away again" removed

[ "$failed" -eq 0 ]
