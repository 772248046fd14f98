#!/bin/bash
# trace.sh - "make trace" and "make trace-quick": boot each kernel under
# qemu with vmmap.ko (tests/vm/run.sh), run vmmap-trace there (the scenario
# vmmap-trace-scenario under the function_graph tracer, the vmmap
# tracepoints and return probes; tests/trace/vmmap-trace.sh), keep the
# trace and check that the scenario ran; then regenerate the generated
# blocks of docs/mmap-path.md and the diagrams docs/guide/STEP.svg
# (tests/trace/gen.py).
#
# Usage: tests/trace/trace.sh [--quick] [--no-doc] [--depth N] [--timeout S]
#                             [KERNEL...]
#   KERNEL: default 5.10-amd64 6.1-amd64 6.12-amd64 7.2-amd64 7.3-amd64
#           6.12-arm64 (--quick: 6.12-amd64)
#   --quick: check only (gen.py check), no doc written
#   --no-doc: keep docs/ as they are
#   --depth: max_graph_depth in the guest (default 10)
#   --timeout: qemu time limit per kernel (default 1800 s: switching the
#          tracer on patches every function, minutes under arm64 TCG)
# Per kernel, in build/trace/: KERNEL.log (console), KERNEL.txt (the raw
# trace: each step's buffer between VMMAP-TRACE-BEGIN/END lines, with the
# functions the kernel lacks) and KERNEL.steps.txt (the cleaned excerpts).
# The guest boots with maxcpus=1: ftrace and kprobes patch kernel text,
# which under qemu's TCG is not reliable while another vCPU runs it.
# Exits non-zero if a boot failed or a trace fails gen.py's checks.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

usage() { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
quick=0 doc=1 depth=10 timeout=1800 kernels=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--quick) quick=1 doc=0; shift ;;
	--no-doc) doc=0; shift ;;
	--depth) depth=${2?}; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) kernels+=("$1"); shift ;;
	esac
done
if [[ ${#kernels[@]} == 0 ]]; then
	if [[ $quick == 1 ]]; then
		kernels=(6.12-amd64)
	else
		kernels=(5.10-amd64 6.1-amd64 6.12-amd64 7.2-amd64 7.3-amd64 6.12-arm64)
	fi
fi
here=$(cd "$(dirname "$0")" && pwd)
out="$VM_TOP/build/trace"
mkdir -p "$out"

# A private copy of the runner, as bench.sh does: bash reads a script as it
# runs it.
runner=$(mktemp -d "${TMPDIR:-/tmp}/vmmap-trace.XXXXXX")
trap 'rm -rf "$runner"' EXIT
cp -r "$VM_DIR/." "$runner/"

# Fail early on a compile error, with -Werror, before booting anything.
make -s -C "$VM_TOP/tests/trace" WERROR=1 OUT="$out/bin" >&2 || vm_die "tests/trace/ does not build"

fail=0 done_kernels=()
for k in "${kernels[@]}"; do
	log="$out/$k.log" txt="$out/$k.txt"
	rm -f "$txt" "$out/$k.steps.txt"
	start=$SECONDS
	# The tracers keep memory of their own once used (function_graph's
	# return stacks, kprobe instruction slots): more slack for the free
	# memory check. The module's own page accounting stays exact.
	if ! VMMAP_FREE_SLACK_KB=${VMMAP_FREE_SLACK_KB:-16384} \
		VMMAP_TOP=$VM_TOP "$runner/run.sh" --kernel "$k" --log "$log" --timeout "$timeout" \
		--append maxcpus=1 -- vmmap-trace "$depth" >/dev/null; then
		vm_say "FAIL $k: the guest run failed (console: ${log#"$VM_TOP"/})"
		fail=1
		continue
	fi
	{
		echo "# make trace: $k, $(date -u '+%Y-%m-%d %H:%M UTC'), max_graph_depth $depth"
		sed -n '/^VMMAP-TRACE-BEGIN /,/^VMMAP-TRACE-END /{p;d;}
			/^VMMAP-TRACE-[A-Z]*\( .*\)\{0,1\}$/p' "$log"
	} >"$txt"
	if python3 "$here/gen.py" check "$txt"; then
		vm_say "PASS $k in $((SECONDS - start)) s: ${txt#"$VM_TOP"/}"
		done_kernels+=("$k")
	else
		vm_say "FAIL $k: the trace does not show the scenario (${txt#"$VM_TOP"/})"
		fail=1
	fi
	[[ $quick == 1 ]] || python3 "$here/gen.py" excerpt "$txt" >"$out/$k.steps.txt"
done

if [[ $doc == 1 && ${#done_kernels[@]} -gt 0 ]]; then
	python3 "$here/gen.py" doc --traces "$out" --doc "$VM_TOP/docs/mmap-path.md" \
		--svg-dir "$VM_TOP/docs/guide" --svg-kernel 6.12-amd64 ||
		{ vm_say "gen.py doc failed"; fail=1; }
fi
exit "$fail"
