// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-fuzz: a seeded, reproducible fuzzer of the /dev/vmmap surface.
 *
 *   vmmap-fuzz [-n CALLS] [-s SEED] [-b BATCH] [-v FROM] [-R]
 *
 * One thread, one PRNG (splitmix64), address space randomisation switched
 * off (the program re-executes itself with ADDR_NO_RANDOMIZE unless -R): the
 * same seed makes the same calls with the same arguments at the same
 * addresses, so a failure at call I reproduces with
 *   vmmap-fuzz -s SEED -n I+1 -v I-20
 * which also prints every call from I-20 on.
 *
 * The calls: ioctl (the four commands, near misses with other size/dir/nr
 * bits, random numbers; argument buffers good, short at the end of a
 * mapping, read-only, PROT_NONE, NULL, kernel, unaligned, inside a mapping of
 * the object itself, with wrong size fields, nonzero flags/reserved, sizes
 * near and over max_size and LLONG_MAX), mmap (every flag combination
 * including MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_POPULATE, MAP_LOCKED,
 * MAP_SHARED_VALIDATE with unknown bits, MAP_SYNC; offsets near and past the
 * end, huge lengths, every fd mode), munmap, mprotect, mremap, madvise,
 * msync, read/write/pread/pwrite/readv/writev/preadv2/pwritev2, lseek,
 * fsync, open/close with odd flags, loads and stores through whatever is
 * mapped, and resizes between them. And, with the module parameter huge=Y,
 * one call in 200 (fewer with PMDs above 2 MiB) is the interleaving of issue
 * 14 (op_huge): an emptied object of one huge page and a page, mapped shared
 * (so the first fault allocates the huge page), random data on some pages,
 * one page of it vmsplice'd into a pipe and left there, and a shrink to a
 * size inside the huge page that is not PMD-aligned; the data below the new
 * end must stay (read(2), the mapping, resident_pages), the new end and past
 * the huge page SIGBUS, the pipe keeps its page.
 *
 * Every call must succeed or fail with an errno from the set allowed for
 * that call and those arguments (allowed_*() below say why each errno is
 * there). Where the arguments decide the outcome the result is exact: a
 * call with a malformed argument must fail, a well-formed one must succeed,
 * read/write return exactly the bytes the object and the buffer allow, lseek
 * exactly the offset. Memory accesses are checked against a model of the
 * object (its size and a shadow of its bytes): data below the size, SIGBUS at
 * or past it (inside a mapping), SIGSEGV outside mappings or against their
 * protection. A huge page a shrink kept whole (a reference made the split
 * fail: resident_pages then exceeds size/page) is modelled too: up to its
 * end resident_pages may count it, and kernels before 6.18 may map its
 * zeroed tail past the size instead of raising SIGBUS (kept_end); nothing
 * else is loosened. The layout of the address space is not modelled: it is
 * read back from /proc/self/maps after each call that may change it, and
 * private copy-on-write pages are recognised through /proc/self/pagemap.
 *
 * Every BATCH calls the object must be consistent: GET_INFO agrees with
 * lseek(SEEK_END) and the model, resident_pages <= size/page (or the end of
 * a kept huge page), dirty <= resident, live_vmas equals the VMAs of the
 * device in /proc/self/maps (only this process maps it), pages_allocated - pages_freed == resident_pages,
 * read(2) and a fresh mapping return the shadow, the first byte past the end
 * raises SIGBUS; every tenth batch also fsync (dirty_pages must drop to 0)
 * and a resize to 0 (resident_pages must drop to 0).
 *
 * Output: "fuzz: N calls, seed S, F failures"; each failure prints the call
 * index, the call with its arguments, what was expected and a reproducer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "vmmap.h"
#include "libvmmap.h"
#include "splitmix.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef RWF_HIPRI
#define RWF_HIPRI 0x01
#define RWF_DSYNC 0x02
#define RWF_SYNC 0x04
#define RWF_NOWAIT 0x08
#endif
#define RWF_NOAPPEND_ 0x20	/* 6.9 */
#define RWF_ATOMIC_ 0x40	/* 6.11 */
#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef EHWPOISON
#define EHWPOISON 133
#endif

#define DEV "/dev/vmmap"
#define CAP (8UL << 20)		/* the object stays at most this big */
#define ARENA (32UL << 20)	/* where mappings are made and unmade */
#define GUARD_PAGES 16
#define SCRATCH (256UL << 10)	/* RW buffer, then a PROT_NONE page */
#define DEVBUF_PAGES 64		/* our own mapping of object offset 0.. */
#define NFDS 4
#define MAX_VMAS 8192
#define MAX_FAIL_MSGS 25
#define MEMLOCK (64UL << 20)	/* RLIMIT_MEMLOCK, without CAP_IPC_LOCK */
/* A copy that hits a fault may report up to this many bytes fewer than it
 * actually moved (architectures' copy_*_user fixups are not byte exact). */
#define SLACK 256

/* ------------------------------------------------------------------ */
/* State                                                                */

static uint64_t seed = 1, ncalls = 100000, batch = 1000;
static int64_t verbose_from = -1;
static uint64_t call_idx, failures, checks_done;
static uint64_t counts[32];
static bool is_x86 =
#if defined(__x86_64__) || defined(__i386__)
	true;
#else
	false;
#endif

static size_t ps, pmd;
static uint64_t max_size, orig_size;
static uint64_t S;			/* the object's size, as modelled */
/* The end of the huge page the last shrink kept whole (resident_pages went
 * past S/page: something held it, the split failed), rounded up to the PMD
 * size; S if none. Past S below it, a kernel that maps large folios across
 * i_size (before 6.18) may map the zeroed tail instead of raising SIGBUS;
 * kept_written: a store landed there since. */
static uint64_t kept_end;
static bool kept_written, huge_on, may_map_eof;
static uint64_t huge_got, huge_kept;	/* op_huge: huge pages, kept whole */
static uint8_t shadow[CAP];		/* its bytes below CAP; zero above S */
static uint64_t rng_state;

static char *arena, *scratch, *scratch_guard, *ro_page, *none_page;
static char *devbuf;
static struct iovec *iov_area;		/* where iovec arrays are built */
static int fd_dev;			/* ours: never fuzzed */
static int pagemap_fd = -1;

struct fzfd {
	int fd;			/* -1: closed */
	int acc;		/* O_RDONLY, O_WRONLY, O_RDWR, 3 */
	bool path;		/* O_PATH */
	int64_t pos;
};
static struct fzfd fds[NFDS];

struct vma {
	uintptr_t start, end;
	int prot;		/* PROT_* from the r/w/x columns */
	bool shared;		/* 's' */
	bool dev;		/* maps /dev/vmmap */
	uint64_t off;
};
static struct vma vmas[MAX_VMAS];	/* every VMA of the process */
static int nvmas, dev_vmas;
static uint64_t live_base;		/* live_vmas of others (should be 0) */

static char desc[512];			/* the current call, for messages */
static char mapsbuf[1 << 20];

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static uint64_t rnd(void)
{
	return splitmix_next(&rng_state);
}

static uint64_t rndn(uint64_t n)
{
	return splitmix_below(&rng_state, n);
}

static bool chance(unsigned int pct)
{
	return rndn(100) < pct;
}

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "E?";
}

/* Unbuffered stdout: what was printed survives a crash of the guest. */
static void out(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(1, fmt, ap);
	va_end(ap);
	if (n < 0)
		_exit(3);
}

static void fail(const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	failures++;
	if (failures > MAX_FAIL_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("fuzz: FAIL seed %" PRIu64 " call %" PRIu64 ": %s\n"
	    "fuzz:   call: %s\n"
	    "fuzz:   reproduce: vmmap-fuzz -s %" PRIu64 " -n %" PRIu64 " -v %" PRIu64 "\n",
	    seed, call_idx, buf, desc, seed, call_idx + 1,
	    call_idx > 20 ? call_idx - 20 : 0);
}

static void die(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("fuzz: setup error: %s\n", buf);
	exit(2);
}

static bool verbose(void)
{
	return verbose_from >= 0 && call_idx >= (uint64_t)verbose_from;
}

static void D(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
}

/* An address as "arena+0x..." when it is in the arena. */
static const char *A(const void *p)
{
	static char bufs[4][48];
	static int i;
	char *b = bufs[i++ & 3];
	uintptr_t a = (uintptr_t)p;

	if (a >= (uintptr_t)arena && a < (uintptr_t)arena + ARENA)
		snprintf(b, 48, "arena+%#lx", (unsigned long)(a - (uintptr_t)arena));
	else if (a >= (uintptr_t)devbuf && a < (uintptr_t)devbuf + DEVBUF_PAGES * ps)
		snprintf(b, 48, "devbuf+%#lx", (unsigned long)(a - (uintptr_t)devbuf));
	else if (a >= (uintptr_t)scratch && a < (uintptr_t)scratch + SCRATCH + ps)
		snprintf(b, 48, "scratch+%#lx", (unsigned long)(a - (uintptr_t)scratch));
	else
		snprintf(b, 48, "%#lx", (unsigned long)a);
	return b;
}

/* ------------------------------------------------------------------ */
/* Allowed errno sets                                                   */

struct eset {
	uint64_t w[3];
	bool must_fail;		/* success is wrong */
};

static void es_add(struct eset *s, int e)
{
	if (e > 0 && e < 192)
		s->w[e / 64] |= 1ULL << (e % 64);
}

/* A condition that makes the call fail with @e. */
static void es_must(struct eset *s, int e)
{
	es_add(s, e);
	s->must_fail = true;
}

static bool es_has(const struct eset *s, int e)
{
	return e > 0 && e < 192 && (s->w[e / 64] >> (e % 64) & 1);
}

static const char *es_str(const struct eset *s)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = 0;
	if (!s->must_fail)
		n += snprintf(buf + n, sizeof(buf) - n, "success");
	for (int e = 1; e < 192 && n < sizeof(buf) - 16; e++)
		if (es_has(s, e))
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      n ? " " : "", ename(e));
	return buf;
}

/* Returns true for success; reports a failure if the outcome is not allowed. */
static bool check_outcome(long ret, int err, const struct eset *s)
{
	if (verbose())
		out("fuzz: %6" PRIu64 " %s = %ld%s%s\n", call_idx, desc, ret,
		    ret < 0 ? " " : "", ret < 0 ? ename(err) : "");
	if (ret >= 0) {
		if (s->must_fail)
			fail("succeeded (returned %ld); allowed: %s", ret, es_str(s));
		return true;
	}
	if (!es_has(s, err))
		fail("failed with %s; allowed: %s", ename(err), es_str(s));
	return false;
}

/* ------------------------------------------------------------------ */
/* Faulting accesses                                                    */

static sigjmp_buf *volatile probe_jb;
static volatile int probe_sig;
static void *volatile probe_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (probe_jb) {
		probe_sig = sig;
		probe_addr = si->si_addr;
		siglongjmp(*probe_jb, 1);
	}
	out("fuzz: FAIL seed %" PRIu64 " call %" PRIu64
	    ": signal %d at %p outside a probe\nfuzz:   call: %s\n"
	    "fuzz:   reproduce: vmmap-fuzz -s %" PRIu64 " -n %" PRIu64 " -v %" PRIu64 "\n",
	    seed, call_idx, sig, si->si_addr, desc, seed, call_idx + 1,
	    call_idx > 20 ? call_idx - 20 : 0);
	_exit(1);
}

