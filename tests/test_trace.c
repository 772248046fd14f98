// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints (TRACE_SYSTEM vmmap, module/vmmap_trace.h), read back
 * from tracefs: each scenario clears the trace buffer, runs, and asserts
 * which handlers ran, in which order, with which fields. Needs tracefs at
 * /sys/kernel/tracing (the guest's init mounts it); SKIPs without it.
 *
 * The events are switched on once and left on: each switch patches kernel
 * text (static keys), which under qemu's TCG is not reliable while another
 * vCPU may run the patched code. The buffer only ever holds the current
 * test's events, since it is cleared first and tests run one at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define TRACEFS "/sys/kernel/tracing"
#define RW (PROT_READ | PROT_WRITE)
#define VT_MAX_EVENTS 256
#define VT_MAX_FIELDS 8

/* VM_FAULT_* bits as include/linux/mm_types.h has them since 4.17. */
#define VT_VM_FAULT_SIGBUS 0x002
#define VT_VM_FAULT_NOPAGE 0x100
#define VT_VM_FAULT_LOCKED 0x200
#define VT_FAULT_FLAG_WRITE 0x01

struct event {
	char name[40];
	long pid;
	int nfields;
	char key[VT_MAX_FIELDS][16];
	unsigned long long val[VT_MAX_FIELDS];
};

static struct event evs[VT_MAX_EVENTS];
static int nevs;

static void tracefs_write(const char *file, const char *s, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | flags);
	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	if (*s && write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		FAIL("write %s: %s", path, strerror(errno));
	close(fd);
}

/* vmmap's events on (once), the buffer empty. */
static void trace_start(void)
{
	char on = 0;
	int fd;

	vt_require_driver();
	fd = open(TRACEFS "/events/vmmap/enable", O_RDONLY);
	if (fd < 0 || access(TRACEFS "/events/vmmap/enable", W_OK))
		SKIP("no tracefs at " TRACEFS " or no vmmap events: %s",
		     strerror(errno));
	if (read(fd, &on, 1) != 1)
		FAIL("read events/vmmap/enable: %s", strerror(errno));
	close(fd);
	tracefs_write("tracing_on", "1", 0);
	if (on != '1')
		tracefs_write("events/vmmap/enable", "1", 0);
	tracefs_write("trace", "", O_TRUNC);
}

/* "name: key=val key=val" after the timestamp's ": " */
static void parse_line(const char *line)
{
	struct event *e = &evs[nevs];
	const char *p = strstr(line, ": vmmap_"), *dash, *cpu;
	char *end;

	if (!p || nevs == VT_MAX_EVENTS)
		return;
	memset(e, 0, sizeof(*e));
	/* "   comm-pid   [001] ..." : the pid ends at the last '-' before '[' */
	cpu = strstr(line, " [");
	for (dash = cpu; dash && dash > line && *dash != '-'; dash--)
		;
	e->pid = dash ? strtol(dash + 1, NULL, 10) : -1;
	p += 2;
	end = strchr(p, ':');
	if (!end || end - p >= (long)sizeof(e->name))
		return;
	memcpy(e->name, p, end - p);
	p = end + 1;
	while (e->nfields < VT_MAX_FIELDS && *p) {
		const char *eq;

		while (*p == ' ')
			p++;
		eq = strchr(p, '=');
		if (!eq || eq - p >= 16)
			break;
		memcpy(e->key[e->nfields], p, eq - p);
		e->key[e->nfields][eq - p] = 0;
		e->val[e->nfields] = strtoull(eq + 1, &end, 0);
		e->nfields++;
		p = end;
	}
	nevs++;
}

/* Reads what happened since trace_start() (the events stay on). */
static void trace_stop(void)
{
	char line[512];
	FILE *f;

	nevs = 0;
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		FAIL("open " TRACEFS "/trace: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#')
			parse_line(line);
	fclose(f);
	LOG("%d vmmap events", nevs);
}

static unsigned long long field(const struct event *e, const char *key)
{
	int i;

	for (i = 0; i < e->nfields; i++)
		if (!strcmp(e->key[i], key))
			return e->val[i];
	FAIL("%s has no field %s", e->name, key);
	return 0;
}

/* The index of the first event @name at or after @from, or -1. */
static int find(const char *name, int from)
{
	int i;

	for (i = from; i < nevs; i++)
		if (!strcmp(evs[i].name, name))
			return i;
	return -1;
}

static int count(const char *name)
{
	int i, n = 0;

	for (i = 0; i < nevs; i++)
		n += !strcmp(evs[i].name, name);
	return n;
}

/* get_unmapped_area, then mmap, with the range, offset and sharing. */
TEST(trace_mmap_path)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR), g, m;
	unsigned char *p, *q;

	vt_fresh(8 * ps);
	trace_start();
	p = vt_map(NULL, 4 * ps, RW, MAP_SHARED, fd, ps);
	q = vt_map(NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	trace_stop();
	g = find("vmmap_get_unmapped_area", 0);
	ASSERT_GE(g, 0);
	EXPECT_EQ(field(&evs[g], "len"), 4 * ps);
	EXPECT_EQ(field(&evs[g], "pgoff"), 1);
	EXPECT_EQ(field(&evs[g], "addr"), (uintptr_t)p);
	EXPECT_EQ(evs[g].pid, getpid());
	m = find("vmmap_mmap", g);
	ASSERT_GT(m, g);
	EXPECT_EQ(field(&evs[m], "start"), (uintptr_t)p);
	EXPECT_EQ(field(&evs[m], "end"), (uintptr_t)p + 4 * ps);
	EXPECT_EQ(field(&evs[m], "pgoff"), 1);
	EXPECT_EQ(field(&evs[m], "shared"), 1);
	m = find("vmmap_mmap", m + 1);
	ASSERT_GT(m, 0);
	EXPECT_EQ(field(&evs[m], "start"), (uintptr_t)q);
	EXPECT_EQ(field(&evs[m], "shared"), 0);
	EXPECT_EQ(count("vmmap_get_unmapped_area"), 2);

	/* splits open VMAs; unmapping everything closes each one */
	trace_start();
	vt_unmap(p + ps, ps);
	vt_unmap(p, ps);
	vt_unmap(p + 2 * ps, 2 * ps);
	vt_unmap(q, 2 * ps);
	trace_stop();
	EXPECT_GE(count("vmmap_vma_open"), 1);
	EXPECT_EQ(count("vmmap_vma_close"), count("vmmap_vma_open") + 2);
}

/* A first write to a shared page: fault, then page_mkwrite, same pgoff. */
TEST(trace_shared_write_fault_then_page_mkwrite)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR), f, w;
	unsigned char *p;

	vt_fresh(4 * ps);
	p = vt_map(NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	trace_start();
	vt_poke(p + 2 * ps + 5, 1);
	vt_poke(p + 2 * ps + 6, 1);		/* no second event */
	trace_stop();
	f = find("vmmap_fault", 0);
	ASSERT_GE(f, 0);
	EXPECT_EQ(field(&evs[f], "pgoff"), 2);
	EXPECT_TRUE(field(&evs[f], "flags") & VT_FAULT_FLAG_WRITE);
	EXPECT_EQ(field(&evs[f], "result"), VT_VM_FAULT_LOCKED);
	EXPECT_EQ(field(&evs[f], "order"), 0);
	w = find("vmmap_page_mkwrite", f);
	ASSERT_GT(w, f);
	EXPECT_EQ(field(&evs[w], "pgoff"), 2);
	EXPECT_EQ(field(&evs[w], "result"), VT_VM_FAULT_LOCKED);
	EXPECT_EQ(count("vmmap_fault"), 1);
	EXPECT_EQ(count("vmmap_page_mkwrite"), 1);
	EXPECT_EQ(count("vmmap_map_pages"), 0);	/* write faults: no fault-around */
	vt_unmap(p, 4 * ps);
}

