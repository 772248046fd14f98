// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/class/misc/vmmap: size, resident_pages, dirty_pages and live_vmas,
 * world-readable, equal GET_INFO; the counters in stats/ are root-only
 * (0400, reset 0200), instrumentation with no stability promise.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmmap_test.h"

#define NOBODY 65534

static const char *const stat_names[] = {
	"mmap", "get_unmapped_area", "vma_open", "vma_close", "fault",
	"map_pages", "page_mkwrite", "sigbus", "fsync", "pages_cleaned",
	"resize", "pages_allocated", "pages_freed",
};

#define NSTATS ARRAY_SIZE(stat_names)

static void stats_array(const struct vmmap_counters *st, uint64_t *v)
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

static void compare_all(struct __test_metadata *_metadata, int fd, int line)
{
	uint64_t a[NSTATS], b[NSTATS];
	struct vmmap_counters s0, s1;
	struct vmmap_info info;
	int64_t v;
	unsigned int i;

	vt_info(_metadata, fd, &info);
	vt_stats(_metadata, &s0);
	TH_LOG("line %d: size %lld resident %lld dirty %lld live %lld", line,
	    (long long)vmmap_sysfs_read("size"),
	    (long long)vmmap_sysfs_read("resident_pages"),
	    (long long)vmmap_sysfs_read("dirty_pages"),
	    (long long)vmmap_sysfs_read("live_vmas"));
	EXPECT_EQ((int64_t)info.object_size, vmmap_sysfs_read("size"));
	EXPECT_EQ((int64_t)info.resident_pages,
		  vmmap_sysfs_read("resident_pages"));
	EXPECT_EQ((int64_t)info.dirty_pages, vmmap_sysfs_read("dirty_pages"));
	EXPECT_EQ((int64_t)info.live_vmas, vmmap_sysfs_read("live_vmas"));

	stats_array(&s0, a);
	for (i = 0; i < NSTATS; i++) {
		v = sysfs_stat(stat_names[i]);
		if (v != (int64_t)a[i]) {
			TH_LOG("line %d: stats/%s = %lld, libvmmap read %llu",
			    line, stat_names[i], (long long)v,
			    (unsigned long long)a[i]);
			_metadata->exit_code = KSFT_FAIL;
		}
	}
	/* reading sysfs moved no counter */
	vt_stats(_metadata, &s1);
	stats_array(&s1, b);
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	EXPECT_EQ(info.resident_pages, s1.pages_allocated - s1.pages_freed);
}

TEST_F(vmmap, sysfs_matches_ioctl)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char *p, *q;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 16 * ps);
	p = vt_map(_metadata, NULL, 8 * ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	q = vt_map(_metadata, NULL, 4 * ps, PROT_READ, MAP_PRIVATE, fd, 8 * ps);
	vt_poke(p, 1);
	vt_poke(p + 2 * ps, 1);
	vt_poke(p + 5 * ps, 1);
	(void)vt_peek(q + ps);
	compare_all(_metadata, fd, __LINE__); /* 4 resident, 3 dirty, 2 VMAs */

	ASSERT_OK(fsync(fd));
	vt_unmap(_metadata, q, 4 * ps);
	vt_resize(_metadata, 12 * ps);
	compare_all(_metadata, fd, __LINE__);
	vt_unmap(_metadata, p, 8 * ps);
	compare_all(_metadata, fd, __LINE__);
}

static mode_t file_mode(struct __test_metadata *_metadata, const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), VMMAP_SYSFS "/%s", name);
	if (stat(path, &st))
		FAIL("stat %s: %s", path, strerror(errno));
	EXPECT_EQ(0, st.st_uid);
	return st.st_mode & 07777;
}

/*
 * The modes: the object's state for everyone, the counters for root only
 * (0400), reset write-only for root (0200). Nothing else in stats/.
 */
TEST_F(vmmap, sysfs_modes)
{
	static const char *const top[] = {
		"size", "resident_pages", "dirty_pages", "live_vmas",
	};
	char name[64];
	unsigned int i;

	vt_require_driver(_metadata);
	(void)vt_open(_metadata, O_RDWR);
	for (i = 0; i < ARRAY_SIZE(top); i++)
		EXPECT_EQ(0444, file_mode(_metadata, top[i]));
	for (i = 0; i < NSTATS; i++) {
		snprintf(name, sizeof(name), "stats/%s", stat_names[i]);
		if (file_mode(_metadata, name) != 0400) {
			TH_LOG("%s: mode %#o, expected 0400", name,
			       file_mode(_metadata, name));
			_metadata->exit_code = KSFT_FAIL;
		}
	}
	EXPECT_EQ(0200, file_mode(_metadata, "stats/reset"));
}

