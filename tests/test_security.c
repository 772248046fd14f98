// SPDX-License-Identifier: GPL-2.0
/*
 * Security: who may open the device and what a read-only opener can do;
 * what reaches userspace through the ioctls and sysfs; offsets and lengths
 * that would overflow; pages that come back after a shrink.
 *
 * The tests that matter for an unprivileged user drop to uid/gid 65534
 * ("nobody", no supplementary groups) in the test's own process, after root
 * opened what the test needs: a process that is handed a descriptor (by
 * inheritance, SCM_RIGHTS, or a setuid program) is exactly that case.
 *
 * Already covered elsewhere and not repeated here: O_RDONLY mmap rows as
 * root (test_mmap_args.c), pgoff overflow at the last page of the offset
 * space (mmap_pgoff_overflow), ioctl size/flags/reserved validation and
 * zeroed reserved fields (test_ioctl.c), SIGBUS and zeroes after a shrink
 * under live mappings (test_resize.c, test_huge.c).
 */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW		(PROT_READ | PROT_WRITE)
#define GiB		(1024 * MiB)
#define NOBODY		65534
#define MODE_PARAM	"/sys/module/vmmap/parameters/mode"

/*
 * Become uid/gid 65534 with no supplementary groups, for good (the test
 * runs in its own process). setuid() also made the process non-dumpable,
 * which would give /proc/self to root: dumpable again, so that the process
 * can still open its own /proc/self files.
 */
static void drop_privileges(struct __test_metadata *_metadata)
{
	if (geteuid() != 0)
		VT_SKIP("needs root, to drop to uid %d itself", NOBODY);
	ASSERT_OK(setgroups(0, NULL));
	ASSERT_OK(setgid(NOBODY));
	ASSERT_OK(setuid(NOBODY));
	ASSERT_EQ(NOBODY, geteuid());
	ASSERT_EQ(NOBODY, getegid());
	ASSERT_OK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
}

static unsigned long read_ulong(struct __test_metadata *_metadata,
				const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	ASSERT_GT(n, 0);
	close(fd);
	buf[n] = 0;
	return strtoul(buf, NULL, 0);
}

/*
 * With the default mode (0600, root) nobody else opens the node, in any
 * mode, and cannot reopen a descriptor root gave it with more rights via
 * /proc/self/fd. O_PATH needs no permission but gives no access.
 */
