// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of uapi/vmmap.h (version 2): what each call returns; that
 * the struct size travels in the ioctl number, so that an older caller (a
 * struct of exactly VMMAP_*_SIZE_VER0 bytes, built by hand with _IOC()) and
 * a newer one (a larger struct: zero tail accepted and zero-filled on
 * output, non-zero tail refused with E2BIG on input) both work; and that
 * every bad input fails with its errno and changes nothing. VMMAP_IOC_DIRTY's
 * semantics are in test_dirty.c, its errors here.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"

/* A command of ours with another struct size. */
#define CMD_SIZED(cmd, size) \
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

/* The layout itself is pinned at build time by abi_layout.c. */
TEST(abi_layout)
{
	struct vmmap_info info;
	int fd = vt_open(O_RDWR);

	/* abi_layout.c's static assertions did the work at build time; the
	 * running driver must speak this header's version
	 */
	vt_info(fd, &info);
	EXPECT_EQ(info.abi_version, VMMAP_ABI_VERSION);
	LOG("GET_INFO %#lx RESIZE %#lx DIRTY %#lx",
	    (unsigned long)VMMAP_IOC_GET_INFO, (unsigned long)VMMAP_IOC_RESIZE,
	    (unsigned long)VMMAP_IOC_DIRTY);
}

/* What the object looks like, to prove a failed call changed nothing. */
struct snapshot {
	struct vmmap_info info;
	struct vmmap_counters stats;
};

static void snap(int fd, struct snapshot *s)
{
	vt_info(fd, &s->info);
	vt_stats(fd, &s->stats);
}

static void expect_unchanged(int fd, const struct snapshot *a, int line)
{
	struct snapshot b;

	snap(fd, &b);
	if (b.info.object_size != a->info.object_size ||
	    b.info.resident_pages != a->info.resident_pages ||
	    b.info.dirty_pages != a->info.dirty_pages ||
	    b.stats.resize != a->stats.resize ||
	    b.stats.pages_cleaned != a->stats.pages_cleaned ||
	    b.stats.pages_allocated != a->stats.pages_allocated ||
	    b.stats.pages_freed != a->stats.pages_freed) {
		LOG("line %d: the object changed: size %llu -> %llu, resident %llu -> %llu, dirty %llu -> %llu, resize %llu -> %llu, cleaned %llu -> %llu",
		    line, (unsigned long long)a->info.object_size,
		    (unsigned long long)b.info.object_size,
		    (unsigned long long)a->info.resident_pages,
		    (unsigned long long)b.info.resident_pages,
		    (unsigned long long)a->info.dirty_pages,
		    (unsigned long long)b.info.dirty_pages,
		    (unsigned long long)a->stats.resize,
		    (unsigned long long)b.stats.resize,
		    (unsigned long long)a->stats.pages_cleaned,
		    (unsigned long long)b.stats.pages_cleaned);
		vt_fail_mark();
	}
	if (!vt_pread_pat_ok(fd, 0, 4 * vt_page(), 90)) {
		LOG("line %d: the object's content changed", line);
		vt_fail_mark();
	}
}

#define EXPECT_UNCHANGED(fd, snapshot) expect_unchanged(fd, snapshot, __LINE__)

/* 8 pages, the first 4 written (and so dirty) with pattern 90. */
static int setup(void)
{
	int fd = vt_open(O_RDWR);

	vt_require_driver();
	vt_fresh(8 * vt_page());
	vt_pwrite_pat(fd, 0, 4 * vt_page(), 90);
	return fd;
}

static bool huge_param(void)
{
	char c = 'N';
	int fd = open("/sys/module/vmmap/parameters/huge", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 'N';
		close(fd);
	}
	return c == 'Y' || c == '1';
}

