#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# man-lint.sh: check every manual page in Documentation/man/ (*.1 to
# *.9): mandoc -T lint must report no warning and no error (style notes
# do not count), and man -l must render it with nothing on standard
# error. Prints TAP: one test per page, then one that shows the check
# itself failing on a broken page.
#
#     bash scripts/man-lint.sh [PAGE...]
#
# Exits non-zero iff a test failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ $# -gt 0 ]; then
	pages=("$@")
else
	pages=("$root"/Documentation/man/*.[1-9])
fi

# lint PAGE: print what is wrong with PAGE; fail when anything is.
lint() {
	local out

	if ! command -v mandoc >/dev/null; then
		echo "mandoc not found (run 'make deps')"
		return 1
	fi
	out=$(mandoc -T lint -W warning "$1" 2>&1)
	if [ $? -ne 0 ] || [ -n "$out" ]; then
		printf '%s\n' "$out"
		return 1
	fi
	out=$(MANWIDTH=80 man -l "$1" 2>&1 >/dev/null)
	if [ -n "$out" ]; then
		printf 'man -l: %s\n' "$out"
		return 1
	fi
}

n=0
failed=0
echo "1..$((${#pages[@]} + 1))"
for page in "${pages[@]}"; do
	n=$((n + 1))
	if out=$(lint "$page"); then
		echo "ok $n man: ${page#"$root"/}"
	else
		echo "not ok $n man: ${page#"$root"/}"
		sed 's/^/# /' <<<"$out"
		failed=1
	fi
done

# The check fails on a page with an unknown macro and a bad section.
n=$((n + 1))
broken=$(mktemp --suffix=.7)
printf '.TH BROKEN 7\n.SH NAME\nbroken \\- a broken page\n.SH DESCRIPTION\n.XY nonsense\n.BR\n' >"$broken"
if out=$(lint "$broken"); then
	echo "not ok $n man: the check fails on a broken page"
	echo "# it passed"
	failed=1
else
	echo "ok $n man: the check fails on a broken page"
fi
rm -f "$broken"
exit "$failed"
