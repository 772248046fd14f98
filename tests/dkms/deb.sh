#!/bin/bash
# deb.sh - "make deb": build the Debian packages (debian/) in a bookworm
# chroot (tests/vm/chroot.sh; build dependencies from debian/control with
# apt-get build-dep) from a clean copy of the tree, and put them in OUTDIR:
#   vmmap-dkms_VERSION_all.deb   module source, dkms.conf, udev rule
#   vmmap-utils_VERSION_ARCH.deb vmmap-demo, vmmapctl (and its man page)
# Fails if debian/changelog and dkms.conf disagree on the version or
# debian/vmmap-dkms.dkms differs from dkms.conf in more than the version.
#
# Usage: tests/dkms/deb.sh [OUTDIR]   (default build/deb)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

[[ $# -le 1 && ${1-} != -* ]] || vm_usage
out=$(realpath -m "${1:-$VM_TOP/build/deb}")
suite=bookworm # the oldest release with dh-dkms; its packages install on newer ones

# The same dkms.conf in both places, and the same version everywhere.
conf() { grep -v -e '^#' -e '^PACKAGE_VERSION=' "$1"; }
diff -u <(conf "$VM_TOP/dkms.conf") <(conf "$VM_TOP/debian/vmmap-dkms.dkms") >&2 ||
	vm_die "debian/vmmap-dkms.dkms differs from dkms.conf (see above)"
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$VM_TOP/debian/changelog")
[[ ${version%-*} == "$DKMS_VERSION" ]] ||
	vm_die "debian/changelog says $version, dkms.conf PACKAGE_VERSION=$DKMS_VERSION"

root=$("$VM_DIR/chroot.sh" "$suite" build-essential)
work=$(mktemp -d "$root/tmp/vmmap-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src="$work/vmmap-$DKMS_VERSION"
vm_copy_src "$src"
rm -rf "$src/debian/build" "$src/debian/.debhelper"
in=${src#"$root"}
log="$VM_LOGS/deb.log"
mkdir -p "$VM_LOGS"
vm_say "building the packages in the $suite chroot (log: $log)"
start=$SECONDS
{
	vm_chroot "$root" apt-get build-dep -y -q "$in" &&
		vm_chroot "$root" sh -c "cd '$in' && DEB_BUILD_OPTIONS=noautodbgsym dpkg-buildpackage -b -us -uc"
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; vm_die "package build failed (log: $log)"; }
mkdir -p "$out"
rm -f "$out"/vmmap-*.deb
cp "$work"/*.deb "$out/"
vm_say "built in $((SECONDS - start)) s:"
ls -1 "$out"/*.deb
