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

#include "vmmap_test.h"

/* A command of ours with another struct size. */
#define CMD_SIZED(cmd, size) \
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

/* The layout itself is pinned at build time by abi_layout.c. */
TEST_F(vmmap, abi_layout)
{
	struct vmmap_info info;
	int fd = self->fd;

	/* abi_layout.c's static assertions did the work at build time; the
	 * running driver must speak this header's version
	 */
	vt_info(_metadata, fd, &info);
	EXPECT_EQ(VMMAP_ABI_VERSION, info.abi_version);
	TH_LOG("GET_INFO %#lx RESIZE %#lx DIRTY %#lx",
	    (unsigned long)VMMAP_IOC_GET_INFO, (unsigned long)VMMAP_IOC_RESIZE,
	    (unsigned long)VMMAP_IOC_DIRTY);
}

/* What the object looks like, to prove a failed call changed nothing. */
struct snapshot {
	struct vmmap_info info;
	struct vmmap_counters stats;
};

static void snap(struct __test_metadata *_metadata, int fd, struct snapshot *s)
{
	vt_info(_metadata, fd, &s->info);
	vt_stats(_metadata, &s->stats);
}

static void expect_unchanged(struct __test_metadata *_metadata, int fd,
			     const struct snapshot *a, int line)
{
	struct snapshot b;

	snap(_metadata, fd, &b);
	if (b.info.object_size != a->info.object_size ||
	    b.info.resident_pages != a->info.resident_pages ||
	    b.info.dirty_pages != a->info.dirty_pages ||
	    b.stats.resize != a->stats.resize ||
	    b.stats.pages_cleaned != a->stats.pages_cleaned ||
	    b.stats.pages_allocated != a->stats.pages_allocated ||
	    b.stats.pages_freed != a->stats.pages_freed) {
		TH_LOG("line %d: the object changed: size %llu -> %llu, resident %llu -> %llu, dirty %llu -> %llu, resize %llu -> %llu, cleaned %llu -> %llu",
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
		_metadata->exit_code = KSFT_FAIL;
	}
	if (!vt_pread_pat_ok(_metadata, fd, 0, 4 * vt_page(), 90)) {
		TH_LOG("line %d: the object's content changed", line);
		_metadata->exit_code = KSFT_FAIL;
	}
}

#define EXPECT_UNCHANGED(fd, snapshot) \
	expect_unchanged(_metadata, fd, snapshot, __LINE__)

/* 8 pages, the first 4 written (and so dirty) with pattern 90. */
static int setup(struct __test_metadata *_metadata)
{
	int fd = vt_open(_metadata, O_RDWR);

	vt_require_driver(_metadata);
	vt_fresh(_metadata, 8 * vt_page());
	vt_pwrite_pat(_metadata, fd, 0, 4 * vt_page(), 90);
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

TEST_F(vmmap, ioctl_get_info)
{
	size_t ps = vt_page();
	struct vmmap_info info;
	int fd = setup(_metadata);

	memset(&info, 0xa5, sizeof(info));
	ASSERT_OK(ioctl(fd, VMMAP_IOC_GET_INFO, &info));
	TH_LOG("abi %u size %llu max %llu page %u resident %llu dirty %llu live %llu flags %#llx max_folio %llu",
	       info.abi_version, (unsigned long long)info.object_size,
	       (unsigned long long)info.max_size, info.page_size,
	       (unsigned long long)info.resident_pages,
	       (unsigned long long)info.dirty_pages,
	       (unsigned long long)info.live_vmas,
	       (unsigned long long)info.flags,
	       (unsigned long long)info.max_folio_size);
	EXPECT_EQ(VMMAP_ABI_VERSION, info.abi_version);
	EXPECT_EQ(ps, info.page_size);
	EXPECT_EQ(8 * ps, info.object_size);
	EXPECT_EQ(vt_size(_metadata, fd), info.object_size);
	EXPECT_GE(info.max_size, info.object_size);
	EXPECT_EQ(0, info.max_size % ps);
	EXPECT_EQ(0, info.flags & ~VMMAP_INFO_HUGE);
	EXPECT_EQ(huge_param(), !!(info.flags & VMMAP_INFO_HUGE));
	EXPECT_EQ(4, info.resident_pages);
	EXPECT_EQ(4, info.dirty_pages);
	/* one page, or a PMD where huge pages are possible at all */
	EXPECT_TRUE(info.max_folio_size == ps ||
		    info.max_folio_size == vt_pmd());
	if (info.flags & VMMAP_INFO_HUGE)
		EXPECT_EQ(vt_pmd(), info.max_folio_size);
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		EXPECT_EQ(ps, info.max_folio_size);
}

/*
 * GET_INFO (_IOR) with the struct size of an older and a newer caller:
 * exactly VER0 works; a larger one gets the known part and zeroes after
 * it, over whatever was there; a smaller one is EINVAL and nothing is
 * written.
 */
TEST_F(vmmap, ioctl_get_info_sizes)
{
	const size_t v0 = VMMAP_INFO_SIZE_VER0;
	const size_t bigs[] = { v0 + 8, v0 + 64, 4096, _IOC_SIZEMASK };
	const size_t smalls[] = { 0, 8, v0 - 8, v0 - 1 };
	unsigned char *buf, *ref;
	struct vmmap_info ours;
	unsigned int i;
	int fd = setup(_metadata);

	buf = malloc(_IOC_SIZEMASK + 16);
	ref = malloc(_IOC_SIZEMASK + 16);
	ASSERT_TRUE(buf && ref);
	vt_info(_metadata, fd, &ours);

	/* an older caller: exactly VER0, built by hand */
	memset(buf, 0xa5, v0 + 16);
	ASSERT_OK(ioctl(fd, _IOC(_IOC_READ, VMMAP_IOC_MAGIC, 0x01, v0), buf));
	EXPECT_EQ(0, memcmp(buf, &ours, v0));
	EXPECT_EQ(0xa5, buf[v0]);		/* not one byte more */

	for (i = 0; i < ARRAY_SIZE(bigs); i++) {
		memset(buf, 0xa5, bigs[i] + 16);
		ASSERT_OK(
			ioctl(fd, CMD_SIZED(VMMAP_IOC_GET_INFO, bigs[i]), buf));
		EXPECT_EQ(0, memcmp(buf, &ours, v0));
		EXPECT_TRUE(vt_zero_ok(buf + v0, bigs[i] - v0));
		EXPECT_EQ(0xa5, buf[bigs[i]]);
	}
	for (i = 0; i < ARRAY_SIZE(smalls); i++) {
		memset(buf, 0x5a, v0 + 16);
		memcpy(ref, buf, v0 + 16);
		ASSERT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_GET_INFO, smalls[i]),
				   buf), EINVAL);
		EXPECT_EQ(0, memcmp(buf, ref, v0 + 16));
	}
	free(buf);
	free(ref);
}

