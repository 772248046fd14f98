/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmmap: definitions shared by the files of the driver.
 *
 *   main.c    module init/exit, the misc device and its file_operations
 *   object.c  the memory object: its address_space, page lookup, resize, sync
 *   vma.c     the vm_operations_struct (fault, map_pages, page_mkwrite, ...)
 *   ioctl.c   the VMMAP_IOC_* commands of uapi/vmmap.h
 *   sysfs.c   /sys/class/misc/vmmap/: the object's state, root-only counters
 *   compat.h  every difference between kernel versions
 *   probe.c   Kbuild's feature probes of the target kernel (not built in)
 *
 * The mmap path these files take part in is told in docs/mmap-path.md.
 */
#ifndef VMMAP_H
#define VMMAP_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/percpu.h>
#include <linux/mm.h>
#include <linux/rwsem.h>

/*
 * One counter per handler of the mmap path: instrumentation, not ABI, read
 * by root in sysfs (stats/, sysfs.c) with no stability promise.
 */
enum vmmap_stat {
	VMMAP_STAT_MMAP,
	VMMAP_STAT_GET_UNMAPPED_AREA,
	VMMAP_STAT_VMA_OPEN,
	VMMAP_STAT_VMA_CLOSE,
	VMMAP_STAT_FAULT,
	VMMAP_STAT_MAP_PAGES,
	VMMAP_STAT_PAGE_MKWRITE,
	VMMAP_STAT_SIGBUS,
	VMMAP_STAT_FSYNC,
	VMMAP_STAT_PAGES_CLEANED,
	VMMAP_STAT_RESIZE,
	VMMAP_STAT_PAGES_ALLOCATED,
	VMMAP_NR_STATS
};

struct vmmap_pcpu_stats {
	u64 count[VMMAP_NR_STATS];
};

/**
 * struct vmmap_object - the memory behind /dev/vmmap
 * @mnt:	the driver's pseudo filesystem, which owns @inode
 * @inode:	holds the pages in its address_space (i_mapping) and the
 *		object's size in i_size, like a ramfs file
 * @resize_lock: read side held while a page is added, write side while the
 *		size changes, so no page is ever added past the end
 * @end:	the size in pages; equal to i_size but while a shrink runs,
 *		when it is already the new size (vmmap_object_shrink())
 * @max_size:	the largest size a resize may set (bytes; written under
 *		the inode lock, by vmmap_object_set_max_size())
 * @live_vmas:	VMAs mapping the object now, in every process
 * @stats:	event counters, per CPU so that the fault path bumps them
 *		without atomics; readers add the CPUs up
 *
 * Every open file of the device points its f_mapping at @inode's mapping, so
 * all opens share one set of pages and the rmap of every mapping, which is
 * what lets a shrink unmap the tail from every process.
 */
struct vmmap_object {
	struct vfsmount *mnt;
	struct inode *inode;
	struct rw_semaphore resize_lock;
	pgoff_t end;
	loff_t max_size;
	atomic_long_t live_vmas;
	struct vmmap_pcpu_stats __percpu *stats;
};

/**
 * struct vmmap_device - the misc device and the object it exposes
 * @misc:	registered as /dev/vmmap; its drvdata leads back here
 * @obj:	the memory object
 */
struct vmmap_device {
	struct miscdevice misc;
	struct vmmap_object obj;
};

static inline void vmmap_count(struct vmmap_object *obj, enum vmmap_stat s)
{
	this_cpu_inc(obj->stats->count[s]);
}

static inline void vmmap_count_n(struct vmmap_object *obj, enum vmmap_stat s,
				 long n)
{
	this_cpu_add(obj->stats->count[s], n);
}

/* A sum over CPUs: exact once the counted events have stopped. */
static inline u64 vmmap_stat_read(struct vmmap_object *obj, enum vmmap_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(obj->stats, cpu)->count[s];
	return sum;
}

static inline struct address_space *vmmap_mapping(struct vmmap_object *obj)
{
	return obj->inode->i_mapping;
}

static inline loff_t vmmap_size(struct vmmap_object *obj)
{
	return i_size_read(obj->inode);
}

/*
 * Pages in the object, the first page offset past its end, as faults,
 * page_mkwrite and page allocation see it (vmmap_object_shrink() lowers it
 * before i_size).
 */
static inline pgoff_t vmmap_size_pages(struct vmmap_object *obj)
{
	return READ_ONCE(obj->end);
}

/* A run of adjacent dirty folios: pages @start..@end-1. */
struct vmmap_extent {
	pgoff_t start;
	pgoff_t end;
};

/* object.c */
int vmmap_object_init(struct vmmap_object *obj, loff_t size, u64 max_size);
unsigned long vmmap_object_destroy(struct vmmap_object *obj);
struct folio *vmmap_object_get_folio(struct vmmap_object *obj, pgoff_t index,
				     unsigned int order);
int vmmap_object_resize(struct vmmap_object *obj, loff_t new_size);
long vmmap_object_sync(struct vmmap_object *obj, loff_t start, loff_t end);
unsigned int vmmap_object_dirty_scan(struct vmmap_object *obj, pgoff_t index,
				     pgoff_t last, struct vmmap_extent *ext,
				     unsigned int max, pgoff_t *stop);
long vmmap_object_clean_extents(struct vmmap_object *obj,
				const struct vmmap_extent *ext, unsigned int n);
ssize_t vmmap_object_read(struct vmmap_object *obj, struct kiocb *iocb,
			  struct iov_iter *to);
ssize_t vmmap_object_write(struct vmmap_object *obj, struct kiocb *iocb,
			   struct iov_iter *from);
unsigned long vmmap_object_resident_pages(struct vmmap_object *obj);
unsigned long vmmap_object_dirty_pages(struct vmmap_object *obj);
loff_t vmmap_object_ram_limit(void);
int vmmap_object_set_max_size(struct vmmap_object *obj, u64 max_size);
u64 vmmap_object_pages_freed(struct vmmap_object *obj);
void vmmap_object_reset_stats(struct vmmap_object *obj);

/* main.c */
extern bool vmmap_huge;

/* vma.c */
void vmmap_vma_init(struct vmmap_object *obj, struct vm_area_struct *vma);
#ifdef VMMAP_MMAP_PREPARE
void vmmap_vma_desc_init(struct vmmap_object *obj, struct vm_area_desc *desc);
#endif

/* ioctl.c */
long vmmap_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* sysfs.c */
extern const struct attribute_group *vmmap_groups[];

#endif /* VMMAP_H */
