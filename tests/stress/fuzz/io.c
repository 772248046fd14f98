// SPDX-License-Identifier: GPL-2.0
/*
 * read, write, pread, pwrite, readv, writev, preadv2, pwritev2, lseek, fsync.
 *
 * The driver decides how many bytes move: exactly min(count, size - pos),
 * fewer only where the user buffer faults (a faulting copy may report up to
 * FZ_SLACK bytes fewer than it moved, or EFAULT if it moved none); a write of
 * at least one byte at or past the end fails with ENOSPC; the data must match
 * the model. What the VFS decides first (iovec import, RWF_ flags, negative
 * offsets and counts past 1 GiB or LLONG_MAX) may fail with EINVAL, EFAULT or
 * EOPNOTSUPP; if such a call succeeds, it is held to the same rules. lseek
 * (generic_file_llseek_size with the object's size) and fsync (which cleans
 * every page) are the driver's: exact.
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
static struct iovec iov[2];

static uint64_t pick_len(void)
{
	switch (fz_below(10)) {
	case 0: return 0;
	case 1: return 1 + fz_below(16);
	case 2: case 3: case 4: return 1 + fz_below(2 * fz_ps);
	case 5: case 6: return 1 + fz_below(FZ_SCRATCH);
	case 7: return 1 + fz_below(FZ_CAP);
	case 8: return (uint64_t)INT_MAX + fz_below(2);
	default: return fz_rnd() >> fz_below(64);
	}
}

static uint64_t pick_off(void)
{
	uint64_t S = fz.size;

	switch (fz_below(10)) {
	case 0: return 0;
	case 1: case 2: case 3: return fz_below(S + 1);
	case 4: return S;
	case 5: return S ? S - 1 - fz_below(S < 64 ? S : 64) : 0;
	case 6: return S + fz_below(2 * fz_ps);
	case 7: return (uint64_t)LLONG_MAX - fz_below(fz_ps);
	case 8: return (uint64_t)-1 - fz_below(fz_ps);
	default: return fz_below(2 * FZ_CAP);
	}
}

/*
 * a0 write, a1 variant (0 read, 1 pread, 2 readv, 3 preadv2 at a3, 4 preadv2
 * at the position), a2 fd slot, a3 offset, a4 iovcnt, a5 RWF_ flags, a6 data
 * seed, a7 a8 buffers, a9 a10 lengths, a11 iovec array (1 PROT_NONE, 2 bad).
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
	c->a[4] = v < 2 ? 1 : fz_chance(4) ? (fz_chance(50) ? 1025 : 0) : 1 + fz_below(2);
	c->a[5] = v >= 3 ? rwf[fz_below(9)] : 0;
	c->a[6] = fz_rnd();
	for (int i = 0; i < 2; i++) {
		c->a[9 + i] = !i || fz_chance(20) ? pick_len() : 1 + fz_below(2 * fz_ps);
		c->a[7 + i] = fz_addr_enc(fz_pick_buf(c->a[9 + i]));
	}
	c->a[11] = v >= 2 && fz_chance(3) ? 1 + fz_below(2) : 0;
}

static int64_t rw_pos(const struct fz_call *c)
{
	int slot = (int)c->a[2];

	return c->a[1] % 2 ? (int64_t)c->a[3] : fz_fd_can(slot, -1) ? fz_fds[slot].pos : 0;
}

static int rw_nbufs(const struct fz_call *c)
{
	return c->a[4] >= 1 && c->a[4] <= 2 ? (int)c->a[4] : c->a[4] ? 1 : 0;
}

/* c->x[0]: not run (a buffer in the object overlaps what moves), x[1]: source bytes */
static void rw_run(struct fz_call *c)
{
	bool wr = c->a[0];
	int v = c->a[1], fd = fz_fdnum((int)c->a[2]), nb = rw_nbufs(c);
	uint64_t st = c->a[6], off = v == 4 ? (uint64_t)-1 : c->a[3], n = 0;
	void *iovp = c->a[11] ? (c->a[11] == 1 ? (void *)fz_none : (void *)8) : iov;
	int64_t pos = rw_pos(c), devoff;

	for (int i = 0; i < nb; i++) {
		char *p = fz_addr_dec(c->a[7 + i]);
		uint64_t len = c->a[9 + i], k = fz_min(len, fz_buf_acc(p, true, &devoff));

		iov[i] = (struct iovec){ p, len };
		if (devoff >= 0 && pos >= 0 && (uint64_t)pos < fz.size &&
		    (uint64_t)devoff < (uint64_t)pos + FZ_CAP + fz_ps &&
		    (uint64_t)pos < devoff + len + fz_ps)
			c->x[0] = 1;
		/* a write's source: random bytes in scratch, else what is there */
		for (uint64_t j = 0; wr && p >= fz_scratch && j < k &&
		     p < fz_scratch + FZ_SCRATCH; j++)
			p[j] = (uint8_t)splitmix_next(&st);
		k = fz_min(k, FZ_CAP - n);
		if (wr && n < FZ_CAP)
			memcpy(before + n, devoff >= 0 ? (char *)fz.shadow + devoff : p,
			       devoff >= 0 ? fz_min(k, FZ_CAP - devoff) : k);
		n += k;
		if (k < len)
			break;	/* the copy stops at the first fault */
	}
	c->x[1] = n;
	if (c->x[0])
		return;
	errno = 0;
	if (v == 0)
		c->ret = wr ? write(fd, iov[0].iov_base, iov[0].iov_len) :
			      read(fd, iov[0].iov_base, iov[0].iov_len);
	else if (v == 1)
		c->ret = wr ? pwrite(fd, iov[0].iov_base, iov[0].iov_len, (off_t)off) :
			      pread(fd, iov[0].iov_base, iov[0].iov_len, (off_t)off);
	else if (v == 2)
		c->ret = syscall(wr ? SYS_writev : SYS_readv, fd, iovp, c->a[4]);
	else
		c->ret = syscall(wr ? SYS_pwritev2 : SYS_preadv2, fd, iovp, c->a[4],
				 (unsigned long)off, 0UL, (int)c->a[5]);
	c->err = errno;
}

