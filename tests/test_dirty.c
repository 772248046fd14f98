// SPDX-License-Identifier: GPL-2.0
/*
 * VMMAP_IOC_DIRTY: which pages were written since they were last cleaned,
 * reported per folio, merged into ranges; VMMAP_DIRTY_CLEAR cleans what it
 * reported (write-protect first, then clear), so that a later write is
 * reported again. One dirty set with fsync/msync and cachestat(2).
 *
 * The proof (vmmap_pages.*.dirty_replica): three processes write at random
 * through shared mappings and write(2) while the test loops DIRTY+CLEAR and
 * copies the reported ranges into a replica; after the writers stop and one
 * last pass, the replica equals the object byte for byte, with small pages
 * and with huge pages. Errors of the ioctl are in test_ioctl.c.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW		(PROT_READ | PROT_WRITE)
#define NR		64	/* ranges per call in these tests */

/* ---- helpers ---- */

/* One DIRTY call; returns the ranges filled, *walk_end where it stopped. */
static uint32_t dirty(struct __test_metadata *_metadata, int fd, uint64_t start,
		      uint64_t len, uint64_t flags, struct vmmap_range *r,
		      uint32_t cap, uint64_t *walk_end)
{
	uint32_t nr = cap;

	if (vmmap_dirty(fd, start, len, flags, r, &nr, walk_end))
		FAIL("VMMAP_IOC_DIRTY(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
		     "): %s", start, len, flags, strerror(errno));
	return nr;
}

/* Page indexes of a range, for readable assertions. */
#define PG(x) ((uint64_t)((x) / vt_page()))

static void expect_range(struct __test_metadata *_metadata,
			 const struct vmmap_range *r, uint64_t first,
			 uint64_t end, int line)
{
	if (PG(r->start) != first || PG(r->end) != end) {
		TH_LOG("line %d: range pages %" PRIu64 "-%" PRIu64
		    ", expected %" PRIu64 "-%" PRIu64, line, PG(r->start),
		    PG(r->end), first, end);
		_metadata->exit_code = KSFT_FAIL;
	}
}

#define EXPECT_RANGE(r, first, end) \
	expect_range(_metadata, r, first, end, __LINE__)

static uint64_t dirty_pages(struct __test_metadata *_metadata, int fd)
{
	struct vmmap_info in;

	vt_info(_metadata, fd, &in);
	return in.dirty_pages;
}

/* cachestat(2), syscall 451 on every architecture (6.5 and later). */
struct vt_cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct vt_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

/* nr_dirty of the whole file, or -1 where the kernel has no cachestat. */
static int64_t cachestat_dirty(struct __test_metadata *_metadata, int fd)
{
	struct vt_cachestat_range r = { 0, 0 };
	struct vt_cachestat cs;

	memset(&cs, 0, sizeof(cs));
	if (syscall(451, fd, &r, &cs, 0)) {
		if (errno == ENOSYS)
			return -1;
		FAIL("cachestat: %s", strerror(errno));
	}
	return (int64_t)cs.nr_dirty;
}

/* ---- semantics ---- */

/*
 * Pages written through a mapping and with write(2) are reported, adjacent
 * ones merged; reporting alone changes nothing; CLEAR cleans what it
 * reported, and the next write through the same (now write-protected)
 * mapping goes through page_mkwrite and is reported again.
 */
