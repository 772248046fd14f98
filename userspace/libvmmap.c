// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvmmap.h"

int vmmap_get_info(int fd, struct vmmap_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, VMMAP_IOC_GET_INFO, info);
}

int vmmap_get_stats(int fd, struct vmmap_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->size = sizeof(*stats);
	return ioctl(fd, VMMAP_IOC_GET_STATS, stats);
}

int vmmap_reset_stats(int fd)
{
	return ioctl(fd, VMMAP_IOC_RESET_STATS);
}

int vmmap_resize(int fd, uint64_t new_size)
{
	struct vmmap_resize r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.new_size = new_size;
	return ioctl(fd, VMMAP_IOC_RESIZE, &r);
}

int64_t vmmap_sysfs_read(const char *name)
{
	char path[256];
	long long v;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", VMMAP_SYSFS, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%lld", &v);
	fclose(f);
	return n == 1 ? v : -1;
}
