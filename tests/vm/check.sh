#!/bin/bash
# check.sh - "make check": run vmmap-check (every vmmap-test-* program, KTAP)
# under each kernel with run.sh,
# print one line per kernel and a summary; fail if anything failed.
#   PASS|FAIL <kernel release> <arch> <page size> <passed>/<total>
#   check: N passed, M failed, K skipped
# Consoles are kept in build/vm-logs/KERNEL.log; -v also streams them.
#
# Usage: tests/vm/check.sh [-v] [KERNEL...]   (default: 6.1-amd64 6.12-amd64 6.1-arm64)
#   VMMAP_CHECK_ARGS: vmmap-check's -t/-x options, split at blanks (globs
#   are not expanded on the host), e.g. "-t vmmap.resize_*"
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

# check_count_tap LOG KERNEL - "PASSED FAILED SKIPPED" of vmmap-check's KTAP
# stream in the console log LOG: the tests' results, nested one level under
# "# " below each program's line. A program whose line is "not ok" with no
# failed test of its own (it crashed, timed out, or ran fewer tests than it
# planned) counts as one failure, and so does each program the top-level
# plan names but that never reported.
check_count_tap() {
	[[ -f $1 ]] || { echo 0 0 0; return; }
	tr -d '\r' <"$1" | awk -v kernel="$2" '
	/^1\.\.[0-9]+$/ && !plan { plan = substr($0, 4) + 0 }
	/^# ok [0-9]+ / { if (tolower($0) ~ /# skip/) skip++; else pass++; next }
	/^# not ok [0-9]+ / { fail++; own++; next }
	/^ok [0-9]+ selftests: / { progs++; own = 0; next }
	/^not ok [0-9]+ selftests: / { progs++; if (!own) fail++; own = 0; next }
	END {
		if (plan > progs) {
			printf "check.sh: %s: plan 1..%d but %d programs reported\n", kernel, plan, progs > "/dev/stderr"
			fail += plan - progs
		}
		print pass + 0, fail + 0, skip + 0
	}'
}

# check_kernel KERNEL - the suite under KERNEL, its result line.
check_kernel() {
	local kernel=$1 log="$VM_LOGS/$1.log" run_ok=1 pass fail skip ran result args
	rm -f "$log"
	KVER="$kernel" ARCH="?" PAGESIZE="?"
	vm_kernel_env "$kernel" || true
	read -r -d '' -a args <<<"${VMMAP_CHECK_ARGS-}" || true
	vm_quiet - "$VM_DIR/run.sh" --kernel "$kernel" --log "$log" -- vmmap-check "${args[@]}" || run_ok=0
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