TEST(ioctl_get_info)
{
	size_t ps = vt_page();
	struct vmmap_info info;
	int fd = setup();

	memset(&info, 0xa5, sizeof(info));
	ASSERT_OK(ioctl(fd, VMMAP_IOC_GET_INFO, &info));
	LOG("abi %u size %llu max %llu page %u resident %llu dirty %llu live %llu flags %#llx max_folio %llu",
	    info.abi_version, (unsigned long long)info.object_size,
	    (unsigned long long)info.max_size, info.page_size,
	    (unsigned long long)info.resident_pages,
	    (unsigned long long)info.dirty_pages,
	    (unsigned long long)info.live_vmas,
	    (unsigned long long)info.flags,
	    (unsigned long long)info.max_folio_size);
	EXPECT_EQ(info.abi_version, VMMAP_ABI_VERSION);
	EXPECT_EQ(info.page_size, ps);
	EXPECT_EQ(info.object_size, 8 * ps);
	EXPECT_EQ(info.object_size, vt_size(fd));
	EXPECT_GE(info.max_size, info.object_size);
	EXPECT_EQ(info.max_size % ps, 0);
	EXPECT_EQ(info.flags & ~VMMAP_INFO_HUGE, 0);
	EXPECT_EQ(!!(info.flags & VMMAP_INFO_HUGE), huge_param());
	EXPECT_EQ(info.resident_pages, 4);
	EXPECT_EQ(info.dirty_pages, 4);
	/* one page, or a PMD where huge pages are possible at all */
	EXPECT_TRUE(info.max_folio_size == ps || info.max_folio_size == vt_pmd());
	if (info.flags & VMMAP_INFO_HUGE)
		EXPECT_EQ(info.max_folio_size, vt_pmd());
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		EXPECT_EQ(info.max_folio_size, ps);
}

/*
 * GET_INFO (_IOR) with the struct size of an older and a newer caller:
 * exactly VER0 works; a larger one gets the known part and zeroes after
 * it, over whatever was there; a smaller one is EINVAL and nothing is
 * written.
 */
TEST(ioctl_get_info_sizes)
{
	const size_t v0 = VMMAP_INFO_SIZE_VER0;
	const size_t bigs[] = { v0 + 8, v0 + 64, 4096, _IOC_SIZEMASK };
	const size_t smalls[] = { 0, 8, v0 - 8, v0 - 1 };
	unsigned char *buf, *ref;
	struct vmmap_info ours;
	unsigned int i;
	int fd = setup();

	buf = malloc(_IOC_SIZEMASK + 16);
	ref = malloc(_IOC_SIZEMASK + 16);
	ASSERT_TRUE(buf && ref);
	vt_info(fd, &ours);

	/* an older caller: exactly VER0, built by hand */
	memset(buf, 0xa5, v0 + 16);
	ASSERT_OK(ioctl(fd, _IOC(_IOC_READ, VMMAP_IOC_MAGIC, 0x01, v0), buf));
	EXPECT_EQ(memcmp(buf, &ours, v0), 0);
	EXPECT_EQ(buf[v0], 0xa5);		/* not one byte more */

	for (i = 0; i < ARRAY_SIZE(bigs); i++) {
		memset(buf, 0xa5, bigs[i] + 16);
		ASSERT_OK(ioctl(fd, CMD_SIZED(VMMAP_IOC_GET_INFO, bigs[i]), buf));
		EXPECT_EQ(memcmp(buf, &ours, v0), 0);
		EXPECT_TRUE(vt_zero_ok(buf + v0, bigs[i] - v0));
		EXPECT_EQ(buf[bigs[i]], 0xa5);
	}
	for (i = 0; i < ARRAY_SIZE(smalls); i++) {
		memset(buf, 0x5a, v0 + 16);
		memcpy(ref, buf, v0 + 16);
		ASSERT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_GET_INFO, smalls[i]),
				   buf), EINVAL);
		EXPECT_EQ(memcmp(buf, ref, v0 + 16), 0);
	}
	free(buf);
	free(ref);
}