TEST_F(vmmap, dirty_report_and_clean)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	struct vmmap_range r[NR];
	uint64_t end;
	unsigned char *p;
	uint32_t n;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 16 * ps);
	p = vt_map(_metadata, NULL, 16 * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p + 1 * ps, 1);
	vt_poke(p + 2 * ps + 100, 1);
	vt_pwrite_pat(_metadata, fd, 5 * ps + 7, 1, 1);
	vt_poke(p + 7 * ps, 1);
	vt_pwrite_pat(_metadata, fd, 8 * ps - 1, 2, 1); /* pages 7 and 8 */
	(void)vt_peek(p + 12 * ps);		/* read: resident, clean */
	EXPECT_EQ(5, dirty_pages(_metadata, fd));

	for (int pass = 0; pass < 2; pass++) {
		n = dirty(_metadata, fd, 0, 16 * ps, 0, r, NR, &end);
		ASSERT_EQ(3, n);
		EXPECT_RANGE(&r[0], 1, 3);
		EXPECT_RANGE(&r[1], 5, 6);
		EXPECT_RANGE(&r[2], 7, 9);
		EXPECT_EQ(16 * ps, end);
	}
	EXPECT_EQ(5, dirty_pages(_metadata, fd));

	vt_stats(_metadata, &s0);
	n = dirty(_metadata, fd, 0, 16 * ps, VMMAP_DIRTY_CLEAR, r, NR, &end);
	ASSERT_EQ(3, n);
	EXPECT_RANGE(&r[2], 7, 9);
	vt_stats(_metadata, &s1);
	EXPECT_EQ(5, s1.pages_cleaned - s0.pages_cleaned);
	EXPECT_EQ(0, dirty_pages(_metadata, fd));
	EXPECT_EQ(0, dirty(_metadata, fd, 0, 16 * ps, 0, r, NR, &end));
	EXPECT_EQ(16 * ps, end);

	/* written again after the clean: page_mkwrite, reported again */
	vt_poke(p + 2 * ps, 2);
	vt_poke(p + 2 * ps + 1, 2);
	vt_stats(_metadata, &s0);
	EXPECT_EQ(1, s0.page_mkwrite - s1.page_mkwrite);
	n = dirty(_metadata, fd, 0, 16 * ps, VMMAP_DIRTY_CLEAR, r, NR, &end);
	ASSERT_EQ(1, n);
	EXPECT_RANGE(&r[0], 2, 3);
	vt_unmap(_metadata, p, 16 * ps);
}

/*
 * Only folios in [start, start + length) are reported and cleaned; the
 * part past the object's end is not an error and reports nothing.
 */
TEST_F(vmmap, dirty_subrange_and_end)
{
	size_t ps = vt_page();
	struct vmmap_range r[NR];
	uint64_t end;
	uint32_t n;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 8 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 8 * ps, 3);
	n = dirty(_metadata, fd, 2 * ps, 3 * ps, VMMAP_DIRTY_CLEAR, r, NR,
		  &end);
	ASSERT_EQ(1, n);
	EXPECT_RANGE(&r[0], 2, 5);
	EXPECT_EQ(5 * ps, end);
	EXPECT_EQ(5, dirty_pages(_metadata, fd));
	n = dirty(_metadata, fd, 0, 8 * ps, 0, r, NR, &end);
	ASSERT_EQ(2, n);
	EXPECT_RANGE(&r[0], 0, 2);
	EXPECT_RANGE(&r[1], 5, 8);

	/* across the end: clamped; wholly past it: nothing, walk_end = start */
	n = dirty(_metadata, fd, 6 * ps, 100 * ps, 0, r, NR, &end);
	ASSERT_EQ(1, n);
	EXPECT_RANGE(&r[0], 6, 8);
	EXPECT_EQ(8 * ps, end);
	EXPECT_EQ(0, dirty(_metadata, fd, 8 * ps, ps, VMMAP_DIRTY_CLEAR, r, NR,
			   &end));
	EXPECT_EQ(8 * ps, end);
	EXPECT_EQ(0, dirty(_metadata, fd, 1000 * ps,
			   UINT64_MAX / ps * ps - 1000 * ps, VMMAP_DIRTY_CLEAR,
			   r, NR, &end));
	EXPECT_EQ(1000 * ps, end);
	EXPECT_EQ(5, dirty_pages(_metadata, fd));
	EXPECT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, 8 * ps, 3));
}

/*
 * The array fills: the walk stops at the first dirty folio that does not
 * fit, walk_end says where, nothing from there on is cleaned; a folio
 * adjacent to the last range still joins it.
 */
