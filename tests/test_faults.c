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

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

/*
 * Row "access inside the VMA but past the object": SIGBUS (BUS_ADRERR, at
 * the address touched), for reads and writes, shared and private mappings;
 * each counted once in stats.sigbus. The pages inside keep working.
 */
TEST_F(vmmap, sigbus_past_object)
{
	size_t ps = vt_page();
	struct vmmap_counters a, b;
	int fd = self->fd;
	char *sh, *pr;

	vt_fresh(_metadata, 2 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 2 * ps, 8);
	sh = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	pr = vt_map(_metadata, NULL, 4 * ps, RW, MAP_PRIVATE, fd, 0);
	if (vt_have_driver())
		vt_stats(_metadata, &a);

	ASSERT_EQ(SIGBUS, vt_try_read(sh + 2 * ps));
	EXPECT_EQ(BUS_ADRERR, vt_sig_code);
	EXPECT_EQ((void *)(sh + 2 * ps), vt_sig_addr);
	ASSERT_EQ(SIGBUS, vt_try_write(sh + 3 * ps + 17, 1));
	EXPECT_EQ((void *)(sh + 3 * ps + 17), vt_sig_addr);
	ASSERT_EQ(SIGBUS, vt_try_read(pr + 2 * ps + 5));
	EXPECT_EQ((void *)(pr + 2 * ps + 5), vt_sig_addr);
	ASSERT_EQ(SIGBUS, vt_try_write(pr + 3 * ps, 1));
	if (vt_have_driver()) {
		vt_stats(_metadata, &b);
		vt_stats_log("4 faults past the end", &a, &b);
		EXPECT_EQ(4, b.sigbus - a.sigbus);
	}

	/* inside the object all is well, before and after */
	ASSERT_TRUE(vt_pat_ok(sh, 2 * ps, 0, 8));
	ASSERT_TRUE(vt_pat_ok(pr, 2 * ps, 0, 8));
	vt_poke(sh + ps, 0x11);
	vt_poke(pr + ps, 0x22);
	ASSERT_EQ(0x11, vt_peek(sh + ps));
	ASSERT_EQ(0x22, vt_peek(pr + ps));
	/* the failed write left nothing behind: still past the end */
	ASSERT_EQ(SIGBUS, vt_try_read(sh + 3 * ps + 17));
	ASSERT_EQ(2 * ps, vt_size(_metadata, fd));
	vt_unmap(_metadata, sh, 4 * ps);
	vt_unmap(_metadata, pr, 4 * ps);
}

/* A mapping that starts past the end (pgoff beyond the size) maps, but
 * every access raises SIGBUS.
 */
TEST_F(vmmap, sigbus_mapping_beyond_end)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, 4 * ps);
	p = vt_map(_metadata, NULL, 2 * ps, RW, MAP_SHARED, fd, 8 * ps);
	ASSERT_EQ(SIGBUS, vt_try_read(p));
	ASSERT_EQ(SIGBUS, vt_try_write(p + ps, 1));
	vt_unmap(_metadata, p, 2 * ps);
	ASSERT_EQ(4 * ps, vt_size(_metadata, fd));
}

/* kernel.*: SIGSEGV comes from the VMA lookup and flags, before any ->fault. */
/* Row "access past the VMA": SIGSEGV (SEGV_MAPERR), not SIGBUS. */
TEST_F(kernel, sigsegv_past_vma)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, 16 * ps);
	p = vt_map_before_hole(_metadata, fd, 2 * ps, 2 * ps);
	vt_poke(p + 2 * ps - 1, 1);
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p + 2 * ps));
	EXPECT_EQ(SEGV_MAPERR, vt_sig_code);
	ASSERT_SIGNAL(SIGSEGV, vt_poke(p + 3 * ps, 1));
	EXPECT_EQ(SEGV_MAPERR, vt_sig_code);
	vt_unmap(_metadata, p, 2 * ps);
	/* and after munmap the range itself */
	ASSERT_SIGNAL(SIGSEGV, vt_peek(p));
}

/*
 * Row "write to PROT_READ": SIGSEGV (SEGV_ACCERR) on shared and private
 * read-only mappings of an O_RDWR fd; the object is not changed; reads work.
 * PROT_NONE refuses reads too.
 */
TEST_F(kernel, sigsegv_write_to_readonly)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char *sh, *pr, *none;

	vt_fresh(_metadata, 4 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 4 * ps, 9);
	sh = vt_map(_metadata, NULL, 2 * ps, PROT_READ, MAP_SHARED, fd, 0);
	pr = vt_map(_metadata, NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	none = vt_map(_metadata, NULL, ps, PROT_NONE, MAP_SHARED, fd, 0);

	ASSERT_SIGNAL(SIGSEGV, vt_poke(sh, 1));
	EXPECT_EQ(SEGV_ACCERR, vt_sig_code);
	EXPECT_EQ((void *)sh, vt_sig_addr);
	/* already mapped for reading, then written */
	ASSERT_EQ(vt_pat(ps, 9), vt_peek(sh + ps));
	ASSERT_SIGNAL(SIGSEGV, vt_poke(sh + ps, 1));
	ASSERT_SIGNAL(SIGSEGV, vt_poke(pr, 1));
	EXPECT_EQ(SEGV_ACCERR, vt_sig_code);
	ASSERT_SIGNAL(SIGSEGV, vt_peek(none));
	EXPECT_EQ(SEGV_ACCERR, vt_sig_code);

	ASSERT_TRUE(vt_pat_ok(sh, 2 * ps, 0, 9));
	ASSERT_TRUE(vt_pat_ok(pr, 2 * ps, 0, 9));
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, 4 * ps, 9));
	vt_unmap(_metadata, sh, 2 * ps);
	vt_unmap(_metadata, pr, 2 * ps);
	vt_unmap(_metadata, none, ps);
}

TEST_HARNESS_MAIN
