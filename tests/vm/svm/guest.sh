#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Second stage of the SVM test machine, run by its init (tests/vm/svm/init)
# chrooted into the host's root file system. Runs the command that
# tests/vm/svm-run put in the run share, with the checkout as the working
# directory, and writes its exit status to the run share. The command's
# standard output and error go to the second serial port (ttyS1), which
# svm-run prints; its standard input is /dev/null.
set -uo pipefail

run=/run/svm-run
repo=$(<"$run/repo")

export HOME=/tmp/home LANG=C.UTF-8 TERM=dumb
export PATH="$repo/tools/denalictl:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export DENALI_IN_VM=svm
mkdir -p "$HOME"
# Variables the host asked to pass on (written by svm-run with declare -p).
# shellcheck source=/dev/null
[ -f "$run/env" ] && . "$run/env"

out=/dev/ttyS1
stty -F "$out" raw -echo 2>/dev/null

cd "$repo" || { echo 125 >"$run/rc"; exit 125; }
bash -c "$(<"$run/cmd")" </dev/null 2>&1 | cat >"$out"
rc=${PIPESTATUS[0]}
# Let the UART drain before init powers the machine off.
stty -F "$out" -a >/dev/null 2>&1
echo "$rc" >"$run/rc"
exit "$rc"
