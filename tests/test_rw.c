// SPDX-License-Identifier: GPL-2.0
/*
 * The object as a file: lseek, read and write at, across and past the end.
 * Spec: SEEK_END is the size; reads at/after the end return 0; writes at or
 * after the end fail with ENOSPC, a write across it is short; O_APPEND
 * writes at the end, so fails with ENOSPC.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vmmap_test.h"

TEST_F(vmmap, lseek_whence)
{
	size_t ps = vt_page(), size = 16 * ps;
	int fd = self->fd;
	char buf[10];

	vt_fresh(_metadata, size);
	vt_pwrite_pat(_metadata, fd, 0, 2 * ps, 30);
	ASSERT_EQ((off_t)size, lseek(fd, 0, SEEK_END));
	ASSERT_EQ((off_t)(size - ps), lseek(fd, -(off_t)ps, SEEK_END));
	ASSERT_EQ(100, lseek(fd, 100, SEEK_SET));
	ASSERT_EQ(100, lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(128, lseek(fd, 28, SEEK_CUR));
	ASSERT_EQ(100, lseek(fd, -28, SEEK_CUR));

	/* read and write move the position */
	ASSERT_EQ(10, read(fd, buf, 10));
	ASSERT_TRUE(vt_pat_ok(buf, 10, 100, 30));
	ASSERT_EQ(110, lseek(fd, 0, SEEK_CUR));
	memcpy(buf, "0123456789", 10);
	ASSERT_EQ(10, write(fd, buf, 10));
	ASSERT_EQ(120, lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(10, pread(fd, buf, 10, 110));
	ASSERT_EQ(0, memcmp(buf, "0123456789", 10));
	/* pread/pwrite leave it alone */
	ASSERT_EQ(120, lseek(fd, 0, SEEK_CUR));

	/* a negative position is refused, the position unchanged */
	ASSERT_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	ASSERT_ERRNO(lseek(fd, -(off_t)size - 1, SEEK_END), EINVAL);
	ASSERT_EQ(120, lseek(fd, 0, SEEK_CUR));

	/* SEEK_END follows a resize */
	vt_resize(_metadata, 4 * ps);
	ASSERT_EQ((off_t)(4 * ps), lseek(fd, 0, SEEK_END));
}

