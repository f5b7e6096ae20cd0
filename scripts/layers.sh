#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# layers.sh: check that module/ keeps the layered shape that
# Documentation/architecture.rst draws. Every file of module/ belongs to
# one layer below; a file and its header (x.c, x.h, x_test.c) share one.
# The execution layer is ordered within, in sublayers (4.1, 4.2, ...).
# A file may include the headers of its own (sub)layer and of those below
# it, never one above, and no set of files may include each other in a
# cycle. Prints TAP: one test per file of module/, then one for cycles,
# then three that show the check itself failing on a copy of module/
# given an include up a layer, one up a sublayer, and an include cycle.
#
#     bash scripts/layers.sh [MODULE-DIR]
#
# Exits non-zero iff a test failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$root/scripts/layers.sh
dir=${1:-$root/module}

# The layers, bottom up. Keep in step with Documentation/architecture.rst.
declare -A LAYER=(
	# 1: the hardware, behind the backend ops
	[backend]=1 [vmx]=1 [vmx_ops]=1 [svm]=1 [spec]=1 [insn]=1 [fpu]=1
	[trace]=1
	# 2: what a VM is made of, knowing nothing of guests: guest memory,
	# its image, the switch and its ports, the console ring, the disks
	[mem]=2 [elf]=2 [net]=2 [console]=2 [disk]=2
	# 3: the VM object and its state machine
	[vm]=3
	# 4: execution, bottom up: the queue's policy and virtualization
	# per CPU; the run queue; the pager; admission; interrupts; the
	# vCPU loop; the runner threads and the layer's part in each VM's
	# life, which drive all the rest
	[runq]=4.1 [cpu]=4.1
	[sched]=4.2
	[swap]=4.3
	[gate]=4.4
	[irq]=4.5
	[run]=4.6
	[runner]=4.7 [exec]=4.7
	# 5: the guest's front ends to its devices, and the hypercall table
	[hypercall]=5 [hc]=5 [hc_net]=5 [hc_console]=5 [hc_disk]=5
	# 6: the control plane
	[netlink]=6 [chardev]=6 [netdev]=6 [main]=6
)
declare -A NAME=([1]=hardware [2]=resources [3]=vm [4]=execution
	[5]=front-ends [6]=control)

# A layer as a number that orders sublayers too: 4.2 is 402, 5 is 500.
rank() {
	local sub=0

	[[ $1 == *.* ]] && sub=${1#*.}
	echo $((${1%%.*} * 100 + sub))
}

# "layer 4.2 (execution)"
layer_name() {
	echo "layer $1 (${NAME[${1%%.*}]})"
}

# The unit a file belongs to: vmx_run.S and x_test.c go with vmx and x.
unit() {
	local base=${1##*/}

	base=${base%.*}
	base=${base%_test}
	[ -n "${LAYER[$base]+x}" ] || base=${base%_run}
	echo "$base"
}

n=0
failed=0
report() { # OK|FAIL description [diagnostic lines...]
	local status=$1 desc=$2

	n=$((n + 1))
	shift 2
	if [ "$status" = OK ]; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		failed=$((failed + 1))
	fi
	[ "$#" -eq 0 ] || printf '%s\n' "$@" | sed 's/^/# /'
}

files=()
for f in "$dir"/*.[chS]; do
	[[ -f $f && $f != *.mod.c ]] && files+=("${f##*/}")
done
[ "${#files[@]}" -gt 0 ] || { echo "layers.sh: no sources in $dir" >&2; exit 1; }

# edges[unit] = the units it includes (other than itself), space separated
declare -A edges=()
for f in "${files[@]}"; do
	u=$(unit "$f")
	if [ -z "${LAYER[$u]+x}" ]; then
		report FAIL "module/$f has a layer" \
			"add '$u' to LAYER in scripts/layers.sh and to Documentation/architecture.rst"
		continue
	fi
	bad=()
	while read -r inc; do
		v=$(unit "$inc")
		[ "$v" = "$u" ] && continue
		if [ -z "${LAYER[$v]+x}" ]; then
			bad+=("includes \"$inc\", which has no layer")
			continue
		fi
		edges[$u]="${edges[$u]:-} $v"
		if [ "$(rank "${LAYER[$v]}")" -gt "$(rank "${LAYER[$u]}")" ]; then
			bad+=("includes \"$inc\", in $(layer_name "${LAYER[$v]}"), from $(layer_name "${LAYER[$u]}")")
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/$f")
	desc="module/$f includes only its $(layer_name "${LAYER[$u]}") and those below"
	if [ "${#bad[@]}" -eq 0 ]; then
		report OK "$desc"
	else
		report FAIL "$desc" "${bad[@]}"
	fi
done

# Depth-first search over units; a unit met again while on the path
# closes a cycle, printed from where it began.
declare -A mark=()	# 1: on the current path, 2: done
cycles=()
path=()
visit() {
	local u=$1 v i

	mark[$u]=1
	path+=("$u")
	for v in ${edges[$u]:-}; do
		if [ "${mark[$v]:-0}" = 1 ]; then
			for i in "${!path[@]}"; do
				[ "${path[$i]}" = "$v" ] && break
			done
			cycles+=("$(printf '%s -> ' "${path[@]:$i}")$v")
		elif [ "${mark[$v]:-0}" = 0 ]; then
			visit "$v"
		fi
	done
	unset 'path[${#path[@]}-1]'
	mark[$u]=2
}
for u in $(printf '%s\n' "${!edges[@]}" | sort); do
	[ "${mark[$u]:-0}" = 0 ] && visit "$u"
done
desc="no files of module/ include each other in a cycle"
if [ "${#cycles[@]}" -eq 0 ]; then
	report OK "$desc"
else
	report FAIL "$desc" "${cycles[@]}"
fi

# broken_copy DESCRIPTION FILE LINE FAILURE: the check must fail on a
# copy of module/ with LINE added to FILE, with a "not ok" line that
# matches FAILURE.
broken_copy() {
	local tmp out

	tmp=$(mktemp -d) || exit 1
	cp "$dir"/*.[chS] "$tmp"/ && echo "$3" >>"$tmp/$2"
	out=$(bash "$self" "$tmp" 2>&1)
	rc=$?
	rm -rf "$tmp"
	if [ "$rc" -ne 0 ] && grep -q "^not ok .*$4" <<<"$out"; then
		report OK "$1"
	else
		report FAIL "$1" "exit status $rc; the check's output:" "$out"
	fi
}
if [ -z "${LAYERS_INNER:-}" ]; then
	export LAYERS_INNER=1
	broken_copy "the check fails on an include up a layer" mem.c \
		'#include "netlink.h"' 'module/mem.c includes only'
	broken_copy "the check fails on an include up a sublayer" sched.c \
		'#include "run.h"' 'module/sched.c includes only'
	broken_copy "the check fails on an include cycle" backend.h \
		'#include "vmx.h"' 'in a cycle'
fi

echo "1..$n"
[ "$failed" -eq 0 ]
