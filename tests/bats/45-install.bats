#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The tree as a user installs it: make install into a staging root, the
# module loaded on demand by the first denalictl command through
# modprobe, the bash completion, and a guest built outside the tree from
# the template against the installed SDK.

load helpers

setup_file() {
	kmsg_mark >"$BATS_FILE_TMPDIR/dmesg-mark"
	module_loaded && rmmod denali
	export STAGE=$BATS_FILE_TMPDIR/root
	export KREL
	KREL=$(uname -r)
	make -s -C "$REPO" install DESTDIR="$STAGE" PREFIX=/usr
}

teardown_file() {
	if mountpoint -q "/lib/modules/$KREL" 2>/dev/null &&
	   [ -e "/lib/modules/$KREL/extra/denali.ko" ]; then
		umount "/lib/modules/$KREL"
	fi
	rm -f /run/modprobe.d/denali.conf
	denali_teardown_file
}

teardown() {
	denali_teardown
}

@test "make install puts every part under DESTDIR and PREFIX" {
	local f

	for f in usr/sbin/denalictl usr/bin/denali-cc \
		 usr/share/man/man4/denali.4 usr/share/man/man7/denali-guest.7 \
		 usr/share/bash-completion/completions/denalictl \
		 usr/include/linux/denali.h usr/include/linux/denali_abi.h \
		 usr/share/doc/denali/examples/modprobe.d/denali.conf \
		 usr/lib/denali-sdk/denali.mk usr/lib/denali-sdk/lib/crt0.o \
		 usr/lib/denali-sdk/lib/libnet.a usr/lib/denali-sdk/template/Makefile \
		 usr/lib/denali-sdk/include/linux/denali_abi.h \
		 "lib/modules/$KREL/extra/denali.ko"; do
		[ -e "$STAGE/$f" ] || { echo "missing: $f" >&2; return 1; }
	done
	# depmod indexed the module and its netlink family's alias.
	grep -q '^extra/denali.ko:' "$STAGE/lib/modules/$KREL/modules.dep"
	grep -q '^alias net-pf-16-proto-16-family-denali denali$' \
		"$STAGE/lib/modules/$KREL/modules.alias"
}

@test "the first denalictl command loads the module through modprobe with its modprobe.d options" {
	[ -d "/lib/modules/$KREL" ] || skip "the kernel has no modules directory"
	[ ! -d /sys/module/denali ]
	# The host's module tree is read-only here: the staged one stands in
	# for it, as if installed.
	mount --bind "$STAGE/lib/modules/$KREL" "/lib/modules/$KREL"
	mkdir -p /run/modprobe.d
	{
		sed 's/^#\(options denali quantum_us=5000\)$/\1/' \
			"$STAGE/usr/share/doc/denali/examples/modprobe.d/denali.conf"
		[ -z "${MODULE_PARAMS[*]}" ] || echo "options denali ${MODULE_PARAMS[*]}"
	} >/run/modprobe.d/denali.conf

	run "$STAGE/usr/sbin/denalictl" list
	[ "$status" -eq 0 ]
	[ "${lines[0]%% *}" = ID ]
	module_loaded
	[ "$(cat /sys/module/denali/parameters/quantum_us)" = 5000 ]
}

@test "bash completion offers commands, options, VM and disk names" {
	module_loaded || load_module
	denalictl create "$EX/hello.elf" --name compvm >/dev/null
	truncate -s 64K "$BATS_TEST_TMPDIR/comp.img"
	denalictl disk create compdisk "$BATS_TEST_TMPDIR/comp.img" >/dev/null
	# shellcheck source=/dev/null
	source "$STAGE/usr/share/bash-completion/completions/denalictl"

	complete_words() {
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_denalictl
		echo "${COMPREPLY[*]}"
	}
	[ "$(complete_words denalictl st)" = "start stop stats" ]
	[ "$(complete_words denalictl console compvm --)" = "--follow --send --interactive --help" ]
	[ "$(complete_words denalictl wait -)" = "-t --timeout -j --json -h --help" ]
	[ "$(complete_words denalictl wait co)" = compvm ]
	[ -z "$(complete_words denalictl start --name co)" ]
	[ "$(complete_words denalictl disk s)" = show ]
	[ "$(complete_words denalictl disk destroy co)" = compdisk ]
	[ "$(complete_words denalictl start --disk co)" = compdisk ]
	denalictl disk destroy compdisk
}

@test "the template builds outside the tree against the installed SDK and runs" {
	module_loaded || load_module
	cp -r "$STAGE/usr/lib/denali-sdk/template" "$BATS_TEST_TMPDIR/myguest"
	make -s -C "$BATS_TEST_TMPDIR/myguest" CC="$STAGE/usr/bin/denali-cc"
	# Linked with -lnet from another directory, the tree's own object
	# gives the tree's own image (a link costs far less than a compile).
	(cd "$BATS_TEST_TMPDIR" && "$STAGE/usr/bin/denali-cc" -o udp-echo.elf \
		"$EX/udp-echo.o" -lnet)
	cmp "$BATS_TEST_TMPDIR/udp-echo.elf" "$EX/udp-echo.elf"

	denalictl start "$BATS_TEST_TMPDIR/myguest/guest.elf" --name tmpl \
		--cmdline 'hello there' >/dev/null
	run wait_vm tmpl
	[ "$output" = "exited (code 0)" ]
	run denalictl console tmpl
	[[ $output == *"guest: cmdline 'hello there'"* ]]
}