TEST_F(vmmap, security_node_mode_keeps_others_out)
{
	const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	struct vmmap_info info;
	char path[64], c;
	unsigned int i;
	unsigned long mode;
	struct stat st;
	int ro, opath;

	vt_require_driver(_metadata);
	mode = read_ulong(_metadata, MODE_PARAM);
	ASSERT_OK(stat(VMMAP_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(mode, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	if (mode & 0077)
		SKIP(return, "loaded with mode=%#lo: others let in on purpose",
			   mode);
	ro = vt_open(_metadata, O_RDONLY);

	drop_privileges(_metadata);
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		EXPECT_ERRNO(open(VMMAP_DEV, modes[i] | O_CLOEXEC), EACCES);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ro);
	EXPECT_ERRNO(open(path, O_RDWR | O_CLOEXEC), EACCES);
	EXPECT_ERRNO(open(path, O_RDONLY | O_CLOEXEC), EACCES);

	opath = open(VMMAP_DEV, O_PATH | O_CLOEXEC);
	ASSERT_OK(opath);
	EXPECT_ERRNO(read(opath, &c, 1), EBADF);
	EXPECT_ERRNO(write(opath, &c, 1), EBADF);
	EXPECT_ERRNO(mmap(NULL, vt_page(), PROT_READ, MAP_SHARED, opath, 0),
		     EBADF);
	memset(&info, 0, sizeof(info));
	EXPECT_ERRNO(ioctl(opath, VMMAP_IOC_GET_INFO, &info), EBADF);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", opath);
	EXPECT_ERRNO(open(path, O_RDONLY | O_CLOEXEC), EACCES);
	/* the descriptor root handed over still reads */
	EXPECT_EQ(1, pread(ro, &c, 1, 0));
}

/*
 * An unprivileged process holding an O_RDONLY descriptor cannot change the
 * object by any path: write(2) and its relatives, the changing ioctls, a
 * shared writable mapping, mprotect, MADV_REMOVE, /proc/self/mem (which
 * writes with FOLL_FORCE). A private writable mapping works and stays
 * private; VMMAP_DIRTY_CLEAR is refused, reporting works. Content, size
 * and dirty state are checked after all of it, and root checks the
 * counters (root-only) once the unprivileged child is done.
 */
TEST_F(vmmap, security_rdonly_fd_never_writes)
{
	size_t ps = vt_page(), len = 4 * ps;
	struct vmmap_counters s0, s1;
	struct vmmap_info i0, i1;
	struct vmmap_resize rz;
	struct vmmap_range rg[4];
	uint32_t nr;
	pid_t pid;
	unsigned char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	int rw, ro, zero, mem, fl;
	unsigned char *p, *q, *r;
	ssize_t n;

	vt_require_driver(_metadata);
	rw = vt_open(_metadata, O_RDWR);
	vt_fresh(_metadata, len);
	vt_pwrite_pat(_metadata, rw, 0, len, 40);
	ro = vt_open(_metadata, O_RDONLY);
	ASSERT_OK(close(rw));
	zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	ASSERT_OK(zero);
	ASSERT_OK(fsync(ro));
	/* the counters are root's: read before and after the child's work */
	vt_stats(_metadata, &s0);
	pid = vt_fork(_metadata);
	if (pid) {
		vt_wait_ok(_metadata, pid);
		vt_stats(_metadata, &s1);
		EXPECT_EQ(s0.resize, s1.resize);
		EXPECT_EQ(s0.page_mkwrite, s1.page_mkwrite);
		EXPECT_EQ(s0.pages_cleaned, s1.pages_cleaned);
		EXPECT_GT(s1.mmap, s0.mmap);
		return;
	}

	drop_privileges(_metadata);
	vt_info(_metadata, ro, &i0);
	memset(buf, 0x5a, sizeof(buf));

	/* the VFS checks FMODE_WRITE before the driver is asked */
	EXPECT_ERRNO(write(ro, buf, sizeof(buf)), EBADF);
	EXPECT_ERRNO(pwrite(ro, buf, sizeof(buf), 0), EBADF);
	EXPECT_ERRNO(pwritev(ro, &iov, 1, 0), EBADF);
	EXPECT_ERRNO(sendfile(ro, zero, NULL, sizeof(buf)), EBADF);
	EXPECT_ERRNO(fallocate(ro, 0, 0, (off_t)ps), EBADF);
	EXPECT_EQ(-1, ftruncate(ro, 0));
	/* F_SETFL cannot change the access mode */
	fl = fcntl(ro, F_GETFL);
	ASSERT_OK(fl);
	ASSERT_OK(fcntl(ro, F_SETFL, (fl & ~O_ACCMODE) | O_RDWR));
	EXPECT_EQ(O_RDONLY, fcntl(ro, F_GETFL) & O_ACCMODE);
	EXPECT_ERRNO(write(ro, buf, 1), EBADF);

	/* ioctls that change the object: EBADF (uapi/vmmap.h) */
	memset(&rz, 0, sizeof(rz));
	EXPECT_ERRNO(ioctl(ro, VMMAP_IOC_RESIZE, &rz), EBADF);
	rz.new_size = 2 * len;
	EXPECT_ERRNO(ioctl(ro, VMMAP_IOC_RESIZE, &rz), EBADF);
	nr = 4;
	EXPECT_ERRNO(vmmap_dirty(ro, 0, len, VMMAP_DIRTY_CLEAR, rg, &nr, NULL),
		     EBADF);
	/* reporting is reading: allowed, and nothing is dirty */
	nr = 4;
	EXPECT_OK(vmmap_dirty(ro, 0, len, 0, rg, &nr, NULL));
	EXPECT_EQ(0, nr);
	/* the counters are root's */
	EXPECT_ERRNO(vmmap_read_counters(&s1), EACCES);
	EXPECT_ERRNO(vmmap_reset_counters(), EACCES);

	/* no shared writable mapping, now or later */
	EXPECT_ERRNO(mmap(NULL, len, RW, MAP_SHARED, ro, 0), EACCES);
	EXPECT_ERRNO(mmap(NULL, len, PROT_WRITE, MAP_SHARED_VALIDATE, ro, 0),
		     EACCES);
	p = vt_map(_metadata, NULL, len, PROT_READ, MAP_SHARED, ro, 0);
	EXPECT_ERRNO(mprotect(p, len, RW), EACCES);
	EXPECT_ERRNO(mprotect(p + ps, ps, PROT_WRITE), EACCES);
	EXPECT_EQ(SIGSEGV, vt_try_write(p, 1));
	EXPECT_ERRNO(madvise(p, len, MADV_REMOVE), EACCES);
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ASSERT_OK(mem);
	n = pwrite64(mem, buf, sizeof(buf), (off64_t)(uintptr_t)(p + ps));
	if (n != -1) {
		TH_LOG("/proc/self/mem wrote %zd bytes into a read-only shared mapping",
		       n);
		_metadata->exit_code = KSFT_FAIL;
	}

	/* private: writable, copy-on-write, never reaches the object */
	q = vt_map(_metadata, NULL, len, RW, MAP_PRIVATE, ro, 0);
	memset(q, 0x5a, len);
	n = pwrite64(mem, buf, sizeof(buf), (off64_t)(uintptr_t)(q + 2 * ps));
	TH_LOG("/proc/self/mem into a private mapping: %zd", n);
	r = vt_map(_metadata, NULL, ps, PROT_READ, MAP_PRIVATE, ro, 3 * ps);
	ASSERT_OK(mprotect(r, ps, RW));
	vt_poke(r, 0x5a);

	EXPECT_TRUE(vt_pread_pat_ok(_metadata, ro, 0, len, 40));
	EXPECT_TRUE(vt_pat_ok(p, len, 0, 40));
	vt_unmap(_metadata, p, len);
	p = vt_map(_metadata, NULL, len, PROT_READ, MAP_SHARED, ro, 0);
	EXPECT_TRUE(vt_pat_ok(p, len, 0, 40));
	vt_info(_metadata, ro, &i1);
	EXPECT_EQ(len, i1.object_size);
	EXPECT_EQ(i0.dirty_pages, i1.dirty_pages);
	EXPECT_EQ(0, i1.dirty_pages);
	vt_unmap(_metadata, p, len);
	vt_unmap(_metadata, q, len);
	vt_unmap(_metadata, r, ps);
	vt_child_exit(_metadata);
}

/* A 64-bit value no ordinary counter or size reaches: a kernel address. */
static bool kernel_pointer(uint64_t v)
{
	return v >= 0xffff000000000000ULL;
}

/*
 * Every byte a returned struct holds was written by the driver (two calls
 * with different fills give the same bytes), no 64-bit word looks like a
 * kernel address. Asked by an unprivileged
 * process through a read-only descriptor, as anyone the mode lets in can.
 */
static void check_words(struct __test_metadata *_metadata, const void *s,
			size_t len, const char *what)
{
	const unsigned char *b = s;
	uint64_t w;
	size_t off;

	for (off = 0; off + 8 <= len; off += 8) {
		memcpy(&w, b + off, 8);
		if (kernel_pointer(w) || w == 0xa5a5a5a5a5a5a5a5ULL ||
		    w == 0x5a5a5a5a5a5a5a5aULL) {
			TH_LOG("%s: word at offset %zu is %#llx", what, off,
			    (unsigned long long)w);
			_metadata->exit_code = KSFT_FAIL;
		}
	}
}

TEST_F(vmmap, security_ioctl_output_initialised)
{
	struct vmmap_info ia, ib;
	struct vmmap_dirty da, db;
	struct vmmap_range ra[2], rb[2];
	struct vmmap_resize rz, ref;
	int rw = vt_open(_metadata, O_RDWR), ro;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 8 * vt_page());
	vt_pwrite_pat(_metadata, rw, 0, vt_page(), 41);
	ro = vt_open(_metadata, O_RDONLY);
	drop_privileges(_metadata);

	memset(&ia, 0xa5, sizeof(ia));
	memset(&ib, 0x5a, sizeof(ib));
	ASSERT_OK(ioctl(ro, VMMAP_IOC_GET_INFO, &ia));
	ASSERT_OK(ioctl(ro, VMMAP_IOC_GET_INFO, &ib));
	EXPECT_EQ(0, memcmp(&ia, &ib, sizeof(ia)));
	EXPECT_EQ(0, ia.flags & ~VMMAP_INFO_HUGE);
	check_words(_metadata, &ia, sizeof(ia), "vmmap_info");

	/* DIRTY: the struct and the one range it fills, whatever was there */
	memset(ra, 0xa5, sizeof(ra));
	memset(rb, 0x5a, sizeof(rb));
	memset(&da, 0, sizeof(da));
	da.length = 8 * vt_page();
	da.nr_ranges = 2;
	db = da;
	da.ranges = (uintptr_t)ra;
	db.ranges = (uintptr_t)rb;
	da.walk_end = 0xa5a5a5a5a5a5a5a5ULL;
	db.walk_end = 0x5a5a5a5a5a5a5a5aULL;
	ASSERT_OK(ioctl(ro, VMMAP_IOC_DIRTY, &da));
	ASSERT_OK(ioctl(ro, VMMAP_IOC_DIRTY, &db));
	EXPECT_EQ(1, da.nr_ranges);
	EXPECT_EQ(0, memcmp(&ra[0], &rb[0], sizeof(ra[0])));
	EXPECT_EQ(db.walk_end, da.walk_end);
	check_words(_metadata, &ra[0], sizeof(ra[0]), "vmmap_range");
	check_words(_metadata, &da.walk_end, 8, "vmmap_dirty.walk_end");
	/* the unused slot is not touched */
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, ra[1].start);

	/* _IOW: the driver reads the struct and never writes to it */
	memset(&rz, 0, sizeof(rz));
	rz.new_size = 8 * vt_page();
	ref = rz;
	EXPECT_ERRNO(ioctl(ro, VMMAP_IOC_RESIZE, &rz), EBADF);
	EXPECT_EQ(0, memcmp(&rz, &ref, sizeof(rz)));
}

