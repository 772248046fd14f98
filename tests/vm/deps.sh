#!/bin/bash
# deps.sh - make sure this (Debian) host has what the VM tests need: qemu,
# busybox, native and aarch64 compilers, kbuild's runtime needs and what
# kernel.sh uses to fetch kernels. Silent if all is there; installs what is
# missing when run as root, else prints the apt-get command and fails.
#
# Usage: tests/vm/deps.sh
set -euo pipefail

pkgs=(
	qemu-system-x86 qemu-system-arm busybox-static cpio gzip kmod bc sparse
	make gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	# 32-bit test programs (gcc-multilib would conflict with the arm64 cross gcc)
	gcc-i686-linux-gnu libc6-dev-i386-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	# kernel.sh: apt-get download, dpkg-deb, the archive key, flock; chroot.sh
	apt dpkg tar debian-archive-keyring util-linux coreutils sed debootstrap
	# the Debian kbuild tools (linux-kbuild-*) run from the cache
	libelf1 libssl3 zlib1g dwarves
	# tests/lint.sh: checkpatch.pl and .clang-format from the kernel source
	linux-source-6.12 xz-utils perl clang-format
	# tests/clients/build.sh: apt-get source (dpkg-source), static fio,
	# memtester and stress-ng (libc6-dev(-arm64-cross) above), checked with
	# file; a binary package's libraries found with readelf
	dpkg-dev file binutils
	# bench/report.py: the tables, targets and docs/benchmarks.md of make bench
	python3
	# tests/trace/gen.py (make trace): the diagrams docs/guide/STEP.svg
	graphviz
)

missing=()
for p in "${pkgs[@]}"; do
	if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != ii* ]]; then
		missing+=("$p")
	fi
done
[[ ${#missing[@]} == 0 ]] && exit 0

if [[ $(id -u) != 0 ]]; then
	echo "deps.sh: missing packages; as root run:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 || echo "deps.sh: apt-get update reported errors; installing anyway" >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