static int probe(void *p, bool wr, uint8_t *val)
{
	volatile uint8_t *q = p;
	sigjmp_buf jb;

	if (sigsetjmp(jb, 0)) {
		probe_jb = NULL;
		return probe_sig;
	}
	probe_jb = &jb;
	__asm__ __volatile__("" ::: "memory");
	if (wr)
		*q = *val;
	else
		*val = *q;
	__asm__ __volatile__("" ::: "memory");
	probe_jb = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* /proc/self/maps and pagemap                                          */

static size_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

static void refresh_maps(void)
{
	char *p = mapsbuf, *nl;

	read_file("/proc/self/maps", mapsbuf, sizeof(mapsbuf));
	nvmas = 0;
	dev_vmas = 0;
	for (; *p; p = nl + 1) {
		unsigned long s, e;
		unsigned long long off;
		char perms[8], path[256] = "";
		struct vma *v;

		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (sscanf(p, "%lx-%lx %7s %llx %*s %*s %255s", &s, &e, perms,
			   &off, path) < 4)
			continue;
		if (nvmas == MAX_VMAS)
			die("more than %d VMAs", MAX_VMAS);
		v = &vmas[nvmas++];
		v->start = s;
		v->end = e;
		v->prot = (perms[0] == 'r' ? PROT_READ : 0) |
			  (perms[1] == 'w' ? PROT_WRITE : 0) |
			  (perms[2] == 'x' ? PROT_EXEC : 0);
		v->shared = perms[3] == 's';
		v->dev = !strcmp(path, DEV);
		v->off = off;
		dev_vmas += v->dev;
	}
}

static struct vma *find_vma(uintptr_t a)
{
	for (int i = 0; i < nvmas; i++)
		if (a >= vmas[i].start && a < vmas[i].end)
			return &vmas[i];
	return NULL;
}

/* Is [a, a + len) free of mappings? */
static bool range_free(uintptr_t a, uint64_t len)
{
	for (int i = 0; i < nvmas; i++)
		if (vmas[i].start < a + len && a < vmas[i].end)
			return false;
	return true;
}

/* Is every page of [a, a + len) mapped? */
static bool range_mapped(uintptr_t a, uint64_t len)
{
	uintptr_t x = a;

	while (x < a + len) {
		struct vma *v = find_vma(x);

		if (!v)
			return false;
		x = v->end;
	}
	return true;
}

/* A private page that has its own copy (anonymous, present). */
static bool page_cowed(uintptr_t a)
{
	uint64_t e;

	if (pread(pagemap_fd, &e, 8, (off_t)(a / ps * 8)) != 8)
		die("pagemap: %s", strerror(errno));
	return (e >> 63 & 1) && !(e >> 61 & 1);
}

/* ------------------------------------------------------------------ */
/* The object model                                                     */

static uint64_t resident_now(void)
{
	struct vmmap_info in = { 0 };

	if (syscall(SYS_ioctl, fd_dev, (unsigned long)VMMAP_IOC_GET_INFO, &in))
		die("GET_INFO: %s", strerror(errno));
	return in.resident_pages;
}

static void model_resize(uint64_t n)
{
	if (n < S && n < CAP)
		memset(shadow + n, 0, (S < CAP ? S : CAP) - n);
	S = n;
	kept_end = n;
	kept_written = false;
	if (huge_on && resident_now() > n / ps)
		kept_end = (n + pmd - 1) / pmd * pmd;
}

/* Data (@v) at @off past the size is allowed only inside a kept huge page
 * on a kernel that may map its zeroed tail (see kept_end). */
static bool past_end_ok(uint64_t off, uint8_t v)
{
	return may_map_eof && off >= S && off < kept_end && (!v || kept_written);
}

/* Trust the kernel for [off, off + len): after an imprecise partial copy. */
static void resync(uint64_t off, uint64_t len)
{
	if (off >= S || off >= CAP)
		return;
	if (len > S - off)
		len = S - off;
	if (pread(fd_dev, shadow + off, len, (off_t)off) != (ssize_t)len)
		die("resync pread: %s", strerror(errno));
}

static int ioc(int fd, unsigned int cmd, void *arg)
{
	return syscall(SYS_ioctl, fd, (unsigned long)cmd, arg);
}

static int dev_resize(uint64_t n)
{
	struct vmmap_resize r = { .new_size = n };

	return ioc(fd_dev, VMMAP_IOC_RESIZE, &r);
}

/* ------------------------------------------------------------------ */
/* Argument menus                                                       */

static uint64_t pick_size(void)
{
	switch (rndn(18)) {
	case 0: return 0;
	case 1: return ps;
	case 2: case 3: return ps * (1 + rndn(64));
	case 4: case 5: case 6: return ps * rndn(CAP / ps + 1);
	case 7: return CAP;
	case 8: return ps * rndn(CAP / ps) + 1 + rndn(ps - 1);
	case 9: return max_size;
	case 10: return max_size - ps;
	case 11: return max_size + ps;
	case 12: return max_size + 1 + rndn(ps - 1);
	case 13: return (uint64_t)LLONG_MAX - rndn(2) * (ps - 1);
	case 14: return (uint64_t)LLONG_MAX + 1;
	case 15: return UINT64_MAX - rndn(2) * (ps - 1);
	case 16: return 1ULL << rndn(64);
	default: return rnd();
	}
}

/* An object offset: inside, near the end, past it, huge, negative. */
static uint64_t pick_off(void)
{
	switch (rndn(12)) {
	case 0: return 0;
	case 1: case 2: return S ? rndn(S) : 0;
	case 3: return S;
	case 4: return S ? S - 1 - rndn(S < 64 ? S : 64) : 0;
	case 5: return S + rndn(2 * ps);
	case 6: return rndn(2 * CAP);
	case 7: return (uint64_t)LLONG_MAX - rndn(ps);
	case 8: return (uint64_t)-1 - rndn(ps);	/* negative */
	case 9: return 1ULL << (40 + rndn(24));
	default: return rndn(S + ps);
	}
}

static uint64_t pick_len(void)
{
	switch (rndn(12)) {
	case 0: return 0;
	case 1: return 1 + rndn(16);
	case 2: case 3: return 1 + rndn(2 * ps);
	case 4: case 5: return 1 + rndn(SCRATCH);
	case 6: return SCRATCH + rndn(2 * ps);
	case 7: return 1 + rndn(CAP);
	case 8: return (uint64_t)INT_MAX + rndn(2);
	case 9: return (uint64_t)SSIZE_MAX - rndn(2);
	case 10: return (uint64_t)-1 - rndn(2);
	default: return 1ULL << rndn(48);
	}
}

/*
 * A user buffer of @len bytes and what the kernel can do with it: @racc
 * bytes readable and @wacc writable from the start (a fault stops a copy
 * there), @bad when the range is not user memory at all (access_ok() fails,
 * nothing is touched), @dev/@devoff when it is our mapping of the object.
 */
struct ubuf {
	char *p;
	uint64_t racc, wacc;
	bool bad, dev;
	uint64_t devoff;
	const char *kind;
	uint64_t racc0, wacc0;	/* racc, wacc before access_ok() was judged */
};

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/*
 * TASK_SIZE. x86-64 with 4-level page tables (qemu's default CPU has no
 * LA57): 2^47 less a guard page. arm64 depends on the
 * kernel's VA_BITS (47, 48, or 52 with LPA2 on 16K and 64K kernels), so
 * probe it once: the highest of those boundaries whose last pages can be
 * mapped or are mapped already.
 */
static uint64_t task_top;

static void probe_task_size(void)
{
	static const int bits[] = { 52, 48, 47, 39 };

	task_top = 1ULL << 48;
	if (is_x86) {
		task_top = (1ULL << 47) - ps;
		return;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		void *want = (void *)(uintptr_t)((1ULL << bits[i]) - 2 * ps);
		void *p = mmap(want, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_FIXED_NOREPLACE, -1, 0);

		/* taken already (the stack lives up there): valid too */
		if (p == want || (p == MAP_FAILED && errno == EEXIST)) {
			if (p == want)
				munmap(p, ps);
			task_top = 1ULL << bits[i];
			break;
		}
		if (p != MAP_FAILED)
			munmap(p, ps);
	}
	out("fuzz: task size %#" PRIx64 "\n", task_top);
}

static uint64_t task_size(void)
{
	return task_top;
}

/* access_ok(): the range lies below TASK_SIZE. */
static bool user_range_ok(uintptr_t p, uint64_t len)
{
	uint64_t top = task_size();

	return p <= top && len <= top - p;
}

static struct ubuf pick_buf(uint64_t len)
{
	struct ubuf b = { 0 };
	uint64_t o;

	switch (rndn(14)) {
	case 0: case 1: case 2: case 3: case 4:
		/* in the scratch area, any alignment; the guard page after it */
		o = rndn(SCRATCH);
		if (chance(50) && len < SCRATCH)
			o = rndn(SCRATCH - len + 1);
		b.p = scratch + o;
		b.racc = b.wacc = SCRATCH - o;
		b.kind = "scratch";
		break;
	case 5:
		/* short: only the last few bytes before the guard page */
		o = rndn(len < 64 ? len + 1 : 64);
		b.p = scratch + SCRATCH - o;
		b.racc = b.wacc = o;
		b.kind = "short";
		break;
	case 6:
		b.p = ro_page + rndn(ps);
		b.racc = ro_page + ps - b.p;
		b.wacc = 0;
		b.kind = "read-only";
		break;
	case 7:
		b.p = none_page + rndn(ps);
		b.kind = "PROT_NONE";
		break;
	case 8:
		b.p = (char *)(uintptr_t)rndn(ps);
		b.kind = "NULL page";
		break;
	case 9:
		b.p = (char *)(uintptr_t)(chance(50) ? 0xffff800000001000ULL :
					  (1ULL << 47) + rndn(ps));
		b.kind = "kernel";
		break;
	default:
		/* our mapping of the object: accessible below its size */
		o = rndn(DEVBUF_PAGES * ps);
		b.p = devbuf + o;
		b.dev = true;
		b.devoff = o;
		b.racc = b.wacc = S > o ? min64(S, DEVBUF_PAGES * ps) - o : 0;
		b.kind = "object mapping";
		break;
	}
	b.racc0 = b.racc;
	b.wacc0 = b.wacc;
	b.bad = !user_range_ok((uintptr_t)b.p, len);
	if (b.bad)
		b.racc = b.wacc = 0;
	return b;
}

/* Put @len bytes into a buffer as far as it can be written from here. */
static void fill_buf(struct ubuf *b, const void *src, uint64_t len)
{
	uint64_t n;

	if (b->bad)
		return;
	if (b->p >= ro_page && b->p < ro_page + ps) {
		n = min64(len, b->racc);
		mprotect(ro_page, ps, PROT_READ | PROT_WRITE);
		memcpy(b->p, src, n);
		mprotect(ro_page, ps, PROT_READ);
		return;
	}
	n = min64(len, b->wacc);
	memcpy(b->p, src, n);
	if (b->dev && b->devoff < CAP)
		memcpy(shadow + b->devoff, src, min64(n, CAP - b->devoff));
}

/* ------------------------------------------------------------------ */
/* File descriptors                                                     */

static const char *fd_name(int i)
{
	static char buf[4][40];
	static int k;
	char *b = buf[k++ & 3];
	static const char *const acc[] = { "ro", "wo", "rw", "acc3" };

	if (i < 0)
		snprintf(b, 40, "bad fd");
	else if (fds[i].fd < 0)
		snprintf(b, 40, "closed fd");
	else
		snprintf(b, 40, "fd%d[%s%s]", fds[i].fd, fds[i].path ? "path," : "",
			 acc[fds[i].acc]);
	return b;
}

/* A fuzz fd index, or -1 for a descriptor that is not open. */
static int pick_fd(void)
{
	if (chance(6))
		return -1;
	return rndn(NFDS);
}

static int fdnum(int i)
{
	if (i < 0)
		return chance(50) ? -1 : 987;
	return fds[i].fd < 0 ? 988 : fds[i].fd;
}

static bool fd_ok(int i)
{
	return i >= 0 && fds[i].fd >= 0 && !fds[i].path;
}

static bool fd_can_read(int i)
{
	return fd_ok(i) && (fds[i].acc == O_RDONLY || fds[i].acc == O_RDWR);
}

static bool fd_can_write(int i)
{
	return fd_ok(i) && (fds[i].acc == O_WRONLY || fds[i].acc == O_RDWR);
}

/* ------------------------------------------------------------------ */
/* ioctl                                                                */

static const unsigned int good_cmds[] = {
	VMMAP_IOC_GET_INFO, VMMAP_IOC_RESIZE, VMMAP_IOC_DIRTY,
};

/* A command without its struct size, which any size >= VER0 may have. */
#define IOC_BASE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/*
 * Command numbers the VFS answers itself before the driver sees them
 * (do_vfs_ioctl: FIOCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIFREEZE/FITHAW,
 * FS_IOC_FIEMAP, FIGETBSZ, FICLONE*, FIDEDUPERANGE, FS_IOC_GETFLAGS,
 * FS_IOC_GETFSUUID...). Their outcome is the VFS's, and FIFREEZE would
 * freeze /dev: random numbers avoid these types altogether.
 */
static bool vfs_ioctl_type(unsigned int cmd)
{
	unsigned int type = _IOC_TYPE(cmd);

	return type == 0x00 || type == 'T' || type == 'X' || type == 'f' ||
	       type == 0x94 || type == 0x15 || type == 'v';
}

static bool is_good_cmd(unsigned int cmd)
{
	for (size_t i = 0; i < sizeof(good_cmds) / sizeof(good_cmds[0]); i++)
		if (IOC_BASE(cmd) == IOC_BASE(good_cmds[i]))
			return true;
	return false;
}

static bool is_cmd(unsigned int cmd, unsigned int good)
{
	return IOC_BASE(cmd) == IOC_BASE(good);
}

static size_t ver0_size(unsigned int cmd)
{
	return is_cmd(cmd, VMMAP_IOC_GET_INFO) ? VMMAP_INFO_SIZE_VER0 :
	       is_cmd(cmd, VMMAP_IOC_RESIZE) ? VMMAP_RESIZE_SIZE_VER0 :
	       VMMAP_DIRTY_SIZE_VER0;
}

static unsigned int pick_cmd(void)
{
	unsigned int c = good_cmds[rndn(3)];

	switch (rndn(10)) {
	case 0: case 1: case 2: case 3:
		return c;
	case 4: /* other direction bits */
		return (c & ~(_IOC_DIRMASK << _IOC_DIRSHIFT)) |
		       (unsigned int)rndn(4) << _IOC_DIRSHIFT;
	case 5: /* another size */
		return (c & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		       (unsigned int)(chance(50) ? rndn(_IOC_SIZEMASK + 1) :
				      _IOC_SIZE(c) + 8 * rndn(3) - 8) << _IOC_SIZESHIFT;
	case 6: /* another number */
		return (c & ~(_IOC_NRMASK << _IOC_NRSHIFT)) |
		       (unsigned int)(chance(50) ? 0 : 5 + rndn(251)) << _IOC_NRSHIFT;
	case 7: /* our type, the rest random */
		return _IOC(rndn(4), VMMAP_IOC_MAGIC, rndn(256), rndn(_IOC_SIZEMASK + 1));
	default:
		do
			c = (unsigned int)rnd();
		while (vfs_ioctl_type(c));
		return c;
	}
}

static struct vmmap_range dirty_ranges[64];

/* The output of a successful VMMAP_IOC_DIRTY, checked against the call. */
static void check_dirty_out(const struct vmmap_dirty *in,
			    const struct vmmap_dirty *out)
{
	uint64_t lim = in->start + in->length < S ? in->start + in->length : S;

	if (lim < in->start)
		lim = in->start;
	if (out->nr_ranges > in->nr_ranges || out->walk_end < in->start ||
	    out->walk_end > lim || out->start != in->start ||
	    out->length != in->length || out->flags != in->flags)
		fail("DIRTY: nr_ranges %u of %u, walk_end %#" PRIx64
		     " for %#" PRIx64 "+%#" PRIx64 " (size %#" PRIx64 ")",
		     out->nr_ranges, in->nr_ranges, (uint64_t)out->walk_end,
		     (uint64_t)in->start, (uint64_t)in->length, S);
	if (in->ranges != (uintptr_t)dirty_ranges)
		return;
	for (uint32_t i = 0; i < out->nr_ranges && i < 64; i++) {
		const struct vmmap_range *r = &dirty_ranges[i];

		if (r->start >= r->end || r->end > S || r->start % ps ||
		    r->end % ps || (i && r->start <= dirty_ranges[i - 1].end))
			fail("DIRTY: range %u is %#" PRIx64 "-%#" PRIx64, i,
			     (uint64_t)r->start, (uint64_t)r->end);
	}
}

static void op_ioctl(bool resize_only)
{
	int fi = resize_only ? (chance(80) ? 0 : pick_fd()) : pick_fd();
	unsigned int cmd = resize_only ? VMMAP_IOC_RESIZE : pick_cmd();
	static uint8_t st[_IOC_SIZEMASK + 1];
	struct vmmap_dirty dq = { 0 };
	uint32_t len = _IOC_SIZE(cmd);
	struct ubuf b;
	struct eset s = { 0 };
	uint64_t new_size = 0;
	bool tail = false;
	long r;
	int err;

	memset(st, 0, len);
	b = resize_only && chance(80) ? (struct ubuf){ scratch, SCRATCH, SCRATCH,
				       false, false, 0, "scratch", SCRATCH, SCRATCH } :
		pick_buf(len);

	/* the struct; past what the driver knows, mostly zeroes */
	if (is_cmd(cmd, VMMAP_IOC_RESIZE)) {
		struct vmmap_resize rq = { 0 };

		new_size = pick_size();
		rq.new_size = new_size;
		if (chance(8))
			rq.flags = 1ULL << rndn(64);
		memcpy(st, &rq, min64(len, sizeof(rq)));
	} else if (is_cmd(cmd, VMMAP_IOC_DIRTY)) {
		dq.start = chance(90) ? ps * rndn(S / ps + 2) : rnd();
		dq.length = chance(90) ? ps * (1 + rndn(S / ps + 2)) :
			    chance(50) ? 0 : rnd();
		dq.flags = chance(90) ? rndn(2) : rnd();
		dq.ranges = chance(85) ? (uintptr_t)dirty_ranges :
			    chance(30) ? 0 : chance(50) ? (uintptr_t)ro_page :
			    0xffff800000001000ULL;
		dq.nr_ranges = chance(90) ? 1 + rndn(64) : chance(50) ? 0 :
			       (uint32_t)rnd();
		if (dq.ranges == (uintptr_t)dirty_ranges && dq.nr_ranges > 64)
			dq.nr_ranges = 64;
		dq.reserved = chance(8) ? (uint32_t)rnd() | 1 : 0;
		dq.walk_end = rnd();	/* ignored on input */
		memcpy(st, &dq, min64(len, sizeof(dq)));
	} else {
		/* _IOR: what the caller's buffer holds is ignored */
		for (uint32_t i = 0; i < len; i++)
			st[i] = chance(10) ? (uint8_t)rnd() : 0;
	}
	if (!is_cmd(cmd, VMMAP_IOC_GET_INFO) && len > ver0_size(cmd) && chance(8)) {
		st[ver0_size(cmd) + rndn(len - ver0_size(cmd))] = 1 | (uint8_t)rnd();
		tail = true;
	}
	fill_buf(&b, st, len);

	/* what must happen */
	if (!fd_ok(fi)) {
		es_must(&s, EBADF);	/* no such fd, or O_PATH */
	} else if (!is_good_cmd(cmd)) {
		es_must(&s, ENOTTY);	/* unknown command */
	} else if (len < ver0_size(cmd)) {
		es_must(&s, EINVAL);	/* older than the first version */
	} else if (is_cmd(cmd, VMMAP_IOC_RESIZE)) {
		struct vmmap_resize *rq = (void *)st;

		if (!fd_can_write(fi))
			es_must(&s, EBADF);
		if (b.racc < len)
			es_must(&s, EFAULT);	/* the struct is read whole */
		if (tail)
			es_must(&s, E2BIG);	/* a newer caller's request */
		if (rq->flags)
			es_must(&s, EINVAL);
		if (new_size % ps)
			es_must(&s, EINVAL);	/* not page aligned */
		if (new_size > max_size)
			es_must(&s, EFBIG);	/* larger than RAM / LLONG_MAX */
	} else if (is_cmd(cmd, VMMAP_IOC_DIRTY)) {
		if (b.racc < len)
			es_must(&s, EFAULT);
		if (tail)
			es_must(&s, E2BIG);
		if ((dq.flags & ~VMMAP_DIRTY_CLEAR) || dq.reserved ||
		    !dq.nr_ranges || !dq.length || dq.start % ps ||
		    dq.length % ps || dq.start + dq.length < dq.start)
			es_must(&s, EINVAL);
		if ((dq.flags & VMMAP_DIRTY_CLEAR) && !fd_can_write(fi))
			es_must(&s, EBADF);
		if (!user_range_ok(dq.ranges, (uint64_t)dq.nr_ranges * 16))
			es_must(&s, EFAULT);	/* access_ok() */
		else if (dq.ranges != (uintptr_t)dirty_ranges)
			es_add(&s, EFAULT);	/* if something is dirty */
		if (b.wacc < len)
			es_must(&s, EFAULT);	/* the answer is written whole */
		es_add(&s, ENOMEM);
	} else {
		if (b.wacc < len)
			es_must(&s, EFAULT);	/* the answer is written whole */
	}
	D("ioctl(%s, %#x%s, %s %s, size %u%s, new_size %#" PRIx64 ")",
	  fd_name(fi), cmd, is_good_cmd(cmd) ? "" : " (unknown)", b.kind, A(b.p),
	  len, b.racc < len ? " (short)" : "", new_size);
	r = ioc(fdnum(fi), cmd, b.p);
	err = errno;
	counts[0]++;

	/* a device buffer may have been written up to its end, even on error */
	if (b.dev && !is_cmd(cmd, VMMAP_IOC_RESIZE))
		resync(b.devoff, min64(len, b.wacc));

	if (check_outcome(r, err, &s) && is_good_cmd(cmd) && fd_ok(fi)) {
		if (is_cmd(cmd, VMMAP_IOC_RESIZE)) {
			model_resize(new_size);
		} else if (is_cmd(cmd, VMMAP_IOC_GET_INFO)) {
			struct vmmap_info in;

			memcpy(&in, b.p, sizeof(in));
			if (in.abi_version != VMMAP_ABI_VERSION ||
			    in.object_size != S || in.page_size != ps ||
			    (in.flags & ~VMMAP_INFO_HUGE) ||
			    !in.max_size || in.max_size % ps ||
			    in.resident_pages > kept_end / ps ||
			    (in.max_folio_size != ps && in.max_folio_size != pmd) ||
			    in.live_vmas != live_base + dev_vmas)
				fail("GET_INFO: abi %u object_size %" PRIu64
				     " (model %" PRIu64 ") page %u flags %#" PRIx64
				     " max %" PRIu64 " resident %" PRIu64
				     " live_vmas %" PRIu64 " (maps: %d)",
				     in.abi_version, (uint64_t)in.object_size, S,
				     in.page_size, (uint64_t)in.flags,
				     (uint64_t)in.max_size, (uint64_t)in.resident_pages,
				     (uint64_t)in.live_vmas, dev_vmas);
			for (uint32_t i = sizeof(in); i < len; i++)
				if (b.p[i]) {
					fail("GET_INFO: byte %u of a %u-byte struct is %#x",
					     i, len, (uint8_t)b.p[i]);
					break;
				}
		} else if (is_cmd(cmd, VMMAP_IOC_DIRTY)) {
			struct vmmap_dirty out;

			memcpy(&out, b.p, sizeof(out));
			check_dirty_out(&dq, &out);
		}
	}
	if (r < 0 && cmd == VMMAP_IOC_RESIZE) {
		/* a failed call changes nothing */
		off_t end = lseek(fd_dev, 0, SEEK_END);

		if ((uint64_t)end != S)
			fail("failed RESIZE changed the size: %jd, was %" PRIu64,
			     (intmax_t)end, S);
		if ((uint64_t)end != S && end >= 0)
			model_resize(end);
	}
	/* the object may not stay huge: the shadow covers CAP bytes */
	if (S > CAP) {
		call_idx++;
		new_size = ps * rndn(CAP / ps + 1);
		D("resize back to %#" PRIx64 " (after a large resize)", new_size);
		r = dev_resize(new_size);
		memset(&s, 0, sizeof(s));
		if (check_outcome(r, errno, &s))
			model_resize(new_size);
		else
			die("cannot shrink the object back: %s", strerror(errno));
	}
}

/* ------------------------------------------------------------------ */
/* Addresses in the arena                                               */

/* A page-aligned address in the arena, often the start of or inside a VMA
 * there, so that calls hit what is mapped. */
static char *pick_arena_addr(void)
{
	if (chance(70)) {
		int cand[MAX_VMAS], n = 0;

		for (int i = 0; i < nvmas; i++)
			if (vmas[i].start >= (uintptr_t)arena &&
			    vmas[i].end <= (uintptr_t)arena + ARENA &&
			    (vmas[i].dev || vmas[i].prot || chance(10)))
				cand[n++] = i;
		if (n) {
			struct vma *v = &vmas[cand[rndn(n)]];

			if (chance(50))
				return (char *)v->start;
			return (char *)v->start + ps * rndn((v->end - v->start) / ps);
		}
	}
	return arena + ps * rndn(ARENA / ps);
}

/* A length for a range starting at @a: inside the arena, or one the kernel
 * must refuse before touching anything (too big, wrapping). */
static uint64_t pick_arena_len(char *a, bool allow_wrap)
{
	uint64_t room = arena + ARENA - a;

	switch (rndn(10)) {
	case 0: return 0;
	case 1: return 1 + rndn(ps);
	case 2: case 3: case 4: return ps * (1 + rndn(min64(room / ps, 16)));
	case 5: {
		struct vma *v = find_vma((uintptr_t)a);

		if (v && v->end <= (uintptr_t)arena + ARENA)
			return v->end - (uintptr_t)a;
		return ps;
	}
	case 6: return 1 + rndn(room);
	case 7: return room;
	default:
		if (allow_wrap)
			return (uint64_t)-1 - rndn(2 * ps) - (uintptr_t)a / 2;
		return ps * (1 + rndn(4));
	}
}

/* Anything the kernel mapped outside the arena: unmap it now. */
static void drop_foreign(void *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p;

	if (a >= (uintptr_t)arena && a + len <= (uintptr_t)arena + ARENA)
		return;
	if (a < (uintptr_t)arena + ARENA && a + len > (uintptr_t)arena)
		die("a mapping at %#lx+%#lx straddles the arena", (unsigned long)a,
		    (unsigned long)len);
	if (munmap(p, len))
		die("munmap of a foreign mapping: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* mmap                                                                 */

/* Bits no MAP_ flag uses on any kernel we run. */
static unsigned long random_unknown_map_bit(void)
{
	static const unsigned long bits[] = {
		0x200, 0x400, 0x200000, 0x400000, 0x800000, 0x1000000, 0x2000000,
		0x80000000UL, 1UL << 32, 1UL << 40, 1UL << 63,
	};

	return bits[rndn(sizeof(bits) / sizeof(bits[0]))];
}

/* The flags do_mmap() accepts with MAP_SHARED_VALIDATE (LEGACY_MAP_MASK). */
static bool legacy_flags_only(unsigned long f)
{
	unsigned long legacy = MAP_SHARED | MAP_PRIVATE | MAP_FIXED |
		MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED |
		MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |
		MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | (0x1fUL << 26);

	if (is_x86)
		legacy |= 0x40;		/* MAP_32BIT */
	return !(f & ~legacy);
}

static void op_mmap(void)
{
	static const int types[] = { MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE };
	bool anon = chance(8);
	int fi = pick_fd();
	unsigned long flags, type, prot;
	uint64_t len, off;
	char *addr = NULL, *p;
	struct eset s = { 0 };
	bool fixed, noreplace, file;
	int err;

	/* type and flags */
	type = chance(95) ? (unsigned long)types[rndn(3)] :
	       (chance(50) ? 0 : 4 + rndn(12));
	flags = type;
	if (anon)
		flags |= MAP_ANONYMOUS;
	if (chance(25))
		flags |= MAP_FIXED;
	if (chance(10))
		flags |= MAP_FIXED_NOREPLACE;
	if (chance(10))
		flags |= MAP_POPULATE;
	if (chance(5))
		flags |= MAP_LOCKED;
	if (chance(5))
		flags |= MAP_NORESERVE;
	if (chance(8))
		flags |= MAP_SYNC;
	if (chance(3))
		flags |= MAP_HUGETLB;
	if (chance(3) && !anon)
		flags |= MAP_GROWSDOWN;
	if (chance(3))
		flags |= MAP_STACK;
	if (chance(3))
		flags |= MAP_NONBLOCK;
	if (chance(3))
		flags |= MAP_DENYWRITE | MAP_EXECUTABLE;
	if (chance(2) && is_x86)
		flags |= 0x40;		/* MAP_32BIT */
	if (chance(5))
		flags |= random_unknown_map_bit();
	if (anon)
		flags &= ~(unsigned long)MAP_HUGETLB;	/* would need hugepages */
	fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	noreplace = flags & MAP_FIXED_NOREPLACE;
	file = !anon;

	/* prot */
	prot = rndn(8);
	if (chance(5))
		prot |= chance(50) ? PROT_SEM : (1UL << rndn(32));

	/* length */
	switch (rndn(10)) {
	case 0: len = 0; break;
	case 1: len = 1 + rndn(ps); break;
	case 2: case 3: len = ps * (1 + rndn(16)); break;
	case 4: len = pmd + ps * rndn(3); break;
	case 5: len = 2 * pmd + rndn(2) * ps; break;
	case 6: len = 1 + rndn(4 * pmd); break;
	case 7: len = 1ULL << (30 + rndn(18)); break;
	case 8: len = (uint64_t)-1 - rndn(ps); break;
	default: len = ps * (1 + rndn(256));
	}
	/* offset */
	off = chance(80) ? pick_off() & ~(uint64_t)(ps - 1) : pick_off();

	/* address: MAP_FIXED only ever inside the arena */
	if (fixed) {
		addr = pick_arena_addr();
		if (chance(5))
			addr += 1 + rndn(ps - 1);
		if (len > (uint64_t)(arena + ARENA - addr) && len <= task_size())
			len = arena + ARENA - addr;	/* keep it in the arena */
	} else if (chance(40)) {
		addr = pick_arena_addr() + (chance(10) ? 1 + rndn(ps - 1) : 0);
	} else if (chance(10)) {
		addr = (char *)(uintptr_t)(rnd() & ((1ULL << 47) - 1));
	}
	/* populate/lock only what the object (or a little RAM) can back */
	if (anon && (flags & (MAP_POPULATE | MAP_LOCKED)) && len > (4UL << 20))
		flags &= ~(unsigned long)(MAP_POPULATE | MAP_LOCKED);

	/*
	 * What must fail, and how (arch sys_mmap, ksys_mmap_pgoff, do_mmap,
	 * __get_unmapped_area; see the mmap-semantics notes):
	 *  EINVAL  offset not page aligned; len 0; MAP_FIXED at an unaligned
	 *          address; MAP_HUGETLB on a file that is not hugetlbfs;
	 *          a map type other than SHARED/PRIVATE/SHARED_VALIDATE (for a
	 *          file); MAP_GROWSDOWN on a file
	 *  EBADF   no such fd, or an O_PATH one
	 *  ENOMEM  PAGE_ALIGN(len) wraps to 0, len > TASK_SIZE, or an address
	 *          range that does not fit; also always allowed: no room left
	 *  EOVERFLOW pgoff + len wraps, or offset + len past ULONG_MAX (a
	 *          character device's limit in file_mmap_ok)
	 *  EEXIST  MAP_FIXED_NOREPLACE over a mapping
	 *  EOPNOTSUPP MAP_SHARED_VALIDATE with a flag outside LEGACY_MAP_MASK
	 *          (MAP_SYNC: the driver does not declare it; also
	 *          MAP_FIXED_NOREPLACE and unknown bits)
	 *  EACCES  a shared writable mapping of a fd not open for writing; any
	 *          mapping of a fd not open for reading
	 *  EPERM   PROT_EXEC where the node's mount is noexec (allowed only)
	 *  EAGAIN  MAP_LOCKED past RLIMIT_MEMLOCK (limit_mlock(); allowed only:
	 *          what is locked already is not modelled)
	 */
	es_add(&s, ENOMEM);
	if (flags & MAP_LOCKED)
		es_add(&s, EAGAIN);
	if (prot & PROT_EXEC)
		es_add(&s, EPERM);
	if (off % ps)
		es_must(&s, EINVAL);
	if (file && !fd_ok(fi))
		es_must(&s, EBADF);
	if (file && fd_ok(fi) && (flags & MAP_HUGETLB))
		es_must(&s, EINVAL);
	if (len == 0)
		es_must(&s, EINVAL);
	if (len && ((len + ps - 1) & ~(uint64_t)(ps - 1)) == 0)
		es_must(&s, ENOMEM);
	{
		uint64_t alen = (len + ps - 1) & ~(uint64_t)(ps - 1);
		uint64_t pgoff = file ? off / ps : 0;

		if (alen && pgoff + alen / ps < pgoff)
			es_must(&s, EOVERFLOW);
		if (alen > task_size())
			es_must(&s, ENOMEM);
		if (fixed && ((uintptr_t)addr % ps))
			es_must(&s, EINVAL);
		if (fixed && alen && (uintptr_t)addr + alen > task_size())
			es_must(&s, ENOMEM);
		if (noreplace && alen && !range_free((uintptr_t)addr, alen) &&
		    !((uintptr_t)addr % ps))
			es_must(&s, EEXIST);
		if (file && alen && pgoff > (UINT64_MAX - alen) / ps)
			es_must(&s, EOVERFLOW);
	}
	if (file && fd_ok(fi)) {
		if (type == MAP_SHARED_VALIDATE && !legacy_flags_only(flags))
			es_must(&s, EOPNOTSUPP);
		if (type == MAP_SHARED || type == MAP_SHARED_VALIDATE) {
			if ((prot & PROT_WRITE) && !fd_can_write(fi))
				es_must(&s, EACCES);
		}
		if ((type == MAP_SHARED || type == MAP_SHARED_VALIDATE ||
		     type == MAP_PRIVATE) && !fd_can_read(fi))
			es_must(&s, EACCES);
		if (flags & MAP_GROWSDOWN)
			es_must(&s, EINVAL);
		if (type != MAP_SHARED && type != MAP_PRIVATE &&
		    type != MAP_SHARED_VALIDATE)
			es_must(&s, EINVAL);
	}
	if (anon && type != MAP_SHARED && type != MAP_PRIVATE) {
		/* SHARED_VALIDATE is SHARED|PRIVATE (3): invalid for anon;
		 * 0x08 is MAP_DROPPABLE from 6.11 on */
		if (type == 0x08)
			es_add(&s, EINVAL), es_add(&s, EOPNOTSUPP);
		else
			es_must(&s, EINVAL);
	}
	if (anon && type == MAP_SHARED && (flags & MAP_GROWSDOWN))
		es_must(&s, EINVAL);
	if (anon && (flags & (MAP_HUGETLB)))
		es_add(&s, EINVAL);

	D("mmap(%s, %#" PRIx64 ", prot %#lx, flags %#lx, %s, off %#" PRIx64 ")",
	  A(addr), len, prot, flags, anon ? "anon" : fd_name(fi), off);
	p = (char *)syscall(SYS_mmap, addr, len, prot, flags,
			    anon ? (chance(50) ? -1 : 5) : fdnum(fi), off);
	err = errno;
	counts[1]++;
	if (check_outcome(p == MAP_FAILED ? -1 : 0, err, &s)) {
		uint64_t alen = (len + ps - 1) & ~(uint64_t)(ps - 1);
		/* an unaligned hint may be honoured rounded down (seen on x86
		 * and arm64) or up (generic_get_unmapped_area) */
		uintptr_t hint = (uintptr_t)addr & ~(uintptr_t)(ps - 1);
		uintptr_t hint_up = ((uintptr_t)addr + ps - 1) & ~(uintptr_t)(ps - 1);
		bool honoured = addr && ((uintptr_t)p == hint || (uintptr_t)p == hint_up);

		if ((uintptr_t)p % ps)
			fail("mmap returned an unaligned address %p", p);
		if (fixed && p != addr)
			fail("MAP_FIXED%s at %s returned %s", noreplace ? "_NOREPLACE" : "",
			     A(addr), A(p));
		/* the driver's get_unmapped_area: a free hint is honoured,
		 * mappings >= PMD size are aligned to their offset modulo PMD */
		if (!fixed && file && hint && hint == hint_up &&
		    !(is_x86 && (flags & 0x40)) && hint >= (uintptr_t)arena &&
		    hint + alen <= (uintptr_t)arena + ARENA &&
		    range_free(hint, alen) && !honoured)
			fail("a free hint %s was not honoured: got %s", A(addr), A(p));
		if (!fixed && file && alen >= pmd && alen <= (1ULL << 40) &&
		    !(is_x86 && (flags & 0x40)) && !honoured &&
		    ((uintptr_t)p - off) % pmd)
			fail("a %#" PRIx64 "-byte mapping at offset %#" PRIx64
			     " got %s, not aligned to its offset modulo %#zx",
			     alen, off, A(p), pmd);
		drop_foreign(p, alen);
	}
	refresh_maps();
}

/* ------------------------------------------------------------------ */
/* munmap, mprotect, mremap, madvise, msync                             */

static void op_munmap(void)
{
	char *a = pick_arena_addr();
	uint64_t len = pick_arena_len(a, true);
	struct eset s = { 0 };
	long r;

	if (chance(5))
		a += 1 + rndn(ps - 1);
	/* EINVAL: unaligned start, len 0, a range past TASK_SIZE; ENOMEM:
	 * one more VMA than max_map_count after a split. Nothing else. */
	es_add(&s, ENOMEM);
	if ((uintptr_t)a % ps || len == 0 || len > task_size() - (uintptr_t)a)
		es_must(&s, EINVAL);
	D("munmap(%s, %#" PRIx64 ")", A(a), len);
	r = munmap(a, len);
	counts[2]++;
	check_outcome(r, errno, &s);
	refresh_maps();
}

/* PROT_ bits mprotect() may or may not know here: arm64 BTI and MTE. */
static unsigned long arch_maybe_prot(void)
{
	return is_x86 ? 0 : 0x30;
}

static void op_mprotect(void)
{
	char *a = pick_arena_addr();
	uint64_t len = pick_arena_len(a, true), alen;
	unsigned long prot = rndn(8), grows;
	struct eset s = { 0 };
	long r;

	if (chance(5))
		a += 1 + rndn(ps - 1);
	if (chance(5))
		prot |= chance(50) ? PROT_SEM : 1UL << rndn(32);
	if (chance(3))
		prot |= chance(50) ? PROT_GROWSDOWN : PROT_GROWSUP;
	grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	alen = (len + ps - 1) & ~(uint64_t)(ps - 1);
	/*
	 * do_mprotect_pkey: EINVAL both GROWS bits, unaligned start, unknown
	 * prot bits (after the len == 0 early success), GROWS on a VMA that
	 * does not grow; ENOMEM wrapping range, unmapped pages; EACCES beyond
	 * VM_MAY* (shared mapping of a fd without write, noexec mount).
	 */
	es_add(&s, EACCES);
	es_add(&s, ENOMEM);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		es_must(&s, EINVAL);
	if ((uintptr_t)a % ps)
		es_must(&s, EINVAL);
	if (len && !s.must_fail) {
		unsigned long p = prot & ~grows;

		if (p & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC |
					 PROT_SEM | arch_maybe_prot()))
			es_must(&s, EINVAL);
		if (p & arch_maybe_prot())
			es_add(&s, EINVAL);
		if (grows)
			es_add(&s, EINVAL);
		if ((uintptr_t)a + alen <= (uintptr_t)a)
			es_must(&s, ENOMEM);
		else if (!grows && !range_mapped((uintptr_t)a, alen))
			es_must(&s, ENOMEM);
		else if (grows)
			es_add(&s, ENOMEM);
	}
	D("mprotect(%s, %#" PRIx64 ", %#lx)", A(a), len, prot);
	r = mprotect(a, len, prot);
	counts[3]++;
	check_outcome(r, errno, &s);
	refresh_maps();
}

/*
 * Whether this kernel lets mremap() shrink (or keep the size of) a range
 * with no mapping at its start: before 6.x it unmapped the tail and
 * returned the address without looking for a VMA first; now that is
 * EFAULT. Probed once, on a range we just unmapped.
 */
static bool mremap_shrinks_holes;
static void *must_map(size_t len, int prot);

static void probe_mremap(void)
{
	char *p = must_map(2 * ps, PROT_NONE);

	munmap(p, 2 * ps);
	mremap_shrinks_holes = mremap(p, 2 * ps, ps, 0) == p;
	if (mremap_shrinks_holes)
		out("fuzz: this kernel's mremap shrinks unmapped ranges\n");
}

static void op_mremap(void)
{
	char *a = pick_arena_addr(), *na = NULL, *p;
	uint64_t old_len, new_len, room = arena + ARENA - a;
	unsigned long flags = 0;
	struct eset s = { 0 };
	struct vma *v;
	int err;

	if (chance(5))
		a += 1 + rndn(ps - 1);
	old_len = chance(10) ? 0 : pick_arena_len(a, false);
	if (old_len > room)
		old_len = room;
	switch (rndn(6)) {
	case 0: new_len = 0; break;
	case 1: new_len = old_len; break;
	case 2: new_len = old_len / 2; break;
	case 3: new_len = old_len + ps * (1 + rndn(16)); break;
	case 4: new_len = 1ULL << (20 + rndn(28)); break;
	default: new_len = 1 + rndn(4 * pmd);
	}
	if (chance(60))
		flags |= MREMAP_MAYMOVE;
	if (chance(20))
		flags |= MREMAP_FIXED;
	if (chance(10))
		flags |= MREMAP_DONTUNMAP;
	if (chance(3))
		flags |= 1UL << (3 + rndn(29));
	if (flags & MREMAP_FIXED) {
		na = pick_arena_addr();
		if (chance(5))
			na += 1 + rndn(ps - 1);
		if (new_len > (uint64_t)(arena + ARENA - na) && new_len <= task_size())
			new_len = arena + ARENA - na;
	}
	/*
	 * mremap: EINVAL unknown flags, FIXED or DONTUNMAP without MAYMOVE,
	 * DONTUNMAP resizing, unaligned addr/new_addr, new_len 0, overlapping
	 * ranges, pgoff overflow, duplicating a private mapping; EFAULT no VMA
	 * at addr or old range across VMAs; ENOMEM no room / map count, or
	 * growth in place impossible without MAYMOVE; EAGAIN mlock limit.
	 */
	es_add(&s, EINVAL);
	es_add(&s, EFAULT);
	es_add(&s, ENOMEM);
	es_add(&s, EAGAIN);
	if (flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		es_must(&s, EINVAL);
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && !(flags & MREMAP_MAYMOVE))
		es_must(&s, EINVAL);
	if ((uintptr_t)a % ps || ((new_len + ps - 1) & ~(uint64_t)(ps - 1)) == 0)
		es_must(&s, EINVAL);
	v = find_vma((uintptr_t)a);
	if (!s.must_fail && !v &&
	    !(mremap_shrinks_holes && !(flags & MREMAP_FIXED) &&
	      ((new_len + ps - 1) & ~(uint64_t)(ps - 1)) <=
		      ((old_len + ps - 1) & ~(uint64_t)(ps - 1))))
		es_must(&s, EFAULT);
	D("mremap(%s, %#" PRIx64 ", %#" PRIx64 ", %#lx, %s)", A(a), old_len,
	  new_len, flags, A(na));
	p = mremap(a, old_len, new_len, flags, na);
	err = errno;
	counts[4]++;
	if (check_outcome(p == MAP_FAILED ? -1 : 0, err, &s)) {
		if ((flags & MREMAP_FIXED) && p != na)
			fail("MREMAP_FIXED to %s returned %s", A(na), A(p));
		drop_foreign(p, (new_len + ps - 1) & ~(uint64_t)(ps - 1));
	}
	refresh_maps();
}

static void op_madvise(void)
{
	static const int advs[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK,
		MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
		MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK,
		MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
		MADV_DONTNEED_LOCKED, MADV_COLLAPSE,
	};
	char *a = pick_arena_addr();
	uint64_t len = pick_arena_len(a, true);
	struct eset s = { 0 };
	int adv;
	long r;

	if (chance(5))
		a += 1 + rndn(ps - 1);
	if (chance(5)) {
		/* unknown advice; never MADV_HWPOISON/SOFT_OFFLINE (100, 101)
		 * or the guard-page ones (102, 103, 6.13+) */
		adv = 26 + rndn(70);
		es_must(&s, EINVAL);
	} else {
		adv = advs[rndn(sizeof(advs) / sizeof(advs[0]))];
	}
	/*
	 * EINVAL unaligned start, wrapping length, an advice a VMA refuses
	 * (locked, shared, file-backed, no THP, ...); ENOMEM unmapped pages in
	 * the range (the mapped ones are still advised); per advice:
	 *  WILLNEED: EBADF (vfs_fadvise);
	 *  REMOVE: EACCES (not shared writable), ENODEV (vfs_fallocate on a
	 *          character device), EOPNOTSUPP;
	 *  POPULATE_*: EFAULT (SIGBUS past the object's end, SIGSEGV),
	 *          EHWPOISON, EINTR;
	 *  MERGEABLE, HUGEPAGE, COLLAPSE: EAGAIN, EBUSY;
	 */
	es_add(&s, EINVAL);
	es_add(&s, ENOMEM);
	if (adv == MADV_WILLNEED)
		es_add(&s, EBADF);
	if (adv == MADV_REMOVE) {
		es_add(&s, EACCES);
		es_add(&s, ENODEV);
		es_add(&s, EOPNOTSUPP);
	}
	if (adv == MADV_POPULATE_READ || adv == MADV_POPULATE_WRITE) {
		es_add(&s, EFAULT);
		es_add(&s, EHWPOISON);
		es_add(&s, EINTR);
	}
	if (adv == MADV_MERGEABLE || adv == MADV_HUGEPAGE || adv == MADV_COLLAPSE) {
		es_add(&s, EAGAIN);
		es_add(&s, EBUSY);
	}
	if ((uintptr_t)a % ps)
		es_must(&s, EINVAL);
	else if (len && (uintptr_t)a + ((len + ps - 1) & ~(uint64_t)(ps - 1)) <= (uintptr_t)a)
		es_must(&s, EINVAL);
	else if (len && !range_mapped((uintptr_t)a, (len + ps - 1) & ~(uint64_t)(ps - 1)))
		es_must(&s, ENOMEM);	/* or EINVAL from a VMA before the hole */
	D("madvise(%s, %#" PRIx64 ", %d)", A(a), len, adv);
	r = madvise(a, len, adv);
	counts[5]++;
	check_outcome(r, errno, &s);
	refresh_maps();
}

static void op_msync(void)
{
	char *a = pick_arena_addr();
	uint64_t len = pick_arena_len(a, true), alen;
	int flags = rndn(8);
	struct eset s = { 0 };
	long r;

	if (chance(5))
		a += 1 + rndn(ps - 1);
	if (chance(5))
		flags |= 1 << rndn(31);
	alen = (len + ps - 1) & ~(uint64_t)(ps - 1);
	/*
	 * msync: EINVAL unaligned, unknown flags, MS_ASYNC with MS_SYNC;
	 * ENOMEM a wrapping or partly unmapped range; EBUSY MS_INVALIDATE on a
	 * locked VMA. MS_SYNC on a shared mapping of the device calls its
	 * fsync, which must not fail (EINVAL there would mean no ->fsync).
	 */
	es_add(&s, EBUSY);
	if ((uintptr_t)a % ps || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		es_must(&s, EINVAL);
	else if (alen && ((uintptr_t)a + alen < (uintptr_t)a ||
			  !range_mapped((uintptr_t)a, alen)))
		es_must(&s, ENOMEM);
	D("msync(%s, %#" PRIx64 ", %#x)", A(a), len, flags);
	r = msync(a, len, flags);
	counts[6]++;
	check_outcome(r, errno, &s);
}

/* ------------------------------------------------------------------ */
/* Loads and stores                                                     */

static void op_touch(void)
{
	bool wr = chance(40);
	uint8_t val = (uint8_t)rnd(), got = 0;
	struct vma *v;
	char *a;
	int sig, want_sig = 0;
	bool check = false, readable, writable, maybe_unreadable = false;
	bool maybe_sigbus = false, maybe_kept = false;
	uint64_t off = 0;

	if (chance(25)) {
		a = devbuf + rndn(DEVBUF_PAGES * ps);
	} else {
		a = pick_arena_addr() + rndn(ps);
		if (chance(10))
			a -= ps;	/* just before a VMA */
		if (a < arena)
			a = arena;
	}
	v = find_vma((uintptr_t)a);
	if (!v) {
		want_sig = SIGSEGV;
	} else {
		/* x86: any of R/W/X reads; arm64: X alone may not read */
		readable = v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		if (!is_x86 && v->prot == PROT_EXEC)
			maybe_unreadable = true;
		writable = v->prot & PROT_WRITE;
		if (wr ? !writable : !readable) {
			want_sig = SIGSEGV;
		} else if (!v->dev && v->shared) {
			/* shared anonymous memory is a shmem file: mremap may
			 * have grown the mapping past its size */
			maybe_sigbus = true;
		} else if (v->dev) {
			off = v->off + ((uintptr_t)a - v->start);
			if (off >= S && past_end_ok(off, 0)) {
				maybe_kept = true;	/* SIGBUS, or the kept tail */
				want_sig = SIGBUS;
			} else if (off >= S) {
				want_sig = SIGBUS;	/* the driver's ->fault */
			} else if (!wr && (v->shared || !page_cowed((uintptr_t)a))) {
				check = true;	/* the object's byte */
			}
		}
	}
	D("%s %s (%s%s off %#" PRIx64 ", size %#" PRIx64 ")", wr ? "store to" : "load from",
	  A(a), v ? (v->dev ? (v->shared ? "shared device" : "private device") :
		     "anonymous") : "unmapped", v ? "" : "", off, S);
	sig = probe(a, wr, wr ? &val : &got);
	counts[7]++;
	if (verbose())
		out("fuzz: %6" PRIu64 " %s -> %s %#x\n", call_idx, desc,
		    sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "ok",
		    wr ? val : got);
	if ((maybe_unreadable && sig == SIGSEGV) || (maybe_sigbus && sig == SIGBUS))
		return;
	if (maybe_kept && !sig) {
		/* mapped past the end inside a kept huge page: its zeroed tail */
		if (wr)
			kept_written = true;
		else if (!past_end_ok(off, got))
			fail("read %#x at object offset %#" PRIx64 " past the size %#"
			     PRIx64 " (inside a kept huge page: zero or SIGBUS)",
			     got, off, S);
		return;
	}
	if (sig != want_sig) {
		fail("%s, expected %s", sig == SIGBUS ? "SIGBUS" :
		     sig == SIGSEGV ? "SIGSEGV" : "no signal",
		     want_sig == SIGBUS ? "SIGBUS (past the object's end)" :
		     want_sig == SIGSEGV ? "SIGSEGV" : "no signal");
		if (!sig && wr && v && v->dev && v->shared && off < S)
			resync(off, 1);
		return;
	}
	if (sig && probe_addr != a)
		fail("%s at %p for an access at %p", sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
		     probe_addr, a);
	if (check && got != shadow[off])
		fail("read %#x at object offset %#" PRIx64 ", expected %#x", got, off,
		     shadow[off]);
	if (!sig && wr && v->dev && v->shared)
		shadow[off] = val;
}

/* ------------------------------------------------------------------ */
/* read, write, lseek                                                   */

/* Bytes accessible from the start of an iovec chain, for reading (@wr:
 * the source of a write) or writing; stops at the first fault. */
static uint64_t chain_acc(const struct ubuf *bufs, const uint64_t *lens, int n,
			  bool wr)
{
	uint64_t acc = 0;

	for (int i = 0; i < n; i++) {
		uint64_t a = wr ? bufs[i].racc : bufs[i].wacc;

		if (a < lens[i])
			return acc + a;
		acc += lens[i];
	}
	return acc;
}

static void op_rw(void)
{
	static const char *const rnames[] = { "read", "pread", "readv", "preadv",
					      "preadv2", "preadv2(-1)" };
	static const char *const wnames[] = { "write", "pwrite", "writev", "pwritev",
					      "pwritev2", "pwritev2(-1)" };
	static const int rwf[] = { 0, 0, 0, RWF_HIPRI, RWF_DSYNC, RWF_SYNC,
				   RWF_NOWAIT, RWF_NOAPPEND_, RWF_ATOMIC_, 0x1000,
				   (int)0x80000000 };
	static uint8_t before[CAP];
	bool wr = chance(50), positional, iov_bad = false;
	int fi = pick_fd(), variant = rndn(6), iovcnt = 1, nb, flags = 0, err;
	uint64_t off = 0, lens[3], total = 0, acc, want, avail, srcn = 0;
	struct ubuf bufs[3];
	struct iovec *iov = iov_area;
	struct eset s = { 0 };
	void *iovp = iov;
	int64_t pos;
	long r;

	/* 0 read/write, 1 pread/pwrite, 2 readv/writev, 3 preadv/pwritev,
	 * 4 preadv2/pwritev2 at an offset, 5 the same at the position (-1) */
	positional = variant == 1 || variant == 3 || variant == 4;
	if (positional)
		off = pick_off();
	if (variant >= 2) {
		iovcnt = 1 + rndn(3);
		if (chance(4))
			iovcnt = chance(50) ? 1025 : 0;
		if (chance(3))
			iov_bad = true;
	}
	if (variant >= 4)
		flags = rwf[rndn(sizeof(rwf) / sizeof(rwf[0]))];
	nb = iovcnt < 1 ? 0 : iovcnt > 3 ? 1 : iovcnt;
	pos = positional ? (int64_t)off : fi >= 0 ? fds[fi].pos : 0;

	for (int i = 0; i < nb; i++) {
		lens[i] = nb == 1 || chance(20) ? pick_len() : 1 + rndn(2 * ps);
		bufs[i] = pick_buf(lens[i]);
		total += min64(lens[i], CAP);
	}
	for (int i = 0; i < nb; i++) {
		/* a buffer in the object may not overlap the whole range read
		 * or written: the result would depend on the copy's order */
		if (bufs[i].dev && pos >= 0 && (uint64_t)pos < S &&
		    bufs[i].devoff < (uint64_t)pos + total + ps &&
		    (uint64_t)pos < bufs[i].devoff + lens[i] + ps) {
			uint64_t o = rndn(SCRATCH);

			bufs[i] = (struct ubuf){ scratch + o, SCRATCH - o, SCRATCH - o,
						 !user_range_ok((uintptr_t)scratch + o, lens[i]),
						 false, 0, "scratch", SCRATCH - o, SCRATCH - o };
			if (bufs[i].bad)
				bufs[i].racc = bufs[i].wacc = 0;
		}
		/* what a write will take from scratch */
		if (wr && !bufs[i].dev && !bufs[i].bad && bufs[i].p >= scratch &&
		    bufs[i].p < scratch + SCRATCH) {
			uint64_t k = min64(lens[i], bufs[i].racc);

			for (uint64_t j = 0; j < k; j += 8) {
				uint64_t x = rnd();

				memcpy(bufs[i].p + j, &x, min64(8, k - j));
			}
		}
		iov[i].iov_base = bufs[i].p;
		iov[i].iov_len = lens[i];
	}
	total = 0;
	if (iovcnt > 3) {
		iov[0].iov_base = scratch;
		iov[0].iov_len = 1;
	}
	if (iov_bad)
		iovp = chance(50) ? (void *)none_page : (void *)(uintptr_t)8;

	/*
	 * What must happen (vfs_read/vfs_write, do_readv/do_preadv,
	 * import_iovec, rw_verify_area, the driver's read_iter/write_iter):
	 *  EBADF  no fd, O_PATH, or not open for this direction
	 *  EINVAL a negative offset (pread and friends; -1 means the file
	 *         position for preadv2); more than UIO_MAXIOV (1024) iovecs;
	 *         a count or iov_len negative as ssize_t; offset + count past
	 *         LLONG_MAX
	 *  EFAULT a buffer outside user space (access_ok) or an iovec array
	 *         that cannot be read; a copy that moves no byte at all
	 *  EOPNOTSUPP preadv2/pwritev2 flags the file does not take: unknown
	 *         bits, RWF_NOWAIT (no FMODE_NOWAIT), RWF_ATOMIC; RWF_NOAPPEND
	 *         is known only from 6.9 on
	 *  ENOSPC a write of at least one byte starting at or past the end
	 */
	if (!fd_ok(fi) || (wr ? !fd_can_write(fi) : !fd_can_read(fi)))
		es_must(&s, EBADF);
	if (iovcnt > 1024)
		es_must(&s, EINVAL);
	if (iov_bad && iovcnt >= 1 && iovcnt <= 1024)
		es_must(&s, EFAULT);
	if (positional && pos < 0)
		es_must(&s, EINVAL);
	if (variant < 2) {
		total = lens[0];
		if (!user_range_ok((uintptr_t)bufs[0].p, total))
			es_must(&s, EFAULT);
		if ((int64_t)total < 0)
			es_must(&s, EINVAL);
	} else if (nb && iovcnt <= 3 && !iov_bad) {
		for (int i = 0; i < nb; i++) {
			if ((int64_t)lens[i] < 0)
				es_must(&s, EINVAL);
			else if (!user_range_ok((uintptr_t)bufs[i].p, lens[i])) {
				/* one iovec: 6.12 clamps it to MAX_RW_COUNT
				 * before access_ok, 6.1 does not */
				uint64_t cl = min64(lens[i], INT_MAX & ~(long)(ps - 1));

				if (nb == 1 && user_range_ok((uintptr_t)bufs[i].p, cl)) {
					/* and then copies what it can */
					es_add(&s, EFAULT);
					bufs[i].bad = false;
					bufs[i].racc = bufs[i].racc0;
					bufs[i].wacc = bufs[i].wacc0;
				} else
					es_must(&s, EFAULT);
			}
			total += lens[i];
		}
		/* import_iovec clamps the total to MAX_RW_COUNT */
		total = min64(total, (uint64_t)(INT_MAX & ~(long)(ps - 1)));
	}
	if (total && pos >= 0 && (uint64_t)pos + total > (uint64_t)LLONG_MAX)
		es_must(&s, EINVAL);
	/* the flags are looked at only when there is something to move */
	if (variant >= 4 && total && nb && iovcnt <= 3 && !iov_bad) {
		if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT |
			      RWF_NOAPPEND_ | RWF_ATOMIC_))
			es_must(&s, EOPNOTSUPP);
		if (flags & (RWF_NOWAIT | RWF_ATOMIC_))
			es_must(&s, EOPNOTSUPP);
		if (flags & RWF_NOAPPEND_)
			es_add(&s, EOPNOTSUPP);
	}
	/* vfs_read/vfs_write clamp the count to MAX_RW_COUNT after that */
	total = min64(total, (uint64_t)(INT_MAX & ~(long)(ps - 1)));

	/* with no error: exactly what the object and the buffers allow */
	avail = pos >= 0 && (uint64_t)pos < S ? S - pos : 0;
	want = min64(total, avail);
	acc = chain_acc(bufs, lens, nb, wr);
	if (!s.must_fail) {
		if (wr && total && avail == 0)
			es_must(&s, ENOSPC);
		else if (want && acc == 0)
			es_must(&s, EFAULT);
		else if (want && acc < want)
			es_add(&s, EFAULT);	/* an imprecise copy may move 0 */
	}

	/* the source bytes as they are before the call */
	if (wr && !s.must_fail && want) {
		for (int i = 0; i < nb && srcn < want; i++) {
			uint64_t n = min64(lens[i], want - srcn);
			uint64_t k = min64(n, bufs[i].racc);

			if (bufs[i].dev)
				memcpy(before + srcn, shadow + bufs[i].devoff,
				       min64(k, CAP - bufs[i].devoff));
			else
				memcpy(before + srcn, bufs[i].p, k);
			srcn += k;
			if (k < n)
				break;
		}
	}

	D("%s(%s, %s %s, %#" PRIx64 ", iovcnt %d, off %#" PRIx64 ", flags %#x)"
	  " pos %" PRId64 " size %#" PRIx64, (wr ? wnames : rnames)[variant],
	  fd_name(fi), nb ? bufs[0].kind : "-", nb ? A(bufs[0].p) : "-",
	  nb ? lens[0] : 0, iovcnt, off, flags, pos, S);
	if (variant == 5)
		off = (uint64_t)-1;
	switch (variant) {
	case 0:
		r = wr ? write(fdnum(fi), bufs[0].p, lens[0]) :
			 read(fdnum(fi), bufs[0].p, lens[0]);
		break;
	case 1:
		r = wr ? pwrite(fdnum(fi), bufs[0].p, lens[0], (off_t)off) :
			 pread(fdnum(fi), bufs[0].p, lens[0], (off_t)off);
		break;
	case 2:
		r = syscall(wr ? SYS_writev : SYS_readv, fdnum(fi), iovp, iovcnt);
		break;
	case 3:
		r = syscall(wr ? SYS_pwritev : SYS_preadv, fdnum(fi), iovp, iovcnt,
			    (unsigned long)off, 0UL);
		break;
	default:
		r = syscall(wr ? SYS_pwritev2 : SYS_preadv2, fdnum(fi), iovp, iovcnt,
			    (unsigned long)off, 0UL, flags);
		break;
	}
	err = errno;
	counts[wr ? 9 : 8]++;
	if (!check_outcome(r, err, &s)) {
		/* a failed copy may still have moved some bytes */
		if (err == EFAULT && wr && want)
			resync(pos, min64(acc, want) + SLACK);
		for (int i = 0; err == EFAULT && !wr && i < nb; i++)
			if (bufs[i].dev)
				resync(bufs[i].devoff, min64(lens[i], bufs[i].wacc));
		return;
	}
	{
		uint64_t lo = want, hi = want;

		if (acc < want) {
			hi = acc;
			lo = acc > SLACK ? acc - SLACK : 1;
		}
		if ((uint64_t)r < lo || (uint64_t)r > hi)
			fail("returned %ld, expected %s%" PRIu64 " (size %#" PRIx64
			     ", position %" PRId64 ", %" PRIu64 " bytes asked, %" PRIu64
			     " accessible)", r, lo == hi ? "" : "at most ", hi, S, pos,
			     total, acc);
	}
	if (fi >= 0 && !positional)
		fds[fi].pos += r;
	if (r <= 0)
		return;
	if (wr) {
		/* the object now holds the source bytes */
		if ((uint64_t)pos < CAP)
			memcpy(shadow + pos, before, min64(min64(r, srcn), CAP - pos));
		if ((uint64_t)r > srcn)
			resync(pos + srcn, r - srcn);
		if (acc < want)
			resync(pos + r, SLACK);
		return;
	}
	/* the buffers hold the object's bytes */
	for (uint64_t done = 0, i = 0; i < (uint64_t)nb && done < (uint64_t)r; i++) {
		uint64_t n = min64(lens[i], r - done), k;
		bool overwritten = false;

		if (bufs[i].dev) {
			/* our mapping of the object: what is there now was
			 * copied from below (or by a later iovec); take it */
			resync(bufs[i].devoff, min64(lens[i], bufs[i].wacc));
			done += n;
			continue;
		}
		/* a later iovec that overlaps this one wrote over it */
		for (uint64_t j = i + 1, d2 = done + n; j < (uint64_t)nb && d2 < (uint64_t)r; j++) {
			uint64_t n2 = min64(lens[j], r - d2);

			if (bufs[j].p < bufs[i].p + n && bufs[i].p < bufs[j].p + n2)
				overwritten = true;
			d2 += n2;
		}
		if (overwritten) {
			done += n;
			continue;
		}
		if ((uint64_t)pos + done < CAP &&
			   memcmp(bufs[i].p, shadow + pos + done, n)) {
			for (k = 0; bufs[i].p[k] == (char)shadow[pos + done + k]; k++)
				;
			fail("read data differ at object offset %#" PRIx64
			     ": got %#x, expected %#x", pos + done + k,
			     (uint8_t)bufs[i].p[k], shadow[pos + done + k]);
			break;
		}
		done += n;
	}
}

static void op_lseek(void)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA,
				       SEEK_HOLE, 5, -1, 100 };
	int fi = pick_fd(), whence = whences[rndn(8)];
	int64_t offset, pos = fi >= 0 ? fds[fi].pos : 0, expect = -1;
	struct eset s = { 0 };
	__int128 t;
	long long r;

	switch (rndn(8)) {
	case 0: offset = 0; break;
	case 1: offset = (int64_t)rndn(S + 2 * ps); break;
	case 2: offset = -(int64_t)rndn(S + 2 * ps); break;
	case 3: offset = (int64_t)S; break;
	case 4: offset = LLONG_MAX - (int64_t)rndn(2); break;
	case 5: offset = LLONG_MIN + (int64_t)rndn(2); break;
	case 6: offset = (int64_t)rnd(); break;
	default: offset = (int64_t)rndn(ps) - (int64_t)ps / 2;
	}
	/* ksys_lseek: EBADF, EINVAL whence > SEEK_MAX; the driver's llseek is
	 * generic_file_llseek_size(MAX_LFS_FILESIZE, eof = size): EINVAL for a
	 * negative result, ENXIO for SEEK_DATA/SEEK_HOLE at or past the end */
	if (!fd_ok(fi)) {
		es_must(&s, EBADF);
	} else if (whence < 0 || whence > SEEK_HOLE) {
		es_must(&s, EINVAL);
	} else {
		switch (whence) {
		case SEEK_SET: t = offset; break;
		case SEEK_CUR: t = offset ? (__int128)pos + offset : pos; break;
		case SEEK_END: t = (__int128)S + offset; break;
		case SEEK_DATA: t = (uint64_t)offset >= S ? -1 : offset; break;
		default: t = (uint64_t)offset >= S ? -1 : (int64_t)S; break;
		}
		if ((whence == SEEK_DATA || whence == SEEK_HOLE) && (uint64_t)offset >= S)
			es_must(&s, ENXIO);
		else if (t < 0 || t > LLONG_MAX)
			es_must(&s, EINVAL);
		else
			expect = (int64_t)t;
	}
	D("lseek(%s, %" PRId64 ", %d) pos %" PRId64 " size %#" PRIx64, fd_name(fi),
	  offset, whence, pos, S);
	r = syscall(SYS_lseek, fdnum(fi), (long)offset, whence);
	counts[10]++;
	if (check_outcome(r, errno, &s)) {
		if (r != expect)
			fail("returned %lld, expected %" PRId64, r, expect);
		if (fi >= 0)
			fds[fi].pos = r;
	}
}

