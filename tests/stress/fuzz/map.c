// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of the device (never of anonymous memory), munmap, mprotect, madvise,
 * msync, loads and stores. The driver decides where a mapping goes (a free
 * hint is honoured, a PMD or more is aligned to its offset modulo the PMD),
 * that a plain mmap succeeds, what an access sees (SIGBUS at or past the
 * size) and that MS_SYNC cleans; the rest is the mm's (an errno of mm_errs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

static const int mm_errs[] = { EINVAL, ENOMEM, EACCES, EFAULT, EAGAIN, EBADF, ENODEV, EEXIST,
	EOPNOTSUPP, EOVERFLOW, EHWPOISON, EINTR, EBUSY, EPERM, 0 };

/* A page of the arena, sometimes a byte inside it */
static char *pick_addr(void)
{
	return fz_pick_arena_addr() + (fz_chance(5) ? 1 + fz_below(fz_ps - 1) : 0);
}

static uint64_t pick_len(char *a)
{
	uint64_t room = fz_arena + FZ_ARENA - a, i = fz_below(9);
	struct fz_vma *v = fz_find_vma((uintptr_t)a, 1);
	const uint64_t l[] = { 0, 1 + fz_below(fz_ps),
		fz_ps * (1 + fz_below(fz_min(room / fz_ps, 16))),
		v && v->end <= (uintptr_t)fz_arena + FZ_ARENA ? v->end - (uintptr_t)a : fz_ps,
		1 + fz_below(room), room, (uint64_t)-1 - fz_below(2 * fz_ps) - (uintptr_t)a / 2 };

	return l[i < 2 ? i : i < 5 ? 2 : i - 2];
}

/* a0 address, a1 length, a2 prot, a3 flags, a4 fd slot, a5 offset */
static void mmap_pick(struct fz_call *c)
{
	/* not MAP_LOCKED: before 5.18 munmap unlocked terabytes page by page */
	static const uint64_t more[] = { MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_POPULATE,
		MAP_NORESERVE, MAP_SYNC, MAP_HUGETLB, MAP_GROWSDOWN, MAP_STACK, MAP_NONBLOCK,
		0x200000, 1ULL << 40 };
	static const unsigned int pct[] = { 25, 10, 10, 5, 8, 3, 3, 3, 3, 2, 2 };
	uint64_t flags = fz_chance(96) ? 1 + fz_below(3) : 4 + fz_below(12), len;
	const uint64_t lens[] = { 0, 1 + fz_below(fz_ps), fz_ps * (1 + fz_below(16)),
		fz_pmd + fz_ps * fz_below(3), 2 * fz_pmd + fz_below(2) * fz_ps,
		1 + fz_below(4 * fz_pmd), 1ULL << (30 + fz_below(18)),
		(uint64_t)-1 - fz_below(fz_ps), fz_ps * (1 + fz_below(256)) };
	const uint64_t offs[] = { fz_below(fz_ps * 4), fz_page_up(fz.size),
		fz_max_size + fz_ps * fz_below(2), (uint64_t)-1 - fz_ps * fz_below(4) + 1,
		fz_ps * fz_below(fz.size / fz_ps + 8) };
	char *addr = NULL;

	for (int i = 0; i < 11; i++)
		flags |= fz_chance(pct[i]) ? more[i] : 0;
	len = lens[fz_below(9)];
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		addr = pick_addr();
		/*
		 * Stay in the arena: a MAP_FIXED past it would replace the stack
		 * where TASK_SIZE has room (arm64 with 52-bit VAs: 4 PiB, so 8 TiB
		 * from the arena fits). Only a length no TASK_SIZE holds (2^57,
		 * x86 5-level) is kept as picked, to fail.
		 */
		if (len > (uint64_t)(fz_arena + FZ_ARENA - addr) && len < (1ULL << 57))
			len = fz_arena + FZ_ARENA - addr;
	} else if (fz_chance(40)) {
		addr = pick_addr();
	}
	c->a[0] = addr ? fz_addr_enc(addr) : 0;
	c->a[1] = len;
	c->a[2] = fz_below(8) | (fz_chance(4) ? 1ULL << fz_below(32) : 0);
	c->a[3] = flags;
	c->a[4] = fz_chance(5) ? (uint64_t)-1 : fz_below(FZ_NFDS);
	c->a[5] = offs[fz_chance(60) ? 4 : fz_below(4)];
}

