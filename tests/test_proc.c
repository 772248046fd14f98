// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc and /dev show of the object: the maps line (path, s/p, offset,
 * device and inode of the node), smaps Rss of touched pages, RssFile and
 * Mapped rising for page-backed mappings, and the node's mode.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"

#define RW (PROT_READ | PROT_WRITE)

/* Row "/proc/pid/maps": s/p from VM_MAYSHARE, dev and inode of the node. */
TEST(proc_maps_entry)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR), ro;
	char *sh, *pr, *rs;
	struct vt_vma v;
	struct stat st;

	vt_fresh(8 * ps);
	ASSERT_OK(stat(vt_path(), &st));
	sh = vt_map(NULL, 2 * ps, RW, MAP_SHARED, fd, 3 * ps);
	pr = vt_map(NULL, ps, PROT_READ, MAP_PRIVATE, fd, 0);
	ro = vt_open(O_RDONLY);
	rs = vt_map(NULL, ps, PROT_READ, MAP_SHARED, ro, 5 * ps);

	ASSERT_TRUE(vt_find_vma(sh, &v));
	LOG("shared: %lx-%lx %s %llx %x:%x %lu %s", v.start, v.end, v.perms,
	    v.offset, v.major, v.minor, v.inode, v.path);
	EXPECT_EQ(v.start, (unsigned long)sh);
	EXPECT_EQ(v.end, (unsigned long)sh + 2 * ps);
	EXPECT_EQ(strcmp(v.perms, "rw-s"), 0);
	EXPECT_EQ(v.offset, 3 * ps);
	EXPECT_EQ(strcmp(v.path, vt_path()), 0);
	EXPECT_EQ(v.major, major(st.st_dev));
	EXPECT_EQ(v.minor, minor(st.st_dev));
	EXPECT_EQ(v.inode, st.st_ino);

	ASSERT_TRUE(vt_find_vma(pr, &v));
	EXPECT_EQ(strcmp(v.perms, "r--p"), 0);
	EXPECT_EQ(v.offset, 0);
	EXPECT_EQ(strcmp(v.path, vt_path()), 0);

	/* shared read-only through an O_RDONLY fd: still 's' (VM_MAYSHARE) */
	ASSERT_TRUE(vt_find_vma(rs, &v));
	EXPECT_EQ(strcmp(v.perms, "r--s"), 0);
	EXPECT_EQ(v.offset, 5 * ps);

	EXPECT_TRUE(vt_smaps_flag(sh, "sh"));
	EXPECT_FALSE(vt_smaps_flag(pr, "sh"));
	/* page-backed, not a PFN/IO map */
	EXPECT_FALSE(vt_smaps_flag(sh, "pf"));
	EXPECT_FALSE(vt_smaps_flag(sh, "io"));
	EXPECT_EQ(vt_count_obj_vmas(), 3);
	vt_unmap(sh, 2 * ps);
	vt_unmap(pr, ps);
	vt_unmap(rs, ps);
	EXPECT_EQ(vt_count_obj_vmas(), 0);
}

/* Row "smaps": Rss counts the touched pages of a page-backed mapping. */
TEST(smaps_rss)
{
	size_t ps = vt_page(), n = 16;
	int fd = vt_open(O_RDWR);
	char *p, *pr;

	vt_fresh(2 * n * ps);
	p = vt_map(NULL, n * ps, RW, MAP_SHARED, fd, 0);
	EXPECT_EQ(vt_smaps_kb(p, "Rss"), 0);
	vt_poke(p + 0 * ps, 1);
	vt_poke(p + 3 * ps, 1);
	(void)vt_peek(p + 7 * ps);
	(void)vt_peek(p + 8 * ps);
	vt_poke(p + 15 * ps, 1);
	EXPECT_EQ(vt_smaps_kb(p, "Rss"), (long)(5 * ps / 1024));
	EXPECT_EQ(vt_smaps_kb(p, "Anonymous"), 0);

	/*
	 * private, over pages nothing touched yet (so fault-around has no
	 * resident neighbours to map): a read maps the object's page, a
	 * write maps an anonymous copy
	 */
	pr = vt_map(NULL, n * ps, RW, MAP_PRIVATE, fd, n * ps);
	(void)vt_peek(pr + 3 * ps);
	vt_poke(pr + 4 * ps, 2);
	EXPECT_EQ(vt_smaps_kb(pr, "Rss"), (long)(2 * ps / 1024));
	EXPECT_EQ(vt_smaps_kb(pr, "Anonymous"), (long)(ps / 1024));
	vt_unmap(p, n * ps);
	vt_unmap(pr, n * ps);
}

/*
 * Row "/proc/meminfo Mapped, RssFile in /proc/self/status": both rise by the
 * pages mapped. RSS counters are batched (per task on 6.1, per CPU later)
 * and Mapped is global, so the check is "rose by at least half".
 */
TEST(rssfile_and_mapped_rise)
{
	size_t ps = vt_page(), n = 256, i;
	long rss0, rss1, map0, map1, want_kb = (long)(n * ps / 1024);
	int fd = vt_open(O_RDWR);
	char *p;

	vt_require_driver();		/* tmpfs pages count as RssShmem */
	vt_fresh(n * ps);
	rss0 = vt_status_kb("RssFile");
	map0 = vt_meminfo_kb("Mapped");
	if (rss0 < 0)
		SKIP("no RssFile in /proc/self/status");
	p = vt_map(NULL, n * ps, RW, MAP_SHARED, fd, 0);
	for (i = 0; i < n; i++)
		vt_poke(p + i * ps, (unsigned char)i);
	rss1 = vt_status_kb("RssFile");
	map1 = vt_meminfo_kb("Mapped");
	LOG("%zu pages (%ld kB) touched: RssFile %ld -> %ld kB, Mapped %ld -> %ld kB",
	    n, want_kb, rss0, rss1, map0, map1);
	EXPECT_GE(rss1 - rss0, want_kb / 2);
	EXPECT_LE(rss1 - rss0, want_kb * 2);
	EXPECT_GE(map1 - map0, want_kb / 2);
	vt_unmap(p, n * ps);
	LOG("after munmap: RssFile %ld kB, Mapped %ld kB",
	    vt_status_kb("RssFile"), vt_meminfo_kb("Mapped"));
}

/* The node: a char device, mode 0600, matching the sysfs dev attribute;
 * open O_WRONLY is allowed (only mmap refuses it).
 */
TEST(dev_node)
{
	unsigned int maj, min;
	struct stat st;
	FILE *f;
	int fd;

	vt_require_driver();
	fd = vt_open(O_RDWR);
	ASSERT_OK(stat(VMMAP_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0600);
	EXPECT_EQ(st.st_uid, 0);
	f = fopen(VMMAP_SYSFS "/dev", "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_EQ(fscanf(f, "%u:%u", &maj, &min), 2);
	fclose(f);
	EXPECT_EQ(major(st.st_rdev), maj);
	EXPECT_EQ(minor(st.st_rdev), min);
	close(fd);
	fd = vt_open(O_WRONLY);
	close(fd);
	fd = vt_open(O_RDONLY);
	close(fd);
}
