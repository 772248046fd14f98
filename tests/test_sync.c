// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking: page_mkwrite runs once per page on the first write through
 * a shared mapping, and again only after fsync/msync(MS_SYNC) cleaned the
 * page (write-protected it); msync's argument checks (rows "msync ..." of
 * mmap-semantics.md). Counts are exact deltas of the driver's counters over
 * a freshly emptied object.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

static void touch_pages(char *p, size_t first, size_t count, unsigned char v)
{
	size_t ps = vt_page(), i;

	for (i = first; i < first + count; i++) {
		vt_poke(p + i * ps + (i * 7) % ps, v);
		vt_poke(p + i * ps + ps - 1, v);	/* twice per page */
	}
}

TEST_F(vmmap, page_mkwrite_once_per_page_until_fsync)
{
	size_t ps = vt_page(), n = 8;
	struct vmmap_counters s0, s1, s2, s3, s4, s5;
	struct vmmap_info info;
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, n * ps);
	vt_info(_metadata, fd, &info);
	ASSERT_EQ(0, info.dirty_pages);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);

	vt_stats(_metadata, &s0);
	touch_pages(p, 0, n, 1);
	touch_pages(p, 0, n, 2);			/* no more calls */
	vt_stats(_metadata, &s1);
	vt_stats_log("first writes", &s0, &s1);
	EXPECT_EQ(n, s1.page_mkwrite - s0.page_mkwrite);
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(n, info.dirty_pages);

	ASSERT_OK(fsync(fd));
	vt_stats(_metadata, &s2);
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(1, s2.fsync - s1.fsync);
	EXPECT_EQ(n, s2.pages_cleaned - s1.pages_cleaned);
	EXPECT_EQ(0, info.dirty_pages);

	/* re-armed: each page calls page_mkwrite once more */
	touch_pages(p, 0, n, 3);
	vt_stats(_metadata, &s3);
	vt_stats_log("writes after fsync", &s2, &s3);
	EXPECT_EQ(n, s3.page_mkwrite - s2.page_mkwrite);
	EXPECT_EQ(0, s3.fault - s2.fault); /* write-protected, not zapped */

	/* msync(MS_SYNC) does the same, then only written pages re-arm */
	ASSERT_OK(msync(p, n * ps, MS_SYNC));
	vt_stats(_metadata, &s4);
	EXPECT_EQ(1, s4.fsync - s3.fsync);
	EXPECT_EQ(n, s4.pages_cleaned - s3.pages_cleaned);
	touch_pages(p, 2, 3, 4);
	ASSERT_EQ(3, vt_peek(p + 6 * ps + ps - 1)); /* reads call nothing */
	vt_stats(_metadata, &s5);
	EXPECT_EQ(3, s5.page_mkwrite - s4.page_mkwrite);
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(3, info.dirty_pages);

	ASSERT_EQ(4, vt_peek(p + 2 * ps + ps - 1));
	ASSERT_EQ(3, vt_peek(p + 7 * ps + ps - 1));
	vt_unmap(_metadata, p, n * ps);
}

/* A page first mapped by a read fault (read-only PTE) calls page_mkwrite on
 * its first write, without another ->fault.
 */
TEST_F(vmmap, page_mkwrite_after_read_fault)
{
	size_t ps = vt_page(), n = 8, i;
	struct vmmap_counters s0, s1, s2;
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, n * ps);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	vt_stats(_metadata, &s0);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, vt_peek(p + i * ps));
	vt_stats(_metadata, &s1);
	EXPECT_EQ(0, s1.page_mkwrite - s0.page_mkwrite);
	touch_pages(p, 0, n, 5);
	vt_stats(_metadata, &s2);
	vt_stats_log("writes after reads", &s1, &s2);
	EXPECT_EQ(n, s2.page_mkwrite - s1.page_mkwrite);
	EXPECT_EQ(0, s2.fault - s1.fault);
	vt_unmap(_metadata, p, n * ps);
}