/* Our attributes: a decimal number and a newline, nothing else. */
static bool plain_decimal(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 20 && s[n] == '\n' && s[n + 1] == 0 &&
	       (s[0] != '0' || n == 1);
}

/* 16 hex digits starting with ffff, or 0x and 8 or more: an address. */
static bool address_like(const char *s)
{
	const char *hex = "0123456789abcdefABCDEF";
	size_t n;

	for (; *s; s++) {
		n = strspn(s, hex);
		if (n >= 16 && !strncasecmp(s, "ffff", 4))
			return true;
		if (!strncasecmp(s, "0x", 2) && strspn(s + 2, hex) >= 8)
			return true;
		if (n)
			s += n - 1;
	}
	return false;
}

/*
 * Reads every file in @dir: those named in @ours must be plain decimal
 * numbers below any kernel address, the rest (dev, uevent) must at least
 * show nothing address-like. Returns how many of @ours were found.
 */
static unsigned int check_sysfs_dir(struct __test_metadata *_metadata,
				    const char *dir, const char *const *ours,
				    size_t nours)
{
	char path[512], buf[4096];
	unsigned int found = 0;
	struct dirent *d;
	bool mine;
	ssize_t n;
	size_t i;
	DIR *dp;
	int fd;

	dp = opendir(dir);
	if (!dp)
		FAIL("opendir %s: %s", dir, strerror(errno));
	while ((d = readdir(dp))) {
		if (d->d_type != DT_REG)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			TH_LOG("%s: %s (skipped)", path, strerror(errno));
			continue;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 0) {
			TH_LOG("%s: read: %s (skipped)", path, strerror(errno));
			continue;
		}
		buf[n] = 0;
		mine = false;
		for (i = 0; i < nours; i++)
			mine |= !strcmp(d->d_name, ours[i]);
		found += mine;
		if (mine && !(plain_decimal(buf) &&
			      !kernel_pointer(strtoull(buf, NULL, 10)))) {
			TH_LOG("%s: \"%.40s\" is not a plain decimal count",
			       path, buf);
			_metadata->exit_code = KSFT_FAIL;
		}
		if (address_like(buf)) {
			TH_LOG("%s: \"%.80s\" looks like an address", path,
			       buf);
			_metadata->exit_code = KSFT_FAIL;
		}
	}
	closedir(dp);
	return found;
}