TEST(ioctl_resize_valid)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	struct vmmap_info info;
	uint64_t sizes[5];
	int fd = setup();
	unsigned int i;

	vt_info(fd, &info);
	sizes[0] = ps;
	sizes[1] = 3 * ps;
	sizes[2] = 3 * ps;		/* the same size again */
	sizes[3] = 0;
	sizes[4] = info.max_size / ps * ps;
	vt_stats(fd, &s0);
	for (i = 0; i < 5; i++) {
		ASSERT_OK(vmmap_resize(fd, sizes[i]));
		vt_info(fd, &info);
		EXPECT_EQ(info.object_size, sizes[i]);
		EXPECT_EQ(vt_size(fd), sizes[i]);
		EXPECT_EQ((uint64_t)vmmap_sysfs_read("size"), sizes[i]);
	}
	vt_stats(fd, &s1);
	EXPECT_EQ(s1.resize - s0.resize, 5);
	ASSERT_OK(vmmap_resize(fd, VT_DEFAULT_SIZE));
	/* the first page kept its data through 3 pages, then 0 zeroed it */
	{
		unsigned char c = 1;

		ASSERT_EQ(pread(fd, &c, 1, 0), 1);
		EXPECT_EQ(c, 0);
	}
}

/* A RESIZE with a struct of @usize bytes: new_size, flags, then @tail. */
static int resize_sized(int fd, size_t usize, uint64_t new_size,
			uint64_t flags, unsigned char tail)
{
	unsigned char buf[256];
	struct vmmap_resize r = { .new_size = new_size, .flags = flags };

	memset(buf, tail, sizeof(buf));
	memcpy(buf, &r, usize < sizeof(r) ? usize : sizeof(r));
	return ioctl(fd, CMD_SIZED(VMMAP_IOC_RESIZE, usize), buf);
}