static void rw_check(struct fz_call *c)
{
	static const int generic[] = { EINVAL, EFAULT, EOPNOTSUPP, ENOSPC, 0 };
	static const int bad_fd[] = { EBADF, EINVAL, EFAULT, EOPNOTSUPP, 0 };
	bool wr = c->a[0];
	int slot = (int)c->a[2], nb = rw_nbufs(c);
	int64_t pos = rw_pos(c), devoff;
	uint64_t total = 0, acc = 0, avail, want, lo, hi, S = fz.size, k = 0;
	bool gen = c->a[11] || c->a[4] > 2 || !c->a[4] || c->a[5] || pos < 0;

	if (c->x[0])
		return;
	for (int i = 0; i < nb; i++) {
		if (acc == total)
			acc += fz_min(fz_buf_acc(iov[i].iov_base, wr, &devoff), iov[i].iov_len);
		total += iov[i].iov_len;
		gen |= iov[i].iov_len > BIG;
	}
	gen |= total > BIG || (pos >= 0 && (uint64_t)pos + total > (uint64_t)LLONG_MAX);
	if (!fz_fd_can(slot, wr ? O_WRONLY : O_RDONLY)) {
		if (!gen)
			fz_exact(c, EBADF);
		else if (c->ret >= 0 || fz_allowed(c, bad_fd))
			fz_fail("succeeded (returned %ld) on a bad fd", c->ret);
		return;
	}
	avail = pos >= 0 && (uint64_t)pos < S ? S - pos : 0;
	want = fz_min(total, avail);
	if (c->ret < 0) {
		/* a failed copy may still have moved some bytes */
		if (c->err == EFAULT && wr)
			fz_resync(pos, fz_min(acc, want) + FZ_SLACK);
		for (int i = 0; c->err == EFAULT && !wr && i < nb; i++)
			if (fz_buf_acc(iov[i].iov_base, false, &devoff) && devoff >= 0)
				fz_resync(devoff, iov[i].iov_len);
		if (gen)
			fz_allowed(c, generic);
		else
			fz_exact(c, wr && total && !avail ? ENOSPC : acc < total && c->err == EFAULT ? EFAULT :
				   want && acc < want ? EFAULT : 0);
		return;
	}
	if (wr && total && !avail && !gen) {
		fz_exact(c, ENOSPC);
		return;
	}
	lo = hi = want;
	if (acc < want) {
		hi = acc;
		lo = acc > FZ_SLACK ? acc - FZ_SLACK : 1;
	}
	if ((uint64_t)c->ret < (total > BIG ? 0 : lo) || (uint64_t)c->ret > hi)
		fz_fail("returned %ld, expected %s%" PRIu64 " (size %#" PRIx64 ", position %" PRId64
			", %" PRIu64 " bytes asked, %" PRIu64 " accessible)", c->ret,
			lo == hi ? "" : "at most ", hi, S, pos, total, acc);
	if (c->a[1] % 2 == 0)
		fz_fds[slot].pos += c->ret;
	if (c->ret > 0 && wr) {
		fz_model_store(pos, before, fz_min(c->ret, c->x[1]));
		if ((uint64_t)c->ret > c->x[1])
			fz_resync(pos + c->x[1], c->ret - c->x[1]);
		if (acc < want)
			fz_resync(pos + c->ret, FZ_SLACK);
	}
	for (uint64_t done = 0, i = 0; !wr && i < (uint64_t)nb && done < (uint64_t)c->ret; i++) {
		uint64_t n = fz_min(iov[i].iov_len, c->ret - done);
		const uint8_t *p = iov[i].iov_base;

		fz_buf_acc(iov[i].iov_base, false, &devoff);
		if (devoff >= 0) {
			fz_resync(devoff, n);	/* our mapping of the object: as it is now */
		} else if (done + n == (uint64_t)c->ret && (uint64_t)pos + done + n <= FZ_CAP &&
			   memcmp(p, fz.shadow + pos + done, n)) {
			while (p[k] == fz.shadow[pos + done + k])
				k++;
			fz_fail("read data differ at object offset %#" PRIx64 ": got %#x, expected %#x",
				pos + done + k, p[k], fz.shadow[pos + done + k]);
		}
		done += n;
	}
}

