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

#include "common.h"

/* rmmod without waiting: EWOULDBLOCK (EAGAIN) while the module is in use. */
static long try_rmmod(void)
{
	return syscall(SYS_delete_module, "vmmap", O_NONBLOCK);
}

/* Descriptors of this process open on the device. */
static int device_fds(void)
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

TEST(rmmod_refused_while_open)
{
	size_t ps = vt_page();
	int fd;

	vt_require_driver();
	fd = vt_open(O_RDWR);
	vt_fresh(4 * ps);
	vt_pwrite_pat(fd, 0, ps, 61);
	ASSERT_ERRNO(try_rmmod(), EWOULDBLOCK);
	/* still loaded and intact */
	ASSERT_TRUE(vt_pread_pat_ok(fd, 0, ps, 61));
	ASSERT_EQ(access(vt_path(), F_OK), 0);
}

TEST(rmmod_refused_while_mapped)
{
	size_t ps = vt_page();
	unsigned char *p;
	int fd;

	vt_require_driver();
	fd = vt_open(O_RDWR);
	vt_fresh(4 * ps);
	p = vt_map(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_OK(close(fd));
	ASSERT_EQ(device_fds(), 0);	/* only the mapping holds the module */
	vt_poke(p + ps, 0x5a);
	ASSERT_ERRNO(try_rmmod(), EWOULDBLOCK);
	ASSERT_EQ(vt_peek(p + ps), 0x5a);
	vt_poke(p, 0xa5);
	ASSERT_EQ(vt_peek(p), 0xa5);
	vt_unmap(p, 2 * ps);
}
