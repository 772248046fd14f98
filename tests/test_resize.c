// SPDX-License-Identifier: GPL-2.0
/*
 * Resizing under live mappings: a shrink zaps every PTE past the new end in
 * every process (shared pages and private copies alike) and frees the pages;
 * a later access in the still-existing VMA raises SIGBUS; growing again
 * exposes zero-filled pages. Resize to 0 is allowed.
 *
 * SIGBUS is checked in the very process that had the pages mapped
 * (vt_try_read/vt_try_write, not ASSERT_SIGNAL's fork): a forked copy would
 * fault afresh and hide a PTE the shrink forgot to zap.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define RW (PROT_READ | PROT_WRITE)

/* Shrink with a shared mapping in this process and one in a child. */
TEST(resize_shrink_sigbus_shared)
{
	size_t ps = vt_page(), n = 8;
	struct vmmap_counters s0, s1;
	struct vmmap_info i1;
	struct vt_sync sync;
	int fd = vt_open(O_RDWR);
	char *p;
	pid_t pid;

	vt_fresh(n * ps);
	p = vt_map(NULL, n * ps, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, n * ps, 0, 10);
	vt_sync_init(&sync);

	pid = vt_fork_sync(&sync);
	if (pid == 0) {
		/* the child has its own PTEs for every page before the shrink */
		if (!vt_pat_ok(p, n * ps, 0, 10))
			FAIL("child: wrong content before the shrink");
		vt_sync_post(&sync, true);
		vt_sync_wait(&sync, true);
		EXPECT_EQ(vt_try_read(p + 4 * ps), SIGBUS);
		EXPECT_EQ(vt_try_read(p + (n - 1) * ps), SIGBUS);
		EXPECT_EQ(vt_try_write(p + 5 * ps, 1), SIGBUS);
		EXPECT_TRUE(vt_pat_ok(p, 4 * ps, 0, 10));
		vt_child_exit();
	}
	vt_sync_wait(&sync, false);

	if (vt_have_driver())
		vt_stats(fd, &s0);
	vt_resize(4 * ps);
	ASSERT_EQ(vt_size(fd), 4 * ps);
	if (vt_have_driver()) {
		vt_stats(fd, &s1);
		vt_info(fd, &i1);
		vt_stats_log("shrink 8 -> 4 pages", &s0, &s1);
		EXPECT_EQ(s1.resize - s0.resize, 1);
		EXPECT_EQ(s1.pages_freed - s0.pages_freed, n - 4);
		EXPECT_EQ(i1.resident_pages, 4);
		EXPECT_EQ(i1.object_size, 4 * ps);
	}
	vt_sync_post(&sync, false);

	ASSERT_EQ(vt_try_read(p + 4 * ps), SIGBUS);
	ASSERT_EQ(vt_try_write(p + 7 * ps + ps - 1, 1), SIGBUS);
	ASSERT_TRUE(vt_pat_ok(p, 4 * ps, 0, 10));
	vt_wait_ok(pid);
	vt_unmap(p, n * ps);
}

/*
 * After a shrink and a regrow, the same still-mapped addresses read zeroes
 * (through the mapping and read()), the part that survived keeps its data,
 * and the new pages work.
 */
TEST(resize_regrow_zeroes)
{
	size_t ps = vt_page(), n = 8;
	int fd = vt_open(O_RDWR);
	unsigned char *p, *buf;

	vt_fresh(n * ps);
	p = vt_map(NULL, n * ps, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, n * ps, 0, 11);
	vt_resize(3 * ps);
	ASSERT_EQ(vt_try_read(p + 3 * ps), SIGBUS);
	vt_resize(n * ps);

	ASSERT_TRUE(vt_pat_ok(p, 3 * ps, 0, 11));
	ASSERT_TRUE(vt_zero_ok(p + 3 * ps, (n - 3) * ps));
	buf = malloc(n * ps);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(pread(fd, buf, n * ps, 0), (ssize_t)(n * ps));
	ASSERT_TRUE(vt_pat_ok(buf, 3 * ps, 0, 11));
	ASSERT_TRUE(vt_zero_ok(buf + 3 * ps, (n - 3) * ps));

	vt_pat_fill(p + 3 * ps, (n - 3) * ps, 3 * ps, 12);
	ASSERT_TRUE(vt_pread_pat_ok(fd, 3 * ps, (n - 3) * ps, 12));
	free(buf);
	vt_unmap(p, n * ps);
}

