#!/bin/bash
# build.sh - build (once) a debug kernel "make check-debug" boots: Debian's
# linux-source-6.12 on a small x86_64 config, allnoconfig plus
# tests/debug/debug.config (lockdep (PROVE_LOCKING), DEBUG_VM,
# DEBUG_PAGEALLOC, KFENCE...) plus the variant's fragment: kasan.config
# (KASAN; the default, kernel 6.12-amd64-debug) or, with --kcsan,
# kcsan.config (KCSAN, the data-race detector; 6.12-amd64-kcsan). The
# kernel and its build tree (for M= module builds) are cached in
# $VMMAP_CACHE/debug-6.12/VARIANT-KEY, KEY being the source package's
# version and a hash of both fragments and the compiler: a second run is
# instant. Fails if any line of the fragments did not survive olddefconfig
# (a dependency silently dropping an option).
#
# Usage: tests/debug/build.sh [--kcsan] [--env]
#   --kcsan: the KCSAN variant instead of the KASAN one
#   --env: print the kernel's shell assignments for tests/vm (what
#   tests/vm/kernel.sh prints: KERNEL KVER ARCH KDIR VMLINUZ ...) on stdout
# The build takes about 13 min of CPU (7 min on 2 idle cores; see README);
# progress and the build log's tail go to stderr, the full log to KEY/build.log.
set -euo pipefail
debug_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$debug_dir/../vm/lib.sh"

print_env=0 variant=kasan kernel=6.12-amd64-debug
for arg in "$@"; do
	case "$arg" in
	--env) print_env=1 ;;
	--kcsan) variant=kcsan kernel=6.12-amd64-kcsan ;;
	*) vm_usage ;;
	esac
done

fragments=("$debug_dir/debug.config" "$debug_dir/$variant.config")
src_pkg=linux-source-6.12

# What building a kernel needs beyond tests/vm/deps.sh (the source package,
# gcc, make, bc, libssl-dev come from there or with it).
build_deps() {
	local p missing=()
	for p in "$src_pkg" xz-utils make gcc bc flex bison libelf-dev libssl-dev busybox-static; do
		if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != ii* ]]; then
			missing+=("$p")
		fi
	done
	[[ ${#missing[@]} == 0 ]] && return 0
	if [[ $(id -u) != 0 ]]; then
		vm_die "missing packages; as root run: apt-get install -y --no-install-recommends ${missing[*]}"
	fi
	vm_say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}
build_deps

tarball=$(find /usr/src -maxdepth 1 -name "$src_pkg.tar.*" | head -n 1)
[[ -n $tarball ]] || vm_die "no /usr/src/$src_pkg.tar.*: install $src_pkg"
src_ver=$(dpkg-query -W -f='${Version}' "$src_pkg")
hash=$( { cat "${fragments[@]}"; gcc --version | head -n 1; } | sha256sum | cut -c 1-12)
dir="$VM_CACHE/debug-6.12/$variant-$src_ver-$hash"
tree="$dir/linux"

mkdir -p "$VM_CACHE/debug-6.12"
exec 9>"$dir.lock"
flock 9

# kmake ARG... - make in the tree for x86_64, quietly.
kmake() { make -C "$tree" -s ARCH=x86 "$@"; }

# write_env - the assignments tests/vm/kernel.sh prints, for this kernel.
# shellcheck disable=SC2034 # printed via ${!v}
write_env() {
	local KERNEL=$kernel KVER ARCH=amd64 KDIR="$tree" CROSS_COMPILE="" KARCH=x86
	local VMLINUZ="$tree/arch/x86/boot/bzImage" PAGESIZE=4K QEMU=qemu-system-x86_64
	local QEMU_ARGS="-M pc" CONSOLE=ttyS0 CC_USER=gcc CC_USER32=i686-linux-gnu-gcc
	local BUSYBOX="$dir/busybox" BUILD_CHROOT="" BUILD_PKGS="make gcc" v
	KVER=$(kmake kernelrelease)
	[[ -f $VMLINUZ ]] || vm_die "the build made no $VMLINUZ"
	for v in KERNEL KVER ARCH KDIR VMLINUZ CROSS_COMPILE KARCH PAGESIZE QEMU QEMU_ARGS CONSOLE CC_USER CC_USER32 BUSYBOX BUILD_CHROOT BUILD_PKGS; do
		printf '%s=%q\n' "$v" "${!v}"
	done
}

build() {
	local start=$SECONDS want have bad=() log="$dir/build.log"
	rm -rf "$dir"
	mkdir -p "$dir"
	vm_say "unpacking $tarball ($src_ver)"
	tar -C "$dir" -xf "$tarball"
	mv "$dir/$src_pkg" "$tree"
	cat "${fragments[@]}" >"$dir/$variant.config"

	vm_say "configuring: allnoconfig + debug.config + $variant.config"
	(cd "$tree" && ARCH=x86 scripts/kconfig/merge_config.sh -n "$dir/$variant.config") >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; vm_die "configuration failed"; }
	kmake olddefconfig >>"$log" 2>&1
	# "CONFIG_X=v" must be there as is; "# CONFIG_X is not set" also holds
	# if X is gone (its dependencies off).
	while IFS= read -r want; do
		want=${want#\# }
		have=$(grep -E "^(# )?${want%%[= ]*}[= ]" "$tree/.config") || have="${want%%[= ]*} missing"
		[[ $have == "$want" || $have == "# $want" ]] && continue
		[[ $want == *" is not set" && $have == *" missing" ]] && continue
		bad+=("$want (got: $have)")
	done < <(grep -E '^CONFIG_|^# CONFIG_[A-Z0-9_]+ is not set$' "$dir/$variant.config")
	if [[ ${#bad[@]} -gt 0 ]]; then
		vm_say "options of debug.config or $variant.config not in the final .config:"
		printf '    %s\n' "${bad[@]}" >&2
		vm_die "fix tests/debug/debug.config or $variant.config (a dependency is missing)"
	fi

	vm_say "building $(kmake kernelrelease) with -j$(nproc) (about 13 min of CPU; log: $log)"
	if ! kmake -j"$(nproc)" all >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		vm_die "kernel build failed (log: $log)"
	fi
	local busybox
	busybox=$(command -v busybox) || busybox=/bin/busybox
	cp "$busybox" "$dir/busybox"
	# Only what M= builds need stays: drop objects and archives, except
	# the host tools' (scripts/, tools/).
	find "$tree" \( -path "$tree/scripts" -o -path "$tree/tools" \) -prune -o \
		-type f \( -name '*.o' -o -name '*.a' -o -name '.tmp_vmlinux*' \) -print0 | xargs -0 rm -f

	write_env >"$dir/env.new"
	echo "$((SECONDS - start))" >"$dir/build-seconds"
	mv "$dir/env.new" "$dir/env" # last: marks the cache entry complete
	vm_say "built $(kmake kernelrelease) in $((SECONDS - start)) s into $dir ($(du -sh "$dir" | cut -f 1))"
}

if [[ -f $dir/env ]]; then
	vm_say "cached: $dir (built in $(cat "$dir/build-seconds" 2>/dev/null || echo '?') s)"
else
	build
fi
[[ $print_env == 0 ]] || cat "$dir/env"
