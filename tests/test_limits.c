// SPDX-License-Identifier: GPL-2.0
/*
 * Limits: how large the object may grow (the max_size parameter, half of RAM
 * by default, as for tmpfs) and what stops a process that touches more than
 * its memory cgroup allows. The object's pages are unevictable and charged
 * to the cgroup of whoever first touches them, so memory.max stops that
 * process as it stops one filling a tmpfs file (compared here with a memfd
 * in the same cgroup), and nobody else.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmmap_test.h"

#define VT_MAX_SIZE_PARAM	"/sys/module/vmmap/parameters/max_size"
#define CGROOT			"/sys/fs/cgroup"

/* Writes @val to the file @path: 0 or the errno of the write. */
static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) < 0)
		err = errno;
	close(fd);
	return err;
}

static int put_u64(const char *path, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	return put(path, s);
}

/* The number in the file @path (a kernel-written "N\n"). */
static uint64_t get_u64(struct __test_metadata *_metadata, const char *path)
{
	char s[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", path, strerror(errno));
	n = read(fd, s, sizeof(s) - 1);
	close(fd);
	ASSERT_LT(0, n);
	return strtoull(s, NULL, 0);
}

/* MemTotal, in bytes: the kernel's totalram_pages(). */
static uint64_t mem_total(struct __test_metadata *_metadata)
{
	long kb = vt_meminfo_kb("MemTotal");

	ASSERT_LT(0, kb);
	return (uint64_t)kb * 1024;
}

/* The device, and max_size as the setup found it (teardown restores it). */
FIXTURE(vmmap_limits) {
	int fd;
	uint64_t saved_max;
};

FIXTURE_SETUP(vmmap_limits)
{
	vt_setup(_metadata, &self->fd, -1);
	vt_require_driver(_metadata);
	if (access(VT_MAX_SIZE_PARAM, W_OK))
		VT_SKIP("%s not writable (root needed)", VT_MAX_SIZE_PARAM);
	self->saved_max = get_u64(_metadata, VT_MAX_SIZE_PARAM);
}

FIXTURE_TEARDOWN(vmmap_limits)
{
	if (self->saved_max &&
	    put_u64(VT_MAX_SIZE_PARAM, self->saved_max))
		vt_log("restoring max_size: %s", strerror(errno));
	vt_teardown(self->fd);
}

/* By default the object may grow to half of RAM, as a tmpfs may. */
TEST_F(vmmap_limits, max_size_default_half_of_ram)
{
	uint64_t ps = vt_page(), half = mem_total(_metadata) / ps * ps / 2;
	struct vmmap_info in;

	ASSERT_EQ(0, put(VT_MAX_SIZE_PARAM, "0"));
	vt_info(_metadata, self->fd, &in);
	EXPECT_EQ(half / ps * ps, in.max_size);
	EXPECT_EQ(in.max_size, get_u64(_metadata, VT_MAX_SIZE_PARAM));
}

/*
 * Root moves the limit at run time: a resize may reach it and no further
 * (EFBIG); a limit below the object's size (EBUSY), above RAM or not page
 * aligned (EINVAL) is refused and changes nothing.
 */
TEST_F(vmmap_limits, max_size_param)
{
	uint64_t ps = vt_page(), lim = 24 * ps, ram = mem_total(_metadata);
	struct vmmap_info in;
	int fd = self->fd;

	vt_fresh(_metadata, 16 * ps);
	ASSERT_EQ(0, put_u64(VT_MAX_SIZE_PARAM, lim));
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(lim, in.max_size);
	EXPECT_EQ(lim, get_u64(_metadata, VT_MAX_SIZE_PARAM));
	EXPECT_ERRNO(vmmap_resize(fd, lim + ps), EFBIG);
	EXPECT_EQ(16 * ps, vt_size(_metadata, fd));
	EXPECT_OK(vmmap_resize(fd, lim));

	EXPECT_EQ(EBUSY, put_u64(VT_MAX_SIZE_PARAM, lim - ps));
	EXPECT_EQ(EINVAL, put_u64(VT_MAX_SIZE_PARAM, lim + ps + 1));
	EXPECT_EQ(EINVAL, put_u64(VT_MAX_SIZE_PARAM, ram / ps * ps + ps));
	EXPECT_EQ(EINVAL, put(VT_MAX_SIZE_PARAM, "lots"));
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(lim, in.max_size);
	EXPECT_EQ(lim, in.object_size);

	/* shrinking is always allowed; then the limit may come down */
	EXPECT_OK(vmmap_resize(fd, 8 * ps));
	EXPECT_EQ(0, put_u64(VT_MAX_SIZE_PARAM, 8 * ps));
	EXPECT_ERRNO(vmmap_resize(fd, 9 * ps), EFBIG);
}

/* ---- memory cgroups ---- */

enum touch { TOUCH_FAULT, TOUCH_WRITE };

/* The device, once per way of touching it. */
VT_FIXTURE(vmmap_memcg, -1)

FIXTURE_VARIANT(vmmap_memcg) {
	enum touch touch;
};

FIXTURE_VARIANT_ADD(vmmap_memcg, fault) {
	.touch = TOUCH_FAULT,
};

FIXTURE_VARIANT_ADD(vmmap_memcg, write) {
	.touch = TOUCH_WRITE,
};

#define CG_LIMIT	(8ULL << 20)	/* memory.max of the toucher */
#define CG_SPAN		(32ULL << 20)	/* what it tries to touch */

/* What a toucher did: pages it finished, how it ended. */
struct touched {
	uint64_t pages;
	int err;	/* errno of a failed write(2), or 0 */
};

/*
 * A new memory cgroup with memory.max @limit (and no swap): its directory
 * in @dir. Skips where cgroup v2 or its memory controller is not there.
 */
static void cg_create(struct __test_metadata *_metadata, char *dir,
		      size_t len, uint64_t limit)
{
	char path[256], ctl[256] = "";
	int fd;

	if (access(CGROOT "/cgroup.controllers", F_OK) &&
	    mount("none", CGROOT, "cgroup2", 0, NULL))
		VT_SKIP("no cgroup v2 at " CGROOT ": %s", strerror(errno));
	fd = open(CGROOT "/cgroup.controllers", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, ctl, sizeof(ctl) - 1));
	close(fd);
	if (!strstr(ctl, "memory"))
		VT_SKIP("cgroup v2 has no memory controller: %s", ctl);
	ASSERT_EQ(0, put(CGROOT "/cgroup.subtree_control", "+memory"));
	snprintf(dir, len, CGROOT "/vmmap-test-%d", (int)getpid());
	ASSERT_OK(mkdir(dir, 0755));
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	ASSERT_EQ(0, put_u64(path, limit));
	snprintf(path, sizeof(path), "%s/memory.swap.max", dir);
	if (!access(path, F_OK))
		ASSERT_EQ(0, put(path, "0"));
}