/*
 * A MAP_PRIVATE page copied-on-write before a shrink is dropped with it:
 * SIGBUS while the object is short, and after a regrow the page reads as
 * the object's zeroes, not the stale private copy. A private copy inside the
 * new size survives.
 */
TEST(resize_shrink_drops_private_cow)
{
	size_t ps = vt_page(), n = 8;
	int fd = vt_open(O_RDWR);
	unsigned char *p;

	vt_fresh(n * ps);
	vt_pwrite_pat(fd, 0, n * ps, 13);
	p = vt_map(NULL, n * ps, RW, MAP_PRIVATE, fd, 0);
	memset(p + 6 * ps, 0xc6, ps);		/* private copy past the cut */
	memset(p + 1 * ps, 0xc1, ps);		/* private copy inside */
	ASSERT_TRUE(vt_pat_ok(p + 5 * ps, ps, 5 * ps, 13));

	vt_resize(4 * ps);
	ASSERT_EQ(vt_try_read(p + 6 * ps), SIGBUS);
	ASSERT_EQ(vt_try_read(p + 5 * ps), SIGBUS);
	ASSERT_EQ(vt_peek(p + ps), 0xc1);
	ASSERT_EQ(vt_peek(p + 2 * ps - 1), 0xc1);
	ASSERT_TRUE(vt_pat_ok(p + 2 * ps, 2 * ps, 2 * ps, 13));

	vt_resize(n * ps);
	ASSERT_TRUE(vt_zero_ok(p + 4 * ps, (n - 4) * ps));
	ASSERT_EQ(vt_peek(p + ps), 0xc1);
	vt_unmap(p, n * ps);
}

/* Growing exposes zero-filled pages to a mapping made while it was short. */
TEST(resize_grow_exposes_zeroes)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	unsigned char *p;

	vt_fresh(2 * ps);
	p = vt_map(NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, 2 * ps, 0, 14);
	ASSERT_EQ(vt_try_read(p + 2 * ps), SIGBUS);
	vt_resize(4 * ps);
	ASSERT_EQ(vt_size(fd), 4 * ps);
	ASSERT_TRUE(vt_zero_ok(p + 2 * ps, 2 * ps));
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 14));
	vt_pat_fill(p + 2 * ps, 2 * ps, 2 * ps, 15);
	ASSERT_TRUE(vt_pread_pat_ok(fd, 2 * ps, 2 * ps, 15));
	vt_unmap(p, 4 * ps);
}

/* Resize to 0: size 0, nothing to read, writes ENOSPC, mappings SIGBUS. */
TEST(resize_to_zero)
{
	size_t ps = vt_page();
	struct vmmap_info info;
	int fd = vt_open(O_RDWR);
	char c = 'x', *p, *q;

	vt_fresh(4 * ps);
	p = vt_map(NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	vt_resize(0);
	ASSERT_EQ(vt_size(fd), 0);
	ASSERT_EQ(pread(fd, &c, 1, 0), 0);
	ASSERT_EQ(vt_try_read(p), SIGBUS);
	if (vt_have_driver()) {
		ASSERT_ERRNO(pwrite(fd, &c, 1, 0), ENOSPC);
		vt_info(fd, &info);
		EXPECT_EQ(info.object_size, 0);
		EXPECT_EQ(info.resident_pages, 0);
		EXPECT_EQ(info.dirty_pages, 0);
	}
	/* mapping an empty object is allowed; touching it is not */
	q = vt_map(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_EQ(vt_try_read(q), SIGBUS);
	vt_unmap(q, ps);

	vt_resize(ps);
	ASSERT_EQ(vt_peek(p), 0);
	vt_unmap(p, 4 * ps);
}