/* MAP_PRIVATE writes never call page_mkwrite nor dirty the object. */
TEST_F(vmmap, page_mkwrite_never_for_private)
{
	size_t ps = vt_page(), n = 8;
	struct vmmap_counters s0, s1;
	struct vmmap_info i0, i1;
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 0, n * ps, 40);
	ASSERT_OK(fsync(fd));
	vt_stats(_metadata, &s0);
	vt_info(_metadata, fd, &i0);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(vt_pat_ok(p, ps, 0, 40)); /* read, then write */
	touch_pages(p, 0, n, 6);
	ASSERT_OK(msync(p, n * ps, MS_SYNC));
	vt_stats(_metadata, &s1);
	vt_info(_metadata, fd, &i1);
	vt_stats_log("private writes", &s0, &s1);
	EXPECT_EQ(0, s1.page_mkwrite - s0.page_mkwrite);
	EXPECT_EQ(i0.dirty_pages, i1.dirty_pages);
	EXPECT_EQ(0, s1.fsync - s0.fsync); /* MS_SYNC skips private VMAs */
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, n * ps, 40));
	vt_unmap(_metadata, p, n * ps);
}

/* fsync's count: dirty_pages pages cleaned, no more; each call counted. */
TEST_F(vmmap, fsync_cleans_dirty_pages)
{
	size_t ps = vt_page(), n = 16, k = 5;
	struct vmmap_counters s0, s1, s2, s3;
	struct vmmap_info info;
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, n * ps);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	ASSERT_TRUE(vt_zero_ok(p, n * ps)); /* all resident, clean */
	touch_pages(p, 3, k, 7);
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(k, info.dirty_pages);
	EXPECT_EQ(n, info.resident_pages);
	TH_LOG("smaps Private_Dirty %ld kB, Shared_Dirty %ld kB",
	    vt_smaps_kb(p, "Private_Dirty"), vt_smaps_kb(p, "Shared_Dirty"));

	vt_stats(_metadata, &s0);
	ASSERT_OK(fsync(fd));
	vt_stats(_metadata, &s1);
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(1, s1.fsync - s0.fsync);
	EXPECT_EQ(k, s1.pages_cleaned - s0.pages_cleaned);
	EXPECT_EQ(0, info.dirty_pages);

	ASSERT_OK(fsync(fd));				/* nothing left */
	ASSERT_OK(fdatasync(fd));
	vt_stats(_metadata, &s2);
	EXPECT_EQ(2, s2.fsync - s1.fsync);
	EXPECT_EQ(0, s2.pages_cleaned - s1.pages_cleaned);

	/* data is still there, and a write() is visible after fsync too */
	ASSERT_EQ(7, vt_peek(p + 3 * ps + ps - 1));
	vt_pwrite_pat(_metadata, fd, 12 * ps, ps, 41);
	ASSERT_TRUE(vt_pat_ok(p + 12 * ps, ps, 12 * ps, 41));
	vt_info(_metadata, fd, &info);
	TH_LOG("dirty_pages after one page of write(): %llu",
	    (unsigned long long)info.dirty_pages);
	ASSERT_OK(fsync(fd));
	vt_stats(_metadata, &s3);
	TH_LOG("pages_cleaned by the following fsync: %llu",
	    (unsigned long long)(s3.pages_cleaned - s2.pages_cleaned));
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(0, info.dirty_pages);
	vt_unmap(_metadata, p, n * ps);
}

/*
 * Rows "msync unaligned / unmapped" (EINVAL / ENOMEM), "msync MS_ASYNC"
 * (no-op: no fsync), "msync MS_SYNC on a VM_SHARED mapping" (calls ->fsync,
 * which vmmap has).
 */
