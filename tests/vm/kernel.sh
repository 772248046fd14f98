#!/bin/bash
# kernel.sh - fetch a Debian kernel (image, headers, kbuild, busybox-static of
# its architecture) into the cache and print eval-able shell assignments:
#   KERNEL KVER ARCH KDIR VMLINUZ CROSS_COMPILE KARCH PAGESIZE QEMU QEMU_ARGS
#   CONSOLE CC_USER CC_USER32 BUSYBOX BUILD_CHROOT BUILD_PKGS
# The first run resolves exact package versions with a private apt
# configuration (no host apt state is changed, root not needed) and records
# the result (KERNEL/packages); later runs only print it, without network.
# Kernels whose headers need a newer compiler or glibc than the host's are
# built in a chroot of their release: BUILD_CHROOT is its path (empty: build
# on the host) and kernel.sh makes sure it exists with BUILD_PKGS (the
# headers' gcc-N, make, the kbuild tools' libraries) installed, which needs
# root. Build with vm_kmake (lib.sh), on the host or there.
#
# Usage: tests/vm/kernel.sh [--refresh] KERNEL
#        tests/vm/kernel.sh --list
#   KERNEL: a row of the table below, e.g. 6.1-amd64, 7.2-arm64-16k
#   --refresh: resolve and fetch again (e.g. to pick up a newer kernel)
#   --list: print the known kernels
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# The kernel table: KERNEL -> architecture, Debian release, image package,
# and the suite of the chroot to build in ("" = on the host). The image
# package is "meta:<package>" (the kernel it depends on) or "newest:<regex>"
# (the highest-versioned package name matching). 7.x kernels need gcc >= 14
# and glibc 2.38 (kbuild tools); 5.10's headers name gcc-10.
kernel_row() {
	case "$1" in
	5.10-amd64) row amd64 bullseye meta:linux-image-amd64 bullseye ;;
	6.1-amd64) row amd64 bookworm meta:linux-image-amd64 ;;
	6.12-amd64) row amd64 bookworm 'newest:linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned' ;;
	6.12-rt-amd64) row amd64 bookworm 'newest:linux-image-6\.12\.[0-9]+\+deb12-rt-amd64-unsigned' ;;
	6.12-amd64-trixie) row amd64 trixie meta:linux-image-amd64 trixie ;;
	7.2-amd64) row amd64 sid meta:linux-image-amd64 sid ;;
	7.3-amd64) row amd64 experimental 'newest:linux-image-7\.3(\.[0-9]+)?-amd64' sid ;;
	7.3-amd64-bpo) row amd64 trixie-backports 'newest:linux-image-7\.3\.[0-9]+\+deb13-amd64' trixie ;;
	6.1-arm64) row arm64 bookworm meta:linux-image-arm64 ;;
	6.12-arm64) row arm64 bookworm 'newest:linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned' ;;
	6.12-rt-arm64) row arm64 bookworm 'newest:linux-image-6\.12\.[0-9]+\+deb12-rt-arm64-unsigned' ;;
	6.12-arm64-16k) row arm64 bookworm 'newest:linux-image-6\.12\.[0-9]+\+deb12-arm64-16k-unsigned' ;;
	7.2-arm64-16k) row arm64 sid meta:linux-image-arm64-16k sid ;;
	# Built from linux-source-6.12 (KASAN, lockdep...; KCSAN, lockdep...) by
	# tests/debug/build.sh, 13 min of CPU the first time: not "row"s, so not
	# in --list.
	6.12-amd64-debug) ARCH=amd64 DIST=bookworm IMAGE=build:debug/build.sh BUILD_SUITE="" ;;
	6.12-amd64-kcsan) ARCH=amd64 DIST=bookworm IMAGE="build:debug/build.sh --kcsan" BUILD_SUITE="" ;;
	*) return 1 ;;
	esac
}
row() { ARCH=$1 DIST=$2 IMAGE=$3 BUILD_SUITE=${4-}; }

# How to build for and boot each architecture (the host is amd64).
# shellcheck disable=SC2034 # printed by fetch via ${!name}
arch_vars() {
	case "$1" in
	amd64)
		KARCH=x86 CROSS_COMPILE="" CC_USER=gcc CC_USER32=i686-linux-gnu-gcc
		QEMU=qemu-system-x86_64 QEMU_ARGS="-M pc" CONSOLE=ttyS0 ;;
	arm64)
		KARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC_USER=aarch64-linux-gnu-gcc
		CC_USER32=arm-linux-gnueabihf-gcc
		QEMU=qemu-system-aarch64 QEMU_ARGS="-M virt -cpu max" CONSOLE=ttyAMA0 ;;
	*) vm_die "unknown architecture $1" ;;
	esac
}

