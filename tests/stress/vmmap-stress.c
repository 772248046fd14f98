// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: many processes and threads on /dev/vmmap at once, with data
 * checks wherever the driver's semantics define the result, and workers
 * killed mid-operation and respawned.
 *
 *   vmmap-stress [-d SECONDS] [-p PROCS] [-t THREADS] [-s SEED]
 *                [-r PAGES] [-T PAGES] [-k MS] [-H] [-v]
 *
 * Layout of the object (P = page size):
 *
 *   [0, base)              one region of -r pages per worker thread, written
 *                          only by that thread: words hold stamp(offset, gen)
 *                          and the expected gen of every word is kept in
 *                          shared memory, so a respawned worker knows it
 *   [base, base+tailmax)   the tail: only the resizer process changes the
 *                          object's size inside it (grow and shrink) and only
 *                          it writes there (tail stamps); workers read it
 *                          racing with the resizes
 *   [tail end, hbase)      a gap up to the next huge page (PMD) boundary
 *   [hbase, hbase+2*PMD)   the huge window (not with -H): inside the object
 *                          only during a "huge round" of the resizer, which
 *                          grows the object over it, has the first fault
 *                          through its PMD-aligned mapping allocate the first
 *                          PMD as one huge page (2 MiB; 32 MiB on 16K pages),
 *                          stamps some of its pages, and shrinks to a size
 *                          inside it that is not PMD-aligned while workers
 *                          race it (fault after MADV_DONTNEED, read(2),
 *                          re-dirty + fsync, vmsplice into a pipe held for a
 *                          while) and, half the time, a pipe of its own holds
 *                          one of its pages; then back into the tail. 3% of
 *                          the resizer's operations (fewer with bigger PMDs)
 *   [window end, +guard)   never inside the object: every access is SIGBUS
 *
 * How the checks stay well defined while sizes change:
 *  - tail resizes are published through a seqlock (odd while the ioctl runs);
 *    a worker probing the tail reads the sequence before and after its access:
 *    if it did not move, the size was known for the whole access, so the
 *    result is exact (data below the size, SIGBUS at or past it); otherwise
 *    SIGBUS or tail data are both fine, SIGSEGV never is;
 *  - "wipes" shrink the whole object (to 0 or into the worker regions) and
 *    regrow it; they take a process-shared rwlock for writing. The lock is an
 *    OFD lock (fcntl F_OFD_SETLKW) on a temporary file, one open per thread:
 *    unlike a pthread rwlock it is released when its holder is SIGKILLed.
 *    Workers hold it for reading around every operation on their region; a
 *    wipe rewrites their expected state to zero past the cut, so "a regrown
 *    range reads zero" is checked by every worker afterwards;
 *  - a write a worker was killed in the middle of is recorded before it
 *    starts (word range, old and new gen): a respawned worker accepts either
 *    value per word there, then rewrites the range;
 *  - the huge window is checked like the tail (seqlock), per page: filled
 *    (exactly its stamps while the size covers it), or zero;
 *  - a shrink inside a huge page that something holds keeps the page whole
 *    (its tail zeroed): resident_pages may then exceed size/page, up to the
 *    size rounded up to the PMD size, and on kernels before 6.18, which may
 *    map such a page across i_size, an access just past the size may read
 *    that zeroed tail instead of SIGBUS (the resizer publishes where, with
 *    the size: kept_end). Nothing else is loosened.
 *
 * Checked: coherence of shared mappings, read(2), a second mapping, another
 * process (fork); MAP_PRIVATE writes never reaching the object and private
 * pages reflecting the object until written; SIGBUS (not SIGSEGV, not data)
 * past the size, SIGSEGV for protection; regrown ranges reading zero; private
 * COW copies dropped by a shrink; write(2) from, and read(2) into, a mapping
 * of the same page; data surviving munmap/mprotect splits, mremap, madvise
 * (incl. MADV_PAGEOUT), msync/fsync, close of the fd; GET_INFO consistency;
 * data below the new end of a shrink inside a populated huge page that
 * others fault, read, fsync or hold in a pipe meanwhile (issue 14: it read
 * back as zeroes), through read(2), the mapping, resident_pages and the
 * pipe, and zeroes past the cut after a regrow. Every mismatch is printed
 * (the first 40) and counted; the exit status is 1 if there was any, or if a
 * process died unexpectedly or hung.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmmap.h"
#include "libvmmap.h"
#include "splitmix.h"

#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define DEV "/dev/vmmap"
#define RW (PROT_READ | PROT_WRITE)
#define TAIL_GEN 0xffffffffu
#define MAX_MSGS 40

#define barrier() __asm__ __volatile__("" ::: "memory")
#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)

/* ------------------------------------------------------------------ */
/* Operations and their counters                                        */

enum wop {
	W_IDLE,
	W_MAPWRITE,	/* store stamps through the thread's mapping */
	W_CWRITE,	/* store through the process-wide mapping */
	W_PWRITE,	/* write(2)/writev(2) */
	W_VERIFY,	/* read back through a mapping or read(2) */
	W_PRIVATE,	/* MAP_PRIVATE COW against the object */
	W_MREMAP,	/* grow/shrink/move/dontunmap */
	W_MUNMAP,	/* punch a page out, map it back */
	W_MPROTECT,	/* read-only and PROT_NONE piece: SIGSEGV */
	W_FORK,		/* a child writes through the inherited mapping */
	W_SYNC,		/* msync(MS_SYNC) between writes, fsync */
	W_OPEN,		/* map through a new fd and close it; O_RDONLY */
	W_MADVISE,	/* DONTNEED, PAGEOUT, COLD, POPULATE_* */
	W_SELFCOPY,	/* write(2) from / read(2) into a mapping of the page */
	W_TAIL,		/* probe the tail racing with resizes */
	W_GUARD,	/* probe past any size: always SIGBUS */
	W_HUGE,		/* race a huge round: fault, read, fsync, vmsplice */
	W_NOPS
};

static const char *const wop_name[W_NOPS] = {
	"idle", "map-write", "cmap-write", "pwrite", "verify", "private",
	"mremap", "munmap", "mprotect", "fork", "sync", "open-close",
	"madvise", "self-copy", "tail-probe", "guard-probe", "huge-race",
};

/* Relative frequency of each operation. */
static const int wop_weight[W_NOPS] = {
	0, 14, 6, 10, 14, 6, 5, 4, 4, 3, 6, 4, 5, 4, 12, 3, 6,
};

enum rop {
	R_GROW, R_SHRINK, R_WIPE, R_WIPE0, R_PRIVTRUNC, R_TAILCHECK,
	R_FSYNC, R_HUGE, R_NOPS
};

static const char *const rop_name[R_NOPS] = {
	"grow", "shrink", "wipe", "wipe-to-0", "private-truncate",
	"tail-check", "fsync", "huge-shrink",
};

struct slot {
	int op;			/* enum wop running now (for the killer) */
	int transit;		/* words [ta, tb) are being written */
	uint32_t ta, tb;
	uint32_t gen;		/* last generation used */
	uint32_t pad;
	uint64_t ops[W_NOPS];
	uint64_t words;		/* words compared */
	uint64_t sigbus;	/* expected SIGBUS seen */
	uint64_t sigsegv;	/* expected SIGSEGV seen */
	uint64_t unstable;	/* tail probes that raced a resize */
	uint64_t enomem;	/* mremap/mmap refused for lack of room */
	uint64_t hraces;	/* huge-race operations that found a round */
	uint64_t hkind[4];	/* ... by kind: fault, read, fsync, vmsplice */
	uint64_t mismatches;
};

struct shared {
	/* the size seqlock: seq is odd while the size may be changing */
	uint64_t seq;
	uint64_t size;
	int wipe;		/* a wipe wants or holds the write lock */
	int stop;
	uint64_t epoch;		/* wipes done */

	int rop_now;		/* resizer: enum rop running, or -1 */
	uint32_t fill_transit;	/* tail page being filled, plus one */
	uint64_t rops[R_NOPS];
	uint64_t r_words, r_sigbus, r_mismatches;

	/* the end of a huge page the last shrink kept whole (resident_pages
	 * past size/page), rounded up to the PMD size; else the size itself.
	 * Published with the size, under the seqlock. */
	uint64_t kept_end;
	uint64_t hgen;		/* huge rounds: odd while racers are wanted */
	uint64_t hjoin;		/* hgen of the last round a racer joined */
	/* huge rounds: done, got a huge page, a pipe held a page of it, the
	 * shrink kept it whole (split failed), or split/freed it */
	uint64_t h_rounds, h_huge, h_pipe, h_kept, h_split;

	uint64_t mismatches;	/* all of them */
	uint64_t msgs;
	uint64_t sigbus_seen;	/* every expected SIGBUS, for the stats check */
};

/* ------------------------------------------------------------------ */
/* Configuration and global state (set before any fork)                 */

static unsigned int opt_secs = 60, opt_procs = 4, opt_threads = 4;
static unsigned int opt_rpages = 16, opt_tpages = 64, opt_kill_ms = 300;
static uint64_t opt_seed = 1;
static bool opt_verbose, opt_huge = true;

static size_t ps;		/* page size */
static size_t pmd;		/* huge page size: ps * ps / 8 */
static bool huge_on;		/* /sys/module/vmmap/parameters/huge is Y */
static bool may_map_eof;	/* the kernel may map a kept huge page's
				 * zeroed tail past the size (before 6.18) */
static unsigned int nslots;	/* opt_procs * opt_threads */
static size_t rlen;		/* bytes per worker region */
static size_t rwords;		/* words per worker region */
static uint64_t base, tailmax, guard, maplen;
static uint64_t tend, hbase, hend;	/* tail end; the huge window */

static struct shared *sh;
static struct slot *slots;
static uint32_t *cur_all, *prev_all;	/* nslots * rwords each */
static uint8_t *tail_filled;		/* one per tail page */
static uint8_t *hfilled;		/* one per window page: 0, 1 filled,
					 * 2 being filled */
static char lock_path[256];

static uint32_t *cur_of(unsigned int s) { return cur_all + (size_t)s * rwords; }
static uint32_t *prev_of(unsigned int s) { return prev_all + (size_t)s * rwords; }

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */


/* The word at object offset @off written with generation @gen. */
static uint64_t stamp(uint64_t off, uint32_t gen)
{
	if (!gen)
		return 0;
	return mix64(off * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)gen << 32 | gen) ^
		     0x766d6d6170ULL) | 1;
}

static void fill_stamps(uint64_t *dst, uint64_t off, size_t n, uint32_t gen)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = stamp(off + 8 * i, gen);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static __thread char who[32] = "supervisor";

/* Unbuffered stderr, shared by threads and forked workers. */
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(2, fmt, ap);
	va_end(ap);
}

