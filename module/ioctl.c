// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: the ioctls of uapi/vmmap.h.
 *
 * Each struct carries its own size; the driver insists on the size it knows,
 * on zero flags and on zero reserved fields, so that later versions can give
 * them meaning. Every layout is the same for 32- and 64-bit callers, so
 * compat_ioctl is compat_ptr_ioctl().
 */
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "../uapi/vmmap.h"

#include "vmmap.h"

/* The caller's struct must announce exactly the size we know. */
static int vmmap_check_size(const void __user *uarg, u32 want)
{
	u32 size;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	return size == want ? 0 : -EINVAL;
}

static long vmmap_ioctl_get_info(struct vmmap_object *obj, void __user *uarg)
{
	struct vmmap_info info = {};
	int err = vmmap_check_size(uarg, sizeof(info));

	if (err)
		return err;
	info.size = sizeof(info);
	info.abi_version = VMMAP_ABI_VERSION;
	info.object_size = vmmap_size(obj);
	info.max_size = vmmap_object_max_size();
	info.page_size = PAGE_SIZE;
	info.resident_pages = vmmap_object_resident_pages(obj);
	info.dirty_pages = vmmap_object_dirty_pages(obj);
	info.live_vmas = atomic_long_read(&obj->live_vmas);
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long vmmap_ioctl_get_stats(struct vmmap_object *obj, void __user *uarg)
{
	struct vmmap_stats st = {
		.size = sizeof(st),
		.mmap = vmmap_stat_read(obj, VMMAP_STAT_MMAP),
		.get_unmapped_area =
			vmmap_stat_read(obj, VMMAP_STAT_GET_UNMAPPED_AREA),
		.vma_open = vmmap_stat_read(obj, VMMAP_STAT_VMA_OPEN),
		.vma_close = vmmap_stat_read(obj, VMMAP_STAT_VMA_CLOSE),
		.fault = vmmap_stat_read(obj, VMMAP_STAT_FAULT),
		.map_pages = vmmap_stat_read(obj, VMMAP_STAT_MAP_PAGES),
		.page_mkwrite = vmmap_stat_read(obj, VMMAP_STAT_PAGE_MKWRITE),
		.sigbus = vmmap_stat_read(obj, VMMAP_STAT_SIGBUS),
		.fsync = vmmap_stat_read(obj, VMMAP_STAT_FSYNC),
		.pages_cleaned = vmmap_stat_read(obj, VMMAP_STAT_PAGES_CLEANED),
		.resize = vmmap_stat_read(obj, VMMAP_STAT_RESIZE),
		.pages_allocated =
			vmmap_stat_read(obj, VMMAP_STAT_PAGES_ALLOCATED),
		.pages_freed = vmmap_object_pages_freed(obj),
	};
	int err = vmmap_check_size(uarg, sizeof(st));

	if (err)
		return err;
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long vmmap_ioctl_resize(struct vmmap_object *obj, void __user *uarg)
{
	struct vmmap_resize req;
	int err = vmmap_check_size(uarg, sizeof(req));

	if (err)
		return err;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.flags ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	if (req.new_size > (u64)LLONG_MAX)
		return -EFBIG;
	return vmmap_object_resize(obj, req.new_size);
}

/**
 * vmmap_ioctl - f_op->unlocked_ioctl (and, through compat_ptr_ioctl(), the
 *		 compat_ioctl of 32-bit processes)
 * @file: the device file
 * @cmd: VMMAP_IOC_*
 * @arg: user pointer to the command's struct
 *
 * Process context, no locks held; may sleep. Commands that change the
 * object need a file opened for writing.
 *
 * Return: 0 or a negative errno: -ENOTTY for an unknown command, -EBADF
 * for a change through a read-only file, -EINVAL for a malformed struct,
 * -EFAULT for a bad pointer, -EFBIG for a size the machine cannot hold.
 */
long vmmap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmmap_object *obj = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VMMAP_IOC_GET_INFO:
		return vmmap_ioctl_get_info(obj, uarg);
	case VMMAP_IOC_GET_STATS:
		return vmmap_ioctl_get_stats(obj, uarg);
	case VMMAP_IOC_RESET_STATS:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		vmmap_object_reset_stats(obj);
		return 0;
	case VMMAP_IOC_RESIZE:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return vmmap_ioctl_resize(obj, uarg);
	default:
		return -ENOTTY;
	}
}
