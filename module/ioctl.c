// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: the ioctls of uapi/vmmap.h.
 *
 * Extensible structs as copy_struct_from_user() has them: the caller's
 * struct size is _IOC_SIZE(cmd), so a command is matched on its type,
 * number and direction, and any size from the struct's VMMAP_*_SIZE_VER0 on
 * is accepted. Input comes through copy_struct_from_user() (a larger struct
 * must have a zero tail: E2BIG), output through copy_struct_to_user() (cut
 * to the caller's size, a larger struct zero-filled). Every layout is the
 * same for 32- and 64-bit callers, so compat_ioctl is compat_ptr_ioctl().
 */
#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../uapi/vmmap.h"

#include "compat.h"
#include "vmmap.h"

/* A command without its size: type, number and direction. */
#define VMMAP_IOC_BASE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/* Ranges one VMMAP_IOC_DIRTY call reports at most (a page of extents). */
#define VMMAP_DIRTY_MAX_RANGES 256

static long vmmap_ioctl_get_info(struct vmmap_object *obj, void __user *uarg,
				 size_t usize)
{
	struct vmmap_info info = {
		.object_size = vmmap_size(obj),
		.max_size = READ_ONCE(obj->max_size),
		.page_size = PAGE_SIZE,
		.abi_version = VMMAP_ABI_VERSION,
		.resident_pages = vmmap_object_resident_pages(obj),
		.dirty_pages = vmmap_object_dirty_pages(obj),
		.live_vmas = atomic_long_read(&obj->live_vmas),
		.max_folio_size = PAGE_SIZE << VMMAP_PMD_ORDER,
	};

	if (VMMAP_PMD_ORDER && READ_ONCE(vmmap_huge))
		info.flags |= VMMAP_INFO_HUGE;
	return copy_struct_to_user(uarg, usize, &info, sizeof(info), NULL);
}

static long vmmap_ioctl_resize(struct vmmap_object *obj, void __user *uarg,
			       size_t usize)
{
	struct vmmap_resize req;
	int err;

	err = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (err)
		return err;
	if (req.flags)
		return -EINVAL;
	if (req.new_size > (u64)LLONG_MAX)
		return -EFBIG;
	return vmmap_object_resize(obj, req.new_size);
}

/*
 * Report the dirty folios of a range and, with VMMAP_DIRTY_CLEAR, clean
 * them. Everything is written to the caller before anything is cleaned,
 * so a failed copy (EFAULT) leaves the dirty set as it was and nothing
 * needs to be tagged dirty again.
 */
static long vmmap_ioctl_dirty(struct file *file, struct vmmap_object *obj,
			      void __user *uarg, size_t usize)
{
	struct vmmap_range __user *uranges;
	struct vmmap_extent *ext = NULL;
	struct vmmap_dirty req;
	unsigned int i, max, n = 0;
	u64 end, limit, size;
	struct vmmap_range r;
	pgoff_t stop, last;
	int err;

	err = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (err)
		return err;
	if ((req.flags & ~VMMAP_DIRTY_CLEAR) || req.reserved ||
	    !req.nr_ranges || !req.length || !PAGE_ALIGNED(req.start) ||
	    !PAGE_ALIGNED(req.length) ||
	    check_add_overflow(req.start, req.length, &end))
		return -EINVAL;
	if ((req.flags & VMMAP_DIRTY_CLEAR) && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	uranges = u64_to_user_ptr(req.ranges);
	if (!access_ok(uranges, (size_t)req.nr_ranges * sizeof(*uranges)))
		return -EFAULT;

	size = vmmap_size(obj);
	limit = min(end, size);
	req.walk_end = max(limit, req.start);
	if (limit > req.start) {
		max = min_t(u32, req.nr_ranges, VMMAP_DIRTY_MAX_RANGES);
		ext = kmalloc_array(max, sizeof(*ext), GFP_KERNEL);
		if (!ext)
			return -ENOMEM;
		last = (limit - 1) >> PAGE_SHIFT;
		n = vmmap_object_dirty_scan(obj, req.start >> PAGE_SHIFT, last,
					    ext, max, &stop);
		if (stop <= last)
			req.walk_end = (u64)stop << PAGE_SHIFT;
	}
	for (i = 0; i < n; i++) {
		r.start = (u64)ext[i].start << PAGE_SHIFT;
		/* the tail of a huge page a shrink kept lies past the end */
		r.end = min_t(u64, (u64)ext[i].end << PAGE_SHIFT, size);
		if (copy_to_user(&uranges[i], &r, sizeof(r))) {
			err = -EFAULT;
			goto out;
		}
	}
	req.nr_ranges = n;
	err = copy_struct_to_user(uarg, usize, &req, sizeof(req), NULL);
	if (!err && (req.flags & VMMAP_DIRTY_CLEAR))
		vmmap_object_clean_extents(obj, ext, n);
out:
	kfree(ext);
	return err;
}

/**
 * vmmap_ioctl - f_op->unlocked_ioctl (and, through compat_ptr_ioctl(), the
 *		 compat_ioctl of 32-bit processes)
 * @file: the device file
 * @cmd: VMMAP_IOC_*, of any struct size from the command's
 *	 VMMAP_*_SIZE_VER0 on
 * @arg: user pointer to the command's struct
 *
 * Commands that change the object need a file opened for writing.
 *
 * Context: process context; no locks held; may sleep.
 * Return: 0 or a negative errno: -ENOTTY for an unknown command (type,
 * number or direction), -EINVAL for a struct smaller than its first
 * version or a malformed one, -E2BIG for a larger one with a non-zero
 * tail, -EBADF for a change through a read-only file, -EFAULT for a bad
 * pointer, -EFBIG for a size the machine cannot hold, -ENOMEM.
 */
long vmmap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmmap_object *obj = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	/* This version's structs are the first versions. */
	BUILD_BUG_ON(sizeof(struct vmmap_info) != VMMAP_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vmmap_resize) != VMMAP_RESIZE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vmmap_dirty) != VMMAP_DIRTY_SIZE_VER0);

	switch (VMMAP_IOC_BASE(cmd)) {
	case VMMAP_IOC_BASE(VMMAP_IOC_GET_INFO):
		if (usize < VMMAP_INFO_SIZE_VER0)
			return -EINVAL;
		return vmmap_ioctl_get_info(obj, uarg, usize);
	case VMMAP_IOC_BASE(VMMAP_IOC_RESIZE):
		if (usize < VMMAP_RESIZE_SIZE_VER0)
			return -EINVAL;
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return vmmap_ioctl_resize(obj, uarg, usize);
	case VMMAP_IOC_BASE(VMMAP_IOC_DIRTY):
		if (usize < VMMAP_DIRTY_SIZE_VER0)
			return -EINVAL;
		return vmmap_ioctl_dirty(file, obj, uarg, usize);
	default:
		return -ENOTTY;
	}
}