static void op_fsync(void)
{
	int fi = pick_fd();
	struct eset s = { 0 };
	bool data = chance(50);
	long r;

	/* EBADF no fd / O_PATH; otherwise the driver's fsync returns 0, on a
	 * read-only fd too */
	if (!fd_ok(fi))
		es_must(&s, EBADF);
	D("%s(%s)", data ? "fdatasync" : "fsync", fd_name(fi));
	r = data ? fdatasync(fdnum(fi)) : fsync(fdnum(fi));
	counts[11]++;
	check_outcome(r, errno, &s);
}

static void op_open(void)
{
	static const int accs[] = { O_RDONLY, O_WRONLY, O_RDWR, 3 };
	int i = rndn(NFDS), acc = accs[rndn(4)], flags, fd;
	struct eset s = { 0 };

	if (i == 0 && chance(50))
		i = 1 + rndn(NFDS - 1);	/* fd 0 mostly stays O_RDWR */
	flags = acc | O_CLOEXEC;
	if (chance(10)) flags |= O_NONBLOCK;
	if (chance(5)) flags |= O_SYNC;
	if (chance(5)) flags |= O_DSYNC;
	if (chance(5)) flags |= O_NOATIME;
	if (chance(5)) flags |= O_DIRECT;
	if (chance(5)) flags |= O_TRUNC;
	if (chance(5)) flags |= O_CREAT;
	if (chance(3)) flags |= O_CREAT | O_EXCL;
	if (chance(3)) flags |= O_DIRECTORY;
	if (chance(5)) flags = O_PATH | (chance(50) ? acc : 0) | O_CLOEXEC;
	/*
	 * EEXIST O_CREAT|O_EXCL on the existing node; ENOTDIR O_DIRECTORY;
	 * EINVAL O_DIRECT (the object's address_space has no direct I/O; the
	 * check runs after f_op->open on both kernels), O_CREAT|O_DIRECTORY
	 * (6.4+). O_TRUNC is ignored on a character device, O_PATH opens
	 * anything.
	 */
	if ((flags & O_CREAT) && (flags & O_EXCL))
		es_must(&s, EEXIST);
	if (flags & O_DIRECTORY)
		es_must(&s, ENOTDIR);
	if ((flags & O_DIRECTORY) && (flags & O_CREAT))
		es_add(&s, EINVAL);	/* build_open_flags() from 6.4 on */
	if ((flags & O_DIRECT) && !(flags & O_PATH))
		es_add(&s, EINVAL);
	if (fds[i].fd >= 0)
		close(fds[i].fd);
	fds[i].fd = -1;
	D("open(%s, %#x) into slot %d", DEV, flags, i);
	fd = open(DEV, flags, 0600);
	counts[12]++;
	if (check_outcome(fd, errno, &s)) {
		fds[i].fd = fd;
		fds[i].acc = (flags & O_PATH) ? O_RDONLY : acc;
		fds[i].path = flags & O_PATH;
		fds[i].pos = 0;
	}
}