/* Count a mismatch in @ctr and in the total; print the first MAX_MSGS. */
static void mismatch(uint64_t *ctr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	ADD(ctr, 1);
	ADD(&sh->mismatches, 1);
	if (ADD(&sh->msgs, 1) > MAX_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("stress: MISMATCH [%s pid %d] %s\n", who, (int)getpid(), buf);
}

static void die(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("stress: [%s] %s\n", who, buf);
	exit(2);
}

static int dev_open(int flags)
{
	int fd = open(DEV, flags | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	return fd;
}

static int ioc_info(int fd, struct vmmap_info *in)
{
	memset(in, 0, sizeof(*in));
	return ioctl(fd, VMMAP_IOC_GET_INFO, in);
}

/* The counters are root-only sysfs files now (libvmmap). */
static int ioc_stats(int fd, struct vmmap_counters *st)
{
	(void)fd;
	return vmmap_read_counters(st);
}

static int ioc_resize(int fd, uint64_t size)
{
	struct vmmap_resize r = { .new_size = size };

	return ioctl(fd, VMMAP_IOC_RESIZE, &r);
}

/* pread/pwrite that insist on the whole length; -1 with errno, or the count. */
static ssize_t pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* ------------------------------------------------------------------ */
/* Faulting accesses: SIGBUS/SIGSEGV come back as a return value        */

/* volatile: the stores around the access loop must not be optimised away */
static __thread sigjmp_buf *volatile probe_jb;
static __thread volatile int probe_sig;
static __thread void *volatile probe_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (probe_jb) {
		probe_sig = sig;
		probe_addr = si->si_addr;
		siglongjmp(*probe_jb, 1);
	}
	say("stress: [%s pid %d] unexpected signal %d at %p outside a probe\n",
	    who, (int)getpid(), sig, si->si_addr);
	_exit(70);
}

static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	/* SA_NODEFER: siglongjmp leaves the handler without sigprocmask. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/*
 * Copy @n words from @src to @dst, either of which may be a mapping that
 * faults; returns the signal that stopped the copy, or 0.
 */
static int probe_copy(volatile uint64_t *dst, const volatile uint64_t *src,
		      size_t n)
{
	sigjmp_buf jb;
	volatile size_t i = 0;

	if (sigsetjmp(jb, 0)) {
		probe_jb = NULL;
		return probe_sig;
	}
	probe_jb = &jb;
	barrier();
	for (; i < n; i++)
		dst[i] = src[i];
	barrier();
	probe_jb = NULL;
	return 0;
}

/* Load @n words from a mapping at @src; returns the signal or 0. */
static int probe_load(const void *src, uint64_t *dst, size_t n)
{
	return probe_copy(dst, src, n);
}

/* Store @n words to a mapping at @dst; returns the signal or 0. */
static int probe_store(void *dst, const uint64_t *src, size_t n)
{
	return probe_copy(dst, src, n);
}

/*
 * Dirty the page of @p without changing its data: compare-and-swap the word
 * with itself (a write access, atomic, so no racing write is undone).
 * Returns the signal or 0.
 */
static int probe_redirty(void *p)
{
	volatile uint64_t *q = p;
	sigjmp_buf jb;

	if (sigsetjmp(jb, 0)) {
		probe_jb = NULL;
		return probe_sig;
	}
	probe_jb = &jb;
	barrier();
	{
		uint64_t v = __atomic_load_n(q, __ATOMIC_RELAXED);

		__atomic_compare_exchange_n(q, &v, v, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
	}
	barrier();
	probe_jb = NULL;
	return 0;
}

static const char *signame(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" :
	       sig ? "signal" : "no signal";
}

/* ------------------------------------------------------------------ */
/* Huge pages kept whole by a shrink                                    */

static uint64_t round_up_pmd(uint64_t x)
{
	return (x + pmd - 1) / pmd * pmd;
}

/*
 * The most pages an object of @size bytes may hold: its own, plus the tail of
 * the one huge page a shrink keeps whole when something holds a reference to
 * it (zeroed, until the object grows over it or shrinks below it).
 */
static uint64_t resident_max(uint64_t size)
{
	return (huge_on ? round_up_pmd(size) : size) / ps;
}

/*
 * kept_end for @size, right after a resize to it (see struct shared): the
 * page at @size is still in the object's page cache (mincore(2) of a
 * mapping there looks it up) only if a huge page straddling the new end
 * was kept whole.
 */
static uint64_t kept_of(int fd, uint64_t size)
{
	unsigned char vec = 0;
	void *p;

	if (!huge_on || size % pmd == 0)
		return size;
	p = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, (off_t)size);
	if (p == MAP_FAILED)
		die("mmap at %#" PRIx64 ": %s", size, strerror(errno));
	if (mincore(p, ps, &vec))
		die("mincore: %s", strerror(errno));
	munmap(p, ps);
	return vec & 1 ? round_up_pmd(size) : size;
}

/*
 * Data at @off past @size is allowed only where a kernel that maps a large
 * folio across i_size (6.1) may map the zeroed tail of a kept huge page.
 */
static bool past_end_ok(uint64_t off, uint64_t kept, uint64_t v)
{
	return may_map_eof && off < kept && v == 0;
}

/* ------------------------------------------------------------------ */
/* The process-shared rwlock: an OFD lock, dropped when its holder dies */

static int lock_open(void)
{
	int fd = open(lock_path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", lock_path, strerror(errno));
	return fd;
}

static void ofd_lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 1 };

	while (fcntl(fd, F_OFD_SETLKW, &fl))
		if (errno != EINTR)
			die("F_OFD_SETLKW: %s", strerror(errno));
}

/* Readers yield to a pending wipe (fcntl locks would let them starve it). */
static void rd_lock(int fd)
{
	for (;;) {
		while (LOAD(&sh->wipe))
			msleep(1);
		ofd_lock(fd, F_RDLCK);
		if (!LOAD(&sh->wipe))
			return;
		ofd_lock(fd, F_UNLCK);
	}
}

static void wr_lock(int fd)
{
	STORE(&sh->wipe, 1);
	ofd_lock(fd, F_WRLCK);
}

static void wr_unlock(int fd)
{
	STORE(&sh->wipe, 0);
	ofd_lock(fd, F_UNLCK);
}

/* ------------------------------------------------------------------ */
/* Worker threads                                                       */

struct wctx {
	unsigned int id;	/* slot */
	struct slot *sl;
	uint32_t *cur, *prev;
	uint64_t roff;		/* object offset of the region */
	int fd, lfd;
	char *A;		/* this thread's shared mapping of the region */
	bool A_split;		/* A is several VMAs now (munmap/mprotect) */
	char *C;		/* the process's mapping of [0, maplen) */
	uint64_t rng;
	uint64_t *buf, *buf2;	/* rlen bytes each */
	uint64_t *hbuf;		/* one page */
	int pfd[2];		/* a pipe for vmsplice, or -1 */
};

static uint64_t woff(struct wctx *w, uint32_t word)
{
	return w->roff + 8 * (uint64_t)word;
}

/*
 * Compare words [wa, wa + n) of the region with what they must hold; words
 * being written when a previous incarnation was killed may hold either value.
 */
static bool region_check(struct wctx *w, uint32_t wa, size_t n,
			 const uint64_t *got, const char *op, const char *via)
{
	struct slot *sl = w->sl;

	ADD(&sl->words, n);
	for (size_t i = 0; i < n; i++) {
		uint32_t k = wa + i;
		uint64_t exp = stamp(woff(w, k), w->cur[k]);

		if (got[i] == exp)
			continue;
		if (sl->transit && k >= sl->ta && k < sl->tb &&
		    got[i] == stamp(woff(w, k), w->prev[k]))
			continue;
		mismatch(&sl->mismatches,
			 "%s: offset %#" PRIx64 " via %s: got %#" PRIx64
			 ", expected %#" PRIx64 " (gen %u%s)",
			 op, woff(w, k), via, got[i], exp, w->cur[k],
			 w->cur[k] ? "" : ", i.e. zero");
		return false;
	}
	return true;
}

/* Record that [wa, wb) is about to get a new generation; returns it. */
static uint32_t write_begin(struct wctx *w, uint32_t wa, uint32_t wb)
{
	struct slot *sl = w->sl;
	uint32_t gen;

	for (uint32_t k = wa; k < wb; k++)
		w->prev[k] = w->cur[k];
	barrier();
	sl->ta = wa;
	sl->tb = wb;
	barrier();
	sl->transit = 1;
	barrier();
	gen = ++sl->gen;
	if (gen == TAIL_GEN || gen == 0)
		gen = sl->gen = 1;
	for (uint32_t k = wa; k < wb; k++)
		w->cur[k] = gen;
	barrier();
	return gen;
}

static void write_end(struct wctx *w)
{
	barrier();
	w->sl->transit = 0;
	barrier();
}

/* Rewrite the whole region with a fresh generation after a mismatch. */
static void region_repair(struct wctx *w)
{
	uint32_t gen = write_begin(w, 0, rwords);

	fill_stamps(w->buf, w->roff, rwords, gen);
	if (pwrite(w->fd, w->buf, rlen, (off_t)w->roff) != (ssize_t)rlen)
		die("region repair: pwrite: %s", strerror(errno));
	write_end(w);
}

/* A random word range inside the region: up to two pages, any alignment. */
static void pick_range(struct wctx *w, uint32_t *wa, size_t *n)
{
	size_t wpp = ps / 8, max;

	*wa = splitmix_below(&w->rng, rwords);
	max = rwords - *wa;
	if (max > 2 * wpp)
		max = 2 * wpp;
	switch (splitmix_below(&w->rng, 3)) {
	case 0: /* whole pages */
		*wa -= *wa % wpp;
		*n = wpp * (1 + splitmix_below(&w->rng, 2));
		if (*n > rwords - *wa)
			*n = rwords - *wa;
		break;
	default:
		*n = 1 + splitmix_below(&w->rng, max);
	}
}

/* Read words [wa, wa + n) by one of the ways there are: 0, a signal, or -1
 * for a read(2) that failed (already counted). */
static int read_via(struct wctx *w, int how, uint32_t wa, size_t n,
		    uint64_t *dst, const char **via)
{
	struct iovec iov[2];
	size_t half;
	ssize_t r;

	switch (how) {
	case 0:
		*via = "thread mapping";
		return probe_load(w->A + 8 * (size_t)wa, dst, n);
	case 1:
		*via = "process mapping";
		return probe_load(w->C + woff(w, wa), dst, n);
	case 2:
		*via = "pread";
		r = pread_all(w->fd, dst, 8 * n, woff(w, wa));
		break;
	default:
		*via = "preadv";
		half = n / 2;
		iov[0].iov_base = dst;
		iov[0].iov_len = 8 * half;
		iov[1].iov_base = dst + half;
		iov[1].iov_len = 8 * (n - half);
		r = preadv(w->fd, iov, 2, (off_t)woff(w, wa));
		break;
	}
	if (r != (ssize_t)(8 * n)) {
		mismatch(&w->sl->mismatches,
			 "%s of %zu bytes at %#" PRIx64 " returned %zd (%s)",
			 *via, 8 * n, woff(w, wa), r, r < 0 ? strerror(errno) : "short");
		return -1;
	}
	return 0;
}

static bool verify(struct wctx *w, int how, uint32_t wa, size_t n,
		   const char *op)
{
	const char *via;
	int sig = read_via(w, how, wa, n, w->buf2, &via);

	if (sig < 0)
		return false;
	if (sig) {
		mismatch(&w->sl->mismatches,
			 "%s: %s reading own region at %#" PRIx64 " via %s",
			 op, signame(sig), woff(w, wa), via);
		return false;
	}
	return region_check(w, wa, n, w->buf2, op, via);
}

static bool verify_page(struct wctx *w, size_t page, const char *op)
{
	return verify(w, splitmix_below(&w->rng, 4), page * (ps / 8), ps / 8, op);
}

/* Store stamps for [wa, wa + n) through @p (a mapping of the first word). */
static bool store_words(struct wctx *w, char *p, uint32_t wa, size_t n,
			uint32_t gen, const char *op)
{
	int sig;

	fill_stamps(w->buf, woff(w, wa), n, gen);
	sig = probe_store(p, w->buf, n);
	if (sig) {
		mismatch(&w->sl->mismatches, "%s: %s writing own region at %#"
			 PRIx64, op, signame(sig), woff(w, wa));
		return false;
	}
	return true;
}

static char *map_region(struct wctx *w, int fd, int prot, int flags)
{
	char *p = mmap(NULL, rlen, prot, flags, fd, (off_t)w->roff);

	if (p == MAP_FAILED)
		die("mmap of the region (%zu bytes at %#" PRIx64 "): %s", rlen,
		    w->roff, strerror(errno));
	return p;
}

static void op_write(struct wctx *w, int op)
{
	uint32_t wa, gen;
	size_t n;
	bool ok = true;
	ssize_t r;

	pick_range(w, &wa, &n);
	gen = write_begin(w, wa, wa + n);
	if (op == W_MAPWRITE) {
		ok = store_words(w, w->A + 8 * (size_t)wa, wa, n, gen, "map-write");
	} else if (op == W_CWRITE) {
		ok = store_words(w, w->C + woff(w, wa), wa, n, gen, "cmap-write");
	} else {
		fill_stamps(w->buf, woff(w, wa), n, gen);
		if (splitmix_below(&w->rng, 3) == 0 && n > 1) {
			struct iovec iov[2] = {
				{ w->buf, 8 * (n / 2) },
				{ w->buf + n / 2, 8 * (n - n / 2) },
			};
			r = pwritev(w->fd, iov, 2, (off_t)woff(w, wa));
		} else {
			r = pwrite(w->fd, w->buf, 8 * n, (off_t)woff(w, wa));
		}
		if (r != (ssize_t)(8 * n)) {
			mismatch(&w->sl->mismatches, "pwrite of %zu bytes at %#"
				 PRIx64 " returned %zd (%s)", 8 * n, woff(w, wa),
				 r, r < 0 ? strerror(errno) : "short");
			ok = false;
		}
	}
	write_end(w);
	if (!ok) {
		region_repair(w);
		return;
	}
	/* coherence: every other way of looking sees the new words */
	if (!verify(w, op == W_PWRITE ? 0 : 2, wa, n, wop_name[op]) ||
	    !verify(w, op == W_CWRITE ? 0 : 1, wa, n, wop_name[op]))
		region_repair(w);
}

static void op_verify(struct wctx *w)
{
	uint32_t wa;
	size_t n;

	pick_range(w, &wa, &n);
	if (!verify(w, splitmix_below(&w->rng, 4), wa, n, "verify"))
		region_repair(w);
}

