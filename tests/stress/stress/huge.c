// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: huge rounds (issue 14). The resizer grows the object over
 * the huge window, populates its first huge page and shrinks into it while
 * workers race the shrink (op_huge: fault, read(2), fsync, a pipe holding a
 * page); data below the new end must survive, through every way of looking.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "stress.h"

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

static const char *const via[4] = {
	"fault (after MADV_DONTNEED)", "pread", "re-dirty+fsync", "vmsplice",
};

/* One access of kind @how to a random word of the huge page, checked. */
static void huge_race_once(struct wctx *w, int how)
{
	uint64_t npg = pmd / ps, wpp = ps / 8;
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
		return;
	}
	if (sig) {
		count_sigbus(&w->sl->sigbus);
		return;
	}
	if (how == 1 && (r < 0 || (stable && (off < size) != (r == 8)))) {
		mismatch(&w->sl->mismatches, "huge-race: pread at %#" PRIx64
			 " with size %#" PRIx64 "%s returned %zd (%s)", off,
			 size, stable ? "" : " (changing)", r,
			 r < 0 ? strerror(errno) : "");
		return;
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
			return;
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
		return;
	}
	if (!got)
		return;
	if (stable && off >= size && !past_end_ok(off, kept, v)) {
		mismatch(&w->sl->mismatches,
			 "huge-race: data (%#" PRIx64 ") at offset %#" PRIx64
			 " past the size %#" PRIx64 " (%s)", v, off, size, via[how]);
		return;
	}
	if (off < size || !stable)
		huge_words_check(w, off, &v, 1,
				 stable && h0 == 1 && h1 == 1, via[how]);
}

/*
 * Race a huge round of the resizer (huge_round()): take references to the
 * window's first huge page the way that made the old shrink drop it, until
 * the round ends. Checked like the tail: exact while the size stayed put,
 * SIGBUS or zero/stamp otherwise.
 */
