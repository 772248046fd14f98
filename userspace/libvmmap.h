/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmmap: small helpers around the /dev/vmmap ioctls and sysfs files,
 * shared by the tools in userspace/ and the tests in tests/.
 */
#ifndef LIBVMMAP_H
#define LIBVMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../uapi/vmmap.h"

#define VMMAP_DEV	"/dev/vmmap"
#define VMMAP_SYSFS	"/sys/class/misc/vmmap"

/* Each returns 0 or -1 with errno set, like the ioctl itself. */
int vmmap_get_info(int fd, struct vmmap_info *info);
int vmmap_resize(int fd, uint64_t new_size);
/*
 * VMMAP_IOC_DIRTY over [start, start + length): fills up to *nr ranges
 * and sets *nr to the number filled and *walk_end to where the walk
 * stopped (see uapi/vmmap.h); flags 0 or VMMAP_DIRTY_CLEAR.
 */
int vmmap_dirty(int fd, uint64_t start, uint64_t length, uint64_t flags,
		struct vmmap_range *ranges, uint32_t *nr, uint64_t *walk_end);

/* Reads one number from VMMAP_SYSFS/<name>; returns -1 on error. */
int64_t vmmap_sysfs_read(const char *name);

/*
 * The driver's event counters, VMMAP_SYSFS/stats/<field>: instrumentation,
 * not ABI (root-only, no stability promise; a field the running driver
 * does not have reads as an error). pages_allocated and pages_freed count
 * since load, the rest since load or the last reset.
 */
struct vmmap_counters {
	uint64_t mmap;
	uint64_t get_unmapped_area;
	uint64_t vma_open;
	uint64_t vma_close;
	uint64_t fault;
	uint64_t map_pages;
	uint64_t page_mkwrite;
	uint64_t sigbus;
	uint64_t fsync;
	uint64_t pages_cleaned;		/* by fsync/msync or VMMAP_IOC_DIRTY */
	uint64_t resize;
	uint64_t pages_allocated;
	uint64_t pages_freed;
};

/*
 * The counters one by one, in the order of struct vmmap_counters:
 * vmmap_counter_name(i) is the i-th one's file in VMMAP_SYSFS/stats, NULL
 * past the last; vmmap_counter(c, i) its value in @c.
 */
const char *vmmap_counter_name(size_t i);
uint64_t vmmap_counter(const struct vmmap_counters *c, size_t i);

/* 0, or -1 with errno (EACCES when not root, ENOENT without the module). */
int vmmap_read_counters(struct vmmap_counters *c);
/* Writes VMMAP_SYSFS/stats/reset; 0 or -1 with errno. */
int vmmap_reset_counters(void);

/* The module parameter huge: true for Y (false for N, or no module). */
bool vmmap_huge_param(void);

/*
 * Whether the kernel surely refuses to map a large file folio across i_size
 * (with a PMD, or PTEs past the end): upstream 6.18 on. Stable lines got it
 * later or not at all (6.12.118 has it, 6.1.192 not): there, a huge page a
 * shrink could not split may be mapped with one PMD across the object's
 * end, as tmpfs folios always are (README, Behaviour).
 */
bool vmmap_kernel_guards_eof(void);

#endif
