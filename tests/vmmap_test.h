/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every vmmap test file includes: the kernel's kselftest harness
 * (tools/testing/selftests/kselftest_harness.h, taken at build time from
 * Debian's linux-source package, see tests/Makefile), the fixture the tests
 * run on, and a small local extension of the harness:
 *
 *   ASSERT_OK(expr), EXPECT_OK(expr)   expr is not -1 (nor MAP_FAILED)
 *   ASSERT_ERRNO(expr, e), EXPECT_ERRNO(expr, e)
 *                                      expr is -1 (or MAP_FAILED), errno e
 *   ASSERT_SIGNAL(sig, stmt), EXPECT_SIGNAL, ASSERT_NO_SIGNAL,
 *   EXPECT_NO_SIGNAL                   stmt raises sig (SIGBUS, SIGSEGV) or
 *                                      nothing; it runs in a forked copy of
 *                                      the test (see VT_CATCH)
 *   FAIL(fmt, ...)                     log and end the test as failed
 *
 * and the helpers below, which like the harness's macros take the test's
 * _metadata. Every test is a TEST_F on a fixture, so _metadata lives in
 * shared memory: an EXPECT that fails in a process the test forked fails
 * the test, and such a process ends with vt_child_exit() (or _exit()).
 *
 * Fixtures (a test is named FIXTURE[.VARIANT].TEST):
 *   vmmap   the device opened O_RDWR (self->fd), sized by the test
 *           (vt_fresh()): behaviour the driver decides (its ->mmap checks
 *           and VM flags, get_unmapped_area, faults, page_mkwrite, ioctls,
 *           counters).
 *   vmmap_pages
 *           the same once per variant small and huge: the module parameter
 *           huge off, and on (a skip where the kernel cannot).
 *   kernel  the same device, for what the kernel decides before or without
 *           asking the driver (mmap arguments do_mmap refuses, SIGSEGV past
 *           a VMA or against its protection, mlock limits): tests that
 *           would pass on any file that has an mmap, kept to show where the
 *           driver is not asked.
 * A file may add fixtures of its own (vmmap_*: still the driver's).
 */
#ifndef VMMAP_TEST_H
#define VMMAP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"

/*
 * Tests run under qemu's software emulation, where 30 s is too short for
 * the longer ones; tests/settings gives each binary its budget.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	90

#define __vt_unused		__attribute__((unused))

/* Pointers compare as integers without a warning on 32-bit targets. */
#define VT_SCALAR(v) \
	__builtin_choose_expr(__builtin_classify_type(v) == 5, \
			      (intptr_t)(v), (v))

#define FAIL(fmt, ...) do {						\
	TH_LOG(fmt, ##__VA_ARGS__);					\
	ASSERT_TRUE(false);						\
} while (0)

#define __VT_ERRNO(_assert, expr, e) do {				\
	intmax_t __vt_r;						\
	int __vt_e;							\
	errno = 0;							\
	__vt_r = (intmax_t)VT_SCALAR(expr);				\
	__vt_e = errno;							\
	if (__vt_r != -1 || __vt_e != (e))				\
		TH_LOG("%s returned %jd, errno %d (%s), expected -1, %s", \
		       #expr, __vt_r, __vt_e, strerror(__vt_e), #e);	\
	if (_assert) {							\
		ASSERT_TRUE(__vt_r == -1 && __vt_e == (e));		\
	} else {							\
		EXPECT_TRUE(__vt_r == -1 && __vt_e == (e));		\
	}								\
} while (0)

#define ASSERT_ERRNO(expr, e)	__VT_ERRNO(1, expr, e)
#define EXPECT_ERRNO(expr, e)	__VT_ERRNO(0, expr, e)

#define __VT_OK(_assert, expr) do {					\
	intmax_t __vt_r;						\
	errno = 0;							\
	__vt_r = (intmax_t)VT_SCALAR(expr);				\
	if (__vt_r == -1)						\
		TH_LOG("%s failed: %s", #expr, strerror(errno));	\
	if (_assert) {							\
		ASSERT_NE(-1, __vt_r);					\
	} else {							\
		EXPECT_NE(-1, __vt_r);					\
	}								\
} while (0)

#define ASSERT_OK(expr)		__VT_OK(1, expr)
#define EXPECT_OK(expr)		__VT_OK(0, expr)

/* ---- SIGBUS and SIGSEGV in a forked copy of the test ---- */

/*
 * VT_CATCH(stmt) runs stmt in a forked copy of the test process and
 * evaluates to the signal the copy died of (0: none). A fork, and not
 * sigsetjmp in the test function, keeps every local of the test intact;
 * the price is that the statement's effects on private memory stay in the
 * copy (MAP_SHARED memory and the object are shared) and that the object's
 * VMA counters see a fork and an exit. vt_sig_code and vt_sig_addr (common.h)
 * are the copy's si_code and si_addr.
 */
#define VT_CATCH_EXIT		64	/* a copy killed by s exits 64 + s */

struct vt_catch_info {
	int code;
	void *addr;
};

static struct vt_catch_info *vt_catch_shared;

/*
 * Mapped once, before any test runs: mapped on first use it could land in a
 * hole the test has just made and means to fault on.
 */
static void __attribute__((constructor)) vt_catch_init(void)
{
	vt_catch_shared = mmap(NULL, sizeof(*vt_catch_shared),
			       PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

static void vt_catch_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	vt_catch_shared->code = si->si_code;
	vt_catch_shared->addr = si->si_addr;
	_exit(VT_CATCH_EXIT + sig);
}

static __vt_unused pid_t vt_catch_fork(struct __test_metadata *_metadata)
{
	struct sigaction sa = { .sa_sigaction = vt_catch_handler,
				.sa_flags = SA_SIGINFO };
	pid_t pid;

	ASSERT_TRUE(vt_catch_shared != MAP_FAILED);
	memset(vt_catch_shared, 0, sizeof(*vt_catch_shared));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);
	}
	return pid;
}

static __vt_unused int vt_catch_wait(struct __test_metadata *_metadata,
				     pid_t pid, const char *stmt)
{
	int status, code;

	while (waitpid(pid, &status, 0) < 0)
		ASSERT_EQ(EINTR, errno);
	vt_sig_code = vt_catch_shared->code;
	vt_sig_addr = vt_catch_shared->addr;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	code = WEXITSTATUS(status);
	if (code == 0)
		return 0;
	if (code > VT_CATCH_EXIT && code < VT_CATCH_EXIT + 65)
		return code - VT_CATCH_EXIT;
	TH_LOG("%s: its process exited with status %d", stmt, code);
	_metadata->exit_code = KSFT_FAIL;
	return -1;
}

#define VT_CATCH(stmt) __extension__ ({					\
	pid_t __vt_pid = vt_catch_fork(_metadata);			\
	if (__vt_pid == 0) {						\
		stmt;							\
		fflush(stdout);						\
		_exit(0);						\
	}								\
	vt_catch_wait(_metadata, __vt_pid, #stmt);			\
})

