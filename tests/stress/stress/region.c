// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: a worker thread's region. Every word's expected generation
 * is kept in shared memory (cur, and prev for a write in transit), so that
 * a respawned worker knows what its killed predecessor left.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "stress.h"

uint64_t woff(struct wctx *w, uint32_t word)
{
	return w->roff + 8 * (uint64_t)word;
}

/*
 * Compare words [wa, wa + n) of the region with what they must hold; words
 * being written when a previous incarnation was killed may hold either value.
 */
bool region_check(struct wctx *w, uint32_t wa, size_t n,
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
uint32_t write_begin(struct wctx *w, uint32_t wa, uint32_t wb)
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

void write_end(struct wctx *w)
{
	barrier();
	w->sl->transit = 0;
	barrier();
}

/* Rewrite the whole region with a fresh generation after a mismatch. */
void region_repair(struct wctx *w)
{
	uint32_t gen = write_begin(w, 0, rwords);

	fill_stamps(w->buf, w->roff, rwords, gen);
	if (pwrite(w->fd, w->buf, rlen, (off_t)w->roff) != (ssize_t)rlen)
		die("region repair: pwrite: %s", strerror(errno));
	write_end(w);
}

/* A random word range inside the region: up to two pages, any alignment. */
void pick_range(struct wctx *w, uint32_t *wa, size_t *n)
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

bool verify(struct wctx *w, int how, uint32_t wa, size_t n,
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

bool verify_page(struct wctx *w, size_t page, const char *op)
{
	return verify(w, splitmix_below(&w->rng, 4), page * (ps / 8), ps / 8, op);
}

/* Store stamps for [wa, wa + n) through @p (a mapping of the first word). */
bool store_words(struct wctx *w, char *p, uint32_t wa, size_t n,
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

char *map_region(struct wctx *w, int fd, int prot, int flags)
{
	char *p = mmap(NULL, rlen, prot, flags, fd, (off_t)w->roff);

	if (p == MAP_FAILED)
		die("mmap of the region (%zu bytes at %#" PRIx64 "): %s", rlen,
		    w->roff, strerror(errno));
	return p;
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
void recover(struct wctx *w)
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

