// SPDX-License-Identifier: GPL-2.0
/*
 * read, write, pread, pwrite, readv, writev, preadv2, pwritev2. The driver
 * decides that min(count, size - pos) bytes move, fewer only where the buffer
 * faults (up to FZ_SLACK fewer reported, or EFAULT), ENOSPC at or past the
 * end, and the data. What the VFS decides first (iovecs, RWF_ flags, negative
 * offsets, counts past 1 GiB or LLONG_MAX) may also fail with its errnos.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"
#include "../splitmix.h"

#define BIG	(1ULL << 30)

static uint8_t before[FZ_CAP];
static struct iovec iov[1];

static uint64_t pick_len(void)
{
	const uint64_t l[] = { 0, 1 + fz_below(16), 1 + fz_below(2 * fz_ps),
		1 + fz_below(FZ_SCRATCH), 1 + fz_below(FZ_CAP), (uint64_t)INT_MAX + fz_below(2),
		fz_rnd() >> fz_below(64) };
	const uint64_t i = fz_below(10);

	return l[i < 2 ? i : i < 5 ? 2 : i < 7 ? 3 : i - 3];
}

static uint64_t pick_off(void)
{
	uint64_t S = fz.size, i = fz_below(10);
	const uint64_t o[] = { 0, fz_below(S + 1), S, S ? S - 1 - fz_below(S < 64 ? S : 64) : 0,
		S + fz_below(2 * fz_ps), (uint64_t)LLONG_MAX - fz_below(fz_ps),
		(uint64_t)-1 - fz_below(fz_ps), fz_below(2 * FZ_CAP) };

	return o[i < 2 ? i : i < 4 ? 1 : i - 2];
}

/*
 * a0 write, a1 variant (0 read, 1 pread, 2 readv, 3 preadv2 at a3, 4 preadv2
 * at the position), a2 fd slot, a3 offset, a4 iovcnt (one buffer; 0 or 1025
 * for the VFS), a5 RWF_ flags, a6 data seed, a7 buffer, a8 length, a9 iovec
 * array (1 PROT_NONE, 2 bad).
 */
static void rw_pick(struct fz_call *c)
{
	static const uint64_t rwf[] = { 0, 0, 0, RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT,
					0x1000, 0x80000000 };
	uint64_t v = fz_below(5);

	c->a[0] = fz_chance(50);
	c->a[1] = v;
	c->a[2] = fz_chance(6) ? (uint64_t)-1 : fz_below(FZ_NFDS);
	c->a[3] = v == 1 || v == 3 ? pick_off() : 0;
	c->a[4] = v >= 2 && fz_chance(4) ? (fz_chance(50) ? 1025 : 0) : 1;
	c->a[5] = v >= 3 ? rwf[fz_below(9)] : 0;
	c->a[6] = fz_rnd();
	c->a[8] = pick_len();
	c->a[7] = fz_addr_enc(fz_pick_buf(c->a[8]));
	if (fz_addr_dec(c->a[7]) >= fz_devbuf) {	/* the object to itself: no overlap */
		c->a[1] = c->a[4] = 1;	/* pread or pwrite */
		c->a[3] = FZ_DEVBUF_PAGES * fz_ps + fz_below(fz.size + fz_ps);
		c->a[5] = c->a[9] = 0;
	}
	c->a[9] = v >= 2 && fz_chance(3) ? 1 + fz_below(2) : 0;
}

/* pread, preadv2 at a3: the offset; the others: the file position */
#define rw_pos(c)	((c)->a[1] % 2 ? (int64_t)(c)->a[3] : fz_fd_can((int)(c)->a[2], -1) ? \
			 fz_fds[(c)->a[2]].pos : 0)

/* x[1]: how many of the source bytes are known */
static void rw_run(struct fz_call *c)
{
	bool wr = c->a[0];
	int v = c->a[1], fd = fz_fdnum((int)c->a[2]);
	char *p = fz_addr_dec(c->a[7]);
	uint64_t st = c->a[6], off = v == 4 ? (uint64_t)-1 : c->a[3], len = c->a[8];
	void *iovp = c->a[9] ? (c->a[9] == 1 ? (void *)fz_none : (void *)8) : iov;
	int64_t dev;
	uint64_t k = fz_min(fz_min(len, fz_buf_acc(p, true, &dev)), FZ_CAP);

	iov[0] = (struct iovec){ p, len };
	for (uint64_t j = 0; wr && p >= fz_scratch && p < fz_scratch + FZ_SCRATCH && j < k; j++)
		p[j] = (uint8_t)splitmix_next(&st);	/* a write's source: random bytes */
	if (wr)
		memcpy(before, dev >= 0 ? (char *)fz.shadow + dev : p, dev >= 0 ?
		       fz_min(k, FZ_CAP - dev) : k);
	c->x[1] = k;
	if (v == 0)
		c->ret = wr ? write(fd, p, len) : read(fd, p, len);
	else if (v == 1)
		c->ret = wr ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
	else if (v == 2)
		c->ret = syscall(wr ? SYS_writev : SYS_readv, fd, iovp, c->a[4]);
	else
		c->ret = syscall(wr ? SYS_pwritev2 : SYS_preadv2, fd, iovp, c->a[4],
				 (unsigned long)off, 0UL, (int)c->a[5]);
	c->err = errno;
}