TEST_F(vmmap, msync_semantics)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1, s2, s3;
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, 8 * ps);
	p = vt_map_before_hole(_metadata, fd, 2 * ps, 2 * ps);
	vt_poke(p, 1);

	ASSERT_ERRNO(msync(p + 1, ps, MS_SYNC), EINVAL);
	ASSERT_ERRNO(msync(p + ps / 2, ps, MS_ASYNC), EINVAL);
	ASSERT_ERRNO(msync(p, ps, MS_SYNC | MS_ASYNC), EINVAL);
	ASSERT_ERRNO(msync(p, ps, 0x100), EINVAL);	/* unknown flag */
	ASSERT_ERRNO(msync(p + 2 * ps, ps, MS_SYNC), ENOMEM);
	ASSERT_ERRNO(msync(p + 3 * ps, ps, MS_ASYNC), ENOMEM);
	ASSERT_ERRNO(msync(p, 4 * ps, MS_ASYNC), ENOMEM);	/* partly */
	ASSERT_OK(msync(p, 0, MS_SYNC));

	if (vt_have_driver())
		vt_stats(_metadata, &s0);
	ASSERT_OK(msync(p, 2 * ps, MS_ASYNC));
	ASSERT_OK(msync(p, ps, MS_ASYNC | MS_INVALIDATE));
	if (vt_have_driver()) {
		vt_stats(_metadata, &s1);
		EXPECT_EQ(0, s1.fsync - s0.fsync);
	}
	ASSERT_OK(msync(p, 2 * ps, MS_SYNC));
	if (vt_have_driver()) {
		vt_stats(_metadata, &s2);
		EXPECT_EQ(1, s2.fsync - s1.fsync);
	}
	ASSERT_OK(msync(p + ps, ps, MS_SYNC | MS_INVALIDATE));
	if (vt_have_driver()) {
		vt_stats(_metadata, &s3);
		EXPECT_EQ(1, s3.fsync - s2.fsync);
	}
	ASSERT_EQ(1, vt_peek(p));
	vt_unmap(_metadata, p, 2 * ps);
}

/*
 * O_SYNC, O_DSYNC and RWF_DSYNC writes are synchronous: what they wrote is
 * clean (write-protected again) when they return, as after write + fsync.
 */
TEST_F(vmmap, dsync_writes_clean_what_they_wrote)
{
	size_t ps = vt_page(), n = 8;
	struct vmmap_counters s0, s1;
	struct vmmap_info info;
	int flags[] = { O_SYNC, O_DSYNC }, fd = vt_open(_metadata, O_RDWR), sfd;
	struct iovec iov;
	unsigned int i;
	char *buf, *p;

	vt_fresh(_metadata, n * ps);
	buf = malloc(2 * ps);
	ASSERT_TRUE(buf != NULL);
	vt_pat_fill(buf, 2 * ps, 0, 44);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		sfd = vt_open(_metadata, O_RDWR | flags[i]);
		vt_stats(_metadata, &s0);
		ASSERT_EQ((ssize_t)(2 * ps), pwrite(sfd, buf, 2 * ps, 2 * ps));
		vt_stats(_metadata, &s1);
		vt_info(_metadata, fd, &info);
		EXPECT_EQ(0, info.dirty_pages);
		EXPECT_EQ(1, s1.fsync - s0.fsync);
		EXPECT_EQ(2, s1.pages_cleaned - s0.pages_cleaned);
		close(sfd);
	}
	/* RWF_DSYNC on a plain fd; a plain write stays dirty */
	iov.iov_base = buf;
	iov.iov_len = ps;
	ASSERT_EQ((ssize_t)ps, pwritev2(fd, &iov, 1, 5 * ps, RWF_DSYNC));
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(0, info.dirty_pages);
	ASSERT_EQ((ssize_t)ps, pwrite(fd, buf, ps, 6 * ps));
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(1, info.dirty_pages);
	/* the next write through the mapping is seen again */
	vt_stats(_metadata, &s0);
	vt_poke(p + 2 * ps, 1);
	vt_stats(_metadata, &s1);
	EXPECT_EQ(1, s1.page_mkwrite - s0.page_mkwrite);
	vt_unmap(_metadata, p, n * ps);
	free(buf);
}

TEST_HARNESS_MAIN
