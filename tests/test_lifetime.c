// SPDX-License-Identifier: GPL-2.0
/*
 * Leaks and lifetime: a resize to 0 gives back every page the object had
 * (its counters, and the machine's free memory), and the device survives
 * processes SIGKILLed in the middle of faults and of resizes: afterwards
 * every VMA is uncounted again, the counters agree with each other and with
 * sysfs, and the object works.
 *
 * The VM runner checks the rest after every run: live_vmas 0 before rmmod,
 * every page freed at unload, MemFree back (tests/vm/lib.sh). rmmod refused
 * while open or mapped: test_module.c. tests/stress kills workers at random
 * for minutes; these are the short, seeded versions that run every time.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

/* The object's own view and sysfs agree; resident pages are accounted. */
static void expect_consistent(struct __test_metadata *_metadata, int fd,
			      int line)
{
	struct vmmap_counters st;
	struct vmmap_info in;

	vt_info(_metadata, fd, &in);
	vt_stats(_metadata, &st);
	TH_LOG("line %d: size %llu resident %llu dirty %llu live_vmas %llu allocated %llu freed %llu",
	       line, (unsigned long long)in.object_size,
	       (unsigned long long)in.resident_pages,
	       (unsigned long long)in.dirty_pages,
	       (unsigned long long)in.live_vmas,
	       (unsigned long long)st.pages_allocated,
	       (unsigned long long)st.pages_freed);
	EXPECT_EQ(vt_size(_metadata, fd), in.object_size);
	EXPECT_EQ((int64_t)in.object_size, vmmap_sysfs_read("size"));
	EXPECT_EQ((int64_t)in.resident_pages,
		  vmmap_sysfs_read("resident_pages"));
	EXPECT_EQ((int64_t)in.live_vmas, vmmap_sysfs_read("live_vmas"));
	EXPECT_LE(in.resident_pages, vt_resident_max(in.object_size));
	EXPECT_LE(in.dirty_pages, in.resident_pages);
	EXPECT_EQ(in.resident_pages, st.pages_allocated - st.pages_freed);
}

/*
 * Free memory in KiB, with what the kernel can drop dropped: the free pages
 * of every zone plus those parked on the per-CPU free lists (/proc/zoneinfo
 * "count:"), which MemFree leaves out and which move by many MiB from one
 * moment to the next.
 */
static long free_kb(struct __test_metadata *_metadata)
{
	long pages = 0, v;
	char line[256];
	FILE *f;
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	sync();
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			TH_LOG("drop_caches: %s", strerror(errno));
		close(fd);
	}
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		FAIL("open /proc/zoneinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %ld", &v) == 1 ||
		    sscanf(line, " count: %ld", &v) == 1)
			pages += v;
	fclose(f);
	return pages * (long)(vt_page() / 1024);
}

/*
 * Touch every page of a 32 MiB object by every path that allocates (a
 * shared write fault, huge where on; a private read and a private write
 * fault, which allocate the object's page under the COW copy; write(2)),
 * then resize to 0: nothing resident or dirty, pages_allocated equal to
 * pages_freed, and free memory back. That check catches what the counters
 * cannot: a page that left the object but kept a reference. 2 MiB of
 * slack, as VM_FREE_SLACK_KB in tests/vm/lib.sh (this test alone measured
 * 12 to 44 KiB short).
 */
TEST_F(vmmap, lifetime_resize_to_zero_frees_every_page)
{
	size_t ps = vt_page(), len = 32 * MiB, q4 = len / 4, off;
	struct vmmap_counters s0, s1;
	struct vmmap_info in;
	long free0, free1, free2;
	unsigned char *p, *q;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_resize(_metadata, 0);
	free0 = free_kb(_metadata);
	vt_resize(_metadata, len);
	vt_stats(_metadata, &s0);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	q = vt_map(_metadata, NULL, len, RW, MAP_PRIVATE, fd, 0);
	memset(p, 0x11, q4);				/* shared writes */
	for (off = q4; off < 2 * q4; off += ps) /* private reads */
		(void)vt_peek(q + off);
	memset(q + 2 * q4, 0x22, q4); /* private writes */
	vt_pwrite_pat(_metadata, fd, 3 * q4, q4, 50); /* write(2) */
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(len / ps, in.resident_pages);
	free1 = free_kb(_metadata);

	vt_resize(_metadata, 0);
	vt_info(_metadata, fd, &in);
	vt_stats(_metadata, &s1);
	EXPECT_EQ(0, in.resident_pages);
	EXPECT_EQ(0, in.dirty_pages);
	EXPECT_EQ(len / ps, s1.pages_allocated - s0.pages_allocated);
	EXPECT_EQ(len / ps, s1.pages_freed - s0.pages_freed);
	EXPECT_EQ(s1.pages_freed, s1.pages_allocated);
	EXPECT_EQ(vmmap_sysfs_read("stats/pages_freed"),
		  vmmap_sysfs_read("stats/pages_allocated"));
	EXPECT_EQ(0, vmmap_sysfs_read("resident_pages"));
	vt_unmap(_metadata, p, len);
	vt_unmap(_metadata, q, len);
	free2 = free_kb(_metadata);
	TH_LOG("free: %ld kB empty, %ld kB with %zu MiB resident, %ld kB after resize to 0",
	       free0, free1, (size_t)(len / MiB), free2);
	/* the object's pages and the private copies were really taken... */
	EXPECT_LT(free1, free0 - (long)(len / 1024) / 2);
	/* ...and came back */
	EXPECT_GT(free2, free0 - 2048);
	expect_consistent(_metadata, fd, __LINE__);
}