# show FIELD PACKAGE - a field of PACKAGE's newest version.
show() {
	apt-cache -c "$APT_CONF" show --no-all-versions "$2" 2>/dev/null |
		sed -n "s/^$1: //p" | head -n 1
}
# dep REGEX PACKAGE - the first dependency of PACKAGE whose name matches REGEX.
dep() {
	show Depends "$2" | sed 's/[,|]/\n/g' | sed 's/^ *//; s/ .*//' |
		grep -E -x -m 1 "$1"
}
# deps PACKAGE - the names of PACKAGE's dependencies (first alternatives).
deps() {
	show Depends "$1" | sed 's/,/\n/g; s/|[^\n]*//g' | sed 's/^ *//; s/[ :].*//'
}
# resolve_image SPEC - name of the kernel image package.
resolve_image() {
	case "$1" in
	meta:*) dep 'linux-image-.*' "${1#meta:}" ;;
	newest:*) apt-cache -c "$APT_CONF" pkgnames linux-image- |
		grep -E -x "${1#newest:}" | sort -V | tail -n 1 ;;
	esac
}
# download PACKAGE... - fetch the newest version of each into the current dir;
# records "package=version arch" in $PKGLIST.
download() {
	local p v
	for p in "$@"; do
		v=$(show Version "$p")
		[[ -n $v ]] || vm_die "package $p not found (apt config $APT_CONF)"
		echo "$p=$v $(show Architecture "$p")" >>"$PKGLIST"
		apt-get -c "$APT_CONF" -qq download "$p=$v" >&2
	done
}

# fix_tree TREE FINAL - make an extracted tree self-contained once moved to
# FINAL: absolute symlinks become relative ones inside it, the headers'
# "include /usr/src/..." (and 7.x's KBUILD_OUTPUT=/usr/src/...) point at
# FINAL/usr/src/...
fix_tree() {
	local tree=$1 final=$2 l t m
	while IFS= read -r -d '' l; do
		t=$(readlink "$l")
		if [[ $t == /* ]]; then ln -sfnr "$tree$t" "$l"; fi
	done < <(find "$tree" -type l -print0)
	for m in "$tree"/usr/src/linux-headers-*/Makefile; do
		sed -i -E "s#^(include |KBUILD_OUTPUT=)/usr/src/#\1$final/usr/src/#" "$m"
	done
}

# shellcheck disable=SC2034 # printed via ${!name}
fetch() {
	local kernel=$1 out=$2 img bin kver hdr common kbuild
	local tmp="$out.tmp"
	rm -rf "$tmp"
	mkdir -p "$tmp/debs" "$tmp/root"
	PKGLIST="$tmp/packages"
	: >"$PKGLIST"

	vm_say "resolving $kernel ($ARCH, $DIST)"
	vm_apt_setup "$ARCH" "$DIST"
	local target_conf=$APT_CONF
	img=$(resolve_image "$IMAGE") || true
	[[ -n $img ]] || vm_die "no kernel image package for $IMAGE"
	kver=${img#linux-image-}
	kver=${kver%-unsigned}
	hdr=linux-headers-$kver
	common=$(dep 'linux-headers-.*-common(-rt)?' "$hdr") || vm_die "$hdr: no -common dependency"
	kbuild=$(dep 'linux-kbuild-.*' "$hdr") || vm_die "$hdr: no linux-kbuild dependency"
	# From 7.x, linux-image-KVER is a meta package; the kernel is in linux-binary-KVER.
	bin=$(dep 'linux-binary-.*' "$img") || bin=$img

	vm_say "downloading $bin $hdr $common busybox-static ($ARCH), $kbuild (amd64)"
	(cd "$tmp/debs" && download "$bin" "$hdr" "$common" busybox-static)
	vm_apt_setup amd64 "$DIST" # the kbuild tools run on the host (or the chroot)
	(cd "$tmp/debs" && download "$kbuild")
	local kbuild_deps
	kbuild_deps=$(deps "$kbuild" | xargs)
	APT_CONF=$target_conf

	vm_say "unpacking"
	local d
	for d in "$tmp"/debs/*.deb; do
		case "${d##*/}" in
		linux-image-* | linux-binary-*)
			dpkg-deb --fsys-tarfile "$d" |
				tar -x -C "$tmp/root" --wildcards '*/vmlinuz*' '*/config-*' 2>/dev/null || true ;;
		*) dpkg-deb -x "$d" "$tmp/root" ;;
		esac
	done
	rm -rf "$tmp/debs"
	fix_tree "$tmp/root" "$out/root"

	# Write the assignments with their final paths, then move in place.
	local root="$out/root" KDIR VMLINUZ PAGESIZE BUSYBOX BUILD_CHROOT="" BUILD_PKGS="" v gcc
	KVER=$kver
	KDIR="$root/usr/src/linux-headers-$kver"
	VMLINUZ=$(cd "$tmp/root" && find . -type f -name 'vmlinuz*' | head -n 1)
	[[ -n $VMLINUZ ]] || vm_die "$img: no vmlinuz"
	VMLINUZ="$root/${VMLINUZ#./}"
	BUSYBOX="$root/bin/busybox" # /usr/bin/busybox from trixie on
	[[ -f $tmp/root/bin/busybox ]] || BUSYBOX="$root/usr/bin/busybox"
	PAGESIZE=4K
	grep -q '^CONFIG_ARM64_16K_PAGES=y' "$tmp/root/usr/src/linux-headers-$kver/.config" && PAGESIZE=16K
	grep -q '^CONFIG_ARM64_64K_PAGES=y' "$tmp/root/usr/src/linux-headers-$kver/.config" && PAGESIZE=64K
	# What a chroot needs to build for these headers: the compiler they name
	# (.kernelvariables: CC = ...gcc-N), make, the kbuild tools' libraries.
	gcc=$(grep -o -m 1 'gcc-[0-9]*$' "$tmp/root/usr/src/linux-headers-$kver/.kernelvariables") ||
		vm_die "$hdr: no gcc-N in .kernelvariables"
	[[ $ARCH == amd64 ]] || gcc+=-${CROSS_COMPILE%-}
	BUILD_PKGS="make $gcc $kbuild_deps"
	[[ -z $BUILD_SUITE ]] || BUILD_CHROOT="$VM_CHROOTS/$BUILD_SUITE"
	for v in KERNEL KVER ARCH KDIR VMLINUZ CROSS_COMPILE KARCH PAGESIZE QEMU QEMU_ARGS CONSOLE CC_USER CC_USER32 BUSYBOX BUILD_CHROOT BUILD_PKGS; do
		printf '%s=%q\n' "$v" "${!v}"
	done >"$tmp/env"
	rm -rf "$out"
	mv "$tmp" "$out"
}

