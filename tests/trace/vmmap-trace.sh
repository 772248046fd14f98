#!/bin/sh
# vmmap-trace: run in the guest by tests/trace/trace.sh ("make trace").
# Sets up the function_graph tracer on the mmap path's functions and the
# module's (those of the list below that this kernel can trace; the rest
# are printed as absent), the vmmap tracepoints and return probes
# (kretprobes with $retval), then runs vmmap-trace-scenario, which prints
# each step's trace between VMMAP-TRACE-BEGIN/END lines. Everything is
# switched off again before the runner unloads the module.
# Usage: vmmap-trace [DEPTH]   (max_graph_depth, default 10)
T=/sys/kernel/tracing
depth=${1:-10}
[ -w $T/current_tracer ] || { echo "vmmap-trace: no tracefs at $T"; exit 1; }
case $(uname -m) in
aarch64) sys=__arm64_sys_ ;;
*) sys=__x64_sys_ ;;
esac

# The path's functions, as the guide names them; a kernel may have renamed
# or inlined some (absent from available_filter_functions).
graph="${sys}mmap ksys_mmap_pgoff vm_mmap_pgoff do_mmap
	__get_unmapped_area mm_get_unmapped_area get_unmapped_area
	mmap_region __mmap_region mmap_file call_mmap
	handle_mm_fault __handle_mm_fault handle_pte_fault do_pte_missing
	do_fault __do_fault do_read_fault do_shared_fault do_cow_fault
	do_fault_around finish_fault filemap_map_pages set_pte_range
	do_wp_page wp_page_shared do_page_mkwrite fault_dirty_shared_page
	${sys}msync vfs_fsync_range
	${sys}mremap vma_expand move_vma copy_vma
	copy_mm dup_mm dup_mmap copy_page_range
	${sys}munmap __vm_munmap do_munmap do_vmi_munmap unmap_region
	vmmap_get_unmapped_area vmmap_mmap vmmap_vma_init vmmap_fault
	vmmap_map_pages vmmap_page_mkwrite vmmap_vma_open vmmap_vma_close
	vmmap_fsync"
# Return values: function_graph prints none on Debian's kernels (no
# CONFIG_FUNCTION_GRAPH_RETVAL), so a kretprobe on these, FUNCTION:TYPE
# (x32 for a vm_fault_t, s32 for an int). The vmmap tracepoints carry the
# handlers' own results (fault, map_pages, page_mkwrite).
ret="do_mmap:x64 handle_mm_fault:x32 __do_fault:x32 finish_fault:x32
	do_page_mkwrite:x32 vfs_fsync_range:s32 do_vmi_munmap:s32 do_munmap:s32
	__vm_munmap:s32 dup_mmap:s32 vmmap_get_unmapped_area:x64 vmmap_mmap:s32
	vmmap_fsync:s32"
# The probes' own machinery, kept out of the graphs (their events stay).
notrace="kprobe_ftrace_handler kretprobe_rethook_handler
	kretprobe_trampoline_handler __kretprobe_trampoline_handler
	trampoline_handler pre_handler_kretprobe arch_rethook_trampoline_callback
	rethook_trampoline_handler"

# "NAME FUNCTION" for every traceable FUNCTION whose NAME (what precedes
# a .constprop.N, .isra.N or .part.N suffix) is on the list
# shellcheck disable=SC2086 # word lists
avail=$(awk -v want="$graph" 'BEGIN { n = split(want, w); for (i = 1; i <= n; i++) q[w[i]] = 1 }
	{ b = $1; sub(/\..*/, "", b) } (b in q) { print b, $1 }' $T/available_filter_functions | sort -u)
present="" absent=""
for f in $graph; do
	full=$(echo "$avail" | awk -v f="$f" '$1 == f { printf " %s", $2 }')
	if [ -n "$full" ]; then
		present="$present$full"
	else
		absent="$absent $f"
	fi
done
echo "VMMAP-TRACE-KERNEL $(uname -r) $(uname -m)"
echo "VMMAP-TRACE-PRESENT$present"
echo "VMMAP-TRACE-ABSENT$absent"

echo 0 >$T/tracing_on
echo nop >$T/current_tracer
: >$T/trace
: >$T/set_graph_function
for f in $present; do
	echo "$f" >>$T/set_graph_function 2>/dev/null || echo "VMMAP-TRACE-REFUSED $f"
done
# Every function of the module too (set_graph_function takes no :mod:).
awk '$2 == "[vmmap]" { print $1 }' $T/available_filter_functions | sort -u |
	while read -r f; do
		echo "$f" >>$T/set_graph_function 2>/dev/null || echo "vmmap-trace: $f refused"
	done
echo "$depth" >$T/max_graph_depth
for o in funcgraph-proc funcgraph-irqs funcgraph-cpu funcgraph-overhead \
	funcgraph-duration funcgraph-abstime funcgraph-tail; do
	[ ! -w $T/options/$o ] || echo 0 >$T/options/$o
done
[ ! -w $T/options/function-fork ] || echo 1 >$T/options/function-fork
echo 4096 >$T/buffer_size_kb

: >$T/set_graph_notrace
for f in $notrace; do
	echo "$f" >>$T/set_graph_notrace 2>/dev/null || true
done
noret=""
for r in $ret; do
	f=${r%%:*}
	echo "r:vmmapret/$f $f ret=\$retval:${r#*:}" >>$T/kprobe_events 2>/dev/null ||
		noret="$noret $f"
done
echo "VMMAP-TRACE-NORET$noret"
[ ! -d $T/events/vmmapret ] || echo 1 >$T/events/vmmapret/enable
echo 1 >$T/events/vmmap/enable

# Switching function_graph on and off patches every traceable function:
# under TCG that takes the one CPU for longer than the soft-lockup and RCU
# stall detectors allow (a "soft lockup" of 22 s seen on 5.10).
wd=$(cat /proc/sys/kernel/watchdog 2>/dev/null)
stall=/sys/module/rcupdate/parameters/rcu_cpu_stall_suppress
st=$(cat $stall 2>/dev/null)
[ -z "$wd" ] || echo 0 >/proc/sys/kernel/watchdog
[ -z "$st" ] || echo 1 >$stall
echo $$ >$T/set_ftrace_pid
echo function_graph >$T/current_tracer
vmmap-trace-scenario
rc=$?

echo 0 >$T/tracing_on
echo nop >$T/current_tracer
: >$T/set_ftrace_pid
: >$T/set_graph_function
: >$T/set_graph_notrace
echo 0 >$T/events/vmmap/enable
[ ! -d $T/events/vmmapret ] || echo 0 >$T/events/vmmapret/enable
: >$T/kprobe_events
: >$T/trace
echo 512 >$T/buffer_size_kb
echo 1 >$T/tracing_on
[ -z "$wd" ] || echo "$wd" >/proc/sys/kernel/watchdog
[ -z "$st" ] || echo "$st" >$stall
exit $rc
