// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: /dev/vmmap, a character device whose mmap path is written out:
 * module init and exit, the misc device and its file_operations. The path
 * itself, from mmap(2) to the first faults, is told in docs/mmap-path.md;
 * read/write/lseek/fsync work on the same object (object.c), as they would
 * on a file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/uio.h>

#include "compat.h"
#include "vmmap.h"
#include "vmmap_trace.h"

static unsigned long size = 64UL << 20;
module_param(size, ulong, 0444);
MODULE_PARM_DESC(size,
		 "object size in bytes at load, page aligned (default 64 MiB)");

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "permissions of /dev/vmmap (default 0600)");

bool vmmap_huge = VMMAP_PMD_ORDER > 0;

/* huge=1 only where the kernel can map the object's pages with PMDs. */
static int vmmap_huge_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err = kstrtobool(val, &on);

	if (err)
		return err;
	if (on && !VMMAP_PMD_ORDER)
		return -EOPNOTSUPP;
	WRITE_ONCE(vmmap_huge, on);
	return 0;
}

static const struct kernel_param_ops vmmap_huge_ops = {
	.set = vmmap_huge_set,
	.get = param_get_bool,
};

module_param_cb(huge, &vmmap_huge_ops, &vmmap_huge, 0644);
MODULE_PARM_DESC(huge, "map aligned ranges with PMD-sized pages");

/* Mappings this large get an address that allows PMD (huge page) entries. */
#define VMMAP_ALIGN PMD_SIZE

static struct vmmap_object *vmmap_file_object(struct file *file)
{
	return file->private_data;
}

/**
 * vmmap_open - open(2) of /dev/vmmap
 * @inode: the device node's inode
 * @file: the new file
 *
 * misc_open() has set file->private_data to our miscdevice. Every open
 * shares the one object: f_mapping is pointed at the object's address_space,
 * which is where the core keeps the rmap of every VMA mapping the file, so
 * all mappings, through any node, are found by truncation and by fsync.
 * Holds a module reference (fops.owner) until release, so rmmod is refused
 * while the device is open or mapped.
 *
 * Context: process context; no locks held; may sleep.
 * Return: 0.
 */
static int vmmap_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vmmap_device *vdev =
		container_of(misc, struct vmmap_device, misc);

	file->private_data = &vdev->obj;
	file->f_mapping = vmmap_mapping(&vdev->obj);
	return 0;
}

static ssize_t vmmap_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return vmmap_object_read(vmmap_file_object(iocb->ki_filp), iocb, to);
}

/* O_SYNC, O_DSYNC and RWF_DSYNC writes clean what they wrote, via ->fsync. */
static ssize_t vmmap_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t ret;

	ret = vmmap_object_write(vmmap_file_object(iocb->ki_filp), iocb, from);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

/* SEEK_END is the object's size; seeking past it is allowed, as on a file. */
static loff_t vmmap_llseek(struct file *file, loff_t offset, int whence)
{
	return generic_file_llseek_size(file, offset, whence, MAX_LFS_FILESIZE,
					vmmap_size(vmmap_file_object(file)));
}

#ifndef VMMAP_MMAP_PREPARE
/**
 * vmmap_mmap - f_op->mmap: set up a new VMA
 * @file: the device file being mapped
 * @vma: the VMA mmap_region() just allocated; not yet linked or visible
 *
 * Maps nothing: pages come later, one fault at a time. A VMA past the
 * object's end is allowed, as for a file; its pages raise SIGBUS when
 * touched. Must not fault, must not take locks a fault holds; if it fails,
 * ->close is not called.
 *
 * Context: process context; mmap_lock held for writing; may sleep.
 * See docs/mmap-path.md, "5. mmap_region and f_op->mmap".
 * Return: 0.
 */
static int vmmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmmap_object *obj = vmmap_file_object(file);

	vmmap_vma_init(obj, vma);
	vmmap_count(obj, VMMAP_STAT_MMAP);
	trace_vmmap_mmap(vma->vm_start, vma->vm_end, vma->vm_pgoff,
			 vma->vm_flags);
	return 0;
}

#else /* VMMAP_MMAP_PREPARE */

