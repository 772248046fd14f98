// SPDX-License-Identifier: GPL-2.0
/*
 * mmap flags that change what happens at map time: MAP_LOCKED, MAP_POPULATE
 * (rows "MAP_LOCKED" and "MAP_POPULATE" of mmap-semantics.md).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#define RW (PROT_READ | PROT_WRITE)

/*
 * Row "MAP_LOCKED": works as root and is not cleared (the VMA is not
 * VM_SPECIAL): "lo" in VmFlags, every page resident and Locked at once.
 * Also row "msync MS_INVALIDATE on VM_LOCKED": EBUSY.
 */
TEST(mmap_locked)
{
	size_t ps = vt_page(), n = 16, len = n * ps;
	struct vmmap_info i0, i1;
	int fd = vt_open(O_RDWR);
	long before, after;
	char *p;

	if (geteuid() != 0)
		SKIP("MAP_LOCKED of %zu bytes needs root (CAP_IPC_LOCK)", len);
	vt_fresh(2 * len);
	vt_pwrite_pat(fd, 0, len, 5);
	if (vt_have_driver())
		vt_info(fd, &i0);
	p = vt_map(NULL, len, RW, MAP_SHARED | MAP_LOCKED, fd, 0);
	EXPECT_TRUE(vt_smaps_flag(p, "lo"));
	EXPECT_EQ(vt_smaps_kb(p, "Rss"), (long)(len / 1024));
	EXPECT_EQ(vt_smaps_kb(p, "Locked"), (long)(len / 1024));

	/* populated: reading it faults no more */
	before = vt_minflt();
	ASSERT_TRUE(vt_pat_ok(p, len, 0, 5));
	after = vt_minflt();
	EXPECT_EQ(after - before, 0);

	ASSERT_ERRNO(msync(p, len, MS_INVALIDATE), EBUSY);
	ASSERT_ERRNO(msync(p, ps, MS_SYNC | MS_INVALIDATE), EBUSY);
	ASSERT_OK(msync(p, len, MS_SYNC));

	if (vt_have_driver()) {
		vt_info(fd, &i1);
		EXPECT_EQ(i1.resident_pages, i0.resident_pages);
		EXPECT_EQ(i1.live_vmas - i0.live_vmas, 1);
	}
	vt_unmap(p, len);

	/* a private locked mapping of never-touched pages works too */
	p = vt_map(NULL, len, PROT_READ, MAP_PRIVATE | MAP_LOCKED, fd, len);
	EXPECT_TRUE(vt_smaps_flag(p, "lo"));
	EXPECT_EQ(vt_smaps_kb(p, "Rss"), (long)(len / 1024));
	ASSERT_TRUE(vt_zero_ok(p, len));
	vt_unmap(p, len);
}

/* Drops CAP_IPC_LOCK from this (test) process's effective set. */
static void drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	ASSERT_OK(syscall(SYS_capget, &h, d));
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	ASSERT_OK(syscall(SYS_capset, &h, d));
}

/*
 * Row "MAP_LOCKED": without the right, EPERM (RLIMIT_MEMLOCK 0 and no
 * CAP_IPC_LOCK) or EAGAIN (over a nonzero RLIMIT_MEMLOCK); no VMA is left.
 */
TEST(mmap_locked_without_rights)
{
	size_t ps = vt_page();
	struct rlimit rl;
	int fd = vt_open(O_RDWR);
	char *p;

	vt_resize(16 * ps);
	drop_ipc_lock();
	/* lowering limits needs no privilege; raising them would */
	rl.rlim_cur = rl.rlim_max = 2 * ps;
	ASSERT_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_ERRNO(mmap(NULL, 4 * ps, PROT_READ, MAP_SHARED | MAP_LOCKED, fd,
			  0), EAGAIN);
	EXPECT_EQ(vt_count_obj_vmas(), 0);
	p = vt_map(NULL, 2 * ps, PROT_READ, MAP_SHARED | MAP_LOCKED, fd, 0);
	EXPECT_TRUE(vt_smaps_flag(p, "lo"));
	vt_unmap(p, 2 * ps);

	rl.rlim_cur = rl.rlim_max = 0;
	ASSERT_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_SHARED | MAP_LOCKED, fd, 0),
		     EPERM);
	EXPECT_EQ(vt_count_obj_vmas(), 0);
	/* without MAP_LOCKED all is well */
	p = vt_map(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	vt_unmap(p, ps);
}