/* RESIZE (_IOW) from an older and a newer caller. */
TEST(ioctl_resize_sizes)
{
	const size_t v0 = VMMAP_RESIZE_SIZE_VER0;
	size_t ps = vt_page();
	struct snapshot s;
	int fd = setup();

	/* an older caller, by hand */
	ASSERT_OK(ioctl(fd, _IOC(_IOC_WRITE, VMMAP_IOC_MAGIC, 0x02, v0),
			&(struct vmmap_resize){ .new_size = 9 * ps }));
	EXPECT_EQ(vt_size(fd), 9 * ps);
	/* a newer one, zero tail */
	ASSERT_OK(resize_sized(fd, v0 + 8, 10 * ps, 0, 0));
	EXPECT_EQ(vt_size(fd), 10 * ps);
	ASSERT_OK(resize_sized(fd, 256, 8 * ps, 0, 0));
	EXPECT_EQ(vt_size(fd), 8 * ps);

	snap(fd, &s);
	/* a newer one with something it means in the tail: E2BIG */
	EXPECT_ERRNO(resize_sized(fd, v0 + 8, 12 * ps, 0, 1), E2BIG);
	EXPECT_ERRNO(resize_sized(fd, 256, 12 * ps, 0, 0x80), E2BIG);
	/* too small */
	EXPECT_ERRNO(resize_sized(fd, v0 - 8, 12 * ps, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_sized(fd, 0, 12 * ps, 0, 0), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
}

TEST(ioctl_resize_bad_input)
{
	const size_t v0 = VMMAP_RESIZE_SIZE_VER0;
	size_t ps = vt_page();
	struct vmmap_info info;
	struct snapshot s;
	uint64_t big;
	int fd = setup(), ro;

	vt_info(fd, &info);
	big = (info.max_size + ps) / ps * ps;	/* first aligned size > max */
	snap(fd, &s);

	/* unaligned */
	EXPECT_ERRNO(resize_sized(fd, v0, 1, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_sized(fd, v0, ps - 1, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_sized(fd, v0, ps + 1, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_sized(fd, v0, 2 * ps + ps / 2, 0, 0), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
	/* too big */
	EXPECT_ERRNO(resize_sized(fd, v0, big, 0, 0), EFBIG);
	EXPECT_ERRNO(resize_sized(fd, v0, big + 64 * ps, 0, 0), EFBIG);
	EXPECT_ERRNO(resize_sized(fd, v0, UINT64_MAX / ps * ps, 0, 0), EFBIG);
	EXPECT_ERRNO(resize_sized(fd, v0, (uint64_t)1 << 63, 0, 0), EFBIG);
	EXPECT_UNCHANGED(fd, &s);
	/* flags must be zero */
	EXPECT_ERRNO(resize_sized(fd, v0, ps, 1, 0), EINVAL);
	EXPECT_ERRNO(resize_sized(fd, v0, ps, (uint64_t)1 << 63, 0), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
	/* a read-only file */
	ro = vt_open(O_RDONLY);
	EXPECT_ERRNO(resize_sized(ro, v0, ps, 0, 0), EBADF);
	close(ro);
	EXPECT_UNCHANGED(fd, &s);
}

/* Pointers the driver cannot read from (or write back to): EFAULT. */
TEST(ioctl_bad_pointer)
{
	size_t ps = vt_page();
	unsigned long cmds[] = { VMMAP_IOC_GET_INFO, VMMAP_IOC_RESIZE,
				 VMMAP_IOC_DIRTY };
	unsigned char *area, *ro;
	struct vmmap_dirty *d;
	struct snapshot s;
	int fd = setup();
	unsigned int i;

	area = vt_map(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vt_unmap(area + ps, ps);			/* second page: unmapped */
	snap(fd, &s);

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_ERRNO(ioctl(fd, cmds[i], NULL), EFAULT);
		EXPECT_ERRNO(ioctl(fd, cmds[i], area + ps), EFAULT);
		EXPECT_ERRNO(ioctl(fd, cmds[i], (void *)(uintptr_t)-4096), EFAULT);
		/* the first 8 bytes readable, the rest of the struct not */
		memset(area, 0, ps);
		EXPECT_ERRNO(ioctl(fd, cmds[i], area + ps - 8), EFAULT);
	}
	EXPECT_UNCHANGED(fd, &s);

	/*
	 * Read-only buffers: GET_INFO has nowhere to write; a DIRTY struct
	 * that is readable but not writable is refused before anything is
	 * cleaned (its ranges array is fine)
	 */
	ro = vt_map(NULL, ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	d = (struct vmmap_dirty *)(ro + 64);
	d->length = 8 * ps;
	d->nr_ranges = 4;
	d->ranges = (uintptr_t)area;
	d->flags = VMMAP_DIRTY_CLEAR;
	ASSERT_OK(mprotect(ro, ps, PROT_READ));
	EXPECT_ERRNO(ioctl(fd, VMMAP_IOC_GET_INFO, ro), EFAULT);
	EXPECT_ERRNO(ioctl(fd, VMMAP_IOC_DIRTY, d), EFAULT);
	/* a larger struct whose zero-filled tail is not writable */
	memset(area, 0, ps);
	EXPECT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_GET_INFO, 64 + 8),
			   area + ps - 64), EFAULT);
	EXPECT_UNCHANGED(fd, &s);
	vt_unmap(area, ps);
	vt_unmap(ro, ps);
}

/* A DIRTY call over the setup's object; the fields to break are set after. */
static struct vmmap_dirty dirty_req(struct vmmap_range *r, uint32_t nr,
				    uint64_t flags)
{
	struct vmmap_dirty d;

	memset(&d, 0, sizeof(d));
	d.start = 0;
	d.length = 8 * vt_page();
	d.flags = flags;
	d.ranges = (uintptr_t)r;
	d.nr_ranges = nr;
	return d;
}

static int dirty_call(int fd, struct vmmap_dirty d)
{
	return ioctl(fd, VMMAP_IOC_DIRTY, &d);
}

/*
 * Every malformed DIRTY fails with the errno uapi/vmmap.h gives it and
 * leaves the dirty set alone: the 4 dirty pages of the setup stay dirty
 * (expect_unchanged checks dirty_pages and pages_cleaned), whether the
 * call asked to clear or not.
 */
TEST(ioctl_dirty_bad_input)
{
	uint64_t flags[] = { 0, VMMAP_DIRTY_CLEAR };
	size_t ps = vt_page();
	struct vmmap_range r[4];
	struct vmmap_dirty d;
	struct snapshot s;
	int fd = setup(), ro;
	unsigned int i;

	snap(fd, &s);
	ASSERT_EQ(s.info.dirty_pages, 4);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		uint64_t f = flags[i];

		/* alignment, length, overflow */
		d = dirty_req(r, 4, f);
		d.start = 1;
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d.start = ps / 2;
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d = dirty_req(r, 4, f);
		d.length = ps + 1;
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d.length = 0;
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d = dirty_req(r, 4, f);
		d.length = UINT64_MAX / ps * ps;
		d.start = 2 * ps;			/* wraps */
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d.start = UINT64_MAX / ps * ps;
		d.length = ps;				/* ends at exactly 2^64 */
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		/* capacity, flags, reserved */
		d = dirty_req(r, 0, f);
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d = dirty_req(r, 4, f | 2);
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d = dirty_req(r, 4, f | (1ULL << 63));
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d = dirty_req(r, 4, f);
		d.reserved = 1;
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		d.reserved = 0x80000000u;
		EXPECT_ERRNO(dirty_call(fd, d), EINVAL);
		/* the ranges array: none, unmapped, outside user space */
		d = dirty_req(NULL, 4, f);
		EXPECT_ERRNO(dirty_call(fd, d), EFAULT);
		d.ranges = (uintptr_t)-4096;
		EXPECT_ERRNO(dirty_call(fd, d), EFAULT);
		d.ranges = 0xffff800000000000ULL;	/* kernel half on 64-bit */
		EXPECT_ERRNO(dirty_call(fd, d), EFAULT);
		EXPECT_UNCHANGED(fd, &s);
	}
	/* CLEAR through a read-only file; reporting through it is fine */
	ro = vt_open(O_RDONLY);
	EXPECT_ERRNO(dirty_call(ro, dirty_req(r, 4, VMMAP_DIRTY_CLEAR)), EBADF);
	d = dirty_req(r, 4, 0);
	ASSERT_OK(ioctl(ro, VMMAP_IOC_DIRTY, &d));
	EXPECT_EQ(d.nr_ranges, 1);
	close(ro);
	EXPECT_UNCHANGED(fd, &s);
}

/* A ranges array whose second slot is not writable: EFAULT, nothing cleaned. */
TEST(ioctl_dirty_ranges_unwritable)
{
	size_t ps = vt_page();
	struct vmmap_range *r;
	struct vmmap_dirty d;
	struct snapshot s;
	unsigned char *area;
	int fd = setup();

	/* pages 0-3 dirty: make it two ranges, 0-1 and 3 */
	ASSERT_OK(fsync(fd));
	vt_pwrite_pat(fd, 0, 2 * ps, 90);
	vt_pwrite_pat(fd, 3 * ps, ps, 90);
	snap(fd, &s);
	ASSERT_EQ(s.info.dirty_pages, 3);

	area = vt_map(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_OK(mprotect(area + ps, ps, PROT_READ));
	r = (struct vmmap_range *)(area + ps) - 1;	/* slot 1 read-only */
	d = dirty_req(r, 4, VMMAP_DIRTY_CLEAR);
	EXPECT_ERRNO(ioctl(fd, VMMAP_IOC_DIRTY, &d), EFAULT);
	EXPECT_UNCHANGED(fd, &s);
	/* one slot is enough for the first range: that works */
	d = dirty_req(r, 1, VMMAP_DIRTY_CLEAR);
	ASSERT_OK(ioctl(fd, VMMAP_IOC_DIRTY, &d));
	EXPECT_EQ(d.nr_ranges, 1);
	EXPECT_EQ(r[0].start, 0);
	EXPECT_EQ(r[0].end, 2 * ps);
	EXPECT_EQ(d.walk_end, 3 * ps);
	vt_unmap(area, 2 * ps);
}

/*
 * DIRTY (_IOWR) with the struct sizes of an older and a newer caller: the
 * newer one's zero tail is accepted on input and zero-filled on output, a
 * non-zero one is E2BIG; smaller than VER0 is EINVAL.
 */
TEST(ioctl_dirty_sizes)
{
	const size_t v0 = VMMAP_DIRTY_SIZE_VER0;
	size_t ps = vt_page();
	unsigned char buf[512];
	struct vmmap_range r[4];
	struct vmmap_dirty d;
	struct snapshot s;
	int fd = setup();

	/* an older caller, by hand: reports pages 0-3, no clearing */
	d = dirty_req(r, 4, 0);
	ASSERT_OK(ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, VMMAP_IOC_MAGIC, 0x03,
				 v0), &d));
	EXPECT_EQ(d.nr_ranges, 1);
	EXPECT_EQ(r[0].start, 0);
	EXPECT_EQ(r[0].end, 4 * ps);
	EXPECT_EQ(d.walk_end, 8 * ps);
	EXPECT_EQ(d.flags, 0);		/* the input comes back as it was */

	/* a newer caller: zero tail in, zero tail out */
	memset(buf, 0, sizeof(buf));
	d = dirty_req(r, 4, 0);
	memcpy(buf, &d, sizeof(d));
	ASSERT_OK(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, sizeof(buf)), buf));
	memcpy(&d, buf, sizeof(d));
	EXPECT_EQ(d.nr_ranges, 1);
	EXPECT_EQ(d.walk_end, 8 * ps);
	EXPECT_TRUE(vt_zero_ok(buf + v0, sizeof(buf) - v0));

	snap(fd, &s);
	/* a newer caller that means something past what we know: E2BIG */
	d = dirty_req(r, 4, VMMAP_DIRTY_CLEAR);
	memcpy(buf, &d, sizeof(d));
	buf[v0] = 1;
	EXPECT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, v0 + 8), buf), E2BIG);
	buf[v0] = 0;
	buf[sizeof(buf) - 1] = 0xff;
	EXPECT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, sizeof(buf)), buf),
		     E2BIG);
	/* too small */
	EXPECT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, v0 - 8), buf), EINVAL);
	EXPECT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, 0), buf), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
}