TEST_F(vmmap, dirty_array_full)
{
	size_t ps = vt_page();
	struct vmmap_range r[NR];
	uint64_t end;
	uint32_t n;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 16 * ps);
	for (int i = 0; i <= 8; i += 2)
		vt_pwrite_pat(_metadata, fd, i * ps, 1,
			      4); /* pages 0 2 4 6 8 */
	memset(r, 0xa5, sizeof(r));
	n = dirty(_metadata, fd, 0, 16 * ps, VMMAP_DIRTY_CLEAR, r, 2, &end);
	ASSERT_EQ(2, n);
	EXPECT_RANGE(&r[0], 0, 1);
	EXPECT_RANGE(&r[1], 2, 3);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, r[2].start);	/* capacity kept */
	EXPECT_EQ(4 * ps, end);
	EXPECT_EQ(3, dirty_pages(_metadata, fd)); /* 4 6 8 not cleaned */
	n = dirty(_metadata, fd, end, 16 * ps - end, VMMAP_DIRTY_CLEAR, r, 2,
		  &end);
	ASSERT_EQ(2, n);
	EXPECT_RANGE(&r[0], 4, 5);
	EXPECT_RANGE(&r[1], 6, 7);
	EXPECT_EQ(8 * ps, end);
	n = dirty(_metadata, fd, end, 16 * ps - end, VMMAP_DIRTY_CLEAR, r, 2,
		  &end);
	ASSERT_EQ(1, n);
	EXPECT_RANGE(&r[0], 8, 9);
	EXPECT_EQ(16 * ps, end);
	EXPECT_EQ(0, dirty_pages(_metadata, fd));

	/* one slot: pages 0-2 merge into it, page 4 stops the walk */
	vt_pwrite_pat(_metadata, fd, 0, 3 * ps, 4);
	vt_pwrite_pat(_metadata, fd, 4 * ps, 1, 4);
	n = dirty(_metadata, fd, 0, 16 * ps, VMMAP_DIRTY_CLEAR, r, 1, &end);
	ASSERT_EQ(1, n);
	EXPECT_RANGE(&r[0], 0, 3);
	EXPECT_EQ(4 * ps, end);
	EXPECT_EQ(1, dirty_pages(_metadata, fd));
}

/*
 * A huge folio is the unit: one byte written in it reports all of it, even
 * for a range that covers one page in its middle, and CLEAR cleans all of
 * it in every mapping; the next write anywhere in it is reported again.
 */
TEST_F(vmmap, dirty_huge_folio_whole)
{
	size_t ps = vt_page(), pmd = vt_pmd(), len = 2 * pmd;
	struct vmmap_range r[NR];
	struct vmmap_info in;
	unsigned char *p;
	uint64_t end;
	uint32_t n;
	int fd = self->fd;

	vt_set_huge(_metadata, true);
	vt_fresh(_metadata, len);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	if ((uintptr_t)p % pmd)
		FAIL("mapping at %p is not PMD aligned", (void *)p);
	vt_poke(p + pmd + 3 * ps, 1);
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(pmd, in.max_folio_size);
	if (in.resident_pages != pmd / ps)
		SKIP(return, "no huge page was allocated (%llu pages resident)",
		     (unsigned long long)in.resident_pages);
	EXPECT_EQ(pmd / ps, in.dirty_pages);

	n = dirty(_metadata, fd, pmd + 5 * ps, ps, 0, r, NR, &end);
	ASSERT_EQ(1, n);
	EXPECT_EQ(pmd, r[0].start);
	EXPECT_EQ(2 * pmd, r[0].end);
	EXPECT_EQ(pmd + 6 * ps, end);
	n = dirty(_metadata, fd, pmd + 5 * ps, ps, VMMAP_DIRTY_CLEAR, r, NR,
		  &end);
	ASSERT_EQ(1, n);
	EXPECT_EQ(0, dirty_pages(_metadata, fd));
	EXPECT_EQ(0, dirty(_metadata, fd, 0, len, 0, r, NR, &end));

	vt_poke(p + 2 * pmd - 1, 2);
	n = dirty(_metadata, fd, 0, len, VMMAP_DIRTY_CLEAR, r, NR, &end);
	ASSERT_EQ(1, n);
	EXPECT_EQ(pmd, r[0].start);
	EXPECT_EQ(2 * pmd, r[0].end);
	vt_unmap(_metadata, p, len);
}

/*
 * One dirty set: DIRTY reports what msync would clean, msync by anyone
 * cleans what DIRTY would have reported, and DIRTY's CLEAR leaves msync
 * nothing to do. Through another process's mapping too.
 */