/* ------------------------------------------------------------------ */
/* A shrink inside a huge page that a pipe holds                        */

/* Fill object page @pg, through the mapping @m of offset 0, with random
 * words, in the shadow too. */
static void huge_fill(char *m, uint64_t pg)
{
	uint64_t *q = (uint64_t *)(m + pg * ps);

	for (size_t i = 0; i < ps / 8; i++) {
		uint64_t w = rnd();

		q[i] = w;
		memcpy(shadow + pg * ps + 8 * i, &w, 8);
	}
}

/*
 * The interleaving that lost data: an empty object of one huge page and a
 * bit, mapped shared (PMD-aligned: the first fault allocates the huge
 * page), random data on some pages, one page of the huge page vmsplice'd
 * into a pipe and left there (a reference: the split fails), then a shrink
 * to a size inside the huge page that is not PMD-aligned. The model says
 * the data below the new end stays, through read(2) and the mapping;
 * resident_pages counts it; SIGBUS at the new end and past the huge page;
 * the pipe still holds the page's data (zero past the new end).
 */
static void op_huge(void)
{
	uint64_t npg = pmd / ps, len = pmd + ps, lim = min64(pmd, CAP), cut, cp, pk;
	uint64_t written = 0, res;
	static uint8_t pbuf[1 << 16], pexp[1 << 16];
	struct iovec iov;
	int pfd[2], sig;
	uint8_t v = 0;
	char *m;

	counts[13]++;
	D("huge-shrink: resize to 0, then %#" PRIx64 ", map it shared", len);
	if (dev_resize(0))
		die("resize to 0: %s", strerror(errno));
	model_resize(0);
	if (dev_resize(len))
		die("resize to %#" PRIx64 ": %s", len, strerror(errno));
	model_resize(len);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd_dev, 0);
	if (m == MAP_FAILED) {
		fail("huge-shrink: mmap of %#" PRIx64 " bytes: %s", len, strerror(errno));
		return;
	}
	if ((uintptr_t)m % pmd)
		fail("huge-shrink: a %#" PRIx64 "-byte mapping at %p, not PMD-aligned",
		     len, m);
	cut = ps * (1 + rndn(lim / ps - 1));
	cp = cut / ps;
	/* the first store: one fault, the whole huge page */
	huge_fill(m, 0);
	written++;
	if (resident_now() == npg)
		huge_got++;
	if (cp > 1) {
		huge_fill(m, cp - 1);
		written++;
	}
	for (int i = 0; i < 14 && cp > 2; i++) {
		huge_fill(m, 1 + rndn(cp - 2));
		written++;
	}
	if (pipe2(pfd, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	pk = rndn(npg);
	iov.iov_base = m + pk * ps;
	iov.iov_len = ps;
	if (vmsplice(pfd[1], &iov, 1, 0) != (ssize_t)ps)
		fail("huge-shrink: vmsplice of page %" PRIu64 ": %s", pk, strerror(errno));
	/* what the pipe must give back: the page now, zero past the new end */
	if (pk < cp)
		memcpy(pexp, shadow + pk * ps, ps);
	else
		memset(pexp, 0, ps);

	call_idx++;
	D("huge-shrink: resize to %#" PRIx64 " (page %" PRIu64 " of the huge page "
	  "in a pipe, %" PRIu64 " pages written)", cut, pk, written);
	if (dev_resize(cut))
		die("resize to %#" PRIx64 ": %s", cut, strerror(errno));
	model_resize(cut);
	if (kept_end > S)
		huge_kept++;
	if (verbose())
		out("fuzz: %6" PRIu64 " %s: kept end %#" PRIx64 "\n", call_idx, desc,
		    kept_end);

	/* below the new end nothing changed: read(2), the mapping */
	for (uint64_t o = 0; o < cut; o += sizeof(pbuf)) {
		uint64_t n = min64(sizeof(pbuf), cut - o);

		if (pread(fd_dev, pbuf, n, (off_t)o) != (ssize_t)n) {
			fail("huge-shrink: pread at %#" PRIx64 ": %s", o, strerror(errno));
			break;
		}
		if (memcmp(pbuf, shadow + o, n)) {
			uint64_t k = 0;

			while (pbuf[k] == shadow[o + k])
				k++;
			fail("huge-shrink: object offset %#" PRIx64 " reads %#x (pread), "
			     "expected %#x: data below the new end %#" PRIx64 " lost",
			     o + k, pbuf[k], shadow[o + k], cut);
			resync(0, cut);
			break;
		}
	}
	for (uint64_t o = 0; o < cut; o += 1 + rndn(ps)) {
		sig = probe(m + o, false, &v);
		if (sig || v != shadow[o]) {
			fail("huge-shrink: offset %#" PRIx64 " gave %s %#x through the "
			     "mapping, expected %#x (below the new end %#" PRIx64 ")",
			     o, sig ? "a signal" : "data", v, shadow[o], cut);
			break;
		}
	}
	res = resident_now();
	if (res < written || res > kept_end / ps)
		fail("huge-shrink: resident_pages %" PRIu64 " after the shrink to %#"
		     PRIx64 ", with %" PRIu64 " pages below it written (at most %"
		     PRIu64 ")", res, cut, written, kept_end / ps);
	sig = probe(m + cut, false, &v);
	if (sig != SIGBUS && !(!sig && past_end_ok(cut, v)))
		fail("huge-shrink: the new end %#" PRIx64 " gave %s %#x, expected SIGBUS",
		     cut, sig ? "a signal" : "data", v);
	v = 1;
	sig = probe(m + pmd, true, &v);
	if (sig != SIGBUS)
		fail("huge-shrink: a store past the huge page (offset %#" PRIx64
		     ") gave %s, expected SIGBUS", pmd, sig ? "another signal" : "no signal");

	/* the pipe: the page as it is, its data below the end, zero past it */
	if (read(pfd[0], pbuf, ps) != (ssize_t)ps) {
		fail("huge-shrink: read from the pipe: %s", strerror(errno));
	} else {
		for (uint64_t i = 0; i < ps; i++) {
			if (pbuf[i] != pexp[i]) {
				fail("huge-shrink: the pipe's page %" PRIu64 " reads %#x at +%#"
				     PRIx64 ", expected %#x", pk, pbuf[i], i, pexp[i]);
				break;
			}
		}
	}
	close(pfd[0]);
	close(pfd[1]);
	munmap(m, len);
	counts[0] += 3;		/* the three resizes */
}

/* ------------------------------------------------------------------ */
/* Consistency after each batch                                         */

static void batch_check(bool deep)
{
	static uint8_t buf[CAP];
	struct vmmap_info in;
	struct vmmap_counters st;
	off_t end;
	char *m;
	uint8_t v;
	int sig;

	D("consistency check after call %" PRIu64, call_idx);
	checks_done++;
	refresh_maps();
	memset(&in, 0, sizeof(in));
	if (ioc(fd_dev, VMMAP_IOC_GET_INFO, &in) || vmmap_read_counters(&st))
		die("GET_INFO/counters: %s", strerror(errno));
	end = lseek(fd_dev, 0, SEEK_END);
	if (in.object_size != S || (uint64_t)end != S)
		fail("object_size %" PRIu64 ", lseek(SEEK_END) %jd, model %" PRIu64,
		     (uint64_t)in.object_size, (intmax_t)end, S);
	/* plus the tail of a huge page a shrink kept whole */
	if (in.resident_pages > kept_end / ps)
		fail("resident_pages %" PRIu64 " > %" PRIu64 " (object_size/page%s)",
		     (uint64_t)in.resident_pages, kept_end / ps,
		     kept_end > S ? ", up to the end of a kept huge page" : "");
	if (in.dirty_pages > in.resident_pages)
		fail("dirty_pages %" PRIu64 " > resident_pages %" PRIu64,
		     (uint64_t)in.dirty_pages, (uint64_t)in.resident_pages);
	if (in.live_vmas != live_base + dev_vmas)
		fail("live_vmas %" PRIu64 ", but %d VMAs of %s in /proc/self/maps",
		     (uint64_t)in.live_vmas, dev_vmas, DEV);
	if (st.pages_allocated - st.pages_freed != in.resident_pages)
		fail("pages_allocated %" PRIu64 " - pages_freed %" PRIu64
		     " != resident_pages %" PRIu64, (uint64_t)st.pages_allocated,
		     (uint64_t)st.pages_freed, (uint64_t)in.resident_pages);

	/* read(2) sees the shadow */
	if (pread(fd_dev, buf, S, 0) != (ssize_t)S) {
		fail("pread of the whole object failed: %s", strerror(errno));
	} else if (memcmp(buf, shadow, S)) {
		uint64_t k = 0;

		while (buf[k] == shadow[k])
			k++;
		fail("object offset %#" PRIx64 " reads %#x (pread), expected %#x",
		     k, buf[k], shadow[k]);
		memcpy(shadow, buf, S);
	}
	/* a fresh mapping sees the same, and SIGBUS at the end */
	m = mmap(NULL, S + ps, PROT_READ, MAP_SHARED, fd_dev, 0);
	if (m == MAP_FAILED)
		die("mmap for the check: %s", strerror(errno));
	for (uint64_t o = 0; o < S; o += 1 + rndn(2 * ps)) {
		sig = probe(m + o, false, &v);
		if (sig || v != shadow[o]) {
			fail("fresh mapping: offset %#" PRIx64 " gave %s %#x, expected %#x",
			     o, sig ? "a signal" : "data", v, shadow[o]);
			break;
		}
	}
	sig = probe(m + S, false, &v);
	if (sig != SIGBUS && !(!sig && past_end_ok(S, v)))
		fail("fresh mapping: offset %#" PRIx64 " (the size) gave %s, expected SIGBUS",
		     S, sig == SIGSEGV ? "SIGSEGV" : sig ? "a signal" : "data");
	munmap(m, S + ps);

	if (deep) {
		if (fsync(fd_dev) || ioc(fd_dev, VMMAP_IOC_GET_INFO, &in) || in.dirty_pages)
			fail("dirty_pages %" PRIu64 " after fsync", (uint64_t)in.dirty_pages);
		if (dev_resize(0) || ioc(fd_dev, VMMAP_IOC_GET_INFO, &in) ||
		    in.resident_pages || in.dirty_pages || in.object_size)
			fail("after resize to 0: size %" PRIu64 " resident %" PRIu64
			     " dirty %" PRIu64, (uint64_t)in.object_size,
			     (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages);
		model_resize(0);
		if (dev_resize(ps * rndn(CAP / ps / 4)))
			die("resize: %s", strerror(errno));
		model_resize(lseek(fd_dev, 0, SEEK_END));
	}

	/* a fresh arena: splits must not pile up */
	if (mmap(arena, ARENA, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
		 MAP_NORESERVE, -1, 0) != arena)
		die("arena reset: %s", strerror(errno));
	refresh_maps();
}

/* ------------------------------------------------------------------ */
/* Setup                                                                */

/*
 * Locked mappings get the limits of an unprivileged user: RLIMIT_MEMLOCK and
 * no CAP_IPC_LOCK, so MAP_LOCKED and mremap of a locked mapping fail with
 * EAGAIN past MEMLOCK. Without the limit a MAP_LOCKED mapping of terabytes
 * is accepted, and before 5.18 munmap unlocked it one page at a time
 * (munlock_vma_pages_range): 5.10 under TCG spent hours in that munmap.
 */
static void limit_mlock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	struct rlimit rl = { MEMLOCK, MEMLOCK };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		die("setrlimit(RLIMIT_MEMLOCK): %s", strerror(errno));
	if (syscall(SYS_capget, &h, d))
		die("capget: %s", strerror(errno));
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].inheritable &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	if (syscall(SYS_capset, &h, d))
		die("capset: %s", strerror(errno));
}

