// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's ioctls (GET_INFO, RESIZE, DIRTY, near misses with other
 * direction, size or number bits) and resizes: all the driver's to decide. A
 * malformed call must fail with an errno one of its faults explains (see
 * uapi/vmmap.h; DIRTY may also fail with ENOMEM, or EFAULT with ranges to
 * write to a bad array), a well-formed one must succeed; DIRTY must report
 * every page written since it was cleaned; a failed resize changes nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

#define IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))
#define KERNEL_PTR	0xffff800000001000ULL

static const unsigned int cmds[] = { VMMAP_IOC_GET_INFO, VMMAP_IOC_RESIZE, VMMAP_IOC_DIRTY };
static const unsigned int ver0[] = { VMMAP_INFO_SIZE_VER0, VMMAP_RESIZE_SIZE_VER0,
				     VMMAP_DIRTY_SIZE_VER0 };
static struct vmmap_range ranges[64];
static uint8_t st[_IOC_SIZEMASK + 1];

/* Which of the three commands @cmd is, whatever its size bits; -1: none. */
#define which(cmd)	(IOC_BASE(cmd) == IOC_BASE(cmds[0]) ? 0 : IOC_BASE(cmd) == \
			 IOC_BASE(cmds[1]) ? 1 : IOC_BASE(cmd) == IOC_BASE(cmds[2]) ? 2 : -1)

/* A command, or a near miss: other direction, size or number bits, or random bits */
static unsigned int pick_cmd(void)
{
	unsigned int c = cmds[fz_below(3)], k = fz_below(10), sz = fz_chance(50) ?
		fz_below(_IOC_SIZEMASK + 1) : _IOC_SIZE(c) + 8 * fz_below(3) - 8;
	const unsigned int m[] = { _IOC_DIRMASK << _IOC_DIRSHIFT, _IOC_SIZEMASK << _IOC_SIZESHIFT,
		_IOC_NRMASK << _IOC_NRSHIFT, ~0U }, v[] = { fz_below(4) << _IOC_DIRSHIFT,
		(sz & _IOC_SIZEMASK) << _IOC_SIZESHIFT, (5 + fz_below(251)) << _IOC_NRSHIFT,
		_IOC(fz_below(4), VMMAP_IOC_MAGIC, fz_below(256), fz_below(_IOC_SIZEMASK + 1)) };

	return k < 4 ? (c & ~m[k]) | v[k] : c;
}

static uint64_t pick_size(void)
{
	const uint64_t z[] = { 0, fz_ps * (1 + fz_below(64)), fz_ps * fz_below(FZ_CAP / fz_ps + 1),
		fz_ps * fz_below(FZ_CAP / fz_ps) + 1 + fz_below(fz_ps - 1), fz_max_size - fz_ps,
		fz_max_size + fz_ps * fz_below(2), (uint64_t)INT64_MAX + fz_below(2),
		UINT64_MAX - fz_below(2) * (fz_ps - 1), fz_rnd() };
	uint64_t i = fz_below(12);

	return z[i < 3 ? i : i < 6 ? 2 : i - 3];
}

/*
 * a0 fd slot, a1 command, a2 buffer, a3 byte past VER0 made nonzero (+1), a4 size
 * or start, a5 flags, a6 length, a7 ranges, a8 nr, a9 reserved, a10 size after
 * one past FZ_CAP
 */
static void pick_args(struct fz_call *c, unsigned int cmd)
{
	uint32_t len = _IOC_SIZE(cmd);
	int w = which(cmd);

	c->a[1] = cmd;
	c->a[2] = fz_addr_enc(fz_chance(70) ? fz_scratch + fz_below(FZ_SCRATCH - len) :
			      fz_pick_buf(len));
	if (w >= 1 && len > ver0[w] && fz_chance(8))
		c->a[3] = 1 + ver0[w] + fz_below(len - ver0[w]);
	c->a[4] = w == 1 ? pick_size() : fz_chance(90) ? fz_ps * fz_below(fz.size / fz_ps + 2) :
		  fz_rnd();
	c->a[5] = w == 2 && fz_chance(90) ? fz_below(2) : fz_chance(8) ? fz_rnd() : 0;
	c->a[6] = fz_chance(90) ? fz_ps * (1 + fz_below(fz.size / fz_ps + 2)) :
		  fz_chance(50) ? 0 : fz_rnd();
	c->a[7] = fz_chance(85) ? fz_addr_enc(ranges) : fz_chance(30) ? 0 :
		  fz_chance(50) ? fz_addr_enc(fz_ro) : KERNEL_PTR;
	c->a[8] = fz_chance(90) ? 1 + fz_below(64) : fz_chance(50) ? 0 : (uint32_t)fz_rnd();
	if (c->a[7] == fz_addr_enc(ranges))
		c->a[8] = fz_min(c->a[8], 64);
	c->a[9] = fz_chance(8) ? (uint32_t)fz_rnd() | 1 : 0;
	c->a[10] = fz_ps * fz_below(FZ_CAP / fz_ps + 1);
}

