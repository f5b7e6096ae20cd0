#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs one guest image without the Denali module, in QEMU with
# scripts/qemu-boot.S standing in for the kernel (see there for what it
# does and does not check). The console goes to standard output; the end
# goes to standard error as its last line:
#   run-qemu: exit N                  the guest terminated with code N
#   run-qemu: triple fault            the CPU shut down
#   run-qemu: still running after Ns  stopped after TIMEOUT seconds
# and the script exits 0; it exits 1 when it could not run the guest.
#
# usage: scripts/run-qemu.sh IMAGE [CMDLINE]
# environment: TIMEOUT (s, default 10), MEM_SIZE (bytes, default 4 MiB),
#              VM_ID (default 1)

set -u
[ $# -ge 1 ] && [ $# -le 2 ] || {
	echo "usage: $0 IMAGE [CMDLINE]" >&2
	exit 1
}
image=$1
cmdline=${2-}
timeout=${TIMEOUT:-10}
mem_size=${MEM_SIZE:-$((4 << 20))}
vm_id=${VM_ID:-1}
here=$(cd "$(dirname "$0")" && pwd)

entry=$(readelf -hW "$image" 2>/dev/null |
	sed -n 's/^ *Entry point address: *//p')
[ -n "$entry" ] || {
	echo "run-qemu: $image: not an ELF image" >&2
	exit 1
}
case $cmdline in
*[\"\\]*)
	echo "run-qemu: quotes and backslashes are not supported" >&2
	exit 1
	;;
esac

dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# With -icount the TSC counts virtual nanoseconds: 1 GHz, tied to the
# host's real time by shift=auto.
gcc -m32 -c -DMEM_SIZE="$mem_size" -DVM_ID="$vm_id" -DENTRY="$entry" \
	-DTSC_KHZ=1000000 -DCMDLINE="\"$cmdline\"" \
	-o "$dir/boot.o" "$here/qemu-boot.S" &&
ld -m elf_i386 -Ttext=0xffff0000 -e 0 --oformat=binary \
	-o "$dir/boot.bin" "$dir/boot.o" || exit 1

: >"$dir/console"
: >"$dir/status"
timeout "$timeout" qemu-system-i386 -M pc -nodefaults -display none \
	-no-reboot -icount shift=auto -m "$((mem_size >> 10))K" \
	-bios "$dir/boot.bin" -device loader,file="$image" \
	-chardev file,id=console,path="$dir/console" \
	-device isa-debugcon,iobase=0xe9,chardev=console \
	-chardev file,id=status,path="$dir/status" \
	-device isa-debugcon,iobase=0xea,chardev=status \
	-device isa-debug-exit,iobase=0xf4,iosize=4 2>"$dir/qemu.err"
rc=$?
cat "$dir/console"

if [ "$(wc -c <"$dir/status")" -eq 4 ]; then
	echo "run-qemu: exit $(od -An -td4 "$dir/status" | tr -d ' ')" >&2
elif [ $rc -eq 124 ]; then
	echo "run-qemu: still running after ${timeout}s" >&2
elif [ $rc -eq 0 ]; then
	echo "run-qemu: triple fault" >&2
else
	cat "$dir/qemu.err" >&2
	echo "run-qemu: qemu failed with status $rc" >&2
	exit 1
fi
exit 0