/* a0 fd slot, a1 offset, a2 whence */
static void lseek_pick(struct fz_call *c)
{
	int64_t S = fz.size;
	const int64_t offs[] = { 0, fz_below(S + 2 * fz_ps), -(int64_t)fz_below(S + 2 * fz_ps), S,
				 LLONG_MAX - fz_below(2), fz_rnd(),
				 (int64_t)fz_below(fz_ps) - (int64_t)fz_ps / 2 };

	c->a[0] = fz_chance(6) ? (uint64_t)-1 : fz_below(FZ_NFDS);
	c->a[1] = offs[fz_below(7)];
	c->a[2] = fz_below(6);	/* SEEK_SET..SEEK_HOLE, and one past */
}

static void lseek_run(struct fz_call *c)
{
	errno = 0;
	c->ret = syscall(SYS_lseek, fz_fdnum((int)c->a[0]), (long)c->a[1], (int)c->a[2]);
	c->err = errno;
}

static void lseek_check(struct fz_call *c)
{
	static const int generic[] = { EINVAL, 0 };
	int slot = (int)c->a[0], whence = (int)c->a[2];
	int64_t off = (int64_t)c->a[1], S = fz.size;
	__int128 t = whence == SEEK_CUR ? (__int128)fz_fds[(unsigned int)slot % FZ_NFDS].pos + off :
		     whence == SEEK_END ? (__int128)S + off : whence == SEEK_HOLE ? S : off;

	if (!fz_fd_can(slot, -1))
		fz_exact(c, EBADF);
	else if (whence > SEEK_HOLE)
		fz_allowed(c, generic);		/* the VFS refuses whence > SEEK_MAX */
	else if ((whence == SEEK_DATA || whence == SEEK_HOLE) && (uint64_t)off >= (uint64_t)S)
		fz_exact(c, ENXIO);
	else if (fz_exact(c, t < 0 || t > LLONG_MAX ? EINVAL : 0) && c->ret != (long)t)
		fz_fail("returned %ld, expected %lld", c->ret, (long long)t);
	if (fz_fd_can(slot, -1) && c->ret >= 0)
		fz_fds[slot].pos = c->ret;
}

/* a0 fd slot, a1 fdatasync */
static void fsync_pick(struct fz_call *c)
{
	c->a[0] = fz_chance(6) ? (uint64_t)-1 : fz_below(FZ_NFDS);
	c->a[1] = fz_chance(50);
}

static void fsync_run(struct fz_call *c)
{
	int fd = fz_fdnum((int)c->a[0]);

	errno = 0;
	c->ret = c->a[1] ? fdatasync(fd) : fsync(fd);
	c->err = errno;
}

/* The driver's fsync cleans every page, from a read-only fd too. */
static void fsync_check(struct fz_call *c)
{
	struct vmmap_info in;

	if (!fz_exact(c, fz_fd_can((int)c->a[0], -1) ? 0 : EBADF))
		return;
	fz_model_clean(0, FZ_CAP);
	if (vmmap_get_info(fz_dev, &in) || in.dirty_pages)
		fz_fail("dirty_pages %" PRIu64 " right after fsync", (uint64_t)in.dirty_pages);
}

const struct fz_op fz_io_ops[] = {
	{ "rw", 28, rw_pick, rw_run, rw_check },
	{ "lseek", 12, lseek_pick, lseek_run, lseek_check },
	{ "fsync", 6, fsync_pick, fsync_run, fsync_check },
	{ NULL },
};
