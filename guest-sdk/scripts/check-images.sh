#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Checks the guest images with readelf, in the order and with the messages
# of the kernel's loader (module/elf.c): every good image must load into a
# VM of the default memory size, and every image under examples/bad/ must
# be refused for the one defect it was built to have.
#
# usage: scripts/check-images.sh   (from guest-sdk/, after make)

set -u
cd "$(dirname "$0")/.." || exit 1

MEM_SIZE=$((4 << 20))		# DENALI_MEM_DEFAULT
IMAGE_BASE=$((0x2000))		# DENALI_IMAGE_BASE
HEADER_MAX=4096			# DENALI_ELF_HEADER_MAX
MAX_SEGMENTS=16			# DENALI_ELF_MAX_SEGMENTS

# The value of a "Name: value" line of readelf -h.
field()
{
	sed -n "s/^ *$1: *//p" "$HDR" | head -n 1
}

# Prints "ok", or the loader's reason to refuse the image in $1.
verdict()
{
	f=$1
	size=$(wc -c <"$f")
	HDR=$(mktemp)
	PH=$(mktemp)
	readelf -hW "$f" >"$HDR" 2>/dev/null
	readelf -lW "$f" 2>/dev/null | awk '
		/^Program Headers:/ { on = 1; next }
		/^$/ { on = 0 }
		on && $2 ~ /^0x/ {
			flags = ""
			for (i = 7; i < NF; i++)
				flags = flags $i
			print $1, $2, $3, $5, $6, flags
		}' >"$PH"
	verdict_of "$f"
	rm -f "$HDR" "$PH"
}

verdict_of()
{
	if [ "$(field Class)" != ELF32 ] ||
	   [ "$(field Data)" != "2's complement, little endian" ] ||
	   [ "$(field Machine)" != "Intel 80386" ]; then
		echo "not an ELF32 image"
		return
	fi
	case $(field Type) in
	EXEC*) ;;
	*) echo "not an ELF32 executable"; return ;;
	esac
	if ! grep -q '^ *Version: *1 (current)' "$HDR" ||
	   [ "$(sed -n 's/^ *Version: *0x//p' "$HDR")" != 1 ] ||
	   [ "$(field 'Size of this header')" != "52 (bytes)" ] ||
	   [ "$(field 'Size of program headers')" != "32 (bytes)" ]; then
		echo "malformed ELF32 header"
		return
	fi
	phnum=$(field 'Number of program headers')
	phoff=$(field 'Start of program headers' | cut -d' ' -f1)
	len=$((size < HEADER_MAX ? size : HEADER_MAX))
	if [ "$phnum" -eq 0 ] || [ "$phnum" -gt $MAX_SEGMENTS ] ||
	   [ $((phoff + phnum * 32)) -gt "$len" ]; then
		echo "malformed ELF32 program headers"
		return
	fi

	entry=$(($(field 'Entry point address')))
	loads=0
	entry_ok=0
	while read -r type off vaddr filesz memsz flags; do
		case $type in
		INTERP|DYNAMIC)
			echo "not a static ELF32 executable"
			return
			;;
		LOAD) ;;
		*) continue ;;
		esac
		[ $((memsz)) -eq 0 ] && continue
		if [ $((filesz)) -gt $((memsz)) ]; then
			echo "malformed ELF32 segment sizes"
			return
		fi
		if [ $((off + filesz)) -gt "$size" ]; then
			echo "ELF32 segment beyond the end of the file"
			return
		fi
		if [ $((vaddr)) -lt $IMAGE_BASE ]; then
			echo "ELF32 segment overlaps the reserved pages"
			return
		fi
		if [ $((vaddr + memsz)) -gt $MEM_SIZE ]; then
			echo "image larger than memory"
			return
		fi
		loads=$((loads + 1))
		case $flags in
		*E*)
			[ "$entry" -ge $((vaddr)) ] &&
				[ "$entry" -lt $((vaddr + memsz)) ] &&
				entry_ok=1
			;;
		esac
	done <"$PH"
	if [ $loads -eq 0 ]; then
		echo "ELF32 image has nothing to load"
	elif [ "$entry" -ge $MEM_SIZE ]; then
		echo "entry point outside memory"
	elif [ $entry_ok -eq 0 ]; then
		echo "entry point outside the image's code"
	else
		echo ok
	fi
}

passed=0
failed=0

expect()
{
	if [ ! -f "$1" ]; then
		echo "FAIL $1: missing (run make first)"
		failed=$((failed + 1))
		return
	fi
	got=$(verdict "$1")
	if [ "$got" = "$2" ]; then
		echo "ok   $1: $got"
		passed=$((passed + 1))
	else
		echo "FAIL $1: got \"$got\", want \"$2\""
		failed=$((failed + 1))
	fi
}

for f in hello crash forbidden wild badcall sleeper spin idle udp-echo httpd \
	nettest; do
	expect examples/$f.elf ok
done

expect examples/bad/notelf.img "not an ELF32 image"
expect examples/bad/elf64.img "not an ELF32 image"
expect examples/bad/toobig.elf "image larger than memory"
expect examples/bad/entry.elf "entry point outside memory"
expect examples/bad/truncated.elf "ELF32 segment beyond the end of the file"

# The 64-bit image must be refused for its class alone: it is a real
# static x86-64 executable, not garbage.
HDR=$(mktemp)
readelf -hlW examples/bad/elf64.img >"$HDR" 2>/dev/null
if [ "$(field Class)" = ELF64 ] &&
   [ "$(field Machine)" = "Advanced Micro Devices X86-64" ] &&
   field Type | grep -q '^EXEC' &&
   ! grep -Eq '^ *(INTERP|DYNAMIC) ' "$HDR"; then
	echo "ok   examples/bad/elf64.img: a static x86-64 executable"
	passed=$((passed + 1))
else
	echo "FAIL examples/bad/elf64.img: not a static x86-64 executable"
	failed=$((failed + 1))
fi
rm -f "$HDR"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
