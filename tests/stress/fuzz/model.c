// SPDX-License-Identifier: GPL-2.0
/*
 * The model of the object (fuzz.h), the process's VMAs as /proc/self/maps
 * shows them, faulting accesses, and the consistency check of every batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

struct fz_model fz;
static struct fz_vma vmas[8192];
struct fz_vma *fz_vmas = vmas;
int fz_nvmas, fz_dev_vmas;

uint64_t fz_resident(void)
{
	struct vmmap_info in;

	if (vmmap_get_info(fz_dev, &in))
		fz_die("GET_INFO: %s", strerror(errno));
	return in.resident_pages;
}

/* After a resize. More resident than the size: a shrink kept a huge page whole. */
void fz_model_resize(uint64_t n)
{
	uint64_t old = fz_min(fz.size, FZ_CAP);

	if (n < old) {
		memset(fz.shadow + n, 0, old - n);
		fz_model_clean(fz_page_up(n), old);
	}
	fz.size = fz.kept_end = n;
	fz.kept_written = false;
	if (fz_huge && fz_resident() > n / fz_ps)
		fz.kept_end = (n + fz_pmd - 1) / fz_pmd * fz_pmd;
}

/* @len bytes at @off were written: dirty too. */
void fz_model_store(uint64_t off, const void *src, uint64_t len)
{
	if (off >= FZ_CAP || !len)
		return;
	len = fz_min(len, FZ_CAP - off);
	memcpy(fz.shadow + off, src, len);
	memset(fz.dirty + off / fz_ps, 1, (off + len - 1) / fz_ps - off / fz_ps + 1);
}

/* Forget that pages in [from, to) were written: always safe (a lower bound). */
void fz_model_clean(uint64_t from, uint64_t to)
{
	for (uint64_t p = from / fz_ps; p * fz_ps < fz_min(to, FZ_CAP); p++)
		fz.dirty[p] = 0;
}

/* Data @v at @off past the size: only inside a kept huge page, where allowed. */
bool fz_past_end_ok(uint64_t off, uint8_t v)
{
	return fz_may_map_eof && off >= fz.size && off < fz.kept_end && (!v || fz.kept_written);
}

/* Trust the object for [off, off + len): after an imprecise partial copy. */
void fz_resync(uint64_t off, uint64_t len)
{
	if (off >= fz.size || off >= FZ_CAP)
		return;
	len = fz_min(len, fz_min(fz.size, FZ_CAP) - off);
	if (pread(fz_dev, fz.shadow + off, len, (off_t)off) != (ssize_t)len)
		fz_die("resync pread: %s", strerror(errno));
}

/* A buffer for @len bytes: good, short, read-only, PROT_NONE, in the object. */
char *fz_pick_buf(uint64_t len)
{
	uint64_t o = fz_below(FZ_SCRATCH), ok = len < FZ_SCRATCH && fz_chance(50);

	switch (fz_below(12)) {
	case 0: return fz_scratch + FZ_SCRATCH - fz_below(len < 64 ? len + 1 : 64);
	case 1: return fz_ro + fz_below(fz_ps);
	case 2: return fz_none + fz_below(fz_ps);
	case 3: case 4: case 5: return fz_devbuf + fz_below(FZ_DEVBUF_PAGES * fz_ps);
	default: return fz_scratch + (ok ? o % (FZ_SCRATCH - len + 1) : o);
	}
}

/* Bytes the kernel can read (@rd) or write from @p on; *@devoff: in the object. */
uint64_t fz_buf_acc(const char *p, bool rd, int64_t *devoff)
{
	uint64_t db = FZ_DEVBUF_PAGES * fz_ps;

	*devoff = p >= fz_devbuf && p < fz_devbuf + db ? p - fz_devbuf : -1;
	if (p >= fz_scratch && p < fz_scratch + FZ_SCRATCH)
		return fz_scratch + FZ_SCRATCH - p;
	if (p >= fz_ro && p < fz_ro + fz_ps)
		return rd ? (uint64_t)(fz_ro + fz_ps - p) : 0;
	if (*devoff >= 0)
		return fz.size > (uint64_t)*devoff ? fz_min(fz.size, db) - *devoff : 0;
	return 0;
}

/* Our buffers and the arena are one reservation: addresses there are logged relative to it. */
uint64_t fz_addr_enc(const void *p)
{
	uint64_t o = (uintptr_t)p - (uintptr_t)(fz_scratch - fz_ps);

	return o < (uintptr_t)fz_arena + FZ_ARENA + fz_pmd - (uintptr_t)fz_scratch ?
	       0xa0ULL << 56 | o : (uintptr_t)p;
}

