#!/bin/bash
# check.sh - "make check": run vmmap-check (vmmap-tests and vmmap-tests32, TAP)
# under each kernel with run.sh,
# print one line per kernel and a summary; fail if anything failed.
#   PASS|FAIL <kernel release> <arch> <page size> <passed>/<total>
#   check: N passed, M failed, K skipped
# Consoles are kept in build/vm-logs/KERNEL.log; -v also streams them.
#
# Usage: tests/vm/check.sh [-v] [KERNEL...]   (default: 6.1-amd64 6.12-amd64 6.1-arm64)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

if [[ ${1-} == -v ]]; then
	VM_VERBOSE=1
	shift
fi
[[ ${1-} != -* ]] || vm_usage
# shellcheck disable=SC2086 # the default list is space-separated
[[ $# -gt 0 ]] || set -- $VM_DEFAULT_KERNELS

# check_count_tap LOG KERNEL - "PASSED FAILED SKIPPED" of the TAP results in
# the console log LOG: "ok"/"not ok" lines, "# SKIP" (and "not ok ... #
# TODO") counting as skips, results missing from the plan as failures.
check_count_tap() {
	local log=$1 pass=0 fail=0 skip=0 todo plan="" ran
	if [[ -f $log ]]; then
		pass=$(grep -a -c -E '^ok\b' "$log") || true
		fail=$(grep -a -c -E '^not ok\b' "$log") || true
		skip=$(grep -a -c -i -E '^ok\b.*#[[:space:]]*skip' "$log") || true
		todo=$(grep -a -c -i -E '^not ok\b.*#[[:space:]]*todo' "$log") || true
		plan=$(grep -a -o -m 1 -E '^1\.\.[0-9]+' "$log") || true
		pass=$((pass - skip)) fail=$((fail - todo)) skip=$((skip + todo))
	fi
	ran=$((pass + fail + skip))
	if [[ -n $plan && ${plan#1..} -gt $ran ]]; then
		vm_say "$2: plan $plan but only $ran results"
		fail=$((fail + ${plan#1..} - ran))
	fi
	echo "$pass $fail $skip"
}

# check_kernel KERNEL - the suite under KERNEL, its result line.
check_kernel() {
	local kernel=$1 log="$VM_LOGS/$1.log" run_ok=1 pass fail skip ran result
	rm -f "$log"
	KVER="$kernel" ARCH="?" PAGESIZE="?"
	vm_kernel_env "$kernel" || true
	vm_quiet - "$VM_DIR/run.sh" --kernel "$kernel" --log "$log" -- vmmap-check || run_ok=0
	read -r pass fail skip < <(check_count_tap "$log" "$kernel")
	ran=$((pass + fail + skip))
	if [[ $run_ok == 0 && $fail == 0 ]]; then
		fail=1 # a run that failed (boot, rmmod, leak, warning) counts as a failed test
	fi
	if [[ $run_ok == 1 && $fail == 0 && $ran -gt 0 ]]; then
		result=PASS
	else
		result=FAIL
		[[ $ran -gt 0 ]] || vm_say "$kernel: no TAP results"
	fi
	vm_result "$result $KVER $ARCH $PAGESIZE $pass/$ran"
	if [[ $result == FAIL && -f $log ]]; then
		vm_say "$kernel: console log: $log"
	elif [[ $result == FAIL ]]; then
		vm_say "$kernel: failed before booting (see the messages above)"
	fi
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
}

check_summary() { echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"; }

total_pass=0 total_fail=0 total_skip=0
vm_each -s check_summary check check_kernel "$@"
