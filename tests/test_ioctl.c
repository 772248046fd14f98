// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of uapi/vmmap.h: what each call returns, and that every bad
 * input (size field, flags, reserved, unaligned or too large size, bad
 * pointer, unknown command) fails with its errno and changes nothing.
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"

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
	EXPECT_EQ(info.size, sizeof(info));
	LOG("GET_INFO %#lx GET_STATS %#lx RESET_STATS %#lx RESIZE %#lx",
	    (unsigned long)VMMAP_IOC_GET_INFO,
	    (unsigned long)VMMAP_IOC_GET_STATS,
	    (unsigned long)VMMAP_IOC_RESET_STATS,
	    (unsigned long)VMMAP_IOC_RESIZE);
}

/* What the object looks like, to prove a failed call changed nothing. */
struct snapshot {
	struct vmmap_info info;
	struct vmmap_stats stats;
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
	    b.stats.resize != a->stats.resize ||
	    b.stats.pages_allocated != a->stats.pages_allocated ||
	    b.stats.pages_freed != a->stats.pages_freed) {
		LOG("line %d: the object changed: size %llu -> %llu, resident %llu -> %llu, resize %llu -> %llu",
		    line, (unsigned long long)a->info.object_size,
		    (unsigned long long)b.info.object_size,
		    (unsigned long long)a->info.resident_pages,
		    (unsigned long long)b.info.resident_pages,
		    (unsigned long long)a->stats.resize,
		    (unsigned long long)b.stats.resize);
		vt_fail_mark();
	}
	if (!vt_pread_pat_ok(fd, 0, 4 * vt_page(), 90)) {
		LOG("line %d: the object's content changed", line);
		vt_fail_mark();
	}
}

#define EXPECT_UNCHANGED(fd, snapshot) expect_unchanged(fd, snapshot, __LINE__)

static int setup(void)
{
	int fd = vt_open(O_RDWR);

	vt_require_driver();
	vt_fresh(8 * vt_page());
	vt_pwrite_pat(fd, 0, 4 * vt_page(), 90);
	return fd;
}

TEST(ioctl_get_info)
{
	size_t ps = vt_page();
	struct vmmap_info info;
	int fd = setup();

	memset(&info, 0xa5, sizeof(info));
	info.size = sizeof(info);
	ASSERT_OK(ioctl(fd, VMMAP_IOC_GET_INFO, &info));
	LOG("abi %u size %llu max %llu page %u resident %llu dirty %llu live %llu",
	    info.abi_version, (unsigned long long)info.object_size,
	    (unsigned long long)info.max_size, info.page_size,
	    (unsigned long long)info.resident_pages,
	    (unsigned long long)info.dirty_pages,
	    (unsigned long long)info.live_vmas);
	EXPECT_EQ(info.size, sizeof(info));
	EXPECT_EQ(info.abi_version, VMMAP_ABI_VERSION);
	EXPECT_EQ(info.page_size, ps);
	EXPECT_EQ(info.object_size, 8 * ps);
	EXPECT_EQ(info.object_size, vt_size(fd));
	EXPECT_GE(info.max_size, info.object_size);
	EXPECT_EQ(info.max_size % ps, 0);
	EXPECT_EQ(info.flags, 0);
	EXPECT_TRUE(vt_zero_ok(info.reserved, sizeof(info.reserved)));
	EXPECT_EQ(info.resident_pages, 4);
	EXPECT_LE(info.dirty_pages, info.resident_pages);
}

TEST(ioctl_get_stats)
{
	struct vmmap_stats st;
	int fd = setup();

	memset(&st, 0xa5, sizeof(st));
	st.size = sizeof(st);
	ASSERT_OK(ioctl(fd, VMMAP_IOC_GET_STATS, &st));
	EXPECT_EQ(st.size, sizeof(st));
	EXPECT_EQ(st.flags, 0);
	EXPECT_TRUE(vt_zero_ok(st.reserved, sizeof(st.reserved)));
	EXPECT_GE(st.resize, 2);		/* setup's own two, at least */
	EXPECT_GE(st.pages_allocated, 4);	/* setup's pwrite */
}

/* A wrong @size fails with EINVAL and writes nothing back. */
TEST(ioctl_bad_size_field)
{
	uint32_t sizes[] = { 0, 4, 8, sizeof(struct vmmap_info) - 8,
			     sizeof(struct vmmap_info) + 8,
			     sizeof(struct vmmap_stats), 0xffffffffu };
	uint32_t ssizes[] = { 0, 8, sizeof(struct vmmap_stats) - 8,
			      sizeof(struct vmmap_stats) + 8,
			      sizeof(struct vmmap_info), 0x80000000u };
	struct vmmap_info info, ref_info;
	struct vmmap_stats st, ref_st;
	struct snapshot s;
	int fd = setup();
	unsigned int i;

	snap(fd, &s);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&info, 0x5a, sizeof(info));
		info.size = sizes[i];
		ref_info = info;
		ASSERT_ERRNO(ioctl(fd, VMMAP_IOC_GET_INFO, &info), EINVAL);
		EXPECT_EQ(memcmp(&info, &ref_info, sizeof(info)), 0);
	}
	for (i = 0; i < ARRAY_SIZE(ssizes); i++) {
		memset(&st, 0x5a, sizeof(st));
		st.size = ssizes[i];
		ref_st = st;
		ASSERT_ERRNO(ioctl(fd, VMMAP_IOC_GET_STATS, &st), EINVAL);
		EXPECT_EQ(memcmp(&st, &ref_st, sizeof(st)), 0);
	}
	EXPECT_UNCHANGED(fd, &s);
}