#define __VT_SIGNAL(_assert, sig, stmt) do {				\
	int __vt_got = VT_CATCH(stmt);					\
	if (__vt_got != (sig))						\
		TH_LOG("%s: signal %d (%s), expected %d (%s)", #stmt,	\
		       __vt_got, __vt_got > 0 ? strsignal(__vt_got) : "none", \
		       (sig), (sig) ? strsignal(sig) : "none");		\
	if (_assert) {							\
		ASSERT_EQ((sig), __vt_got);				\
	} else {							\
		EXPECT_EQ((sig), __vt_got);				\
	}								\
} while (0)

#define ASSERT_SIGNAL(sig, stmt)	__VT_SIGNAL(1, sig, stmt)
#define EXPECT_SIGNAL(sig, stmt)	__VT_SIGNAL(0, sig, stmt)
#define ASSERT_NO_SIGNAL(stmt)		__VT_SIGNAL(1, 0, stmt)
#define EXPECT_NO_SIGNAL(stmt)		__VT_SIGNAL(0, 0, stmt)

/* ---- the object ---- */

/* Ends the test as skipped from a helper (SKIP itself only returns). */
#define VT_SKIP(fmt, ...) \
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

static __vt_unused void vt_require_driver(struct __test_metadata *_metadata)
{
	if (!vt_have_driver())
		VT_SKIP("needs the vmmap driver (VMMAP_TEST_FAKE is set)");
}

