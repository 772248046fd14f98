#!/bin/bash
# build.sh - fio, memtester, stress-ng and trinity for the test guest, from Debian
# bookworm, for amd64 or arm64. Each is built as a static program from its
# Debian source package (Debian's patches applied; natively, or with
# aarch64-linux-gnu-gcc). Should the archive list a source package whose
# files it cannot serve, Debian's binary package of the target architecture
# is used instead, with what it needs to run: its dependency closure is
# downloaded and unpacked into a sysroot (ARCH/sysroot/PKG_VERSION/), and the
# program, its dynamic loader and exactly the shared libraries it links
# (DT_NEEDED, walked with readelf, plus libgcc_s for pthread_exit) are copied
# into a small tree at their absolute paths. The log says which way each
# program came and why.
#
# Output, in $VMMAP_CACHE/clients/ARCH/ (never in the repository): PROGRAM
# (static) or PROGRAM.root/ (a tree for the guest's /: bin/PROGRAM, the
# loader, lib/TRIPLET/), and PROGRAM.version: "VERSION (static, Debian
# source)" or "VERSION (Debian binary)". A program is made again only when
# the Debian version changes; a cached binary package is replaced by a
# static build as soon as the source downloads. Prints the directory on
# stdout (for tests/clients/ci.sh), progress and times on stderr.
#
# apt runs with private configurations under $VMMAP_CACHE/apt/ (tests/vm/
# lib.sh: vm_apt_setup): no host apt state is changed, root not needed.
#
# Usage: tests/clients/build.sh [--rebuild] [amd64|arm64]   (default amd64)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

rebuild=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	--rebuild) rebuild=1; shift ;;
	-*) vm_usage ;;
	*) break ;;
	esac
done
arch=${1:-amd64}
case "$arch" in
amd64) cross="" triplet=x86_64-linux-gnu want='x86-64' ;;
arm64) cross=aarch64-linux-gnu- triplet=aarch64-linux-gnu want='ARM aarch64' ;;
*) vm_usage ;;
esac
dist=bookworm
progs=(fio memtester stress-ng trinity)
out="$VM_CACHE/clients/$arch"
src="$VM_CACHE/clients/src"
mkdir -p "$out" "$src"

vm_apt_setup src "$dist"
src_conf=$APT_CONF
bin_conf="" # vm_apt_setup $arch, only when a binary package is needed

# srcver PKG - the newest version of source package PKG ("" if unknown).
srcver() {
	apt-cache -c "$src_conf" showsrc --only-source "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n 1
}

# get_source PKG VERSION - download the source of PKG VERSION into $src;
# on failure sets WHY (e.g. "404") and returns 1.
get_source() {
	local err
	if err=$(cd "$src" && apt-get -c "$src_conf" -qq source --download-only "$1=$2" 2>&1 >/dev/null); then
		return 0
	fi
	if grep -q ' 404 ' <<<"$err"; then
		WHY=404
	else
		WHY=$(grep -m 1 '^E: ' <<<"$err" | cut -c 4-) || true
		WHY=${WHY:-apt-get source failed}
	fi
	return 1
}

# unpack PKG VERSION DIR - the downloaded source of PKG VERSION, patched, in DIR.
unpack() {
	# apt checked the files against the signed Sources index: no gpgv here
	dpkg-source -q --no-check -x "$src/${1}_${2#*:}.dsc" "$3" >&2
}

# build_PKG DIR - build in DIR, leaving the static program in DIR.
build_fio() {
	(cd "$1" && CROSS_COMPILE=$cross ./configure --build-static --disable-native \
		--disable-numa --disable-rdma --disable-rados --disable-rbd --disable-http \
		--disable-gfapi --disable-pmem --disable-xnvme --disable-libzbc \
		--disable-tcmalloc --disable-dfs --disable-libnfs >&2 &&
		make -s -C "$1" -j"$(nproc)" fio >&2)
}
build_memtester() {
	local flags="-O2 -DPOSIX -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 -DTEST_NARROW_WRITES"
	echo "${cross}gcc $flags -Wno-parentheses -c" >"$1/conf-cc"
	echo "${cross}gcc -static" >"$1/conf-ld"
	make -s -C "$1" >&2
}
build_stress-ng() {
	make -s -C "$1" -j"$(nproc)" CC="${cross}gcc" STATIC=1 >&2
}
# LDFLAGS replaces the Makefile's -rdynamic (backtraces only)
build_trinity() {
	(cd "$1" && CC="${cross}gcc" ./configure >&2 &&
		make -s -C "$1" -j"$(nproc)" CC="${cross}gcc" LDFLAGS=-static trinity >&2)
}

# build PKG VERSION - the static program from the downloaded source, into $out.
build() {
	local p=$1 ver=$2 log="$work/$1.log" info
	unpack "$p" "$ver" "$work/$p"
	if ! "build_$p" "$work/$p" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		vm_die "$p: build failed for $arch"
	fi
	"${cross}strip" "$work/$p/$p"
	info=$(file -b "$work/$p/$p")
	[[ $info == *"$want"* && ($info == *"statically linked"* || $info == *"static-pie linked"*) ]] ||
		vm_die "$p: not a static $arch program: $info"
	cp "$work/$p/$p" "$out/$p.new"
	mv "$out/$p.new" "$out/$p"
	rm -rf "${out:?}/$p.root"
	echo "$ver (static, Debian source)" >"$out/$p.version"
	vm_say "$p $ver ($arch): static, built from Debian's source: $(du -h "$out/$p" | cut -f1), ${info%%, BuildID*}"
	rm -rf "${work:?}/$p"
}

