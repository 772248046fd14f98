// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: sysfs attributes of the misc device, /sys/class/misc/vmmap/:
 *   size, resident_pages, dirty_pages, live_vmas
 *			world-readable, what VMMAP_IOC_GET_INFO reports
 *   stats/<counter>	one file per enum vmmap_stat, plus pages_freed;
 *			mode 0400 (root only)
 *   stats/reset	mode 0200: writing 1 restarts the counters
 * The counters are instrumentation of the mmap path, not ABI: names and
 * meanings may change with any version (uapi/vmmap.h). Each show() reads
 * atomics or per-CPU sums and takes no lock.
 */
#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>

#include "vmmap.h"

static struct vmmap_object *vmmap_dev_object(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return &container_of(misc, struct vmmap_device, misc)->obj;
}

static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%lld\n", vmmap_size(vmmap_dev_object(dev)));
}
static DEVICE_ATTR_RO(size);

static ssize_t resident_pages_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  vmmap_object_resident_pages(vmmap_dev_object(dev)));
}
static DEVICE_ATTR_RO(resident_pages);

static ssize_t dirty_pages_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  vmmap_object_dirty_pages(vmmap_dev_object(dev)));
}
static DEVICE_ATTR_RO(dirty_pages);

static ssize_t live_vmas_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&vmmap_dev_object(dev)->live_vmas));
}
static DEVICE_ATTR_RO(live_vmas);

static struct attribute *vmmap_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_resident_pages.attr,
	&dev_attr_dirty_pages.attr,
	&dev_attr_live_vmas.attr,
	NULL,
};

static const struct attribute_group vmmap_group = {
	.attrs = vmmap_attrs,
};

/* One root-only file per counter, all sharing one show(). */
struct vmmap_stat_attr {
	struct device_attribute attr;
	enum vmmap_stat stat;
};

static ssize_t vmmap_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vmmap_stat_attr *sa =
		container_of(attr, struct vmmap_stat_attr, attr);

	return sysfs_emit(buf, "%llu\n",
			  vmmap_stat_read(vmmap_dev_object(dev), sa->stat));
}

#define VMMAP_STAT_ATTR(_name, _stat)                               \
	static struct vmmap_stat_attr vmmap_stat_attr_##_name = {   \
		.attr = __ATTR(_name, 0400, vmmap_stat_show, NULL), \
		.stat = _stat,                                      \
	}

VMMAP_STAT_ATTR(mmap, VMMAP_STAT_MMAP);
VMMAP_STAT_ATTR(get_unmapped_area, VMMAP_STAT_GET_UNMAPPED_AREA);
VMMAP_STAT_ATTR(vma_open, VMMAP_STAT_VMA_OPEN);
VMMAP_STAT_ATTR(vma_close, VMMAP_STAT_VMA_CLOSE);
VMMAP_STAT_ATTR(fault, VMMAP_STAT_FAULT);
VMMAP_STAT_ATTR(map_pages, VMMAP_STAT_MAP_PAGES);
VMMAP_STAT_ATTR(page_mkwrite, VMMAP_STAT_PAGE_MKWRITE);
VMMAP_STAT_ATTR(sigbus, VMMAP_STAT_SIGBUS);
VMMAP_STAT_ATTR(fsync, VMMAP_STAT_FSYNC);
VMMAP_STAT_ATTR(pages_cleaned, VMMAP_STAT_PAGES_CLEANED);
VMMAP_STAT_ATTR(resize, VMMAP_STAT_RESIZE);
VMMAP_STAT_ATTR(pages_allocated, VMMAP_STAT_PAGES_ALLOCATED);

/* Derived, not counted: see vmmap_object_pages_freed(). */
static ssize_t pages_freed_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  vmmap_object_pages_freed(vmmap_dev_object(dev)));
}
static DEVICE_ATTR_ADMIN_RO(pages_freed);

/* Counters restart from zero, but pages_allocated (object.c says why). */
static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	bool on;
	int err = kstrtobool(buf, &on);

	if (err)
		return err;
	if (!on)
		return -EINVAL;
	vmmap_object_reset_stats(vmmap_dev_object(dev));
	return count;
}
static DEVICE_ATTR_WO(reset);

static struct attribute *vmmap_stat_attrs[] = {
	&vmmap_stat_attr_mmap.attr.attr,
	&vmmap_stat_attr_get_unmapped_area.attr.attr,
	&vmmap_stat_attr_vma_open.attr.attr,
	&vmmap_stat_attr_vma_close.attr.attr,
	&vmmap_stat_attr_fault.attr.attr,
	&vmmap_stat_attr_map_pages.attr.attr,
	&vmmap_stat_attr_page_mkwrite.attr.attr,
	&vmmap_stat_attr_sigbus.attr.attr,
	&vmmap_stat_attr_fsync.attr.attr,
	&vmmap_stat_attr_pages_cleaned.attr.attr,
	&vmmap_stat_attr_resize.attr.attr,
	&vmmap_stat_attr_pages_allocated.attr.attr,
	&dev_attr_pages_freed.attr,
	&dev_attr_reset.attr,
	NULL,
};

static const struct attribute_group vmmap_stat_group = {
	.name = "stats",
	.attrs = vmmap_stat_attrs,
};

const struct attribute_group *vmmap_groups[] = {
	&vmmap_group,
	&vmmap_stat_group,
	NULL,
};