/**
 * vmmap_mmap_prepare - f_op->mmap_prepare: describe a VMA that is not built yet
 * @desc: what mmap_region() is about to create: range, pgoff, flags, file
 *
 * The variant built with "make VMMAP_MMAP_PREPARE=1" (kernels 7.1 and
 * later), side by side with vmmap_mmap() above, which it replaces: a file
 * has either ->mmap or ->mmap_prepare. It fills in @desc instead of editing
 * a live VMA, before the VMA exists.
 *
 * Must not count the VMA, since the range may still fail or merge into an
 * existing VMA (vm_ops->mapped counts it once it exists:
 * vmmap_vma_mapped()), and cannot call remap_pfn_range() and friends
 * (mmap "actions" in @desc do that; vmmap maps nothing at mmap time).
 *
 * Context: process context; mmap_lock held for writing; may sleep.
 * See docs/mmap-path.md, "5. mmap_region and f_op->mmap".
 * Return: 0.
 */
static int vmmap_mmap_prepare(struct vm_area_desc *desc)
{
	vmmap_vma_desc_init(vmmap_file_object(desc->file), desc);
	trace_vmmap_mmap(desc->start, desc->end, desc->pgoff,
			 vmmap_desc_vm_flags(desc));
	return 0;
}
#endif /* VMMAP_MMAP_PREPARE */

/* The placement vmmap_get_unmapped_area() documents. */
static unsigned long vmmap_choose_area(struct file *file, unsigned long addr,
				       unsigned long len, unsigned long pgoff,
				       unsigned long flags)
{
	unsigned long off = (pgoff << PAGE_SHIFT) & (VMMAP_ALIGN - 1);
	unsigned long padded = len + VMMAP_ALIGN;
	unsigned long ret;

	if ((flags & MAP_FIXED) || len < VMMAP_ALIGN || padded < len)
		return vmmap_default_get_unmapped_area(file, addr, len, pgoff,
						       flags);
	if (addr) {
		ret = vmmap_default_get_unmapped_area(file, addr, len, pgoff,
						      flags);
		if (ret == addr)
			return ret;
	}
	ret = vmmap_default_get_unmapped_area(file, 0, padded, pgoff, flags);
	if (IS_ERR_VALUE(ret))
		return vmmap_default_get_unmapped_area(file, addr, len, pgoff,
						       flags);
	return ret + ((off - ret) & (VMMAP_ALIGN - 1));
}

/**
 * vmmap_get_unmapped_area - f_op->get_unmapped_area: choose the address
 * @file: the device file
 * @addr: the caller's hint, or the fixed address with MAP_FIXED
 * @len: length, page aligned
 * @pgoff: file offset in pages
 * @flags: MAP_* flags
 *
 * Runs before the VMA exists and before some permission checks, so it must
 * not allocate or change anything; it may fail with -ENOMEM.
 *
 * For mappings of at least 2 MiB (PMD_SIZE), it returns an address whose
 * distance from the file offset is a multiple of PMD_SIZE, so that aligned
 * ranges of the object can later be mapped with one PMD entry. It asks the
 * mm's default allocator for len + PMD_SIZE and moves up inside that range,
 * as drivers/dax does. MAP_FIXED gets exactly @addr; a hint the default
 * allocator can honour is honoured as given; everything else, and small
 * mappings, get the mm's default.
 *
 * Context: process context; mmap_lock held for writing; may sleep.
 * See docs/mmap-path.md, "4. get_unmapped_area".
 * Return: the address, or a negative errno.
 */
static unsigned long vmmap_get_unmapped_area(struct file *file,
					     unsigned long addr,
					     unsigned long len,
					     unsigned long pgoff,
					     unsigned long flags)
{
	unsigned long ret = vmmap_choose_area(file, addr, len, pgoff, flags);

	vmmap_count(vmmap_file_object(file), VMMAP_STAT_GET_UNMAPPED_AREA);
	trace_vmmap_get_unmapped_area(len, pgoff, flags, ret);
	return ret;
}

/**
 * vmmap_fsync - f_op->fsync: msync(MS_SYNC), fsync(2), fdatasync(2)
 * @file: the device file
 * @start: first byte of the range
 * @end: last byte of the range (inclusive)
 * @datasync: ignored: there is no metadata to write
 *
 * There is no storage to write to; what "sync" means here is that every
 * dirty page in the range is write-protected again in every mapping and
 * marked clean, so the next write to it calls ->page_mkwrite. Without an
 * fsync method msync(MS_SYNC) would fail with EINVAL.
 *
 * Context: process context; no mmap_lock held (msync(2) drops it first);
 * may sleep.
 * See docs/mmap-path.md, "7. msync, munmap, mremap and fork".
 * Return: 0.
 */
static int vmmap_fsync(struct file *file, loff_t start, loff_t end,
		       int datasync)
{
	struct vmmap_object *obj = vmmap_file_object(file);

	long cleaned;

	vmmap_count(obj, VMMAP_STAT_FSYNC);
	cleaned = vmmap_object_sync(obj, start, end);
	trace_vmmap_fsync(start, end, cleaned);
	return 0;
}

