// SPDX-License-Identifier: GPL-2.0
/*
 * f_op->get_unmapped_area: mappings of at least PMD size (2 MiB on 4K pages,
 * page * page / 8 in general) get an address congruent to their file offset
 * modulo the PMD size; MAP_FIXED gets exactly its address (row "MAP_FIXED");
 * a free hint is honoured.
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

static uintptr_t misalign(const void *addr, uint64_t off)
{
	return ((uintptr_t)addr - (uintptr_t)off) % vt_pmd();
}

static void check_aligned(struct __test_metadata *_metadata, int fd, size_t len,
			  off_t off, int flags)
{
	unsigned char c = (unsigned char)(off / vt_page() + 1);
	char *p[4];
	int i;

	ASSERT_EQ(1, pwrite(fd, &c, 1, off));
	for (i = 0; i < 4; i++) {
		p[i] = vt_map(_metadata, NULL, len, RW, flags, fd, off);
		if (misalign(p[i], off))
			TH_LOG("len %#zx pgoff %#llx: address %p, %#lx past a PMD boundary",
			       len, (unsigned long long)off / vt_page(),
			       (void *)p[i],
			       (unsigned long)misalign(p[i], off));
		EXPECT_EQ(0, misalign(p[i], off));
	}
	/* each maps the object at off */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(c, vt_peek(p[i]));
		vt_unmap(_metadata, p[i], len);
	}
}

TEST_F(vmmap, gua_large_mapping_pmd_aligned)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	struct vmmap_counters s0, s1;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 2 * pmd);
	vt_stats(_metadata, &s0);
	check_aligned(_metadata, fd, pmd, 0, MAP_SHARED);
	check_aligned(_metadata, fd, pmd + ps, 0, MAP_SHARED);
	check_aligned(_metadata, fd, 2 * pmd, 0, MAP_SHARED);
	check_aligned(_metadata, fd, pmd, 0, MAP_PRIVATE);
	vt_stats(_metadata, &s1);
	EXPECT_EQ(16, s1.get_unmapped_area - s0.get_unmapped_area);
}

/* At a nonzero pgoff, the address is aligned to the offset, not to 0. */
TEST_F(vmmap, gua_large_mapping_at_pgoff)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 2 * pmd);
	check_aligned(_metadata, fd, pmd, (off_t)ps, MAP_SHARED);
	check_aligned(_metadata, fd, pmd, (off_t)(5 * ps), MAP_SHARED);
	check_aligned(_metadata, fd, pmd + 3 * ps, (off_t)(pmd - ps),
		      MAP_SHARED);
	check_aligned(_metadata, fd, pmd, (off_t)(pmd + 7 * ps), MAP_PRIVATE);
	check_aligned(_metadata, fd, pmd, (off_t)pmd, MAP_SHARED);
}

/* MAP_FIXED at an address that is not PMD-aligned: exactly there. */
TEST_F(vmmap, gua_map_fixed_exact)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	int fd = self->fd;
	char *area, *want, *p;

	vt_fresh(_metadata, 2 * pmd);
	vt_pwrite_pat(_metadata, fd, 0, 2 * ps, 60);
	area = vt_free_area(_metadata, 3 * pmd);
	want = (char *)(((uintptr_t)area + pmd - 1) / pmd * pmd) + ps;
	p = vt_map(_metadata, want, pmd, RW, MAP_SHARED | MAP_FIXED, fd, 0);
	ASSERT_EQ(want, p);
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 60));
	vt_unmap(_metadata, p, pmd);
	p = vt_map(_metadata, want, pmd, RW, MAP_PRIVATE | MAP_FIXED, fd, ps);
	ASSERT_EQ(want, p);
	ASSERT_TRUE(vt_pat_ok(p, ps, ps, 60));
	vt_unmap(_metadata, p, pmd);
}

/* A free hint is taken as is, large or small, aligned or not. */
TEST_F(vmmap, gua_hint_honoured)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	int fd = self->fd;
	char *area, *hint, *p;

	vt_fresh(_metadata, 2 * pmd);
	area = vt_free_area(_metadata, 3 * pmd);
	hint = (char *)(((uintptr_t)area + pmd - 1) / pmd * pmd) + ps;
	p = vt_map(_metadata, hint, pmd, RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(hint, p);
	vt_poke(p, 1);
	vt_unmap(_metadata, p, pmd);
	p = vt_map(_metadata, hint, 4 * ps, RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(hint, p);
	vt_unmap(_metadata, p, 4 * ps);
	p = vt_map(_metadata, hint + ps, pmd, PROT_READ, MAP_PRIVATE, fd,
		   3 * ps);
	ASSERT_EQ(hint + ps, p);
	vt_unmap(_metadata, p, pmd);
}

TEST_HARNESS_MAIN