/*
 * Row "MAP_POPULATE", shared: read faults at map time; the pages become
 * resident and mapped (Rss), page_mkwrite is not called, and reading them
 * afterwards takes no fault. The first write to each page then calls
 * page_mkwrite exactly once (the populated PTEs are read-only).
 */
TEST(mmap_populate_shared)
{
	size_t ps = vt_page(), n = 16, len = n * ps, i;
	struct vmmap_counters s0, s1, s2;
	struct vmmap_info i0, i1;
	int fd = vt_open(O_RDWR);
	long before, after;
	char *p;

	vt_fresh(len);
	if (vt_have_driver()) {
		vt_info(fd, &i0);
		vt_stats(fd, &s0);
	}
	p = vt_map(NULL, len, RW, MAP_SHARED | MAP_POPULATE, fd, 0);
	EXPECT_EQ(vt_smaps_kb(p, "Rss"), (long)(len / 1024));
	if (vt_have_driver()) {
		vt_info(fd, &i1);
		vt_stats(fd, &s1);
		vt_stats_log("populate", &s0, &s1);
		EXPECT_EQ(i1.resident_pages - i0.resident_pages, n);
		EXPECT_EQ(s1.page_mkwrite - s0.page_mkwrite, 0);
		EXPECT_EQ(i1.dirty_pages, 0);
	}

	before = vt_minflt();
	ASSERT_TRUE(vt_zero_ok(p, len));
	after = vt_minflt();
	EXPECT_EQ(after - before, 0);

	for (i = 0; i < n; i++)
		vt_poke(p + i * ps, (unsigned char)(i + 1));
	if (vt_have_driver()) {
		vt_stats(fd, &s2);
		EXPECT_EQ(s2.page_mkwrite - s1.page_mkwrite, n);
		EXPECT_EQ(s2.fault - s1.fault, 0);
	}
	vt_unmap(p, len);
}

/*
 * Row "MAP_POPULATE", private writable: write faults (copy-on-write) at map
 * time; no page_mkwrite, the object unchanged, later writes fault no more.
 */
TEST(mmap_populate_private)
{
	size_t ps = vt_page(), n = 16, len = n * ps;
	struct vmmap_counters s0, s1;
	int fd = vt_open(O_RDWR);
	long before, after;
	char *p, *warm;

	vt_fresh(len);
	vt_pwrite_pat(fd, 0, len, 6);
	if (vt_have_driver())
		vt_stats(fd, &s0);
	p = vt_map(NULL, len, RW, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	EXPECT_EQ(vt_smaps_kb(p, "Rss"), (long)(len / 1024));
	EXPECT_EQ(vt_smaps_kb(p, "Anonymous"), (long)(len / 1024));

	/*
	 * memset's own code may not be mapped in this forked process yet
	 * (fork copies no PTEs of file pages): run it once the same way on
	 * other memory, so that only faults on the mapping are counted.
	 */
	warm = malloc(len);
	ASSERT_TRUE(warm != NULL);
	memset(warm, 0x77, len);
	ASSERT_EQ(vt_peek(warm + len - 1), 0x77);
	free(warm);
	before = vt_minflt();
	memset(p, 0x77, len);
	after = vt_minflt();
	EXPECT_EQ(after - before, 0);

	ASSERT_TRUE(vt_pread_pat_ok(fd, 0, len, 6));
	if (vt_have_driver()) {
		vt_stats(fd, &s1);
		vt_stats_log("private populate + writes", &s0, &s1);
		EXPECT_EQ(s1.page_mkwrite - s0.page_mkwrite, 0);
	}
	vt_unmap(p, len);
}

/*
 * Row "MAP_POPULATE ... errors ignored": populating a mapping that reaches
 * past the object's end still succeeds; the pages inside are populated, the
 * ones past the end raise SIGBUS when touched.
 */
TEST(mmap_populate_past_end)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	char *p;

	vt_fresh(2 * ps);
	vt_pwrite_pat(fd, 0, 2 * ps, 7);
	p = vt_map(NULL, 4 * ps, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	EXPECT_EQ(vt_smaps_kb(p, "Rss"), (long)(2 * ps / 1024));
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 7));
	ASSERT_SIGNAL(SIGBUS, vt_peek(p + 2 * ps));
	ASSERT_SIGNAL(SIGBUS, vt_peek(p + 4 * ps - 1));
	vt_unmap(p, 4 * ps);
}