/* Opens the object; skips the test when the device is absent. */
static __vt_unused int vt_open(struct __test_metadata *_metadata, int flags)
{
	int fd;

	if (vt_have_driver())
		fd = open(VMMAP_DEV, flags | O_CLOEXEC);
	else
		fd = open(vt_path(), flags | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT)
		VT_SKIP("%s absent (vmmap module not loaded)", vt_path());
	if (fd < 0 && (errno == EACCES || errno == EPERM) && geteuid() != 0)
		VT_SKIP("%s needs root", vt_path());
	if (fd < 0)
		FAIL("open %s: %s", vt_path(), strerror(errno));
	return fd;
}

/* Resizes the object (with a descriptor of its own). */
static __vt_unused void vt_resize(struct __test_metadata *_metadata,
				  uint64_t size)
{
	int fd = vt_open(_metadata, O_RDWR), r;

	if (vt_have_driver())
		r = vmmap_resize(fd, size);
	else
		r = ftruncate(fd, (off_t)size);
	if (r && errno == EFBIG)
		VT_SKIP("object max_size is below the %" PRIu64
			" bytes this test needs", size);
	if (r)
		FAIL("resize to %" PRIu64 ": %s", size, strerror(errno));
	close(fd);
}

/* All zero, nothing resident, nothing dirty, @size bytes. */
static __vt_unused void vt_fresh(struct __test_metadata *_metadata,
				 uint64_t size)
{
	vt_resize(_metadata, 0);
	vt_resize(_metadata, size);
}

static __vt_unused uint64_t vt_size(struct __test_metadata *_metadata, int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	ASSERT_LE(0, end);
	return (uint64_t)end;
}

static __vt_unused void vt_info(struct __test_metadata *_metadata, int fd,
				struct vmmap_info *info)
{
	vt_require_driver(_metadata);
	ASSERT_OK(vmmap_get_info(fd, info));
}

/* The root-only counters of stats/: instrumentation, not ABI. */
static __vt_unused void vt_stats(struct __test_metadata *_metadata,
				 struct vmmap_counters *st)
{
	vt_require_driver(_metadata);
	if (vmmap_read_counters(st) && errno == EACCES && geteuid() != 0)
		VT_SKIP("the counters in " VMMAP_SYSFS "/stats need root");
	ASSERT_OK(vmmap_read_counters(st));
}

static __vt_unused void *vt_map(struct __test_metadata *_metadata,
				void *addr, size_t len, int prot, int flags,
				int fd, off_t off)
{
	void *p = mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		FAIL("mmap(%p, %zu, %#x, %#x, %d, %lld): %s", addr, len, prot,
		     flags, fd, (long long)off, strerror(errno));
	return p;
}

static __vt_unused void vt_unmap(struct __test_metadata *_metadata, void *p,
				 size_t len)
{
	ASSERT_OK(munmap(p, len));
}

