// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-demo: /dev/vmmap in a few readable lines.
 *
 * Two processes map the device MAP_SHARED and see each other's writes; a
 * third maps it MAP_PRIVATE and gets its own copy of the page it writes.
 * After each step the driver's handler counters (root-only sysfs files,
 * which work where lockdown refuses debugfs) show which part of the mmap
 * path ran; without them the demo says so and checks the rest. Then
 * VMMAP_IOC_DIRTY reports which pages were written. Exits 1 if anything
 * did not behave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvmmap.h"

static int fd;
static long pagesz;
static struct vmmap_counters last;
static int have_counters;
static int failures;

static void die(const char *what)
{
	fprintf(stderr, "vmmap-demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Print how each counter moved since the previous call. */
static void show_counters(void)
{
	struct vmmap_counters now;

	if (!have_counters)
		return;
	if (vmmap_read_counters(&now))
		die("reading " VMMAP_SYSFS "/stats");
	printf("      counters: fault +%llu, map_pages +%llu, page_mkwrite +%llu, mmap +%llu, vma_open +%llu\n",
	       (unsigned long long)(now.fault - last.fault),
	       (unsigned long long)(now.map_pages - last.map_pages),
	       (unsigned long long)(now.page_mkwrite - last.page_mkwrite),
	       (unsigned long long)(now.mmap - last.mmap),
	       (unsigned long long)(now.vma_open - last.vma_open));
	last = now;
}

static void verdict(const char *what, int ok)
{
	if (ok < 0) {
		printf("      %s: not checked (the counters need root)\n", what);
		return;
	}
	printf("      %s: %s\n", what, ok ? "yes" : "NO");
	if (!ok)
		failures++;
}

static char *map(int flags)
{
	char *p = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* A process that runs fn() and exits with its result. */
static pid_t spawn(int (*fn)(int in, int out), int *to_child, int *from_child)
{
	int down[2], up[2];
	pid_t pid;

	if (pipe(down) || pipe(up))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		exit(fn(down[0], up[1]));
	}
	close(down[0]);
	close(up[1]);
	*to_child = down[1];
	*from_child = up[0];
	return pid;
}

static void signal_fd(int out)
{
	if (write(out, "x", 1) != 1)
		die("pipe write");
}

static void wait_fd(int in)
{
	char c;

	if (read(in, &c, 1) != 1)
		die("pipe read");
}

static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Shared writer: writes page 0, then later reads what the others did. */
static int writer(int in, int out)
{
	char *p = map(MAP_SHARED);
	int ok;

	snprintf(p, 64, "hello from pid %d", getpid());
	printf("   A (pid %d, MAP_SHARED)  wrote \"%s\" to page 0\n", getpid(), p);
	signal_fd(out);
	wait_fd(in);
	printf("   A reads page 1: \"%s\"\n", p + pagesz);
	ok = strncmp(p + pagesz, "reply from", 10) == 0;
	signal_fd(out);
	wait_fd(in);
	printf("   A reads page 0 after C wrote its private copy: \"%s\"\n", p);
	ok &= strncmp(p, "hello from", 10) == 0;
	return !ok;
}

/* Shared reader: sees A's page, answers on page 1. */
static int reader(int in, int out)
{
	char *p = map(MAP_SHARED);

	(void)in;
	printf("   B (pid %d, MAP_SHARED)  reads page 0: \"%s\"\n", getpid(), p);
	snprintf(p + pagesz, 64, "reply from pid %d", getpid());
	printf("   B wrote \"%s\" to page 1\n", p + pagesz);
	signal_fd(out);
	return strncmp(p, "hello from", 10) != 0;
}

/* Private mapping: reads A's page, then writes its own copy of it. */
static int private_writer(int in, int out)
{
	char *p = map(MAP_PRIVATE);
	char buf[64];
	int ok;

	(void)in;
	printf("   C (pid %d, MAP_PRIVATE) reads page 0: \"%s\"\n", getpid(), p);
	ok = strncmp(p, "hello from", 10) == 0;
	snprintf(p, 64, "private scribble of pid %d", getpid());
	printf("   C wrote \"%s\" to page 0\n", p);
	if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
		die("pread");
	buf[sizeof(buf) - 1] = 0;
	printf("   C reads page 0 of the object with pread(): \"%s\"\n", buf);
	ok &= strncmp(buf, "hello from", 10) == 0;
	signal_fd(out);
	return !ok;
}

static void step_sharing(void)
{
	int a_in, a_out, b_in, b_out, c_in, c_out, bad = 0;
	pid_t a, b, c;

	printf("1. Two processes map /dev/vmmap MAP_SHARED\n");
	a = spawn(writer, &a_in, &a_out);
	wait_fd(a_out);
	show_counters();
	b = spawn(reader, &b_in, &b_out);
	wait_fd(b_out);
	bad |= reap(b);
	show_counters();
	signal_fd(a_in);
	wait_fd(a_out);
	verdict("both see each other's writes (coherent)", !bad);

	printf("2. A third maps it MAP_PRIVATE\n");
	c = spawn(private_writer, &c_in, &c_out);
	wait_fd(c_out);
	bad |= reap(c);
	show_counters();
	signal_fd(a_in);
	bad |= reap(a);
	verdict("C's write stayed private (copy-on-write)", !bad);
}

/* Write pages with write(), then read them through a fresh mapping. */
static void step_fault_around(void)
{
	long pages = 256, i, sum = 0;
	struct rusage r0, r1;
	char *buf, *p;

	printf("3. Fault-around: %ld pages written with write(), read through a new mapping\n",
	       pages);
	buf = calloc(1, pagesz);
	if (!buf)
		die("calloc");
	for (i = 0; i < pages; i++) {
		buf[0] = (char)i;
		if (pwrite(fd, buf, pagesz, 2 * pagesz + i * pagesz) != pagesz)
			die("pwrite");
	}
	free(buf);
	show_counters();
	p = mmap(NULL, pages * pagesz, PROT_READ, MAP_SHARED, fd, 2 * pagesz);
	if (p == MAP_FAILED)
		die("mmap");
	getrusage(RUSAGE_SELF, &r0);
	for (i = 0; i < pages; i++)
		sum += p[i * pagesz] == (char)i;
	getrusage(RUSAGE_SELF, &r1);
	printf("      %ld pages read with %ld minor faults\n", pages,
	       r1.ru_minflt - r0.ru_minflt);
	show_counters();
	verdict("data intact", sum == pages);
	verdict("far fewer faults than pages", r1.ru_minflt - r0.ru_minflt < pages / 4);
	munmap(p, pages * pagesz);
}

/* page_mkwrite runs once per page until msync(MS_SYNC) re-arms it. */
static void step_mkwrite(void)
{
	struct vmmap_counters before;
	char *p = map(MAP_SHARED);

	printf("4. Writes to a shared page: page_mkwrite once, again after msync(MS_SYNC)\n");
	show_counters();
	before = last;
	p[0] = 1;
	p[1] = 2;
	p[0] = 3;
	printf("      three writes to page 0\n");
	show_counters();
	verdict("page_mkwrite ran once", have_counters ?
		last.page_mkwrite - before.page_mkwrite == 1 : -1);
	if (msync(p, 2 * pagesz, MS_SYNC))
		die("msync");
	before = last;
	p[0] = 4;
	if (have_counters) {
		if (vmmap_read_counters(&last))
			die("reading " VMMAP_SYSFS "/stats");
		printf("      msync, then one more write: pages_cleaned +%llu, page_mkwrite +%llu\n",
		       (unsigned long long)(last.pages_cleaned - before.pages_cleaned),
		       (unsigned long long)(last.page_mkwrite - before.page_mkwrite));
	}
	verdict("page_mkwrite ran again", have_counters ?
		last.page_mkwrite - before.page_mkwrite == 1 : -1);
	munmap(p, 2 * pagesz);
}

/* VMMAP_IOC_DIRTY: which pages were written since they were cleaned. */
static void step_dirty(void)
{
	struct vmmap_range r[8];
	uint64_t walk_end;
	uint32_t nr = 8, i;
	char *p = map(MAP_SHARED);

	printf("5. VMMAP_IOC_DIRTY reports written pages, and cleans them\n");
	if (fsync(fd))
		die("fsync");
	p[pagesz] = 5;
	if (pwrite(fd, "x", 1, 0) != 1)
		die("pwrite");
	if (vmmap_dirty(fd, 0, 2 * pagesz, VMMAP_DIRTY_CLEAR, r, &nr, &walk_end))
		die("VMMAP_IOC_DIRTY");
	for (i = 0; i < nr; i++)
		printf("      dirty: bytes %#llx-%#llx\n",
		       (unsigned long long)r[i].start, (unsigned long long)r[i].end);
	verdict("pages 0 and 1 reported as one range",
		nr == 1 && r[0].start == 0 && r[0].end >= (uint64_t)2 * pagesz);
	nr = 8;
	if (vmmap_dirty(fd, 0, 2 * pagesz, 0, r, &nr, &walk_end))
		die("VMMAP_IOC_DIRTY");
	verdict("clean afterwards", nr == 0 && walk_end == (uint64_t)2 * pagesz);
	p[0] = 6;
	nr = 8;
	if (vmmap_dirty(fd, 0, 2 * pagesz, 0, r, &nr, &walk_end))
		die("VMMAP_IOC_DIRTY");
	verdict("a write after the clean is reported again",
		nr == 1 && r[0].start == 0);
	munmap(p, 2 * pagesz);
}

int main(void)
{
	struct vmmap_info info;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pagesz = sysconf(_SC_PAGESIZE);
	fd = open(VMMAP_DEV, O_RDWR);
	if (fd < 0)
		die("open " VMMAP_DEV " (is the module loaded?)");
	if (vmmap_get_info(fd, &info))
		die("VMMAP_IOC_GET_INFO");
	have_counters = !vmmap_read_counters(&last);
	if (!have_counters)
		printf("vmmap-demo: no handler counters (%s/stats: %s)\n",
		       VMMAP_SYSFS, strerror(errno));
	printf("vmmap-demo: %s is a %llu MiB object of %u-byte pages (ABI %u)\n",
	       VMMAP_DEV, (unsigned long long)(info.object_size >> 20),
	       info.page_size, info.abi_version);
	if (info.object_size < (uint64_t)260 * pagesz) {
		fprintf(stderr, "vmmap-demo: the object needs at least %ld bytes\n",
			260 * pagesz);
		return 1;
	}

	step_sharing();
	step_fault_around();
	step_mkwrite();
	step_dirty();

	printf("vmmap-demo: %s\n", failures ? "FAILED" : "all behaved");
	return failures ? 1 : 0;
}
