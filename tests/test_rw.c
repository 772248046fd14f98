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

#include "common.h"

TEST(lseek_whence)
{
	size_t ps = vt_page(), size = 16 * ps;
	int fd = vt_open(O_RDWR);
	char buf[10];

	vt_fresh(size);
	vt_pwrite_pat(fd, 0, 2 * ps, 30);
	ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t)size);
	ASSERT_EQ(lseek(fd, -(off_t)ps, SEEK_END), (off_t)(size - ps));
	ASSERT_EQ(lseek(fd, 100, SEEK_SET), 100);
	ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 100);
	ASSERT_EQ(lseek(fd, 28, SEEK_CUR), 128);
	ASSERT_EQ(lseek(fd, -28, SEEK_CUR), 100);

	/* read and write move the position */
	ASSERT_EQ(read(fd, buf, 10), 10);
	ASSERT_TRUE(vt_pat_ok(buf, 10, 100, 30));
	ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 110);
	memcpy(buf, "0123456789", 10);
	ASSERT_EQ(write(fd, buf, 10), 10);
	ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 120);
	ASSERT_EQ(pread(fd, buf, 10, 110), 10);
	ASSERT_EQ(memcmp(buf, "0123456789", 10), 0);
	/* pread/pwrite leave it alone */
	ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 120);

	/* a negative position is refused, the position unchanged */
	ASSERT_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	ASSERT_ERRNO(lseek(fd, -(off_t)size - 1, SEEK_END), EINVAL);
	ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 120);

	/* SEEK_END follows a resize */
	vt_resize(4 * ps);
	ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t)(4 * ps));
}

/* Reads: full inside, short across the end, 0 at and after it. */
TEST(read_at_and_past_end)
{
	size_t ps = vt_page(), size = 4 * ps;
	int fd = vt_open(O_RDWR);
	char buf[64];

	vt_fresh(size);
	vt_pwrite_pat(fd, size - ps, ps, 31);
	ASSERT_EQ(pread(fd, buf, sizeof(buf), size - 10), 10);
	ASSERT_TRUE(vt_pat_ok(buf, 10, size - 10, 31));
	ASSERT_EQ(pread(fd, buf, sizeof(buf), size), 0);
	ASSERT_EQ(pread(fd, buf, sizeof(buf), size + 1), 0);
	ASSERT_EQ(pread(fd, buf, sizeof(buf), size + 100 * ps), 0);

	ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t)size);
	ASSERT_EQ(read(fd, buf, sizeof(buf)), 0);
	ASSERT_EQ(lseek(fd, -5, SEEK_END), (off_t)(size - 5));
	ASSERT_EQ(read(fd, buf, sizeof(buf)), 5);
	ASSERT_EQ(read(fd, buf, sizeof(buf)), 0);
	/* a zero-length read is no error, inside or past the end */
	EXPECT_EQ(pread(fd, buf, 0, size), 0);
	EXPECT_EQ(pread(fd, buf, 0, 0), 0);
}

/* Writes: short up to the end across it, ENOSPC at and after it; the
 * object neither grows nor changes past the end.
 */
TEST(write_at_and_past_end)
{
	size_t ps = vt_page(), size = 4 * ps;
	int fd = vt_open(O_RDWR);
	char buf[64], back[64];

	vt_require_driver();		/* a tmpfs file would grow instead */
	vt_fresh(size);
	memset(buf, 'e', sizeof(buf));
	ASSERT_EQ(pwrite(fd, buf, sizeof(buf), size - 10), 10);
	ASSERT_EQ(pread(fd, back, sizeof(back), size - 10), 10);
	ASSERT_EQ(memcmp(back, buf, 10), 0);
	ASSERT_ERRNO(pwrite(fd, buf, sizeof(buf), size), ENOSPC);
	ASSERT_ERRNO(pwrite(fd, buf, 1, size + 1), ENOSPC);
	ASSERT_ERRNO(pwrite(fd, buf, 1, size + 100 * ps), ENOSPC);
	ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t)size);

	/* through the file position: short, then ENOSPC */
	ASSERT_EQ(lseek(fd, -3, SEEK_END), (off_t)(size - 3));
	ASSERT_EQ(write(fd, buf, sizeof(buf)), 3);
	ASSERT_EQ(lseek(fd, 0, SEEK_CUR), (off_t)size);
	ASSERT_ERRNO(write(fd, buf, sizeof(buf)), ENOSPC);
	ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t)size);
	/* a zero-length write is no error anywhere inside */
	ASSERT_EQ(pwrite(fd, buf, 0, 0), 0);
}

/* The last page through a mapping and through read()/write() agree. */
TEST(rw_last_page_coherent)
{
	size_t ps = vt_page(), size = 3 * ps;
	int fd = vt_open(O_RDWR);
	unsigned char *p, c = 0x3c;

	vt_fresh(size);
	p = vt_map(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_EQ(pwrite(fd, &c, 1, size - 1), 1);
	ASSERT_EQ(p[size - 1], 0x3c);
	p[size - 2] = 0x3d;
	ASSERT_EQ(pread(fd, &c, 1, size - 2), 1);
	ASSERT_EQ(c, 0x3d);
	vt_unmap(p, size);
}

/*
 * O_APPEND (and pwritev2's RWF_APPEND) writes at the end, as on a regular
 * file, whatever the position: ENOSPC, nothing written, the position kept.
 * pwrite() on an O_APPEND file appends too (pwrite(2), BUGS). Clearing
 * O_APPEND with F_SETFL writes at the position again.
 */
TEST(write_append_at_end)
{
	size_t ps = vt_page(), size = 4 * ps;
	int fd = vt_open(O_RDWR), afd;
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };

	vt_require_driver();		/* a tmpfs file would grow instead */
	vt_fresh(size);
	vt_pwrite_pat(fd, 0, size, 32);
	memset(buf, 'a', sizeof(buf));
	afd = vt_open(O_RDWR | O_APPEND);
	ASSERT_EQ(lseek(afd, ps, SEEK_SET), (off_t)ps);
	EXPECT_ERRNO(write(afd, buf, sizeof(buf)), ENOSPC);
	EXPECT_ERRNO(pwrite(afd, buf, sizeof(buf), 0), ENOSPC);
	EXPECT_ERRNO(writev(afd, &iov, 1), ENOSPC);
	EXPECT_EQ(write(afd, buf, 0), 0);
	EXPECT_EQ(lseek(afd, 0, SEEK_CUR), (off_t)ps);
	EXPECT_ERRNO(pwritev2(fd, &iov, 1, 0, RWF_APPEND), ENOSPC);
	EXPECT_TRUE(vt_pread_pat_ok(fd, 0, size, 32));
	EXPECT_EQ(vt_size(fd), size);

	ASSERT_OK(fcntl(afd, F_SETFL, fcntl(afd, F_GETFL) & ~O_APPEND));
	ASSERT_EQ(write(afd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	ASSERT_EQ(pread(fd, buf, sizeof(buf), (off_t)ps), (ssize_t)sizeof(buf));
	EXPECT_EQ(buf[0], 'a');
	EXPECT_EQ(buf[sizeof(buf) - 1], 'a');
}
