#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs Denali's KUnit suites the way kernel CI does: module/ is placed at
# drivers/virt/denali in a copy of Debian's linux-source-6.1 tree and
# tools/testing/kunit/kunit.py builds a small x86_64 kernel with it built
# in and boots it under QEMU (software emulation).
#
# The source tree, the build directory and ccache's store live in
# ${DENALI_CACHE:-/var/cache/denali}/kunit, outside the checkout, so that
# only the first run builds the whole kernel and later runs are incremental.
#
# Usage: scripts/kunit.sh [kunit.py run options...]
#   e.g. scripts/kunit.sh 'denali_elf.*'    (a filter glob)
#
# Environment:
#   DENALI_CACHE    cache root (default /var/cache/denali, or
#                   ~/.cache/denali where that is not writable)
#   DENALI_CCACHE   0 to build without ccache
#   JOBS            parallel make jobs (default 2: the machines are shared)
#
# The last line is always "kunit: N passed, N failed, N skipped", counted
# from kunit.py's JSON results; a build error, a kernel that never reports
# and a kernel warning or oops during the run each count as one failure.
# The exit status is non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
if [ -n "${DENALI_CACHE:-}" ]; then
	cache=$DENALI_CACHE/kunit
elif mkdir -p /var/cache/denali/kunit 2>/dev/null &&
     [ -w /var/cache/denali/kunit ]; then
	cache=/var/cache/denali/kunit
else
	cache=$HOME/.cache/denali/kunit
fi
src=$cache/linux-source-6.1
build=$cache/build
json=$cache/results.json
log=$cache/kunit.log
jobs=${JOBS:-2}

summary() {
	echo "kunit: $1 passed, $2 failed, $3 skipped"
}

fail() {
	echo "kunit: $*" >&2
	summary 0 1 0
	exit 1
}

[ -r "$tarball" ] ||
	fail "$tarball missing: install linux-source-6.1 (make deps)"
mkdir -p "$cache" || fail "cannot create $cache (set DENALI_CACHE)"

# One run at a time per cache: they share the tree and the build directory.
exec 9>"$cache/lock"
flock 9

# Extract the tarball once; again only when the package changes, and then
# with a fresh build directory.
stamp="$(stat -c '%s %Y' "$tarball")"
if [ ! -f "$src/.denali-source" ] ||
   [ "$(cat "$src/.denali-source")" != "$stamp" ]; then
	echo "kunit: extracting $tarball into $src"
	rm -rf "$src" "$src.tmp" "$build"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1 ||
		fail "cannot extract $tarball"
	echo "$stamp" >"$src.tmp/.denali-source"
	mv "$src.tmp" "$src"
fi

# sync_file SRC DST: copies SRC to DST only when their contents differ,
# so that DST looks new to make exactly when it changed. Keeping SRC's
# own time would not do: checking out an older version of a file must
# still rebuild what depends on it.
sync_file() {
	cmp -s "$1" "$2" || cp "$1" "$2"
}

# Overlay module/ at drivers/virt/denali. Objects of an out-of-tree build
# in module/ stay behind: make would find them through VPATH.
dest=$src/drivers/virt/denali
mkdir -p "$dest"
wanted=$(cd "$root/module" && find . -type f \
	! -name '*.o' ! -name '*.ko' ! -name '*.a' ! -name '*.mod' \
	! -name '*.mod.c' ! -name '.*.cmd' ! -name '.*.d' \
	! -name 'modules.order' ! -name 'Module.symvers' ! -name '.tmp_*' |
	sort)
(cd "$dest" && find . -type f) | while read -r f; do
	grep -qxF "$f" <<<"$wanted" || rm -f "$dest/$f"
done
while read -r f; do
	mkdir -p "$(dirname "$dest/$f")"
	sync_file "$root/module/$f" "$dest/$f"
done <<<"$wanted"

# The uapi headers go where the module's #include <linux/denali*.h> finds
# them in a kernel tree; headers that left uapi/ are removed again.
uapi_list=$src/.denali-uapi
if [ -f "$uapi_list" ]; then
	while read -r h; do
		[ -e "$root/uapi/linux/$h" ] || rm -f "$src/include/uapi/linux/$h"
	done <"$uapi_list"
fi
: >"$uapi_list"
for h in "$root"/uapi/linux/*.h; do
	sync_file "$h" "$src/include/uapi/linux/$(basename "$h")"
	basename "$h" >>"$uapi_list"
done

# Hook the directory into drivers/virt (idempotent): the source line goes
# inside the "if VIRT_DRIVERS" block, before its endif.
kconfig_line='source "drivers/virt/denali/Kconfig"'
if ! grep -qxF "$kconfig_line" "$src/drivers/virt/Kconfig"; then
	tac "$src/drivers/virt/Kconfig" |
		awk -v line="$kconfig_line" \
			'!done && /^endif/ { print; print ""; print line; done = 1; next } 1' |
		tac >"$src/drivers/virt/Kconfig.new"
	mv "$src/drivers/virt/Kconfig.new" "$src/drivers/virt/Kconfig"
fi
make_line='obj-$(CONFIG_DENALI)		+= denali/'
grep -qxF "$make_line" "$src/drivers/virt/Makefile" ||
	echo "$make_line" >>"$src/drivers/virt/Makefile"

make_opts=()
if [ "${DENALI_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
	export CCACHE_DIR=$cache/ccache
	make_opts+=("--make_options=CC=ccache gcc")
fi

rm -f "$json" "$build/test.log"
set +e
(
	cd "$src" &&
	python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
		--kunitconfig=drivers/virt/denali --build_dir="$build" \
		--jobs="$jobs" --json="$json" "${make_opts[@]}" "$@"
) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

counts=$(python3 - "$json" <<'EOF' 2>/dev/null
import json
import sys

def walk(group, counts):
    for case in group.get("test_cases", []):
        status = case.get("status")
        key = {"PASS": 0, "SKIP": 2}.get(status, 1)
        counts[key] += 1
    for sub in group.get("sub_groups", []):
        walk(sub, counts)

counts = [0, 0, 0]
with open(sys.argv[1]) as f:
    walk(json.load(f), counts)
print(*counts)
EOF
) || counts="0 0 0"
read -r passed failed skipped <<<"$counts"

# kunit.py judges the test lines only; Denali's own init runs in the same
# boot, and a warning or an oops anywhere in it is a failure too.
if [ -f "$build/test.log" ] &&
   grep -E 'WARNING:|BUG:|Oops|Kernel panic|general protection fault|UBSAN:' \
	"$build/test.log" >&2; then
	echo "kunit: the kernel warned or oopsed; see $build/test.log" >&2
	failed=$((failed + 1))
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "kunit: kunit.py failed (status $rc) without a failed test;" \
	     "see $log" >&2
	failed=1
fi
if [ "$rc" -eq 0 ] && [ $((passed + failed + skipped)) -eq 0 ]; then
	echo "kunit: no test ran" >&2
	failed=1
fi
summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