static uint64_t stat_value(const struct vmmap_stats *st, unsigned int i)
{
	const uint64_t v[] = {
		st->mmap, st->get_unmapped_area, st->vma_open, st->vma_close,
		st->fault, st->map_pages, st->page_mkwrite, st->sigbus,
		st->fsync, st->pages_cleaned, st->resize, st->pages_allocated,
		st->pages_freed,
	};

	return v[i];
}

TEST(ioctl_reset_stats)
{
	size_t ps = vt_page();
	static const char *const names[] = {
		"mmap", "get_unmapped_area", "vma_open", "vma_close", "fault",
		"map_pages", "page_mkwrite", "sigbus", "fsync",
		"pages_cleaned", "resize", "pages_allocated", "pages_freed",
	};
	struct vmmap_stats st;
	int fd = setup();
	char path[64], *p;
	unsigned int i;

	p = vt_map(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	(void)vt_peek(p + ps);
	vt_unmap(p, 2 * ps);
	ASSERT_OK(fsync(fd));

	ASSERT_OK(ioctl(fd, VMMAP_IOC_RESET_STATS));
	vt_stats(fd, &st);
	EXPECT_EQ(st.mmap, 0);
	EXPECT_EQ(st.get_unmapped_area, 0);
	EXPECT_EQ(st.vma_open, 0);
	EXPECT_EQ(st.vma_close, 0);
	EXPECT_EQ(st.fault, 0);
	EXPECT_EQ(st.map_pages, 0);
	EXPECT_EQ(st.page_mkwrite, 0);
	EXPECT_EQ(st.sigbus, 0);
	EXPECT_EQ(st.fsync, 0);
	EXPECT_EQ(st.pages_cleaned, 0);
	EXPECT_EQ(st.resize, 0);
	/*
	 * uapi/vmmap.h: pages_allocated and pages_freed count since load and
	 * survive a reset, so that their difference is always the number of
	 * resident pages.
	 */
	{
		struct vmmap_info in;

		ASSERT_OK(vmmap_get_info(fd, &in));
		EXPECT_GT(st.pages_allocated, 0);
		EXPECT_EQ(st.pages_allocated - st.pages_freed, in.resident_pages);
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "stats/%s", names[i]);
		EXPECT_EQ(vmmap_sysfs_read(path), (int64_t)stat_value(&st, i));
	}
	/* the object itself is untouched by a reset */
	ASSERT_TRUE(vt_pread_pat_ok(fd, ps, 3 * ps, 90));
	EXPECT_EQ(vt_size(fd), 8 * ps);

	/* counting starts again from zero: one mmap, no access, munmap */
	p = vt_map(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	vt_unmap(p, ps);
	vt_stats(fd, &st);
	EXPECT_EQ(st.mmap, 1);
	EXPECT_EQ(st.get_unmapped_area, 1);
	EXPECT_EQ(st.vma_open, 0);
	EXPECT_EQ(st.vma_close, 1);
	EXPECT_EQ(st.fault, 0);
}

TEST(ioctl_resize_valid)
{
	size_t ps = vt_page();
	struct vmmap_stats s0, s1;
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

static int resize_raw(int fd, uint32_t size, uint32_t flags, uint64_t new_size,
		      uint64_t r0, uint64_t r1)
{
	struct vmmap_resize r;

	memset(&r, 0, sizeof(r));
	r.size = size;
	r.flags = flags;
	r.new_size = new_size;
	r.reserved[0] = r0;
	r.reserved[1] = r1;
	return ioctl(fd, VMMAP_IOC_RESIZE, &r);
}

TEST(ioctl_resize_bad_input)
{
	const uint32_t rs = sizeof(struct vmmap_resize);
	size_t ps = vt_page();
	struct vmmap_info info;
	struct snapshot s;
	uint64_t big;
	int fd = setup();

	vt_info(fd, &info);
	big = (info.max_size + ps) / ps * ps;	/* first aligned size > max */
	snap(fd, &s);

	/* unaligned */
	EXPECT_ERRNO(resize_raw(fd, rs, 0, 1, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, ps - 1, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, ps + 1, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, 2 * ps + ps / 2, 0, 0), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
	/* too big */
	EXPECT_ERRNO(resize_raw(fd, rs, 0, big, 0, 0), EFBIG);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, big + 64 * ps, 0, 0), EFBIG);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, UINT64_MAX / ps * ps, 0, 0), EFBIG);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, (uint64_t)1 << 63, 0, 0), EFBIG);
	EXPECT_UNCHANGED(fd, &s);
	/* flags and reserved must be zero */
	EXPECT_ERRNO(resize_raw(fd, rs, 1, ps, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs, 0x80000000u, ps, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, ps, 1, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs, 0, ps, 0, (uint64_t)1 << 63), EINVAL);
	EXPECT_UNCHANGED(fd, &s);
	/* the size field */
	EXPECT_ERRNO(resize_raw(fd, 0, 0, ps, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs - 8, 0, ps, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, rs + 8, 0, ps, 0, 0), EINVAL);
	EXPECT_ERRNO(resize_raw(fd, sizeof(struct vmmap_info), 0, ps, 0, 0),
		     EINVAL);
	EXPECT_UNCHANGED(fd, &s);
}

