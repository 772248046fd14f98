// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: the worker processes, each of -t threads. A thread owns one
 * region of the object (region.c keeps what it must hold) and runs random
 * operations on it, checking the data every way there is to look; it also
 * probes the tail, the guard (tail.c) and huge rounds (huge.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress.h"

static void op_write(struct wctx *w)
{
	int op = w->op;
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
	if (!verify(w, op == W_PWRITE ? 0 : 2, wa, n, wops[op].name) ||
	    !verify(w, op == W_CWRITE ? 0 : 1, wa, n, wops[op].name))
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
			count_sigbus(&w->sl->sigbus);
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

/* write(2) from, then read(2) into, a mapping of the same page, unmapped. */
static void op_selfcopy(struct wctx *w)
{
	static const char *const what[2] = {
		"self-copy (write from own mapping)", "self-copy (read into own mapping)",
	};
	size_t pages = rlen / ps, wpp = ps / 8, k = splitmix_below(&w->rng, pages);
	char *p = w->A + k * ps;
	off_t off = (off_t)(w->roff + k * ps);
	ssize_t r;

	for (int in = 0; in < 2; in++) {
		/* not mapped now: the copy itself faults the page in */
		madvise(p, ps, MADV_DONTNEED);
		r = in ? pread(w->fd, p, ps, off) : pwrite(w->fd, p, ps, off);
		if (r != (ssize_t)ps)
			mismatch(&w->sl->mismatches, "%s of a page %s its own mapping "
				 "returned %zd (%s)", in ? "read(2)" : "write(2)",
				 in ? "into" : "from", r, r < 0 ? strerror(errno) : "short");
		if (!verify(w, in ? 0 : 2, k * wpp, wpp, what[in]))
			region_repair(w);
	}
}

/*
 * The operations, their relative frequency, and whether they run under the
 * wipe lock (those on the worker's own region; the tail, guard and huge
 * probes race the resizer instead).
 */
const struct wop_def wops[W_NOPS] = {
	[W_IDLE] = { "idle", 0, false, NULL },
	[W_MAPWRITE] = { "map-write", 14, true, op_write },
	[W_CWRITE] = { "cmap-write", 6, true, op_write },
	[W_PWRITE] = { "pwrite", 10, true, op_write },
	[W_VERIFY] = { "verify", 14, true, op_verify },
	[W_PRIVATE] = { "private", 6, true, op_private },
	[W_MREMAP] = { "mremap", 5, true, op_mremap },
	[W_MUNMAP] = { "munmap", 4, true, op_munmap },
	[W_MPROTECT] = { "mprotect", 4, true, op_mprotect },
	[W_FORK] = { "fork", 3, true, op_fork },
	[W_SYNC] = { "sync", 6, true, op_sync },
	[W_OPEN] = { "open-close", 4, true, op_open },
	[W_MADVISE] = { "madvise", 5, true, op_madvise },
	[W_SELFCOPY] = { "self-copy", 4, true, op_selfcopy },
	[W_TAIL] = { "tail-probe", 12, false, op_tail },
	[W_GUARD] = { "guard-probe", 3, false, op_guard },
	[W_HUGE] = { "huge-race", 6, false, op_huge },
};

static void *worker_thread(void *arg)
{
	struct wctx *w = arg;
	int total = 0;

	snprintf(who, sizeof(who), "w%u", w->id);
	for (int i = 0; i < W_NOPS; i++)
		total += wops[i].weight;
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

		while (r >= wops[op].weight)
			r -= wops[op++].weight;
		ADD(&w->sl->ops[op], 1);
		if (wops[op].locked)
			rd_lock(w->lfd);
		STORE(&w->sl->op, op);
		w->op = op;
		wops[op].run(w);
		STORE(&w->sl->op, W_IDLE);
		if (wops[op].locked)
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

void worker_main(unsigned int proc, unsigned int incarnation)
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