TEST_F(vmmap, dirty_msync_interplay)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	struct vmmap_range r[NR];
	struct vt_sync sy;
	unsigned char *p;
	uint64_t end;
	uint32_t n;
	pid_t pid;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 8 * ps);
	p = vt_map(_metadata, NULL, 8 * ps, RW, MAP_SHARED, fd, 0);
	for (int i = 0; i < 8; i++)
		vt_poke(p + i * ps, 1);
	ASSERT_OK(msync(p + 2 * ps, 2 * ps, MS_SYNC));	/* pages 2, 3 */
	n = dirty(_metadata, fd, 0, 8 * ps, 0, r, NR, &end);
	ASSERT_EQ(2, n);
	EXPECT_RANGE(&r[0], 0, 2);
	EXPECT_RANGE(&r[1], 4, 8);

	n = dirty(_metadata, fd, 0, 8 * ps, VMMAP_DIRTY_CLEAR, r, NR, &end);
	ASSERT_EQ(2, n);
	vt_stats(_metadata, &s0);
	ASSERT_OK(msync(p, 8 * ps, MS_SYNC));
	ASSERT_OK(fsync(fd));
	vt_stats(_metadata, &s1);
	EXPECT_EQ(0, s1.pages_cleaned - s0.pages_cleaned);

	/* another process writes through its own mapping, and msyncs half */
	vt_sync_init(_metadata, &sy);
	pid = vt_fork_sync(_metadata, &sy);
	if (pid == 0) {
		unsigned char *q =
			vt_map(_metadata, NULL, 8 * ps, RW, MAP_SHARED, fd, 0);

		vt_poke(q + 1 * ps, 3);
		vt_poke(q + 6 * ps, 3);
		vt_sync_post(_metadata, &sy, true);
		vt_sync_wait(_metadata, &sy, true);
		ASSERT_OK(msync(q + 6 * ps, ps, MS_SYNC));
		vt_sync_post(_metadata, &sy, true);
		vt_child_exit(_metadata);
	}
	vt_sync_wait(_metadata, &sy, false);
	n = dirty(_metadata, fd, 0, 8 * ps, 0, r, NR, &end);
	ASSERT_EQ(2, n);
	EXPECT_RANGE(&r[0], 1, 2);
	EXPECT_RANGE(&r[1], 6, 7);
	vt_sync_post(_metadata, &sy, false);
	vt_sync_wait(_metadata, &sy, false);
	vt_wait_ok(_metadata, pid);
	n = dirty(_metadata, fd, 0, 8 * ps, 0, r, NR, &end);
	ASSERT_EQ(1, n);
	EXPECT_RANGE(&r[0], 1, 2);
	vt_unmap(_metadata, p, 8 * ps);
}

/* CLEAR through an O_RDONLY file: EBADF, and the pages stay dirty. */
TEST_F(vmmap, dirty_clear_rdonly)
{
	size_t ps = vt_page();
	struct vmmap_range r[NR];
	uint32_t nr = NR;
	uint64_t end = 0;
	int fd = self->fd, ro;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 4 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 2 * ps, 5);
	ro = vt_open(_metadata, O_RDONLY);
	EXPECT_ERRNO(vmmap_dirty(ro, 0, 4 * ps, VMMAP_DIRTY_CLEAR, r, &nr,
				 &end),
		     EBADF);
	EXPECT_EQ(2, dirty_pages(_metadata, fd));
	EXPECT_EQ(1, dirty(_metadata, ro, 0, 4 * ps, 0, r, NR, &end));
	EXPECT_RANGE(&r[0], 0, 2);
}

/*
 * cachestat(2) reads the same dirty tags: its nr_dirty equals GET_INFO's
 * dirty_pages and the pages DIRTY reports, with small and huge folios.
 */
TEST_F(vmmap_pages, dirty_cachestat_agrees)
{
	bool huge = variant->huge;
	size_t ps = vt_page(), pmd = vt_pmd(), len = 4 * pmd;
	struct vmmap_range r[NR];
	uint64_t end, sum = 0;
	unsigned char *p;
	int64_t cs;
	uint32_t n, i;
	int fd = self->fd;

	vt_fresh(_metadata, len);
	cs = cachestat_dirty(_metadata, fd);
	if (cs < 0)
		SKIP(return, "no cachestat(2) on this kernel (before 6.5)");
	EXPECT_EQ(0, cs);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	vt_poke(p + 5, 1);			/* a huge folio where huge */
	vt_poke(p + 2 * pmd + 3 * ps, 1);
	vt_pwrite_pat(_metadata, fd, pmd + 7 * ps, 3 * ps, 6); /* small pages */
	n = dirty(_metadata, fd, 0, len, 0, r, NR, &end);
	for (i = 0; i < n; i++)
		sum += (r[i].end - r[i].start) / ps;
	TH_LOG("huge=%d: %u ranges, %" PRIu64 " pages; dirty_pages %" PRIu64
	       ", cachestat nr_dirty %" PRId64,
	       huge, n, sum, dirty_pages(_metadata, fd),
	       cachestat_dirty(_metadata, fd));
	EXPECT_EQ(dirty_pages(_metadata, fd), sum);
	EXPECT_EQ((int64_t)dirty_pages(_metadata, fd),
		  cachestat_dirty(_metadata, fd));
	(void)dirty(_metadata, fd, 0, len, VMMAP_DIRTY_CLEAR, r, NR, &end);
	EXPECT_EQ(0, cachestat_dirty(_metadata, fd));
	EXPECT_EQ(0, dirty_pages(_metadata, fd));
	vt_unmap(_metadata, p, len);
}

