#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The debug pass's last file (scripts/check.sh's debug level runs it after
# tests/bats with DENALI_KMEMLEAK_SCAN=suite): one kmemleak scan for
# everything the suites before it left behind. Each of those files
# unloaded the module, so whatever denali allocated and did not free is
# unreferenced by now.

load ../bats/helpers

@test "kmemleak finds nothing denali leaked in the whole suite" {
	[ -e "$KMEMLEAK" ] || skip "this kernel has no kmemleak"
	run ! module_loaded
	check_kmemleak "the suite"
}
