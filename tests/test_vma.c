// SPDX-License-Identifier: GPL-2.0
/*
 * VMA life cycle: vm_ops->open/close keep info.live_vmas equal to the number
 * of VMAs mapping the object (in all processes) through splits (partial
 * munmap / mprotect), mremap (shrink, grow, move), remap_file_pages and
 * fork; the pieces keep working.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

static uint64_t live_vmas(struct __test_metadata *_metadata, int fd)
{
	struct vmmap_info info;

	if (!vt_have_driver())
		return 0;
	vt_info(_metadata, fd, &info);
	return info.live_vmas;
}

/*
 * This process maps the object with n VMAs (maps), and the driver counts
 * base + n; n < 0: whatever maps shows, as long as the driver agrees.
 */
static void check_vmas(struct __test_metadata *_metadata, int fd, uint64_t base,
		       int n, int line)
{
	int seen = vt_count_obj_vmas();

	if (n >= 0 && seen != n) {
		TH_LOG("line %d: %d VMAs of the object in maps, expected %d",
		    line, seen, n);
		_metadata->exit_code = KSFT_FAIL;
	}
	if (vt_have_driver() &&
	    live_vmas(_metadata, fd) != base + (uint64_t)seen) {
		TH_LOG("line %d: live_vmas %llu, expected %llu + %d", line,
		    (unsigned long long)live_vmas(_metadata, fd),
		    (unsigned long long)base, seen);
		_metadata->exit_code = KSFT_FAIL;
	}
}

#define CHECK_VMAS(fd, base, n) check_vmas(_metadata, fd, base, n, __LINE__)

/*
 * A fresh object of @size bytes, its first @len mapped shared and filled
 * with pattern @seed; *base: live_vmas before the mapping.
 */
static void *map_filled(struct __test_metadata *_metadata, int fd, size_t size,
			size_t len, unsigned int seed, uint64_t *base)
{
	void *p;

	vt_fresh(_metadata, size);
	*base = live_vmas(_metadata, fd);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, len, 0, seed);
	return p;
}

TEST_F(vmmap, live_vmas_count)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	int fd = self->fd;
	uint64_t base;
	char *a, *b;

	vt_fresh(_metadata, 8 * ps);
	base = live_vmas(_metadata, fd);
	if (vt_have_driver())
		vt_stats(_metadata, &s0);
	a = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	CHECK_VMAS(fd, base, 1);
	b = vt_map(_metadata, NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 2 * ps);
	CHECK_VMAS(fd, base, 2);
	if (vt_have_driver())
		EXPECT_EQ(base + 2, (uint64_t)vmmap_sysfs_read("live_vmas"));
	vt_unmap(_metadata, a, 4 * ps);
	CHECK_VMAS(fd, base, 1);
	vt_unmap(_metadata, b, 2 * ps);
	CHECK_VMAS(fd, base, 0);
	if (vt_have_driver()) {
		vt_stats(_metadata, &s1);
		EXPECT_EQ(2, s1.mmap - s0.mmap);
		EXPECT_EQ(0, s1.vma_open - s0.vma_open); /* not on first mmap */
		EXPECT_EQ(2, s1.vma_close - s0.vma_close);
		EXPECT_EQ(base, live_vmas(_metadata, fd));
	}
}

