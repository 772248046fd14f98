#!/bin/bash
# ci.sh - "make stress" / "make fuzz": boot each kernel under qemu with
# tests/vm/run.sh (hardened: slub_debug, page poisoning, init_on_free,
# KFENCE, panic_on_warn) and run vmmap-stress, then vmmap-fuzz, in the
# guest. One line per kernel and program, a summary at the end:
#   PASS|FAIL <kernel release> <arch> stress <seconds> s: <details>
#   PASS|FAIL <kernel release> <arch> fuzz <calls> calls, seed <seed>: <details>
#   stress: N passed, M failed (T s)
# A program fails on a non-zero exit, and on a kernel WARNING/BUG/Oops/KFENCE
# line printed while it ran; a failed rmmod or a page leak after both fails
# the last one that ran. Consoles: build/vm-logs/stress-KERNEL.log.
#
# Usage: tests/stress/ci.sh [-d SECONDS] [-n CALLS] [-s SEED|random]
#                           [-p PROCS] [-t THREADS] [-k KILL_MS]
#                           [--stress-only|--fuzz-only] [--smp N] [-v]
#                           [--matrix | KERNEL...]
#   defaults: -d 60 -n 100000 -s 1 -k 300, kernels 6.1-amd64 6.12-amd64 6.1-arm64
#   --matrix: every kernel line make matrix boots (make soak)
#   --smp N: guests with N vCPUs (default 2; make stress and make soak also
#   run 4, more vCPUs than host cores, for other interleavings); a line
#   ends with "(N vCPUs)" and its console is stress-KERNEL-smpN.log
#   VMMAP_TIMEOUT overrides the per-boot timeout (default: estimated)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$top/tests/vm/lib.sh"

secs=60 calls=100000 seed=1 procs=4 threads=4 kill_ms=300 do_stress=1 do_fuzz=1 matrix=0 smp=2
while [[ $# -gt 0 ]]; do
	case "$1" in
	-d) secs=${2?}; shift 2 ;;
	-n) calls=${2?}; shift 2 ;;
	-s) seed=${2?}; shift 2 ;;
	-p) procs=${2?}; shift 2 ;;
	-t) threads=${2?}; shift 2 ;;
	-k) kill_ms=${2?}; shift 2 ;;
	--stress-only) do_fuzz=0; shift ;;
	--fuzz-only) do_stress=0; shift ;;
	-v) VM_VERBOSE=1; shift ;;
	--matrix) matrix=1; shift ;;
	--smp) smp=${2?}; shift 2 ;;
	-*) vm_usage ;;
	*) break ;;
	esac
done
[[ $secs =~ ^[0-9]+$ && $calls =~ ^[0-9]+$ && $procs =~ ^[0-9]+$ && $threads =~ ^[0-9]+$ &&
	$kill_ms =~ ^[0-9]+$ && $smp =~ ^[1-9][0-9]*$ ]] || vm_usage
smp_tag="" smp_note=""
if [[ $smp != 2 ]]; then
	smp_tag="-smp$smp" smp_note=" ($smp vCPUs)"
fi
if [[ $seed == random ]]; then
	seed=$(( $(date +%s) % 1000000 ))
