/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmmap: userspace ABI of /dev/vmmap.
 *
 * The device is a zero-filled, resizable memory object that behaves like a
 * small file: read(2), write(2), lseek(2) and mmap(2) all see the same bytes.
 * These ioctls inspect and resize it.
 *
 * ABI rules (stable from VMMAP_ABI_VERSION 1 on):
 *  - every struct starts with a __u32 @size that the caller sets to
 *    sizeof(the struct) before the call; the driver rejects any other value
 *    with EINVAL;
 *  - only fixed-width types, every __u64 at an 8-byte offset and every struct
 *    a multiple of 8 bytes, so 32-bit processes on a 64-bit kernel use the
 *    same layout and the same ioctl numbers;
 *  - @flags and reserved fields the caller passes in must be zero (EINVAL
 *    otherwise); reserved fields the driver returns are zero. New fields take
 *    reserved space, and their presence is announced by a higher
 *    @abi_version in struct vmmap_info;
 *  - unknown ioctl numbers fail with ENOTTY; a failed call changes nothing.
 */
#ifndef _UAPI_LINUX_VMMAP_H
#define _UAPI_LINUX_VMMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMMAP_ABI_VERSION 1
#define VMMAP_IOC_MAGIC 0xB7

/**
 * struct vmmap_info - what the object is now
 * @size:		in: sizeof(struct vmmap_info)
 * @abi_version:	out: VMMAP_ABI_VERSION of the running driver
 * @object_size:	out: object size in bytes (a multiple of @page_size)
 * @max_size:		out: largest size VMMAP_IOC_RESIZE accepts
 * @page_size:		out: the kernel's page size in bytes
 * @flags:		out: reserved, zero
 * @resident_pages:	out: pages currently allocated to the object
 * @dirty_pages:	out: resident pages written since they were last synced
 * @live_vmas:		out: VMAs (in all processes) that map the object now
 * @reserved:		out: zero
 */
struct vmmap_info {
	__u32 size;
	__u32 abi_version;
	__u64 object_size;
	__u64 max_size;
	__u32 page_size;
	__u32 flags;
	__u64 resident_pages;
	__u64 dirty_pages;
	__u64 live_vmas;
	__u64 reserved[8];
};

/**
 * struct vmmap_stats - how often each handler of the mmap path ran
 * @size:		in: sizeof(struct vmmap_stats)
 * @flags:		out: reserved, zero
 * @mmap:		f_op->mmap calls that succeeded
 * @get_unmapped_area:	f_op->get_unmapped_area calls
 * @vma_open:		vm_ops->open calls (fork, split, mremap)
 * @vma_close:		vm_ops->close calls
 * @fault:		vm_ops->fault calls
 * @map_pages:		vm_ops->map_pages (fault-around) calls
 * @page_mkwrite:	vm_ops->page_mkwrite calls
 * @sigbus:		faults answered with SIGBUS (past the object's end)
 * @fsync:		f_op->fsync calls (msync(MS_SYNC), fsync(2))
 * @pages_cleaned:	dirty pages write-protected again by fsync
 * @resize:		successful VMMAP_IOC_RESIZE calls
 * @pages_allocated:	pages the object has allocated (zero-filled)
 * @pages_freed:	pages the object has released (shrink, unload)
 * @reserved:		zero
 *
 * Counters are cumulative since load or the last VMMAP_IOC_RESET_STATS,
 * except @pages_allocated and @pages_freed, which count since load and are
 * never reset, so that their difference is always the number of resident
 * pages.
 */
struct vmmap_stats {
	__u32 size;
	__u32 flags;
	__u64 mmap;
	__u64 get_unmapped_area;
	__u64 vma_open;
	__u64 vma_close;
	__u64 fault;
	__u64 map_pages;
	__u64 page_mkwrite;
	__u64 sigbus;
	__u64 fsync;
	__u64 pages_cleaned;
	__u64 resize;
	__u64 pages_allocated;
	__u64 pages_freed;
	__u64 reserved[8];
};

/**
 * struct vmmap_resize - set the object's size
 * @size:	in: sizeof(struct vmmap_resize)
 * @flags:	in: zero
 * @new_size:	in: new size in bytes; a multiple of the page size, at most
 *		vmmap_info.max_size (EFBIG above it). Shrinking unmaps and frees
 *		every page past @new_size in every process (later access there
 *		raises SIGBUS); growing exposes zero-filled pages.
 * @reserved:	in: zero
 */
struct vmmap_resize {
	__u32 size;
	__u32 flags;
	__u64 new_size;
	__u64 reserved[2];
};

#define VMMAP_IOC_GET_INFO _IOR(VMMAP_IOC_MAGIC, 0x01, struct vmmap_info)
#define VMMAP_IOC_GET_STATS _IOR(VMMAP_IOC_MAGIC, 0x02, struct vmmap_stats)
#define VMMAP_IOC_RESET_STATS _IO(VMMAP_IOC_MAGIC, 0x03)
#define VMMAP_IOC_RESIZE _IOW(VMMAP_IOC_MAGIC, 0x04, struct vmmap_resize)

#endif /* _UAPI_LINUX_VMMAP_H */