/* Row "munmap of part of a VMA": split, ->open on the new piece. */
TEST_F(vmmap, munmap_partial_split)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	int fd = self->fd;
	unsigned char *p;
	uint64_t base;

	p = map_filled(_metadata, fd, 8 * ps, 4 * ps, 70, &base);
	if (vt_have_driver())
		vt_stats(_metadata, &s0);

	vt_unmap(_metadata, p + ps, ps); /* a hole: 2 VMAs */
	CHECK_VMAS(fd, base, 2);
	if (vt_have_driver()) {
		vt_stats(_metadata, &s1);
		vt_stats_log("munmap of the 2nd of 4 pages", &s0, &s1);
		EXPECT_GE(s1.vma_open - s0.vma_open, 1);
		EXPECT_EQ(1, (s1.vma_open - s0.vma_open) -
				     (s1.vma_close - s0.vma_close));
	}
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p + ps));
	ASSERT_TRUE(vt_pat_ok(p, ps, 0, 70));
	ASSERT_TRUE(vt_pat_ok(p + 2 * ps, 2 * ps, 2 * ps, 70));
	p[3 * ps] = 0x33;
	p[0] = 0x30;
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, ps, ps,
				    70)); /* object untouched */
	{
		unsigned char c;

		ASSERT_EQ(1, pread(fd, &c, 1, 3 * ps));
		ASSERT_EQ(0x33, c);
		ASSERT_EQ(1, pread(fd, &c, 1, 0));
		ASSERT_EQ(0x30, c);
	}

	vt_unmap(_metadata, p, ps); /* the head piece */
	CHECK_VMAS(fd, base, 1);
	vt_unmap(_metadata, p + 3 * ps, ps); /* the tail of the rest */
	CHECK_VMAS(fd, base, 1);
	ASSERT_TRUE(vt_pat_ok(p + 2 * ps, ps, 2 * ps, 70));
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p + 3 * ps));
	vt_unmap(_metadata, p + 2 * ps, ps);
	CHECK_VMAS(fd, base, 0);
}

/* Row "mprotect of part of a VMA": split into 3; protections per piece. */
TEST_F(vmmap, mprotect_partial_split)
{
	size_t ps = vt_page();
	int fd = self->fd;
	unsigned char *p, c;
	uint64_t base;

	p = map_filled(_metadata, fd, 8 * ps, 4 * ps, 71, &base);

	ASSERT_OK(mprotect(p + ps, 2 * ps, PROT_READ));
	CHECK_VMAS(fd, base, 3);
	ASSERT_SIGNAL(SIGSEGV, vt_poke(p + ps, 1));
	EXPECT_EQ(SEGV_ACCERR, vt_sig_code);
	ASSERT_SIGNAL(SIGSEGV, vt_poke(p + 3 * ps - 1, 1));
	ASSERT_TRUE(vt_pat_ok(p, 4 * ps, 0, 71));
	p[0] = 0x40;
	p[3 * ps] = 0x43;
	ASSERT_EQ(1, pread(fd, &c, 1, 3 * ps));
	ASSERT_EQ(0x43, c);

	/* writable again: the kernel may or may not merge; counts agree */
	ASSERT_OK(mprotect(p + ps, 2 * ps, RW));
	CHECK_VMAS(fd, base, -1);
	p[ps] = 0x41;
	ASSERT_EQ(1, pread(fd, &c, 1, ps));
	ASSERT_EQ(0x41, c);

	ASSERT_OK(mprotect(p + 3 * ps, ps, PROT_NONE));
	CHECK_VMAS(fd, base, -1);
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p + 3 * ps));
	vt_unmap(_metadata, p, 4 * ps);
	CHECK_VMAS(fd, base, 0);
}

/* Row "mremap shrink": in place, the cut part closed. */
TEST_F(vmmap, mremap_shrink)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char *p, *q;
	uint64_t base;

	p = map_filled(_metadata, fd, 8 * ps, 4 * ps, 72, &base);
	q = mremap(p, 4 * ps, 2 * ps, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(p, q);
	CHECK_VMAS(fd, base, 1);
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 72));
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p + 2 * ps));
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 2 * ps, 2 * ps, 72));
	vt_unmap(_metadata, p, 2 * ps);
	CHECK_VMAS(fd, base, 0);
}

/*
 * Row "mremap grow": no VM_DONTEXPAND, so growing works; in place when the
 * space is free, the new part maps the following object pages; grown past
 * the object's end, the excess raises SIGBUS.
 */
