/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmmap: tracepoints, one per handler of the mmap path (TRACE_SYSTEM vmmap).
 *
 * Integer fields only, so the format is the same on every kernel the driver
 * builds for. Enable with "echo 1 > /sys/kernel/tracing/events/vmmap/enable"
 * or trace-cmd record -e vmmap, perf trace -e 'vmmap:*', bpftrace.
 *
 * Built the out-of-tree way: trace.c defines CREATE_TRACE_POINTS and
 * includes this file, which define_trace.h then includes again through
 * TRACE_INCLUDE_PATH "." relative to the -I$(src) that module/Kbuild adds.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmmap

#if !defined(_VMMAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VMMAP_TRACE_H

#include <linux/mm_types.h>
#include <linux/tracepoint.h>

/* The TRACE_EVENT() layout of include/trace/events/, not clang-format's. */
/* clang-format off */

TRACE_EVENT(vmmap_get_unmapped_area,
	    TP_PROTO(unsigned long len, unsigned long pgoff, unsigned long flags,
		     unsigned long addr),
	    TP_ARGS(len, pgoff, flags, addr),
	    TP_STRUCT__entry(__field(unsigned long, len)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, flags)
			     __field(unsigned long, addr)),
	    TP_fast_assign(__entry->len = len;
			   __entry->pgoff = pgoff;
			   __entry->flags = flags;
			   __entry->addr = addr;),
	    TP_printk("len=%lu pgoff=%lu flags=0x%lx addr=0x%lx", __entry->len,
		      __entry->pgoff, __entry->flags, __entry->addr));

TRACE_EVENT(vmmap_mmap,
	    TP_PROTO(unsigned long start, unsigned long end, unsigned long pgoff,
		     unsigned long vm_flags),
	    TP_ARGS(start, end, pgoff, vm_flags),
	    TP_STRUCT__entry(__field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(unsigned long, pgoff)
			     __field(unsigned int, shared)
			     __field(unsigned long, vm_flags)),
	    TP_fast_assign(__entry->start = start;
			   __entry->end = end;
			   __entry->pgoff = pgoff;
			   __entry->shared = !!(vm_flags & VM_SHARED);
			   __entry->vm_flags = vm_flags;),
	    TP_printk("start=0x%lx end=0x%lx pgoff=%lu shared=%u vm_flags=0x%lx",
		      __entry->start, __entry->end, __entry->pgoff,
		      __entry->shared, __entry->vm_flags));

DECLARE_EVENT_CLASS(vmmap_vma,
		    TP_PROTO(unsigned long start, unsigned long end,
			     unsigned long pgoff),
		    TP_ARGS(start, end, pgoff),
		    TP_STRUCT__entry(__field(unsigned long, start)
				     __field(unsigned long, end)
				     __field(unsigned long, pgoff)),
		    TP_fast_assign(__entry->start = start;
				   __entry->end = end;
				   __entry->pgoff = pgoff;),
		    TP_printk("start=0x%lx end=0x%lx pgoff=%lu", __entry->start,
			      __entry->end, __entry->pgoff));

DEFINE_EVENT(vmmap_vma, vmmap_vma_open,
	     TP_PROTO(unsigned long start, unsigned long end,
		      unsigned long pgoff),
	     TP_ARGS(start, end, pgoff));

DEFINE_EVENT(vmmap_vma, vmmap_vma_close,
	     TP_PROTO(unsigned long start, unsigned long end,
		      unsigned long pgoff),
	     TP_ARGS(start, end, pgoff));

TRACE_EVENT(vmmap_fault,
	    TP_PROTO(unsigned long pgoff, unsigned int flags, unsigned int order,
		     vm_fault_t result),
	    TP_ARGS(pgoff, flags, order, result),
	    TP_STRUCT__entry(__field(unsigned long, pgoff)
			     __field(unsigned int, flags)
			     __field(unsigned int, order)
			     __field(unsigned int, result)),
	    TP_fast_assign(__entry->pgoff = pgoff;
			   __entry->flags = flags;
			   __entry->order = order;
			   __entry->result = (__force unsigned int)result;),
	    TP_printk("pgoff=%lu flags=0x%x order=%u result=0x%x",
		      __entry->pgoff, __entry->flags, __entry->order,
		      __entry->result));

TRACE_EVENT(vmmap_map_pages,
	    TP_PROTO(unsigned long pgoff, unsigned long start_pgoff,
		     unsigned long end_pgoff, vm_fault_t result),
	    TP_ARGS(pgoff, start_pgoff, end_pgoff, result),
	    TP_STRUCT__entry(__field(unsigned long, pgoff)
			     __field(unsigned long, start_pgoff)
			     __field(unsigned long, end_pgoff)
			     __field(unsigned int, result)),
	    TP_fast_assign(__entry->pgoff = pgoff;
			   __entry->start_pgoff = start_pgoff;
			   __entry->end_pgoff = end_pgoff;
			   __entry->result = (__force unsigned int)result;),
	    TP_printk("pgoff=%lu start_pgoff=%lu end_pgoff=%lu result=0x%x",
		      __entry->pgoff, __entry->start_pgoff, __entry->end_pgoff,
		      __entry->result));

TRACE_EVENT(vmmap_page_mkwrite,
	    TP_PROTO(unsigned long pgoff, vm_fault_t result),
	    TP_ARGS(pgoff, result),
	    TP_STRUCT__entry(__field(unsigned long, pgoff)
			     __field(unsigned int, result)),
	    TP_fast_assign(__entry->pgoff = pgoff;
			   __entry->result = (__force unsigned int)result;),
	    TP_printk("pgoff=%lu result=0x%x", __entry->pgoff,
		      __entry->result));

TRACE_EVENT(vmmap_fsync,
	    TP_PROTO(long long start, long long end, long cleaned),
	    TP_ARGS(start, end, cleaned),
	    TP_STRUCT__entry(__field(long long, start)
			     __field(long long, end)
			     __field(long, cleaned)),
	    TP_fast_assign(__entry->start = start;
			   __entry->end = end;
			   __entry->cleaned = cleaned;),
	    TP_printk("start=%lld end=%lld cleaned=%ld", __entry->start,
		      __entry->end, __entry->cleaned));

TRACE_EVENT(vmmap_resize,
	    TP_PROTO(long long old_size, long long new_size, long freed),
	    TP_ARGS(old_size, new_size, freed),
	    TP_STRUCT__entry(__field(long long, old_size)
			     __field(long long, new_size)
			     __field(long, freed)),
	    TP_fast_assign(__entry->old_size = old_size;
			   __entry->new_size = new_size;
			   __entry->freed = freed;),
	    TP_printk("old_size=%lld new_size=%lld freed=%ld", __entry->old_size,
		      __entry->new_size, __entry->freed));

/* clang-format on */

#endif /* _VMMAP_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vmmap_trace
#include <trace/define_trace.h>