# in_root ROOT PATH - PATH of the tree ROOT with its symbolic links followed
# inside ROOT (absolute links are relative to ROOT); fails if it is missing.
in_root() {
	local root=$1 path=$2 t i
	for ((i = 0; i < 40; i++)); do
		[[ -L $root$path ]] || break
		t=$(readlink "$root$path")
		[[ $t == /* ]] || t=$(dirname "$path")/$t
		path=$t
	done
	[[ -f $root$path ]] && echo "$root$path"
}

# needed ELF - the DT_NEEDED sonames of ELF (any architecture).
needed() {
	LC_ALL=C readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# binver PKG - the version of Debian's binary package PKG for $arch in BVER.
binver() {
	if [[ -z $bin_conf ]]; then
		vm_apt_setup "$arch" "$dist"
		bin_conf=$APT_CONF
	fi
	BVER=$(apt-cache -c "$bin_conf" show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1)
	[[ -n $BVER ]] || vm_die "$1: no binary package for $arch either (apt config $bin_conf)"
}

# binary PKG - Debian's binary package PKG, version BVER (binver), with its
# loader and libraries, as the tree $out/PKG.root.
binary() {
	local p=$1 sys root elf interp lib f l queue=() seen=" " n=0 d
	sys="$out/sysroot/${p}_${BVER#*:}"
	if [[ ! -f $sys/.debs ]]; then
		# the dependency closure, resolved against the config's empty dpkg status
		rm -rf "$out/sysroot/${p}_"* "$work/debs"
		mkdir -p "$work/debs/partial" "$sys"
		apt-get -c "$bin_conf" -o Dir::Cache::archives="$work/debs/" -qq install --download-only -y \
			--no-install-recommends "$p=$BVER" >&2 || vm_die "$p: cannot download $p $BVER for $arch"
		for d in "$work"/debs/*.deb; do
			dpkg-deb -x "$d" "$sys"
		done
		(cd "$work/debs" && ls -- *.deb) >"$sys/.debs"
		rm -rf "$work/debs"
	fi
	root="$work/$p.root"
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/lib/$triplet"
	elf=$(in_root "$sys" "/usr/bin/$p") || elf=$(in_root "$sys" "/bin/$p") ||
		vm_die "$p: no /usr/bin/$p in $p $BVER"
	cp "$elf" "$root/bin/$p"
	interp=$(LC_ALL=C readelf -l "$elf" | sed -n 's/.*program interpreter: \(.*\)\]$/\1/p')
	[[ -n $interp ]] || vm_die "$p: $elf has no program interpreter"
	mkdir -p "$root$(dirname "$interp")"
	f=$(in_root "$sys" "$interp") || vm_die "$p: no $interp in the sysroot"
	cp "$f" "$root$interp"
	# glibc dlopens libgcc_s for pthread_exit and pthread_cancel
	mapfile -t queue < <(needed "$elf"; echo libgcc_s.so.1)
	while [[ ${#queue[@]} -gt 0 ]]; do
		lib=${queue[0]}
		queue=("${queue[@]:1}")
		[[ $seen == *" $lib "* || $lib == "${interp##*/}" ]] && continue
		seen+="$lib "
		f=""
		for d in "/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib; do
			f=$(in_root "$sys" "$d/$lib") && break
		done
		[[ -n $f ]] || vm_die "$p: $lib, needed by $p, is in none of the packages $p depends on"
		cp "$f" "$root/lib/$triplet/$lib"
		n=$((n + 1))
		while IFS= read -r l; do queue+=("$l"); done < <(needed "$f")
	done
	rm -rf "${out:?}/$p.root" "${out:?}/$p"
	mv "$root" "$out/$p.root"
	echo "$BVER (Debian binary)" >"$out/$p.version"
	vm_say "$p $BVER ($arch): Debian's binary package, $n libraries and $interp:" \
		"$(du -sh "$out/$p.root" | cut -f1) in $out/$p.root"
}

work=""
trap '[[ -z $work ]] || rm -rf "$work"' EXIT
for p in "${progs[@]}"; do
	ver=$(srcver "$p")
	have=$(cat "$out/$p.version" 2>/dev/null) || have=""
	WHY=""
	if [[ $rebuild == 0 && -n $have && (-x $out/$p || -x $out/$p.root/bin/$p) ]]; then
		if [[ -z $ver ]]; then
			vm_say "$p: source version unknown (no apt lists); using the cached $have"
			continue
		fi
		if [[ $have == "$ver (static, Debian source)" ]]; then
			continue
		fi
		# a binary package of this version (binNMUs add +bN): the source first
		hv=${have%% *}
		if [[ $have == *" (Debian binary)" && ${hv%+b*} == "$ver" ]] && ! get_source "$p" "$ver"; then
			vm_say "$p: Debian source still not downloadable ($WHY); using the cached $p $have"
			continue
		fi
	fi
	[[ -n $ver ]] || vm_die "$p: no source package in the lists of $src_conf (apt-get update failed?)"
	work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/vmmap-clients.XXXXXX")}
	start=$SECONDS
	if [[ -z $WHY ]] && get_source "$p" "$ver"; then
		vm_say "$p: building $ver for $arch from Debian's source"
		build "$p" "$ver"
	else
		binver "$p"
		vm_say "$p: Debian source not downloadable ($WHY), using Debian's binary package $BVER with its libraries"
		[[ ${BVER%+b*} == "$ver" ]] ||
			vm_say "$p: note: the binary package is $BVER, the newest source $ver"
		binary "$p"
	fi
	vm_say "$p: done in $((SECONDS - start)) s"
done
echo "$out"
