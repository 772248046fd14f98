#!/bin/bash
# dkms-test.sh - "make dkms-test": build vmmap with DKMS as a user's machine
# does, in a chroot of each Debian release (tests/vm/chroot.sh), then boot the
# kernel it was built for with that vmmap.ko and run the test suite there:
#   copy the tree to /usr/src/vmmap-VERSION, dkms add, dkms build -k KVER,
#   dkms install -k KVER, dkms status, dkms remove --all
# (amd64 against the release's linux-headers package, installed with apt;
# arm64 cross-built, see tests/dkms/common.sh). Prints one line per case and
# a summary; logs in build/vm-logs/dkms-SUITE-KERNEL.log:
#   PASS|FAIL dkms-SUITE <kernel release> <arch> <page size> <passed>/<total>
#   dkms: N passed, M failed
#
# Usage: tests/dkms/dkms-test.sh [--no-boot|--quick] [SUITE:KERNEL...]
#   default: bookworm:6.1-amd64 trixie:6.12-amd64-trixie sid:7.2-amd64
#            bookworm:6.12-arm64 sid:7.2-arm64-16k
#   --no-boot: stop after dkms install (PASS ... -/- if it built)
#   --quick: boot, but run only the smoke tests of DKMS_SMOKE (the module
#            dkms built loads, faults, tracks dirt, resizes and unloads);
#            CI's form, as make matrix runs the whole suite on these kernels
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

DKMS_SMOKE="-t vmmap.rmmod_* -t vmmap.ioctl_get_info -t vmmap.rw_last_page_coherent
	-t vmmap.sigbus_past_object -t vmmap.page_mkwrite_once_per_page_until_fsync
	-t vmmap.private_isolation_after_fork -t vmmap.resize_shrink_sigbus_shared
	-t vmmap_maps.*"
boot=1
case ${1-} in
--no-boot) boot=0 && shift ;;
--quick) export VMMAP_CHECK_ARGS=$DKMS_SMOKE && shift ;;
esac
[[ ${1-} != -* ]] || vm_usage
# shellcheck disable=SC2086 # the default list is space-separated
[[ $# -gt 0 ]] || set -- $DKMS_CASES

# dkms_case SUITE:KERNEL - dkms in the SUITE chroot for KERNEL, then the
# suite under KERNEL with the module it built: the case's result line.
dkms_case() {
	local suite=${1%%:*} kernel=${1#*:} log line src mod ko
	log="$VM_LOGS/dkms-$suite-$kernel.log"
	vm_say "dkms in $suite for $kernel (log: $log)"
	if ! dk_setup "$suite" "$kernel" >"$log" 2>&1; then
		vm_say "chroot setup failed:"
		tail -n 5 "$log" >&2
		vm_result "FAIL dkms-$suite $kernel ? ? 0/0"
		return 0
	fi
	src="/usr/src/vmmap-$DKMS_VERSION"
	mod="vmmap/$DKMS_VERSION"
	dk_reset >>"$log" 2>&1
	vm_copy_src "$DK_ROOT$src"
	if dk_run sh -exc "
		dkms add $mod
		dkms build $mod -k $KVER -a $DK_ARCH
		dkms install $mod -k $KVER -a $DK_ARCH
		dkms status vmmap" >>"$log" 2>&1 && ko=$(dk_module); then
		vm_say "built and installed: $(grep -a '^vmmap' "$log" | tail -n 1)"
		if [[ $boot == 1 ]]; then
			line=$(dk_boot "dkms-$suite" "$kernel" "$ko")
		else
			line="PASS dkms-$suite $KVER $ARCH $PAGESIZE -/-"
		fi
	else
		line="FAIL dkms-$suite $KVER $ARCH $PAGESIZE 0/0"
		vm_say "dkms failed (log: $log); its make.log:"
		find "$DK_ROOT/var/lib/dkms/vmmap" -name make.log -exec cat {} + >&2 2>/dev/null || true
	fi
	dk_run dkms remove "$mod" --all >>"$log" 2>&1 || vm_say "dkms remove failed (see $log)"
	rm -rf "${DK_ROOT:?}$src"
	dk_cleanup
	vm_result "$line"
}

mkdir -p "$VM_LOGS"
vm_each -c dkms dkms_case "$@"
