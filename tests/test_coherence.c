// SPDX-License-Identifier: GPL-2.0
/*
 * One object, many views: read()/write() and every MAP_SHARED mapping (in
 * any process, through any fd, at any pgoff) see the same bytes at once;
 * MAP_PRIVATE mappings see the object until they write, then their copy.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

/* write() then mapping: a fresh shared and a fresh private mapping see it. */
TEST_F(vmmap, coherence_write_then_map)
{
	size_t ps = vt_page(), len = 8 * ps;
	int fd = self->fd;
	char *sh, *pr, buf[7];

	vt_fresh(_metadata, len);
	vt_pwrite_pat(_metadata, fd, 0, len, 20);
	sh = vt_map(_metadata, NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	pr = vt_map(_metadata, NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(vt_pat_ok(sh, len, 0, 20));
	ASSERT_TRUE(vt_pat_ok(pr, len, 0, 20));

	/* an unaligned write across a page boundary, into mapped pages */
	memcpy(buf, "abcdefg", 7);
	ASSERT_EQ(7, pwrite(fd, buf, 7, ps - 3));
	ASSERT_EQ(0, memcmp(sh + ps - 3, "abcdefg", 7));
	ASSERT_EQ(0, memcmp(pr + ps - 3, "abcdefg", 7));
	vt_unmap(_metadata, sh, len);
	vt_unmap(_metadata, pr, len);
}

/* Mapping writes are visible to read() at once (no msync), on any fd. */
TEST_F(vmmap, coherence_map_then_read)
{
	size_t ps = vt_page(), len = 8 * ps;
	int fd = vt_open(_metadata, O_RDWR),
	    other = vt_open(_metadata, O_RDONLY);
	char *p;

	vt_fresh(_metadata, len);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, len, 0, 21);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, len, 21));
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, other, 0, len, 21));
	/* read() through the file position as well */
	ASSERT_EQ(0, lseek(other, 0, SEEK_SET));
	{
		char *buf = malloc(len);

		ASSERT_TRUE(buf != NULL);
		ASSERT_EQ((ssize_t)len, read(other, buf, len));
		ASSERT_TRUE(vt_pat_ok(buf, len, 0, 21));
		free(buf);
	}
	vt_unmap(_metadata, p, len);
}

/* Alternate the writer on the same bytes: each side sees the other's last. */
TEST_F(vmmap, coherence_interleaved)
{
	size_t ps = vt_page();
	int fd = self->fd;
	unsigned char *p, c;
	int round;

	vt_fresh(_metadata, 4 * ps);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	for (round = 0; round < 8; round++) {
		size_t off = (round % 4) * ps + (size_t)round * 13;

		c = (unsigned char)(0x40 + round);
		ASSERT_EQ(1, pwrite(fd, &c, 1, off));
		ASSERT_EQ(c, vt_peek(p + off));
		vt_poke(p + off, (unsigned char)~c);
		ASSERT_EQ(1, pread(fd, &c, 1, off));
		ASSERT_EQ((unsigned char)~(0x40 + round), c);
	}
	vt_unmap(_metadata, p, 4 * ps);
}

/* Data outlives every mapping and every open file of it. */
TEST_F(vmmap, coherence_persists_across_unmap_and_reopen)
{
	size_t ps = vt_page(), len = 4 * ps;
	int fd = self->fd;
	char *p;

	vt_fresh(_metadata, len);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	vt_pat_fill(p, len, 0, 22);
	vt_unmap(_metadata, p, len);
	ASSERT_OK(close(fd));

	fd = vt_open(_metadata, O_RDONLY);
	p = vt_map(_metadata, NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(vt_pat_ok(p, len, 0, 22));
	vt_unmap(_metadata, p, len);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, len, 22));
	ASSERT_OK(close(fd));
}

/*
 * pgoff is honoured: a mapping at offset k pages sees the bytes written with
 * pwrite at k * pagesize, and its writes land there.
 */
TEST_F(vmmap, coherence_pgoff)
{
	size_t ps = vt_page(), n = 8, k;
	int fd = self->fd;
	unsigned char *p;

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 0, n * ps, 23);
	for (k = 0; k + 2 <= n; k++) {
		p = vt_map(_metadata, NULL, 2 * ps, RW, MAP_SHARED, fd,
			   (off_t)(k * ps));
		ASSERT_TRUE(vt_pat_ok(p, 2 * ps, k * ps, 23));
		vt_unmap(_metadata, p, 2 * ps);
	}
	p = vt_map(_metadata, NULL, ps, RW, MAP_SHARED, fd, (off_t)(5 * ps));
	vt_pat_fill(p, ps, 5 * ps, 24);
	vt_unmap(_metadata, p, ps);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 4 * ps, ps, 23));
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 5 * ps, ps, 24));
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 6 * ps, ps, 23));
	p = vt_map(_metadata, NULL, ps, PROT_READ, MAP_PRIVATE, fd,
		   (off_t)(5 * ps));
	ASSERT_TRUE(vt_pat_ok(p, ps, 5 * ps, 24));
	vt_unmap(_metadata, p, ps);
}

