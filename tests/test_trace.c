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

#include "vmmap_test.h"

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

static void tracefs_write(struct __test_metadata *_metadata, const char *file,
			  const char *s, int flags)
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
static void trace_start(struct __test_metadata *_metadata)
{
	char on = 0;
	int fd;

	vt_require_driver(_metadata);
	fd = open(TRACEFS "/events/vmmap/enable", O_RDONLY);
	if (fd < 0 || access(TRACEFS "/events/vmmap/enable", W_OK))
		VT_SKIP("no tracefs at " TRACEFS " or no vmmap events: %s",
		     strerror(errno));
	if (read(fd, &on, 1) != 1)
		FAIL("read events/vmmap/enable: %s", strerror(errno));
	close(fd);
	tracefs_write(_metadata, "tracing_on", "1", 0);
	if (on != '1')
		tracefs_write(_metadata, "events/vmmap/enable", "1", 0);
	tracefs_write(_metadata, "trace", "", O_TRUNC);
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

/* Reads what happened since trace_start(_metadata, ) (the events stay on). */
static void trace_stop(struct __test_metadata *_metadata)
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
	TH_LOG("%d vmmap events", nevs);
}

static unsigned long long field(struct __test_metadata *_metadata,
				const struct event *e, const char *key)
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
TEST_F(vmmap, trace_mmap_path)
{
	size_t ps = vt_page();
	int fd = vt_open(_metadata, O_RDWR), g, m;
	unsigned char *p, *q;

	vt_fresh(_metadata, 8 * ps);
	trace_start(_metadata);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, ps);
	q = vt_map(_metadata, NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	trace_stop(_metadata);
	g = find("vmmap_get_unmapped_area", 0);
	ASSERT_GE(g, 0);
	EXPECT_EQ(4 * ps, field(_metadata, &evs[g], "len"));
	EXPECT_EQ(1, field(_metadata, &evs[g], "pgoff"));
	EXPECT_EQ((uintptr_t)p, field(_metadata, &evs[g], "addr"));
	EXPECT_EQ(getpid(), evs[g].pid);
	m = find("vmmap_mmap", g);
	ASSERT_GT(m, g);
	EXPECT_EQ((uintptr_t)p, field(_metadata, &evs[m], "start"));
	EXPECT_EQ((uintptr_t)p + 4 * ps, field(_metadata, &evs[m], "end"));
	EXPECT_EQ(1, field(_metadata, &evs[m], "pgoff"));
	EXPECT_EQ(1, field(_metadata, &evs[m], "shared"));
	m = find("vmmap_mmap", m + 1);
	ASSERT_GT(m, 0);
	EXPECT_EQ((uintptr_t)q, field(_metadata, &evs[m], "start"));
	EXPECT_EQ(0, field(_metadata, &evs[m], "shared"));
	EXPECT_EQ(2, count("vmmap_get_unmapped_area"));

	/* splits open VMAs; unmapping everything closes each one */
	trace_start(_metadata);
	vt_unmap(_metadata, p + ps, ps);
	vt_unmap(_metadata, p, ps);
	vt_unmap(_metadata, p + 2 * ps, 2 * ps);
	vt_unmap(_metadata, q, 2 * ps);
	trace_stop(_metadata);
	EXPECT_GE(count("vmmap_vma_open"), 1);
	EXPECT_EQ(count("vmmap_vma_open") + 2, count("vmmap_vma_close"));
}

/* A first write to a shared page: fault, then page_mkwrite, same pgoff. */
TEST_F(vmmap, trace_shared_write_fault_then_page_mkwrite)
{
	size_t ps = vt_page();
	int fd = vt_open(_metadata, O_RDWR), f, w;
	unsigned char *p;

	vt_fresh(_metadata, 4 * ps);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	trace_start(_metadata);
	vt_poke(p + 2 * ps + 5, 1);
	vt_poke(p + 2 * ps + 6, 1);		/* no second event */
	trace_stop(_metadata);
	f = find("vmmap_fault", 0);
	ASSERT_GE(f, 0);
	EXPECT_EQ(2, field(_metadata, &evs[f], "pgoff"));
	EXPECT_TRUE(field(_metadata, &evs[f], "flags") & VT_FAULT_FLAG_WRITE);
	EXPECT_EQ(VT_VM_FAULT_LOCKED, field(_metadata, &evs[f], "result"));
	EXPECT_EQ(0, field(_metadata, &evs[f], "order"));
	w = find("vmmap_page_mkwrite", f);
	ASSERT_GT(w, f);
	EXPECT_EQ(2, field(_metadata, &evs[w], "pgoff"));
	EXPECT_EQ(VT_VM_FAULT_LOCKED, field(_metadata, &evs[w], "result"));
	EXPECT_EQ(1, count("vmmap_fault"));
	EXPECT_EQ(1, count("vmmap_page_mkwrite"));
	EXPECT_EQ(0,
		  count("vmmap_map_pages")); /* write faults: no fault-around */
	vt_unmap(_metadata, p, 4 * ps);
}