TEST_F(vmmap, ioctl_resize_valid)
{
	size_t ps = vt_page();
	struct vmmap_counters s0, s1;
	struct vmmap_info info;
	uint64_t sizes[5];
	int fd = setup(_metadata);
	unsigned int i;

	vt_info(_metadata, fd, &info);
	sizes[0] = ps;
	sizes[1] = 3 * ps;
	sizes[2] = 3 * ps;		/* the same size again */
	sizes[3] = 0;
	sizes[4] = info.max_size / ps * ps;
	vt_stats(_metadata, &s0);
	for (i = 0; i < 5; i++) {
		ASSERT_OK(vmmap_resize(fd, sizes[i]));
		vt_info(_metadata, fd, &info);
		EXPECT_EQ(sizes[i], info.object_size);
		EXPECT_EQ(sizes[i], vt_size(_metadata, fd));
		EXPECT_EQ(sizes[i], (uint64_t)vmmap_sysfs_read("size"));
	}
	vt_stats(_metadata, &s1);
	EXPECT_EQ(5, s1.resize - s0.resize);
	ASSERT_OK(vmmap_resize(fd, VT_DEFAULT_SIZE));
	/* the first page kept its data through 3 pages, then 0 zeroed it */
	{
		unsigned char c = 1;

		ASSERT_EQ(1, pread(fd, &c, 1, 0));
		EXPECT_EQ(0, c);
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
TEST_F(vmmap, ioctl_resize_sizes)
{
	const size_t v0 = VMMAP_RESIZE_SIZE_VER0;
	size_t ps = vt_page();
	struct snapshot s;
	int fd = setup(_metadata);

	/* an older caller, by hand */
	ASSERT_OK(ioctl(fd, _IOC(_IOC_WRITE, VMMAP_IOC_MAGIC, 0x02, v0),
			&(struct vmmap_resize){ .new_size = 9 * ps }));
	EXPECT_EQ(9 * ps, vt_size(_metadata, fd));
	/* a newer one, zero tail */
	ASSERT_OK(resize_sized(fd, v0 + 8, 10 * ps, 0, 0));
	EXPECT_EQ(10 * ps, vt_size(_metadata, fd));
	ASSERT_OK(resize_sized(fd, 256, 8 * ps, 0, 0));
	EXPECT_EQ(8 * ps, vt_size(_metadata, fd));

	snap(_metadata, fd, &s);
	/* a newer one with something it means in the tail: E2BIG */
	EXPECT_ERRNO(resize_sized(fd, v0 + 8, 12 * ps, 0, 1), E2BIG);
	EXPECT_ERRNO(resize_sized(fd, 256, 12 * ps, 0, 0x80), E2BIG);
	/* too small */
	EXPECT_ERRNO(resize_sized(fd, v0 - 8, 12 * ps, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_sized(fd, 0, 12 * ps, 0, 0), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
}

TEST_F(vmmap, ioctl_resize_bad_input)
{
	const size_t v0 = VMMAP_RESIZE_SIZE_VER0;
	size_t ps = vt_page();
	struct vmmap_info info;
	struct snapshot s;
	uint64_t big;
	int fd = setup(_metadata), ro;

	vt_info(_metadata, fd, &info);
	big = (info.max_size + ps) / ps * ps; /* first aligned size > max */
	snap(_metadata, fd, &s);

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
	ro = vt_open(_metadata, O_RDONLY);
	EXPECT_ERRNO(resize_sized(ro, v0, ps, 0, 0), EBADF);
	close(ro);
	EXPECT_UNCHANGED(fd, &s);
}

/* Pointers the driver cannot read from (or write back to): EFAULT. */
TEST_F(vmmap, ioctl_bad_pointer)
{
	size_t ps = vt_page();
	unsigned long cmds[] = { VMMAP_IOC_GET_INFO, VMMAP_IOC_RESIZE,
				 VMMAP_IOC_DIRTY };
	unsigned char *area, *ro;
	struct vmmap_dirty *d;
	struct snapshot s;
	int fd = setup(_metadata);
	unsigned int i;

	area = vt_map(_metadata, NULL, 2 * ps, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vt_unmap(_metadata, area + ps, ps); /* second page: unmapped */
	snap(_metadata, fd, &s);

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_ERRNO(ioctl(fd, cmds[i], NULL), EFAULT);
		EXPECT_ERRNO(ioctl(fd, cmds[i], area + ps), EFAULT);
		EXPECT_ERRNO(ioctl(fd, cmds[i], (void *)(uintptr_t)-4096),
			     EFAULT);
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
	ro = vt_map(_metadata, NULL, ps, PROT_READ | PROT_WRITE,
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
	vt_unmap(_metadata, area, ps);
	vt_unmap(_metadata, ro, ps);
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
TEST_F(vmmap, ioctl_dirty_bad_input)
{
	uint64_t flags[] = { 0, VMMAP_DIRTY_CLEAR };
	size_t ps = vt_page();
	struct vmmap_range r[4];
	struct vmmap_dirty d;
	struct snapshot s;
	int fd = setup(_metadata), ro;
	unsigned int i;

	snap(_metadata, fd, &s);
	ASSERT_EQ(4, s.info.dirty_pages);
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
		d.length = ps; /* ends at exactly 2^64 */
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
		d.ranges = 0xffff800000000000ULL; /* kernel half on 64-bit */
		EXPECT_ERRNO(dirty_call(fd, d), EFAULT);
		EXPECT_UNCHANGED(fd, &s);
	}
	/* CLEAR through a read-only file; reporting through it is fine */
	ro = vt_open(_metadata, O_RDONLY);
	EXPECT_ERRNO(dirty_call(ro, dirty_req(r, 4, VMMAP_DIRTY_CLEAR)), EBADF);
	d = dirty_req(r, 4, 0);
	ASSERT_OK(ioctl(ro, VMMAP_IOC_DIRTY, &d));
	EXPECT_EQ(1, d.nr_ranges);
	close(ro);
	EXPECT_UNCHANGED(fd, &s);
}

/* A ranges array whose second slot is not writable: EFAULT, nothing cleaned. */
TEST_F(vmmap, ioctl_dirty_ranges_unwritable)
{
	size_t ps = vt_page();
	struct vmmap_range *r;
	struct vmmap_dirty d;
	struct snapshot s;
	unsigned char *area;
	int fd = setup(_metadata);

	/* pages 0-3 dirty: make it two ranges, 0-1 and 3 */
	ASSERT_OK(fsync(fd));
	vt_pwrite_pat(_metadata, fd, 0, 2 * ps, 90);
	vt_pwrite_pat(_metadata, fd, 3 * ps, ps, 90);
	snap(_metadata, fd, &s);
	ASSERT_EQ(3, s.info.dirty_pages);

	area = vt_map(_metadata, NULL, 2 * ps, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_OK(mprotect(area + ps, ps, PROT_READ));
	r = (struct vmmap_range *)(area + ps) - 1;	/* slot 1 read-only */
	d = dirty_req(r, 4, VMMAP_DIRTY_CLEAR);
	EXPECT_ERRNO(ioctl(fd, VMMAP_IOC_DIRTY, &d), EFAULT);
	EXPECT_UNCHANGED(fd, &s);
	/* one slot is enough for the first range: that works */
	d = dirty_req(r, 1, VMMAP_DIRTY_CLEAR);
	ASSERT_OK(ioctl(fd, VMMAP_IOC_DIRTY, &d));
	EXPECT_EQ(1, d.nr_ranges);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(2 * ps, r[0].end);
	EXPECT_EQ(3 * ps, d.walk_end);
	vt_unmap(_metadata, area, 2 * ps);
}

/*
 * DIRTY (_IOWR) with the struct sizes of an older and a newer caller: the
 * newer one's zero tail is accepted on input and zero-filled on output, a
 * non-zero one is E2BIG; smaller than VER0 is EINVAL.
 */
TEST_F(vmmap, ioctl_dirty_sizes)
{
	const size_t v0 = VMMAP_DIRTY_SIZE_VER0;
	size_t ps = vt_page();
	unsigned char buf[512];
	struct vmmap_range r[4];
	struct vmmap_dirty d;
	struct snapshot s;
	int fd = setup(_metadata);

	/* an older caller, by hand: reports pages 0-3, no clearing */
	d = dirty_req(r, 4, 0);
	ASSERT_OK(ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, VMMAP_IOC_MAGIC, 0x03,
				 v0), &d));
	EXPECT_EQ(1, d.nr_ranges);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(4 * ps, r[0].end);
	EXPECT_EQ(8 * ps, d.walk_end);
	EXPECT_EQ(0, d.flags); /* the input comes back as it was */

	/* a newer caller: zero tail in, zero tail out */
	memset(buf, 0, sizeof(buf));
	d = dirty_req(r, 4, 0);
	memcpy(buf, &d, sizeof(d));
	ASSERT_OK(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, sizeof(buf)), buf));
	memcpy(&d, buf, sizeof(d));
	EXPECT_EQ(1, d.nr_ranges);
	EXPECT_EQ(8 * ps, d.walk_end);
	EXPECT_TRUE(vt_zero_ok(buf + v0, sizeof(buf) - v0));

	snap(_metadata, fd, &s);
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
	EXPECT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, v0 - 8), buf),
		     EINVAL);
	EXPECT_ERRNO(ioctl(fd, CMD_SIZED(VMMAP_IOC_DIRTY, 0), buf), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
}

/*
 * Unknown commands, including near misses of real ones and every number of
 * ABI version 1 (type 0xB7, which belongs to nsfs and remoteproc): ENOTTY.
 */
TEST_F(vmmap, ioctl_unknown_cmd)
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
	int fd = setup(_metadata);
	unsigned int i;

	snap(_metadata, fd, &s);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(buf, 0, sizeof(buf));
		errno = 0;
		if (ioctl(fd, cmds[i], buf) != -1 || errno != ENOTTY) {
			TH_LOG("ioctl %#lx: %s, expected ENOTTY", cmds[i],
			    errno ? strerror(errno) : "succeeded");
			_metadata->exit_code = KSFT_FAIL;
		}
	}
	EXPECT_UNCHANGED(fd, &s);
}

TEST_HARNESS_MAIN