/* A child that faults on the object until it is killed; never returns. */
static void fault_forever(struct __test_metadata *_metadata, size_t len,
			  unsigned int seed)
{
	size_t ps = vt_page(), off;
	int fd = vt_open(_metadata, O_RDWR);
	unsigned char *p, *q;
	unsigned int round;

	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	q = vt_map(_metadata, NULL, len, RW, MAP_PRIVATE, fd, 0);
	for (round = 0;; round++) {
		/* write faults (allocation, page_mkwrite), COW faults */
		for (off = (seed % 7) * ps; off < len; off += ps) {
			if (vt_try_write(p + off, (unsigned char)round))
				break; /* shrunk meanwhile: SIGBUS */
			if (vt_try_write(q + off, (unsigned char)round))
				break;
		}
		msync(p, len, MS_SYNC);		/* page_mkwrite again */
		madvise(p, len, MADV_DONTNEED);	/* fault again */
		madvise(q, len, MADV_DONTNEED);	/* drop the COW copies */
	}
}

static pid_t spawn_faulter(struct __test_metadata *_metadata, size_t len,
			   unsigned int seed)
{
	pid_t pid = vt_fork(_metadata);

	if (pid == 0)
		fault_forever(_metadata, len, seed);
	return pid;
}

/* Waits for a child the test SIGKILLed: it must have died of that. */
static void reap_killed(struct __test_metadata *_metadata, pid_t pid)
{
	int st;

	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
		TH_LOG("child %d: status %#x, expected death by SIGKILL",
		       (int)pid, st);
		_metadata->exit_code = KSFT_FAIL;
	}
}

/* Sleeps a pseudo-random 0..max_ms milliseconds (rand_r: seeded). */
static void random_sleep(unsigned int *seed, unsigned int max_ms)
{
	struct timespec ts = { 0,
			       (long)(rand_r(seed) % (max_ms + 1)) * 1000000 };

	nanosleep(&ts, NULL);
}

/* After the kills: nothing counted, the object works, 0 frees it all. */
static void expect_device_works(struct __test_metadata *_metadata, int fd,
				uint64_t base_vmas, size_t len)
{
	struct vmmap_info in;
	unsigned char *p;

	expect_consistent(_metadata, fd, __LINE__);
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(base_vmas, in.live_vmas);
	vt_resize(_metadata, len);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, len, 0, 51);
	EXPECT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, len, 51));
	vt_pwrite_pat(_metadata, fd, 0, len, 52);
	EXPECT_TRUE(vt_pat_ok(p, len, 0, 52));
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(base_vmas + 1, in.live_vmas);
	vt_unmap(_metadata, p, len);
	vt_resize(_metadata, 0);
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(0, in.resident_pages);
	EXPECT_EQ(base_vmas, in.live_vmas);
	expect_consistent(_metadata, fd, __LINE__);
}

/*
 * Processes killed at random moments while they fault: in ->fault
 * (allocating and zeroing, 2 MiB at a time with huge pages), in
 * ->page_mkwrite, in msync's write-protection, in COW copies. Seeded, so a
 * failing round can be told apart; the fault counter shows they were busy.
 */
TEST_F_TIMEOUT(vmmap, lifetime_sigkill_mid_fault, 120)
{
	const unsigned int nkids = 3, rounds = 8;
	size_t len = 16 * MiB > 2 * vt_pmd() ? 16 * MiB : 2 * vt_pmd();
	unsigned int seed = 5, round, i;
	struct vmmap_counters a, b;
	struct vmmap_info in;
	uint64_t base;
	pid_t kids[3];
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, len);
	vt_info(_metadata, fd, &in);
	base = in.live_vmas;
	TH_LOG("seed %u, %u rounds of %u children on %zu MiB", seed, rounds,
	    nkids, (size_t)(len / MiB));
	for (round = 0; round < rounds; round++) {
		vt_stats(_metadata, &a);
		for (i = 0; i < nkids; i++)
			kids[i] = spawn_faulter(_metadata, len,
						round * nkids + i);
		for (i = 0; i < nkids; i++) {
			random_sleep(&seed, 60);
			ASSERT_OK(kill(kids[i], SIGKILL));
		}
		for (i = 0; i < nkids; i++)
			reap_killed(_metadata, kids[i]);
		vt_stats(_metadata, &b);
		TH_LOG("round %u: %llu faults, %llu page_mkwrite", round,
		    (unsigned long long)(b.fault - a.fault),
		    (unsigned long long)(b.page_mkwrite - a.page_mkwrite));
		vt_info(_metadata, fd, &in);
		EXPECT_EQ(base, in.live_vmas);
		if (round % 2)
			vt_fresh(_metadata, len); /* fresh pages to allocate */
	}
	expect_device_works(_metadata, fd, base, len);
}