/*
 * Unknown commands, including near misses of real ones and every number of
 * ABI version 1 (type 0xB7, which belongs to nsfs and remoteproc): ENOTTY.
 */
TEST(ioctl_unknown_cmd)
{
	unsigned long cmds[] = {
		/* version 1 */
		_IOR(0xB7, 0x01, unsigned char[120]),	/* GET_INFO */
		_IOR(0xB7, 0x02, unsigned char[176]),	/* GET_STATS */
		_IO(0xB7, 0x03),			/* RESET_STATS */
		_IOW(0xB7, 0x04, unsigned char[32]),	/* RESIZE */
		/* our type, other numbers */
		_IO(VMMAP_IOC_MAGIC, 0x00),
		_IOWR(VMMAP_IOC_MAGIC, 0x04, struct vmmap_dirty),
		_IO(VMMAP_IOC_MAGIC, 0xff),
		/* our numbers, another direction */
		_IOWR(VMMAP_IOC_MAGIC, 0x01, struct vmmap_info),
		_IOW(VMMAP_IOC_MAGIC, 0x01, struct vmmap_info),
		_IO(VMMAP_IOC_MAGIC, 0x01),
		_IOR(VMMAP_IOC_MAGIC, 0x02, struct vmmap_resize),
		_IOWR(VMMAP_IOC_MAGIC, 0x02, struct vmmap_resize),
		_IO(VMMAP_IOC_MAGIC, 0x02),
		_IOR(VMMAP_IOC_MAGIC, 0x03, struct vmmap_dirty),
		_IOW(VMMAP_IOC_MAGIC, 0x03, struct vmmap_dirty),
		/* another type */
		_IOR(VMMAP_IOC_MAGIC + 1, 0x01, struct vmmap_info),
		TCGETS,
	};
	unsigned char buf[256];
	struct snapshot s;
	int fd = setup();
	unsigned int i;

	snap(fd, &s);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(buf, 0, sizeof(buf));
		errno = 0;
		if (ioctl(fd, cmds[i], buf) != -1 || errno != ENOTTY) {
			LOG("ioctl %#lx: %s, expected ENOTTY", cmds[i],
			    errno ? strerror(errno) : "succeeded");
			vt_fail_mark();
		}
	}
	EXPECT_UNCHANGED(fd, &s);
}
