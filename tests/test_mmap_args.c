// SPDX-License-Identifier: GPL-2.0
/*
 * mmap(2) arguments the kernel (K) or the driver (D) must refuse or accept:
 * the rows of mmap-semantics.md about the mmap call itself.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

/*
 * Row "MAP_SHARED_VALIDATE with MAP_SYNC": EOPNOTSUPP, vmmap does not
 * declare MAP_SYNC support. MAP_SHARED | MAP_SYNC ignores the flag.
 */
TEST_F(vmmap, mmap_sync_unsupported)
{
	size_t ps = vt_page();
	struct vmmap_counters a, b;
	int fd = self->fd;
	char *p;

	vt_resize(_metadata, 16 * ps);
	if (vt_have_driver())
		vt_stats(_metadata, &a);
	ASSERT_ERRNO(mmap(NULL, ps, RW, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0),
		     EOPNOTSUPP);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC,
			  fd, 0), EOPNOTSUPP);
	if (vt_have_driver()) {
		vt_stats(_metadata, &b);
		EXPECT_EQ(a.mmap, b.mmap);
	}
	p = vt_map(_metadata, NULL, ps, RW, MAP_SHARED | MAP_SYNC, fd, 0);
	vt_poke(p, 1);
	vt_unmap(_metadata, p, ps);
}

/*
 * Row "MAP_FIXED": replaces what was there, at exactly the address given;
 * the driver's get_unmapped_area is asked (with MAP_FIXED) and must agree.
 */
TEST_F(vmmap, mmap_fixed_replaces)
{
	size_t ps = vt_page();
	struct vmmap_counters a, b;
	int fd = self->fd;
	unsigned char *anon, *p;

	vt_resize(_metadata, 16 * ps);
	vt_pwrite_pat(_metadata, fd, 5 * ps, ps, 4);
	anon = vt_map(_metadata, NULL, 3 * ps, RW, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	memset(anon, 0xaa, 3 * ps);
	if (vt_have_driver())
		vt_stats(_metadata, &a);
	p = vt_map(_metadata, anon + ps, ps, RW, MAP_SHARED | MAP_FIXED, fd,
		   5 * ps);
	ASSERT_EQ(anon + ps, p);
	if (vt_have_driver()) {
		vt_stats(_metadata, &b);
		EXPECT_EQ(1, b.get_unmapped_area - a.get_unmapped_area);
		EXPECT_EQ(1, b.mmap - a.mmap);
	}
	ASSERT_TRUE(vt_pat_ok(p, ps, 5 * ps, 4));
	ASSERT_EQ(0xaa, anon[0]);
	ASSERT_EQ(0xaa, anon[ps - 1]);
	ASSERT_EQ(0xaa, anon[2 * ps]);
	ASSERT_EQ(0xaa, anon[3 * ps - 1]);
	ASSERT_EQ(1, vt_count_obj_vmas());

	/* and a second MAP_FIXED replaces the device mapping itself */
	p = vt_map(_metadata, p, ps, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	ASSERT_EQ(anon + ps, p);
	ASSERT_EQ(1, vt_count_obj_vmas());
	vt_unmap(_metadata, anon, 3 * ps);
	ASSERT_EQ(0, vt_count_obj_vmas());
}

/* kernel.*: do_mmap() refuses or allows these before the driver is asked. */
/* Row "len == 0": EINVAL before the driver is asked anything. */
TEST_F(kernel, mmap_len_zero)
{
	int fd = self->fd;

	vt_resize(_metadata, 16 * vt_page());
	ASSERT_ERRNO(mmap(NULL, 0, RW, MAP_SHARED, fd, 0), EINVAL);
	ASSERT_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
	vt_driver_not_asked(_metadata, self, true);
}

/* Row "offset not page aligned": EINVAL in the arch's sys_mmap. */
TEST_F(kernel, mmap_offset_unaligned)
{
	size_t ps = vt_page();
	off_t offs[] = { 1, 512, (off_t)ps / 2, (off_t)ps - 1, (off_t)ps + 1 };
	int fd = self->fd;
	unsigned int i;

	vt_resize(_metadata, 16 * ps);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		ASSERT_ERRNO(mmap(NULL, ps, RW, MAP_SHARED, fd, offs[i]),
			     EINVAL);
		ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd,
				  offs[i]),
			     EINVAL);
	}
	vt_driver_not_asked(_metadata, self, false);
}

/*
 * Row "pgoff + len wraps": EOVERFLOW. On 64 bits pgoff cannot wrap an
 * unsigned long, so this is file_mmap_ok(): a char device may map offsets up
 * to ULONG_MAX, and offset + len beyond it is refused (offset -ps = the last
 * page of a 64-bit offset space).
 */
