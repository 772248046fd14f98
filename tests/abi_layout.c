// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time checks of the ioctl ABI's layout; no tests here.
 *
 * The ABI is layout-identical for 32- and 64-bit processes: __u32 and __u64
 * only, every __u64 at an 8-byte offset, every struct a multiple of 8
 * bytes, pointers as __u64, so i386 (4-byte __u64 alignment) and arm32 lay
 * them out exactly as x86_64 and arm64 do, and the _IOR/_IOW/_IOWR numbers
 * (which encode the size) are the same; no compat_ioctl translation is
 * needed. These assertions pin the layout of ABI version 2 (its structs
 * are the VER0 sizes); they are compiled for the 32-bit programs too
 * (make CC32=...), which then runs every test as a 32-bit process on the
 * 64-bit kernel.
 */
#include <stddef.h>

#include "../uapi/vmmap.h"

#define VT_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), \
		       #type "." #field " moved")

_Static_assert(VMMAP_ABI_VERSION == 2, "ABI version");
_Static_assert(VMMAP_IOC_MAGIC == 0xD3, "ioctl type");

_Static_assert(sizeof(struct vmmap_info) == 64, "vmmap_info size");
_Static_assert(sizeof(struct vmmap_info) == VMMAP_INFO_SIZE_VER0,
	       "vmmap_info VER0");
VT_OFF(vmmap_info, object_size, 0);
VT_OFF(vmmap_info, max_size, 8);
VT_OFF(vmmap_info, page_size, 16);
VT_OFF(vmmap_info, abi_version, 20);
VT_OFF(vmmap_info, resident_pages, 24);
VT_OFF(vmmap_info, dirty_pages, 32);
VT_OFF(vmmap_info, live_vmas, 40);
VT_OFF(vmmap_info, flags, 48);
VT_OFF(vmmap_info, max_folio_size, 56);

_Static_assert(sizeof(struct vmmap_resize) == 16, "vmmap_resize size");
_Static_assert(sizeof(struct vmmap_resize) == VMMAP_RESIZE_SIZE_VER0,
	       "vmmap_resize VER0");
VT_OFF(vmmap_resize, new_size, 0);
VT_OFF(vmmap_resize, flags, 8);

_Static_assert(sizeof(struct vmmap_range) == 16, "vmmap_range size");
VT_OFF(vmmap_range, start, 0);
VT_OFF(vmmap_range, end, 8);

_Static_assert(sizeof(struct vmmap_dirty) == 48, "vmmap_dirty size");
_Static_assert(sizeof(struct vmmap_dirty) == VMMAP_DIRTY_SIZE_VER0,
	       "vmmap_dirty VER0");
VT_OFF(vmmap_dirty, start, 0);
VT_OFF(vmmap_dirty, length, 8);
VT_OFF(vmmap_dirty, flags, 16);
VT_OFF(vmmap_dirty, ranges, 24);
VT_OFF(vmmap_dirty, nr_ranges, 32);
VT_OFF(vmmap_dirty, reserved, 36);
VT_OFF(vmmap_dirty, walk_end, 40);

_Static_assert(VMMAP_INFO_HUGE == 1, "VMMAP_INFO_HUGE");
_Static_assert(VMMAP_DIRTY_CLEAR == 1, "VMMAP_DIRTY_CLEAR");

#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
	defined(__arm__)
/* asm-generic ioctl encoding: dir << 30 | size << 16 | type << 8 | nr */
_Static_assert(VMMAP_IOC_GET_INFO == 0x8040d301u, "GET_INFO number");
_Static_assert(VMMAP_IOC_RESIZE == 0x4010d302u, "RESIZE number");
_Static_assert(VMMAP_IOC_DIRTY == 0xc030d303u, "DIRTY number");
#endif
