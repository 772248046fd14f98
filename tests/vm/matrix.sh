#!/bin/bash
# matrix.sh - "make matrix": the test suite (check.sh) on every supported
# kernel line and page size, one after the other; progress on stderr, and
# at the end one line per kernel and a summary (N, M count kernels):
#   PASS|FAIL <kernel release> <arch> <page size> <passed>/<total>
#   matrix: N passed, M failed
# A kernel the module does not build for is a FAIL with 0/0; its compiler
# errors are in the progress output (tests/vm/build.sh shows all of them
# without booting). A row KERNEL+mmap_prepare builds the module with
# VMMAP_MMAP_PREPARE=1 (f_op->mmap_prepare) and ends its line with
# "mmap_prepare". Consoles: build/vm-logs/KERNEL.log.
#
# Usage: tests/vm/matrix.sh [-v] [--ci | KERNEL...]   (default: $VM_MATRIX_KERNELS)
#   --ci: CI's rows, $VM_CI_MATRIX_KERNELS (make matrix ROWS=ci)
#   VMMAP_MATRIX_EXCEPT: rows to leave out (make matrix EXCEPT_CHECK=1 sets
#   it to make check's kernels, which CI has just tested)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

opts=()
if [[ ${1-} == -v ]]; then
	opts=(-v)
	shift
fi
# shellcheck disable=SC2086 # the lists are space-separated
if [[ ${1-} == --ci ]]; then
	set -- $VM_CI_MATRIX_KERNELS
fi
[[ ${1-} != -* ]] || vm_usage
# shellcheck disable=SC2086
[[ $# -gt 0 ]] || set -- $VM_MATRIX_KERNELS
rows=()
for kernel in "$@"; do
	[[ " ${VMMAP_MATRIX_EXCEPT-} " == *" $kernel "* ]] || rows+=("$kernel")
done

# matrix_row ROW - check.sh's line for ROW.
matrix_row() {
	local line
	vm_say "[$VM_EACH_I/$VM_EACH_N] $1"
	vm_row "$1"
	line=$(env "${VM_ROW_ENV[@]}" "$VM_DIR/check.sh" "${opts[@]}" "$VM_ROW_KERNEL" |
		grep -E '^(PASS|FAIL) ') || true
	vm_result "${line:-FAIL $1 ? ? 0/0}$VM_ROW_SUFFIX"
}

vm_each -c matrix matrix_row "${rows[@]}"