/* Reads: full inside, short across the end, 0 at and after it. */
TEST_F(vmmap, read_at_and_past_end)
{
	size_t ps = vt_page(), size = 4 * ps;
	int fd = self->fd;
	char buf[64];

	vt_fresh(_metadata, size);
	vt_pwrite_pat(_metadata, fd, size - ps, ps, 31);
	ASSERT_EQ(10, pread(fd, buf, sizeof(buf), size - 10));
	ASSERT_TRUE(vt_pat_ok(buf, 10, size - 10, 31));
	ASSERT_EQ(0, pread(fd, buf, sizeof(buf), size));
	ASSERT_EQ(0, pread(fd, buf, sizeof(buf), size + 1));
	ASSERT_EQ(0, pread(fd, buf, sizeof(buf), size + 100 * ps));

	ASSERT_EQ((off_t)size, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, read(fd, buf, sizeof(buf)));
	ASSERT_EQ((off_t)(size - 5), lseek(fd, -5, SEEK_END));
	ASSERT_EQ(5, read(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, read(fd, buf, sizeof(buf)));
	/* a zero-length read is no error, inside or past the end */
	EXPECT_EQ(0, pread(fd, buf, 0, size));
	EXPECT_EQ(0, pread(fd, buf, 0, 0));
}

/* Writes: short up to the end across it, ENOSPC at and after it; the
 * object neither grows nor changes past the end.
 */
TEST_F(vmmap, write_at_and_past_end)
{
	size_t ps = vt_page(), size = 4 * ps;
	int fd = self->fd;
	char buf[64], back[64];

	vt_require_driver(_metadata); /* a tmpfs file would grow instead */
	vt_fresh(_metadata, size);
	memset(buf, 'e', sizeof(buf));
	ASSERT_EQ(10, pwrite(fd, buf, sizeof(buf), size - 10));
	ASSERT_EQ(10, pread(fd, back, sizeof(back), size - 10));
	ASSERT_EQ(0, memcmp(back, buf, 10));
	ASSERT_ERRNO(pwrite(fd, buf, sizeof(buf), size), ENOSPC);
	ASSERT_ERRNO(pwrite(fd, buf, 1, size + 1), ENOSPC);
	ASSERT_ERRNO(pwrite(fd, buf, 1, size + 100 * ps), ENOSPC);
	ASSERT_EQ((off_t)size, lseek(fd, 0, SEEK_END));

	/* through the file position: short, then ENOSPC */
	ASSERT_EQ((off_t)(size - 3), lseek(fd, -3, SEEK_END));
	ASSERT_EQ(3, write(fd, buf, sizeof(buf)));
	ASSERT_EQ((off_t)size, lseek(fd, 0, SEEK_CUR));
	ASSERT_ERRNO(write(fd, buf, sizeof(buf)), ENOSPC);
	ASSERT_EQ((off_t)size, lseek(fd, 0, SEEK_END));
	/* a zero-length write is no error anywhere inside */
	ASSERT_EQ(0, pwrite(fd, buf, 0, 0));
}

/* The last page through a mapping and through read()/write() agree. */
TEST_F(vmmap, rw_last_page_coherent)
{
	size_t ps = vt_page(), size = 3 * ps;
	int fd = self->fd;
	unsigned char *p, c = 0x3c;

	vt_fresh(_metadata, size);
	p = vt_map(_metadata, NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	ASSERT_EQ(1, pwrite(fd, &c, 1, size - 1));
	ASSERT_EQ(0x3c, p[size - 1]);
	p[size - 2] = 0x3d;
	ASSERT_EQ(1, pread(fd, &c, 1, size - 2));
	ASSERT_EQ(0x3d, c);
	vt_unmap(_metadata, p, size);
}

/*
 * O_APPEND (and pwritev2's RWF_APPEND) writes at the end, as on a regular
 * file, whatever the position: ENOSPC, nothing written, the position kept.
 * pwrite() on an O_APPEND file appends too (pwrite(2), BUGS). Clearing
 * O_APPEND with F_SETFL writes at the position again.
 */
TEST_F(vmmap, write_append_at_end)
{
	size_t ps = vt_page(), size = 4 * ps;
	int fd = vt_open(_metadata, O_RDWR), afd;
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };

	vt_require_driver(_metadata); /* a tmpfs file would grow instead */
	vt_fresh(_metadata, size);
	vt_pwrite_pat(_metadata, fd, 0, size, 32);
	memset(buf, 'a', sizeof(buf));
	afd = vt_open(_metadata, O_RDWR | O_APPEND);
	ASSERT_EQ((off_t)ps, lseek(afd, ps, SEEK_SET));
	EXPECT_ERRNO(write(afd, buf, sizeof(buf)), ENOSPC);
	EXPECT_ERRNO(pwrite(afd, buf, sizeof(buf), 0), ENOSPC);
	EXPECT_ERRNO(writev(afd, &iov, 1), ENOSPC);
	EXPECT_EQ(0, write(afd, buf, 0));
	EXPECT_EQ((off_t)ps, lseek(afd, 0, SEEK_CUR));
	EXPECT_ERRNO(pwritev2(fd, &iov, 1, 0, RWF_APPEND), ENOSPC);
	EXPECT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, size, 32));
	EXPECT_EQ(size, vt_size(_metadata, fd));

	ASSERT_OK(fcntl(afd, F_SETFL, fcntl(afd, F_GETFL) & ~O_APPEND));
	ASSERT_EQ((ssize_t)sizeof(buf), write(afd, buf, sizeof(buf)));
	ASSERT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), (off_t)ps));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ('a', buf[sizeof(buf) - 1]);
}

TEST_HARNESS_MAIN