TEST_F(vmmap, security_sysfs_plain_numbers)
{
	static const char *const top[] = {
		"size", "resident_pages", "dirty_pages", "live_vmas",
	};
	static const char *const stats[] = {
		"mmap", "get_unmapped_area", "vma_open", "vma_close", "fault",
		"map_pages", "page_mkwrite", "sigbus", "fsync",
		"pages_cleaned", "resize", "pages_allocated", "pages_freed",
		"reset",
	};
	static const char *const params[] = { "size", "mode" };
	size_t ps = vt_page();
	unsigned char *p;
	int fd;

	vt_require_driver(_metadata);
	fd = vt_open(_metadata, O_RDWR);
	vt_fresh(_metadata, 8 * ps);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p + ps, 1);			/* something to count */
	/* root reads the counters (all but the write-only reset) */
	EXPECT_EQ(ARRAY_SIZE(stats) - 1,
		  check_sysfs_dir(_metadata, VMMAP_SYSFS "/stats", stats,
				  ARRAY_SIZE(stats)));
	drop_privileges(_metadata);
	EXPECT_EQ(ARRAY_SIZE(top), check_sysfs_dir(_metadata, VMMAP_SYSFS, top,
						   ARRAY_SIZE(top)));
	/* nobody reads none of them (test_sysfs.c checks the modes) */
	EXPECT_EQ(0, check_sysfs_dir(_metadata, VMMAP_SYSFS "/stats", stats,
				  ARRAY_SIZE(stats)));
	EXPECT_EQ(ARRAY_SIZE(params),
		  check_sysfs_dir(_metadata, "/sys/module/vmmap/parameters",
				  params, ARRAY_SIZE(params)));
	vt_unmap(_metadata, p, 4 * ps);
}

