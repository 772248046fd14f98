/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmmap: userspace ABI of /dev/vmmap.
 *
 * The device is a zero-filled, resizable memory object that behaves like a
 * small file: read(2), write(2), lseek(2) and mmap(2) all see the same bytes.
 * These ioctls inspect it, resize it and report (and clean) its dirty pages.
 *
 * ABI version 2. Version 1 used ioctl type 0xB7, which the kernel's registry
 * (Documentation/userspace-api/ioctl/ioctl-number.rst) gives to nsfs and
 * remoteproc: its RESET_STATS had exactly the number of NS_GET_NSTYPE. v1
 * numbers now fail with ENOTTY. Version 2 uses type 0xD3, which that
 * registry lists for nobody in linux-source-6.12 nor in the later versions
 * of the file seen (7.x adds 0xB8 mshv, 0xBA liveupdate, 0xBF mlxbf-pka,
 * 0xF9 amd-apml; nothing in 0xD0-0xDA), and which no _IO*() in the 6.12
 * sources or the 7.2 headers uses as a type.
 *
 * ABI rules:
 *  - extensible structs in the style of copy_struct_from_user() (as
 *    PIDFD_GET_INFO, openat2, clone3): the struct's size travels in the
 *    ioctl number (_IOC_SIZE), not in a field. The driver takes any size of
 *    at least VMMAP_*_SIZE_VER0 (smaller: EINVAL). A struct the caller
 *    passes in that is larger than the driver knows must have only zero
 *    bytes past the part it knows (E2BIG otherwise); a smaller one is read
 *    as if the missing fields were zero. A struct the driver passes out is
 *    written for the caller's size: cut short for an older caller, the
 *    tail zero-filled for a newer one. Fields are only ever appended, and a
 *    zero new field means what the older struct meant. So a program built
 *    against an older or a newer header works unchanged;
 *  - _IOR for pure output (GET_INFO), _IOW for pure input (RESIZE), _IOWR
 *    where the driver reads and writes the struct (DIRTY). Commands are
 *    matched by type, number and direction: anything else is ENOTTY;
 *  - only __u32 and __u64, every __u64 at an 8-byte offset, every struct a
 *    multiple of 8 bytes, pointers passed as __u64: 32-bit processes on a
 *    64-bit kernel use the same layout and the same numbers;
 *  - flags and reserved fields passed in must be zero unless documented
 *    (EINVAL otherwise);
 *  - a failed call changes nothing.
 *
 * What is not ABI: the per-handler event counters. They are instrumentation
 * of the driver's mmap path, kept root-only in sysfs
 * (/sys/class/misc/vmmap/stats/, no stability promise) and in tracepoints.
 * The world-readable sysfs files (size, resident_pages, dirty_pages,
 * live_vmas) repeat what VMMAP_IOC_GET_INFO reports.
 */
#ifndef _UAPI_LINUX_VMMAP_H
#define _UAPI_LINUX_VMMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMMAP_ABI_VERSION 2
#define VMMAP_IOC_MAGIC 0xD3

/* struct vmmap_info.flags */
#define VMMAP_INFO_HUGE 0x1ULL /* huge folios are being allocated now */

/**
 * struct vmmap_info - what the object is now (VMMAP_IOC_GET_INFO, output)
 * @object_size:	object size in bytes (a multiple of @page_size)
 * @max_size:		largest size VMMAP_IOC_RESIZE accepts
 * @page_size:		the kernel's page size in bytes
 * @abi_version:	VMMAP_ABI_VERSION of the running driver
 * @resident_pages:	pages currently allocated to the object
 * @dirty_pages:	resident pages written since they were last cleaned
 *			(by fsync/msync or VMMAP_IOC_DIRTY)
 * @live_vmas:		VMAs (in all processes) that map the object now
 * @flags:		VMMAP_INFO_HUGE when new huge folios may be allocated
 *			now (module parameter huge)
 * @max_folio_size:	the largest folio (unit of allocation and of dirty
 *			tracking) the object may hold, in bytes: the PMD size
 *			where the kernel supports huge folios here (whatever
 *			@flags says: they may have been allocated earlier),
 *			else @page_size. VMMAP_IOC_DIRTY reports whole folios.
 */
struct vmmap_info {
	__u64 object_size;
	__u64 max_size;
	__u32 page_size;
	__u32 abi_version;
	__u64 resident_pages;
	__u64 dirty_pages;
	__u64 live_vmas;
	__u64 flags;
	__u64 max_folio_size;
};

#define VMMAP_INFO_SIZE_VER0 64

/**
 * struct vmmap_resize - set the object's size (VMMAP_IOC_RESIZE, input)
 * @new_size:	new size in bytes; a multiple of the page size (EINVAL), at
 *		most vmmap_info.max_size (EFBIG). Shrinking unmaps and frees
 *		every page past @new_size in every process (later access there
 *		raises SIGBUS); growing exposes zero-filled pages.
 * @flags:	zero
 *
 * Needs a file open for writing (EBADF).
 */
struct vmmap_resize {
	__u64 new_size;
	__u64 flags;
};

#define VMMAP_RESIZE_SIZE_VER0 16

/**
 * struct vmmap_range - a range of the object, in bytes
 * @start:	first byte
 * @end:	one past the last byte
 */
struct vmmap_range {
	__u64 start;
	__u64 end;
};

