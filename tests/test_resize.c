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
#include <time.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

/* Shrink with a shared mapping in this process and one in a child. */
TEST_F(vmmap, resize_shrink_sigbus_shared)
{
	size_t ps = vt_page(), n = 8;
	struct vmmap_counters s0, s1;
	struct vmmap_info i1;
	struct vt_sync sync;
	int fd = self->fd;
	char *p;
	pid_t pid;

	vt_fresh(_metadata, n * ps);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, n * ps, 0, 10);
	vt_sync_init(_metadata, &sync);

	pid = vt_fork_sync(_metadata, &sync);
	if (pid == 0) {
		/* the child has its own PTEs for every page before the shrink */
		if (!vt_pat_ok(p, n * ps, 0, 10))
			FAIL("child: wrong content before the shrink");
		vt_sync_post(_metadata, &sync, true);
		vt_sync_wait(_metadata, &sync, true);
		EXPECT_EQ(SIGBUS, vt_try_read(p + 4 * ps));
		EXPECT_EQ(SIGBUS, vt_try_read(p + (n - 1) * ps));
		EXPECT_EQ(SIGBUS, vt_try_write(p + 5 * ps, 1));
		EXPECT_TRUE(vt_pat_ok(p, 4 * ps, 0, 10));
		vt_child_exit(_metadata);
	}
	vt_sync_wait(_metadata, &sync, false);

	if (vt_have_driver())
		vt_stats(_metadata, &s0);
	vt_resize(_metadata, 4 * ps);
	ASSERT_EQ(4 * ps, vt_size(_metadata, fd));
	if (vt_have_driver()) {
		vt_stats(_metadata, &s1);
		vt_info(_metadata, fd, &i1);
		vt_stats_log("shrink 8 -> 4 pages", &s0, &s1);
		EXPECT_EQ(1, s1.resize - s0.resize);
		EXPECT_EQ(n - 4, s1.pages_freed - s0.pages_freed);
		EXPECT_EQ(4, i1.resident_pages);
		EXPECT_EQ(4 * ps, i1.object_size);
	}
	vt_sync_post(_metadata, &sync, false);

	ASSERT_EQ(SIGBUS, vt_try_read(p + 4 * ps));
	ASSERT_EQ(SIGBUS, vt_try_write(p + 7 * ps + ps - 1, 1));
	ASSERT_TRUE(vt_pat_ok(p, 4 * ps, 0, 10));
	vt_wait_ok(_metadata, pid);
	vt_unmap(_metadata, p, n * ps);
}

/*
 * After a shrink and a regrow, the same still-mapped addresses read zeroes
 * (through the mapping and read()), the part that survived keeps its data,
 * and the new pages work.
 */
TEST_F(vmmap, resize_regrow_zeroes)
{
	size_t ps = vt_page(), n = 8;
	int fd = self->fd;
	unsigned char *p, *buf;

	vt_fresh(_metadata, n * ps);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, n * ps, 0, 11);
	vt_resize(_metadata, 3 * ps);
	ASSERT_EQ(SIGBUS, vt_try_read(p + 3 * ps));
	vt_resize(_metadata, n * ps);

	ASSERT_TRUE(vt_pat_ok(p, 3 * ps, 0, 11));
	ASSERT_TRUE(vt_zero_ok(p + 3 * ps, (n - 3) * ps));
	buf = malloc(n * ps);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ((ssize_t)(n * ps), pread(fd, buf, n * ps, 0));
	ASSERT_TRUE(vt_pat_ok(buf, 3 * ps, 0, 11));
	ASSERT_TRUE(vt_zero_ok(buf + 3 * ps, (n - 3) * ps));

	vt_pat_fill(p + 3 * ps, (n - 3) * ps, 3 * ps, 12);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 3 * ps, (n - 3) * ps, 12));
	free(buf);
	vt_unmap(_metadata, p, n * ps);
}

/*
 * A MAP_PRIVATE page copied-on-write before a shrink is dropped with it:
 * SIGBUS while the object is short, and after a regrow the page reads as
 * the object's zeroes, not the stale private copy. A private copy inside the
 * new size survives.
 */
TEST_F(vmmap, resize_shrink_drops_private_cow)
{
	size_t ps = vt_page(), n = 8;
	int fd = self->fd;
	unsigned char *p;

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 0, n * ps, 13);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_PRIVATE, fd, 0);
	memset(p + 6 * ps, 0xc6, ps); /* private copy past the cut */
	memset(p + 1 * ps, 0xc1, ps);		/* private copy inside */
	ASSERT_TRUE(vt_pat_ok(p + 5 * ps, ps, 5 * ps, 13));

	vt_resize(_metadata, 4 * ps);
	ASSERT_EQ(SIGBUS, vt_try_read(p + 6 * ps));
	ASSERT_EQ(SIGBUS, vt_try_read(p + 5 * ps));
	ASSERT_EQ(0xc1, vt_peek(p + ps));
	ASSERT_EQ(0xc1, vt_peek(p + 2 * ps - 1));
	ASSERT_TRUE(vt_pat_ok(p + 2 * ps, 2 * ps, 2 * ps, 13));

	vt_resize(_metadata, n * ps);
	ASSERT_TRUE(vt_zero_ok(p + 4 * ps, (n - 4) * ps));
	ASSERT_EQ(0xc1, vt_peek(p + ps));
	vt_unmap(_metadata, p, n * ps);
}