static const struct file_operations vmmap_fops = {
	.owner = THIS_MODULE,
	.open = vmmap_open,
	.read_iter = vmmap_read_iter,
	.write_iter = vmmap_write_iter,
	.llseek = vmmap_llseek,
#ifndef VMMAP_MMAP_PREPARE
	.mmap = vmmap_mmap,
#else
	.mmap_prepare = vmmap_mmap_prepare,
#endif
	.get_unmapped_area = vmmap_get_unmapped_area,
	.fsync = vmmap_fsync,
	.unlocked_ioctl = vmmap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct vmmap_device vmmap_dev = {
	.misc = {
		.minor	= MISC_DYNAMIC_MINOR,
		.name	= "vmmap",
		.fops	= &vmmap_fops,
		.groups	= vmmap_groups,
	},
};

/*
 * max_size: the largest size a resize may set. Root may change it while
 * the device is in use, never below the object's size (EBUSY). Until the
 * object exists (and once it is gone), a write only stores the value;
 * kernel_param_lock() orders the two, as the sysfs store holds it.
 */
static unsigned long max_size;
static bool vmmap_ready;

static int vmmap_max_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long v;
	int err = kstrtoul(val, 0, &v);

	if (err)
		return err;
	if (vmmap_ready)
		return vmmap_object_set_max_size(&vmmap_dev.obj, v);
	max_size = v;
	return 0;
}

static int vmmap_max_size_get(char *buf, const struct kernel_param *kp)
{
	u64 v = vmmap_ready ? READ_ONCE(vmmap_dev.obj.max_size) : max_size;

	return sysfs_emit(buf, "%llu\n", v);
}

static const struct kernel_param_ops vmmap_max_size_ops = {
	.set = vmmap_max_size_set,
	.get = vmmap_max_size_get,
};

module_param_cb(max_size, &vmmap_max_size_ops, NULL, 0644);
MODULE_PARM_DESC(max_size,
		 "largest size in bytes a resize may set (0: half of RAM)");

/* max_size writes stop reaching the object before it goes. */
static void vmmap_unready(void)
{
	kernel_param_lock(THIS_MODULE);
	vmmap_ready = false;
	kernel_param_unlock(THIS_MODULE);
}

/* One message for each way vmmap_object_init() can fail. */
static void vmmap_report_init_error(int err)
{
	switch (err) {
	case -EINVAL:
		if (!PAGE_ALIGNED(size))
			pr_err("size=%lu: not a multiple of the page size (%lu)\n",
			       size, PAGE_SIZE);
		else
			pr_err("max_size=%lu: not a multiple of the page size or larger than RAM (%lld bytes)\n",
			       max_size, vmmap_object_ram_limit());
		break;
	case -EFBIG:
		pr_err("size=%lu: larger than max_size (%lu, 0: half of RAM)\n",
		       size, max_size);
		break;
	default:
		pr_err("cannot create the memory object: %pe\n", ERR_PTR(err));
	}
}

static int __init vmmap_init(void)
{
	int err;

	kernel_param_lock(THIS_MODULE);
	err = vmmap_object_init(&vmmap_dev.obj, size, max_size);
	vmmap_ready = !err;
	kernel_param_unlock(THIS_MODULE);
	if (err) {
		vmmap_report_init_error(err);
		return err;
	}
	vmmap_dev.misc.mode = mode;
	err = misc_register(&vmmap_dev.misc);
	if (err) {
		pr_err("cannot register /dev/vmmap: %pe\n", ERR_PTR(err));
		vmmap_unready();
		vmmap_object_destroy(&vmmap_dev.obj);
		return err;
	}
	pr_info("/dev/vmmap ready, %lu bytes, at most %lld\n", size,
		vmmap_dev.obj.max_size);
	return 0;
}

static void __exit vmmap_exit(void)
{
	struct vmmap_object *obj = &vmmap_dev.obj;
	u64 allocated = vmmap_stat_read(obj, VMMAP_STAT_PAGES_ALLOCATED);
	unsigned long left;

	misc_deregister(&vmmap_dev.misc);
	vmmap_unready();
	left = vmmap_object_destroy(obj);
	pr_info("unloaded, %llu pages allocated, %llu pages freed\n", allocated,
		allocated - left);
	if (left)
		pr_err("leaked %lu pages\n", left);
}

module_init(vmmap_init);
module_exit(vmmap_exit);

MODULE_DESCRIPTION("Memory device with its own mmap path");
MODULE_AUTHOR("The vmmap authors");
MODULE_LICENSE("GPL");