/*
 * A character device may be mapped at any offset up to 2^64 (minus the
 * length): near the top, far past the object, every access is SIGBUS, no
 * page is allocated there, msync (whose file range is computed from the
 * offset and may come out negative) and a shrink under the mapping are
 * harmless. A 32-bit process reaches the top of mmap2's 32-bit page offset.
 */
TEST_F(vmmap, security_mmap_top_of_offset_space)
{
	size_t ps = vt_page();
	uint64_t offs[3];
	struct vmmap_info i0, i1;
	unsigned char *p, *q;
	unsigned int i, n;
	int fd = self->fd;

	vt_require_driver(_metadata);
	if (sizeof(long) == 8) {
		offs[0] = (uint64_t)1 << 62;
		offs[1] = ((uint64_t)1 << 63) - ps;
		offs[2] = -(uint64_t)(2 * ps);	/* the last one allowed */
		n = 3;
	} else {
		offs[0] = (uint64_t)UINT32_MAX * ps;
		offs[1] = (uint64_t)1 << 40;
		n = 2;
	}
	vt_fresh(_metadata, 16 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 16 * ps, 42);
	vt_info(_metadata, fd, &i0);
	for (i = 0; i < n; i++) {
		p = mmap64(NULL, ps, RW, MAP_SHARED, fd, (off64_t)offs[i]);
		if (p == MAP_FAILED)
			FAIL("mmap at offset %#llx: %s",
			     (unsigned long long)offs[i], strerror(errno));
		q = mmap64(NULL, ps, RW, MAP_PRIVATE, fd, (off64_t)offs[i]);
		ASSERT_NE(MAP_FAILED, q);
		EXPECT_EQ(SIGBUS, vt_try_read(p));
		EXPECT_EQ(SIGBUS, vt_try_write(p + ps - 1, 1));
		EXPECT_EQ(SIGBUS, vt_try_write(q, 1));
		EXPECT_OK(msync(p, ps, MS_SYNC));
		vt_resize(_metadata, 8 * ps);
		vt_resize(_metadata, 16 * ps);
		EXPECT_EQ(SIGBUS, vt_try_read(p));
		vt_unmap(_metadata, p, ps);
		vt_unmap(_metadata, q, ps);
		vt_pwrite_pat(_metadata, fd, 8 * ps, 8 * ps, 42);
	}
	vt_info(_metadata, fd, &i1);
	EXPECT_EQ(i0.live_vmas, i1.live_vmas);
	EXPECT_EQ(i0.resident_pages, i1.resident_pages);
	EXPECT_EQ(16 * ps, i1.object_size);
	EXPECT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, 16 * ps, 42));
}