/* ---- the replica proof ---- */

#define WRITERS		3
#define WRITE_SECS	3

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Writer @id until the deadline: random runs of 1 to 300 bytes at random
 * offsets (some crossing pages), through its shared mapping (writer 0),
 * with pwrite(2) (writer 1), or both (writer 2). pwrite(2) keeps to the
 * first half: the second half is written through mappings only, so that
 * its huge folios depend on the write-protection alone (a pwrite into a
 * huge folio tags all of it dirty again). Then it says so on @done
 * and keeps its mapping until @go closes: an exit would unmap it, and the
 * unmap marks every page dirty whose page table entry is dirty, which
 * would hide a write the cleaning failed to write-protect against.
 */
static void writer(struct __test_metadata *_metadata, int fd, int id,
		   uint64_t size, double deadline, volatile uint64_t *count,
		   int done, int go)
{
	char c = 1;
	unsigned char buf[300], *p = NULL;
	unsigned int seed = 0x5eed0 + id;
	uint64_t off, n = 0;
	size_t len, i;
	bool mapped;

	if (id != 1)
		p = vt_map(_metadata, NULL, size, RW, MAP_SHARED, fd, 0);
	while (now() < deadline) {
		for (int k = 0; k < 64; k++) {
			len = 1 + rand_r(&seed) % sizeof(buf);
			off = ((uint64_t)rand_r(&seed) << 16 ^ rand_r(&seed)) %
			      (size - len);
			for (i = 0; i < len; i++)
				buf[i] = (unsigned char)rand_r(&seed);
			mapped = id == 0 || (id == 2 && rand_r(&seed) % 2);
			if (!mapped)
				off %= size / 2 - len;
			if (mapped) {
				memcpy(p + off, buf, len);
			} else if (pwrite(fd, buf, len, (off_t)off) !=
				   (ssize_t)len) {
				TH_LOG("writer %d: pwrite: %s", id,
				       strerror(errno));
				_metadata->exit_code = KSFT_FAIL;
				vt_child_exit(_metadata);
			}
			n++;
		}
	}
	count[id] = n;
	if (write(done, &c, 1) != 1 || read(go, &c, 1) != 0)
		TH_LOG("writer %d: the test went away", id);
	vt_child_exit(_metadata);
}

struct pass_stats {
	uint64_t calls, ranges, bytes;
};

/* One get-and-clean pass over the object, copying into @replica. */
static void consume(struct __test_metadata *_metadata, int fd,
		    unsigned char *replica, uint64_t size,
		    struct pass_stats *ps)
{
	struct vmmap_range r[NR];
	uint64_t pos = 0, end, len;
	uint32_t n, i;

	while (pos < size) {
		n = dirty(_metadata, fd, pos, size - pos, VMMAP_DIRTY_CLEAR, r,
			  NR, &end);
		ps->calls++;
		for (i = 0; i < n; i++) {
			len = r[i].end - r[i].start;
			if (r[i].end > size || r[i].start >= r[i].end)
				FAIL("range %#" PRIx64 "-%#" PRIx64
				     " outside the object",
				     (uint64_t)r[i].start, (uint64_t)r[i].end);
			if (pread(fd, replica + r[i].start, len,
				  (off_t)r[i].start) != (ssize_t)len)
				FAIL("pread: %s", strerror(errno));
			ps->ranges++;
			ps->bytes += len;
		}
		if (end <= pos)
			FAIL("walk_end %#" PRIx64 " did not advance from %#"
			     PRIx64, end, pos);
		pos = end;
	}
}