/* A read fault among resident pages: map_pages maps it, no ->fault. */
TEST(trace_fault_around_maps_without_fault)
{
	size_t ps = vt_page(), n = 16;
	int fd = vt_open(O_RDWR), m;
	unsigned char *p;

	vt_fresh(n * ps);
	vt_pwrite_pat(fd, 0, n * ps, 3);
	p = vt_map(NULL, n * ps, PROT_READ, MAP_SHARED, fd, 0);
	trace_start();
	EXPECT_EQ(vt_peek(p + ps), vt_pat(ps, 3));
	trace_stop();
	m = find("vmmap_map_pages", 0);
	ASSERT_GE(m, 0);
	EXPECT_EQ(field(&evs[m], "pgoff"), 1);
	EXPECT_LE(field(&evs[m], "start_pgoff"), 1);
	EXPECT_GE(field(&evs[m], "end_pgoff"), 1);
	EXPECT_EQ(count("vmmap_fault"), 0);
	vt_unmap(p, n * ps);
}

/* msync(MS_SYNC): one fsync event with the range and the pages cleaned. */
TEST(trace_msync_cleans)
{
	size_t ps = vt_page(), n = 8;
	int fd = vt_open(O_RDWR), s;
	unsigned char *p;

	vt_fresh(n * ps);
	p = vt_map(NULL, n * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	vt_poke(p + 3 * ps, 1);
	vt_poke(p + 7 * ps, 1);
	trace_start();
	ASSERT_OK(msync(p, n * ps, MS_SYNC));
	trace_stop();
	s = find("vmmap_fsync", 0);
	ASSERT_GE(s, 0);
	EXPECT_EQ(field(&evs[s], "start"), 0);
	EXPECT_EQ(field(&evs[s], "end"), n * ps - 1);
	EXPECT_EQ(field(&evs[s], "cleaned"), 3);
	EXPECT_EQ(count("vmmap_fsync"), 1);
	vt_unmap(p, n * ps);
}

/* A shrink: resize with the old and new size and the pages it freed. */
TEST(trace_shrink_frees)
{
	size_t ps = vt_page(), n = 8;
	int fd = vt_open(O_RDWR), r;

	vt_fresh(n * ps);
	vt_pwrite_pat(fd, 0, n * ps, 4);
	trace_start();
	ASSERT_OK(vmmap_resize(fd, 3 * ps));
	trace_stop();
	r = find("vmmap_resize", 0);
	ASSERT_GE(r, 0);
	EXPECT_EQ(field(&evs[r], "old_size"), n * ps);
	EXPECT_EQ(field(&evs[r], "new_size"), 3 * ps);
	EXPECT_EQ(field(&evs[r], "freed"), n - 3);
}

/* Past the end: the fault answers SIGBUS. */
TEST(trace_sigbus_past_end)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR), f;
	unsigned char *p;

	vt_fresh(2 * ps);
	p = vt_map(NULL, 4 * ps, PROT_READ, MAP_SHARED, fd, 0);
	trace_start();
	EXPECT_EQ(vt_try_read(p + 3 * ps), SIGBUS);
	trace_stop();
	f = find("vmmap_fault", 0);
	ASSERT_GE(f, 0);
	EXPECT_EQ(field(&evs[f], "pgoff"), 3);
	EXPECT_EQ(field(&evs[f], "result"), VT_VM_FAULT_SIGBUS);
	vt_unmap(p, 4 * ps);
}
