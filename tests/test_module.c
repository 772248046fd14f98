// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: rmmod is refused while the device is open or mapped (the
 * file holds a reference on the module, and a mapping holds the file), and
 * the refusal is harmless: the device keeps working. The VM runner checks
 * that the final rmmod succeeds and frees every page.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmmap_test.h"

/* rmmod without waiting: EWOULDBLOCK (EAGAIN) while the module is in use. */
static long try_rmmod(void)
{
	return syscall(SYS_delete_module, "vmmap", O_NONBLOCK);
}

/* Descriptors of this process open on the device. */
static int device_fds(struct __test_metadata *_metadata)
{
	char target[64];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;
	ssize_t len;

	if (!dir)
		FAIL("opendir /proc/self/fd: %s", strerror(errno));
	while ((d = readdir(dir))) {
		len = readlinkat(dirfd(dir), d->d_name, target,
				 sizeof(target) - 1);
		if (len > 0) {
			target[len] = 0;
			n += strcmp(target, vt_path()) == 0;
		}
	}
	closedir(dir);
	return n;
}

TEST_F(vmmap, rmmod_refused_while_open)
{
	size_t ps = vt_page();
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 4 * ps);
	vt_pwrite_pat(_metadata, fd, 0, ps, 61);
	ASSERT_ERRNO(try_rmmod(), EWOULDBLOCK);
	/* still loaded and intact */
	ASSERT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, ps, 61));
	ASSERT_EQ(0, access(vt_path(), F_OK));
}

TEST_F(vmmap, rmmod_refused_while_mapped)
{
	size_t ps = vt_page();
	unsigned char *p;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 4 * ps);
	p = vt_map(_metadata, NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_OK(close(self->fd));
	self->fd = -1;
	/* only the mapping holds the module */
	ASSERT_EQ(0, device_fds(_metadata));
	vt_poke(p + ps, 0x5a);
	ASSERT_ERRNO(try_rmmod(), EWOULDBLOCK);
	ASSERT_EQ(0x5a, vt_peek(p + ps));
	vt_poke(p, 0xa5);
	ASSERT_EQ(0xa5, vt_peek(p));
	vt_unmap(_metadata, p, 2 * ps);
}

TEST_HARNESS_MAIN