TEST_F_TIMEOUT(vmmap_pages, dirty_replica, 120)
{
	bool huge = variant->huge;
	size_t ps = vt_page(), pmd = vt_pmd();
	uint64_t size = pmd >= 32 * MiB ? 2 * pmd : 4 * pmd;
	unsigned char *rep, *obj, *p;
	struct pass_stats st = { 0 }, last = { 0 };
	volatile uint64_t *count;
	struct vmmap_info in;
	uint64_t diff = 0, first = 0, passes = 0, writes = 0;
	pid_t pids[WRITERS];
	int done[2], go[2];
	double deadline;
	int64_t cs;
	int fd = self->fd, i;
	char c;

	vt_fresh(_metadata, size);
	rep = calloc(1, size);
	obj = malloc(size);
	count = vt_map(_metadata, NULL, ps, RW, MAP_SHARED | MAP_ANONYMOUS, -1,
		       0);
	ASSERT_TRUE(rep && obj);

	/* one byte in every PMD range through a mapping: huge folios if on */
	p = vt_map(_metadata, NULL, size, RW, MAP_SHARED, fd, 0);
	for (uint64_t o = 0; o < size; o += pmd)
		vt_poke(p + o + 17, 0x11);
	vt_unmap(_metadata, p, size);
	vt_info(_metadata, fd, &in);
	TH_LOG("huge=%d: %" PRIu64
	       " MiB object, %llu pages resident after one write per %zu KiB",
	       huge, size / MiB, (unsigned long long)in.resident_pages,
	       pmd / 1024);
	consume(_metadata, fd, rep, size, &st);

	ASSERT_OK(pipe(done));
	ASSERT_OK(pipe(go));
	deadline = now() + WRITE_SECS;
	for (i = 0; i < WRITERS; i++) {
		pids[i] = vt_fork(_metadata);
		if (pids[i] == 0) {
			close(done[0]);
			close(go[1]);
			writer(_metadata, fd, i, size, deadline, count, done[1],
			       go[0]);
		}
	}
	close(done[1]);
	close(go[0]);
	while (now() < deadline) {
		consume(_metadata, fd, rep, size, &st);
		passes++;
	}
	/* the writers are done, their mappings still there */
	for (i = 0; i < WRITERS; i++)
		ASSERT_EQ(1, read(done[0], &c, 1));
	for (i = 0; i < WRITERS; i++)
		writes += count[i];

	/* quiescent: the dirty set three ways */
	{
		struct pass_stats peek = { 0 };
		struct vmmap_range r[NR];
		uint64_t pos = 0, end, pages = 0;
		uint32_t n, k;

		while (pos < size) {
			n = dirty(_metadata, fd, pos, size - pos, 0, r, NR,
				  &end);
			for (k = 0; k < n; k++)
				pages += (r[k].end - r[k].start) / ps;
			peek.calls++;
			pos = end;
		}
		cs = cachestat_dirty(_metadata, fd);
		vt_info(_metadata, fd, &in);
		TH_LOG("after the writers: %" PRIu64
		       " dirty pages reported, dirty_pages %llu, cachestat nr_dirty %s%" PRId64,
		       pages, (unsigned long long)in.dirty_pages,
		       cs < 0 ? "(none) " : "", cs);
		EXPECT_EQ(in.dirty_pages, pages);
		if (cs >= 0)
			EXPECT_EQ((int64_t)in.dirty_pages, cs);
	}
	consume(_metadata, fd, rep, size, &last);
	EXPECT_EQ(0, dirty_pages(_metadata, fd));

	ASSERT_EQ((ssize_t)size, pread(fd, obj, size, 0));
	for (uint64_t o = 0; o < size; o++) {
		if (obj[o] != rep[o]) {
			if (!diff)
				first = o;
			diff++;
		}
	}
	TH_LOG("huge=%d: %" PRIu64 " writes by %d writers in %d s; %" PRIu64
	    " consumer passes, %" PRIu64 " DIRTY calls, %" PRIu64
	    " ranges, %" PRIu64 " KiB copied; last pass %" PRIu64
	    " ranges, %" PRIu64 " KiB",
	    huge, writes, WRITERS, WRITE_SECS, passes, st.calls, st.ranges,
	    st.bytes / 1024, last.ranges, last.bytes / 1024);
	close(go[1]);
	for (i = 0; i < WRITERS; i++)
		vt_wait_ok(_metadata, pids[i]);
	if (diff) {
		TH_LOG("replica differs from the object in %" PRIu64
		    " bytes, the first at %#" PRIx64 " (page %" PRIu64 ")",
		    diff, first, first / ps);
		_metadata->exit_code = KSFT_FAIL;
	}
	EXPECT_GT(writes, 0);
	EXPECT_GT(passes, 0);
	free(rep);
	free(obj);
}

TEST_HARNESS_MAIN
