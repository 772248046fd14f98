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

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

/* Row "/proc/pid/maps": s/p from VM_MAYSHARE, dev and inode of the node. */
TEST_F(vmmap, proc_maps_entry)
{
	size_t ps = vt_page();
	int fd = vt_open(_metadata, O_RDWR), ro;
	char *sh, *pr, *rs;
	struct vt_vma v;
	struct stat st;

	vt_fresh(_metadata, 8 * ps);
	ASSERT_OK(stat(vt_path(), &st));
	sh = vt_map(_metadata, NULL, 2 * ps, RW, MAP_SHARED, fd, 3 * ps);
	pr = vt_map(_metadata, NULL, ps, PROT_READ, MAP_PRIVATE, fd, 0);
	ro = vt_open(_metadata, O_RDONLY);
	rs = vt_map(_metadata, NULL, ps, PROT_READ, MAP_SHARED, ro, 5 * ps);

	ASSERT_TRUE(vt_find_vma(sh, &v));
	TH_LOG("shared: %lx-%lx %s %llx %x:%x %lu %s", v.start, v.end, v.perms,
	    v.offset, v.major, v.minor, v.inode, v.path);
	EXPECT_EQ((unsigned long)sh, v.start);
	EXPECT_EQ((unsigned long)sh + 2 * ps, v.end);
	EXPECT_EQ(0, strcmp(v.perms, "rw-s"));
	EXPECT_EQ(3 * ps, v.offset);
	EXPECT_EQ(0, strcmp(v.path, vt_path()));
	EXPECT_EQ(major(st.st_dev), v.major);
	EXPECT_EQ(minor(st.st_dev), v.minor);
	EXPECT_EQ(st.st_ino, v.inode);

	ASSERT_TRUE(vt_find_vma(pr, &v));
	EXPECT_EQ(0, strcmp(v.perms, "r--p"));
	EXPECT_EQ(0, v.offset);
	EXPECT_EQ(0, strcmp(v.path, vt_path()));

	/* shared read-only through an O_RDONLY fd: still 's' (VM_MAYSHARE) */
	ASSERT_TRUE(vt_find_vma(rs, &v));
	EXPECT_EQ(0, strcmp(v.perms, "r--s"));
	EXPECT_EQ(5 * ps, v.offset);

	EXPECT_TRUE(vt_smaps_flag(_metadata, sh, "sh"));
	EXPECT_FALSE(vt_smaps_flag(_metadata, pr, "sh"));
	/* page-backed, not a PFN/IO map */
	EXPECT_FALSE(vt_smaps_flag(_metadata, sh, "pf"));
	EXPECT_FALSE(vt_smaps_flag(_metadata, sh, "io"));
	EXPECT_EQ(3, vt_count_obj_vmas());
	vt_unmap(_metadata, sh, 2 * ps);
	vt_unmap(_metadata, pr, ps);
	vt_unmap(_metadata, rs, ps);
	EXPECT_EQ(0, vt_count_obj_vmas());
}

/* Row "smaps": Rss counts the touched pages of a page-backed mapping. */
TEST_F(vmmap, smaps_rss)
{
	size_t ps = vt_page(), n = 16;
	int fd = self->fd;
	char *p, *pr;

	vt_fresh(_metadata, 2 * n * ps);
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	EXPECT_EQ(0, vt_smaps_kb(p, "Rss"));
	vt_poke(p + 0 * ps, 1);
	vt_poke(p + 3 * ps, 1);
	(void)vt_peek(p + 7 * ps);
	(void)vt_peek(p + 8 * ps);
	vt_poke(p + 15 * ps, 1);
	EXPECT_EQ((long)(5 * ps / 1024), vt_smaps_kb(p, "Rss"));
	EXPECT_EQ(0, vt_smaps_kb(p, "Anonymous"));

	/*
	 * private, over pages nothing touched yet (so fault-around has no
	 * resident neighbours to map): a read maps the object's page, a
	 * write maps an anonymous copy
	 */
	pr = vt_map(_metadata, NULL, n * ps, RW, MAP_PRIVATE, fd, n * ps);
	(void)vt_peek(pr + 3 * ps);
	vt_poke(pr + 4 * ps, 2);
	EXPECT_EQ((long)(2 * ps / 1024), vt_smaps_kb(pr, "Rss"));
	EXPECT_EQ((long)(ps / 1024), vt_smaps_kb(pr, "Anonymous"));
	vt_unmap(_metadata, p, n * ps);
	vt_unmap(_metadata, pr, n * ps);
}

/*
 * Row "/proc/meminfo Mapped, RssFile in /proc/self/status": both rise by the
 * pages mapped. RSS counters are batched (per task on 6.1, per CPU later)
 * and Mapped is global, so the check is "rose by at least half".
 */
TEST_F(vmmap, rssfile_and_mapped_rise)
{
	size_t ps = vt_page(), n = 256, i;
	long rss0, rss1, map0, map1, want_kb = (long)(n * ps / 1024);
	int fd = self->fd;
	char *p;

	vt_require_driver(_metadata); /* tmpfs pages count as RssShmem */
	vt_fresh(_metadata, n * ps);
	rss0 = vt_status_kb("RssFile");
	map0 = vt_meminfo_kb("Mapped");
	if (rss0 < 0)
		SKIP(return, "no RssFile in /proc/self/status");
	p = vt_map(_metadata, NULL, n * ps, RW, MAP_SHARED, fd, 0);
	for (i = 0; i < n; i++)
		vt_poke(p + i * ps, (unsigned char)i);
	rss1 = vt_status_kb("RssFile");
	map1 = vt_meminfo_kb("Mapped");
	TH_LOG("%zu pages (%ld kB) touched: RssFile %ld -> %ld kB, Mapped %ld -> %ld kB",
	       n, want_kb, rss0, rss1, map0, map1);
	EXPECT_GE(rss1 - rss0, want_kb / 2);
	EXPECT_LE(rss1 - rss0, want_kb * 2);
	EXPECT_GE(map1 - map0, want_kb / 2);
	vt_unmap(_metadata, p, n * ps);
	TH_LOG("after munmap: RssFile %ld kB, Mapped %ld kB",
	    vt_status_kb("RssFile"), vt_meminfo_kb("Mapped"));
}

/* The node: a char device, mode 0600, matching the sysfs dev attribute;
 * open O_WRONLY is allowed (only mmap refuses it).
 */
TEST_F(vmmap, dev_node)
{
	unsigned int maj, min;
	struct stat st;
	FILE *f;
	int fd;

	vt_require_driver(_metadata);
	fd = vt_open(_metadata, O_RDWR);
	ASSERT_OK(stat(VMMAP_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	f = fopen(VMMAP_SYSFS "/dev", "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_EQ(2, fscanf(f, "%u:%u", &maj, &min));
	fclose(f);
	EXPECT_EQ(maj, major(st.st_rdev));
	EXPECT_EQ(min, minor(st.st_rdev));
	close(fd);
	fd = vt_open(_metadata, O_WRONLY);
	close(fd);
	fd = vt_open(_metadata, O_RDONLY);
	close(fd);
}

TEST_HARNESS_MAIN