static void op_private(struct wctx *w)
{
	size_t pages = rlen / ps, wpp = ps / 8, k, j;
	uint64_t *junk = w->buf;
	uint32_t gen;
	char *P;
	int sig;
	bool ok;

	if (pages < 2)
		return;
	P = map_region(w, w->fd, RW, MAP_PRIVATE);
	k = splitmix_below(&w->rng, pages);
	j = (k + 1 + splitmix_below(&w->rng, pages - 1)) % pages;

	/* before any write the private mapping shows the object */
	sig = probe_load(P + k * ps, w->buf2, wpp);
	ok = !sig && region_check(w, k * wpp, wpp, w->buf2, "private",
				  "private mapping (not yet written)");
	if (sig)
		mismatch(&w->sl->mismatches, "private: %s reading page %zu",
			 signame(sig), k);

	/* a private write: the mapping sees it, the object does not */
	for (size_t i = 0; i < wpp; i++)
		junk[i] = ~stamp(woff(w, k * wpp + i), w->cur[k * wpp + i]);
	sig = probe_store(P + k * ps, junk, wpp);
	if (sig)
		mismatch(&w->sl->mismatches, "private: %s writing page %zu",
			 signame(sig), k);
	sig = probe_load(P + k * ps, w->buf2, wpp);
	if (sig || memcmp(w->buf2, junk, ps))
		mismatch(&w->sl->mismatches,
			 "private: page %zu does not hold its private write (%s)",
			 k, signame(sig));
	ok &= verify(w, 2, k * wpp, wpp, "private (object after private write)");
	ok &= verify(w, 0, k * wpp, wpp, "private (shared view after private write)");

	/* an unwritten private page follows the object */
	gen = write_begin(w, j * wpp, (j + 1) * wpp);
	ok &= store_words(w, w->A + j * ps, j * wpp, wpp, gen, "private");
	write_end(w);
	sig = probe_load(P + j * ps, w->buf2, wpp);
	ok &= !sig && region_check(w, j * wpp, wpp, w->buf2, "private",
				   "private mapping (unwritten page after a shared write)");

	/* MADV_DONTNEED drops the private copy: the object shows again */
	if (madvise(P + k * ps, ps, MADV_DONTNEED))
		mismatch(&w->sl->mismatches, "private: madvise(DONTNEED): %s",
			 strerror(errno));
	sig = probe_load(P + k * ps, w->buf2, wpp);
	ok &= !sig && region_check(w, k * wpp, wpp, w->buf2, "private",
				   "private mapping after MADV_DONTNEED");
	munmap(P, rlen);
	if (!ok)
		region_repair(w);
}

/* Replace the thread mapping, wherever its pieces are now. */
static void remap_A(struct wctx *w)
{
	w->A = map_region(w, w->fd, RW, MAP_SHARED);
	w->A_split = false;
}