/*
 * read/write offsets near LLONG_MAX: pos + count past it is EINVAL (the
 * VFS, rw_verify_area), a position past the end reads 0 and writes ENOSPC,
 * a huge count is cut at the object's end. Through the 64-bit calls, so a
 * 32-bit process checks the compat paths too.
 */
TEST_F(vmmap, security_rw_offset_overflow)
{
	const size_t counts[] = { SSIZE_MAX, (size_t)SSIZE_MAX + 1, SIZE_MAX };
	size_t ps = vt_page(), len = 4 * ps;
	unsigned char *buf;
	unsigned int i;
	ssize_t n;
	int fd = self->fd;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, len);
	vt_pwrite_pat(_metadata, fd, 0, len, 43);
	buf = malloc(len);
	ASSERT_TRUE(buf != NULL);
	memset(buf, 0x3c, len);

	EXPECT_ERRNO(pread64(fd, buf, 1, -1), EINVAL);
	EXPECT_ERRNO(pread64(fd, buf, 1, LLONG_MIN), EINVAL);
	EXPECT_ERRNO(pread64(fd, buf, 1, LLONG_MAX), EINVAL);
	EXPECT_ERRNO(pread64(fd, buf, 16, LLONG_MAX - 8), EINVAL);
	EXPECT_EQ(0, pread64(fd, buf, 16, LLONG_MAX - 16));
	EXPECT_EQ(0, pread64(fd, buf, 0, LLONG_MAX));
	EXPECT_ERRNO(pwrite64(fd, buf, 1, -1), EINVAL);
	EXPECT_ERRNO(pwrite64(fd, buf, 16, LLONG_MAX - 8), EINVAL);
	EXPECT_ERRNO(pwrite64(fd, buf, 16, LLONG_MAX - 16), ENOSPC);
	EXPECT_ERRNO(pwrite64(fd, buf, 1, (off64_t)len), ENOSPC);

	/*
	 * Counts far larger than the object (and the buffer): the copy stops
	 * at the object's end, never touching the buffer past it.
	 */
	EXPECT_EQ((ssize_t)len, pread64(fd, buf, GiB, 0));
	EXPECT_TRUE(vt_pat_ok(buf, len, 0, 43));
	EXPECT_EQ((ssize_t)ps,
		  pread64(fd, buf + len - ps, GiB, (off64_t)(len - ps)));
	EXPECT_EQ((ssize_t)len, pwrite64(fd, buf, GiB, 0));
	EXPECT_EQ(8, pwrite64(fd, buf + len - 8, GiB, (off64_t)(len - 8)));
	/*
	 * Counts past the address space: EFAULT (access_ok) or EINVAL (a
	 * negative ssize_t) from a 64-bit process; a 32-bit process's count
	 * is small for the 64-bit kernel, so there it is cut like the rest.
	 */
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		errno = 0;
		n = pread64(fd, buf, counts[i], 0);
		if (!((n == -1 && (errno == EFAULT || errno == EINVAL)) ||
		      (sizeof(long) < 8 && n == (ssize_t)len))) {
			TH_LOG("pread64 of %zu bytes: %zd (%s)", counts[i], n,
			    strerror(errno));
			_metadata->exit_code = KSFT_FAIL;
		}
		n = pwrite64(fd, buf, counts[i], 0);
		if (!((n == -1 && (errno == EFAULT || errno == EINVAL)) ||
		      (sizeof(long) < 8 && n == (ssize_t)len))) {
			TH_LOG("pwrite64 of %zu bytes: %zd (%s)", counts[i], n,
			    strerror(errno));
			_metadata->exit_code = KSFT_FAIL;
		}
	}

	/* the file position: LLONG_MAX is allowed, nothing past it */
	EXPECT_EQ(LLONG_MAX, lseek64(fd, LLONG_MAX, SEEK_SET));
	EXPECT_ERRNO(read(fd, buf, 1), EINVAL);
	EXPECT_ERRNO(write(fd, buf, 1), EINVAL);
	EXPECT_EQ(0, read(fd, buf, 0));
	EXPECT_ERRNO(lseek64(fd, 1, SEEK_CUR), EINVAL);
	EXPECT_ERRNO(lseek64(fd, LLONG_MAX, SEEK_END), EINVAL);
	EXPECT_EQ(LLONG_MAX, lseek64(fd, 0, SEEK_CUR));

	EXPECT_EQ(len, vt_size(_metadata, fd));
	EXPECT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, len, 43));
	free(buf);
}