fi
[[ $seed =~ ^[0-9]+$ ]] || vm_usage
if [[ $matrix == 1 ]]; then
	[[ $# -eq 0 ]] || vm_usage
	# shellcheck disable=SC2086 # the list is space-separated
	set -- $VM_MATRIX_KERNELS
fi
# shellcheck disable=SC2086 # the default list is space-separated
[[ $# -gt 0 ]] || set -- $VM_DEFAULT_KERNELS

# The guest runs each program between markers, so that console lines can be
# attributed to the program that was running.
guest=""
if [[ $do_stress == 1 ]]; then
	guest+="echo VMMAP-STRESS-BEGIN stress; vmmap-stress -d $secs -p $procs -t $threads -k $kill_ms -s $seed;"
	# shellcheck disable=SC2016 # $? and $r belong to the guest's shell
	guest+=' r=$?; echo "VMMAP-STRESS-RC stress $r"; [ $r = 0 ] || rc=1;'
fi
if [[ $do_fuzz == 1 ]]; then
	guest+="echo VMMAP-STRESS-BEGIN fuzz; vmmap-fuzz -n $calls -s $seed;"
	# shellcheck disable=SC2016 # $? and $r belong to the guest's shell
	guest+=' r=$?; echo "VMMAP-STRESS-RC fuzz $r"; [ $r = 0 ] || rc=1;'
fi
guest="rc=0; $guest exit \$rc"

# Under qemu TCG: a boot and the builds take about a minute; vmmap-fuzz
# took up to 15 ms a call on 6.1-arm64 on a loaded host (its consistency
# checks map and read the object); room for 20 ms. Only a hang runs that long.
timeout=${VMMAP_TIMEOUT:-$((300 + 2 * secs * do_stress + calls * do_fuzz / 50))}

# stress_row ROW - vmmap-stress and vmmap-fuzz under ROW (KERNEL or
# KERNEL+mmap_prepare, as make matrix): a result line for each.
stress_row() {
	local row=$1 kernel log="$VM_LOGS/stress-$1$smp_tag.log" start run_ok=1 took
	local progs=() last_ran="" results=() prog result why detail section rc bad reasons
	local i p r d entry what line
	vm_row "$row"
	kernel=$VM_ROW_KERNEL
	mkdir -p "$VM_LOGS"
	rm -f "$log" "$log.err"
	KVER="$kernel" ARCH="?"
	vm_kernel_env "$kernel" >/dev/null 2>&1 || true
	start=$SECONDS
	vm_quiet "$log.err" env "${VM_ROW_ENV[@]}" "$VM_DIR/run.sh" --kernel "$kernel" --log "$log" \
		--timeout "$timeout" --smp "$smp" -- sh -c "$guest" || run_ok=0
	took=$((SECONDS - start))

	[[ $do_stress == 1 ]] && progs+=(stress)
	[[ $do_fuzz == 1 ]] && progs+=(fuzz)
	for prog in "${progs[@]}"; do
		result=FAIL why="" detail=""
		if [[ -f $log ]] && grep -a -q "^VMMAP-STRESS-BEGIN $prog\$" "$log"; then
			last_ran=$prog
			# the console between this program's markers
			section=$(sed -n "/^VMMAP-STRESS-BEGIN $prog\$/,/^VMMAP-STRESS-\(RC $prog\|BEGIN\) /p" "$log" |
				sed '1d')
			rc=$(sed -n "s/^VMMAP-STRESS-RC $prog \([0-9]*\)$/\1/p" <<<"$section")
			bad=$(vm_bad_lines <<<"$section" | head -n 3) || true
			if [[ -z $rc ]]; then
				why="did not finish (timeout, panic or hang)"
			elif [[ $rc != 0 ]]; then
				why="exit status $rc"
			elif [[ -n $bad ]]; then
				why="kernel: ${bad//$'\n'/ | }"
			else
				result=PASS
			fi
			if [[ $prog == stress ]]; then
				detail=$(sed -n 's/^stress: \([0-9]*\) s, \([0-9]*\) worker operations:.*/\2 worker ops/p' <<<"$section")
				detail+=", $(sed -n 's/^stress: SIGKILLs \([0-9]*\):.*/\1 SIGKILLs/p' <<<"$section")"
				detail+=", $(sed -n 's/^stress: \([0-9]*\) mismatches$/\1 mismatches/p' <<<"$section")"
			else
				detail=$(sed -n 's/^fuzz: [0-9]* calls, seed [0-9]*, \([0-9]*\) failures$/\1 failures/p' <<<"$section")
				detail+=" ($(sed -n 's/^fuzz: ioctl.*consistency checks; \([0-9.]*\) s$/\1 s/p' <<<"$section"))"
			fi
		else
			why="did not run"
		fi
		results+=("$prog|$result|$why|$detail")
	done
	# rmmod, page leak, a hang after the last program: charge the last one
	if [[ $run_ok == 0 && -f $log ]]; then
		reasons=$(vm_check_log "$log" | grep -v -E 'guest command exited|kernel reported|^    ' || true)
		if [[ -n $reasons && -n $last_ran ]]; then
			for i in "${!results[@]}"; do
				IFS="|" read -r p r _ d <<<"${results[$i]}"
				if [[ $p == "$last_ran" && $r == PASS ]]; then
					results[i]="$p|FAIL|${reasons//$'\n'/; }|$d"
				fi
			done
		fi
	fi
	for entry in "${results[@]}"; do
		IFS='|' read -r prog result why detail <<<"$entry"
		if [[ $prog == stress ]]; then
			what="stress ${secs} s"
		else
			what="fuzz $calls calls, seed $seed"
		fi
		line="$result $KVER $ARCH $what: ${detail:-no summary}$VM_ROW_SUFFIX$smp_note"
		[[ -n $why ]] && line+=" [$why]"
		vm_result "$line"
	done
	vm_say "$row: boot and run took $took s; console: $log"
	if [[ $run_ok == 0 ]]; then
		grep -a -E '^(stress|fuzz): (MISMATCH|FAIL)|^fuzz:   (call|reproduce):' "$log" 2>/dev/null |
			head -n 12 | sed 's/^/    /' >&2 || true
		[[ -f $log ]] || cat "$log.err" >&2 2>/dev/null || true
	fi
	rm -f "$log.err"
}

vm_each -t stress stress_row "$@"
