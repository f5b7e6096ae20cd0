#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: build (or find up to date) the debug kernel for the
# SVM test machine's second pass, and denali.ko built against it.
#
# The kernel comes from the same Debian linux-source-6.1 tree that
# scripts/kunit.sh extracts (${DENALI_CACHE}/kunit/linux-source-6.1), built
# out of tree in ${DENALI_CACHE}/debug/build with ccache in
# ${DENALI_CACHE}/debug/ccache. Its configuration starts, as kunit.py's
# does, from a short fragment completed by olddefconfig: KASAN, lockdep
# (PROVE_LOCKING) and kmemleak (scanned on request only), and what the test
# machine needs built in (9p over virtio, PCI, tmpfs, devtmpfs, tun,
# bridge, swap, debugfs), so that its initramfs loads no modules. KVM is
# off: only denali.ko is ever loaded.
#
# The module is built from a copy of module/ and uapi/ in
# ${DENALI_CACHE}/debug/module, so the checkout's module/denali.ko (for the
# stock kernel) stays untouched.
#
# Usage: scripts/debug-kernel.sh [-p]
#   -p  print only the two paths (kernel image, module), one per line
# Otherwise prints what it does, its timings and, last, the lines
#   kernel: <path of bzImage>
#   module: <path of denali.ko>
#
# Environment:
#   DENALI_CACHE    cache root (default /var/cache/denali, or
#                   ~/.cache/denali where that is not writable)
#   DENALI_CCACHE   0 to build without ccache
#   JOBS            parallel make jobs (default 2: the machines are shared)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
me=debug-kernel
if [ -n "${DENALI_CACHE:-}" ]; then
	base=$DENALI_CACHE
elif mkdir -p /var/cache/denali 2>/dev/null && [ -w /var/cache/denali ]; then
	base=/var/cache/denali
else
	base=$HOME/.cache/denali
fi
src=$base/kunit/linux-source-6.1
cache=$base/debug
build=$cache/build
modsrc=$cache/module
jobs=${JOBS:-2}
quiet=0
[ "${1:-}" = -p ] && quiet=1

say() { [ "$quiet" = 1 ] || echo "$me: $*"; }
die() { echo "$me: $*" >&2; exit 1; }

[ -r "$tarball" ] || die "$tarball missing: install linux-source-6.1 (make deps)"
mkdir -p "$cache" "$base/kunit" || die "cannot create $cache (set DENALI_CACHE)"

# The kernel's configuration fragment. Every line must survive
# olddefconfig unchanged (checked below), so that a symbol whose
# dependencies went missing cannot drop out silently. The last lines turn
# off what olddefconfig would add and the machine does not use, to keep
# the cold build short. Without PREEMPT_DYNAMIC the voluntary model is
# built in, as it runs anyway, and nothing selects Tasks RCU: its
# boot-time self test (under PROVE_RCU) now and then never finished
# under TCG, and the level lost its boot timeout to it.
fragment() {
	cat <<'EOF'
CONFIG_LOCALVERSION="-denali-debug"
# CONFIG_LOCALVERSION_AUTO is not set
CONFIG_64BIT=y
CONFIG_SMP=y
CONFIG_NR_CPUS=8
CONFIG_CPU_SUP_AMD=y
CONFIG_CPU_SUP_INTEL=y
CONFIG_HIGH_RES_TIMERS=y
CONFIG_PREEMPT_VOLUNTARY=y
# CONFIG_PREEMPT_DYNAMIC is not set
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
# CONFIG_MODVERSIONS is not set
# CONFIG_MODULE_SIG is not set
# CONFIG_VIRTUALIZATION is not set
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_BINFMT_ELF=y
CONFIG_BINFMT_SCRIPT=y
CONFIG_MULTIUSER=y
CONFIG_FUTEX=y
CONFIG_EPOLL=y
CONFIG_SIGNALFD=y
CONFIG_TIMERFD=y
CONFIG_EVENTFD=y
CONFIG_FILE_LOCKING=y
CONFIG_SHMEM=y
CONFIG_TMPFS=y
CONFIG_DEVTMPFS=y
CONFIG_PROC_FS=y
CONFIG_SYSFS=y
CONFIG_DEBUG_FS=y
CONFIG_SWAP=y
CONFIG_ACPI=y
CONFIG_PCI=y
CONFIG_PCI_MSI=y
CONFIG_TTY=y
CONFIG_UNIX98_PTYS=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_VIRTIO_MENU=y
CONFIG_VIRTIO_PCI=y
CONFIG_NET=y
CONFIG_UNIX=y
CONFIG_INET=y
CONFIG_PACKET=y
CONFIG_NETDEVICES=y
CONFIG_NET_CORE=y
CONFIG_TUN=y
CONFIG_BRIDGE=y
CONFIG_NET_9P=y
CONFIG_NET_9P_VIRTIO=y
CONFIG_NETWORK_FILESYSTEMS=y
CONFIG_9P_FS=y
CONFIG_KALLSYMS=y
CONFIG_DEBUG_KERNEL=y
CONFIG_DEBUG_INFO_NONE=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_KMEMLEAK=y
# CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF is not set
# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set
# CONFIG_IPV6 is not set
# CONFIG_HID is not set
# CONFIG_INPUT_MOUSE is not set
# CONFIG_USB_SUPPORT is not set
# CONFIG_HWMON is not set
# CONFIG_SUSPEND is not set
# CONFIG_ACPI_AC is not set
# CONFIG_ACPI_BATTERY is not set
# CONFIG_ACPI_FAN is not set
# CONFIG_ACPI_THERMAL is not set
# CONFIG_PERF_EVENTS_INTEL_UNCORE is not set
# CONFIG_PERF_EVENTS_INTEL_RAPL is not set
# CONFIG_PERF_EVENTS_INTEL_CSTATE is not set
# CONFIG_PERF_EVENTS_AMD_UNCORE is not set
EOF
}

