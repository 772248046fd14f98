# shellcheck shell=bash disable=SC2034 # variables here are used by the sourcing scripts
# common.sh - helpers shared by tests/dkms/*.sh (sourced, not run): a chroot
# of a Debian release set up to build vmmap with dkms for one of the kernels
# of tests/vm/kernel.sh.

# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../vm/lib.sh"

# The version dkms.conf declares (the Debian package uses the same).
DKMS_VERSION=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$VM_TOP/dkms.conf")
[[ -n $DKMS_VERSION ]] || vm_die "no PACKAGE_VERSION in $VM_TOP/dkms.conf"

# The default cases: a release's chroot and the kernel of kernel.sh it builds
# for. amd64: the release's own headers package; arm64: cross builds.
DKMS_CASES="bookworm:6.1-amd64 trixie:6.12-amd64-trixie sid:7.2-amd64
	bookworm:6.12-arm64 sid:7.2-arm64-16k"

# dk_setup SUITE KERNEL [PACKAGE...] - import KERNEL's variables (KVER, ARCH,
# ...) and make the SUITE chroot ready to build vmmap for it with dkms, with
# PACKAGEs installed too. Sets DK_ROOT (the chroot), DK_BINDS (vm_chroot
# arguments), DK_ARCH (dkms -a), DK_ENV (env assignments for dkms).
#   amd64: apt installs linux-headers-KVER in the chroot, as on a user's
#   machine (the kernel must be that release's: same archive snapshot).
#   arm64: the arm64 headers unpacked by kernel.sh are bound into the chroot
#   and linked as /lib/modules/KVER/build, next to the cross compiler they
#   name; Debian's headers then cross-compile by themselves (their
#   .kernelvariables set ARCH and CROSS_COMPILE; 6.1's need DEB_HOST_*).
dk_setup() {
	local suite=$1 kernel=$2
	shift 2
	# Callers test its status (if ! dk_setup ...), which turns set -e off
	# in here: every step says how it failed and returns.
	vm_kernel_env "$kernel" || { vm_say "cannot get kernel $kernel"; return 1; }
	DK_BINDS=() DK_ENV=()
	if [[ $ARCH == amd64 ]]; then
		DK_ROOT=$("$VM_DIR/chroot.sh" "$suite" dkms openssl "linux-headers-$KVER" "$@") || return 1
		DK_ARCH=x86_64
	else
		# shellcheck disable=SC2086 # a list of package names
		DK_ROOT=$("$VM_DIR/chroot.sh" "$suite" dkms openssl $BUILD_PKGS "$@") || return 1
		DK_ARCH=aarch64
		DK_BINDS=(-b "${KDIR%/usr/src/*}")
		DK_ENV=(DEB_HOST_ARCH=arm64 DEB_HOST_GNU_TYPE=aarch64-linux-gnu)
		mkdir -p "$DK_ROOT/lib/modules/$KVER" &&
			ln -sfn "$KDIR" "$DK_ROOT/lib/modules/$KVER/build"
	fi
}

# dk_run COMMAND... - run COMMAND in the chroot of dk_setup.
dk_run() {
	vm_chroot "$DK_ROOT" "${DK_BINDS[@]}" -- env "${DK_ENV[@]}" "$@"
}

# dk_module - print the path (on the host) of the vmmap.ko dkms built for
# KVER, uncompressed (dkms compresses it like the kernel's own modules).
dk_module() {
	local base="$DK_ROOT/var/lib/dkms/vmmap/$DKMS_VERSION/$KVER/$DK_ARCH/module" f
	for f in "$base/vmmap.ko" "$base/vmmap.ko.xz" "$base/vmmap.ko.zst" "$base/vmmap.ko.gz"; do
		[[ -f $f ]] || continue
		case "$f" in
		*.xz) xz -dc "$f" >"${f%.xz}" ;;
		*.zst) dk_run zstd -q -d -f "${f#"$DK_ROOT"}" ;;
		*.gz) gzip -dc "$f" >"${f%.gz}" ;;
		esac
		echo "$base/vmmap.ko"
		return 0
	done
	return 1
}

# dk_boot SUITE KERNEL KO - boot KERNEL with KO and run the test suite;
# prints "PASS|FAIL <label> <kernel release> <arch> <page size> <passed>/<total>".
dk_boot() {
	local label=$1 kernel=$2 ko=$3 line
	line=$(VMMAP_MODULE=$ko "$VM_DIR/check.sh" "$kernel" | grep -E '^(PASS|FAIL) ') ||
		line="FAIL $KVER $ARCH $PAGESIZE 0/0"
	echo "${line%% *} $label ${line#* }"
}

# dk_reset - no vmmap in the chroot: neither the package (deb-test.sh) nor a
# dkms tree or /usr/src copy (dkms-test.sh), whatever an earlier run left.
dk_reset() {
	dk_run dpkg --purge vmmap-dkms vmmap-utils || true
	dk_run dkms remove "vmmap/$DKMS_VERSION" --all || true
	rm -rf "${DK_ROOT:?}/usr/src/vmmap-$DKMS_VERSION"
}

# dk_cleanup - undo what dk_setup did outside the package manager: for arm64,
# the chroot's /lib/modules/KVER (dkms would build for it on any later install).
dk_cleanup() {
	if [[ $DK_ARCH == aarch64 ]]; then
		rm -rf "${DK_ROOT:?}/lib/modules/$KVER"
	fi
}
