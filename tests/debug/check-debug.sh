#!/bin/bash
# check-debug.sh - "make check-debug": build (or reuse) a debug kernel of
# tests/debug/build.sh and run on it, under qemu, the test suite
# (tests/vm/check.sh), then vmmap-stress and vmmap-fuzz (tests/stress/ci.sh).
# The kernel: KASAN, lockdep, DEBUG_VM, DEBUG_PAGEALLOC, KFENCE
# (6.12-amd64-debug), or with --kcsan (make check-debug KCSAN=1) KCSAN
# instead of KASAN (6.12-amd64-kcsan). Fails on any failed test, on any
# kernel report on the console (tests/vm/lib.sh VM_BAD_RE: KASAN, lockdep,
# VM_BUG_ON, KFENCE, SLUB, RCU stall..., a KCSAN data race with a frame of
# the module) and if lockdep was not running any more at the end of a boot;
# on the KCSAN kernel also if KCSAN was not on (its boot selftest passed).
# Prints check.sh's and ci.sh's lines, then (KCSAN) the kernel's own data
# races, which do not fail the run, for triage:
#   check-debug: kernel KCSAN report (not failed): COUNT data-race in A / B
#   check-debug: PASS|FAIL (<what failed>) in <seconds> s
#
# Usage: tests/debug/check-debug.sh [--kcsan] [-d SECONDS] [-n CALLS] [-s SEED] [-v]
#   defaults: -d 60 (stress), -n 20000 (fuzz calls), -s 1
#   VMMAP_TIMEOUT overrides both per-boot timeouts (defaults: estimated for
#   KASAN + lockdep under qemu TCG, below)
set -euo pipefail
debug_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$debug_dir/../vm/lib.sh"

secs=60 calls=20000 seed=1 verbose=() kcsan=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--kcsan) kcsan=(--kcsan); shift ;;
	-d) secs=${2?}; shift 2 ;;
	-n) calls=${2?}; shift 2 ;;
	-s) seed=${2?}; shift 2 ;;
	-v) verbose=(-v); shift ;;
	*) vm_usage ;;
	esac
done
[[ $secs =~ ^[0-9]+$ && $calls =~ ^[0-9]+$ ]] || vm_usage

kernel=6.12-amd64-debug
[[ ${#kcsan[@]} == 0 ]] || kernel=6.12-amd64-kcsan
start=$SECONDS
"$debug_dir/build.sh" "${kcsan[@]}"

# Under TCG, with KASAN, lockdep and DEBUG_PAGEALLOC, measured on a 2-core
# host: boot and both suites (64- and 32-bit) 25 s (90 s at a load of 10),
# a fuzz call 3 to 4 ms (20000 in 66-83 s). The timeouts cover qemu only
# (the builds before the boot are not counted) and leave room for 4 times
# the slow case.
check_timeout=${VMMAP_TIMEOUT:-900}
stress_timeout=${VMMAP_TIMEOUT:-$((600 + 2 * secs + calls / 50))}

# KASAN's quarantine keeps freed slab objects (up to 1/32 of RAM: 32 MiB
# in the 1 GiB guest) after rmmod, so free memory comes back only within
# that (16-18 MiB short measured); the module's own count, pages allocated
# equal to pages freed, stays exact.
if [[ ${#kcsan[@]} == 0 ]]; then
	export VMMAP_FREE_SLACK_KB=${VMMAP_FREE_SLACK_KB:-40960}
fi

failed=()
VMMAP_TIMEOUT=$check_timeout "$VM_DIR/check.sh" "${verbose[@]}" "$kernel" || failed+=(suite)
VMMAP_TIMEOUT=$stress_timeout "$debug_dir/../stress/ci.sh" "${verbose[@]}" \
	-d "$secs" -n "$calls" -s "$seed" "$kernel" || failed+=(stress/fuzz)

# lockdep switches itself off after its first report, and on some taints:
# every boot must end with it still on (run.sh prints debug_locks).
for log in "$VM_LOGS/$kernel.log" "$VM_LOGS/stress-$kernel.log"; do
	if ! grep -a -q '^VMMAP-LOCKDEP debug_locks=1$' "$log" 2>/dev/null; then
		vm_say "lockdep was not on at the end of the boot of $log"
		failed+=("lockdep off")
	fi
	# KCSAN on from boot (KCSAN_EARLY_ENABLE) and its selftest passed (run.sh
	# prints both lines from dmesg)
	if [[ ${#kcsan[@]} != 0 ]] &&
		! { grep -a -q '^VMMAP-KCSAN .*kcsan: enabled early' "$log" &&
			grep -a -q -E '^VMMAP-KCSAN .*kcsan: selftest: ([0-9]+)/\1 tests passed' "$log"; } 2>/dev/null; then
		vm_say "KCSAN was not on, or its selftest failed, in the boot of $log"
		failed+=("KCSAN off")
	fi
done
if [[ ${#kcsan[@]} != 0 ]]; then
	vm_kcsan_kernel "$VM_LOGS/$kernel.log" "$VM_LOGS/stress-$kernel.log" |
		sed 's/^ */check-debug: kernel KCSAN report (not failed): /'
fi

if [[ ${#failed[@]} == 0 ]]; then
	echo "check-debug: PASS in $((SECONDS - start)) s"
else
	echo "check-debug: FAIL (${failed[*]}) in $((SECONDS - start)) s"
	exit 1
fi