TEST_F(kernel, mmap_pgoff_overflow)
{
	size_t ps = vt_page();
	int fd = self->fd;

	if (sizeof(long) < 8)
		SKIP(return, "a 32-bit process cannot name an offset near 2^64 "
		     "(mmap2 takes a 32-bit page offset)");
	vt_resize(_metadata, 16 * ps);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, -(off_t)ps),
		     EOVERFLOW);
	ASSERT_ERRNO(mmap(NULL, 4 * ps, RW, MAP_SHARED, fd, -(off_t)(2 * ps)),
		     EOVERFLOW);
	ASSERT_ERRNO(mmap(NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd,
			  -(off_t)ps), EOVERFLOW);
	vt_driver_not_asked(_metadata, self, false);
}

/* Row "bad fd": EBADF. */
TEST_F(kernel, mmap_bad_fd)
{
	size_t ps = vt_page();
	int fd = vt_open(_metadata, O_RDWR), closed;

	closed = dup(fd);
	ASSERT_OK(closed);
	ASSERT_OK(close(closed));
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_SHARED, -1, 0), EBADF);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_SHARED, closed, 0), EBADF);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_PRIVATE, 100000, 0), EBADF);
}

/* Row "map type not SHARED / PRIVATE / SHARED_VALIDATE": EINVAL. */
TEST_F(kernel, mmap_bad_map_type)
{
	size_t ps = vt_page();
	int types[] = { 0, 0x04, 0x05, 0x07, 0x08, 0x0f };
	int fd = self->fd;
	unsigned int i;

	vt_resize(_metadata, 16 * ps);
	for (i = 0; i < ARRAY_SIZE(types); i++)
		ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, types[i], fd, 0),
			     EINVAL);
	vt_driver_not_asked(_metadata, self, false);
}

/* Row "MAP_SHARED with PROT_WRITE on an O_RDONLY fd": EACCES. */
TEST_F(kernel, mmap_shared_write_on_rdonly_fd)
{
	size_t ps = vt_page();
	int fd;

	vt_resize(_metadata, 16 * ps);
	fd = vt_open(_metadata, O_RDONLY);
	ASSERT_ERRNO(mmap(NULL, ps, RW, MAP_SHARED, fd, 0), EACCES);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	ASSERT_ERRNO(mmap(NULL, ps, RW, MAP_SHARED_VALIDATE, fd, 0), EACCES);
}

/*
 * Row "MAP_SHARED, PROT_READ, O_RDONLY fd": works and stays shared (sees
 * later writes, 's' in maps), but VM_MAYWRITE is gone: mprotect(PROT_WRITE)
 * fails with EACCES (row "mprotect beyond VM_MAY*").
 */
TEST_F(kernel, mmap_shared_read_on_rdonly_fd_no_mprotect_write)
{
	size_t ps = vt_page();
	int rw = vt_open(_metadata, O_RDWR), ro;
	struct vt_vma v;
	char *p;

	vt_resize(_metadata, 16 * ps);
	vt_pwrite_pat(_metadata, rw, 0, 2 * ps, 1);
	ro = vt_open(_metadata, O_RDONLY);
	p = vt_map(_metadata, NULL, 2 * ps, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 1));

	ASSERT_ERRNO(mprotect(p, 2 * ps, RW), EACCES);
	ASSERT_ERRNO(mprotect(p, ps, PROT_READ | PROT_WRITE | PROT_EXEC),
		     EACCES);
	ASSERT_SIGNAL(SIGSEGV, vt_poke(p, 1));
	EXPECT_EQ(SEGV_ACCERR, vt_sig_code);

	ASSERT_TRUE(vt_find_vma(p, &v));
	EXPECT_EQ('s', v.perms[3]);

	/* still shared with the object: a later write shows through */
	vt_pwrite_pat(_metadata, rw, 0, 2 * ps, 2);
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 2));
	vt_unmap(_metadata, p, 2 * ps);
}

/* Row "any mmap of an O_WRONLY fd": EACCES (opening O_WRONLY is allowed). */
TEST_F(kernel, mmap_wronly_fd)
{
	size_t ps = vt_page();
	int prots[] = { PROT_NONE, PROT_READ, PROT_WRITE, RW };
	int types[] = { MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE };
	unsigned int i, j;
	char c = 'w';
	int fd;

	vt_resize(_metadata, 16 * ps);
	fd = vt_open(_metadata, O_WRONLY);
	for (i = 0; i < ARRAY_SIZE(prots); i++)
		for (j = 0; j < ARRAY_SIZE(types); j++)
			ASSERT_ERRNO(mmap(NULL, ps, prots[i], types[j], fd, 0),
				     EACCES);
	/* the fd itself is usable for writing */
	ASSERT_EQ(1, pwrite(fd, &c, 1, 0));
}