# Extract the tarball as scripts/kunit.sh does (same tree, same stamp),
# under its lock: the two share the tree.
exec 9>"$base/kunit/lock"
flock 9
stamp="$(stat -c '%s %Y' "$tarball")"
if [ ! -f "$src/.denali-source" ] ||
   [ "$(cat "$src/.denali-source")" != "$stamp" ]; then
	say "extracting $tarball into $src"
	rm -rf "$src" "$src.tmp" "$base/kunit/build"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1 ||
		die "cannot extract $tarball"
	echo "$stamp" >"$src.tmp/.denali-source"
	mv "$src.tmp" "$src"
fi

make_args=(-C "$src" O="$build" ARCH=x86_64 -j"$jobs")
if [ "${DENALI_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
	export CCACHE_DIR=$cache/ccache
	make_args+=(CC="ccache gcc")
fi
# Kernel and module builds are long and chatty; the log keeps it all.
log=$cache/build.log
: >"$log"

run_make() {
	if ! make "${make_args[@]}" "$@" >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "make $* failed; the whole log is $log"
	fi
}

t0=$(date +%s)
mkdir -p "$build"
# A new fragment or a new source tree starts the configuration afresh.
cfgkey=$( { fragment; echo "$stamp"; } | sha256sum | cut -c1-16)
if [ ! -f "$build/.config" ] || [ "$(cat "$build/.denali-config" 2>/dev/null)" != "$cfgkey" ]; then
	say "configuring $build"
	fragment >"$build/.config"
	run_make olddefconfig
	missing=$(fragment | while read -r line; do
		case $line in
		CONFIG_*)
			if ! grep -qxF -- "$line" "$build/.config"; then
				echo "$line"
			fi
			;;
		"# CONFIG_"*)
			sym=${line#\# }
			sym=${sym%% *}
			if grep -q "^$sym=" "$build/.config"; then
				echo "$line"
			fi
			;;
		esac
	done)
	[ -z "$missing" ] || die "olddefconfig did not keep: $missing"
	echo "$cfgkey" >"$build/.denali-config"
fi

say "building the kernel (make -j$jobs bzImage modules_prepare; log: $log)"
run_make bzImage modules_prepare
t1=$(date +%s)
kernel=$build/arch/x86/boot/bzImage
say "kernel: $(cat "$build/include/config/kernel.release") in $((t1 - t0))s"

# The module: module/ and uapi/ copied by content (unchanged files keep
# their times, so an unchanged module is not rebuilt), with the same
# layout as the checkout so its Kbuild finds ../uapi.
mkdir -p "$modsrc/module" "$modsrc/uapi"
sync_dir() {
	# sync_dir FROM TO: TO's sources become FROM's; build outputs in FROM
	# are not sources and stay out.
	local from=$1 to=$2 f
	(cd "$to" && find . -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \
		-o -name Makefile -o -name Kbuild -o -name Kconfig \)) |
	while read -r f; do
		[ -e "$from/$f" ] || rm -f "$to/$f"
	done
	(cd "$from" && find . -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \
		-o -name Makefile -o -name Kbuild -o -name Kconfig \) ! -name '*.mod.c') |
	while read -r f; do
		mkdir -p "$(dirname "$to/$f")"
		cmp -s "$from/$f" "$to/$f" || cp "$from/$f" "$to/$f"
	done
}
sync_dir "$root/module" "$modsrc/module"
sync_dir "$root/uapi" "$modsrc/uapi"
cp "$root/Kbuild" "$modsrc/Kbuild.new"
cmp -s "$modsrc/Kbuild.new" "$modsrc/Kbuild" || mv "$modsrc/Kbuild.new" "$modsrc/Kbuild"
rm -f "$modsrc/Kbuild.new"

say "building denali.ko against it"
run_make M="$modsrc" CONFIG_DENALI=m modules
t2=$(date +%s)
module=$modsrc/module/denali.ko
[ -f "$module" ] || die "no $module after the build"
vermagic=$(modinfo -F vermagic "$module")
case $vermagic in
"$(cat "$build/include/config/kernel.release") "*) ;;
*) die "$module has vermagic '$vermagic', not the debug kernel's" ;;
esac
say "module: built in $((t2 - t1))s; total $((t2 - t0))s"

if [ "$quiet" = 1 ]; then
	echo "$kernel"
	echo "$module"
else
	echo "kernel: $kernel"
	echo "module: $module"
fi
