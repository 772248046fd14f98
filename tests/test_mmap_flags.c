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

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

/*
 * Row "MAP_LOCKED": works as root and is not cleared (the VMA is not
 * VM_SPECIAL): "lo" in VmFlags, every page resident and Locked at once.
 * Also row "msync MS_INVALIDATE on VM_LOCKED": EBUSY.
 */
TEST_F(vmmap, mmap_locked)
{
	size_t ps = vt_page(), n = 16, len = n * ps;
	struct vmmap_info i0, i1;
	int fd = self->fd;
	long before, after;
	char *p;

	if (geteuid() != 0)
		SKIP(return,
			   "MAP_LOCKED of %zu bytes needs root (CAP_IPC_LOCK)",
			   len);
	vt_fresh(_metadata, 2 * len);
	vt_pwrite_pat(_metadata, fd, 0, len, 5);
	if (vt_have_driver())
		vt_info(_metadata, fd, &i0);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED | MAP_LOCKED, fd, 0);
	EXPECT_TRUE(vt_smaps_flag(_metadata, p, "lo"));
	EXPECT_EQ((long)(len / 1024), vt_smaps_kb(p, "Rss"));
	EXPECT_EQ((long)(len / 1024), vt_smaps_kb(p, "Locked"));

	/* populated: reading it faults no more */
	before = vt_minflt();
	ASSERT_TRUE(vt_pat_ok(p, len, 0, 5));
	after = vt_minflt();
	EXPECT_EQ(0, after - before);

	ASSERT_ERRNO(msync(p, len, MS_INVALIDATE), EBUSY);
	ASSERT_ERRNO(msync(p, ps, MS_SYNC | MS_INVALIDATE), EBUSY);
	ASSERT_OK(msync(p, len, MS_SYNC));

	if (vt_have_driver()) {
		vt_info(_metadata, fd, &i1);
		EXPECT_EQ(i0.resident_pages, i1.resident_pages);
		EXPECT_EQ(1, i1.live_vmas - i0.live_vmas);
	}
	vt_unmap(_metadata, p, len);

	/* a private locked mapping of never-touched pages works too */
	p = vt_map(_metadata, NULL, len, PROT_READ, MAP_PRIVATE | MAP_LOCKED,
		   fd, len);
	EXPECT_TRUE(vt_smaps_flag(_metadata, p, "lo"));
	EXPECT_EQ((long)(len / 1024), vt_smaps_kb(p, "Rss"));
	ASSERT_TRUE(vt_zero_ok(p, len));
	vt_unmap(_metadata, p, len);
}

/* The object mapped writable, shared and private. */
FIXTURE(vmmap_maps) {
	int fd;
};

FIXTURE_VARIANT(vmmap_maps) {
	int map_flags;
};

FIXTURE_VARIANT_ADD(vmmap_maps, shared) {
	.map_flags = MAP_SHARED,
};

FIXTURE_VARIANT_ADD(vmmap_maps, private) {
	.map_flags = MAP_PRIVATE,
};

VT_FIXTURE_SETUP(vmmap_maps, -1)

/*
 * Row "MAP_POPULATE": faults at map time, read faults for a shared mapping
 * (its PTEs read-only), write faults (copy-on-write) for a private writable
 * one. The pages become resident and mapped (Rss; Anonymous: the private
 * copies), page_mkwrite is not called, nothing is dirty, and reading them
 * afterwards takes no fault. The first write to each page then calls
 * page_mkwrite exactly once where shared, and faults no more where
 * private; the object sees only the shared writes.
 */
