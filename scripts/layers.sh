#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# layers.sh: check that module/ keeps the layered shape that
# Documentation/architecture.rst draws. Every file of module/ belongs to
# one layer below; a file and its header (x.c, x.h, x_test.c) share one.
# A file may include the headers of its own layer and of the layers below
# it, never one above, and no set of files may include each other in a
# cycle. Prints TAP: one test per file of module/, then one for cycles,
# then two that show the check itself failing on a copy of module/ given
# an include up a layer and an include cycle.
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
	# its image, the switch and its ports, the console ring
	[mem]=2 [elf]=2 [net]=2 [console]=2
	# 3: the VM object and its state machine
	[vm]=3
	# 4: execution: the vCPU loop, scheduling, admission, the pager,
	# interrupts, and their part in each VM's life
	[exec]=4 [cpu]=4 [run]=4 [sched]=4 [runq]=4 [gate]=4 [swap]=4 [irq]=4
	# 5: the guest's front ends to its devices, and the hypercall table
	[hypercall]=5 [hc]=5 [hc_net]=5 [hc_console]=5
	# 6: the control plane
	[netlink]=6 [chardev]=6 [netdev]=6 [main]=6
)
# Units that still include each other within the execution layer: the
# run queue's owner, the runners, the pager, the gatekeeper and interrupt
# raising call each other. A cycle among these alone is reported as a
# TAP TODO; a cycle through any other unit fails.
KNOWN_KNOT=(gate irq run sched swap)

declare -A NAME=([1]=hardware [2]=resources [3]=vm [4]=execution
	[5]=front-ends [6]=control)

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
report() { # OK|FAIL|TODO description [diagnostic lines...]
	local status=$1 desc=$2

	n=$((n + 1))
	shift 2
	case $status in
	OK)	echo "ok $n $desc" ;;
	# TAP's TODO: a known failure, which does not fail the run.
	TODO)	echo "not ok $n $desc" ;;
	*)	echo "not ok $n $desc"
		failed=$((failed + 1)) ;;
	esac
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
		if [ "${LAYER[$v]}" -gt "${LAYER[$u]}" ]; then
			bad+=("includes \"$inc\" (${NAME[${LAYER[$v]}]}, layer ${LAYER[$v]}) from layer ${LAYER[$u]} (${NAME[${LAYER[$u]}]})")
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/$f")
	if [ "${#bad[@]}" -eq 0 ]; then
		report OK "module/$f includes only its layer (${NAME[${LAYER[$u]}]}) and those below"
	else
		report FAIL "module/$f includes only its layer (${NAME[${LAYER[$u]}]}) and those below" "${bad[@]}"
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
# The units on some cycle: those that reach themselves.
reaches_itself() {
	local start=$1 u v todo
	local -A seen=()

	read -ra todo <<<"${edges[$start]:-}"

	while [ "${#todo[@]}" -gt 0 ]; do
		u=${todo[0]}
		todo=("${todo[@]:1}")
		[ "$u" = "$start" ] && return 0
		[ -n "${seen[$u]+x}" ] && continue
		seen[$u]=1
		for v in ${edges[$u]:-}; do
			todo+=("$v")
		done
	done
	return 1
}
knotted=()
unknown=()
for u in $(printf '%s\n' "${!edges[@]}" | sort); do
	reaches_itself "$u" || continue
	knotted+=("$u")
	[[ " ${KNOWN_KNOT[*]} " == *" $u "* ]] || unknown+=("$u")
done
desc="no files of module/ include each other in a cycle"
if [ "${#knotted[@]}" -eq 0 ]; then
	report OK "$desc"
elif [ "${#unknown[@]}" -eq 0 ]; then
	report TODO "$desc # TODO the execution layer's knot: ${knotted[*]}" \
		"${cycles[@]}"
else
	report FAIL "$desc" "on a cycle and not in KNOWN_KNOT: ${unknown[*]}" \
		"${cycles[@]}"
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
	broken_copy "the check fails on an include cycle" backend.h \
		'#include "vmx.h"' 'in a cycle'
fi

echo "1..$n"
[ "$failed" -eq 0 ]