TEST_F(vmmap, mremap_grow)
{
	size_t ps = vt_page(), n = 8;
	int fd = self->fd;
	char *area, *p, *q;
	uint64_t base;

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 0, n * ps, 73);
	base = live_vmas(_metadata, fd);
	area = vt_free_area(_metadata, 12 * ps);
	p = vt_map(_metadata, area, 2 * ps, RW,
		   MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	ASSERT_EQ(area, p);
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 73));

	q = mremap(p, 2 * ps, 4 * ps, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(p, q);
	CHECK_VMAS(fd, base, 1);
	ASSERT_TRUE(vt_pat_ok(p, 4 * ps, 0, 73));
	p[3 * ps] = 0x5c;
	{
		unsigned char c;

		ASSERT_EQ(1, pread(fd, &c, 1, 3 * ps));
		ASSERT_EQ(0x5c, c);
	}

	q = mremap(p, 4 * ps, (n + 2) * ps, 0); /* past the end */
	ASSERT_EQ(p, q);
	CHECK_VMAS(fd, base, 1);
	ASSERT_TRUE(vt_pat_ok(p + 4 * ps, (n - 4) * ps, 4 * ps, 73));
	ASSERT_SIGNAL(SIGBUS, vt_peek(p + n * ps));
	ASSERT_SIGNAL(SIGBUS, vt_poke(p + (n + 1) * ps, 1));
	vt_unmap(_metadata, p, (n + 2) * ps);
	CHECK_VMAS(fd, base, 0);
}

/* Row "mremap move": data preserved (same object pages), old range gone. */
TEST_F(vmmap, mremap_move)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char *p, *q, *target, *blocker;
	uint64_t base;

	p = map_filled(_metadata, fd, 8 * ps, 2 * ps, 74, &base);

	target = vt_free_area(_metadata, 2 * ps);
	q = mremap(p, 2 * ps, 2 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(target, q);
	CHECK_VMAS(fd, base, 1);
	ASSERT_TRUE(vt_pat_ok(q, 2 * ps, 0, 74));
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p));
	q[ps] = 0x6d;
	{
		unsigned char c;

		ASSERT_EQ(1, pread(fd, &c, 1, ps));
		ASSERT_EQ(0x6d, c);
	}

	/* grow where the next page is taken: fails in place, moves if allowed */
	blocker = vt_map(_metadata, q + 2 * ps, ps, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			 0);
	ASSERT_EQ(q + 2 * ps, blocker);
	ASSERT_ERRNO(mremap(q, 2 * ps, 4 * ps, 0), ENOMEM);
	vt_pwrite_pat(_metadata, fd, 2 * ps, 2 * ps, 75);
	p = mremap(q, 2 * ps, 4 * ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(q, p);
	CHECK_VMAS(fd, base, 1);
	ASSERT_EQ(0x6d, p[ps]);
	ASSERT_TRUE(vt_pat_ok(p + 2 * ps, 2 * ps, 2 * ps, 75));
	vt_unmap(_metadata, blocker, ps);
	vt_unmap(_metadata, p, 4 * ps);
	CHECK_VMAS(fd, base, 0);
}

/*
 * Row "remap_file_pages": deprecated, emulated with a MAP_FIXED |
 * MAP_POPULATE mmap of the same file (so ->mmap runs again); needs prot 0
 * and a shared VMA. The mapping shows the object's pages rearranged.
 */
TEST_F(vmmap, remap_file_pages_rearranges)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	int fd = self->fd;
	unsigned char *p, *pr, c;
	uint64_t base;
	long r;

	vt_fresh(_metadata, 4 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 4 * ps, 76);
	base = live_vmas(_metadata, fd);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	if (vt_have_driver())
		vt_stats(_metadata, &s0);
	r = syscall(SYS_remap_file_pages, p, ps, 0, 3, 0);
	if (r == -1 && errno == ENOSYS)
		SKIP(return, "remap_file_pages: ENOSYS on this kernel");
	ASSERT_EQ(0, r);
	if (vt_have_driver()) {
		vt_stats(_metadata, &s1);
		vt_stats_log("remap_file_pages", &s0, &s1);
		EXPECT_EQ(1, s1.mmap - s0.mmap);
	}
	CHECK_VMAS(fd, base, 2);
	ASSERT_TRUE(vt_pat_ok(p, ps, 3 * ps, 76)); /* page 3 at 0 */
	ASSERT_TRUE(vt_pat_ok(p + ps, 3 * ps, ps, 76));	/* rest as was */
	p[0] = 0x7e;
	ASSERT_EQ(1, pread(fd, &c, 1, 3 * ps));
	ASSERT_EQ(0x7e, c);
	ASSERT_EQ(0x7e, p[3 * ps]);			/* same page twice */

	/* two pages in the middle now show pages 0 and 1 */
	ASSERT_OK(syscall(SYS_remap_file_pages, p + ps, 2 * ps, 0, 0, 0));
	ASSERT_TRUE(vt_pat_ok(p + ps, 2 * ps, 0, 76));
	CHECK_VMAS(fd, base, -1);

	ASSERT_ERRNO(syscall(SYS_remap_file_pages, p, ps, PROT_READ, 1, 0),
		     EINVAL);
	pr = vt_map(_metadata, NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_ERRNO(syscall(SYS_remap_file_pages, pr, ps, 0, 1, 0), EINVAL);
	vt_unmap(_metadata, pr, 2 * ps);
	vt_unmap(_metadata, p, 4 * ps);
	CHECK_VMAS(fd, base, 0);
}