static uint64_t cg_current(struct __test_metadata *_metadata, const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	return get_u64(_metadata, path);
}

/* In a child: join @dir, then touch every page of @fd's first CG_SPAN. */
static void toucher(const char *dir, int fd, enum touch how,
		    struct touched *t)
{
	size_t ps = vt_page();
	char path[256];
	uint64_t *p = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (put(path, "0"))
		_exit(2);
	if (how == TOUCH_FAULT) {
		p = mmap(NULL, CG_SPAN, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		if (p == MAP_FAILED)
			_exit(3);
	}
	for (uint64_t i = 0; i < CG_SPAN / ps; i++) {
		uint64_t v = i + 1;

		if (how == TOUCH_FAULT) {
			p[i * ps / 8] = v;
		} else if (pwrite(fd, &v, 8, (off_t)(i * ps)) != 8) {
			t->err = errno;
			_exit(0);
		}
		t->pages = i + 1;
	}
	_exit(0);
}

/*
 * How a toucher of @fd in a cgroup of CG_LIMIT ended: "SIGKILL" (the OOM
 * killer), an errno name, or "done" (the limit did not stop it). @t says
 * how far it got; @charged what the cgroup held after it.
 */
static const char *touch_in_cgroup(struct __test_metadata *_metadata,
				   const char *what, int fd, enum touch how,
				   struct touched *t, uint64_t *charged)
{
	static char res[64];
	char dir[128];
	int status;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	cg_create(_metadata, dir, sizeof(dir), CG_LIMIT);
	pid = vt_fork(_metadata);
	if (pid == 0)
		toucher(dir, fd, how, t);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	*charged = cg_current(_metadata, dir);
	if (WIFSIGNALED(status))
		snprintf(res, sizeof(res), "%s", strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status))
		snprintf(res, sizeof(res), "setup failed (%d)",
			 WEXITSTATUS(status));
	else if (t->err)
		snprintf(res, sizeof(res), "%s", strerror(t->err));
	else
		snprintf(res, sizeof(res), "done");
	TH_LOG("%s in %s: %s after %llu pages, %llu KiB charged", what, dir, res,
	       (unsigned long long)t->pages,
	       (unsigned long long)(*charged >> 10));
	rmdir(dir);	/* goes offline; its charges go with the pages */
	return res;
}

