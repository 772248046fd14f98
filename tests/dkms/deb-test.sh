#!/bin/bash
# deb-test.sh - "make deb-test": install the packages of tests/dkms/deb.sh
# with apt in a chroot of each Debian release that has the headers of one
# of tests/vm/kernel.sh's kernels, check that dkms built and installed
# vmmap.ko for them, that the udev rule, the group and the tools are there,
# optionally boot that kernel with that vmmap.ko and run the test suite,
# then purge the packages and check nothing is left. One line per case and
# a summary; logs in build/vm-logs/deb-SUITE-KERNEL.log:
#   PASS|FAIL deb-SUITE <kernel release> <arch> <page size> <passed>/<total>
#   deb: N passed, M failed
#
# Usage: tests/dkms/deb-test.sh [--boot] [SUITE:KERNEL...]
#   default: bookworm:6.1-amd64 trixie:6.12-amd64-trixie sid:7.2-amd64
#   (amd64 kernels only: apt builds for the chroot's own architecture)
#   --boot: also run the test suite with the module dkms built
#   the packages are taken from build/deb/ (made by deb.sh if missing)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

boot=0
if [[ ${1-} == --boot ]]; then
	boot=1
	shift
fi
[[ ${1-} != -* ]] || vm_usage
[[ $# -gt 0 ]] || set -- bookworm:6.1-amd64 trixie:6.12-amd64-trixie sid:7.2-amd64

debs="$VM_TOP/build/deb"
ls "$debs"/vmmap-dkms_*_all.deb >/dev/null 2>&1 || "$(dirname "$0")/deb.sh" "$debs"

# check WHAT COMMAND... - run COMMAND, log it, and count a failure as a
# failed check named WHAT.
failed=()
check() {
	local what=$1
	shift
	echo "+ check: $what" >>"$log"
	"$@" >>"$log" 2>&1 || failed+=("$what")
}
# leftovers - what a purge must not leave behind, one path a line.
leftovers() {
	find "$DK_ROOT/usr/src" "$DK_ROOT/var/lib/dkms" "$DK_ROOT/lib/modules/$KVER" \
		"$DK_ROOT/lib/udev/rules.d" "$DK_ROOT/usr/lib/udev/rules.d" "$DK_ROOT/usr/bin" \
		-name 'vmmap*' -o -name '60-vmmap.rules' 2>/dev/null || true
}
# vermagic_ok - the installed module is for KVER.
vermagic_ok() {
	local v
	v=$(dk_run sh -c "modinfo -F vermagic /lib/modules/$KVER/updates/dkms/vmmap.ko*")
	echo "vermagic: $v"
	[[ $v == "$KVER "* ]]
}
nothing_left() { [[ -z $(leftovers) ]] || { leftovers; false; }; }

# deb_case SUITE:KERNEL - the packages installed, checked and purged in the
# SUITE chroot, with --boot the suite under KERNEL with the module dkms
# built: the case's result line.
deb_case() {
	local suite=${1%%:*} kernel=${1#*:} result="-/-" ko line
	log="$VM_LOGS/deb-$suite-$kernel.log" failed=()
	vm_say "vmmap-dkms in $suite for $kernel (log: $log)"
	if ! dk_setup "$suite" "$kernel" >"$log" 2>&1 || [[ $ARCH != amd64 ]]; then
		vm_say "cannot set up $suite for $kernel (amd64 kernels only)"
		vm_result "FAIL deb-$suite $kernel ? ? 0/0"
		return 0
	fi
	# A clean start: no vmmap from an earlier run or from dkms-test.sh.
	dk_reset >>"$log" 2>&1
	rm -rf "$DK_ROOT/tmp/vmmap-debs"
	mkdir -p "$DK_ROOT/tmp/vmmap-debs"
	cp "$debs"/vmmap-dkms_*_all.deb "$debs"/vmmap-utils_*_amd64.deb "$DK_ROOT/tmp/vmmap-debs/"

	check "apt install" dk_run sh -c 'apt-get install -y -q /tmp/vmmap-debs/*.deb'
	check "dkms status: installed for $KVER" \
		dk_run sh -c "dkms status vmmap | grep -F 'vmmap/$DKMS_VERSION, $KVER, x86_64: installed'"
	check "vmmap.ko for $KVER in /lib/modules/$KVER/updates/dkms" vermagic_ok
	check "group vmmap" dk_run getent group vmmap
	check "udev rule" dk_run sh -c 'cat /lib/udev/rules.d/60-vmmap.rules || cat /usr/lib/udev/rules.d/60-vmmap.rules'
	check "vmmap-utils" dk_run sh -c 'test -x /usr/bin/vmmap-demo && test -x /usr/bin/vmmapctl && test -s /usr/share/man/man1/vmmapctl.1*'
	if [[ $boot == 1 && ${#failed[@]} == 0 ]]; then
		if ko=$(dk_module); then
			result=$(dk_boot "deb-$suite" "$kernel" "$ko")
			[[ $result == PASS* ]] || failed+=("tests in the VM")
			result=${result##* }
		else
			failed+=("no module in the dkms tree")
		fi
	fi
	check "apt purge" dk_run apt-get purge -y -q vmmap-dkms vmmap-utils
	check "nothing left after purge" nothing_left
	rm -rf "$DK_ROOT/tmp/vmmap-debs"

	line="deb-$suite $KVER $ARCH $PAGESIZE $result"
	if [[ ${#failed[@]} == 0 ]]; then
		vm_result "PASS $line"
	else
		vm_say "failed checks: $(printf '%s; ' "${failed[@]}")see $log"
		vm_result "FAIL $line"
	fi
}

mkdir -p "$VM_LOGS"
vm_each -c deb deb_case "$@"
