#!/bin/bash
# build.sh - compile vmmap.ko for kernels without booting them (make -k, so
# one run shows every error); one line per kernel, then its distinct compiler
# diagnostics. The full output is kept in build/vm-logs/KERNEL.build.log.
#   OK|FAIL <kernel> <kernel release> <arch> <page size> <warnings>
#
# Usage: tests/vm/build.sh [KERNEL...]   (default: every kernel of kernel.sh)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[[ ${1-} != -* ]] || vm_usage
# shellcheck disable=SC2046 # one kernel name a line
[[ $# -gt 0 ]] || set -- $("$VM_DIR/kernel.sh" --list)

work=$(mktemp -d "${TMPDIR:-/tmp}/vmmap-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$VM_LOGS"

# build_kernel KERNEL - the module built for KERNEL: its result line, then
# each distinct diagnostic once (compat.h is in every .c file).
build_kernel() {
	local kernel=$1 log="$VM_LOGS/$1.build.log" ok=OK
	if ! (vm_kernel_env "$kernel" && echo "$KVER $ARCH $PAGESIZE" >"$work/info"); then
		vm_result "FAIL $kernel ? ? ? (cannot fetch the kernel)"
		return 0
	fi
	rm -rf "$work/src"
	vm_copy_src "$work/src"
	(vm_kernel_env "$kernel" && vm_kmake "$work/src" -k modules) >"$log" 2>&1 || ok=FAIL
	[[ -f $work/src/module/vmmap.ko ]] || ok=FAIL
	# Paths relative to the source tree, as the lead's editor sees them.
	sed -i "s#$work/src/##g" "$log"
	vm_result "$ok $kernel $(cat "$work/info") $(grep -c 'warning:' "$log")"
	grep -E 'error:|warning:|ERROR:' "$log" | awk '!seen[$0]++' | sed 's/^/    /' || true
}

vm_each -s : build build_kernel "$@"
