// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/class/misc/vmmap: the same numbers as the ioctls, read-only stats.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char *const stat_names[] = {
	"mmap", "get_unmapped_area", "vma_open", "vma_close", "fault",
	"map_pages", "page_mkwrite", "sigbus", "fsync", "pages_cleaned",
	"resize", "pages_allocated", "pages_freed",
};

#define NSTATS ARRAY_SIZE(stat_names)

static void stats_array(const struct vmmap_stats *st, uint64_t *v)
{
	const uint64_t f[NSTATS] = {
		st->mmap, st->get_unmapped_area, st->vma_open, st->vma_close,
		st->fault, st->map_pages, st->page_mkwrite, st->sigbus,
		st->fsync, st->pages_cleaned, st->resize, st->pages_allocated,
		st->pages_freed,
	};

	memcpy(v, f, sizeof(f));
}

static int64_t sysfs_stat(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "stats/%s", name);
	return vmmap_sysfs_read(path);
}

static void compare_all(int fd, int line)
{
	uint64_t a[NSTATS], b[NSTATS];
	struct vmmap_stats s0, s1;
	struct vmmap_info info;
	int64_t v;
	unsigned int i;

	vt_info(fd, &info);
	vt_stats(fd, &s0);
	LOG("line %d: size %lld resident %lld dirty %lld live %lld", line,
	    (long long)vmmap_sysfs_read("size"),
	    (long long)vmmap_sysfs_read("resident_pages"),
	    (long long)vmmap_sysfs_read("dirty_pages"),
	    (long long)vmmap_sysfs_read("live_vmas"));
	EXPECT_EQ(vmmap_sysfs_read("size"), (int64_t)info.object_size);
	EXPECT_EQ(vmmap_sysfs_read("resident_pages"),
		  (int64_t)info.resident_pages);
	EXPECT_EQ(vmmap_sysfs_read("dirty_pages"), (int64_t)info.dirty_pages);
	EXPECT_EQ(vmmap_sysfs_read("live_vmas"), (int64_t)info.live_vmas);

	stats_array(&s0, a);
	for (i = 0; i < NSTATS; i++) {
		v = sysfs_stat(stat_names[i]);
		if (v != (int64_t)a[i]) {
			LOG("line %d: stats/%s = %lld, ioctl says %llu", line,
			    stat_names[i], (long long)v,
			    (unsigned long long)a[i]);
			vt_fail_mark();
		}
	}
	/* reading sysfs moved no counter */
	vt_stats(fd, &s1);
	stats_array(&s1, b);
	EXPECT_EQ(memcmp(a, b, sizeof(a)), 0);
}

TEST(sysfs_matches_ioctl)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	char *p, *q;

	vt_require_driver();
	vt_fresh(16 * ps);
	p = vt_map(NULL, 8 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = vt_map(NULL, 4 * ps, PROT_READ, MAP_PRIVATE, fd, 8 * ps);
	vt_poke(p, 1);
	vt_poke(p + 2 * ps, 1);
	vt_poke(p + 5 * ps, 1);
	(void)vt_peek(q + ps);
	compare_all(fd, __LINE__);		/* 4 resident, 3 dirty, 2 VMAs */

	ASSERT_OK(fsync(fd));
	vt_unmap(q, 4 * ps);
	vt_resize(12 * ps);
	compare_all(fd, __LINE__);
	vt_unmap(p, 8 * ps);
	compare_all(fd, __LINE__);
}

/* Writing the stats is not supported: refused, and nothing changes. */
TEST(sysfs_stats_read_only)
{
	char path[128];
	unsigned int i;
	int64_t before;
	ssize_t n;
	int sfd;

	vt_require_driver();
	(void)vt_open(O_RDWR);
	for (i = 0; i < NSTATS; i++) {
		snprintf(path, sizeof(path), VMMAP_SYSFS "/stats/%s",
			 stat_names[i]);
		before = sysfs_stat(stat_names[i]);
		ASSERT_GE(before, 0);
		sfd = open(path, O_WRONLY);
		if (sfd >= 0) {
			n = write(sfd, "0\n", 2);
			if (n >= 0) {
				LOG("%s: write accepted (%zd)", path, n);
				vt_fail_mark();
			}
			close(sfd);
		}
		EXPECT_GE(sysfs_stat(stat_names[i]), before);
		if (before > 0)
			EXPECT_NE(sysfs_stat(stat_names[i]), 0);
	}
}
