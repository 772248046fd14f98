#!/bin/bash
# ci.sh - "make clients" (quick form) and the clients part of "make stress"
# (-l, long form): build static fio, memtester, stress-ng and trinity for each
# kernel's architecture (tests/clients/build.sh, cached; Debian's binary
# package with its libraries where the source cannot be had), boot the kernel
# under qemu with tests/vm/run.sh (hardened: slub_debug, page poisoning,
# init_on_free, KFENCE, panic_on_warn) and run vmmap-clients.sh against
# /dev/vmmap in the guest. One line per kernel, a summary at the end:
#   PASS|FAIL <kernel release> <arch> clients[ long]: <ok>/<total> ok; figures;
#     each program's version and provenance (static, Debian source | Debian binary)
#   clients: N passed, M failed (T s)
# A kernel fails on any "not ok", a non-zero exit, a kernel WARNING/BUG/
# Oops/KFENCE line, a failed rmmod or a page leak (run.sh's checks).
# Consoles: build/vm-logs/clients-KERNEL.log.
#
# Usage: tests/clients/ci.sh [-l] [-v] [KERNEL...]
#   -l: the long form (every memtester test, fio 48 MiB, stress-ng 60 s,
#       trinity 10000 calls a run)
#   -v: show the builds and the console
#   default kernels: 6.1-amd64 6.12-amd64 6.1-arm64
#   VMMAP_TIMEOUT overrides the per-boot timeout (default 900, -l 1500)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# run.sh's free-memory check (lib.sh, default 2048 kB): trinity's thousands
# of short-lived processes leave slab behind, not freed by drop_caches (nor
# by /sys/kernel/slab/*/shrink): 1.6 to 2.4 MiB short after a clients run,
# Slab +1.1 MiB after trinity alone (6.1-amd64). The module's own page
# count (pages_allocated = pages_freed) stays exact.
export VMMAP_FREE_SLACK_KB=${VMMAP_FREE_SLACK_KB:-4096}
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$top/tests/vm/lib.sh"

long=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	-l) long=1; shift ;;
	-v) VM_VERBOSE=1; shift ;;
	-*) vm_usage ;;
	*) break ;;
	esac
done
# shellcheck disable=SC2086 # the default list is space-separated
[[ $# -gt 0 ]] || set -- $VM_DEFAULT_KERNELS
guest=(vmmap-clients)
form=clients timeout=${VMMAP_TIMEOUT:-900}
if [[ $long == 1 ]]; then
	guest+=(-l) form="clients long" timeout=${VMMAP_TIMEOUT:-1500}
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/vmmap-clients.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# stage_arch ARCH - a directory for ARCH: bin/ with the static programs and
# the guest script (run.sh --bin), root/ with the programs that came as
# Debian binary packages and their libraries, and etc/vmmap-clients, each
# program's version and provenance (run.sh --root); built once per architecture.
stage_arch() {
	local d="$stage/$1" bin p v
	if [[ ! -d $d ]]; then
		vm_say "fio, memtester, stress-ng, trinity for $1 (built once, then cached)"
		bin=$("$top/tests/clients/build.sh" "$1") || return 1
		mkdir -p "$d.tmp/bin" "$d.tmp/root/etc"
		for p in fio memtester stress-ng trinity; do
			v=$(cat "$bin/$p.version") || return 1
			if [[ $v == *"(Debian binary)" ]]; then
				cp -a "$bin/$p.root/." "$d.tmp/root/"
			else
				cp "$bin/$p" "$d.tmp/bin/"
			fi
			echo "$p $v" >>"$d.tmp/root/etc/vmmap-clients"
		done
		cp "$top/tests/clients/vmmap-clients.sh" "$d.tmp/bin/vmmap-clients"
		chmod +x "$d.tmp/bin/vmmap-clients"
		mv "$d.tmp" "$d"
	fi
	echo "$d"
}

# figures LOG - the numbers worth a line: fio bandwidths, stress-ng bogo ops.
figures() {
	local f
	f=$(sed -n 's/^# \(psync\|mmap\) *\(READ\|WRITE\): bw=\([^ ]*\) .*/\1 \2 \3/p' "$1" |
		paste -sd, | sed 's/,/, /g')
	f+="; stress-ng $(sed -n 's/^# .*\] dev  *\([0-9]*\) .*/\1/p' "$1" | head -n 1) bogo ops"
	# "# trinity WHO: S s; mmap=N vma_open=N fault=N ...": the device's counters
	f+="; trinity $(sed -n 's/^# trinity \([a-z]*\): \([0-9]*\) s; mmap=\([0-9]*\) .* fault=\([0-9]*\) map_pages=\([0-9]*\) .*/\1 \2 s mmap=\3 fault=\4 map_pages=\5/p' "$1" |
		paste -sd, | sed 's/,/, /g')"
	echo "fio $f"
}

# clients_kernel KERNEL - the clients under KERNEL, their result line.
clients_kernel() {
	local kernel=$1 log="$VM_LOGS/clients-$1.log" start=$SECONDS result=FAIL why="" bin=""
	local ok="" plan="" run_ok=1 nok line
	mkdir -p "$VM_LOGS"
	rm -f "$log"
	KVER=$kernel ARCH="?"
	if ! vm_kernel_env "$kernel" >/dev/null 2>"$log.err"; then
		why="cannot get kernel $kernel"
	elif ! bin=$(stage_arch "$ARCH" 2>>"$log.err"); then
		why="client build failed for $ARCH"
	else
		[[ ${VM_VERBOSE-0} == 1 ]] && cat "$log.err" >&2
		vm_quiet "$log.err" "$VM_DIR/run.sh" --kernel "$kernel" --log "$log" --timeout "$timeout" \
			--bin "$bin/bin" --root "$bin/root" -- "${guest[@]}" || run_ok=0
		plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
		ok=$(grep -a -c '^ok [0-9]' "$log") || true
		if [[ $run_ok == 1 && -n $plan && $ok == "$plan" ]]; then
			result=PASS
		else
			why=$(vm_check_log "$log" | paste -sd';' | sed 's/;  */; /g') || true
			nok=$(grep -a '^not ok' "$log" | paste -sd';') || true
			why="${nok:+$nok; }${why:-$ok of ${plan:-?} ok}"
		fi
	fi
	line="$result $KVER $ARCH $form: ${ok:-0}/${plan:-?} ok"
	[[ -f $log ]] && line+="; $(figures "$log")"
	[[ -f ${bin-}/root/etc/vmmap-clients ]] && line+="; $(sed -z 's/\n$//; s/\n/, /g' "$bin/root/etc/vmmap-clients")"
	[[ -n $why ]] && line+=" [$why]"
	vm_result "$line"
	[[ $result == PASS ]] || tail -n 20 "$log.err" >&2 || true
	vm_say "$kernel: build, boot and run took $((SECONDS - start)) s; console: $log"
	rm -f "$log.err"
}

vm_each -t clients clients_kernel "$@"
