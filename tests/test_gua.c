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

#include "common.h"

#define RW (PROT_READ | PROT_WRITE)

static uintptr_t misalign(const void *addr, uint64_t off)
{
	return ((uintptr_t)addr - (uintptr_t)off) % vt_pmd();
}

static void check_aligned(int fd, size_t len, off_t off, int flags)
{
	unsigned char c = (unsigned char)(off / vt_page() + 1);
	char *p[4];
	int i;

	ASSERT_EQ(pwrite(fd, &c, 1, off), 1);
	for (i = 0; i < 4; i++) {
		p[i] = vt_map(NULL, len, RW, flags, fd, off);
		if (misalign(p[i], off))
			LOG("len %#zx pgoff %#llx: address %p, %#lx past a PMD boundary",
			    len, (unsigned long long)off / vt_page(), (void *)p[i],
			    (unsigned long)misalign(p[i], off));
		EXPECT_EQ(misalign(p[i], off), 0);
	}
	/* each maps the object at off */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(vt_peek(p[i]), c);
		vt_unmap(p[i], len);
	}
}

TEST(gua_large_mapping_pmd_aligned)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	struct vmmap_counters s0, s1;
	int fd = vt_open(O_RDWR);

	vt_require_driver();
	vt_fresh(2 * pmd);
	vt_stats(fd, &s0);
	check_aligned(fd, pmd, 0, MAP_SHARED);
	check_aligned(fd, pmd + ps, 0, MAP_SHARED);
	check_aligned(fd, 2 * pmd, 0, MAP_SHARED);
	check_aligned(fd, pmd, 0, MAP_PRIVATE);
	vt_stats(fd, &s1);
	EXPECT_EQ(s1.get_unmapped_area - s0.get_unmapped_area, 16);
}

/* At a nonzero pgoff, the address is aligned to the offset, not to 0. */
TEST(gua_large_mapping_at_pgoff)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	int fd = vt_open(O_RDWR);

	vt_require_driver();
	vt_fresh(2 * pmd);
	check_aligned(fd, pmd, (off_t)ps, MAP_SHARED);
	check_aligned(fd, pmd, (off_t)(5 * ps), MAP_SHARED);
	check_aligned(fd, pmd + 3 * ps, (off_t)(pmd - ps), MAP_SHARED);
	check_aligned(fd, pmd, (off_t)(pmd + 7 * ps), MAP_PRIVATE);
	check_aligned(fd, pmd, (off_t)pmd, MAP_SHARED);
}

/* MAP_FIXED at an address that is not PMD-aligned: exactly there. */
TEST(gua_map_fixed_exact)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	int fd = vt_open(O_RDWR);
	char *area, *want, *p;

	vt_fresh(2 * pmd);
	vt_pwrite_pat(fd, 0, 2 * ps, 60);
	area = vt_free_area(3 * pmd);
	want = (char *)(((uintptr_t)area + pmd - 1) / pmd * pmd) + ps;
	p = vt_map(want, pmd, RW, MAP_SHARED | MAP_FIXED, fd, 0);
	ASSERT_EQ(p, want);
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 60));
	vt_unmap(p, pmd);
	p = vt_map(want, pmd, RW, MAP_PRIVATE | MAP_FIXED, fd, ps);
	ASSERT_EQ(p, want);
	ASSERT_TRUE(vt_pat_ok(p, ps, ps, 60));
	vt_unmap(p, pmd);
}

/* A free hint is taken as is, large or small, aligned or not. */
TEST(gua_hint_honoured)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	int fd = vt_open(O_RDWR);
	char *area, *hint, *p;

	vt_fresh(2 * pmd);
	area = vt_free_area(3 * pmd);
	hint = (char *)(((uintptr_t)area + pmd - 1) / pmd * pmd) + ps;
	p = vt_map(hint, pmd, RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(p, hint);
	vt_poke(p, 1);
	vt_unmap(p, pmd);
	p = vt_map(hint, 4 * ps, RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(p, hint);
	vt_unmap(p, 4 * ps);
	p = vt_map(hint + ps, pmd, PROT_READ, MAP_PRIVATE, fd, 3 * ps);
	ASSERT_EQ(p, hint + ps);
	vt_unmap(p, pmd);
}
