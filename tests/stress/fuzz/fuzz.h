/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmmap-fuzz: the op table, the model, what the op families share. An op's
 * @pick draws its arguments from the seeded generator and the model, @run
 * makes the call, @check judges it and updates the model; @run and @check
 * use only the arguments, the model and the process's state, so that a
 * replay of the logged arguments makes the same calls.
 */
#ifndef VMMAP_FUZZ_H
#define VMMAP_FUZZ_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "libvmmap.h"
#include "../../sys-compat.h"

#define FZ_NARGS	12
#define FZ_CAP		(8UL << 20)	/* the object stays at most this big */
#define FZ_ARENA	(32UL << 20)	/* where mappings are made and unmade */
#define FZ_SCRATCH	(256UL << 10)	/* a RW buffer, then a PROT_NONE page */
#define FZ_DEVBUF_PAGES	64		/* our own mapping of offset 0.. */
#define FZ_NFDS		4		/* O_RDWR, O_RDONLY, O_WRONLY, O_PATH */
#define FZ_SLACK	256		/* bytes a faulting copy may under-report */
#if defined(__x86_64__) || defined(__i386__)
#define FZ_X86		1
#else
#define FZ_X86		0
#endif

struct fz_call {
	uint64_t a[FZ_NARGS];	/* the arguments, as logged */
	long ret;		/* what run() got back, */
	int err, sig;		/* errno, the signal an access raised */
	uint64_t x[2];		/* and more of what it saw, for check() */
};

struct fz_op {
	const char *name;
	unsigned int weight;
	void (*pick)(struct fz_call *c);
	void (*run)(struct fz_call *c);
	void (*check)(struct fz_call *c);
};

/* The ops of each family, each list ending with a NULL name. */
extern const struct fz_op fz_io_ops[], fz_map_ops[], fz_ctl_ops[], fz_huge_ops[];

struct fz_fd {
	int fd, acc;		/* acc: O_RDONLY, O_WRONLY, O_RDWR */
	bool path;		/* O_PATH */
	int64_t pos;		/* the file position, as modelled */
};

struct fz_vma {			/* a VMA of this process, from /proc/self/maps */
	uintptr_t start, end;
	int prot;
	bool shared, dev;
	uint64_t off;
};

/*
 * The object's size and bytes (below FZ_CAP), the pages written since they
 * were cleaned (each must be reported dirty), and kept_end: the end of a huge
 * page a shrink kept whole (else the size). resident_pages may count up to
 * it, and before 6.18 its zeroed tail may be mapped past the size.
 */
struct fz_model {
	uint64_t size, kept_end;
	bool kept_written;	/* a store reached that tail since */
	uint8_t *shadow, *dirty;	/* FZ_CAP bytes; a byte a page */
};

extern struct fz_model fz;
extern size_t fz_ps, fz_pmd;
extern uint64_t fz_max_size, fz_huge_got, fz_huge_kept;
extern bool fz_huge, fz_may_map_eof;		/* huge=Y; no vmmap_kernel_guards_eof() */
extern int fz_dev, fz_nvmas, fz_dev_vmas;	/* fz_dev: ours, never fuzzed */
extern struct fz_fd fz_fds[FZ_NFDS];
extern char *fz_arena, *fz_scratch, *fz_ro, *fz_none, *fz_devbuf;
extern struct fz_vma *fz_vmas;

/* main.c: the generator (for pick() only) and failures */
uint64_t fz_rnd(void);
uint64_t fz_below(uint64_t n);
bool fz_chance(unsigned int pct);
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define fz_ename(e)	((e) ? strerrorname_np(e) ?: "E?" : "0")
/* Not the driver's to decide: success or an errno of @allowed (0-terminated). */
bool fz_allowed(const struct fz_call *c, const int *allowed);
/* The driver decides: success (@want 0) or exactly @want. True on success. */
bool fz_exact(const struct fz_call *c, int want);

/* model.c */
void fz_model_resize(uint64_t n);	/* after a successful resize */
void fz_model_store(uint64_t off, const void *src, uint64_t len);
void fz_model_clean(uint64_t from, uint64_t to);
bool fz_past_end_ok(uint64_t off, uint8_t v);
void fz_resync(uint64_t off, uint64_t len);
uint64_t fz_resident(void);
#define fz_resize(n)	vmmap_resize(fz_dev, (n))
uint64_t fz_addr_enc(const void *p);	/* as logged */
char *fz_addr_dec(uint64_t v);
char *fz_pick_arena_addr(void);
char *fz_pick_buf(uint64_t len);	/* good, short, read-only, PROT_NONE, the object */
/* Bytes the kernel can read (@rd) or write from @p on; *@devoff: in the object, or -1 */
uint64_t fz_buf_acc(const char *p, bool rd, int64_t *devoff);
#define fz_fdnum(s)	((s) < 0 || (s) >= FZ_NFDS ? 987 : fz_fds[s].fd)	/* 987: closed */
bool fz_fd_can(int slot, int acc);	/* open, not O_PATH, with @acc (or O_RDWR); -1 any */
void fz_refresh_maps(void);
struct fz_vma *fz_find_vma(uintptr_t a, uint64_t len);	/* the first VMA in the range */
int fz_probe(void *p, bool wr, uint8_t *val);
void fz_check_dirty(uint64_t start, uint64_t walk_end, const struct vmmap_range *r, uint32_t n);
void fz_consistency(bool deep, uint64_t stride, uint64_t new_size);

#define fz_min(a, b)	((uint64_t)(a) < (uint64_t)(b) ? (uint64_t)(a) : (uint64_t)(b))
#define fz_page_up(n)	(((uint64_t)(n) + fz_ps - 1) & ~(uint64_t)(fz_ps - 1))

#endif
