// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: the resizer process. It alone changes the object's size:
 * in the tail (tail.c), whole-object wipes, the private-truncate check and
 * the huge rounds (huge.c); sizes are published through the seqlock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stress.h"

void seq_begin(void)
{
	STORE(&sh->seq, LOAD(&sh->seq) + 1);	/* odd: changing */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void seq_end(uint64_t size)
{
	STORE(&sh->size, size);
	STORE(&sh->seq, LOAD(&sh->seq) + 1);
}

/* seq_end() after a resize through @fd: publishes kept_end with the size. */
void seq_end_resized(int fd, uint64_t size)
{
	STORE(&sh->kept_end, kept_of(fd, size));
	seq_end(size);
}

/* A mismatch the resizer (or the supervisor) found. */
void rmismatch(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmismatch(&sh->r_mismatches, fmt, ap);
	va_end(ap);
}

const char *const rop_name[R_NOPS] = {
	"grow", "shrink", "wipe", "wipe-to-0", "private-truncate",
	"tail-check", "fsync", "huge-shrink",
};

/* The resizer's operation @op begins (for the killer and the summary). */
void rop_begin(int op)
{
	sh->rop_now = op;
	ADD(&sh->rops[op], 1);
}

/* VMMAP_IOC_RESIZE, which must not fail; @what names the caller, or "". */
void resize_or_die(int fd, uint64_t size, const char *what)
{
	if (vmmap_resize(fd, size))
		die("%s%sresize to %#" PRIx64 ": %s", what, *what ? ": " : "",
		    size, strerror(errno));
}

/*
 * An access through the mapping at the new end @cut of a shrink is SIGBUS
 * (or, where past_end_ok() allows, the zeroed tail of a kept huge page up
 * to @kept); @what names the operation.
 */
void end_check(struct rctx *r, uint64_t cut, uint64_t kept, const char *what)
{
	uint64_t v = 0;
	int sig = probe_load(r->W + cut, &v, 1);

	if (sig == SIGBUS)
		count_sigbus(&sh->r_sigbus);
	else if (sig || !past_end_ok(cut, kept, v))
		rmismatch("%s: access at the new end %#" PRIx64 " gave %s (%#" PRIx64
			  "), expected SIGBUS", what, cut, sig ? signame(sig) : "data", v);
}

/*
 * Fill the page at @off with its tail stamps (TAIL_GEN) through the
 * mapping or write(2); @what names the operation in a report.
 */
void fill_page(struct rctx *r, uint64_t off, bool via_map, const char *what)
{
	int sig = 0;

	fill_stamps(r->buf, off, ps / 8, TAIL_GEN);
	if (via_map)
		sig = probe_store(r->W + off, r->buf, ps / 8);
	else if (pwrite(r->fd, r->buf, ps, (off_t)off) != (ssize_t)ps)
		rmismatch("%s: pwrite at %#" PRIx64 ": %s", what, off, strerror(errno));
	if (sig)
		rmismatch("%s: %s writing offset %#" PRIx64 " below the size",
			  what, signame(sig), off);
}

/* Check that GET_INFO and lseek agree with the size the resizer set. */
void info_check(int fd, uint64_t size, const char *when)
{
	struct vmmap_info in;
	off_t end = lseek(fd, 0, SEEK_END);

	if (vmmap_get_info(fd, &in)) {
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

static void wipe(struct rctx *r, bool to_zero)
{
	uint64_t cut = to_zero ? 0 : ps * splitmix_below(&r->rng, base / ps + 1);
	uint64_t full = random_tail_size(r), v;
	struct vmmap_info in;
	int sig;

	rop_begin(to_zero ? R_WIPE0 : R_WIPE);
	wr_lock(r->lfd);
	seq_begin();
	resize_or_die(r->fd, cut, "wipe");
	info_check(r->fd, cut, "wipe");
	if (cut == 0 && vmmap_get_info(r->fd, &in) == 0 &&
	    (in.resident_pages || in.dirty_pages))
		rmismatch("after resize to 0: resident_pages %" PRIu64
			  ", dirty_pages %" PRIu64 " (expected 0)",
			  (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages);
	/* past the cut: SIGBUS through a mapping, EOF, ENOSPC */
	end_check(r, cut, kept_of(r->fd, cut), "wipe");
	if (cut && (sig = probe_load(r->W + cut - 8, &v, 1)))
		rmismatch("wipe: %s just below the new end %#" PRIx64, signame(sig), cut);
	if (pread(r->fd, &v, 8, (off_t)cut) != 0)
		rmismatch("wipe: pread at the new end did not return 0");
	if (pwrite(r->fd, &v, 8, (off_t)cut) != -1 || errno != ENOSPC)
		rmismatch("wipe: pwrite at the new end did not fail with ENOSPC");

	resize_or_die(r->fd, full, "wipe");
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
	rop_begin(R_PRIVTRUNC);
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
		count_sigbus(&sh->r_sigbus);
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

void resizer_main(unsigned int incarnation)
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
			rop_begin(R_TAILCHECK);
			tail_verify(&r, LOAD(&sh->size));
		} else if (x < 20) {
			rop_begin(R_FSYNC);
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