/* As uid 65534: no counter can be read, reset cannot be written. */
TEST_F(vmmap, sysfs_stats_root_only)
{
	struct vmmap_counters c;
	char path[128];
	unsigned int i;

	vt_require_driver(_metadata);
	(void)vt_open(_metadata, O_RDWR);
	if (geteuid() != 0)
		SKIP(return, "needs root, to drop to uid %d itself", NOBODY);
	ASSERT_OK(vmmap_read_counters(&c));
	ASSERT_OK(setgroups(0, NULL));
	ASSERT_OK(setgid(NOBODY));
	ASSERT_OK(setuid(NOBODY));
	ASSERT_OK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	for (i = 0; i < NSTATS; i++) {
		snprintf(path, sizeof(path), VMMAP_SYSFS "/stats/%s",
			 stat_names[i]);
		EXPECT_ERRNO(open(path, O_RDONLY | O_CLOEXEC), EACCES);
	}
	EXPECT_ERRNO(open(VMMAP_SYSFS "/stats/reset", O_WRONLY | O_CLOEXEC),
		     EACCES);
	EXPECT_ERRNO(vmmap_read_counters(&c), EACCES);
	EXPECT_ERRNO(vmmap_reset_counters(), EACCES);
	/* the object's state stays readable */
	EXPECT_GE(vmmap_sysfs_read("size"), 0);
	EXPECT_GE(vmmap_sysfs_read("dirty_pages"), 0);
}

/* Writing a counter is refused even for root, and changes nothing. */
TEST_F(vmmap, sysfs_stats_read_only)
{
	char path[128];
	unsigned int i;
	int64_t before;
	ssize_t n;
	int sfd;

	vt_require_driver(_metadata);
	(void)vt_open(_metadata, O_RDWR);
	for (i = 0; i < NSTATS; i++) {
		snprintf(path, sizeof(path), VMMAP_SYSFS "/stats/%s",
			 stat_names[i]);
		before = sysfs_stat(stat_names[i]);
		ASSERT_GE(before, 0);
		sfd = open(path, O_WRONLY);
		if (sfd >= 0) {
			n = write(sfd, "0\n", 2);
			if (n >= 0) {
				TH_LOG("%s: write accepted (%zd)", path, n);
				_metadata->exit_code = KSFT_FAIL;
			}
			close(sfd);
		}
		EXPECT_GE(sysfs_stat(stat_names[i]), before);
		if (before > 0)
			EXPECT_NE(0, sysfs_stat(stat_names[i]));
	}
	/* reset cannot be read */
	EXPECT_EQ(-1, vmmap_sysfs_read("stats/reset"));
}

/*
 * stats/reset: counters restart from zero, but pages_allocated (and so
 * pages_freed), whose difference stays the resident count; anything but
 * a true value is refused.
 */
TEST_F(vmmap, sysfs_stats_reset)
{
	size_t ps = vt_page();
	struct vmmap_counters st;
	struct vmmap_info in;
	int fd = vt_open(_metadata, O_RDWR), sfd;
	char *p;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 8 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 4 * ps, 90);
	p = vt_map(_metadata, NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	vt_poke(p, 1);
	(void)vt_peek(p + ps);
	vt_unmap(_metadata, p, 2 * ps);
	ASSERT_OK(fsync(fd));

	sfd = open(VMMAP_SYSFS "/stats/reset", O_WRONLY | O_CLOEXEC);
	ASSERT_OK(sfd);
	EXPECT_ERRNO(write(sfd, "0\n", 2), EINVAL);
	EXPECT_ERRNO(write(sfd, "x\n", 2), EINVAL);
	close(sfd);
	vt_stats(_metadata, &st);
	EXPECT_GT(st.mmap, 0);

	ASSERT_OK(vmmap_reset_counters());
	vt_stats(_metadata, &st);
	EXPECT_EQ(0, st.mmap);
	EXPECT_EQ(0, st.get_unmapped_area);
	EXPECT_EQ(0, st.vma_open);
	EXPECT_EQ(0, st.vma_close);
	EXPECT_EQ(0, st.fault);
	EXPECT_EQ(0, st.map_pages);
	EXPECT_EQ(0, st.page_mkwrite);
	EXPECT_EQ(0, st.sigbus);
	EXPECT_EQ(0, st.fsync);
	EXPECT_EQ(0, st.pages_cleaned);
	EXPECT_EQ(0, st.resize);
	ASSERT_OK(vmmap_get_info(fd, &in));
	EXPECT_GT(st.pages_allocated, 0);
	EXPECT_EQ(in.resident_pages, st.pages_allocated - st.pages_freed);
	/* the object itself is untouched by a reset */
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, ps, 3 * ps, 90));
	EXPECT_EQ(8 * ps, vt_size(_metadata, fd));

	/* counting starts again from zero: one mmap, no access, munmap */
	p = vt_map(_metadata, NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	vt_unmap(_metadata, p, ps);
	vt_stats(_metadata, &st);
	EXPECT_EQ(1, st.mmap);
	EXPECT_EQ(1, st.get_unmapped_area);
	EXPECT_EQ(0, st.vma_open);
	EXPECT_EQ(1, st.vma_close);
	EXPECT_EQ(0, st.fault);
}

TEST_HARNESS_MAIN
