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
# Usage: tests/vm/matrix.sh [-v] [KERNEL...]   (default: $VM_MATRIX_KERNELS)
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
[[ ${1-} != -* ]] || { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
# shellcheck disable=SC2086 # the default list is space-separated
[[ $# -gt 0 ]] || set -- $VM_MATRIX_KERNELS
rows=()
for kernel in "$@"; do
	[[ " ${VMMAP_MATRIX_EXCEPT-} " == *" $kernel "* ]] || rows+=("$kernel")
done
set -- "${rows[@]}"

start=$SECONDS
lines=() pass=0 fail=0
for kernel in "$@"; do
	vm_say "[$((${#lines[@]} + 1))/$#] $kernel"
	vm_row "$kernel"
	line=$(env "${VM_ROW_ENV[@]}" "$VM_DIR/check.sh" "${opts[@]}" "$VM_ROW_KERNEL" |
		grep -E '^(PASS|FAIL) ') || true
	[[ -n $line ]] || line="FAIL $kernel ? ? 0/0"
	line+=$VM_ROW_SUFFIX
	vm_say "$line"
	lines+=("$line")
	if [[ $line == PASS* ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
vm_say "done in $((SECONDS - start)) s"
printf '%s\n' "${lines[@]}"
echo "matrix: $pass passed, $fail failed"
[[ $fail == 0 ]]