/*
 * Row "MAP_PRIVATE with PROT_WRITE on an O_RDONLY fd": allowed; writes are
 * copy-on-write, never reach the object; mprotect(PROT_WRITE) is allowed on
 * a private read-only mapping too (VM_MAYWRITE stays for private).
 */
TEST_F(kernel, mmap_private_write_on_rdonly_fd)
{
	size_t ps = vt_page();
	int rw = vt_open(_metadata, O_RDWR), ro;
	char *p, *q, *shared;

	vt_resize(_metadata, 16 * ps);
	vt_pwrite_pat(_metadata, rw, 0, 4 * ps, 3);
	ro = vt_open(_metadata, O_RDONLY);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_PRIVATE, ro, 0);
	shared = vt_map(_metadata, NULL, 4 * ps, PROT_READ, MAP_SHARED, rw, 0);
	ASSERT_TRUE(vt_pat_ok(p, 4 * ps, 0, 3));

	memset(p + ps, 0x5a, ps);
	ASSERT_EQ(0x5a, vt_peek(p + ps));
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, rw, 0, 4 * ps, 3));
	ASSERT_TRUE(vt_pat_ok(shared, 4 * ps, 0, 3));

	q = vt_map(_metadata, NULL, ps, PROT_READ, MAP_PRIVATE, ro, 2 * ps);
	ASSERT_OK(mprotect(q, ps, RW));
	vt_poke(q, 0xa5);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, rw, 2 * ps, ps, 3));
	ASSERT_TRUE(vt_pat_ok(p + 2 * ps, ps, 2 * ps, 3));
	vt_unmap(_metadata, q, ps);
	vt_unmap(_metadata, p, 4 * ps);
	vt_unmap(_metadata, shared, 4 * ps);
}

/*
 * Row "MAP_SHARED_VALIDATE with an unknown flag": EOPNOTSUPP. The same bit
 * with plain MAP_SHARED is ignored, as it always was.
 */
TEST_F(kernel, mmap_validate_unknown_flag)
{
	size_t ps = vt_page();
	const int unknown = 0x800000;	/* no MAP_* flag uses bit 23 */
	int fd = self->fd;
	char *p;

	vt_resize(_metadata, 16 * ps);
	ASSERT_ERRNO(mmap(NULL, ps, RW, MAP_SHARED_VALIDATE | unknown, fd, 0),
		     EOPNOTSUPP);
	p = vt_map(_metadata, NULL, ps, RW, MAP_SHARED | unknown, fd, 0);
	vt_poke(p, 1);
	vt_unmap(_metadata, p, ps);
	/* a legacy flag passes validation */
	p = vt_map(_metadata, NULL, ps, RW, MAP_SHARED_VALIDATE | MAP_NORESERVE,
		   fd, 0);
	vt_poke(p, 2);
	vt_unmap(_metadata, p, ps);
}

/* Row "MAP_FIXED_NOREPLACE over a mapping": EEXIST, the old one intact. */
TEST_F(kernel, mmap_fixed_noreplace)
{
	size_t ps = vt_page();
	int fd = self->fd;
	unsigned char *anon, *p, *free_at;

	vt_resize(_metadata, 16 * ps);
	anon = vt_map(_metadata, NULL, 3 * ps, RW, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	memset(anon, 0xbb, 3 * ps);
	ASSERT_ERRNO(mmap(anon + ps, ps, RW, MAP_SHARED | MAP_FIXED_NOREPLACE,
			  fd, 0), EEXIST);
	ASSERT_ERRNO(mmap(anon + 2 * ps, 2 * ps, RW,
			  MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0), EEXIST);
	ASSERT_EQ(0xbb, anon[ps]);
	ASSERT_EQ(0, vt_count_obj_vmas());
	vt_unmap(_metadata, anon, 3 * ps);

	/* on free space it maps exactly there */
	free_at = vt_free_area(_metadata, 4 * ps);
	p = mmap(free_at + ps, ps, RW, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(free_at + ps, p);
	vt_unmap(_metadata, p, ps);
}

/* Row "MAP_HUGETLB on a device fd": EINVAL before the driver runs. */
TEST_F(kernel, mmap_hugetlb)
{
	size_t ps = vt_page();
	int fd = self->fd;

	vt_resize(_metadata, 2 * vt_pmd());
	ASSERT_ERRNO(mmap(NULL, vt_pmd(), RW, MAP_SHARED | MAP_HUGETLB, fd, 0),
		     EINVAL);
	ASSERT_ERRNO(mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd,
			  0),
		     EINVAL);
	vt_driver_not_asked(_metadata, self, true);
}

TEST_HARNESS_MAIN