static void mmap_run(struct fz_call *c)
{
	c->x[0] = syscall(SYS_mmap, c->a[0] ? fz_addr_dec(c->a[0]) : NULL, c->a[1], c->a[2],
			  c->a[3], fz_fdnum((int)c->a[4]), c->a[5]);
	c->err = errno;
	c->ret = (void *)c->x[0] == MAP_FAILED ? -1 : 0;
}

/* Plain, to succeed: shared/private, r/w, only MAP_FIXED in the arena, _POPULATE, _NORESERVE */
static void mmap_check(struct fz_call *c)
{
	char *addr = c->a[0] ? fz_addr_dec(c->a[0]) : NULL, *p = (char *)c->x[0];
	uint64_t len = c->a[1], alen = fz_page_up(len), off = c->a[5];
	uint64_t fl = c->a[3], type = fl & 0xf;
	uintptr_t hint = (uintptr_t)addr, end = (uintptr_t)fz_arena + FZ_ARENA;
	bool fixed = fl & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	int slot = (int)c->a[4];
	bool plain = (type == MAP_SHARED || type == MAP_PRIVATE) &&
		!(fl & ~(uint64_t)(0xf | MAP_FIXED | MAP_POPULATE | MAP_NORESERVE)) &&
		!(c->a[2] & ~(uint64_t)(PROT_READ | PROT_WRITE)) && len && len <= 64 * fz_pmd &&
		!(off % fz_ps) && off < fz_max_size && fz_fd_can(slot, O_RDONLY) &&
		!(type == MAP_SHARED && (c->a[2] & PROT_WRITE) && !fz_fd_can(slot, O_WRONLY)) &&
		(!fixed || (hint % fz_ps == 0 && hint + alen <= end));

	if (plain ? fz_exact(c, 0) : fz_allowed(c, mm_errs)) {
		if ((uintptr_t)p % fz_ps || (fixed && p != addr))
			fz_fail("mmap at %p returned %p", addr, p);
		/* the driver's get_unmapped_area */
		if (!fixed && hint && hint % fz_ps == 0 && hint >= (uintptr_t)fz_arena &&
		    hint + alen <= end && !fz_find_vma(hint, alen) && (uintptr_t)p != hint)
			fz_fail("a free hint %p was not honoured: got %p", addr, p);
		if (!fixed && (uintptr_t)p != (hint & ~(uintptr_t)(fz_ps - 1)) && alen >= fz_pmd &&
		    alen <= (1ULL << 40) && ((uintptr_t)p - off) % fz_pmd)
			fz_fail("a %#" PRIx64 "-byte mapping at offset %#" PRIx64 " got %p, not "
				"aligned to its offset modulo %#zx", alen, off, p, fz_pmd);
		/* a mapping the kernel put outside the arena goes at once */
		if (((uintptr_t)p < (uintptr_t)fz_arena || (uintptr_t)p + alen > end) &&
		    (((uintptr_t)p < end && (uintptr_t)p + alen > (uintptr_t)fz_arena) ||
		     munmap(p, alen)))
			fz_die("a mapping at %p+%#" PRIx64 " across the arena", p, alen);
	}
	fz_refresh_maps();
}

/* a0 address, a1 length, a2 prot/advice/flags, a3 munmap, mprotect, madvise, msync */
static void range_pick(struct fz_call *c)
{
	static const int advs[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
		MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
		MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED, MADV_COLLAPSE };
	char *a = pick_addr();
	uint64_t which = fz_below(4);

	c->a[0] = fz_addr_enc(a);
	c->a[1] = pick_len(a);
	c->a[3] = which;
	if (which == 2)	/* never MADV_HWPOISON, MADV_SOFT_OFFLINE, the guard ones (100..) */
		c->a[2] = fz_chance(5) ? 26 + fz_below(70) : (uint64_t)advs[fz_below(23)];
	else if (which)
		c->a[2] = fz_below(8) | (fz_chance(5) ? 1ULL << fz_below(31) : 0);
}