static void rw_check(struct fz_call *c)
{
	static const int generic[] = { EBADF, EINVAL, EFAULT, EOPNOTSUPP, ENOSPC, 0 };
	bool wr = c->a[0], can = fz_fd_can((int)c->a[2], wr ? O_WRONLY : O_RDONLY);
	const uint8_t *p = (uint8_t *)fz_addr_dec(c->a[7]);
	int64_t pos = rw_pos(c), dev;
	uint64_t total = c->a[4] ? c->a[8] : 0, S = fz.size;
	uint64_t acc = fz_min(fz_buf_acc((char *)p, wr, &dev), total);
	uint64_t avail = pos >= 0 && (uint64_t)pos < S ? S - pos : 0, want = fz_min(total, avail);
	uint64_t lo = acc < want ? (acc > FZ_SLACK ? acc - FZ_SLACK : 1) : want;
	uint64_t hi = fz_min(acc, want);
	bool gen = c->a[9] || c->a[4] != 1 || c->a[5] || pos < 0 || total > BIG ||
		   (uint64_t)pos + total > (uint64_t)LLONG_MAX;

	if (c->ret < 0 && c->err == EFAULT && wr)	/* a failed copy may have moved bytes */
		fz_resync(pos, hi + FZ_SLACK);
	if (c->ret < 0 && c->err == EFAULT && !wr && dev >= 0)
		fz_resync(dev, total);
	if (!can) {	/* EFAULT: readv's import_iovec() (access_ok) comes first */
		if (!gen && (c->ret >= 0 || c->err != EFAULT || acc >= total))
			fz_exact(c, EBADF);
		else if (c->ret >= 0 || fz_allowed(c, generic))
			fz_fail("succeeded (returned %ld) on a bad fd", c->ret);
		return;
	}
	if (c->ret < 0 && gen) {
		fz_allowed(c, generic);
		return;
	}
	/* EFAULT: also access_ok() on a range past TASK_SIZE, before the driver */
	if (!fz_exact(c, c->ret < 0 && c->err == EFAULT && acc < total ? EFAULT :
		      wr && total && !avail ? ENOSPC : want && !acc ? EFAULT : 0))
		return;
	if ((uint64_t)c->ret < (total > BIG ? 0 : lo) || (uint64_t)c->ret > hi)
		fz_fail("returned %ld, expected %s%" PRIu64 " (size %#" PRIx64 ", position %" PRId64
			", %" PRIu64 " bytes asked, %" PRIu64 " accessible)", c->ret,
			lo == hi ? "" : "at most ", hi, S, pos, total, acc);
	if (c->a[1] % 2 == 0)
		fz_fds[c->a[2]].pos += c->ret;
	if (wr && c->ret > 0) {
		fz_model_store(pos, before, fz_min(c->ret, c->x[1]));
		if (c->a[5] & (RWF_DSYNC | RWF_SYNC))	/* the driver's fsync cleaned it */
			fz_model_clean(0, FZ_CAP);
		fz_resync(pos + c->x[1], c->ret > (long)c->x[1] ? c->ret - c->x[1] : 0);
		if (acc < want)
			fz_resync(pos + c->ret, FZ_SLACK);
	} else if (c->ret > 0 && dev >= 0) {
		fz_resync(dev, c->ret);		/* our mapping of the object: as it is now */
	} else if (c->ret > 0 && (uint64_t)pos + c->ret <= FZ_CAP &&
		   memcmp(p, fz.shadow + pos, c->ret)) {
		for (total = 0; p[total] == fz.shadow[pos + total]; total++)
			;
		fz_fail("read data differ at object offset %#" PRIx64 ": got %#x, expected %#x",
			pos + total, p[total], fz.shadow[pos + total]);
	}
}

const struct fz_op fz_io_ops[] = {
	{ "rw", 40, rw_pick, rw_run, rw_check },
	{ NULL },
};