/* struct vmmap_dirty.flags */
#define VMMAP_DIRTY_CLEAR 0x1ULL /* clean what is reported */

/**
 * struct vmmap_dirty - report, and clean, dirty ranges (VMMAP_IOC_DIRTY)
 * @start:	in: first byte to look at; page aligned
 * @length:	in: bytes to look at; page aligned, not 0, and
 *		@start + @length may not overflow. The part past the
 *		object's end is not an error: nothing is dirty there.
 * @flags:	in: 0 or VMMAP_DIRTY_CLEAR
 * @ranges:	in: user address of an array of @nr_ranges struct vmmap_range,
 *		as (__u64)(uintptr_t)array
 * @nr_ranges:	in: capacity of @ranges, not 0; out: ranges filled
 * @reserved:	in: zero
 * @walk_end:	out (its input value is ignored): where the walk stopped.
 *		min(@start + @length, object size), but never below @start,
 *		when it went through the whole range; otherwise the offset of
 *		the first dirty folio not reported. Continue from there.
 *
 * Reports the dirty pages in [@start, @start + @length): those written
 * (through a shared mapping, write(2), or anything else that dirties a
 * page) since they were last cleaned. The unit is the folio: a dirty folio
 * is reported whole, from its first to its last byte (clamped to the
 * object's size), even where that reaches before @start or past
 * @start + @length; vmmap_info.max_folio_size is the largest it can be.
 * Adjacent dirty folios are merged into one range; ranges come in
 * increasing order and do not touch each other.
 *
 * The array may fill before the walk is through; the driver may also stop
 * earlier (it handles at most a few hundred ranges per call). Either way
 * @walk_end says where it stopped, and nothing past it was reported or
 * cleaned: the walk is complete only when @walk_end is the end of the
 * range (clamped), not when @nr_ranges is below the capacity.
 *
 * With VMMAP_DIRTY_CLEAR, every reported folio is then cleaned, exactly as
 * fsync cleans it: under the folio lock, its page table entries are write
 * protected in every process first, then its dirty mark is cleared. A write
 * that races with the cleaning either lands before it (and is in the data
 * the caller reads after the call) or faults on the write-protected entry
 * and marks the folio dirty again, so the next call reports it: no write is
 * ever lost. A consumer that keeps a copy of the object therefore loops:
 * DIRTY with VMMAP_DIRTY_CLEAR, then read(2) (or read through a mapping)
 * the reported ranges. Folios not reported (past @walk_end) are not
 * cleaned. VMMAP_DIRTY_CLEAR needs a file open for writing (EBADF).
 *
 * One dirty set, shared with fsync: the driver keeps "dirty" in one place,
 * the page cache's dirty tag of each folio, which fsync(2), fdatasync(2),
 * msync(MS_SYNC), O_SYNC/O_DSYNC writes and VMMAP_DIRTY_CLEAR all clean,
 * and which cachestat(2) (nr_dirty) and vmmap_info.dirty_pages count. So
 * what DIRTY reports is exactly what the next fsync would clean, and the
 * ioctl costs time per dirty folio, not per page of the object. The price:
 * a consumer that must see every write has to be the only one that cleans.
 * An fsync or msync(MS_SYNC) by anyone else cleans too, and the pages it
 * cleaned are not reported to the consumer. (A separate log per consumer
 * would need a second write-protect protocol of its own, a fault on every
 * first write per consumer, and memory per page of the object.)
 *
 * All user memory is written before anything is cleaned, so an EFAULT
 * leaves the dirty set as it was.
 *
 * Errors, none of which changes anything:
 *  - EINVAL: @start or @length not page aligned, @length 0, @start +
 *    @length overflows, @nr_ranges 0, unknown @flags, @reserved not zero,
 *    a struct smaller than VMMAP_DIRTY_SIZE_VER0;
 *  - E2BIG: a larger struct with non-zero bytes past the known fields;
 *  - EBADF: VMMAP_DIRTY_CLEAR through a file not open for writing;
 *  - EFAULT: the struct cannot be read or written, @ranges lies outside
 *    user space, or the ranges to report cannot be written there;
 *  - ENOMEM: no kernel memory for the walk (a page at most).
 */
struct vmmap_dirty {
	__u64 start;
	__u64 length;
	__u64 flags;
	__u64 ranges;
	__u32 nr_ranges;
	__u32 reserved;
	__u64 walk_end;
};

#define VMMAP_DIRTY_SIZE_VER0 48

/*
 * VMMAP_IOC_GET_INFO: fills struct vmmap_info; any open file. EFAULT.
 * VMMAP_IOC_RESIZE: struct vmmap_resize; EBADF, EINVAL, EFBIG, E2BIG, EFAULT.
 * VMMAP_IOC_DIRTY: struct vmmap_dirty, above.
 * Every command: EINVAL for a struct size below its VMMAP_*_SIZE_VER0,
 * ENOTTY for an unknown command (type, number or direction).
 */
#define VMMAP_IOC_GET_INFO _IOR(VMMAP_IOC_MAGIC, 0x01, struct vmmap_info)
#define VMMAP_IOC_RESIZE _IOW(VMMAP_IOC_MAGIC, 0x02, struct vmmap_resize)
#define VMMAP_IOC_DIRTY _IOWR(VMMAP_IOC_MAGIC, 0x03, struct vmmap_dirty)

#endif /* _UAPI_LINUX_VMMAP_H */