char *fz_addr_dec(uint64_t v)
{
	return v >> 56 == 0xa0 ? fz_scratch - fz_ps + (v << 8 >> 8) : (char *)(uintptr_t)v;
}

/* A page in the arena, mostly the start of or inside a mapping there. */
char *fz_pick_arena_addr(void)
{
	for (int i = 0; i < 16 && fz_nvmas && fz_chance(90); i++) {
		struct fz_vma *v = &fz_vmas[fz_below(fz_nvmas)];

		if (v->start >= (uintptr_t)fz_arena && v->end <= (uintptr_t)fz_arena + FZ_ARENA &&
		    (v->dev || v->prot))
			return (char *)v->start + fz_ps * (fz_chance(50) ? 0 :
							   fz_below((v->end - v->start) / fz_ps));
	}
	return fz_arena + fz_ps * fz_below(FZ_ARENA / fz_ps);
}

bool fz_fd_can(int slot, int acc)
{
	return slot >= 0 && slot < FZ_NFDS && !fz_fds[slot].path &&
	       (acc < 0 || fz_fds[slot].acc == O_RDWR || fz_fds[slot].acc == acc);
}

void fz_refresh_maps(void)
{
	static char buf[1 << 20];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	char *p = buf, *nl, perms[8], path[256];
	unsigned long long off;
	unsigned long s, e;
	ssize_t n = 0, r;

	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	if (r < 0 || close(fd))
		fz_die("/proc/self/maps: %s", strerror(errno));
	buf[n] = 0;
	fz_nvmas = fz_dev_vmas = 0;
	for (; (nl = strchr(p, '\n')) && fz_nvmas < 8192; p = nl + 1) {
		*nl = 0;
		path[0] = 0;
		if (sscanf(p, "%lx-%lx %7s %llx %*s %*s %255s", &s, &e, perms, &off, path) < 4)
			continue;
		vmas[fz_nvmas] = (struct fz_vma){ s, e,
			(perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
			(perms[2] == 'x' ? PROT_EXEC : 0), perms[3] == 's',
			!strcmp(path, VMMAP_DEV), off };
		fz_dev_vmas += vmas[fz_nvmas++].dev;
	}
}

struct fz_vma *fz_find_vma(uintptr_t a, uint64_t len)
{
	for (int i = 0; i < fz_nvmas; i++)
		if (vmas[i].start < a + len && a < vmas[i].end)
			return &vmas[i];
	return NULL;
}

static sigjmp_buf *volatile probe_jb;
static volatile int probe_sig;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (probe_jb) {
		probe_sig = sig;
		siglongjmp(*probe_jb, 1);
	}
	fz_fail("signal %d at %p outside a probe", sig, si->si_addr);
	_exit(1);
}

/* Loads or stores a byte; returns the signal that raised, or 0. */
int fz_probe(void *p, bool wr, uint8_t *val)
{
	static struct sigaction sa = { .sa_sigaction = on_fault,
				       .sa_flags = SA_SIGINFO | SA_NODEFER };
	volatile uint8_t *q = p;
	sigjmp_buf jb;

	if (sigsetjmp(jb, 0)) {
		probe_jb = NULL;
		return probe_sig;
	}
	if (!probe_sig && !sigaction(SIGBUS, &sa, NULL) && !sigaction(SIGSEGV, &sa, NULL))
		probe_sig = -1;	/* installed */
	probe_jb = &jb;
	__asm__ __volatile__("" ::: "memory");
	if (wr)
		*q = *val;
	else
		*val = *q;
	__asm__ __volatile__("" ::: "memory");
	probe_jb = NULL;
	return 0;
}

/*
 * A VMMAP_IOC_DIRTY answer: well-formed ranges, and each page the model knows
 * was written since it was last cleaned, up to where the walk stopped, in one.
 */
void fz_check_dirty(uint64_t start, uint64_t walk_end, const struct vmmap_range *r, uint32_t n)
{
	uint32_t i = 0;

	for (uint32_t k = 0; k < n; k++)
		if (r[k].start >= r[k].end || r[k].end > fz.size || r[k].start % fz_ps ||
		    r[k].end % fz_ps || (k && r[k].start <= r[k - 1].end))
			fz_fail("DIRTY: range %u is %#llx-%#llx", k, r[k].start, r[k].end);
	for (uint64_t o = start; o < fz_min(walk_end, FZ_CAP); o += fz_ps) {	/* aligned */
		while (i < n && r[i].end <= o)
			i++;
		if (fz.dirty[o / fz_ps] && (i == n || r[i].start > o)) {
			fz_fail("DIRTY: page %#" PRIx64 ", written since cleaned, not reported", o);
			return;
		}
	}
}

