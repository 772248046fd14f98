/* SPDX-License-Identifier: GPL-2.0 */
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
 *
 * Files: main.c (options, setup, main), supervisor.c (spawn, SIGKILLs,
 * monitor, stop), worker.c (the worker threads and their region
 * operations), region.c (a region's expected state), tail.c (the tail and
 * guard: worker probes, resizer grows and shrinks), resizer.c (the resizer
 * process: seqlock, wipes, private truncation), huge.c (huge rounds and the
 * workers racing them), final.c (final checks, summary), common.c
 * (reporting, faulting accesses, the process-shared lock).
 */
#ifndef VMMAP_STRESS_H
#define VMMAP_STRESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libvmmap.h"
#include "../splitmix.h"
#include "../../sys-compat.h"

#define RW (PROT_READ | PROT_WRITE)
#define TAIL_GEN 0xffffffffu
#define MAX_MSGS 40

#define barrier() __asm__ __volatile__("" ::: "memory")
#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)

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

enum rop {
	R_GROW, R_SHRINK, R_WIPE, R_WIPE0, R_PRIVTRUNC, R_TAILCHECK,
	R_FSYNC, R_HUGE, R_NOPS
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

/* A worker thread */
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
	int op;			/* enum wop running now */
};

/* The resizer process */
struct rctx {
	int fd, lfd;
	char *W;		/* shared mapping of [0, maplen) */
	uint64_t rng;
	uint64_t *buf;
};

/* A worker operation: what the op table in worker.c holds. */
struct wop_def {
	const char *name;
	int weight;		/* relative frequency */
	bool locked;		/* under the wipe lock, for reading */
	void (*run)(struct wctx *w);
};

extern const struct wop_def wops[W_NOPS];
extern const char *const rop_name[R_NOPS];

/* Configuration and layout (main.c; set before any fork) */
extern unsigned int opt_secs, opt_procs, opt_threads;
extern unsigned int opt_rpages, opt_tpages, opt_kill_ms;
extern uint64_t opt_seed;
extern bool opt_verbose, opt_huge;

extern size_t ps;		/* page size */
extern size_t pmd;		/* huge page size: ps * ps / 8 */
extern bool huge_on;		/* /sys/module/vmmap/parameters/huge is Y */
extern bool may_map_eof;	/* the kernel may map a kept huge page's
				 * zeroed tail past the size (before 6.18) */
extern unsigned int nslots;	/* opt_procs * opt_threads */
extern size_t rlen;		/* bytes per worker region */
extern size_t rwords;		/* words per worker region */
extern uint64_t base, tailmax, guard, maplen;
extern uint64_t tend, hbase, hend;	/* tail end; the huge window */

/* Shared memory (main.c) */
extern struct shared *sh;
extern struct slot *slots;
extern uint32_t *cur_all, *prev_all;	/* nslots * rwords each */
extern uint8_t *tail_filled;		/* one per tail page */
extern uint8_t *hfilled;		/* one per window page: 0, 1 filled,
					 * 2 being filled */
extern char lock_path[256];

static inline uint32_t *cur_of(unsigned int s)
{
	return cur_all + (size_t)s * rwords;
}

static inline uint32_t *prev_of(unsigned int s)
{
	return prev_all + (size_t)s * rwords;
}

/* common.c */
extern __thread char who[32];
uint64_t stamp(uint64_t off, uint32_t gen);
void fill_stamps(uint64_t *dst, uint64_t off, size_t n, uint32_t gen);
double now(void);
void msleep(unsigned int ms);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmismatch(uint64_t *ctr, const char *fmt, va_list ap);
void mismatch(uint64_t *ctr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void count_sigbus(uint64_t *ctr);
int dev_open(int flags);
ssize_t pread_all(int fd, void *buf, size_t len, uint64_t off);
extern __thread void *volatile probe_addr;
void install_handlers(void);
int probe_load(const void *src, uint64_t *dst, size_t n);
int probe_store(void *dst, const uint64_t *src, size_t n);
int probe_redirty(void *p);
const char *signame(int sig);
uint64_t round_up_pmd(uint64_t x);
uint64_t resident_max(uint64_t size);
uint64_t kept_of(int fd, uint64_t size);
bool past_end_ok(uint64_t off, uint64_t kept, uint64_t v);
int lock_open(void);
void ofd_lock(int fd, short type);
void rd_lock(int fd);
void wr_lock(int fd);
void wr_unlock(int fd);

/* region.c */
uint64_t woff(struct wctx *w, uint32_t word);
bool region_check(struct wctx *w, uint32_t wa, size_t n, const uint64_t *got,
		  const char *op, const char *via);
uint32_t write_begin(struct wctx *w, uint32_t wa, uint32_t wb);
void write_end(struct wctx *w);
void region_repair(struct wctx *w);
void pick_range(struct wctx *w, uint32_t *wa, size_t *n);
bool verify(struct wctx *w, int how, uint32_t wa, size_t n, const char *op);
bool verify_page(struct wctx *w, size_t page, const char *op);
bool store_words(struct wctx *w, char *p, uint32_t wa, size_t n, uint32_t gen,
		 const char *op);
char *map_region(struct wctx *w, int fd, int prot, int flags);
void recover(struct wctx *w);

/* worker.c */
void worker_main(unsigned int proc, unsigned int incarnation)
	__attribute__((noreturn));

/* tail.c */
void op_tail(struct wctx *w);
void op_guard(struct wctx *w);
void tail_verify(struct rctx *r, uint64_t size);
void tail_fill_page(struct rctx *r, uint64_t p);
void tail_resize(struct rctx *r, uint64_t target);
uint64_t random_tail_size(struct rctx *r);
void tail_forget(uint64_t from);

/* resizer.c */
void seq_begin(void);
void seq_end(uint64_t size);
void seq_end_resized(int fd, uint64_t size);
void rmismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rop_begin(int op);
void resize_or_die(int fd, uint64_t size, const char *what);
void end_check(struct rctx *r, uint64_t cut, uint64_t kept, const char *what);
void fill_page(struct rctx *r, uint64_t off, bool via_map, const char *what);
void info_check(int fd, uint64_t size, const char *when);
void resizer_main(unsigned int incarnation) __attribute__((noreturn));

/* huge.c */
void op_huge(struct wctx *w);
unsigned int huge_per_mille(void);
void huge_round(struct rctx *r);

/* supervisor.c */
double supervise(int fd);
void supervisor_report(void);

/* final.c */
void final_checks(int fd, const struct vmmap_counters *st0,
		  struct vmmap_counters *st1);
void report(double t0, const struct vmmap_counters *st0,
	    const struct vmmap_counters *st1);

#endif
