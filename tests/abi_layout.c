// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time checks of the ioctl ABI's layout; no tests here.
 *
 * The ABI is layout-identical for 32- and 64-bit processes: fixed-width
 * types only, every __u64 at an 8-byte offset, every struct a multiple of 8
 * bytes, so i386 (4-byte __u64 alignment) and arm32 lay them out exactly as
 * x86_64 and arm64 do, and the _IOR/_IOW numbers (which encode the size)
 * are the same; no compat_ioctl translation is needed. These assertions pin
 * the layout; they are compiled into vmmap-tests32 too (make CC32=...),
 * which then runs every test as a 32-bit process on the 64-bit kernel.
 */
#include <stddef.h>

#include "../uapi/vmmap.h"

#define VT_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), \
		       #type "." #field " moved")

_Static_assert(sizeof(struct vmmap_info) == 120, "vmmap_info size");
VT_OFF(vmmap_info, size, 0);
VT_OFF(vmmap_info, abi_version, 4);
VT_OFF(vmmap_info, object_size, 8);
VT_OFF(vmmap_info, max_size, 16);
VT_OFF(vmmap_info, page_size, 24);
VT_OFF(vmmap_info, flags, 28);
VT_OFF(vmmap_info, resident_pages, 32);
VT_OFF(vmmap_info, dirty_pages, 40);
VT_OFF(vmmap_info, live_vmas, 48);
VT_OFF(vmmap_info, reserved, 56);

_Static_assert(sizeof(struct vmmap_stats) == 176, "vmmap_stats size");
VT_OFF(vmmap_stats, size, 0);
VT_OFF(vmmap_stats, flags, 4);
VT_OFF(vmmap_stats, mmap, 8);
VT_OFF(vmmap_stats, get_unmapped_area, 16);
VT_OFF(vmmap_stats, vma_open, 24);
VT_OFF(vmmap_stats, vma_close, 32);
VT_OFF(vmmap_stats, fault, 40);
VT_OFF(vmmap_stats, map_pages, 48);
VT_OFF(vmmap_stats, page_mkwrite, 56);
VT_OFF(vmmap_stats, sigbus, 64);
VT_OFF(vmmap_stats, fsync, 72);
VT_OFF(vmmap_stats, pages_cleaned, 80);
VT_OFF(vmmap_stats, resize, 88);
VT_OFF(vmmap_stats, pages_allocated, 96);
VT_OFF(vmmap_stats, pages_freed, 104);
VT_OFF(vmmap_stats, reserved, 112);

_Static_assert(sizeof(struct vmmap_resize) == 32, "vmmap_resize size");
VT_OFF(vmmap_resize, size, 0);
VT_OFF(vmmap_resize, flags, 4);
VT_OFF(vmmap_resize, new_size, 8);
VT_OFF(vmmap_resize, reserved, 16);

#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
	defined(__arm__)
/* asm-generic ioctl encoding: dir << 30 | size << 16 | type << 8 | nr */
_Static_assert(VMMAP_IOC_GET_INFO == 0x8078b701u, "GET_INFO number");
_Static_assert(VMMAP_IOC_GET_STATS == 0x80b0b702u, "GET_STATS number");
_Static_assert(VMMAP_IOC_RESET_STATS == 0xb703u, "RESET_STATS number");
_Static_assert(VMMAP_IOC_RESIZE == 0x4020b704u, "RESIZE number");
#endif