/*
 * GET_INFO and SEEK_END agree with the model; resident_pages at most the
 * size (or a kept huge page), dirty_pages at most that, live_vmas the device's
 * VMAs in /proc/self/maps, pages_allocated - pages_freed == resident_pages;
 * DIRTY reports each page written since cleaned; read(2) and a fresh mapping
 * (every @stride bytes) give the model's bytes, the size SIGBUS; fsync leaves
 * nothing dirty. @deep: a resize to 0 leaves nothing resident, then @new_size.
 */
void fz_consistency(bool deep, uint64_t stride, uint64_t new_size)
{
	static struct vmmap_range rg[64];
	uint64_t S = fz.size, walk_end, k = 0;
	struct vmmap_counters st;
	struct vmmap_info in;
	uint8_t v, *buf = malloc(S + 1);
	uint32_t n = 64;
	char *m;
	int sig;

	fz_refresh_maps();
	if (!buf || vmmap_get_info(fz_dev, &in) || vmmap_read_counters(&st))
		fz_die("GET_INFO/counters: %s", strerror(errno));
	for (int i = 0; i < FZ_NFDS; i++)	/* the file positions back to 0 now and then */
		fz_fds[i].pos = !fz_fds[i].path ? lseek(fz_fds[i].fd, 0, SEEK_SET) : fz_fds[i].pos;
	if (in.object_size != S || (uint64_t)lseek(fz_dev, 0, SEEK_END) != S)
		fz_fail("object_size %llu or SEEK_END, model %" PRIu64, in.object_size, S);
	if (in.resident_pages > fz.kept_end / fz_ps || in.dirty_pages > in.resident_pages ||
	    in.live_vmas != (uint64_t)fz_dev_vmas ||
	    st.pages_allocated - st.pages_freed != in.resident_pages)
		fz_fail("resident %llu (max %" PRIu64 "), dirty %llu, live_vmas %llu (maps %d), "
			"allocated-freed %" PRIu64, in.resident_pages, fz.kept_end / fz_ps,
			in.dirty_pages, in.live_vmas, fz_dev_vmas,
			st.pages_allocated - st.pages_freed);
	if (S && vmmap_dirty(fz_dev, 0, fz_page_up(S), 0, rg, &n, &walk_end))
		fz_fail("DIRTY over the object: %s", fz_ename(errno));
	else if (S)
		fz_check_dirty(0, walk_end, rg, n);
	if (pread(fz_dev, buf, S, 0) != (ssize_t)S) {
		fz_fail("pread of the whole object: %s", fz_ename(errno));
	} else if (memcmp(buf, fz.shadow, S)) {
		while (buf[k] == fz.shadow[k])
			k++;
		fz_fail("offset %#" PRIx64 " reads %#x, expected %#x", k, buf[k], fz.shadow[k]);
		memcpy(fz.shadow, buf, S);
	}
	free(buf);
	m = mmap(NULL, S + fz_ps, PROT_READ, MAP_SHARED, fz_dev, 0);
	if (m == MAP_FAILED)
		fz_die("mmap for the check: %s", strerror(errno));
	for (uint64_t o = 0; o < S; o += stride) {
		sig = fz_probe(m + o, false, &v);
		if (sig || v != fz.shadow[o]) {
			fz_fail("mapped offset %#" PRIx64 ": signal %d or %#x, expected %#x", o,
				sig, v, fz.shadow[o]);
			break;
		}
	}
	sig = fz_probe(m + S, false, &v);
	if (sig != SIGBUS && !(!sig && fz_past_end_ok(S, v)))
		fz_fail("mapped at the size %#" PRIx64 ": signal %d, not SIGBUS", S, sig);
	munmap(m, S + fz_ps);
	if (fsync(fz_dev) || vmmap_get_info(fz_dev, &in) || in.dirty_pages)
		fz_fail("dirty_pages %llu after fsync", in.dirty_pages);
	fz_model_clean(0, FZ_CAP);
	if (deep) {
		if (fz_resize(0) || vmmap_get_info(fz_dev, &in) || in.resident_pages ||
		    in.dirty_pages || in.object_size)
			fz_fail("resized to 0: size %llu, resident %llu, dirty %llu",
				in.object_size, in.resident_pages, in.dirty_pages);
		fz_model_resize(0);
		if (fz_resize(new_size))
			fz_die("resize: %s", strerror(errno));
		fz_model_resize(new_size);
	}
	/* a fresh arena: splits must not pile up */
	if (mmap(fz_arena, FZ_ARENA, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
		 MAP_NORESERVE, -1, 0) != fz_arena)
		fz_die("arena reset: %s", strerror(errno));
	fz_refresh_maps();
}