/*
 * A process killed while it resizes. A resize cannot be interrupted
 * (inode lock, truncation): the kill takes effect when the ioctl returns,
 * so the size must be one the process asked for (or the one it had, if
 * the kill came first), never something in
 * between, and no page may stay past it. Faulting processes run meanwhile,
 * so the shrinks zap live mappings, and are killed too.
 */
TEST_F_TIMEOUT(vmmap, lifetime_sigkill_mid_resize, 120)
{
	const unsigned int rounds = 6;
	size_t ps = vt_page();
	size_t len = 16 * MiB > 2 * vt_pmd() ? 16 * MiB : 2 * vt_pmd();
	unsigned int seed = 7, round;
	struct vmmap_info in;
	pid_t resizer, faulter;
	uint64_t base;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, len);
	vt_info(_metadata, fd, &in);
	base = in.live_vmas;
	for (round = 0; round < rounds; round++) {
		faulter = spawn_faulter(_metadata, len, round);
		resizer = vt_fork(_metadata);
		if (resizer == 0) {
			/* each size is a multiple of 3 pages, for the check */
			size_t sizes[] = { 0, len / (3 * ps) * 3 * ps,
					   3 * ps, len / (6 * ps) * 3 * ps };
			unsigned int k;

			for (k = 0;; k++)
				if (vmmap_resize(fd, sizes[k % 4]))
					_exit(1);
		}
		random_sleep(&seed, 80);
		ASSERT_OK(kill(resizer, SIGKILL));
		reap_killed(_metadata, resizer);
		vt_info(_metadata, fd, &in);
		TH_LOG("round %u: killed at size %llu, %llu resident", round,
		    (unsigned long long)in.object_size,
		    (unsigned long long)in.resident_pages);
		/* len if the kill came before the first resize (slow kernels) */
		EXPECT_TRUE(in.object_size == len ||
			    in.object_size % (3 * ps) == 0);
		EXPECT_LE(in.resident_pages, vt_resident_max(in.object_size));
		ASSERT_OK(kill(faulter, SIGKILL));
		reap_killed(_metadata, faulter);
		expect_consistent(_metadata, fd, __LINE__);
		vt_info(_metadata, fd, &in);
		EXPECT_EQ(base, in.live_vmas);
		vt_resize(_metadata, len);
	}
	expect_device_works(_metadata, fd, base, len);
}

/*
 * SIGKILL stops a long write(2) or read(2) part way, as it does on a
 * regular file: the rest of the object is never touched. A write of the
 * whole object from a child is killed once the object shows its first
 * pages; a read into a shared buffer once its first MiB arrived. Either
 * way the end must stay untouched (a driver that ignores fatal signals
 * finishes the call first).
 */
TEST_F_TIMEOUT(vmmap, lifetime_sigkill_stops_long_rw, 120)
{
	size_t size = 32 * MiB, ps = vt_page();
	struct vmmap_info in;
	unsigned char *buf;
	int fd = vt_open(_metadata, O_RDWR), status;
	pid_t pid;

	vt_fresh(_metadata, size);
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	memset(buf, 0x5a, size);

	pid = vt_fork(_metadata);
	if (pid == 0) {
		if (pwrite(fd, buf, size, 0) < 0)
			TH_LOG("pwrite: %s", strerror(errno));
		vt_child_exit(_metadata);
	}
	do
		vt_info(_metadata, fd, &in);
	while (!in.resident_pages);
	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	vt_info(_metadata, fd, &in);
	TH_LOG("write killed after %llu of %zu pages",
	    (unsigned long long)in.resident_pages, size / ps);
	EXPECT_LT(in.resident_pages, size / ps);

	/* the whole object holds 0x5a now; read it into a zeroed buffer */
	ASSERT_EQ((ssize_t)size, pwrite(fd, buf, size, 0));
	memset(buf, 0, size);
	pid = vt_fork(_metadata);
	if (pid == 0) {
		if (pread(fd, buf, size, 0) < 0)
			TH_LOG("pread: %s", strerror(errno));
		vt_child_exit(_metadata);
	}
	while (!vt_peek(buf + MiB))
		;
	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	TH_LOG("read killed: last byte %#x", vt_peek(buf + size - 1));
	EXPECT_EQ(0, vt_peek(buf + size - 1));
	munmap(buf, size);
	vt_fresh(_metadata, size);
}

TEST_HARNESS_MAIN