/* ---- stale data ---- */

/*
 * [from, to) of the object reads zero through read(2), through the old
 * mappings (shared and private, whose COW copies must be gone) and through
 * new shared and private mappings.
 */
static void expect_zero(struct __test_metadata *_metadata, int fd, size_t from,
			size_t to, unsigned char *shared, unsigned char *priv,
			size_t maplen)
{
	size_t len = to - from;
	unsigned char *buf = malloc(len), *s, *q;

	ASSERT_TRUE(buf != NULL);
	memset(buf, 0xee, len);
	ASSERT_EQ((ssize_t)len, pread(fd, buf, len, (off_t)from));
	EXPECT_TRUE(vt_zero_ok(buf, len));
	EXPECT_TRUE(vt_zero_ok(shared + from, len));
	EXPECT_TRUE(vt_zero_ok(priv + from, len));
	s = vt_map(_metadata, NULL, maplen, PROT_READ, MAP_SHARED, fd, 0);
	q = vt_map(_metadata, NULL, maplen, RW, MAP_PRIVATE, fd, 0);
	EXPECT_TRUE(vt_zero_ok(s + from, len));
	EXPECT_TRUE(vt_zero_ok(q + from, len));
	vt_unmap(_metadata, s, maplen);
	vt_unmap(_metadata, q, maplen);
	free(buf);
}

/*
 * Fill @len bytes with a pattern (huge pages where on), COW some of it
 * privately, shrink to @cut, grow back: everything past @cut reads zero,
 * everything before keeps its data. @cut 0 frees everything. The object's
 * size is page granular (a resize inside a page is EINVAL), so the finest
 * cut is one page; a cut a few pages into a PMD cuts inside a huge page.
 */
