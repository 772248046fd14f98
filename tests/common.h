/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmmap tests: opening and sizing the object, mapping,
 * data patterns, signal probes, /proc parsing, two-process synchronisation.
 *
 * The object is shared by every test of a boot: a test sizes it first
 * (vt_resize / vt_fresh) and never assumes what an earlier test left in it.
 *
 * Development aid: with VMMAP_TEST_FAKE=<file on a tmpfs> the tests use that
 * file instead of /dev/vmmap (its size is set with ftruncate). Everything a
 * tmpfs file does like the device is then exercised on any kernel; tests of
 * the driver's own behaviour (ioctls, counters, sysfs, ENOSPC, alignment)
 * skip. Never set it to judge the driver.
 */
#ifndef VMMAP_TESTS_COMMON_H
#define VMMAP_TESTS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "harness.h"
#include "libvmmap.h"
#include "sys-compat.h"


#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MiB			(1024UL * 1024)
#define VT_DEFAULT_SIZE		(64 * MiB)	/* the module's default size */

/* Page size, and the size one page-table entry above a PTE maps (2 MiB on
 * 4K pages, 32 MiB on 16K pages): page * (page / 8).
 */
size_t vt_page(void);
size_t vt_pmd(void);

const char *vt_path(void);
bool vt_have_driver(void);		/* false with VMMAP_TEST_FAKE */
void vt_require_driver(void);		/* SKIP without the real device */

/* Opens the object; SKIPs when the device is absent. */
int vt_open(int flags);
/* Resizes (own O_RDWR fd); vt_fresh() resizes to 0 first: all zero, nothing
 * resident, nothing dirty.
 */
void vt_resize(uint64_t size);
void vt_fresh(uint64_t size);
uint64_t vt_size(int fd);		/* lseek(fd, 0, SEEK_END) */
/* The most pages an object of @size bytes may hold: its pages, plus the
 * tail of the one huge page a shrink keeps whole when it cannot split it.
 */
uint64_t vt_resident_max(uint64_t size);

void vt_info(int fd, struct vmmap_info *info);		/* SKIP when fake */
/* The root-only counters of stats/ (libvmmap): instrumentation, not ABI. */
void vt_stats(int fd, struct vmmap_counters *st);		/* SKIP when fake */
void vt_stats_log(const char *what, const struct vmmap_counters *a,
		  const struct vmmap_counters *b);

void *vt_map(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void vt_unmap(void *p, size_t len);
/* An address range of len bytes that is free right now. */
void *vt_free_area(size_t len);

/* Deterministic content: the byte expected at object offset off. */
unsigned char vt_pat(uint64_t off, unsigned int seed);
void vt_pat_fill(void *buf, size_t len, uint64_t off, unsigned int seed);
bool vt_pat_ok(const void *buf, size_t len, uint64_t off, unsigned int seed);
bool vt_zero_ok(const void *buf, size_t len);
void vt_pwrite_pat(int fd, uint64_t off, size_t len, unsigned int seed);
bool vt_pread_pat_ok(int fd, uint64_t off, size_t len, unsigned int seed);

static inline unsigned char vt_peek(const void *p)
{
	return *(const volatile unsigned char *)p;
}

static inline void vt_poke(void *p, unsigned char v)
{
	*(volatile unsigned char *)p = v;
}

/* Accesses that may fault, made by this very process (so a stale PTE shows
 * up, which a forked ASSERT_SIGNAL copy would not inherit for a shared
 * mapping): return the signal caught, 0 if none.
 */
int vt_try_read(const void *p);
int vt_try_write(void *p, unsigned char v);

long vt_minflt(void);
long vt_status_kb(const char *field);		/* /proc/self/status */
long vt_meminfo_kb(const char *field);		/* /proc/meminfo */

struct vt_vma {
	unsigned long start, end;
	char perms[8];
	unsigned long long offset;
	unsigned int major, minor;
	unsigned long inode;
	char path[256];
};

bool vt_find_vma(const void *addr, struct vt_vma *v);
int vt_count_obj_vmas(void);		/* this process's VMAs of the object */
long vt_smaps_kb(const void *addr, const char *field);
bool vt_smaps_flag(const void *addr, const char *flag);

/* fork() with stdout flushed; the child must end with vt_child_exit(). */
pid_t vt_fork(void);
/* Waits for a child forked by the test; it must exit with status 0. */
void vt_wait_ok(pid_t pid);

/* Lock-step between a test and one child: post() on one side, wait() on the
 * other.
 */
struct vt_sync {
	int to_child[2];
	int to_parent[2];
};
void vt_sync_init(struct vt_sync *s);
/* vt_fork() that also closes the pipe ends this side does not use, so a
 * peer that dies makes vt_sync_wait() fail instead of hang.
 */
pid_t vt_fork_sync(struct vt_sync *s);
void vt_sync_post(struct vt_sync *s, bool from_child);
void vt_sync_wait(struct vt_sync *s, bool in_child);

#endif