/*
 * Row "fork": shared pages stay shared both ways and the child's VMA is
 * counted (->open); it goes away with the child (->close).
 */
TEST_F(vmmap, fork_shared_mapping)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	struct vt_sync sync;
	int fd = self->fd;
	uint64_t base;
	char *p;
	pid_t pid;

	p = map_filled(_metadata, fd, 4 * ps, 4 * ps, 77, &base);
	if (vt_have_driver())
		vt_stats(_metadata, &s0);
	vt_sync_init(_metadata, &sync);
	pid = vt_fork_sync(_metadata, &sync);
	if (pid == 0) {
		EXPECT_TRUE(vt_pat_ok(p, 4 * ps, 0, 77));
		if (vt_have_driver())
			EXPECT_EQ(base + 2, live_vmas(_metadata, fd));
		vt_pat_fill(p + ps, ps, ps, 78); /* child writes */
		vt_sync_post(_metadata, &sync, true);
		vt_sync_wait(_metadata, &sync, true);
		EXPECT_TRUE(vt_pat_ok(p + 2 * ps, ps, 2 * ps, 79));
		vt_child_exit(_metadata);
	}
	vt_sync_wait(_metadata, &sync, false);
	ASSERT_TRUE(vt_pat_ok(p + ps, ps, ps, 78));
	vt_pat_fill(p + 2 * ps, ps, 2 * ps, 79); /* parent writes */
	vt_sync_post(_metadata, &sync, false);
	vt_wait_ok(_metadata, pid);
	CHECK_VMAS(fd, base, 1);
	if (vt_have_driver()) {
		vt_stats(_metadata, &s1);
		vt_stats_log("fork and child exit", &s0, &s1);
		EXPECT_EQ(1, s1.vma_open - s0.vma_open);
		EXPECT_EQ(1, s1.vma_close - s0.vma_close);
	}
	vt_unmap(_metadata, p, 4 * ps);
	CHECK_VMAS(fd, base, 0);
}

/* Row "fork: VM_DONTCOPY VMAs vanish in the child" (MADV_DONTFORK). */
TEST_F(vmmap, fork_dontfork)
{
	size_t ps = vt_page();
	int fd = self->fd;
	uint64_t base;
	char *p;
	pid_t pid;

	vt_fresh(_metadata, 4 * ps);
	base = live_vmas(_metadata, fd);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	ASSERT_OK(madvise(p, 4 * ps, MADV_DONTFORK));
	pid = vt_fork(_metadata);
	if (pid == 0) {
		EXPECT_SIGNAL(SIGSEGV, vt_peek(p));
		EXPECT_EQ(0, vt_count_obj_vmas());
		if (vt_have_driver())
			EXPECT_EQ(base + 1, live_vmas(_metadata, fd));
		vt_child_exit(_metadata);
	}
	vt_wait_ok(_metadata, pid);
	ASSERT_EQ(1, vt_peek(p));
	CHECK_VMAS(fd, base, 1);
	vt_unmap(_metadata, p, 4 * ps);
}

TEST_HARNESS_MAIN