/* Pointers the driver cannot read from (or write back to): EFAULT. */
TEST(ioctl_bad_pointer)
{
	size_t ps = vt_page();
	unsigned long cmds[] = { VMMAP_IOC_GET_INFO, VMMAP_IOC_GET_STATS,
				 VMMAP_IOC_RESIZE };
	uint32_t sizes[] = { sizeof(struct vmmap_info),
			     sizeof(struct vmmap_stats),
			     sizeof(struct vmmap_resize) };
	struct vmmap_resize *rz;
	unsigned char *area, *ro;
	struct snapshot s;
	int fd = setup();
	unsigned int i;

	area = vt_map(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vt_unmap(area + ps, ps);			/* second page: unmapped */
	snap(fd, &s);

	for (i = 0; i < 3; i++) {
		EXPECT_ERRNO(ioctl(fd, cmds[i], NULL), EFAULT);
		EXPECT_ERRNO(ioctl(fd, cmds[i], area + ps), EFAULT);
		EXPECT_ERRNO(ioctl(fd, cmds[i], (void *)(uintptr_t)-4096), EFAULT);
		/* the size field readable, the rest of the struct not */
		memset(area, 0, ps);
		memcpy(area + ps - 4, &sizes[i], 4);
		EXPECT_ERRNO(ioctl(fd, cmds[i], area + ps - 4), EFAULT);
		/* a wrong size field is EINVAL before the rest is read */
		memcpy(area + ps - 4, &(uint32_t){ 4 }, 4);
		EXPECT_ERRNO(ioctl(fd, cmds[i], area + ps - 4), EINVAL);
	}
	/* a resize whose new_size lies on the unmapped page */
	rz = (struct vmmap_resize *)(area + ps - 8);
	rz->size = sizeof(*rz);
	rz->flags = 0;
	EXPECT_ERRNO(ioctl(fd, VMMAP_IOC_RESIZE, rz), EFAULT);
	EXPECT_UNCHANGED(fd, &s);

	/* GET_INFO / GET_STATS into a read-only buffer: nowhere to write */
	ro = vt_map(NULL, ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(ro, &sizes[0], 4);
	memcpy(ro + 2048, &sizes[1], 4);
	ASSERT_OK(mprotect(ro, ps, PROT_READ));
	EXPECT_ERRNO(ioctl(fd, VMMAP_IOC_GET_INFO, ro), EFAULT);
	EXPECT_ERRNO(ioctl(fd, VMMAP_IOC_GET_STATS, ro + 2048), EFAULT);
	EXPECT_UNCHANGED(fd, &s);
	vt_unmap(area, ps);
	vt_unmap(ro, ps);
}

/* Unknown commands, including near misses of real ones: ENOTTY. */
TEST(ioctl_unknown_cmd)
{
	unsigned long cmds[] = {
		_IO(VMMAP_IOC_MAGIC, 0x00),
		_IO(VMMAP_IOC_MAGIC, 0x05),
		_IO(VMMAP_IOC_MAGIC, 0xff),
		_IOWR(VMMAP_IOC_MAGIC, 0x01, struct vmmap_info),   /* wrong dir */
		_IOR(VMMAP_IOC_MAGIC, 0x01, __u64),		    /* wrong size */
		_IOW(VMMAP_IOC_MAGIC, 0x02, struct vmmap_stats),
		_IOR(VMMAP_IOC_MAGIC, 0x04, struct vmmap_resize),
		_IOW(VMMAP_IOC_MAGIC, 0x04, struct vmmap_info),
		_IO(VMMAP_IOC_MAGIC, 0x04),
		_IOR(VMMAP_IOC_MAGIC + 1, 0x01, struct vmmap_info), /* magic */
		TCGETS,
	};
	struct vmmap_info info;
	struct snapshot s;
	int fd = setup();
	unsigned int i;

	snap(fd, &s);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		errno = 0;
		if (ioctl(fd, cmds[i], &info) != -1 || errno != ENOTTY) {
			LOG("ioctl %#lx: %s, expected ENOTTY", cmds[i],
			    errno ? strerror(errno) : "succeeded");
			vt_fail_mark();
		}
	}
	EXPECT_UNCHANGED(fd, &s);
}