/* A read fault among resident pages: map_pages maps it, no ->fault. */
TEST_F(vmmap, trace_fault_around_maps_without_fault)
{
	size_t ps = vt_page(), n = 16;
	int fd = vt_open(_metadata, O_RDWR), m;
	unsigned char *p;

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 0, n * ps, 3);
	p = vt_map(_metadata, NULL, n * ps, PROT_READ, MAP_SHARED, fd, 0);
	trace_start(_metadata);
	EXPECT_EQ(vt_pat(ps, 3), vt_peek(p + ps));
	trace_stop(_metadata);
	m = find("vmmap_map_pages", 0);
	ASSERT_GE(m, 0);
	EXPECT_EQ(1, field(_metadata, &evs[m], "pgoff"));
	EXPECT_LE(field(_metadata, &evs[m], "start_pgoff"), 1);
	EXPECT_GE(field(_metadata, &evs[m], "end_pgoff"), 1);
	EXPECT_EQ(0, count("vmmap_fault"));
	vt_unmap(_metadata, p, n * ps);
}

/* msync(MS_SYNC): one fsync event with the range and the pages cleaned. */
TEST_F(vmmap, trace_msync_cleans)
{
	size_t ps = vt_page(), n = 8;
	int fd = vt_open(_metadata, O_RDWR), s;
	unsigned char *p;

	vt_fresh(_metadata, n * ps);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	vt_poke(p + 3 * ps, 1);
	vt_poke(p + 7 * ps, 1);
	trace_start(_metadata);
	ASSERT_OK(msync(p, n * ps, MS_SYNC));
	trace_stop(_metadata);
	s = find("vmmap_fsync", 0);
	ASSERT_GE(s, 0);
	EXPECT_EQ(0, field(_metadata, &evs[s], "start"));
	EXPECT_EQ(n * ps - 1, field(_metadata, &evs[s], "end"));
	EXPECT_EQ(3, field(_metadata, &evs[s], "cleaned"));
	EXPECT_EQ(1, count("vmmap_fsync"));
	vt_unmap(_metadata, p, n * ps);
}

/* A shrink: resize with the old and new size and the pages it freed. */
TEST_F(vmmap, trace_shrink_frees)
{
	size_t ps = vt_page(), n = 8;
	int fd = vt_open(_metadata, O_RDWR), r;

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 0, n * ps, 4);
	trace_start(_metadata);
	ASSERT_OK(vmmap_resize(fd, 3 * ps));
	trace_stop(_metadata);
	r = find("vmmap_resize", 0);
	ASSERT_GE(r, 0);
	EXPECT_EQ(n * ps, field(_metadata, &evs[r], "old_size"));
	EXPECT_EQ(3 * ps, field(_metadata, &evs[r], "new_size"));
	EXPECT_EQ(n - 3, field(_metadata, &evs[r], "freed"));
}

/* Past the end: the fault answers SIGBUS. */
TEST_F(vmmap, trace_sigbus_past_end)
{
	size_t ps = vt_page();
	int fd = vt_open(_metadata, O_RDWR), f;
	unsigned char *p;

	vt_fresh(_metadata, 2 * ps);
	p = vt_map(_metadata, NULL, 4 * ps, PROT_READ, MAP_SHARED, fd, 0);
	trace_start(_metadata);
	EXPECT_EQ(SIGBUS, vt_try_read(p + 3 * ps));
	trace_stop(_metadata);
	f = find("vmmap_fault", 0);
	ASSERT_GE(f, 0);
	EXPECT_EQ(3, field(_metadata, &evs[f], "pgoff"));
	EXPECT_EQ(VT_VM_FAULT_SIGBUS, field(_metadata, &evs[f], "result"));
	vt_unmap(_metadata, p, 4 * ps);
}

TEST_HARNESS_MAIN
