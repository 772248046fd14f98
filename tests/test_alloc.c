// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy allocation (only touched pages become resident) and fault-around
 * (vm_ops->map_pages maps resident neighbours, so reading resident pages
 * through a fresh mapping takes far fewer faults than pages).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

static uint64_t resident(struct __test_metadata *_metadata, int fd)
{
	struct vmmap_info info;

	vt_info(_metadata, fd, &info);
	return info.resident_pages;
}

TEST_F(vmmap, lazy_allocation)
{
	size_t ps = vt_page(), n = 64;
	struct vmmap_counters s0, s1;
	int fd = self->fd;
	unsigned char *buf, *p, *pr, c = 1;

	vt_require_driver(_metadata);
	vt_fresh(_metadata, n * ps);
	vt_stats(_metadata, &s0);
	ASSERT_EQ(0, resident(_metadata, fd));

	/* read() of never-touched pages allocates nothing, and reads zeroes */
	buf = malloc(n * ps);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ((ssize_t)(n * ps), pread(fd, buf, n * ps, 0));
	ASSERT_TRUE(vt_zero_ok(buf, n * ps));
	ASSERT_EQ(0, resident(_metadata, fd));

	ASSERT_EQ(1, pwrite(fd, &c, 1, 3 * ps + 5));
	ASSERT_EQ(1, resident(_metadata, fd));
	ASSERT_EQ(2, pwrite(fd, buf, 2, 6 * ps - 1)); /* across 5 and 6 */
	ASSERT_EQ(3, resident(_metadata, fd));

	/* mapping allocates nothing; each first touch allocates that page */
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(3, resident(_metadata, fd));
	ASSERT_EQ(0, vt_peek(p + 10 * ps));		/* read fault */
	ASSERT_EQ(4, resident(_metadata, fd));
	vt_poke(p + 20 * ps + 1, 2);			/* write fault */
	ASSERT_EQ(5, resident(_metadata, fd));
	ASSERT_EQ(1, vt_peek(p + 3 * ps + 5)); /* already resident */
	ASSERT_EQ(0, vt_peek(p + 10 * ps + 1));
	ASSERT_EQ(5, resident(_metadata, fd));

	pr = vt_map(_metadata, NULL, n * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_EQ(0, vt_peek(pr + 30 * ps)); /* private read fault */
	ASSERT_EQ(6, resident(_metadata, fd));

	/* read() of the whole object still allocates nothing more */
	ASSERT_EQ((ssize_t)(n * ps), pread(fd, buf, n * ps, 0));
	ASSERT_EQ(6, resident(_metadata, fd));
	ASSERT_EQ(2, buf[20 * ps + 1]);

	vt_stats(_metadata, &s1);
	vt_stats_log("lazy allocation", &s0, &s1);
	EXPECT_EQ(6, s1.pages_allocated - s0.pages_allocated);
	EXPECT_EQ(0, s1.pages_freed - s0.pages_freed);
	EXPECT_EQ(6, (uint64_t)vmmap_sysfs_read("resident_pages"));
	free(buf);
	vt_unmap(_metadata, p, n * ps);
	vt_unmap(_metadata, pr, n * ps);
}

/* Pages fault-around maps per fault: debugfs's fault_around_bytes if it is
 * readable, else the kernel default of 64 KiB.
 */
static size_t fault_around_pages(void)
{
	unsigned long bytes = 65536;
	FILE *f = fopen("/sys/kernel/debug/fault_around_bytes", "r");

	if (f) {
		if (fscanf(f, "%lu", &bytes) != 1)
			bytes = 65536;
		fclose(f);
	}
	return bytes / vt_page() ? bytes / vt_page() : 1;
}

static void measure_read(struct __test_metadata *_metadata, int fd, int flags,
			 size_t n, const char *what, long *faults,
			 struct vmmap_counters *delta)
{
	size_t ps = vt_page(), i;
	struct vmmap_counters s0, s1;
	unsigned int sum = 0;
	long f0, f1;
	char *p;

	p = vt_map(_metadata, NULL, n * ps, PROT_READ, flags, fd, 0);
	if (vt_have_driver())
		vt_stats(_metadata, &s0);
	f0 = vt_minflt();
	for (i = 0; i < n; i++)
		sum += vt_peek(p + i * ps);
	f1 = vt_minflt();
	if (vt_have_driver()) {
		vt_stats(_metadata, &s1);
		delta->fault = s1.fault - s0.fault;
		delta->map_pages = s1.map_pages - s0.map_pages;
	}
	*faults = f1 - f0;
	TH_LOG("%s: %zu pages read, %ld minor faults, ->fault %llu, ->map_pages %llu (sum %u)",
	       what, n, *faults, (unsigned long long)delta->fault,
	       (unsigned long long)delta->map_pages, sum);
	vt_unmap(_metadata, p, n * ps);
}

TEST_F(vmmap, fault_around)
{
	size_t ps = vt_page(), n = MiB / ps, far = fault_around_pages();
	struct vmmap_counters d = { 0 };
	int fd = self->fd;
	long faults, limit;

	TH_LOG("fault-around: %zu pages per fault", far);
	if (far <= 1)
		SKIP(return,
			   "fault-around is disabled (fault_around_bytes <= page size)");
	limit = (long)(n / far + n / far / 2 + 2);

	/* nothing resident: one fault per page, for comparison */
	vt_fresh(_metadata, n * ps);
	measure_read(_metadata, fd, MAP_SHARED, n, "fresh object, shared",
		     &faults, &d);

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 0, n * ps, 50);
	measure_read(_metadata, fd, MAP_SHARED, n, "resident pages, shared",
		     &faults, &d);
	EXPECT_LE(faults, limit);
	if (vt_have_driver()) {
		EXPECT_GE(d.map_pages, 1);
		EXPECT_LE(d.fault + d.map_pages, (uint64_t)(2 * limit));
	}

	measure_read(_metadata, fd, MAP_PRIVATE, n, "resident pages, private",
		     &faults, &d);
	EXPECT_LE(faults, limit);
	if (vt_have_driver())
		EXPECT_GE(d.map_pages, 1);
	TH_LOG("limit: %ld faults for %zu pages", limit, n);
}

TEST_HARNESS_MAIN
