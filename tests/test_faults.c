// SPDX-License-Identifier: GPL-2.0
/*
 * What an access raises: SIGBUS inside the VMA but past the object (the
 * driver's ->fault decides), SIGSEGV past the VMA or against its protection
 * (the kernel decides). SIGBUS is caught in this process (vt_try_*), the
 * SIGSEGV checks run in a forked copy (ASSERT_SIGNAL).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define RW (PROT_READ | PROT_WRITE)

/*
 * Row "access inside the VMA but past the object": SIGBUS (BUS_ADRERR, at
 * the address touched), for reads and writes, shared and private mappings;
 * each counted once in stats.sigbus. The pages inside keep working.
 */
TEST(sigbus_past_object)
{
	size_t ps = vt_page();
	struct vmmap_counters a, b;
	int fd = vt_open(O_RDWR);
	char *sh, *pr;

	vt_fresh(2 * ps);
	vt_pwrite_pat(fd, 0, 2 * ps, 8);
	sh = vt_map(NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	pr = vt_map(NULL, 4 * ps, RW, MAP_PRIVATE, fd, 0);
	if (vt_have_driver())
		vt_stats(fd, &a);

	ASSERT_EQ(vt_try_read(sh + 2 * ps), SIGBUS);
	EXPECT_EQ(vt_sig_code, BUS_ADRERR);
	EXPECT_EQ(vt_sig_addr, (void *)(sh + 2 * ps));
	ASSERT_EQ(vt_try_write(sh + 3 * ps + 17, 1), SIGBUS);
	EXPECT_EQ(vt_sig_addr, (void *)(sh + 3 * ps + 17));
	ASSERT_EQ(vt_try_read(pr + 2 * ps + 5), SIGBUS);
	EXPECT_EQ(vt_sig_addr, (void *)(pr + 2 * ps + 5));
	ASSERT_EQ(vt_try_write(pr + 3 * ps, 1), SIGBUS);
	if (vt_have_driver()) {
		vt_stats(fd, &b);
		vt_stats_log("4 faults past the end", &a, &b);
		EXPECT_EQ(b.sigbus - a.sigbus, 4);
	}

	/* inside the object all is well, before and after */
	ASSERT_TRUE(vt_pat_ok(sh, 2 * ps, 0, 8));
	ASSERT_TRUE(vt_pat_ok(pr, 2 * ps, 0, 8));
	vt_poke(sh + ps, 0x11);
	vt_poke(pr + ps, 0x22);
	ASSERT_EQ(vt_peek(sh + ps), 0x11);
	ASSERT_EQ(vt_peek(pr + ps), 0x22);
	/* the failed write left nothing behind: still past the end */
	ASSERT_EQ(vt_try_read(sh + 3 * ps + 17), SIGBUS);
	ASSERT_EQ(vt_size(fd), 2 * ps);
	vt_unmap(sh, 4 * ps);
	vt_unmap(pr, 4 * ps);
}

/* A mapping that starts past the end (pgoff beyond the size) maps, but
 * every access raises SIGBUS.
 */
TEST(sigbus_mapping_beyond_end)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	char *p;

	vt_fresh(4 * ps);
	p = vt_map(NULL, 2 * ps, RW, MAP_SHARED, fd, 8 * ps);
	ASSERT_EQ(vt_try_read(p), SIGBUS);
	ASSERT_EQ(vt_try_write(p + ps, 1), SIGBUS);
	vt_unmap(p, 2 * ps);
	ASSERT_EQ(vt_size(fd), 4 * ps);
}

/* Row "access past the VMA": SIGSEGV (SEGV_MAPERR), not SIGBUS. */
TEST(sigsegv_past_vma)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	char *area, *p;

	vt_fresh(16 * ps);
	area = vt_free_area(4 * ps);
	p = vt_map(area, 2 * ps, RW, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	ASSERT_EQ(p, area);
	vt_poke(p + 2 * ps - 1, 1);
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p + 2 * ps));
	EXPECT_EQ(vt_sig_code, SEGV_MAPERR);
	ASSERT_SIGNAL(SIGSEGV, vt_poke(p + 3 * ps, 1));
	EXPECT_EQ(vt_sig_code, SEGV_MAPERR);
	vt_unmap(p, 2 * ps);
	/* and after munmap the range itself */
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p));
}

/*
 * Row "write to PROT_READ": SIGSEGV (SEGV_ACCERR) on shared and private
 * read-only mappings of an O_RDWR fd; the object is not changed; reads work.
 * PROT_NONE refuses reads too.
 */
TEST(sigsegv_write_to_readonly)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	char *sh, *pr, *none;

	vt_fresh(4 * ps);
	vt_pwrite_pat(fd, 0, 4 * ps, 9);
	sh = vt_map(NULL, 2 * ps, PROT_READ, MAP_SHARED, fd, 0);
	pr = vt_map(NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	none = vt_map(NULL, ps, PROT_NONE, MAP_SHARED, fd, 0);

	ASSERT_SIGNAL(SIGSEGV, vt_poke(sh, 1));
	EXPECT_EQ(vt_sig_code, SEGV_ACCERR);
	EXPECT_EQ(vt_sig_addr, (void *)sh);
	/* already mapped for reading, then written */
	ASSERT_EQ(vt_peek(sh + ps), vt_pat(ps, 9));
	ASSERT_SIGNAL(SIGSEGV, vt_poke(sh + ps, 1));
	ASSERT_SIGNAL(SIGSEGV, vt_poke(pr, 1));
	EXPECT_EQ(vt_sig_code, SEGV_ACCERR);
	ASSERT_SIGNAL(SIGSEGV, vt_peek(none));
	EXPECT_EQ(vt_sig_code, SEGV_ACCERR);

	ASSERT_TRUE(vt_pat_ok(sh, 2 * ps, 0, 9));
	ASSERT_TRUE(vt_pat_ok(pr, 2 * ps, 0, 9));
	ASSERT_TRUE(vt_pread_pat_ok(fd, 0, 4 * ps, 9));
	vt_unmap(sh, 2 * ps);
	vt_unmap(pr, 2 * ps);
	vt_unmap(none, ps);
}