void op_huge(struct wctx *w)
{
	uint64_t g = LOAD(&sh->hgen);
	int how = splitmix_below(&w->rng, 4);

	if (!(g & 1) || hend == tend)
		return;		/* no round now */
	ADD(&w->sl->hraces, 1);
	ADD(&w->sl->hkind[how], 1);
	STORE(&sh->hjoin, g);
	if (how == 3 && w->pfd[0] < 0 && pipe2(w->pfd, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	for (int i = 0; i < 64 && LOAD(&sh->hgen) == g && !LOAD(&sh->stop); i++)
		huge_race_once(w, how);
}

/* Huge rounds per 1000 resizer operations: 3% with 2 MiB huge pages, fewer
 * with bigger ones (32 MiB on 16K pages: each round zeroes one). */
unsigned int huge_per_mille(void)
{
	uint64_t x = 30 * (2ULL << 20) / pmd;

	return x ? x : 1;
}

/* Fill page @p of the huge window with its stamps, through the mapping or
 * write(2); hfilled[p] says 2 meanwhile (either value may be there). */
static void huge_fill_page(struct rctx *r, uint64_t p, bool via_map)
{
	STORE(&hfilled[p], 2);
	fill_page(r, hbase + p * ps, via_map, "huge-shrink");
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

/* A resize inside a huge round, published with its kept_end. */
static void huge_resize(struct rctx *r, uint64_t size, const char *when)
{
	seq_begin();
	resize_or_die(r->fd, size, "huge round");
	seq_end_resized(r->fd, size);
	info_check(r->fd, size, when);
}

/*
 * Grow over the window and populate its first huge page (the first fault
 * through the PMD-aligned mapping allocates it whole) with stamps on some
 * of its pages; returns the page of the cut to come (1 .. npg - 1).
 */
static uint64_t huge_populate(struct rctx *r)
{
	uint64_t npg = pmd / ps, cp;
	struct vmmap_info in0, in1;

	huge_resize(r, hend, "huge round grow");
	if (vmmap_get_info(r->fd, &in0))
		die("GET_INFO: %s", strerror(errno));
	huge_fill_page(r, 0, true);
	if (vmmap_get_info(r->fd, &in1))
		die("GET_INFO: %s", strerror(errno));
	if (in1.resident_pages >= in0.resident_pages + npg / 2)
		ADD(&sh->h_huge, 1);
	cp = 1 + splitmix_below(&r->rng, npg - 1);
	huge_fill_page(r, cp - 1, splitmix_below(&r->rng, 2));
	huge_fill_page(r, cp, splitmix_below(&r->rng, 2));
	for (int i = 0; i < 30; i++)
		huge_fill_page(r, splitmix_below(&r->rng, npg), splitmix_below(&r->rng, 2));
	return cp;
}

/* Half the time, a pipe holds page *@pk of the huge page: 0, or -1 if not. */
static int huge_hold(struct rctx *r, int pfd[2], uint64_t *pk)
{
	struct iovec iov;

	if (!splitmix_below(&r->rng, 2))
		return -1;
	*pk = splitmix_below(&r->rng, pmd / ps);
	iov.iov_base = r->W + hbase + *pk * ps;
	iov.iov_len = ps;
	if (pipe2(pfd, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	if (vmsplice(pfd[1], &iov, 1, 0) != (ssize_t)ps)
		rmismatch("huge-shrink: vmsplice of offset %#" PRIx64 ": %s",
			  hbase + *pk * ps, strerror(errno));
	ADD(&sh->h_pipe, 1);
	return 0;
}

/* The pipe's page @pk: as it was below the new end (page @cp), zero past it. */
static void huge_pipe_check(struct rctx *r, int pfd[2], uint64_t pk, uint64_t cp)
{
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

/*
 * The shrink into the huge page, at page @cp: every filled page below the
 * new end keeps its data (read(2) and the mapping), resident_pages still
 * counts them, the new end gives SIGBUS.
 */
static void huge_shrink(struct rctx *r, uint64_t cp)
{
	uint64_t cut = hbase + cp * ps, hpg = (hend - hbase) / ps, kept, filled = 0;
	struct vmmap_info in;

	seq_begin();
	resize_or_die(r->fd, cut, "huge round");
	for (uint64_t p = cp; p < hpg; p++)
		STORE(&hfilled[p], 0);
	kept = kept_of(r->fd, cut);
	STORE(&sh->kept_end, kept);
	seq_end(cut);
	ADD(kept > cut ? &sh->h_kept : &sh->h_split, 1);
	info_check(r->fd, cut, "huge-shrink");

	for (uint64_t p = 0; p < cp; p++)
		if (hfilled[p]) {
			filled++;
			if (!huge_page_ok(r, p, cut, "(racing)"))
				break;
		}
	if (vmmap_get_info(r->fd, &in) == 0 && in.resident_pages < filled)
		rmismatch("huge-shrink to %#" PRIx64 ": resident_pages %" PRIu64
			  " but %" PRIu64 " pages of the huge page below the new end "
			  "hold data", cut, (uint64_t)in.resident_pages, filled);
	end_check(r, cut, kept, "huge-shrink");
}

/*
 * A huge round: grow the object over the gap and the huge window, populate
 * its first huge page, let the workers race it (op_huge) and, half the
 * time, hold a page of it in a pipe (vmsplice) ourselves; then shrink to a
 * size inside it that is not PMD-aligned (huge_shrink()); the pipe's page
 * is checked too. Then maybe regrow (zeroes past the cut, data below), and
 * shrink back into the tail.
 */
void huge_round(struct rctx *r)
{
	uint64_t cp, pk = 0, target;
	int pfd[2] = { -1, -1 };
	bool held;

	rop_begin(R_HUGE);
	ADD(&sh->h_rounds, 1);
	cp = huge_populate(r);

	/* the racers go; and a pipe holds a page, half the time */
	STORE(&sh->hgen, LOAD(&sh->hgen) + 1);
	held = huge_hold(r, pfd, &pk) == 0;
	/* until a worker races (20 ms at most), and a little longer */
	for (int i = 0; i < 20 && LOAD(&sh->hjoin) != LOAD(&sh->hgen); i++)
		msleep(1);
	msleep(1 + splitmix_below(&r->rng, 4));

	huge_shrink(r, cp);
	if (held)
		huge_pipe_check(r, pfd, pk, cp);
	STORE(&sh->hgen, LOAD(&sh->hgen) + 1);	/* the racers stop */

	if (splitmix_below(&r->rng, 2)) {
		huge_resize(r, hend, "huge round regrow");
		if (cp > 0)
			huge_page_ok(r, cp - 1, hend, "(regrown)");
		huge_page_ok(r, cp, hend, "(regrown)");
	}

	/* back into the tail: the window goes */
	target = random_tail_size(r);
	seq_begin();
	resize_or_die(r->fd, target, "huge round");
	memset(hfilled, 0, (hend - hbase) / ps);
	tail_forget(target);
	seq_end_resized(r->fd, target);
	info_check(r->fd, target, "huge round end");
}