/* An address range of len bytes that is free right now. */
static __vt_unused void *vt_free_area(struct __test_metadata *_metadata,
				      size_t len)
{
	void *p = vt_map(_metadata, NULL, len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	vt_unmap(_metadata, p, len);
	return p;
}

/* @len bytes of the object mapped shared at 0, unmapped space after them. */
static __vt_unused void *vt_map_before_hole(struct __test_metadata *_metadata,
					    int fd, size_t len, size_t hole)
{
	void *area = vt_free_area(_metadata, len + hole), *p;

	p = vt_map(_metadata, area, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	ASSERT_EQ((uintptr_t)area, (uintptr_t)p);
	return p;
}

static __vt_unused void vt_pwrite_pat(struct __test_metadata *_metadata,
				      int fd, uint64_t off, size_t len,
				      unsigned int seed)
{
	unsigned char *buf = malloc(len);

	ASSERT_TRUE(buf != NULL);
	vt_pat_fill(buf, len, off, seed);
	ASSERT_EQ((ssize_t)len, pwrite(fd, buf, len, (off_t)off))
		TH_LOG("pwrite(%zu at %#" PRIx64 "): %s", len, off,
		       strerror(errno));
	free(buf);
}

static __vt_unused bool vt_pread_pat_ok(struct __test_metadata *_metadata,
					int fd, uint64_t off, size_t len,
					unsigned int seed)
{
	unsigned char *buf = malloc(len);
	bool ok;

	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ((ssize_t)len, pread(fd, buf, len, (off_t)off))
		TH_LOG("pread(%zu at %#" PRIx64 "): %s", len, off,
		       strerror(errno));
	ok = vt_pat_ok(buf, len, off, seed);
	free(buf);
	return ok;
}

/* Whether the VmFlags of the VMA holding addr name flag. */
static __vt_unused bool vt_smaps_flag(struct __test_metadata *_metadata,
				      const void *addr, const char *flag)
{
	int r = vt_smaps_has_flag(addr, flag);

	ASSERT_NE(-1, r) TH_LOG("no VmFlags line in smaps for %p", addr);
	return r;
}

/* ---- processes ---- */

/* fork() with the output flushed; the child ends with vt_child_exit(). */
static __vt_unused pid_t vt_fork(struct __test_metadata *_metadata)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", strerror(errno));
	return pid;
}

/* Ends a child the test forked; its failures are in the shared _metadata. */
static void __attribute__((noreturn, unused))
vt_child_exit(struct __test_metadata *_metadata)
{
	fflush(stdout);
	fflush(stderr);
	_exit(_metadata->exit_code == KSFT_FAIL);
}

/* Waits for a child forked by the test; it must exit with status 0. */
static __vt_unused void vt_wait_ok(struct __test_metadata *_metadata,
				   pid_t pid)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0))
		TH_LOG("waitpid(%d): %s", (int)pid, strerror(errno));
	ASSERT_FALSE(WIFSIGNALED(status))
		TH_LOG("child %d killed by signal %d (%s)", (int)pid,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/*
 * Lock-step between a test and one child: post() on one side, wait() on the
 * other. vt_fork_sync() closes the pipe ends each side does not use, so a
 * peer that dies makes vt_sync_wait() fail instead of hang.
 */
struct vt_sync {
	int to_child[2];
	int to_parent[2];
};

static __vt_unused void vt_sync_init(struct __test_metadata *_metadata,
				     struct vt_sync *s)
{
	ASSERT_OK(pipe(s->to_child));
	ASSERT_OK(pipe(s->to_parent));
}

static __vt_unused pid_t vt_fork_sync(struct __test_metadata *_metadata,
				      struct vt_sync *s)
{
	pid_t pid = vt_fork(_metadata);

	if (pid == 0) {
		close(s->to_child[1]);
		close(s->to_parent[0]);
	} else {
		close(s->to_child[0]);
		close(s->to_parent[1]);
	}
	return pid;
}

static __vt_unused void vt_sync_post(struct __test_metadata *_metadata,
				     struct vt_sync *s, bool from_child)
{
	char c = 1;

	ASSERT_EQ(1, write(from_child ? s->to_parent[1] : s->to_child[1],
			   &c, 1));
}

static __vt_unused void vt_sync_wait(struct __test_metadata *_metadata,
				     struct vt_sync *s, bool in_child)
{
	char c;

	ASSERT_EQ(1, read(in_child ? s->to_child[0] : s->to_parent[0], &c, 1))
		TH_LOG("%s: the %s went away", in_child ? "child" : "parent",
		       in_child ? "parent" : "child");
}

/* ---- the module's huge parameter ---- */

#define VT_HUGE_PARAM	"/sys/module/vmmap/parameters/huge"
#define VT_THP_SYSFS	"/sys/kernel/mm/transparent_hugepage/enabled"

/* What vt_set_huge() found first; the fixtures' teardown puts it back. */
static char vt_saved_huge;

/*
 * Sets the module parameter huge (Y/N) for the rest of the test; skips where
 * huge pages cannot be had (no THP, or the module refuses: EOPNOTSUPP). A
 * kernel without THP (PREEMPT_RT: THP depends on !PREEMPT_RT in 6.12) must
 * refuse huge=Y, and a module that accepts it fails the test.
 */
static __vt_unused void vt_set_huge(struct __test_metadata *_metadata,
				    bool on)
{
	bool thp = !access(VT_THP_SYSFS, F_OK);
	char v = on ? 'Y' : 'N';
	ssize_t n;
	int fd, err;

	vt_require_driver(_metadata);
	fd = open(VT_HUGE_PARAM, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		FAIL("open %s: %s", VT_HUGE_PARAM, strerror(errno));
	if (!vt_saved_huge)
		ASSERT_EQ(1, read(fd, &vt_saved_huge, 1));
	n = pwrite(fd, &v, 1, 0);
	err = errno;
	close(fd);
	if (n < 0 && err == EOPNOTSUPP)
		VT_SKIP("%s", thp ? "the module cannot map huge pages on this kernel" :
			"the kernel has no transparent huge pages");
	ASSERT_EQ(1, n) TH_LOG("write %s: %s", VT_HUGE_PARAM, strerror(err));
	ASSERT_TRUE(thp || !on)
		TH_LOG("huge=Y accepted on a kernel without transparent huge pages");
}

static __vt_unused void vt_restore_huge(void)
{
	int fd;

	if (!vt_saved_huge)
		return;
	fd = open(VT_HUGE_PARAM, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, &vt_saved_huge, 1) != 1)
		vt_log("restoring %s: %s", VT_HUGE_PARAM, strerror(errno));
	if (fd >= 0)
		close(fd);
	vt_saved_huge = 0;
}

/* ---- the fixtures ---- */

/*
 * Every fixture holds the device opened O_RDWR (self->fd); its teardown
 * closes it and puts back the huge parameter if the test changed it.
 * vmmap_pages and the fixtures of single files may also set the parameter.
 */
static __vt_unused void vt_setup(struct __test_metadata *_metadata, int *fd,
				 int huge)
{
	if (huge >= 0)
		vt_set_huge(_metadata, huge);
	*fd = vt_open(_metadata, O_RDWR);
}

static __vt_unused void vt_teardown(int fd)
{
	if (fd >= 0)
		close(fd);
	vt_restore_huge();
}

/*
 * The setup and teardown of a fixture of the device whose setup sets huge
 * (an expression, which may read variant; -1 leaves the parameter alone),
 * and a fixture with no variants made of them.
 */
#define VT_FIXTURE_SETUP(name, huge)					\
	FIXTURE_SETUP(name)						\
	{								\
		vt_setup(_metadata, &self->fd, (huge));			\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		vt_teardown(self->fd);					\
	}

#define VT_FIXTURE(name, huge)						\
	FIXTURE(name) {							\
		int fd;							\
	};								\
	VT_FIXTURE_SETUP(name, huge)

VT_FIXTURE(vmmap, -1)
/*
 * kernel: also the driver's counters as the setup found them, where they
 * can be read (root, the driver), for vt_driver_not_asked().
 */
FIXTURE(kernel) {
	int fd;
	bool counted;
	struct vmmap_counters c0;
};

FIXTURE_SETUP(kernel)
{
	vt_setup(_metadata, &self->fd, -1);
	self->counted = vt_have_driver() && !vmmap_read_counters(&self->c0);
}

FIXTURE_TEARDOWN(kernel)
{
	vt_teardown(self->fd);
}

/*
 * Since the setup, the driver's ->mmap has not run, nor (with gua) its
 * get_unmapped_area: the kernel answered alone.
 */
static __vt_unused void vt_driver_not_asked(struct __test_metadata *_metadata,
					    FIXTURE_DATA(kernel) *self,
					    bool gua)
{
	struct vmmap_counters c;

	if (!self->counted) {
		TH_LOG("no counters to read: not checked that the driver was not asked");
		return;
	}
	vt_stats(_metadata, &c);
	EXPECT_EQ(self->c0.mmap, c.mmap);
	if (gua)
		EXPECT_EQ(self->c0.get_unmapped_area, c.get_unmapped_area);
}

/*
 * vmmap_pages: the device with the module's huge parameter off (small
 * pages only) and on (a PMD-sized page wherever a fault can have one).
 */
FIXTURE(vmmap_pages) {
	int fd;
};

FIXTURE_VARIANT(vmmap_pages) {
	bool huge;
};

FIXTURE_VARIANT_ADD(vmmap_pages, small) {
	.huge = false,
};

FIXTURE_VARIANT_ADD(vmmap_pages, huge) {
	.huge = true,
};

VT_FIXTURE_SETUP(vmmap_pages, variant->huge)

#endif
