// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-trace-scenario: the steps "make trace" records (tests/trace/), run
 * by vmmap-trace in the guest once it has set up the tracer. Each step
 * empties the trace buffer, switches recording on, writes a trace_marker
 * label, does one thing to /dev/vmmap, switches recording off and prints
 * the buffer between "VMMAP-TRACE-BEGIN STEP" and "VMMAP-TRACE-END STEP".
 *
 * The steps: map (mmap MAP_SHARED of 4 pages), first-read (page 0),
 * first-write (page 0, mapped read-only by the read; then page 1, not
 * mapped yet), msync (MS_SYNC), rewrite (page 0 again), private-write
 * (mmap MAP_PRIVATE and write page 0), mremap (grow the shared mapping to
 * 8 pages), fork (the child reads page 0 and exits) and munmap (both
 * mappings). The object is emptied (resized to 0 and back) first, so every
 * page starts not resident.
 *
 * The process locks what it has mapped (mlockall(MCL_CURRENT)) before the
 * first step, so that faults on its own text and data do not mix into the
 * steps' graphs; the child of the fork step still takes a few.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvmmap.h"

#define TRACEFS "/sys/kernel/tracing"
#define NPAGES 4
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char buf[1 << 16];
static long ps;
static int fd;
static volatile char *shared;
static volatile char *priv;
static size_t shared_len;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vmmap-trace-scenario: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n", stderr);
	va_end(ap);
	exit(1);
}

static int tfd(const char *file, int flags)
{
	char path[128];
	int f;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	f = open(path, flags);
	if (f < 0)
		die("open %s: %s", path, strerror(errno));
	return f;
}

static void twrite(const char *file, const char *s, int flags)
{
	int f = tfd(file, O_WRONLY | flags);
	ssize_t n = (ssize_t)strlen(s);

	if (n && write(f, s, n) != n)
		die("write %s: %s", file, strerror(errno));
	close(f);
}

static void marker(const char *step, const char *what)
{
	char s[160];

	snprintf(s, sizeof(s), "vmmap-trace %s: %s", step, what);
	twrite("trace_marker", s, 0);
}

/* The buffer, as "trace" shows it, to stdout. */
static void dump(void)
{
	int f = tfd("trace", O_RDONLY);
	ssize_t n;

	fflush(stdout);
	while ((n = read(f, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, n) != n)
			die("write stdout: %s", strerror(errno));
	if (n < 0)
		die("read trace: %s", strerror(errno));
	close(f);
}

static void step_map(void)
{
	void *p;

	shared_len = NPAGES * ps;
	p = mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap MAP_SHARED: %s", strerror(errno));
	shared = p;
}

static void step_first_read(void)
{
	if (shared[0] != 0)
		die("page 0 not zero");
}

static void step_first_write(void)
{
	shared[0] = 1;
	marker("first-write", "page 1, not mapped yet");
	shared[ps] = 1;
}

static void step_msync(void)
{
	if (msync((void *)shared, shared_len, MS_SYNC))
		die("msync: %s", strerror(errno));
}

static void step_rewrite(void)
{
	shared[0] = 2;
}

static void step_private_write(void)
{
	void *p;

	p = mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap MAP_PRIVATE: %s", strerror(errno));
	priv = p;
	priv[0] = 3;
}

static void step_mremap(void)
{
	void *p;

	p = mremap((void *)shared, shared_len, 2 * shared_len, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		die("mremap: %s", strerror(errno));
	shared = p;
	shared_len *= 2;
}

static void step_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(shared[0] == 2 ? 0 : 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("fork: the child saw the wrong data");
}

static void step_munmap(void)
{
	if (munmap((void *)shared, shared_len) ||
	    munmap((void *)priv, NPAGES * ps))
		die("munmap: %s", strerror(errno));
}

static const struct step {
	const char *name;
	void (*run)(void);
} steps[] = {
	{ "map", step_map },
	{ "first-read", step_first_read },
	{ "first-write", step_first_write },
	{ "msync", step_msync },
	{ "rewrite", step_rewrite },
	{ "private-write", step_private_write },
	{ "mremap", step_mremap },
	{ "fork", step_fork },
	{ "munmap", step_munmap },
};

int main(void)
{
	size_t i;

	ps = sysconf(_SC_PAGESIZE);
	fd = open("/dev/vmmap", O_RDWR);
	if (fd < 0)
		die("open /dev/vmmap: %s", strerror(errno));
	/* Nothing resident: every first touch allocates. */
	if (vmmap_resize(fd, 0) || vmmap_resize(fd, 64 << 20))
		die("VMMAP_IOC_RESIZE: %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	if (mlockall(MCL_CURRENT))
		die("mlockall: %s", strerror(errno));

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		const char *name = steps[i].name;

		twrite("tracing_on", "0", 0);
		twrite("trace", "", O_TRUNC);
		twrite("tracing_on", "1", 0);
		marker(name, "begin");
		steps[i].run();
		marker(name, "end");
		twrite("tracing_on", "0", 0);
		printf("VMMAP-TRACE-BEGIN %s\n", name);
		dump();
		printf("VMMAP-TRACE-END %s\n", name);
	}
	fflush(stdout);
	munlockall();
	close(fd);
	return 0;
}