/* Two processes, each with its own mmap of the object, see each other. */
TEST_F(vmmap, coherence_two_processes)
{
	size_t ps = vt_page(), len = 4 * ps;
	struct vt_sync sync;
	int fd = self->fd;
	char *p;
	pid_t pid;

	vt_fresh(_metadata, len);
	vt_sync_init(_metadata, &sync);
	pid = vt_fork_sync(_metadata, &sync);
	if (pid == 0) {
		int cfd = vt_open(_metadata, O_RDWR);
		char *c = vt_map(_metadata, NULL, len, RW, MAP_SHARED, cfd, 0);

		vt_pat_fill(c, 2 * ps, 0, 25);		/* child writes */
		vt_sync_post(_metadata, &sync, true);
		vt_sync_wait(_metadata, &sync, true); /* parent wrote */
		EXPECT_TRUE(vt_pat_ok(c + 2 * ps, 2 * ps, 2 * ps, 26));
		vt_child_exit(_metadata);
	}
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	vt_sync_wait(_metadata, &sync, false);
	ASSERT_TRUE(vt_pat_ok(p, 2 * ps, 0, 25));
	vt_pat_fill(p + 2 * ps, 2 * ps, 2 * ps, 26);
	vt_sync_post(_metadata, &sync, false);
	vt_wait_ok(_metadata, pid);
	vt_unmap(_metadata, p, len);
}

/*
 * MAP_PRIVATE: until a page is written the mapping shows the object (later
 * writes to it included); once written, the private copy, isolated both
 * ways.
 */
TEST_F(vmmap, private_isolation)
{
	size_t ps = vt_page(), len = 4 * ps;
	int fd = self->fd;
	unsigned char *pr, *sh, c;

	vt_fresh(_metadata, len);
	vt_pwrite_pat(_metadata, fd, 0, len, 27);
	pr = vt_map(_metadata, NULL, len, RW, MAP_PRIVATE, fd, 0);
	sh = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	ASSERT_TRUE(vt_pat_ok(pr, len, 0, 27));

	memset(pr + ps, 0x99, ps);			/* copy page 1 */
	ASSERT_TRUE(vt_pat_ok(sh + ps, ps, ps, 27));
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, ps, ps, 27));

	/* the object changes: uncopied pages follow, the copy does not */
	vt_pwrite_pat(_metadata, fd, 0, len, 28);
	ASSERT_TRUE(vt_pat_ok(pr, ps, 0, 28));
	ASSERT_TRUE(vt_pat_ok(pr + 2 * ps, 2 * ps, 2 * ps, 28));
	ASSERT_EQ(0x99, pr[ps]);
	ASSERT_EQ(0x99, pr[2 * ps - 1]);
	c = 0x12;
	sh[ps] = c;
	ASSERT_EQ(0x99, pr[ps]);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 2 * ps, 2 * ps, 28));
	vt_unmap(_metadata, pr, len);
	vt_unmap(_metadata, sh, len);
}

/*
 * MAP_PRIVATE across fork: the child gets a copy of the parent's written
 * pages; after that, writes on either side stay on that side and never
 * reach the object.
 */
TEST_F(vmmap, private_isolation_after_fork)
{
	size_t ps = vt_page(), len = 4 * ps;
	struct vt_sync sync;
	int fd = self->fd;
	unsigned char *p;
	pid_t pid;

	vt_fresh(_metadata, len);
	vt_pwrite_pat(_metadata, fd, 0, len, 29);
	p = vt_map(_metadata, NULL, len, RW, MAP_PRIVATE, fd, 0);
	memset(p, 0xa0, ps);				/* before fork */
	vt_sync_init(_metadata, &sync);
	pid = vt_fork_sync(_metadata, &sync);
	if (pid == 0) {
		EXPECT_EQ(0xa0, p[0]);
		EXPECT_TRUE(vt_pat_ok(p + ps, 3 * ps, ps, 29));
		memset(p, 0xc0, ps);
		memset(p + ps, 0xc1, ps);
		vt_sync_post(_metadata, &sync, true);
		vt_sync_wait(_metadata, &sync, true); /* parent wrote page 2 */
		EXPECT_EQ(0xc0, p[0]);
		EXPECT_EQ(0xc1, p[ps]);
		EXPECT_TRUE(vt_pat_ok(p + 2 * ps, 2 * ps, 2 * ps, 29));
		vt_child_exit(_metadata);
	}
	vt_sync_wait(_metadata, &sync, false);
	ASSERT_EQ(0xa0, p[0]);
	ASSERT_TRUE(vt_pat_ok(p + ps, 3 * ps, ps, 29));
	memset(p + 2 * ps, 0xe2, ps);
	vt_sync_post(_metadata, &sync, false);
	vt_wait_ok(_metadata, pid);
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, len, 29));
	vt_unmap(_metadata, p, len);
}

TEST_HARNESS_MAIN