static void range_run(struct fz_call *c)
{
	char *a = fz_addr_dec(c->a[0]);
	int arg = (int)c->a[2];

	errno = 0;
	c->ret = c->a[3] == 0 ? munmap(a, c->a[1]) : c->a[3] == 1 ? mprotect(a, c->a[1], arg) :
		 c->a[3] == 2 ? madvise(a, c->a[1], arg) : msync(a, c->a[1], arg);
	c->err = errno;
}

/* MS_SYNC reaches the driver's fsync, which cleans what it covers (and then ENOMEM for a hole). */
static void range_check(struct fz_call *c)
{
	if ((fz_allowed(c, mm_errs) || c->err == ENOMEM) && c->a[3] == 3 && (c->a[2] & MS_SYNC) &&
	    c->a[1])
		fz_model_clean(0, FZ_CAP);
	fz_refresh_maps();
}

/* a0 address, a1 store, a2 value */
static void touch_pick(struct fz_call *c)
{
	char *a = fz_pick_arena_addr() + fz_below(fz_ps);

	if (fz_chance(10) && a >= fz_arena + fz_ps)
		a -= fz_ps;	/* just before a VMA */
	c->a[0] = fz_addr_enc(fz_chance(25) ? fz_devbuf + fz_below(FZ_DEVBUF_PAGES * fz_ps) : a);
	c->a[1] = fz_chance(40);
	c->a[2] = (uint8_t)fz_rnd();
}

static void touch_run(struct fz_call *c)
{
	uint8_t v = c->a[2];

	c->sig = fz_probe(fz_addr_dec(c->a[0]), c->a[1], &v);
	c->x[0] = v;
	c->ret = 0;
}

#define signame(sig)	((sig) == SIGBUS ? "SIGBUS" : (sig) ? "SIGSEGV" : "no signal")

static void touch_check(struct fz_call *c)
{
	uintptr_t a = (uintptr_t)fz_addr_dec(c->a[0]);
	struct fz_vma *v = fz_find_vma(a, 1);
	bool wr = c->a[1], cmp;
	uint64_t off = v ? v->off + (a - v->start) : 0;
	uint8_t got = c->x[0];
	int want = !v || !(v->prot & (wr ? PROT_WRITE : PROT_READ | PROT_WRITE | PROT_EXEC)) ?
		   SIGSEGV : 0;

	if (v && !FZ_X86 && v->prot == PROT_EXEC && c->sig == SIGSEGV)
		return;		/* arm64: execute-only may not read */
	if (!want && v->dev && off >= fz.size) {
		want = SIGBUS;	/* the driver's ->fault */
		if (!c->sig && fz_past_end_ok(off, wr ? 0 : got)) {
			fz.kept_written |= wr;
			return;	/* the zeroed tail of a kept huge page */
		}
	}
	cmp = !want && !wr && v->dev && v->shared;
	if (c->sig != want) {
		fz_fail("%s at object offset %#" PRIx64 " (size %#" PRIx64 "), expected %s",
			signame(c->sig), off, fz.size, signame(want));
		if (!c->sig && wr && v && v->dev && v->shared && off < fz.size)
			fz_resync(off, 1);
	} else if (cmp && off < FZ_CAP && got != fz.shadow[off]) {
		fz_fail("read %#x at object offset %#" PRIx64 ", expected %#x", got, off,
			fz.shadow[off]);
	} else if (!c->sig && wr && v->dev && v->shared) {
		fz_model_store(off, &got, 1);
	}
}

const struct fz_op fz_map_ops[] = {
	{ "mmap", 24, mmap_pick, mmap_run, mmap_check },
	{ "range", 42, range_pick, range_run, range_check },	/* munmap ... msync */
	{ "touch", 32, touch_pick, touch_run, touch_check },
	{ NULL },
};
