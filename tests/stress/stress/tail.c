// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: the tail, where only the resizer moves the end and writes:
 * the workers' probes of it and of the guard past every size, exact when
 * the seqlock says no resize ran meanwhile; the resizer's grows, shrinks,
 * fills and checks of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

/* The tail: exact when no resize ran during the access, loose otherwise. */
void op_tail(struct wctx *w)
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
			count_sigbus(&w->sl->sigbus);
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
void op_guard(struct wctx *w)
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
		count_sigbus(&w->sl->sigbus);
	} else {
		mismatch(&w->sl->mismatches,
			 "guard: access at offset %#" PRIx64 " past the end gave %s at %p"
			 " (expected SIGBUS at %p)", off, signame(sig),
			 sig ? probe_addr : NULL, w->C + off);
	}
}

/* The tail below @size holds what tail_filled[] says (read(2)). */
void tail_verify(struct rctx *r, uint64_t size)
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

void tail_fill_page(struct rctx *r, uint64_t p)
{
	sh->fill_transit = p + 1;
	barrier();
	tail_filled[p] = 1;
	barrier();
	fill_page(r, base + p * ps, splitmix_below(&r->rng, 2), "tail fill");
	barrier();
	sh->fill_transit = 0;
	barrier();
}

/* Tail pages at and past offset @from hold nothing now (a shrink to it). */
void tail_forget(uint64_t from)
{
	for (uint64_t p = (from < base ? base : from) / ps; p < tend / ps; p++)
		tail_filled[p - base / ps] = 0;
}

/* The page at @off, just regrown, reads zero through @via (r->buf). */
static void zero_check(struct rctx *r, uint64_t off, const char *via)
{
	for (size_t i = 0; i < ps / 8; i++)
		if (r->buf[i]) {
			rmismatch("regrown page at %#" PRIx64 " holds %#" PRIx64
				  " at +%#zx (%s), expected zero", off,
				  r->buf[i], 8 * i, via);
			return;
		}
}

/* Resize within the tail; a grow checks that the new range reads zero. */
void tail_resize(struct rctx *r, uint64_t target)
{
	uint64_t old = LOAD(&sh->size), tp0 = base / ps;
	size_t wpp = ps / 8;

	rop_begin(target < old ? R_SHRINK : R_GROW);
	seq_begin();
	resize_or_die(r->fd, target, "");
	tail_forget(target);
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
		zero_check(r, off, "pread");
		sig = probe_load(r->W + off, r->buf, wpp);
		if (sig)
			rmismatch("regrown page at %#" PRIx64 ": %s below the size",
				  off, signame(sig));
		else
			zero_check(r, off, "mapping");
		ADD(&sh->r_words, 2 * wpp);
		if (splitmix_below(&r->rng, 2))
			tail_fill_page(r, p - tp0);
	}
}

uint64_t random_tail_size(struct rctx *r)
{
	return base + ps * splitmix_below(&r->rng, tailmax / ps + 1);
}

/* Shrink the whole object (to 0 or into the worker regions) and regrow. */
