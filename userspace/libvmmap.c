// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libvmmap.h"

int vmmap_get_info(int fd, struct vmmap_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, VMMAP_IOC_GET_INFO, info);
}

int vmmap_resize(int fd, uint64_t new_size)
{
	struct vmmap_resize r;

	memset(&r, 0, sizeof(r));
	r.new_size = new_size;
	return ioctl(fd, VMMAP_IOC_RESIZE, &r);
}

int vmmap_dirty(int fd, uint64_t start, uint64_t length, uint64_t flags,
		struct vmmap_range *ranges, uint32_t *nr, uint64_t *walk_end)
{
	struct vmmap_dirty d;

	memset(&d, 0, sizeof(d));
	d.start = start;
	d.length = length;
	d.flags = flags;
	d.ranges = (uint64_t)(uintptr_t)ranges;
	d.nr_ranges = *nr;
	if (ioctl(fd, VMMAP_IOC_DIRTY, &d))
		return -1;
	*nr = d.nr_ranges;
	if (walk_end)
		*walk_end = d.walk_end;
	return 0;
}

/* Reads "<decimal>\n" from @path: 0, or -1 with errno. */
static int read_u64(const char *path, uint64_t *v)
{
	char buf[32], *end;
	ssize_t n;
	int err, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	err = n < 0 ? errno : EINVAL;
	close(fd);
	if (n <= 0) {
		errno = err;
		return -1;
	}
	buf[n] = 0;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int64_t vmmap_sysfs_read(const char *name)
{
	char path[256];
	uint64_t v;

	snprintf(path, sizeof(path), "%s/%s", VMMAP_SYSFS, name);
	return read_u64(path, &v) ? -1 : (int64_t)v;
}

static const struct {
	const char *name;
	size_t off;
} counter_files[] = {
#define C(f) { #f, offsetof(struct vmmap_counters, f) }
	C(mmap), C(get_unmapped_area), C(vma_open), C(vma_close), C(fault),
	C(map_pages), C(page_mkwrite), C(sigbus), C(fsync), C(pages_cleaned),
	C(resize), C(pages_allocated), C(pages_freed),
#undef C
};

const char *vmmap_counter_name(size_t i)
{
	return i < sizeof(counter_files) / sizeof(counter_files[0]) ?
	       counter_files[i].name : NULL;
}

uint64_t vmmap_counter(const struct vmmap_counters *c, size_t i)
{
	return *(const uint64_t *)((const char *)c + counter_files[i].off);
}

int vmmap_read_counters(struct vmmap_counters *c)
{
	char path[256];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(counter_files) / sizeof(counter_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/stats/%s", VMMAP_SYSFS,
			 counter_files[i].name);
		if (read_u64(path, (uint64_t *)((char *)c + counter_files[i].off)))
			return -1;
	}
	return 0;
}

int vmmap_reset_counters(void)
{
	int fd = open(VMMAP_SYSFS "/stats/reset", O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, "1\n", 2);
	close(fd);
	return n == 2 ? 0 : -1;
}

bool vmmap_huge_param(void)
{
	int fd = open("/sys/module/vmmap/parameters/huge", O_RDONLY | O_CLOEXEC);
	char c = 'N';

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 'N';
		close(fd);
	}
	return c == 'Y';
}

bool vmmap_kernel_guards_eof(void)
{
	struct utsname u;
	int maj, min;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return false;
	return maj > 6 || (maj == 6 && min >= 18);
}