static void stale_after_shrink(struct __test_metadata *_metadata, int fd,
			       size_t len, size_t cut)
{
	size_t ps = vt_page();
	struct vmmap_info info;
	unsigned char *p, *q;

	vt_fresh(_metadata, len);
	p = vt_map(_metadata, NULL, len, RW, MAP_SHARED, fd, 0);
	q = vt_map(_metadata, NULL, len, RW, MAP_PRIVATE, fd, 0);
	vt_pat_fill(p, len, 0, 44);
	memset(q + cut / 2, 0xcc, ps);
	memset(q + len - ps, 0xcc, ps);
	vt_resize(_metadata, cut);
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(cut / ps, info.resident_pages);
	vt_resize(_metadata, len);
	expect_zero(_metadata, fd, cut, len, p, q, len);
	EXPECT_TRUE(vt_pat_ok(p, cut, 0, 44));
	EXPECT_TRUE(vt_pread_pat_ok(_metadata, fd, 0, cut, 44));
	vt_unmap(_metadata, p, len);
	vt_unmap(_metadata, q, len);
}

/*
 * Small pages: two PMDs, cut to nothing, to one page, and a few pages into
 * the second PMD. Huge pages: one (zeroing them is slow under emulation),
 * emptied and cut inside; on 16K kernels that is 32 MiB, filled, copied and
 * read back three ways: over a minute under TCG.
 */
TEST_F_TIMEOUT(vmmap_pages, security_no_stale_data, 300)
{
	size_t ps = vt_page(), pmd = vt_pmd();
	size_t len = variant->huge ? pmd : 2 * pmd;
	const size_t cuts[] = { 0, variant->huge ? 3 * ps : ps, pmd + 3 * ps };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cuts) && cuts[i] < len; i++)
		stale_after_shrink(_metadata, self->fd, len, cuts[i]);
}

/* kernel.*: do_mmap() refuses these lengths before the driver is asked. */
/*
 * Lengths that wrap or exceed the address space fail before anything is
 * mapped; a refused MAP_FIXED leaves what was at the address intact (the
 * kernel checks offset + length before it unmaps anything).
 */
TEST_F(kernel, security_mmap_len_overflow)
{
	size_t ps = vt_page(), huge[] = {
		SIZE_MAX, SIZE_MAX & ~(ps - 1), SIZE_MAX - ps,
		/* 2^63, or all but the top 64 KiB of a 32-bit space */
		sizeof(long) == 8 ? SIZE_MAX / 2 + 1 : SIZE_MAX - 0xffff,
	};
	struct vmmap_info i0, i1;
	struct vmmap_counters a, b;
	int fd = self->fd;
	unsigned char *anon;
	unsigned int i;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 16 * ps);
	anon = vt_map(_metadata, NULL, 2 * ps, RW, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	memset(anon, 0x77, 2 * ps);
	vt_info(_metadata, fd, &i0);
	vt_stats(_metadata, &a);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		EXPECT_ERRNO(mmap(NULL, huge[i], PROT_READ, MAP_SHARED, fd, 0),
			     ENOMEM);
		EXPECT_ERRNO(mmap(NULL, huge[i], RW, MAP_PRIVATE, fd,
				  (off_t)ps), ENOMEM);
		EXPECT_ERRNO(mmap(anon, huge[i], RW, MAP_SHARED | MAP_FIXED,
				  fd, 0), ENOMEM);
	}
	if (sizeof(long) == 8) {
		/* offset + len past 2^64: file_mmap_ok() */
		EXPECT_ERRNO(mmap(anon, 2 * ps, RW, MAP_SHARED | MAP_FIXED, fd,
				  -(off_t)ps), EOVERFLOW);
		EXPECT_ERRNO(mmap(anon, ps, PROT_READ, MAP_PRIVATE | MAP_FIXED,
				  fd, -(off_t)ps), EOVERFLOW);
	}
	EXPECT_EQ(0x77, anon[0]);
	EXPECT_EQ(0x77, anon[2 * ps - 1]);
	EXPECT_EQ(0, vt_count_obj_vmas());
	vt_stats(_metadata, &b);
	vt_info(_metadata, fd, &i1);
	EXPECT_EQ(a.mmap, b.mmap);
	EXPECT_EQ(i0.live_vmas, i1.live_vmas);
	vt_unmap(_metadata, anon, 2 * ps);
}

TEST_HARNESS_MAIN