static void op_mremap(struct wctx *w)
{
	size_t pages = rlen / ps;
	char *p, *t;
	uint64_t probe[1];
	int sig;

	/* mremap works on one VMA: VMAs of a driver with ->close never merge
	 * back, so a mapping split by munmap or mprotect is made anew */
	if (w->A_split) {
		munmap(w->A, rlen);
		remap_A(w);
	}
	switch (splitmix_below(&w->rng, 3)) {
	case 0: /* grow by a page (may move), check, shrink back in place */
		p = mremap(w->A, rlen, rlen + ps, MREMAP_MAYMOVE);
		if (p == MAP_FAILED) {
			if (errno != ENOMEM)
				mismatch(&w->sl->mismatches, "mremap grow: %s",
					 strerror(errno));
			ADD(&w->sl->enomem, 1);
			return;
		}
		w->A = p;
		/* the extra page is the next region: inside the object */
		sig = probe_load(p + rlen, probe, 1);
		if (sig && w->id + 1 < nslots)
			mismatch(&w->sl->mismatches,
				 "mremap: %s reading the grown page (offset %#"
				 PRIx64 ", below the size)", signame(sig),
				 w->roff + rlen);
		else if (sig == SIGBUS)
			ADD(&w->sl->sigbus, 1), ADD(&sh->sigbus_seen, 1);
		p = mremap(w->A, rlen + ps, rlen, 0);
		if (p != w->A)
			mismatch(&w->sl->mismatches, "mremap shrink moved or failed: %s",
				 p == MAP_FAILED ? strerror(errno) : "moved");
		if (p == MAP_FAILED)
			die("mremap shrink failed");
		w->A = p;
		break;
	case 1: /* move to a fixed place */
		t = mmap(NULL, rlen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t == MAP_FAILED) {
			ADD(&w->sl->enomem, 1);
			return;
		}
		p = mremap(w->A, rlen, rlen, MREMAP_MAYMOVE | MREMAP_FIXED, t);
		if (p != t) {
			/* t may be gone already and taken by another thread:
			 * leave it alone */
			mismatch(&w->sl->mismatches, "mremap FIXED: %s",
				 p == MAP_FAILED ? strerror(errno) : "wrong address");
			return;
		}
		w->A = p;
		break;
	default: /* DONTUNMAP: the old range still maps the object */
		p = mremap(w->A, rlen, rlen, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
		if (p == MAP_FAILED) {
			if (errno != EINVAL && errno != ENOMEM)
				mismatch(&w->sl->mismatches, "mremap DONTUNMAP: %s",
					 strerror(errno));
			return;
		}
		/* w->A is still the old range */
		if (!verify_page(w, splitmix_below(&w->rng, pages), "mremap (old range)")) {
			munmap(p, rlen);
			region_repair(w);
			return;
		}
		munmap(w->A, rlen);
		w->A = p;
		break;
	}
	if (!verify_page(w, splitmix_below(&w->rng, pages), "mremap"))
		region_repair(w);
}

static void op_munmap(struct wctx *w)
{
	size_t pages = rlen / ps, k = splitmix_below(&w->rng, pages);
	char *hole = w->A + k * ps, *p;

	if (munmap(hole, ps)) {
		mismatch(&w->sl->mismatches, "munmap of one page: %s", strerror(errno));
		return;
	}
	w->A_split = true;
	if (k > 0 && !verify_page(w, k - 1, "munmap (neighbour)"))
		region_repair(w);
	p = mmap(hole, ps, RW, MAP_SHARED | MAP_FIXED_NOREPLACE, w->fd,
		 (off_t)(w->roff + k * ps));
	if (p != hole) {
		/* another thread's mmap took the hole: start a new mapping */
		if (p != MAP_FAILED)
			munmap(p, ps);
		else if (errno != EEXIST)
			mismatch(&w->sl->mismatches, "mmap FIXED_NOREPLACE into the hole: %s",
				 strerror(errno));
		if (k > 0)
			munmap(w->A, k * ps);
		if (k + 1 < pages)
			munmap(hole + ps, (pages - k - 1) * ps);
		remap_A(w);
	}
	if (!verify_page(w, k, "munmap (page mapped again)"))
		region_repair(w);
}

static void op_mprotect(struct wctx *w)
{
	size_t pages = rlen / ps, wpp = ps / 8, k = splitmix_below(&w->rng, pages);
	size_t x = splitmix_below(&w->rng, wpp);
	char *p = w->A + k * ps;
	uint64_t v = 0x5eed5eed5eed5eedULL;
	int sig;

	if (mprotect(p, ps, PROT_READ)) {
		mismatch(&w->sl->mismatches, "mprotect(PROT_READ): %s", strerror(errno));
		return;
	}
	w->A_split = true;
	sig = probe_store(p + 8 * x, &v, 1);
	if (sig == SIGSEGV && probe_addr == p + 8 * x) {
		ADD(&w->sl->sigsegv, 1);
	} else {
		mismatch(&w->sl->mismatches,
			 "mprotect: write to a read-only page gave %s at %p (expected SIGSEGV at %p)",
			 signame(sig), probe_addr, p + 8 * x);
		if (!sig) {
			mprotect(p, ps, RW);
			region_repair(w);
			return;
		}
	}
	if (!verify(w, 0, k * wpp, wpp, "mprotect (read-only page)"))
		region_repair(w);
	if (mprotect(p, ps, PROT_NONE) == 0) {
		sig = probe_load(p + 8 * x, &v, 1);
		if (sig == SIGSEGV)
			ADD(&w->sl->sigsegv, 1);
		else
			mismatch(&w->sl->mismatches,
				 "mprotect: read of a PROT_NONE page gave %s (expected SIGSEGV)",
				 signame(sig));
	}
	if (mprotect(p, ps, RW))
		die("mprotect back to RW: %s", strerror(errno));
	if (!verify(w, 0, k * wpp, wpp, "mprotect (restored)"))
		region_repair(w);
}

static void op_fork(struct wctx *w)
{
	size_t pages = rlen / ps, wpp = ps / 8, k, j, m;
	uint64_t *junk = w->buf;
	uint32_t gen;
	char *P;
	pid_t pid;
	int st, sig;
	bool ok = true;

	if (pages < 2)
		return;
	k = splitmix_below(&w->rng, pages);
	j = splitmix_below(&w->rng, pages);
	m = (k + 1 + splitmix_below(&w->rng, pages - 1)) % pages;
	P = map_region(w, w->fd, RW, MAP_PRIVATE);
	for (size_t i = 0; i < wpp; i++)
		junk[i] = mix64(i ^ 0xf00d) | 2;
	if (probe_store(P + j * ps, junk, wpp))
		mismatch(&w->sl->mismatches, "fork: signal writing a private page");

	gen = write_begin(w, k * wpp, (k + 1) * wpp);
	pid = fork();
	if (pid < 0) {
		write_end(w);
		munmap(P, rlen);
		ADD(&w->sl->enomem, 1);
		return;
	}
	if (pid == 0) {
		/* the child: the inherited mappings see the same object */
		int bad = 0;

		snprintf(who, sizeof(who), "w%u fork child", w->id);
		if (!verify(w, splitmix_below(&w->rng, 2), m * wpp, wpp, "fork (child)"))
			bad = 1;
		sig = probe_load(P + j * ps, w->buf2, wpp);
		if (sig || memcmp(w->buf2, junk, ps)) {
			mismatch(&w->sl->mismatches,
				 "fork: the child does not see the parent's private page (%s)",
				 signame(sig));
			bad = 1;
		}
		for (size_t i = 0; i < wpp; i++)
			w->buf2[i] = ~junk[i];
		if (probe_store(P + j * ps, w->buf2, wpp))
			bad = 1;
		if (!store_words(w, w->A + k * ps, k * wpp, wpp, gen, "fork (child)"))
			bad = 1;
		_exit(bad ? 3 : 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3)) {
		mismatch(&w->sl->mismatches, "fork: the child died (status %#x)", st);
		ok = false;
	}
	/* its shared write is ours to see, its private write is not */
	ok &= verify(w, 2, k * wpp, wpp, "fork (child's shared write)");
	write_end(w);
	sig = probe_load(P + j * ps, w->buf2, wpp);
	if (sig || memcmp(w->buf2, junk, ps))
		mismatch(&w->sl->mismatches,
			 "fork: the child's private write reached the parent (%s)",
			 signame(sig));
	munmap(P, rlen);
	if (!ok)
		region_repair(w);
}

static void op_sync(struct wctx *w)
{
	size_t pages = rlen / ps, wpp = ps / 8, k = splitmix_below(&w->rng, pages);
	uint32_t gen;
	bool ok;

	gen = write_begin(w, k * wpp, (k + 1) * wpp);
	ok = store_words(w, w->A + k * ps, k * wpp, wpp, gen, "sync");
	write_end(w);
	if (msync(w->A + k * ps, ps, MS_SYNC))
		mismatch(&w->sl->mismatches, "msync(MS_SYNC): %s", strerror(errno));
	/* the page is clean and write-protected again: write it again */
	gen = write_begin(w, k * wpp, (k + 1) * wpp);
	ok &= store_words(w, w->A + k * ps, k * wpp, wpp, gen, "sync");
	write_end(w);
	if (fsync(w->fd) || fdatasync(w->fd))
		mismatch(&w->sl->mismatches, "fsync: %s", strerror(errno));
	ok &= verify(w, 2, k * wpp, wpp, "sync");
	if (msync(w->A, rlen, MS_ASYNC) || msync(w->A, rlen, MS_INVALIDATE))
		mismatch(&w->sl->mismatches, "msync(MS_ASYNC/MS_INVALIDATE): %s",
			 strerror(errno));
	ok &= verify(w, 0, k * wpp, wpp, "sync");
	if (!ok)
		region_repair(w);
}

static void op_open(struct wctx *w)
{
	size_t pages = rlen / ps, wpp = ps / 8, k = splitmix_below(&w->rng, pages);
	int fd2 = dev_open(O_RDWR), sig;
	char *M = map_region(w, fd2, RW, MAP_SHARED);
	uint32_t gen;
	bool ok;

	close(fd2);	/* the mapping keeps the file */
	ok = verify_page(w, k, "open-close");
	gen = write_begin(w, k * wpp, (k + 1) * wpp);
	ok &= store_words(w, M + k * ps, k * wpp, wpp, gen, "open-close");
	write_end(w);
	ok &= verify(w, 2, k * wpp, wpp, "open-close (write via a closed fd's mapping)");
	munmap(M, rlen);

	fd2 = dev_open(O_RDONLY);
	M = map_region(w, fd2, PROT_READ, MAP_SHARED);
	sig = probe_load(M + k * ps, w->buf2, wpp);
	ok &= !sig && region_check(w, k * wpp, wpp, w->buf2, "open-close",
				   "read-only shared mapping");
	if (mprotect(M, rlen, RW) == 0 || errno != EACCES)
		mismatch(&w->sl->mismatches,
			 "mprotect(PROT_WRITE) of an O_RDONLY shared mapping: %s",
			 strerror(errno));
	munmap(M, rlen);
	close(fd2);

	/* and the thread's own fd, under its live mapping */
	if (splitmix_below(&w->rng, 4) == 0) {
		close(w->fd);
		w->fd = dev_open(O_RDWR);
	}
	if (!ok)
		region_repair(w);
}

static void op_madvise(struct wctx *w)
{
	static const int advs[] = {
		MADV_DONTNEED, MADV_PAGEOUT, MADV_COLD, MADV_WILLNEED,
		MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM,
		MADV_SEQUENTIAL, MADV_NORMAL,
	};
	size_t pages = rlen / ps, wpp = ps / 8, k = splitmix_below(&w->rng, pages);
	size_t n = 1 + splitmix_below(&w->rng, pages - k);
	int adv = advs[splitmix_below(&w->rng, sizeof(advs) / sizeof(advs[0]))];

	/* RANDOM/SEQUENTIAL/NORMAL change VMA flags: a split */
	w->A_split = true;
	/* EINVAL: an advice the kernel does not know */
	if (madvise(w->A + k * ps, n * ps, adv) && errno != EINVAL)
		mismatch(&w->sl->mismatches, "madvise(%d): %s", adv, strerror(errno));
	/* nothing may be lost: there is no backing store to page in from */
	if (!verify(w, splitmix_below(&w->rng, 2) ? 0 : 2, k * wpp, n * wpp, "madvise"))
		region_repair(w);
}

static void op_selfcopy(struct wctx *w)
{
	size_t pages = rlen / ps, wpp = ps / 8, k = splitmix_below(&w->rng, pages);
	char *p = w->A + k * ps;
	ssize_t r;

	/* not mapped now: the copy itself faults the page in */
	madvise(p, ps, MADV_DONTNEED);
	r = pwrite(w->fd, p, ps, (off_t)(w->roff + k * ps));
	if (r != (ssize_t)ps)
		mismatch(&w->sl->mismatches,
			 "write(2) of a page from its own mapping returned %zd (%s)",
			 r, r < 0 ? strerror(errno) : "short");
	if (!verify(w, 2, k * wpp, wpp, "self-copy (write from own mapping)"))
		region_repair(w);
	madvise(p, ps, MADV_DONTNEED);
	r = pread(w->fd, p, ps, (off_t)(w->roff + k * ps));
	if (r != (ssize_t)ps)
		mismatch(&w->sl->mismatches,
			 "read(2) of a page into its own mapping returned %zd (%s)",
			 r, r < 0 ? strerror(errno) : "short");
	if (!verify(w, 0, k * wpp, wpp, "self-copy (read into own mapping)"))
		region_repair(w);
}

/* The tail: exact when no resize ran during the access, loose otherwise. */
static void op_tail(struct wctx *w)
{
	uint64_t off = base + 8 * splitmix_below(&w->rng, tailmax / 8);
	uint64_t s0, s1, size, kept, v = 0, tv = stamp(off, TAIL_GEN);
	bool stable, use_read = splitmix_below(&w->rng, 3) == 0;
	ssize_t r = 0;
	int sig = 0;

	s0 = LOAD(&sh->seq);
	size = LOAD(&sh->size);
	kept = LOAD(&sh->kept_end);
	if (use_read)
		r = pread(w->fd, &v, 8, (off_t)off);
	else
		sig = probe_load(w->C + off, &v, 1);
	/* the access is done before the sequence is read again */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s1 = LOAD(&sh->seq);
	stable = s0 == s1 && !(s0 & 1);
	if (!stable)
		ADD(&w->sl->unstable, 1);

	if (use_read) {
		if (r != 0 && r != 8) {
			mismatch(&w->sl->mismatches, "tail pread at %#" PRIx64
				 " returned %zd (%s)", off, r,
				 r < 0 ? strerror(errno) : "short");
			return;
		}
		if (stable && (off < size) != (r == 8)) {
			mismatch(&w->sl->mismatches,
				 "tail pread at %#" PRIx64 " with size %#" PRIx64
				 " returned %zd", off, size, r);
			return;
		}
	} else {
		if (sig == SIGBUS && probe_addr != w->C + off)
			mismatch(&w->sl->mismatches, "tail: SIGBUS at %p for an access at %p",
				 probe_addr, w->C + off);
		if (sig == SIGSEGV || (sig && sig != SIGBUS)) {
			mismatch(&w->sl->mismatches,
				 "tail: %s reading offset %#" PRIx64 " (size %#"
				 PRIx64 "%s): expected SIGBUS or data", signame(sig),
				 off, size, stable ? "" : ", changing");
			return;
		}
		if (stable && off >= size && !sig && !past_end_ok(off, kept, v)) {
			mismatch(&w->sl->mismatches,
				 "tail: data (%#" PRIx64 ") at offset %#" PRIx64
				 " past the size %#" PRIx64 " instead of SIGBUS",
				 v, off, size);
			return;
		}
		if (stable && off < size && sig) {
			mismatch(&w->sl->mismatches,
				 "tail: SIGBUS at offset %#" PRIx64
				 " below the size %#" PRIx64, off, size);
			return;
		}
		if (sig) {
			ADD(&w->sl->sigbus, 1);
			ADD(&sh->sigbus_seen, 1);
			return;
		}
	}
	if ((use_read && r == 8) || (!use_read && !sig)) {
		ADD(&w->sl->words, 1);
		if (v != 0 && v != tv)
			mismatch(&w->sl->mismatches,
				 "tail: offset %#" PRIx64 " holds %#" PRIx64
				 " (neither zero nor the tail stamp %#" PRIx64 ")",
				 off, v, tv);
	}
}

/* Past every size the resizer ever sets: always SIGBUS, ENOSPC, EOF. */
static void op_guard(struct wctx *w)
{
	uint64_t off = hend + 8 * splitmix_below(&w->rng, guard / 8), v = 1;
	int sig;
	ssize_t r;

	switch (splitmix_below(&w->rng, 3)) {
	case 0:
		sig = probe_load(w->C + off, &v, 1);
		break;
	case 1:
		sig = probe_store(w->C + off, &v, 1);
		break;
	default:
		r = pwrite(w->fd, &v, 8, (off_t)off);
		if (r != -1 || errno != ENOSPC)
			mismatch(&w->sl->mismatches,
				 "pwrite past the end returned %zd (%s), expected ENOSPC",
				 r, r < 0 ? strerror(errno) : "data written");
		r = pread(w->fd, &v, 8, (off_t)off);
		if (r != 0)
			mismatch(&w->sl->mismatches,
				 "pread past the end returned %zd (%s), expected 0",
				 r, r < 0 ? strerror(errno) : "data");
		return;
	}
	if (sig == SIGBUS && probe_addr == w->C + off) {
		ADD(&w->sl->sigbus, 1);
		ADD(&sh->sigbus_seen, 1);
	} else {
		mismatch(&w->sl->mismatches,
			 "guard: access at offset %#" PRIx64 " past the end gave %s at %p"
			 " (expected SIGBUS at %p)", off, signame(sig),
			 sig ? probe_addr : NULL, w->C + off);
	}
}

/*
 * Check words read from the huge window at @off (@n of them, from one page):
 * each is zero or the window stamp, and exactly the stamp if the page was
 * filled before and after (@exact).
 */
static void huge_words_check(struct wctx *w, uint64_t off, const uint64_t *v,
			     size_t n, bool exact, const char *via)
{
	ADD(&w->sl->words, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t tv = stamp(off + 8 * i, TAIL_GEN);

		if (v[i] == tv || (!exact && v[i] == 0))
			continue;
		mismatch(&w->sl->mismatches,
			 "huge-race: offset %#" PRIx64 " reads %#" PRIx64 " via %s, "
			 "expected %#" PRIx64 "%s", off + 8 * i, v[i], via, tv,
			 exact ? " (filled, below the size: data lost)" :
			 " or zero");
		return;
	}
}

/*
 * Race a huge round of the resizer (huge_round()): take references to the
 * window's first huge page the way that made the old shrink drop it, until
 * the round ends. Checked like the tail: exact while the size stayed put,
 * SIGBUS or zero/stamp otherwise.
 */
static void op_huge(struct wctx *w)
{
	static const char *const via[4] = {
		"fault (after MADV_DONTNEED)", "pread", "re-dirty+fsync", "vmsplice",
	};
	uint64_t g = LOAD(&sh->hgen), npg = pmd / ps, wpp = ps / 8;
	int how = splitmix_below(&w->rng, 4);

	if (!(g & 1) || hend == tend)
		return;		/* no round now */
	ADD(&w->sl->hraces, 1);
	ADD(&w->sl->hkind[how], 1);
	STORE(&sh->hjoin, g);
	if (how == 3 && w->pfd[0] < 0 && pipe2(w->pfd, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	for (int i = 0; i < 64 && LOAD(&sh->hgen) == g && !LOAD(&sh->stop); i++) {
		uint64_t pg = splitmix_below(&w->rng, npg), poff = hbase + pg * ps;
		uint64_t x = splitmix_below(&w->rng, wpp), off = poff + 8 * x;
		uint64_t s0, s1, size, kept, v = 0;
		struct iovec iov = { w->C + poff, ps };
		int sig = 0, h0, h1;
		bool stable, got = false;
		ssize_t r = 0;

		s0 = LOAD(&sh->seq);
		size = LOAD(&sh->size);
		kept = LOAD(&sh->kept_end);
		h0 = LOAD(&hfilled[pg]);
		switch (how) {
		case 0:
			madvise(w->C + poff, ps, MADV_DONTNEED);
			sig = probe_load(w->C + off, &v, 1);
			got = !sig;
			break;
		case 1:
			r = pread(w->fd, &v, 8, (off_t)off);
			got = r == 8;
			break;
		case 2:
			sig = probe_redirty(w->C + off);
			if (fsync(w->fd))
				mismatch(&w->sl->mismatches, "huge-race: fsync: %s",
					 strerror(errno));
			break;
		default:
			/* the pipe holds the page (a reference) for a while */
			r = vmsplice(w->pfd[1], &iov, 1, 0);
			if (r > 0) {
				msleep(1 + splitmix_below(&w->rng, 3));
				if (read(w->pfd[0], w->hbuf, r) != r)
					die("read from the pipe: %s", strerror(errno));
			}
			break;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		s1 = LOAD(&sh->seq);
		h1 = LOAD(&hfilled[pg]);
		stable = s0 == s1 && !(s0 & 1);
		if (!stable)
			ADD(&w->sl->unstable, 1);

		if (sig && (sig != SIGBUS || (stable && off < size))) {
			mismatch(&w->sl->mismatches,
				 "huge-race: %s at offset %#" PRIx64 " (%s, size %#"
				 PRIx64 "%s)", signame(sig), off, via[how], size,
				 stable ? "" : ", changing");
			continue;
		}
		if (sig) {
			ADD(&w->sl->sigbus, 1);
			ADD(&sh->sigbus_seen, 1);
			continue;
		}
		if (how == 1 && (r < 0 || (stable && (off < size) != (r == 8)))) {
			mismatch(&w->sl->mismatches, "huge-race: pread at %#" PRIx64
				 " with size %#" PRIx64 "%s returned %zd (%s)", off,
				 size, stable ? "" : " (changing)", r,
				 r < 0 ? strerror(errno) : "");
			continue;
		}
		if (how == 3) {
			/* EFAULT: past the end (the fault inside GUP) */
			if (r != (ssize_t)ps && !(r < 0 && errno == EFAULT &&
						  (!stable || poff >= size))) {
				mismatch(&w->sl->mismatches,
					 "huge-race: vmsplice of the page at %#" PRIx64
					 " with size %#" PRIx64 "%s returned %zd (%s)",
					 poff, size, stable ? "" : " (changing)", r,
					 r < 0 ? strerror(errno) : "short");
				continue;
			}
			if (r == (ssize_t)ps && stable && poff >= size &&
			    !(may_map_eof && poff < kept))
				mismatch(&w->sl->mismatches,
					 "huge-race: vmsplice of the page at %#" PRIx64
					 " past the size %#" PRIx64 " succeeded", poff, size);
			else if (r == (ssize_t)ps)
				huge_words_check(w, poff, w->hbuf, wpp,
						 stable && poff < size && h0 == 1 && h1 == 1,
						 "vmsplice+read of the pipe");
			continue;
		}
		if (!got)
			continue;
		if (stable && off >= size && !past_end_ok(off, kept, v)) {
			mismatch(&w->sl->mismatches,
				 "huge-race: data (%#" PRIx64 ") at offset %#" PRIx64
				 " past the size %#" PRIx64 " (%s)", v, off, size, via[how]);
			continue;
		}
		if (off < size || !stable)
			huge_words_check(w, off, &v, 1,
					 stable && h0 == 1 && h1 == 1, via[how]);
	}
}

/*
 * Words of [wa, wb) that still hold the previous generation become the
 * current one again, so that the rewrite below records what the object
 * really holds as its "previous" value.  Without this, a recovery killed in
 * its own pwrite would leave words two generations old, which the next
 * recovery could not tell from corruption.  [wa, wb) stays in transit, so
 * either value remains acceptable while cur[] changes.
 */
static void recover_adopt(struct wctx *w, uint32_t wa, uint32_t wb)
{
	for (uint32_t k = wa; k < wb; k++)
		if (w->buf2[k - wa] != stamp(woff(w, k), w->cur[k]))
			w->cur[k] = w->prev[k];
	barrier();
}

/* A respawned worker: finish what its predecessor was killed in. */
static void recover(struct wctx *w)
{
	struct slot *sl = w->sl;
	uint32_t wa = sl->ta, wb = sl->tb, gen;

	if (!sl->transit)
		return;
	if (wb > rwords || wa >= wb) {
		mismatch(&sl->mismatches, "recover: bad transit range %u..%u", wa, wb);
		wa = 0;
		wb = rwords;
	}
	if (pread_all(w->fd, w->buf2, 8 * (size_t)(wb - wa), woff(w, wa)) !=
	    (ssize_t)(8 * (wb - wa)))
		mismatch(&sl->mismatches, "recover: pread failed");
	else if (region_check(w, wa, wb - wa, w->buf2, "recover", "pread"))
		recover_adopt(w, wa, wb);
	/* now make it one generation again */
	gen = write_begin(w, wa, wb);
	fill_stamps(w->buf, woff(w, wa), wb - wa, gen);
	if (pwrite(w->fd, w->buf, 8 * (size_t)(wb - wa), (off_t)woff(w, wa)) !=
	    (ssize_t)(8 * (wb - wa)))
		die("recover: pwrite: %s", strerror(errno));
	write_end(w);
}

static void *worker_thread(void *arg)
{
	struct wctx *w = arg;
	int total = 0;

	snprintf(who, sizeof(who), "w%u", w->id);
	for (int i = 0; i < W_NOPS; i++)
		total += wop_weight[i];
	w->fd = dev_open(O_RDWR);
	w->lfd = lock_open();
	w->buf = malloc(rlen);
	w->buf2 = malloc(rlen);
	w->hbuf = malloc(ps);
	w->pfd[0] = w->pfd[1] = -1;
	if (!w->buf || !w->buf2 || !w->hbuf)
		die("out of memory");
	remap_A(w);

	rd_lock(w->lfd);
	recover(w);
	ofd_lock(w->lfd, F_UNLCK);

	while (!LOAD(&sh->stop)) {
		int r = splitmix_below(&w->rng, total), op = 1;

		while (r >= wop_weight[op])
			r -= wop_weight[op++];
		ADD(&w->sl->ops[op], 1);
		if (op == W_TAIL || op == W_GUARD || op == W_HUGE) {
			STORE(&w->sl->op, op);
			if (op == W_TAIL)
				op_tail(w);
			else if (op == W_GUARD)
				op_guard(w);
			else
				op_huge(w);
			STORE(&w->sl->op, W_IDLE);
			continue;
		}
		rd_lock(w->lfd);
		STORE(&w->sl->op, op);
		switch (op) {
		case W_MAPWRITE:
		case W_CWRITE:
		case W_PWRITE:
			op_write(w, op);
			break;
		case W_VERIFY:
			op_verify(w);
			break;
		case W_PRIVATE:
			op_private(w);
			break;
		case W_MREMAP:
			op_mremap(w);
			break;
		case W_MUNMAP:
			op_munmap(w);
			break;
		case W_MPROTECT:
			op_mprotect(w);
			break;
		case W_FORK:
			op_fork(w);
			break;
		case W_SYNC:
			op_sync(w);
			break;
		case W_OPEN:
			op_open(w);
			break;
		case W_MADVISE:
			op_madvise(w);
			break;
		case W_SELFCOPY:
			op_selfcopy(w);
			break;
		}
		STORE(&w->sl->op, W_IDLE);
		ofd_lock(w->lfd, F_UNLCK);
	}
	munmap(w->A, rlen);
	close(w->fd);
	close(w->lfd);
	if (w->pfd[0] >= 0) {
		close(w->pfd[0]);
		close(w->pfd[1]);
	}
	return NULL;
}

static void worker_main(unsigned int proc, unsigned int incarnation)
{
	pthread_t tids[64];
	struct wctx *ws = calloc(opt_threads, sizeof(*ws));
	int fd;
	char *C;

	snprintf(who, sizeof(who), "p%u", proc);
	install_handlers();
	fd = dev_open(O_RDWR);
	C = mmap(NULL, maplen, RW, MAP_SHARED, fd, 0);
	if (C == MAP_FAILED || !ws)
		die("mmap of the object (%" PRIu64 " bytes): %s", maplen,
		    strerror(errno));
	for (unsigned int t = 0; t < opt_threads; t++) {
		struct wctx *w = &ws[t];

		w->id = proc * opt_threads + t;
		w->sl = &slots[w->id];
		w->cur = cur_of(w->id);
		w->prev = prev_of(w->id);
		w->roff = (uint64_t)w->id * rlen;
		w->C = C;
		w->rng = opt_seed ^ mix64(((uint64_t)w->id << 32) + incarnation + 1);
		if (pthread_create(&tids[t], NULL, worker_thread, w))
			die("pthread_create failed");
	}
	for (unsigned int t = 0; t < opt_threads; t++)
		pthread_join(tids[t], NULL);
	munmap(C, maplen);
	close(fd);
	exit(0);
}

/* ------------------------------------------------------------------ */
/* The resizer process                                                  */

struct rctx {
	int fd, lfd;
	char *W;		/* shared mapping of [0, maplen) */
	uint64_t rng;
	uint64_t *buf;
};

static void seq_begin(void)
{
	STORE(&sh->seq, LOAD(&sh->seq) + 1);	/* odd: changing */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void seq_end(uint64_t size)
{
	STORE(&sh->size, size);
	STORE(&sh->seq, LOAD(&sh->seq) + 1);
}

/* seq_end() after a resize through @fd: publishes kept_end with the size. */
static void seq_end_resized(int fd, uint64_t size)
{
	STORE(&sh->kept_end, kept_of(fd, size));
	seq_end(size);
}

static void rmismatch(const char *fmt, ...)
{
	char buf[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mismatch(&sh->r_mismatches, "%s", buf);
}

/* Check that GET_INFO and lseek agree with the size the resizer set. */
static void info_check(int fd, uint64_t size, const char *when)
{
	struct vmmap_info in;
	off_t end = lseek(fd, 0, SEEK_END);

	if (ioc_info(fd, &in)) {
		rmismatch("%s: GET_INFO: %s", when, strerror(errno));
		return;
	}
	if (in.object_size != size || (uint64_t)end != size)
		rmismatch("%s: object_size %" PRIu64 ", lseek(SEEK_END) %jd, expected %"
			  PRIu64, when, (uint64_t)in.object_size, (intmax_t)end, size);
	if (in.resident_pages > resident_max(size))
		rmismatch("%s: resident_pages %" PRIu64 " > %" PRIu64 " (size/page%s)",
			  when, (uint64_t)in.resident_pages, resident_max(size),
			  huge_on ? ", rounded up to the huge page size" : "");
}

static void tail_verify(struct rctx *r, uint64_t size)
{
	uint64_t tp0 = base / ps, tpn = size / ps;
	size_t wpp = ps / 8;

	for (uint64_t p = tp0; p < tpn; p++) {
		uint64_t off = p * ps;
		bool filled = tail_filled[p - tp0];
		bool transit = sh->fill_transit == p - tp0 + 1;

		if (pread_all(r->fd, r->buf, ps, off) != (ssize_t)ps) {
			rmismatch("tail check: pread at %#" PRIx64 " failed", off);
			return;
		}
		ADD(&sh->r_words, wpp);
		for (size_t i = 0; i < wpp; i++) {
			uint64_t tv = stamp(off + 8 * i, TAIL_GEN);
			uint64_t exp = filled ? tv : 0;

			if (r->buf[i] == exp || (transit && (r->buf[i] == 0 ||
							     r->buf[i] == tv)))
				continue;
			rmismatch("tail check: offset %#" PRIx64 " holds %#" PRIx64
				  ", expected %#" PRIx64 "%s", off + 8 * i,
				  r->buf[i], exp, filled ? "" : " (zero: regrown or never written)");
			return;
		}
	}
}

static void tail_fill_page(struct rctx *r, uint64_t p)
{
	uint64_t off = base + p * ps;
	size_t wpp = ps / 8;
	int sig = 0;

	sh->fill_transit = p + 1;
	barrier();
	tail_filled[p] = 1;
	barrier();
	fill_stamps(r->buf, off, wpp, TAIL_GEN);
	if (splitmix_below(&r->rng, 2))
		sig = probe_store(r->W + off, r->buf, wpp);
	else if (pwrite(r->fd, r->buf, ps, (off_t)off) != (ssize_t)ps)
		rmismatch("tail fill: pwrite at %#" PRIx64 ": %s", off, strerror(errno));
	if (sig)
		rmismatch("tail fill: %s writing offset %#" PRIx64 " below the size",
			  signame(sig), off);
	barrier();
	sh->fill_transit = 0;
	barrier();
}

/* Resize within the tail; a grow checks that the new range reads zero. */
static void tail_resize(struct rctx *r, uint64_t target)
{
	uint64_t old = LOAD(&sh->size), tp0 = base / ps;
	size_t wpp = ps / 8;

	sh->rop_now = target < old ? R_SHRINK : R_GROW;
	ADD(&sh->rops[sh->rop_now], 1);
	seq_begin();
	if (ioc_resize(r->fd, target))
		die("resize to %#" PRIx64 ": %s", target, strerror(errno));
	for (uint64_t p = target / ps; p < old / ps && p < tend / ps; p++)
		tail_filled[p - tp0] = 0;
	seq_end_resized(r->fd, target);
	info_check(r->fd, target, "tail resize");
	if (target <= old)
		return;

	/* a regrown range reads zero, through read(2) and a mapping */
	for (uint64_t p = old / ps; p < target / ps; p++) {
		uint64_t off = p * ps;
		int sig;

		if (pread_all(r->fd, r->buf, ps, off) != (ssize_t)ps) {
			rmismatch("regrown page %#" PRIx64 ": pread failed", off);
			continue;
		}
		for (size_t i = 0; i < wpp; i++)
			if (r->buf[i]) {
				rmismatch("regrown page at %#" PRIx64 " holds %#" PRIx64
					  " at +%#zx (pread), expected zero", off,
					  r->buf[i], 8 * i);
				break;
			}
		sig = probe_load(r->W + off, r->buf, wpp);
		if (sig)
			rmismatch("regrown page at %#" PRIx64 ": %s below the size",
				  off, signame(sig));
		for (size_t i = 0; !sig && i < wpp; i++)
			if (r->buf[i]) {
				rmismatch("regrown page at %#" PRIx64 " holds %#" PRIx64
					  " at +%#zx (mapping), expected zero", off,
					  r->buf[i], 8 * i);
				break;
			}
		ADD(&sh->r_words, 2 * wpp);
		if (splitmix_below(&r->rng, 2))
			tail_fill_page(r, p - tp0);
	}
}

static uint64_t random_tail_size(struct rctx *r)
{
	return base + ps * splitmix_below(&r->rng, tailmax / ps + 1);
}

/* Shrink the whole object (to 0 or into the worker regions) and regrow. */
static void wipe(struct rctx *r, bool to_zero)
{
	uint64_t cut = to_zero ? 0 : ps * splitmix_below(&r->rng, base / ps + 1);
	uint64_t full = random_tail_size(r), v;
	struct vmmap_info in;
	int sig;

	sh->rop_now = to_zero ? R_WIPE0 : R_WIPE;
	ADD(&sh->rops[sh->rop_now], 1);
	wr_lock(r->lfd);
	seq_begin();
	if (ioc_resize(r->fd, cut))
		die("wipe: resize to %#" PRIx64 ": %s", cut, strerror(errno));
	info_check(r->fd, cut, "wipe");
	if (cut == 0 && ioc_info(r->fd, &in) == 0 &&
	    (in.resident_pages || in.dirty_pages))
		rmismatch("after resize to 0: resident_pages %" PRIu64
			  ", dirty_pages %" PRIu64 " (expected 0)",
			  (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages);
	/* past the cut: SIGBUS through a mapping, EOF, ENOSPC */
	sig = probe_load(r->W + cut, &v, 1);
	if (sig == SIGBUS)
		ADD(&sh->r_sigbus, 1), ADD(&sh->sigbus_seen, 1);
	else if (sig || !past_end_ok(cut, kept_of(r->fd, cut), v))
		rmismatch("wipe: access at the new end %#" PRIx64 " gave %s, expected SIGBUS",
			  cut, sig ? signame(sig) : "data");
	if (cut && (sig = probe_load(r->W + cut - 8, &v, 1)))
		rmismatch("wipe: %s just below the new end %#" PRIx64, signame(sig), cut);
	if (pread(r->fd, &v, 8, (off_t)cut) != 0)
		rmismatch("wipe: pread at the new end did not return 0");
	if (pwrite(r->fd, &v, 8, (off_t)cut) != -1 || errno != ENOSPC)
		rmismatch("wipe: pwrite at the new end did not fail with ENOSPC");

	if (ioc_resize(r->fd, full))
		die("wipe: resize to %#" PRIx64 ": %s", full, strerror(errno));
	/* the workers will find zeroes past the cut, the resizer in the tail */
	for (unsigned int s = 0; s < nslots; s++) {
		uint64_t roff = (uint64_t)s * rlen;
		uint32_t *cur = cur_of(s), *prev = prev_of(s);

		for (size_t k = 0; k < rwords; k++)
			if (roff + 8 * k >= cut)
				cur[k] = prev[k] = 0;
	}
	memset(tail_filled, 0, tailmax / ps);
	sh->fill_transit = 0;
	seq_end_resized(r->fd, full);
	info_check(r->fd, full, "wipe regrow");
	/* a sample of the regrown range reads zero right now */
	for (int i = 0; i < 4 && cut < full; i++) {
		uint64_t off = cut + 8 * splitmix_below(&r->rng, (full - cut) / 8);

		if (pread(r->fd, &v, 8, (off_t)off) != 8 || v)
			rmismatch("wipe: regrown offset %#" PRIx64 " reads %#" PRIx64
				  " (pread), expected zero", off, v);
		sig = probe_load(r->W + off, &v, 1);
		if (sig || v)
			rmismatch("wipe: regrown offset %#" PRIx64 " reads %#" PRIx64
				  " (%s), expected zero", off, v, signame(sig));
	}
	ADD(&sh->epoch, 1);
	wr_unlock(r->lfd);
}

/* A private COW copy past a shrink is dropped: SIGBUS, then zero. */
static void private_truncate(struct rctx *r)
{
	uint64_t size = LOAD(&sh->size), p, off, v = 0x1234, back;
	size_t wpp = ps / 8;
	char *P;
	int sig;

	if (size < base + ps)
		tail_resize(r, base + ps * (1 + splitmix_below(&r->rng, tailmax / ps)));
	size = LOAD(&sh->size);
	sh->rop_now = R_PRIVTRUNC;
	ADD(&sh->rops[R_PRIVTRUNC], 1);
	p = base / ps + splitmix_below(&r->rng, (size - base) / ps);
	off = p * ps;
	P = mmap(NULL, tailmax, RW, MAP_PRIVATE, r->fd, (off_t)base);
	if (P == MAP_FAILED)
		die("private mapping of the tail: %s", strerror(errno));
	sig = probe_store(P + (off - base), &v, 1);
	if (sig)
		rmismatch("private-truncate: %s writing a private page below the size",
			  signame(sig));
	tail_resize(r, off);
	sh->rop_now = R_PRIVTRUNC;
	sig = probe_load(P + (off - base), &v, 1);
	if (sig == SIGBUS)
		ADD(&sh->r_sigbus, 1), ADD(&sh->sigbus_seen, 1);
	else
		rmismatch("private-truncate: the private copy at %#" PRIx64
			  " survived a shrink below it (%s, value %#" PRIx64 ")",
			  off, signame(sig), v);
	back = off + ps * (1 + splitmix_below(&r->rng, (base + tailmax - off) / ps));
	tail_resize(r, back);
	sh->rop_now = R_PRIVTRUNC;
	sig = probe_load(P + (off - base), r->buf, wpp);
	for (size_t i = 0; !sig && i < wpp; i++) {
		uint64_t exp = tail_filled[p - base / ps] ?
			       stamp(off + 8 * i, TAIL_GEN) : 0;

		if (r->buf[i] != exp) {
			rmismatch("private-truncate: after regrow the private mapping "
				  "reads %#" PRIx64 " at %#" PRIx64 ", expected %#" PRIx64,
				  r->buf[i], off + 8 * i, exp);
			break;
		}
	}
	if (sig)
		rmismatch("private-truncate: %s after regrow", signame(sig));
	munmap(P, tailmax);
}

/* Huge rounds per 1000 resizer operations: 3% with 2 MiB huge pages, fewer
 * with bigger ones (32 MiB on 16K pages: each round zeroes one). */
static unsigned int huge_per_mille(void)
{
	uint64_t x = 30 * (2ULL << 20) / pmd;

	return x ? x : 1;
}

/* Fill page @p of the huge window with its stamps, through the mapping or
 * write(2); hfilled[p] says 2 meanwhile (either value may be there). */
static void huge_fill_page(struct rctx *r, uint64_t p, bool via_map)
{
	uint64_t off = hbase + p * ps;
	int sig = 0;

	STORE(&hfilled[p], 2);
	fill_stamps(r->buf, off, ps / 8, TAIL_GEN);
	if (via_map)
		sig = probe_store(r->W + off, r->buf, ps / 8);
	else if (pwrite(r->fd, r->buf, ps, (off_t)off) != (ssize_t)ps)
		rmismatch("huge-shrink: pwrite at %#" PRIx64 ": %s", off, strerror(errno));
	if (sig)
		rmismatch("huge-shrink: %s writing offset %#" PRIx64 " below the size",
			  signame(sig), off);
	STORE(&hfilled[p], 1);
}

/* Page @p of the window (below the size) holds what hfilled[] says, through
 * read(2) and the mapping; false (and reported) if not. */
static bool huge_page_ok(struct rctx *r, uint64_t p, uint64_t size, const char *when)
{
	uint64_t off = hbase + p * ps;
	size_t wpp = ps / 8;

	for (int via = 0; via < 2; via++) {
		int sig = 0;

		if (via == 0 && pread_all(r->fd, r->buf, ps, off) != (ssize_t)ps) {
			rmismatch("huge-shrink: pread at %#" PRIx64 " failed", off);
			return false;
		}
		if (via == 1)
			sig = probe_load(r->W + off, r->buf, wpp);
		if (sig) {
			rmismatch("huge-shrink %s: %s reading offset %#" PRIx64
				  " below the size %#" PRIx64, when, signame(sig), off, size);
			return false;
		}
		ADD(&sh->r_words, wpp);
		for (size_t i = 0; i < wpp; i++) {
			uint64_t exp = hfilled[p] ? stamp(off + 8 * i, TAIL_GEN) : 0;

			if (r->buf[i] == exp)
				continue;
			rmismatch("huge-shrink %s to %#" PRIx64 ": offset %#" PRIx64
				  " reads %#" PRIx64 " via %s, expected %#" PRIx64 "%s",
				  when, size, off + 8 * i, r->buf[i],
				  via ? "the mapping" : "pread", exp,
				  exp && !r->buf[i] ? " (data below the new end lost)" : "");
			return false;
		}
	}
	return true;
}

/*
 * A huge round: grow the object over the gap and the huge window, populate
 * the window's first huge page (the first fault through the PMD-aligned
 * mapping allocates it whole) with stamps on some of its pages, let the
 * workers race it (op_huge) and, half the time, hold a page of it in a pipe
 * (vmsplice) ourselves; then shrink to a size inside it that is not
 * PMD-aligned. Every filled page below the new end must keep its data
 * (read(2) and the mapping), resident_pages must still count them, the new
 * end must give SIGBUS; the pipe's page is checked too. Then maybe regrow
 * (zeroes past the cut), and shrink back into the tail.
 */
static void huge_round(struct rctx *r)
{
	uint64_t npg = pmd / ps, hpg = (hend - hbase) / ps, cut, cp, pk = 0;
	uint64_t filled = 0, kept, v, target;
	struct vmmap_info in0, in1;
	int pfd[2] = { -1, -1 }, sig;

	sh->rop_now = R_HUGE;
	ADD(&sh->rops[R_HUGE], 1);
	ADD(&sh->h_rounds, 1);
	seq_begin();
	if (ioc_resize(r->fd, hend))
		die("huge round: resize to %#" PRIx64 ": %s", hend, strerror(errno));
	seq_end_resized(r->fd, hend);
	info_check(r->fd, hend, "huge round grow");

	/* the first touch of the window: one fault, a huge page */
	if (ioc_info(r->fd, &in0))
		die("GET_INFO: %s", strerror(errno));
	huge_fill_page(r, 0, true);
	if (ioc_info(r->fd, &in1))
		die("GET_INFO: %s", strerror(errno));
	if (in1.resident_pages >= in0.resident_pages + npg / 2)
		ADD(&sh->h_huge, 1);
	cut = hbase + ps * (1 + splitmix_below(&r->rng, npg - 1));
	cp = (cut - hbase) / ps;
	huge_fill_page(r, cp - 1, splitmix_below(&r->rng, 2));
	huge_fill_page(r, cp, splitmix_below(&r->rng, 2));
	for (int i = 0; i < 30; i++)
		huge_fill_page(r, splitmix_below(&r->rng, npg), splitmix_below(&r->rng, 2));

	/* the racers go; and a pipe holds a page, half the time */
	STORE(&sh->hgen, LOAD(&sh->hgen) + 1);
	if (splitmix_below(&r->rng, 2)) {
		struct iovec iov;

		pk = splitmix_below(&r->rng, npg);
		iov.iov_base = r->W + hbase + pk * ps;
		iov.iov_len = ps;
		if (pipe2(pfd, O_CLOEXEC))
			die("pipe: %s", strerror(errno));
		if (vmsplice(pfd[1], &iov, 1, 0) != (ssize_t)ps)
			rmismatch("huge-shrink: vmsplice of offset %#" PRIx64 ": %s",
				  hbase + pk * ps, strerror(errno));
		ADD(&sh->h_pipe, 1);
	}
	/* until a worker races (20 ms at most), and a little longer */
	for (int i = 0; i < 20 && LOAD(&sh->hjoin) != LOAD(&sh->hgen); i++)
		msleep(1);
	msleep(1 + splitmix_below(&r->rng, 4));

	/* the shrink, into the huge page */
	seq_begin();
	if (ioc_resize(r->fd, cut))
		die("huge round: resize to %#" PRIx64 ": %s", cut, strerror(errno));
	for (uint64_t p = cp; p < hpg; p++)
		STORE(&hfilled[p], 0);
	kept = kept_of(r->fd, cut);
	STORE(&sh->kept_end, kept);
	seq_end(cut);
	ADD(kept > cut ? &sh->h_kept : &sh->h_split, 1);
	info_check(r->fd, cut, "huge-shrink");

	/* below the new end nothing is lost */
	for (uint64_t p = 0; p < cp; p++)
		if (hfilled[p]) {
			filled++;
			if (!huge_page_ok(r, p, cut, "(racing)"))
				break;
		}
	if (ioc_info(r->fd, &in1) == 0 && in1.resident_pages < filled)
		rmismatch("huge-shrink to %#" PRIx64 ": resident_pages %" PRIu64
			  " but %" PRIu64 " pages of the huge page below the new end "
			  "hold data", cut, (uint64_t)in1.resident_pages, filled);
	sig = probe_load(r->W + cut, &v, 1);
	if (sig == SIGBUS)
		ADD(&sh->r_sigbus, 1), ADD(&sh->sigbus_seen, 1);
	else if (sig || !past_end_ok(cut, kept, v))
		rmismatch("huge-shrink: access at the new end %#" PRIx64 " gave %s"
			  " (%#" PRIx64 "), expected SIGBUS", cut,
			  sig ? signame(sig) : "data", v);
	if (pfd[0] >= 0) {
		/* the pipe's page: as it was below the end, zero past it */
		uint64_t off = hbase + pk * ps;

		if (read(pfd[0], r->buf, ps) != (ssize_t)ps)
			die("read from the pipe: %s", strerror(errno));
		for (size_t i = 0; i < ps / 8; i++) {
			uint64_t tv = stamp(off + 8 * i, TAIL_GEN);
			uint64_t exp = pk < cp && hfilled[pk] ? tv : 0;

			if (r->buf[i] == exp || (pk >= cp && r->buf[i] == tv))
				continue;
			rmismatch("huge-shrink: the pipe's page (offset %#" PRIx64
				  ") reads %#" PRIx64 " at +%#zx, expected %#" PRIx64,
				  off, r->buf[i], 8 * i, exp);
			break;
		}
		close(pfd[0]);
		close(pfd[1]);
	}
	STORE(&sh->hgen, LOAD(&sh->hgen) + 1);	/* the racers stop */

	/* regrow over a kept page: zeroes past the old end, data below */
	if (splitmix_below(&r->rng, 2)) {
		seq_begin();
		if (ioc_resize(r->fd, hend))
			die("huge round: resize to %#" PRIx64 ": %s", hend, strerror(errno));
		seq_end_resized(r->fd, hend);
		info_check(r->fd, hend, "huge round regrow");
		if (cp > 0)
			huge_page_ok(r, cp - 1, hend, "(regrown)");
		huge_page_ok(r, cp, hend, "(regrown)");
	}

	/* back into the tail: the window goes */
	target = random_tail_size(r);
	seq_begin();
	if (ioc_resize(r->fd, target))
		die("huge round: resize to %#" PRIx64 ": %s", target, strerror(errno));
	memset(hfilled, 0, hpg);
	for (uint64_t p = target / ps; p < tend / ps; p++)
		tail_filled[p - base / ps] = 0;
	seq_end_resized(r->fd, target);
	info_check(r->fd, target, "huge round end");
}

static void resizer_main(unsigned int incarnation)
{
	struct rctx r = { 0 };

	snprintf(who, sizeof(who), "resizer");
	install_handlers();
	r.fd = dev_open(O_RDWR);
	r.lfd = lock_open();
	r.rng = opt_seed ^ mix64(0xabcdef00ULL + incarnation);
	r.buf = malloc(ps);
	r.W = mmap(NULL, maplen, RW, MAP_SHARED, r.fd, 0);
	if (r.W == MAP_FAILED || !r.buf)
		die("resizer mmap: %s", strerror(errno));
	/* a fill the previous resizer was killed in */
	if (sh->fill_transit) {
		uint64_t p = sh->fill_transit - 1;

		if (base + (p + 1) * ps <= LOAD(&sh->size))
			tail_fill_page(&r, p);
		else
			sh->fill_transit = 0;
	}
	while (!LOAD(&sh->stop)) {
		unsigned int x = splitmix_below(&r.rng, 100);

		if (x < 3) {
			wipe(&r, splitmix_below(&r.rng, 2));
		} else if (x < 8) {
			private_truncate(&r);
		} else if (x < 14) {
			sh->rop_now = R_TAILCHECK;
			ADD(&sh->rops[R_TAILCHECK], 1);
			tail_verify(&r, LOAD(&sh->size));
		} else if (x < 20) {
			sh->rop_now = R_FSYNC;
			ADD(&sh->rops[R_FSYNC], 1);
			if (fsync(r.fd))
				rmismatch("fsync: %s", strerror(errno));
		} else if (hend > tend &&
			   splitmix_below(&r.rng, 1000) < huge_per_mille()) {
			huge_round(&r);
		} else {
			tail_resize(&r, random_tail_size(&r));
		}
		sh->rop_now = -1;
		if (splitmix_below(&r.rng, 4) == 0)
			msleep(1);
	}
	exit(0);
}

/* ------------------------------------------------------------------ */
/* The supervisor                                                       */

enum { K_WORKER_OP, K_WORKER_OTHER, K_RESIZER_RESIZE, K_RESIZER_WIPE,
       K_RESIZER_OTHER, K_NKINDS };
static const char *const kill_name[K_NKINDS] = {
	"worker mid-operation", "worker idle or locking", "resizer mid-resize",
	"resizer mid-wipe", "resizer other",
};
static uint64_t kills[K_NKINDS], respawns, deaths;
static uint64_t kills_by_op[W_NOPS];

struct child {
	pid_t pid;
	unsigned int incarnation;
};
static struct child *kids;	/* opt_procs workers, then the resizer */

static pid_t spawn(unsigned int i)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		if (i < opt_procs)
			worker_main(i, kids[i].incarnation);
		resizer_main(kids[i].incarnation);
	}
	setpgid(pid, pid);
	kids[i].pid = pid;
	kids[i].incarnation++;
	return pid;
}

/*
 * Compaction migrates page cache pages, the object's among them: a driver
 * that copies into or out of its pages without the page lock (or without
 * checking that a page it found is uptodate) loses writes or reads a page
 * before its data arrived. So ask for compaction every 100-300 ms (a
 * supervisor thread; root only, and nothing happens without
 * CONFIG_COMPACTION).
 */
static uint64_t compactions;

static void *compactor(void *arg)
{
	uint64_t rng = mix64(opt_seed ^ 0xc0ffee);

	(void)arg;
	while (!LOAD(&sh->stop)) {
		int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);

		if (fd < 0)
			return NULL;
		if (write(fd, "1", 1) == 1)
			compactions++;
		close(fd);
		msleep(100 + splitmix_below(&rng, 200));
	}
	return NULL;
}

/* Reap a killed child and everything it forked (we are their subreaper);
 * returns the child's wait status. */
static int reap_group(pid_t pid)
{
	int st = 0, st2;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	while (waitpid(-pid, &st2, 0) > 0 || errno == EINTR)
		;
	return st;
}

/* The resizer died: make size, seqlock and wipe state consistent again. */
static void repair_after_resizer(int fd)
{
	if (LOAD(&sh->wipe)) {
		/* it died holding (or wanting) the write lock: wipe to 0 */
		int lfd = lock_open();

		ofd_lock(lfd, F_WRLCK);
		if (!(LOAD(&sh->seq) & 1))
			seq_begin();
		if (ioc_resize(fd, 0) || ioc_resize(fd, base))
			die("repair: resize: %s", strerror(errno));
		memset(cur_all, 0, (size_t)nslots * rwords * 4);
		memset(prev_all, 0, (size_t)nslots * rwords * 4);
		memset(tail_filled, 0, tailmax / ps);
		sh->fill_transit = 0;
		memset(hfilled, 0, (hend - hbase) / ps);
		seq_end_resized(fd, base);
		ADD(&sh->epoch, 1);
		wr_unlock(lfd);
		close(lfd);
	} else if (LOAD(&sh->seq) & 1) {
		off_t end = lseek(fd, 0, SEEK_END);
		uint64_t tp0 = base / ps;

		for (uint64_t p = end / ps; p < (base + tailmax) / ps; p++)
			tail_filled[p - tp0] = 0;
		for (uint64_t p = 0; p < (hend - hbase) / ps; p++)
			if (hbase + p * ps >= (uint64_t)end)
				hfilled[p] = 0;
		seq_end_resized(fd, end);
	}
	/* killed in a huge round: stop the racers, back into the tail */
	if (LOAD(&sh->hgen) & 1)
		STORE(&sh->hgen, LOAD(&sh->hgen) + 1);
	if (LOAD(&sh->size) > tend) {
		seq_begin();
		if (ioc_resize(fd, tend))
			die("repair: resize: %s", strerror(errno));
		memset(hfilled, 0, (hend - hbase) / ps);
		seq_end_resized(fd, tend);
	}
	sh->rop_now = -1;
}

/* Wait (a little) for the victim to be in the middle of something good. */
static int pick_moment(unsigned int v, uint64_t *rng)
{
	double until = now() + 0.002 * (1 + splitmix_below(rng, 50));

	do {
		if (v == opt_procs) {
			if (LOAD(&sh->wipe))
				return K_RESIZER_WIPE;
			if (LOAD(&sh->seq) & 1)
				return K_RESIZER_RESIZE;
		} else {
			for (unsigned int t = 0; t < opt_threads; t++) {
				int op = LOAD(&slots[v * opt_threads + t].op);

				if (op != W_IDLE && op != W_GUARD &&
				    op != W_OPEN) {
					ADD(&kills_by_op[op], 1);
					return K_WORKER_OP;
				}
			}
		}
	} while (now() < until);
	return v == opt_procs ? K_RESIZER_OTHER : K_WORKER_OTHER;
}

static void final_checks(int fd)
{
	uint64_t size = LOAD(&sh->size), *buf = malloc(rlen);
	struct vmmap_info in;
	struct vmmap_counters st;
	off_t end;

	snprintf(who, sizeof(who), "final");
	if (!buf)
		die("out of memory");
	end = lseek(fd, 0, SEEK_END);
	if ((uint64_t)end != size)
		mismatch(&sh->r_mismatches, "lseek(SEEK_END) %jd, expected %" PRIu64,
			 (intmax_t)end, size);
	/* every region holds what its worker last wrote */
	for (unsigned int s = 0; s < nslots; s++) {
		struct wctx w = { .id = s, .sl = &slots[s], .cur = cur_of(s),
				  .prev = prev_of(s), .roff = (uint64_t)s * rlen };

		if (pread_all(fd, buf, rlen, w.roff) != (ssize_t)rlen)
			mismatch(&sh->r_mismatches, "final pread of region %u failed", s);
		else
			region_check(&w, 0, rwords, buf, "final", "pread");
	}
	{
		struct rctx r = { .fd = fd, .buf = buf };

		tail_verify(&r, size);
	}
	if (ioc_info(fd, &in))
		die("GET_INFO: %s", strerror(errno));
	if (in.live_vmas)
		mismatch(&sh->r_mismatches,
			 "live_vmas %" PRIu64 " with no process mapping the object",
			 (uint64_t)in.live_vmas);
	if (in.object_size != size || in.resident_pages > resident_max(size) ||
	    in.dirty_pages > in.resident_pages)
		mismatch(&sh->r_mismatches,
			 "GET_INFO: object_size %" PRIu64 " (expected %" PRIu64
			 "), resident %" PRIu64 ", dirty %" PRIu64,
			 (uint64_t)in.object_size, size,
			 (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages);
	if (fsync(fd) || ioc_info(fd, &in) || in.dirty_pages)
		mismatch(&sh->r_mismatches, "dirty_pages %" PRIu64 " after fsync",
			 (uint64_t)in.dirty_pages);
	if (ioc_stats(fd, &st) == 0 &&
	    st.pages_allocated - st.pages_freed != in.resident_pages)
		mismatch(&sh->r_mismatches,
			 "pages_allocated %" PRIu64 " - pages_freed %" PRIu64
			 " != resident_pages %" PRIu64, (uint64_t)st.pages_allocated,
			 (uint64_t)st.pages_freed, (uint64_t)in.resident_pages);
	if (ioc_resize(fd, 0) || ioc_info(fd, &in) || in.resident_pages ||
	    in.dirty_pages || in.object_size)
		mismatch(&sh->r_mismatches, "after resize to 0: size %" PRIu64
			 ", resident %" PRIu64 ", dirty %" PRIu64,
			 (uint64_t)in.object_size, (uint64_t)in.resident_pages,
			 (uint64_t)in.dirty_pages);
	free(buf);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vmmap-stress [-d SECONDS] [-p PROCS] [-t THREADS] [-s SEED]\n"
		"                    [-r REGION_PAGES] [-T TAIL_PAGES] [-k KILL_MS] [-H] [-v]\n"
		"  -d  how long to run (default 60)\n"
		"  -p  worker processes (default 4), -t threads each (default 4)\n"
		"  -s  seed of every random choice (default 1)\n"
		"  -r  pages each worker thread owns (default 16)\n"
		"  -T  pages of the tail the resizer moves the end in (default 64)\n"
		"  -k  mean milliseconds between SIGKILLs of a child, 0: none (default 300)\n"
		"  -H  no huge window (no huge rounds)\n"
		"  -v  progress every 10 s\n");
	exit(2);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct vmmap_info in0;
	struct vmmap_counters st0, st1;
	uint64_t rng, total_ops = 0, words = 0, sigbus = 0, sigsegv = 0;
	uint64_t unstable = 0, enomem = 0, ops[W_NOPS] = { 0 };
	uint64_t hraces = 0, hkind[4] = { 0 };
	double t0, t_end, next_kill, next_report;
	size_t shlen, off_slots, off_cur, off_prev, off_tail, off_huge;
	unsigned int hung = 0;
	pthread_t compactor_tid;
	int c, fd, lfd;
	char *mem;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "d:p:t:s:r:T:k:Hvh")) != -1) {
		switch (c) {
		case 'd': opt_secs = num(optarg); break;
		case 'p': opt_procs = num(optarg); break;
		case 't': opt_threads = num(optarg); break;
		case 's': opt_seed = num(optarg); break;
		case 'r': opt_rpages = num(optarg); break;
		case 'T': opt_tpages = num(optarg); break;
		case 'k': opt_kill_ms = num(optarg); break;
		case 'H': opt_huge = false; break;
		case 'v': opt_verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc || !opt_procs || !opt_threads || opt_threads > 64 ||
	    opt_rpages < 2 || opt_procs * opt_threads > 1024 || !opt_tpages)
		usage();

	ps = sysconf(_SC_PAGESIZE);
	nslots = opt_procs * opt_threads;
	rlen = opt_rpages * ps;
	rwords = rlen / 8;
	base = (uint64_t)nslots * rlen;
	tailmax = (uint64_t)opt_tpages * ps;
	tend = base + tailmax;
	pmd = ps * (ps / 8);
	huge_on = vmmap_huge_param();
	may_map_eof = !vmmap_kernel_guards_eof();
	/* the huge window: PMD-aligned, two huge pages, after the tail */
	hbase = hend = tend;
	if (opt_huge) {
		hbase = round_up_pmd(tend);
		hend = hbase + 2 * pmd;
	}
	guard = 4 * ps;
	maplen = hend + guard;

	fd = dev_open(O_RDWR);
	if (ioc_info(fd, &in0) || ioc_stats(fd, &st0))
		die("GET_INFO/GET_STATS: %s", strerror(errno));
	if (in0.page_size != ps)
		die("driver page size %u, ours %zu", in0.page_size, ps);
	if (in0.max_size < tend)
		die("max_size %" PRIu64 " below the %" PRIu64 " bytes needed",
		    (uint64_t)in0.max_size, tend);
	if (in0.max_size < hend) {
		say("stress: max_size %" PRIu64 " below the huge window's end %"
		    PRIu64 ": no huge rounds\n", (uint64_t)in0.max_size, hend);
		hbase = hend = tend;
		maplen = hend + guard;
	}
	if (in0.live_vmas)
		say("stress: warning: %" PRIu64 " VMAs map the object already\n",
		    (uint64_t)in0.live_vmas);

	/* shared state: header, slots, expected gens, tail model */
	off_slots = (sizeof(struct shared) + 63) & ~(size_t)63;
	off_cur = off_slots + ((nslots * sizeof(struct slot) + 63) & ~(size_t)63);
	off_prev = off_cur + (size_t)nslots * rwords * 4;
	off_tail = off_prev + (size_t)nslots * rwords * 4;
	off_huge = off_tail + tailmax / ps;
	shlen = off_huge + (hend - hbase) / ps;
	mem = mmap(NULL, shlen, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("shared state: %s", strerror(errno));
	sh = (struct shared *)mem;
	slots = (struct slot *)(mem + off_slots);
	cur_all = (uint32_t *)(mem + off_cur);
	prev_all = (uint32_t *)(mem + off_prev);
	tail_filled = (uint8_t *)(mem + off_tail);
	hfilled = (uint8_t *)(mem + off_huge);
	sh->rop_now = -1;

	snprintf(lock_path, sizeof(lock_path), "%s/vmmap-stress.%d.lock",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	lfd = open(lock_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (lfd < 0)
		die("create %s: %s", lock_path, strerror(errno));
	close(lfd);

	/* start from zeroes: every expected gen is 0 */
	if (ioc_resize(fd, 0) || ioc_resize(fd, base + tailmax / 2 / ps * ps))
		die("initial resize: %s", strerror(errno));
	sh->size = base + tailmax / 2 / ps * ps;
	sh->kept_end = sh->size;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	install_handlers();
	printf("stress: %u s, seed %" PRIu64 ", %u processes x %u threads + resizer, "
	       "page %zu, regions %u x %zu KiB, tail %" PRIu64 " KiB, kill every ~%u ms\n",
	       opt_secs, opt_seed, opt_procs, opt_threads, ps, nslots, rlen >> 10,
	       tailmax >> 10, opt_kill_ms);
	if (hend > tend)
		printf("stress: huge window %" PRIu64 " KiB at %#" PRIx64 " (huge pages %zu KiB, "
		       "module huge=%c), %u rounds per 1000 resizer operations\n",
		       (hend - hbase) >> 10, hbase, pmd >> 10, huge_on ? 'Y' : 'N',
		       huge_per_mille());
	else
		printf("stress: no huge window\n");

	kids = calloc(opt_procs + 1, sizeof(*kids));
	if (!kids)
		die("out of memory");
	for (unsigned int i = 0; i <= opt_procs; i++)
		spawn(i);

	if (pthread_create(&compactor_tid, NULL, compactor, NULL))
		die("pthread_create failed");
	rng = mix64(opt_seed ^ 0x5151);
	t0 = now();
	t_end = t0 + opt_secs;
	next_kill = t0 + (opt_kill_ms ?
			  (1 + splitmix_below(&rng, 2 * opt_kill_ms)) / 1000.0 : 1e12);
	next_report = t0 + 10;
	while (now() < t_end) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			for (unsigned int i = 0; i <= opt_procs; i++) {
				if (kids[i].pid != pid)
					continue;
				/* nobody may die unless we killed it */
				deaths++;
				mismatch(&sh->r_mismatches, "%s %d died: %s %d",
					 i < opt_procs ? "worker" : "resizer", (int)pid,
					 WIFSIGNALED(st) ? "signal" : "exit status",
					 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
				kill(-pid, SIGKILL);
				reap_group(pid);
				if (i == opt_procs)
					repair_after_resizer(fd);
				spawn(i);
				respawns++;
			}
			continue;
		}
		if (now() >= next_kill) {
			unsigned int v = splitmix_below(&rng, opt_procs + 1);
			int kind = pick_moment(v, &rng);

			kill(-kids[v].pid, SIGKILL);
			st = reap_group(kids[v].pid);
			kills[kind]++;
			if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
				deaths++;
				mismatch(&sh->r_mismatches,
					 "%s %d died by itself before the kill: status %#x",
					 v < opt_procs ? "worker" : "resizer",
					 (int)kids[v].pid, st);
			}
			if (v == opt_procs)
				repair_after_resizer(fd);
			spawn(v);
			respawns++;
			next_kill = now() + (1 + splitmix_below(&rng, 2 * opt_kill_ms)) / 1000.0;
		}
		if (opt_verbose && now() >= next_report) {
			uint64_t n = 0;

			for (unsigned int s = 0; s < nslots; s++)
				for (int o = 0; o < W_NOPS; o++)
					n += LOAD(&slots[s].ops[o]);
			printf("stress: %.0f s: %" PRIu64 " worker ops, %" PRIu64
			       " mismatches, %" PRIu64 " respawns\n", now() - t0, n,
			       LOAD(&sh->mismatches), respawns);
			next_report += 10;
		}
		msleep(5);
	}

	/* stop: every child must finish its operation and exit 0 */
	STORE(&sh->stop, 1);
	pthread_join(compactor_tid, NULL);
	for (unsigned int i = 0; i <= opt_procs; i++) {
		double until = now() + 120;
		int st = 0;
		pid_t r;

		while ((r = waitpid(kids[i].pid, &st, WNOHANG)) == 0 && now() < until)
			msleep(10);
		if (r == 0) {
			hung++;
			mismatch(&sh->r_mismatches, "%s %d did not stop within 120 s",
				 i < opt_procs ? "worker" : "resizer", (int)kids[i].pid);
			kill(-kids[i].pid, SIGKILL);
			reap_group(kids[i].pid);
			if (i == opt_procs)
				repair_after_resizer(fd);
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			deaths++;
			mismatch(&sh->r_mismatches, "%s %d ended with status %#x",
				 i < opt_procs ? "worker" : "resizer", (int)kids[i].pid, st);
			reap_group(kids[i].pid);
			if (i == opt_procs)
				repair_after_resizer(fd);
		} else {
			reap_group(kids[i].pid);
		}
	}
	final_checks(fd);
	if (ioc_stats(fd, &st1))
		die("GET_STATS: %s", strerror(errno));
	if (st1.sigbus - st0.sigbus < sh->sigbus_seen)
		mismatch(&sh->r_mismatches, "stats.sigbus rose by %" PRIu64
			 " but %" PRIu64 " SIGBUS were seen",
			 (uint64_t)(st1.sigbus - st0.sigbus), sh->sigbus_seen);
	if (ioc_resize(fd, in0.object_size))
		say("stress: could not restore the size %" PRIu64 ": %s\n",
		    (uint64_t)in0.object_size, strerror(errno));
	unlink(lock_path);

	for (unsigned int s = 0; s < nslots; s++) {
		for (int o = 0; o < W_NOPS; o++) {
			ops[o] += slots[s].ops[o];
			total_ops += slots[s].ops[o];
		}
		words += slots[s].words;
		sigbus += slots[s].sigbus;
		sigsegv += slots[s].sigsegv;
		unstable += slots[s].unstable;
		enomem += slots[s].enomem;
		hraces += slots[s].hraces;
		for (int k = 0; k < 4; k++)
			hkind[k] += slots[s].hkind[k];
	}
	printf("stress: %.0f s, %" PRIu64 " worker operations:", now() - t0, total_ops);
	for (int o = 1; o < W_NOPS; o++)
		printf(" %s %" PRIu64, wop_name[o], ops[o]);
	printf("\nstress: resizer:");
	for (int o = 0; o < R_NOPS; o++)
		printf(" %s %" PRIu64, rop_name[o], sh->rops[o]);
	printf("\nstress: huge rounds %" PRIu64 ": got a huge page %" PRIu64
	       ", a pipe held a page %" PRIu64 ", kept whole %" PRIu64 ", split %" PRIu64
	       "; worker races %" PRIu64 " (fault %" PRIu64 ", read %" PRIu64
	       ", fsync %" PRIu64 ", vmsplice %" PRIu64 ")",
	       sh->h_rounds, sh->h_huge, sh->h_pipe, sh->h_kept, sh->h_split, hraces,
	       hkind[0], hkind[1], hkind[2], hkind[3]);
	printf("\nstress: checked %" PRIu64 " words; expected SIGBUS %" PRIu64
	       ", expected SIGSEGV %" PRIu64 ", tail probes racing a resize %" PRIu64
	       ", mremap/fork refused %" PRIu64 "\n", words + sh->r_words,
	       sigbus + sh->r_sigbus, sigsegv, unstable, enomem);
	printf("stress: SIGKILLs %" PRIu64 ":", kills[0] + kills[1] + kills[2] +
	       kills[3] + kills[4]);
	for (int k = 0; k < K_NKINDS; k++)
		printf(" %s %" PRIu64, kill_name[k], kills[k]);
	printf(" (mid-op:");
	for (int o = 1; o < W_NOPS; o++)
		if (kills_by_op[o])
			printf(" %s %" PRIu64, wop_name[o], kills_by_op[o]);
	printf("); respawns %" PRIu64 ", unexpected deaths %" PRIu64 ", hangs %u\n",
	       respawns, deaths, hung);
	printf("stress: compactions requested %" PRIu64 "\n", compactions);
	printf("stress: kernel counters: mmap +%" PRIu64 " fault +%" PRIu64
	       " map_pages +%" PRIu64 " page_mkwrite +%" PRIu64 " sigbus +%" PRIu64
	       " fsync +%" PRIu64 " pages_cleaned +%" PRIu64 " resize +%" PRIu64
	       " vma_open +%" PRIu64 " vma_close +%" PRIu64 " pages_allocated +%"
	       PRIu64 " pages_freed +%" PRIu64 "\n",
	       (uint64_t)(st1.mmap - st0.mmap), (uint64_t)(st1.fault - st0.fault),
	       (uint64_t)(st1.map_pages - st0.map_pages),
	       (uint64_t)(st1.page_mkwrite - st0.page_mkwrite),
	       (uint64_t)(st1.sigbus - st0.sigbus), (uint64_t)(st1.fsync - st0.fsync),
	       (uint64_t)(st1.pages_cleaned - st0.pages_cleaned),
	       (uint64_t)(st1.resize - st0.resize),
	       (uint64_t)(st1.vma_open - st0.vma_open),
	       (uint64_t)(st1.vma_close - st0.vma_close),
	       (uint64_t)(st1.pages_allocated - st0.pages_allocated),
	       (uint64_t)(st1.pages_freed - st0.pages_freed));
	printf("stress: %" PRIu64 " mismatches\n", sh->mismatches);
	printf("stress: %s\n", sh->mismatches ? "FAIL" : "PASS");
	return sh->mismatches ? 1 : 0;
}