refresh=0
if [[ ${1-} == --list ]]; then
	sed -n 's/^\t\([^*(]*\)) row .*/\1/p' "$0"
	exit 0
fi
if [[ ${1-} == --refresh ]]; then
	refresh=1
	shift
fi
[[ $# == 1 ]] || vm_usage
KERNEL=$1
kernel_row "$KERNEL" ||
	vm_die "unknown kernel '$KERNEL' (known: $(sed -n 's/^\t\([^*(]*\)) row .*/\1/p' "$0" | xargs))"
arch_vars "$ARCH"
# A kernel built from source: its script (and options) builds it once,
# prints the same.
if [[ $IMAGE == build:* ]]; then
	read -r -a build_cmd <<<"${IMAGE#build:}"
	exec "$VM_DIR/../${build_cmd[0]}" "${build_cmd[@]:1}" --env
fi

dir="$VM_CACHE/kernels/$KERNEL"
mkdir -p "$VM_CACHE/kernels"
exec 9>"$dir.lock"
flock 9
# Is the cached kernel complete?
cached() {
	[[ -f $dir/env ]] || return 1
	# shellcheck source=/dev/null
	(. "$dir/env" && [[ -f $VMLINUZ && -f $KDIR/Makefile && -x $BUSYBOX && -n $BUILD_PKGS ]])
}
if [[ $refresh == 1 ]] || ! cached; then
	start=$SECONDS
	fetch "$KERNEL" "$dir"
	vm_say "$KERNEL fetched in $((SECONDS - start)) s into $dir"
fi
# shellcheck source=/dev/null
BUILD_PKGS=$(. "$dir/env" && echo "$BUILD_PKGS")
if [[ -n $BUILD_SUITE ]]; then
	# shellcheck disable=SC2086 # a list of package names
	"$VM_DIR/chroot.sh" "$BUILD_SUITE" $BUILD_PKGS >/dev/null
fi
cat "$dir/env"
# Toolchain choices come from arch_vars, not the cache: they may change.
printf 'CC_USER=%q\nCC_USER32=%q\n' "$CC_USER" "$CC_USER32"
