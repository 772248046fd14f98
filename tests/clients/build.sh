#!/bin/bash
# build.sh - static fio, memtester and stress-ng for the test guest, built
# from Debian's bookworm source packages (Debian's patches applied), for
# amd64 natively or arm64 with aarch64-linux-gnu-gcc. The binaries are
# cached in $VMMAP_CACHE/clients/ARCH/ (never in the repository), each with
# a PROGRAM.version file holding the source version it was built from; a
# program is rebuilt only when that version changes. Prints the directory
# on stdout (for tests/vm/run.sh --bin), progress and build times on stderr.
#
# deb-src comes from a private apt configuration under $VMMAP_CACHE/apt/
# (no host apt state is changed, root not needed). Should the archive list
# a source package whose files it cannot serve, a release tarball of the
# same upstream version placed at $VMMAP_CACHE/clients/src/PKG-UPVER.tar.gz
# is built instead (a warning says so and the version gets "+upstream").
#
# Usage: tests/clients/build.sh [--rebuild] [amd64|arm64]   (default amd64)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

usage() { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
rebuild=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	--rebuild) rebuild=1; shift ;;
	-*) usage ;;
	*) break ;;
	esac
done
arch=${1:-amd64}
case "$arch" in
amd64) cross="" ;;
arm64) cross=aarch64-linux-gnu- ;;
*) usage ;;
esac
progs=(fio memtester stress-ng)
out="$VM_CACHE/clients/$arch"
src="$VM_CACHE/clients/src"
mkdir -p "$out" "$src"

# A private apt configuration with bookworm's deb-src lines, refreshed daily.
a="$VM_CACHE/apt/src-bookworm"
conf="$a/apt.conf"
if [[ ! -f $conf ]]; then
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/state"
	: >"$a/status"
	vm_sources amd64 bookworm | sed 's/^deb \[arch=[^ ]* /deb-src [/' >"$a/sources.list"
	cat >"$conf.new" <<-EOF
		Dir::Etc::SourceList "$a/sources.list";
		Dir::Etc::SourceParts "/dev/null";
		Dir::State "$a/state";
		Dir::State::Lists "$a/lists";
		Dir::State::status "$a/status";
		Dir::Cache "$a/cache";
		Acquire::Check-Valid-Until "false";
		Acquire::Languages "none";
	EOF
	[[ $(id -u) == 0 ]] && echo 'APT::Sandbox::User "root";' >>"$conf.new"
	mv "$conf.new" "$conf"
fi
if [[ -z $(find "$a/lists" -maxdepth 1 -name '*Sources*' -mmin -1440 -print -quit) ]]; then
	vm_say "apt-get update (bookworm sources)"
	apt-get -c "$conf" -qq update >&2 || vm_say "apt-get update reported errors; trying with what it got"
fi

# srcver PKG - the newest version of source package PKG ("" if unknown).
srcver() {
	apt-cache -c "$conf" showsrc --only-source "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n 1
}

# unpack PKG VERSION DIR - the source of PKG VERSION, patched, in DIR; sets
# BUILT_VER (VERSION, or UPVER+upstream for the tarball fallback).
unpack() {
	local pkg=$1 ver=$2 dir=$3 upver dsc tarball
	upver=${ver#*:}
	upver=${upver%-*}
	dsc="$src/${pkg}_${ver#*:}.dsc"
	if (cd "$src" && apt-get -c "$conf" -qq source --download-only "$pkg=$ver" >&2); then
		# apt checked the files against the signed Sources index: no gpgv here
		dpkg-source -q --no-check -x "$dsc" "$dir" >&2
		BUILT_VER=$ver
		return
	fi
	tarball="$src/$pkg-$upver.tar.gz"
	[[ -f $tarball ]] ||
		vm_die "cannot download the $pkg $ver source; place a release tarball of $pkg $upver at $tarball"
	vm_say "warning: building $pkg from $tarball (Debian's $ver files could not be downloaded)"
	mkdir -p "$dir"
	tar -C "$dir" --strip-components=1 -xzf "$tarball"
	BUILT_VER="$upver+upstream"
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

case "$arch" in
amd64) want='x86-64' ;;
arm64) want='ARM aarch64' ;;
esac
work=""
trap '[[ -z $work ]] || rm -rf "$work"' EXIT
for p in "${progs[@]}"; do
	ver=$(srcver "$p")
	have=$(cat "$out/$p.version" 2>/dev/null) || have=""
	if [[ $rebuild == 0 && -x $out/$p && -n $have ]]; then
		if [[ -z $ver ]]; then
			vm_say "$p: source version unknown (no apt lists); using the cached $have"
			continue
		fi
		upver=${ver#*:}
		[[ $have == "$ver" || $have == "${upver%-*}+upstream" ]] && continue
	fi
	[[ -n $ver ]] || vm_die "$p: no source package in $a/lists (apt-get update failed?)"
	work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/vmmap-clients.XXXXXX")}
	start=$SECONDS
	vm_say "$p: building $ver for $arch"
	unpack "$p" "$ver" "$work/$p"
	log="$work/$p.log"
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
	echo "$BUILT_VER" >"$out/$p.version"
	vm_say "$p $BUILT_VER ($arch) built in $((SECONDS - start)) s: $(du -h "$out/$p" | cut -f1), ${info%%, BuildID*}"
	rm -rf "${work:?}/$p"
done
echo "$out"
