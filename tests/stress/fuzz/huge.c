// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14: an emptied object of a huge page and a page, mapped shared (the
 * first fault allocates the huge page), data on some pages, one page of it
 * vmsplice'd into a pipe (the split fails), a shrink inside the huge page
 * that is not PMD-aligned. The data below the new end must stay (read(2), the
 * mapping) and be counted resident; the new end and past the huge page give
 * SIGBUS (or a kept page's zeroed tail before 6.18); the pipe keeps its page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"
#include "../splitmix.h"

static uint8_t pbuf[FZ_CAP], pexp[1 << 16];
static char *m;
static int pfd[2];
static uint64_t written;

/* a0 new end (pages), a1 page put in the pipe, a2 data seed, a3 pages to fill */
static void huge_pick(struct fz_call *c)
{
	c->a[0] = 1 + fz_below(fz_min(fz_pmd, FZ_CAP) / fz_ps - 1);
	c->a[1] = fz_below(fz_pmd / fz_ps);
	c->a[2] = fz_rnd();
	c->a[3] = fz_below(15);
}

static void fill(uint64_t pg, uint64_t *s)
{
	uint64_t *q = (uint64_t *)(m + pg * fz_ps);

	for (size_t i = 0; i < fz_ps / 8; i++)
		q[i] = splitmix_next(s);
	fz_model_store(pg * fz_ps, q, fz_ps);
	written++;
}

static void huge_run(struct fz_call *c)
{
	uint64_t len = fz_pmd + fz_ps, cp = c->a[0], pk = c->a[1], s = c->a[2];
	struct iovec iov;

	written = 0;
	for (int i = 0; i < 2; i++) {
		if (fz_resize(i * len))
			fz_die("resize: %s", strerror(errno));
		fz_model_resize(i * len);
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fz_dev, 0);
	c->ret = m == MAP_FAILED ? -1 : 0;
	c->err = errno;
	if (c->ret)
		return;
	fill(0, &s);	/* the first store: one fault, the whole huge page */
	if (fz_resident() == fz_pmd / fz_ps)
		fz_huge_got++;
	if (cp > 1)
		fill(cp - 1, &s);
	for (uint64_t i = 0; i < c->a[3] && cp > 2; i++)
		fill(1 + splitmix_next(&s) % (cp - 2), &s);
	if (pipe2(pfd, O_CLOEXEC))
		fz_die("pipe: %s", strerror(errno));
	iov = (struct iovec){ m + pk * fz_ps, fz_ps };
	c->x[0] = vmsplice(pfd[1], &iov, 1, 0);
	memcpy(pexp, fz.shadow + pk * fz_ps, fz_ps);	/* zero past the new end */
	if (fz_resize(cp * fz_ps))
		fz_die("resize to %#" PRIx64 ": %s", cp * fz_ps, strerror(errno));
	fz_model_resize(cp * fz_ps);
	if (fz.kept_end > fz.size)
		fz_huge_kept++;
}

static void huge_check(struct fz_call *c)
{
	uint64_t cut = c->a[0] * fz_ps, res, k;
	uint8_t v = 0;
	int sig;

	if (c->ret || (uintptr_t)m % fz_pmd || c->x[0] != fz_ps) {
		fz_fail("mmap %s at %p, vmsplice %" PRIu64 ": %s", fz_ename(c->err), m, c->x[0],
			c->ret ? "mapping failed" : "not PMD-aligned, or short");
		if (c->ret)
			return;
	}
	if (pread(fz_dev, pbuf, cut, 0) != (ssize_t)cut) {
		fz_fail("pread of %#" PRIx64 " bytes: %s", cut, fz_ename(errno));
	} else if (memcmp(pbuf, fz.shadow, cut)) {
		for (k = 0; pbuf[k] == fz.shadow[k]; k++)
			;
		fz_fail("offset %#" PRIx64 " reads %#x, expected %#x: lost below the new end %#"
			PRIx64, k, pbuf[k], fz.shadow[k], cut);
		fz_resync(0, cut);
	}
	for (uint64_t o = 0; o < cut; o += 1 + o % fz_ps) {
		sig = fz_probe(m + o, false, &v);
		if (sig || v != fz.shadow[o]) {
			fz_fail("mapped offset %#" PRIx64 ": signal %d or %#x, expected %#x (end %#"
				PRIx64 ")", o, sig, v, fz.shadow[o], cut);
			break;
		}
	}
	res = fz_resident();
	if (res < written || res > fz.kept_end / fz_ps)
		fz_fail("resident_pages %" PRIu64 " after a shrink to %#" PRIx64 ", %" PRIu64
			" written (max %" PRIu64 ")", res, cut, written, fz.kept_end / fz_ps);
	sig = fz_probe(m + cut, false, &v);
	if (sig != SIGBUS && !(!sig && fz_past_end_ok(cut, v)))
		fz_fail("the new end %#" PRIx64 ": signal %d or %#x, not SIGBUS", cut, sig, v);
	v = 1;
	if (fz_probe(m + fz_pmd, true, &v) != SIGBUS)
		fz_fail("a store past the huge page (offset %#zx): no SIGBUS", fz_pmd);
	if (read(pfd[0], pbuf, fz_ps) != (ssize_t)fz_ps)
		fz_fail("read from the pipe: %s", fz_ename(errno));
	else if (memcmp(pbuf, pexp, fz_ps))
		fz_fail("the pipe's page %" PRIu64 " differs from what it held", c->a[1]);
	close(pfd[0]);
	close(pfd[1]);
	munmap(m, fz_pmd + fz_ps);
}

const struct fz_op fz_huge_ops[] = {
	{ "huge-shrink", 1, huge_pick, huge_run, huge_check },
	{ NULL },
};