static void ioctl_pick(struct fz_call *c)
{
	c->a[0] = fz_chance(6) ? (uint64_t)-1 : fz_below(FZ_NFDS);
	pick_args(c, pick_cmd());
}

static void resize_pick(struct fz_call *c)
{
	c->a[0] = fz_chance(80) ? 0 : fz_chance(6) ? (uint64_t)-1 : fz_below(FZ_NFDS);
	pick_args(c, VMMAP_IOC_RESIZE);
}

/* The struct as the driver will read it, in st[], then in the buffer as far as it takes it. */
static void ioctl_run(struct fz_call *c)
{
	unsigned int cmd = c->a[1];
	uint32_t len = _IOC_SIZE(cmd);
	char *p = fz_addr_dec(c->a[2]);
	int w = which(cmd);
	int64_t dev;
	uint64_t n = fz_min(len, fz_buf_acc(p, true, &dev));
	struct vmmap_resize r = { .new_size = c->a[4], .flags = c->a[5] };
	struct vmmap_dirty d = { c->a[4], c->a[6], c->a[5], c->a[7] ?
				 (uintptr_t)fz_addr_dec(c->a[7]) : 0, c->a[8], c->a[9], ~0ULL };

	memset(st, 0, len);
	if (w >= 1)
		memcpy(st, w == 1 ? (void *)&r : (void *)&d, fz_min(len, ver0[w]));
	if (c->a[3])
		st[c->a[3] - 1] = 0x5a;
	if (p >= fz_ro && p < fz_ro + fz_ps)
		mprotect(fz_ro, fz_ps, PROT_READ | PROT_WRITE);
	memcpy(p, st, n);
	mprotect(fz_ro, fz_ps, PROT_READ);
	if (dev >= 0)
		fz_model_store(dev, st, n);
	errno = 0;
	c->ret = syscall(SYS_ioctl, fz_fdnum((int)c->a[0]), (unsigned long)cmd, p);
	c->err = errno;
}

/* What the call must fail with (must[]: any of them; none: succeed) and may fail with. */
static void expect(const struct fz_call *c, int *must, int *maybe)
{
	unsigned int cmd = c->a[1];
	uint32_t len = _IOC_SIZE(cmd);
	char *p = fz_addr_dec(c->a[2]);
	int slot = (int)c->a[0], w = which(cmd), n = 0;
	uint64_t start = c->a[4], dlen = c->a[6], fl = c->a[5];
	int64_t dev;

#define MUST(cond, e)	do { if (cond) must[n++] = (e); } while (0)
	if (!fz_fd_can(slot, -1) || w < 0 || len < ver0[w] || (w == 1 && !fz_fd_can(slot, 1))) {
		must[0] = !fz_fd_can(slot, -1) || (w >= 0 && len >= ver0[w]) ? EBADF :
			  w < 0 ? ENOTTY : EINVAL;
		return;
	}
	MUST(w == 0 && fz_buf_acc(p, false, &dev) < len, EFAULT);	/* written whole */
	MUST(w >= 1 && fz_buf_acc(p, true, &dev) < len, EFAULT);	/* read whole */
	MUST(w >= 1 && c->a[3], E2BIG);				/* a newer caller's */
	MUST(w == 1 && (fl || start % fz_ps), EINVAL);
	MUST(w == 1 && start > fz_max_size, EFBIG);
	MUST(w == 2 && ((fl & ~VMMAP_DIRTY_CLEAR) || c->a[9] || !c->a[8] || !dlen ||
			start % fz_ps || dlen % fz_ps || start + dlen < start), EINVAL);
	MUST(w == 2 && (fl & VMMAP_DIRTY_CLEAR) && !fz_fd_can(slot, O_WRONLY), EBADF);
	MUST(w == 2 && (c->a[7] == KERNEL_PTR || fz_buf_acc(p, false, &dev) < len), EFAULT);
#undef MUST
	maybe[0] = w == 2 ? ENOMEM : 0;
	maybe[1] = w == 2 && c->a[7] != fz_addr_enc(ranges) ? EFAULT : 0;	/* if any dirty */
}