static void *must_map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

static void setup(void)
{
	struct vmmap_info in = { 0 };
	struct sigaction sa;
	char *r;

	ps = sysconf(_SC_PAGESIZE);
	pmd = ps * (ps / 8);
	out("fuzz: %" PRIu64 " calls, seed %" PRIu64 ", batch %" PRIu64 ", page %zu\n",
	    ncalls, seed, batch, ps);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	fd_dev = open(DEV, O_RDWR | O_CLOEXEC);
	if (fd_dev < 0)
		die("open %s: %s", DEV, strerror(errno));
	if (ioc(fd_dev, VMMAP_IOC_GET_INFO, &in))
		die("GET_INFO: %s", strerror(errno));
	if (in.page_size != ps)
		die("driver page size %u, ours %zu", in.page_size, ps);
	if (in.live_vmas) {
		/* nobody else may map it while we run: the count is wrong, or
		 * someone does; compare against this baseline from now on */
		D("setup");
		fail("live_vmas is %" PRIu64 " before this process maps anything",
		     (uint64_t)in.live_vmas);
		live_base = in.live_vmas;
	}
	max_size = in.max_size;
	orig_size = in.object_size;
	huge_on = vmmap_huge_param();
	may_map_eof = !vmmap_kernel_guards_eof();
	if (max_size < CAP)
		die("max_size %" PRIu64 " below %lu", max_size, CAP);
	S = CAP / 4;
	if (dev_resize(0) || dev_resize(S))
		die("resize: %s", strerror(errno));
	limit_mlock();
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap_fd < 0)
		die("open pagemap: %s", strerror(errno));

	/*
	 * Our memory, all before the arena so that nothing of ours lands in
	 * it, each buffer followed by a PROT_NONE page so that a copy running
	 * off its end faults right there:
	 *   guard scratch guard ro guard none guard iov guard devbuf guard
	 */
	r = must_map(SCRATCH + DEVBUF_PAGES * ps + 10 * ps, PROT_NONE);
	scratch = r + ps;
	scratch_guard = scratch + SCRATCH;
	ro_page = scratch_guard + ps;
	none_page = ro_page + 2 * ps;
	iov_area = (struct iovec *)(none_page + 2 * ps);
	devbuf = (char *)iov_area + 2 * ps;
	if (mprotect(scratch, SCRATCH, PROT_READ | PROT_WRITE) ||
	    mprotect(ro_page, ps, PROT_READ) ||
	    mprotect(iov_area, ps, PROT_READ | PROT_WRITE))
		die("mprotect: %s", strerror(errno));
	if (mmap(devbuf, DEVBUF_PAGES * ps, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd_dev, 0) != devbuf)
		die("mmap of the object: %s", strerror(errno));
	probe_mremap();
	probe_task_size();
	/* the arena, PMD aligned, between PROT_NONE guards */
	r = must_map(ARENA + 2 * GUARD_PAGES * ps + pmd, PROT_NONE);
	arena = (char *)(((uintptr_t)r + GUARD_PAGES * ps + pmd - 1) & ~(uintptr_t)(pmd - 1));

	for (int i = 0; i < NFDS; i++) {
		fds[i].fd = open(DEV, O_RDWR | O_CLOEXEC);
		fds[i].acc = O_RDWR;
		if (fds[i].fd < 0)
			die("open: %s", strerror(errno));
	}
	refresh_maps();
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vmmap-fuzz [-n CALLS] [-s SEED] [-b BATCH] [-v FROM] [-R]\n"
		"  -n  calls to make (default 100000)\n"
		"  -s  seed (default 1); the same seed makes the same calls\n"
		"  -b  calls between consistency checks (default 1000)\n"
		"  -v  print every call from index FROM on\n"
		"  -R  keep address space randomisation (not reproducible)\n");
	exit(2);
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	bool keep_aslr = false;
	struct timespec t0, t1;
	int c;

	while ((c = getopt(argc, argv, "n:s:b:v:Rh")) != -1) {
		switch (c) {
		case 'n': ncalls = num(optarg); break;
		case 's': seed = num(optarg); break;
		case 'b': batch = num(optarg); break;
		case 'v': verbose_from = (int64_t)num(optarg); break;
		case 'R': keep_aslr = true; break;
		default: usage();
		}
	}
	if (optind != argc || !batch)
		usage();
	/* the same addresses every run: re-execute without randomisation */
	if (!keep_aslr) {
		int pers = personality(0xffffffff);

		if (pers != -1 && !(pers & ADDR_NO_RANDOMIZE)) {
			personality(pers | ADDR_NO_RANDOMIZE);
			execv("/proc/self/exe", argv);
			/* if that fails, carry on randomised */
		}
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	rng_state = mix64(seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	setup();

	for (call_idx = 0; call_idx < ncalls; call_idx++) {
		unsigned int x = rndn(100);

		if (x < 12) op_ioctl(false);
		else if (x < 18) op_ioctl(true);
		else if (x < 30) op_mmap();
		else if (x < 36) op_munmap();
		else if (x < 42) op_mprotect();
		else if (x < 47) op_mremap();
		else if (x < 52) op_madvise();
		else if (x < 56) op_msync();
		else if (x < 72) op_touch();
		else if (x < 86) op_rw();
		else if (x < 92) op_lseek();
		else if (x < 95) op_fsync();
		else if (x < 99 || !huge_on || rndn(2 * (pmd >> 21 ? pmd >> 21 : 1))) op_open();
		else op_huge();
		if ((call_idx + 1) % batch == 0)
			batch_check((call_idx + 1) % (10 * batch) == 0);
	}
	batch_check(true);
	dev_resize(orig_size);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out("fuzz: ioctl %" PRIu64 " mmap %" PRIu64 " munmap %" PRIu64 " mprotect %"
	    PRIu64 " mremap %" PRIu64 " madvise %" PRIu64 " msync %" PRIu64
	    " touch %" PRIu64 " read %" PRIu64 " write %" PRIu64 " lseek %" PRIu64
	    " fsync %" PRIu64 " open %" PRIu64 " huge-shrink %" PRIu64 " (huge page %"
	    PRIu64 ", kept whole %" PRIu64 "); %" PRIu64 " consistency checks; %.1f s\n",
	    counts[0], counts[1], counts[2], counts[3], counts[4], counts[5],
	    counts[6], counts[7], counts[8], counts[9], counts[10], counts[11],
	    counts[12], counts[13], huge_got, huge_kept, checks_done,
	    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	out("fuzz: %" PRIu64 " calls, seed %" PRIu64 ", %" PRIu64 " failures\n",
	    call_idx, seed, failures);
	return failures ? 1 : 0;
}