/* Growing exposes zero-filled pages to a mapping made while it was short. */
TEST_F(vmmap, resize_grow_exposes_zeroes)
{
	size_t ps = vt_page();
	int fd = self->fd;
	unsigned char *p;

	vt_fresh(_metadata, 2 * ps);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, 2 * ps, 0, 14);
	ASSERT_EQ(SIGBUS, vt_try_read(p + 2 * ps));
	vt_resize(_metadata, 4 * ps);
	ASSERT_EQ(4 * ps, vt_size(_metadata, fd));
	ASSERT_TRUE(vt_zero_ok(p + 2 * ps, 2 * ps));
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 14));
	vt_pat_fill(p + 2 * ps, 2 * ps, 2 * ps, 15);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 2 * ps, 2 * ps, 15));
	vt_unmap(_metadata, p, 4 * ps);
}

/* Resize to 0: size 0, nothing to read, writes ENOSPC, mappings SIGBUS. */
TEST_F(vmmap, resize_to_zero)
{
	size_t ps = vt_page();
	struct vmmap_info info;
	int fd = self->fd;
	char c = 'x', *p, *q;

	vt_fresh(_metadata, 4 * ps);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	vt_resize(_metadata, 0);
	ASSERT_EQ(0, vt_size(_metadata, fd));
	ASSERT_EQ(0, pread(fd, &c, 1, 0));
	ASSERT_EQ(SIGBUS, vt_try_read(p));
	if (vt_have_driver()) {
		ASSERT_ERRNO(pwrite(fd, &c, 1, 0), ENOSPC);
		vt_info(_metadata, fd, &info);
		EXPECT_EQ(0, info.object_size);
		EXPECT_EQ(0, info.resident_pages);
		EXPECT_EQ(0, info.dirty_pages);
	}
	/* mapping an empty object is allowed; touching it is not */
	q = vt_map(_metadata, NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_EQ(SIGBUS, vt_try_read(q));
	vt_unmap(_metadata, q, ps);

	vt_resize(_metadata, ps);
	ASSERT_EQ(0, vt_peek(p));
	vt_unmap(_metadata, p, 4 * ps);
}

/* What the readers of resize_read_races_shrink share with the test. */
struct read_race {
	volatile int stop;
	long reads, ends, errors;
	int err;
};

/*
 * pread(2) of the last page while shrinks cut it off and grows bring it
 * back: each read returns the data or 0 (the end of the file), never an
 * error. The module reads the size again once it holds the page, and
 * finding the end moved past the offset is an end of file, not a fault.
 * (The old module returned EFAULT: caught once in 60 s by vmmap-stress.)
 */
TEST_F(vmmap, resize_read_races_shrink)
{
	size_t ps = vt_page();
	uint64_t one = 1, v;
	struct read_race *rr;
	time_t end;
	pid_t pid[2];
	long rounds = 0;
	int fd = self->fd, k;

	vt_fresh(_metadata, 2 * ps);
	rr = mmap(NULL, sizeof(*rr), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rr);
	for (k = 0; k < 2; k++) {
		pid[k] = vt_fork(_metadata);
		if (pid[k] == 0) {
			while (!rr->stop) {
				ssize_t r = pread(fd, &v, 8, (off_t)ps);

				__atomic_add_fetch(&rr->reads, 1,
						   __ATOMIC_RELAXED);
				if (r == 0)
					__atomic_add_fetch(&rr->ends, 1,
							   __ATOMIC_RELAXED);
				if (r == 0 || r == 8)
					continue;
				rr->err = r < 0 ? errno : 0;
				__atomic_add_fetch(&rr->errors, 1,
						   __ATOMIC_RELAXED);
			}
			vt_child_exit(_metadata);
		}
	}
	end = time(NULL) + 3;
	while (time(NULL) < end) {
		vt_resize(_metadata, ps);
		vt_resize(_metadata, 2 * ps);
		ASSERT_EQ(8, pwrite(fd, &one, 8, (off_t)ps));
		rounds++;
	}
	rr->stop = 1;
	vt_wait_ok(_metadata, pid[0]);
	vt_wait_ok(_metadata, pid[1]);
	TH_LOG("%ld shrinks, %ld reads, %ld at the end, %ld failed", rounds,
	       rr->reads, rr->ends, rr->errors);
	EXPECT_EQ(0, rr->errors)
		TH_LOG("pread failed: %s", rr->err ? strerror(rr->err) : "short");
	munmap(rr, sizeof(*rr));
}

TEST_HARNESS_MAIN