static void ioctl_check(struct fz_call *c)
{
	unsigned int cmd = c->a[1];
	char *p = fz_addr_dec(c->a[2]);
	int w = which(cmd), must[12] = { 0 }, maybe[3] = { 0 }, ok = 0;
	uint64_t start = c->a[4], dlen = c->a[6];
	int64_t dev;
	struct vmmap_dirty out;
	struct vmmap_info in;
	uint32_t k;

	fz_buf_acc(p, false, &dev);
	if (dev >= 0 && w != 1)
		fz_resync(dev, _IOC_SIZE(cmd));		/* the answer landed in the object */
	expect(c, must, maybe);
	for (int i = 0; i < 12 && c->ret < 0; i++)
		ok |= (i < 3 && maybe[i] == c->err) || must[i] == c->err;
	if (!ok && (c->ret < 0 || must[0]))
		fz_fail("%s %s; expected %s%s", c->ret < 0 ? "failed with" : "succeeded",
			c->ret < 0 ? fz_ename(c->err) : "", must[0] ? fz_ename(must[0]) : "success",
			must[1] ? " (or another)" : "");
	if (c->ret < 0 && w == 1 && (uint64_t)lseek(fz_dev, 0, SEEK_END) != fz.size)
		fz_fail("a failed RESIZE changed the size");
	if (c->ret < 0 || must[0])
		return;
	if (w == 0) {	/* what the consistency check does not compare */
		memcpy(&in, p, sizeof(in));
		for (k = sizeof(in); k < _IOC_SIZE(cmd) && !p[k]; k++)
			;
		if (in.abi_version != VMMAP_ABI_VERSION || in.object_size != fz.size ||
		    in.page_size != fz_ps || in.max_size != fz_max_size || k < _IOC_SIZE(cmd))
			fz_fail("GET_INFO: abi %u size %llu page %u, byte %u", in.abi_version,
				in.object_size, in.page_size, k);
	} else if (w == 1) {
		fz_model_resize(start);
		if (fz.size > FZ_CAP && fz_resize(c->a[10] % (FZ_CAP + 1)))
			fz_die("resize back: %s", strerror(errno));
		if (fz.size > FZ_CAP)	/* the shadow covers FZ_CAP bytes: back below it */
			fz_model_resize(c->a[10] % (FZ_CAP + 1));
	} else {
		memcpy(&out, p, sizeof(out));
		k = fz_min(start + dlen, fz.size) > start;	/* it ends at min(end, size) */
		if (out.nr_ranges > c->a[8] || out.walk_end < start ||
		    out.walk_end > (k ? fz_min(start + dlen, fz.size) : start))
			fz_fail("DIRTY: %u ranges, walk_end %#llx for %#" PRIx64 "+%#" PRIx64,
				out.nr_ranges, out.walk_end, start, dlen);
		if (c->a[7] != fz_addr_enc(ranges))
			return;
		fz_check_dirty(start, out.walk_end, ranges, out.nr_ranges);
		for (uint32_t i = 0; (c->a[5] & VMMAP_DIRTY_CLEAR) && i <= out.nr_ranges; i++)
			if (i == out.nr_ranges)
				fz_model_clean(start, out.walk_end);
			else
				fz_model_clean(ranges[i].start, ranges[i].end);
	}
}

const struct fz_op fz_ctl_ops[] = {
	{ "ioctl", 24, ioctl_pick, ioctl_run, ioctl_check },
	{ "resize", 12, resize_pick, ioctl_run, ioctl_check },
	{ NULL },
};