/*
 * A process in a memory cgroup smaller than what it touches is stopped as
 * the kernel stops it for a memfd (tmpfs), with the pages it touched charged
 * to its cgroup; what it wrote is there, the object is whole, and others,
 * outside the cgroup, still use all of it; freeing the pages uncharges them.
 */
TEST_F(vmmap_memcg, stops_toucher)
{
	enum touch how = variant->touch;
	uint64_t ps = vt_page(), charged, ref_charged, i, v;
	const char *got;
	char want[64];
	struct touched *t;
	struct vmmap_info in;
	int fd = self->fd, mfd;

	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);

	/* the kernel's answer, for a memfd of the same size */
	mfd = memfd_create("vmmap-limits", MFD_CLOEXEC);
	ASSERT_LE(0, mfd);
	ASSERT_OK(ftruncate(mfd, (off_t)CG_SPAN));
	snprintf(want, sizeof(want), "%s",
		 touch_in_cgroup(_metadata, "memfd", mfd, how, t,
				 &ref_charged));
	close(mfd);
	ASSERT_STRNE("done", want)
		TH_LOG("memory.max did not stop a memfd toucher: no test");

	vt_fresh(_metadata, CG_SPAN);
	got = touch_in_cgroup(_metadata, "vmmap", fd, how, t, &charged);
	EXPECT_STREQ(want, got);
	EXPECT_LT(0, t->pages);
	EXPECT_GT(CG_SPAN / ps, t->pages);
	/* its pages were charged to it, up to the limit */
	EXPECT_LE(t->pages * ps, charged + 64 * ps);
	EXPECT_GE(CG_LIMIT, charged);

	/* what it wrote is there; the object is whole */
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(CG_SPAN, in.object_size);
	EXPECT_LE(t->pages, in.resident_pages);
	for (i = 0; i < CG_SPAN / ps; i++) {
		bool ok;

		ASSERT_EQ(8, pread(fd, &v, 8, (off_t)(i * ps)));
		ok = v == i + 1 || (i >= t->pages && v == 0);
		ASSERT_TRUE(ok) TH_LOG("page %llu of %llu written holds %#llx",
				       (unsigned long long)i,
				       (unsigned long long)t->pages,
				       (unsigned long long)v);
	}
	/* outside the cgroup, all of it can be used */
	for (i = 0; i < CG_SPAN / ps; i++) {
		v = ~i;
		ASSERT_EQ(8, pwrite(fd, &v, 8, (off_t)(i * ps)));
	}
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(CG_SPAN / ps, in.resident_pages);
	vt_fresh(_metadata, CG_SPAN);
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(0, in.resident_pages);
	munmap(t, sizeof(*t));
}

TEST_HARNESS_MAIN
