#!/bin/bash
# bench.sh - "make bench": boot a Debian kernel under qemu with vmmap.ko
# (tests/vm/run.sh) and run vmmap-bench there, which prints its raw samples
# as JSON lines on the console; bench/report.py turns them into the table,
# a JSON file with every figure and ratio, a PNG plot of throughput by case
# (gnuplot), the target verdicts and docs/benchmarks.md.
#
# Usage: bench/bench.sh [--kernel KERNEL] [--out DIR] [--timeout SECS]
#                       [--hardened] [--doc | --no-doc] [--] [BENCH_ARGS...]
#   --kernel: default 6.12-amd64 (any name tests/vm/kernel.sh knows)
#   --out: results directory (default build/bench), per kernel:
#          KERNEL.log (console), KERNEL.json, KERNEL.txt (the table),
#          KERNEL.dat and KERNEL.png (the plot); KERNEL-quick.* for --quick
#   --timeout: qemu time limit (default 3600 s, --quick 900 s)
#   --hardened: keep run.sh's debug boot options (slub_debug, page poisoning,
#          init_on_free, KFENCE); by default they are turned off for timing
#   --doc / --no-doc: replace this kernel's section of docs/benchmarks.md
#          (default: yes, except with --quick)
#   BENCH_ARGS go to vmmap-bench in the guest, e.g. --quick, --reps 9,
#          --size 32M, --only seq,fsync (vmmap-bench --help lists them)
# Exits non-zero if the guest run failed (the runner's checks: exit status,
# rmmod, page leak, kernel warnings) or printed no results. Missed
# performance targets are reported, never fatal.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

kernel=6.12-amd64 out="$VM_TOP/build/bench" timeout="" hardened=0 doc="" quick=0
gargs=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--kernel) kernel=${2?}; shift 2 ;;
	--out) out=${2?}; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	--hardened) hardened=1; shift ;;
	--doc) doc=1; shift ;;
	--no-doc) doc=0; shift ;;
	-h | --help) vm_usage ;;
	--) shift; gargs+=("$@"); break ;;
	*) [[ $1 == --quick ]] && quick=1
	   gargs+=("$1"); shift ;;
	esac
done
[[ -n $doc ]] || doc=$((1 - quick))
[[ -n $timeout ]] || timeout=$((quick ? 900 : 3600))
doc_file="$VM_TOP/docs/benchmarks.md"

# Boot options for timing: run.sh boots with slub_debug, page poisoning,
# init_on_free and KFENCE, which tax every allocation and free; later
# options on the command line win. The failure checks stay on.
append="slub_debug=- page_poison=0 init_on_free=0 kfence.sample_interval=0"
[[ $hardened == 1 ]] && append=""

ensure_gnuplot() {
	command -v gnuplot >/dev/null && return 0
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		vm_say "installing gnuplot-nox"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends gnuplot-nox >&2 ||
			{ apt-get update -q >&2 &&
				apt-get install -y -q --no-install-recommends gnuplot-nox >&2; } ||
			true
	fi
	command -v gnuplot >/dev/null && return 0
	vm_say "no gnuplot: no plot; install it with: apt-get install gnuplot-nox"
	return 1
}

"$VM_DIR/deps.sh"
mkdir -p "$out"
name=$kernel # quick runs keep full results
if [[ $quick == 1 ]]; then
	name+=-quick
fi
log="$out/$name.log" stream="$out/$name.stream"
rm -f "$log" "$stream" "$out/$name".{json,txt,dat,png}

# Run a private copy of the runner: bash reads a script as it runs it, so an
# edit to tests/vm/*.sh during a long benchmark would derail the run.
runner=$(mktemp -d "${TMPDIR:-/tmp}/vmmap-bench.XXXXXX")
trap 'rm -rf "$runner"' EXIT
cp -r "$VM_DIR/." "$runner/"

# Fail early on a compile error, with -Werror, before booting anything.
make -s -C "$VM_TOP/bench" WERROR=1 OUT="$out/host" >&2 || vm_die "bench/ does not build"

ensure_gnuplot || true

rargs=(--kernel "$kernel" --timeout "$timeout" --log "$log")
[[ -n $append ]] && rargs+=(--append "$append")
rc=0
VMMAP_TOP=$VM_TOP "$runner/run.sh" "${rargs[@]}" -- vmmap-bench "${gargs[@]}" |
	tee "$stream" || rc=${PIPESTATUS[0]}

# The console log, or the console as run.sh streamed it if the log has not
# the whole run.
report=(--kernel "$kernel" --out "$out" --name "$name" "--append=$append"
	"--guest-args=${gargs[*]}")
[[ $rc == 0 && $doc == 1 ]] && report+=(--doc "$doc_file")
python3 "$VM_TOP/bench/report.py" "${report[@]}" "$log" "$stream" ||
	vm_die "no results in $log (guest run status $rc)"
rm -f "$stream"
if [[ $rc != 0 ]]; then
	vm_say "the guest run failed (status $rc): docs not updated"
	exit "$rc"
fi
exit 0