TEST_F(vmmap_maps, mmap_populate)
{
	bool shared = variant->map_flags == MAP_SHARED;
	size_t ps = vt_page(), n = 16, len = n * ps, i;
	struct vmmap_counters s0, s1, s2;
	struct vmmap_info i0, i1;
	int fd = self->fd;
	long before, after;
	char *p, *buf;

	vt_fresh(_metadata, len);
	if (vt_have_driver()) {
		vt_info(_metadata, fd, &i0);
		vt_stats(_metadata, &s0);
	}
	p = vt_map(_metadata, NULL, len, RW, variant->map_flags | MAP_POPULATE,
		   fd, 0);
	EXPECT_EQ((long)(len / 1024), vt_smaps_kb(p, "Rss"));
	EXPECT_EQ(shared ? 0 : (long)(len / 1024),
		  vt_smaps_kb(p, "Anonymous"));
	if (vt_have_driver()) {
		vt_info(_metadata, fd, &i1);
		vt_stats(_metadata, &s1);
		vt_stats_log("populate", &s0, &s1);
		EXPECT_EQ(n, i1.resident_pages - i0.resident_pages);
		EXPECT_EQ(0, s1.page_mkwrite - s0.page_mkwrite);
		EXPECT_EQ(0, i1.dirty_pages);
	}

	/*
	 * The code of memset and vt_zero_ok may not be mapped in this forked
	 * process yet (fork copies no PTEs of file pages): run it once the
	 * same way on other memory, so that only faults on the mapping are
	 * counted.
	 */
	buf = malloc(len);
	ASSERT_TRUE(buf != NULL);
	memset(buf, 0, len);
	ASSERT_TRUE(vt_zero_ok(buf, len));
	before = vt_faults();
	ASSERT_TRUE(vt_zero_ok(p, len));
	after = vt_faults();
	EXPECT_EQ(0, after - before);

	before = vt_faults();
	memset(p, 0x77, len);
	after = vt_faults();
	EXPECT_EQ(shared ? (long)n : 0, after - before);
	if (vt_have_driver()) {
		vt_stats(_metadata, &s2);
		vt_stats_log("writes", &s1, &s2);
		EXPECT_EQ(shared ? n : 0, s2.page_mkwrite - s1.page_mkwrite);
		EXPECT_EQ(0, s2.fault - s1.fault);
	}
	ASSERT_EQ((ssize_t)len, pread(fd, buf, len, 0));
	for (i = 0; i < len; i++)
		if (buf[i] != (shared ? 0x77 : 0))
			break;
	EXPECT_EQ(len, i) TH_LOG("the object differs at byte %zu", i);
	free(buf);
	vt_unmap(_metadata, p, len);
}

/*
 * Row "MAP_POPULATE ... errors ignored": populating a mapping that reaches
 * past the object's end still succeeds; the pages inside are populated, the
 * ones past the end raise SIGBUS when touched.
 */
TEST_F(vmmap, mmap_populate_past_end)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, 2 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 2 * ps, 7);
	p = vt_map(_metadata, NULL, 4 * ps, PROT_READ,
		   MAP_SHARED | MAP_POPULATE, fd, 0);
	EXPECT_EQ((long)(2 * ps / 1024), vt_smaps_kb(p, "Rss"));
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 7));
	ASSERT_SIGNAL(SIGBUS, vt_peek(p + 2 * ps));
	ASSERT_SIGNAL(SIGBUS, vt_peek(p + 4 * ps - 1));
	vt_unmap(_metadata, p, 4 * ps);
}

/* Drops CAP_IPC_LOCK from this (test) process's effective set. */
static void drop_ipc_lock(struct __test_metadata *_metadata)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	ASSERT_OK(syscall(SYS_capget, &h, d));
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	ASSERT_OK(syscall(SYS_capset, &h, d));
}

/* kernel.*: do_mmap() checks the mlock limits before the driver is asked. */
/*
 * Row "MAP_LOCKED": without the right, EPERM (RLIMIT_MEMLOCK 0 and no
 * CAP_IPC_LOCK) or EAGAIN (over a nonzero RLIMIT_MEMLOCK); no VMA is left.
 */
TEST_F(kernel, mmap_locked_without_rights)
{
	size_t ps = vt_page();
	struct rlimit rl;
	int fd = self->fd;
	char *p;

	vt_resize(_metadata, 16 * ps);
	drop_ipc_lock(_metadata);
	/* lowering limits needs no privilege; raising them would */
	rl.rlim_cur = rl.rlim_max = 2 * ps;
	ASSERT_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_ERRNO(mmap(NULL, 4 * ps, PROT_READ, MAP_SHARED | MAP_LOCKED, fd,
			  0), EAGAIN);
	EXPECT_EQ(0, vt_count_obj_vmas());
	p = vt_map(_metadata, NULL, 2 * ps, PROT_READ, MAP_SHARED | MAP_LOCKED,
		   fd, 0);
	EXPECT_TRUE(vt_smaps_flag(_metadata, p, "lo"));
	vt_unmap(_metadata, p, 2 * ps);

	rl.rlim_cur = rl.rlim_max = 0;
	ASSERT_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_SHARED | MAP_LOCKED, fd, 0),
		     EPERM);
	EXPECT_EQ(0, vt_count_obj_vmas());
	/* without MAP_LOCKED all is well */
	p = vt_map(_metadata, NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	vt_unmap(_metadata, p, ps);
}

TEST_HARNESS_MAIN
