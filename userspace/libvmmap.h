/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmmap: small helpers around the /dev/vmmap ioctls, shared by the
 * tools in userspace/ and the tests in tests/.
 */
#ifndef LIBVMMAP_H
#define LIBVMMAP_H

#include <stdint.h>
#include "../uapi/vmmap.h"

#define VMMAP_DEV	"/dev/vmmap"
#define VMMAP_SYSFS	"/sys/class/misc/vmmap"

/* Each returns 0 or -1 with errno set, like the ioctl itself. */
int vmmap_get_info(int fd, struct vmmap_info *info);
int vmmap_get_stats(int fd, struct vmmap_stats *stats);
int vmmap_reset_stats(int fd);
int vmmap_resize(int fd, uint64_t new_size);

/* Reads one counter from VMMAP_SYSFS/<name>; returns -1 on error. */
int64_t vmmap_sysfs_read(const char *name);

#endif
