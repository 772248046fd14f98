/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmmap tests that need no test context: page sizes,
 * data patterns, in-process signal probes, /proc parsing. Those that fail or
 * skip a test (opening, sizing, mapping, forking) are in vmmap_test.h.
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

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "libvmmap.h"
#include "sys-compat.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#define MiB			(1024UL * 1024)
#define VT_DEFAULT_SIZE		(64 * MiB)	/* the module's default size */

/* Page size, and the size one page-table entry above a PTE maps (2 MiB on
 * 4K pages, 32 MiB on 16K pages): page * (page / 8).
 */
size_t vt_page(void);
size_t vt_pmd(void);

const char *vt_path(void);
bool vt_have_driver(void);		/* false with VMMAP_TEST_FAKE */
const char *vt_fake_path(void);		/* VMMAP_TEST_FAKE or NULL */

/* The most pages an object of @size bytes may hold: its pages, plus the
 * tail of the one huge page a shrink keeps whole when it cannot split it.
 */
uint64_t vt_resident_max(uint64_t size);

/* A line of what the counters of stats/ moved between a and b. */
void vt_stats_log(const char *what, const struct vmmap_counters *a,
		  const struct vmmap_counters *b);

/* Deterministic content: the byte expected at object offset off. */
unsigned char vt_pat(uint64_t off, unsigned int seed);
void vt_pat_fill(void *buf, size_t len, uint64_t off, unsigned int seed);
bool vt_pat_ok(const void *buf, size_t len, uint64_t off, unsigned int seed);
bool vt_zero_ok(const void *buf, size_t len);

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

/*
 * In-process catching for small helpers: the statement runs here and the
 * caller goes on after the faulting instruction (siglongjmp). Use it only
 * in a function with no other live locals (vt_try_read()); a test catches
 * with ASSERT_SIGNAL (vmmap_test.h) instead. vt_sig_code and vt_sig_addr
 * hold the si_code and si_addr of the last signal caught either way.
 */
extern sigjmp_buf vt_sig_jmp;
extern volatile sig_atomic_t vt_sig_caught;
extern volatile int vt_sig_code;
extern void *volatile vt_sig_addr;
void vt_sig_arm(void);
void vt_sig_disarm(void);

#define VT_CATCH_HERE(stmt) __extension__ ({				\
	vt_sig_caught = 0;						\
	if (sigsetjmp(vt_sig_jmp, 1) == 0) {				\
		vt_sig_arm();						\
		stmt;							\
	}								\
	vt_sig_disarm();						\
	(int)vt_sig_caught;						\
})

/* A "# " diagnostic line (KTAP), for code without a test context. */
void vt_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long vt_minflt(void);
/* Minor and major faults: the kernel counts a retried fault as major, and
 * 5.10 retries every first write to a shared page after ->page_mkwrite.
 */
long vt_faults(void);
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
long vt_smaps_kb(const void *addr, const char *field);	/* -1: none */
/* 1 or 0: whether VmFlags of the VMA at addr has flag; -1: no VmFlags. */
int vt_smaps_has_flag(const void *addr, const char *flag);

#endif
