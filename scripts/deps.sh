#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package that the build, the tests and the demo need.
# Idempotent: packages already present are not reinstalled.
set -eu

packages=(
	build-essential gcc-multilib bc bison flex libelf-dev libssl-dev
	dwarves python3 cpio kmod pkg-config ccache
	linux-headers-amd64 linux-image-amd64 linux-source-6.1
	libnl-3-dev libnl-genl-3-dev
	qemu-system-x86 busybox-static bats
	bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools
	iproute2 procps util-linux iputils-ping tcpdump curl ethtool
	python3-yaml mandoc dkms
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
