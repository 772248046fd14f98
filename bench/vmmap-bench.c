// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-bench: /dev/vmmap against shmem (memfd) and anonymous memory, in one
 * boot and on the same sizes. Runs as root in the qemu guest of bench.sh.
 *
 * It measures and prints; it computes no statistics and judges nothing.
 * Each case runs --reps times, the backends of a case interleaved within each
 * repetition, so drift of the emulator hits them alike. Output on stdout:
 * progress lines ("vmmap-bench: ...") and one JSON object per line, each
 * starting with {"rec":
 *   meta      the kernel, the knobs as found, the sizes (first line)
 *   sample    one run of one case on one backend: ns, minor faults, vmmap's
 *             handler calls, units/pages/bytes it covered
 *   na        a (case, variant, backend) that cannot run here, and why
 *   memcheck  resident_pages after k touches; mem: bytes per page, one run
 *   end       the run finished
 * bench/report.py turns them into tables, ratios, targets, plot and
 * docs/benchmarks.md. The exit status is 0 unless the benchmark itself could
 * not run.
 *
 * Knobs it changes and restores: /sys/kernel/debug/fault_around_bytes
 * (mounts debugfs), /sys/module/vmmap/parameters/huge (if present),
 * /sys/kernel/mm/transparent_hugepage/shmem_enabled; it mounts a tmpfs with
 * huge=always under /tmp for the huge cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "libvmmap.h"
#include "../tests/sys-compat.h"

#define MAXREP 64
#define MAXFAILED 64
#define MAXSWEEP 8

#define FAULT_AROUND "/sys/kernel/debug/fault_around_bytes"
#define HUGE_PARAM "/sys/module/vmmap/parameters/huge"
#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define SHMEM_ENABLED THP_DIR "/shmem_enabled"
#define HUGE_MNT "/tmp/vmmap-bench-huge"

/* ------------------------------------------------------------------ */
/* Parameters */

struct params {
	bool quick;
	int reps;
	size_t seq_bytes;	/* sequential cases, memory checks */
	size_t rand_bytes;	/* random cases: mapping size */
	size_t rand_touches;	/* random cases: pages touched */
	size_t rw_bytes;	/* read()/write() */
	size_t rw_buf;
	size_t fsync_n0;	/* pages: the d sweep runs in an object of n0 */
	size_t fsync_d0;	/* pages: the n sweep dirties d0 */
	size_t fsync_d[MAXSWEEP];
	int nd;
	size_t fsync_n[MAXSWEEP];
	int nn;
	size_t mmap_bytes;
	int mmap_iters;
	size_t mem_k;		/* resident check: pages touched */
	size_t huge_bytes;
	const char *only;	/* sections to run, comma separated */
};

static struct params P;

static long ps;			/* page size */
static size_t pmd;		/* PMD (huge page) size */
static int vfd = -1;		/* /dev/vmmap */
static volatile uint64_t sink;

/* Knobs, as found at start. */
static long fa_default = -1;	/* fault_around_bytes, -1: not available */
static bool have_huge_param;
static char huge_orig[8];
static char shmem_orig[32];	/* "" if no shmem_enabled */
static bool have_huge_mnt;
static char thp_enabled[32];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vmmap-bench: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vmmap-bench: error: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
	exit(1);
}

static bool section_on(const char *name)
{
	const char *s = P.only;
	size_t n = strlen(name);

	if (!s)
		return true;
	while (*s) {
		if (!strncmp(s, name, n) && (s[n] == ',' || !s[n]))
			return true;
		s = strchr(s, ',');
		if (!s)
			break;
		s++;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Small file helpers for /proc and /sys */

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static long read_long(const char *path)
{
	char buf[64];

	if (read_text(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

/* Copy @s into @out[len], cut if needed. */
static void copy_str(char *out, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

/* The [selected] word of a sysfs choice list. */
static void bracketed(const char *path, char *out, size_t len)
{
	char buf[256], *a, *b;

	out[0] = 0;
	if (read_text(path, buf, sizeof(buf)))
		return;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		*b = 0;
		copy_str(out, len, a + 1);
	} else {
		copy_str(out, len, buf);
	}
}

/* A field of /proc/meminfo in kB, -1 if absent. */
static long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t n = strlen(key);
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Active objects and object size of a slab cache from /proc/slabinfo. */
static int slab_info(const char *name, long *active, long *objsize)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], nm[64];
	long a, num, sz;
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld %ld %ld", nm, &a, &num, &sz) == 4 &&
		    !strcmp(nm, name)) {
			*active = a;
			*objsize = sz;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * PMD-mapped kB of the VMA containing @addr in /proc/self/smaps:
 * FilePmdMapped (vmmap, page cache), ShmemPmdMapped (shmem), AnonHugePages.
 */
static long smaps_pmd_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long lo, hi, a = (unsigned long)addr;
	char line[512];
	bool in = false;
	long kb = 0, v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = lo <= a && a < hi;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "FilePmdMapped: %ld", &v) == 1 ||
		    sscanf(line, "ShmemPmdMapped: %ld", &v) == 1 ||
		    sscanf(line, "AnonHugePages: %ld", &v) == 1)
			kb += v;
	}
	fclose(f);
	return kb;
}

/* ------------------------------------------------------------------ */
/* Backends: what a case maps */

enum kind { K_VMMAP, K_SHMEM, K_ANON, K_TMPFS };

struct backend {
	const char *name;
	enum kind kind;
	int huge;	/* vmmap: huge param; shmem: shmem_enabled=always;
			 * anon: MADV_HUGEPAGE (else MADV_NOHUGEPAGE) */
	int fd;		/* shmem, tmpfs */
	const char *na;	/* set when the backend cannot run here */
};

static struct backend B_VMMAP = { "vmmap", K_VMMAP, 0, -1, NULL };
static struct backend B_SHMEM = { "shmem", K_SHMEM, 0, -1, NULL };
static struct backend B_ANON = { "anon", K_ANON, 0, -1, NULL };
/* huge section */
static struct backend B_VMMAP_H1 = { "vmmap huge=1", K_VMMAP, 1, -1, NULL };
static struct backend B_VMMAP_H0 = { "vmmap huge=0", K_VMMAP, 0, -1, NULL };
static struct backend B_SHMEM_ALWAYS = { "shmem always", K_SHMEM, 1, -1, NULL };
static struct backend B_TMPFS_HUGE = { "tmpfs huge=always", K_TMPFS, 0, -1, NULL };
static struct backend B_ANON_THP = { "anon THP", K_ANON, 1, -1, NULL };

static int bk_fd(const struct backend *b)
{
	return b->kind == K_VMMAP ? vfd : b->fd;
}

static int bk_resize(const struct backend *b, size_t bytes)
{
	switch (b->kind) {
	case K_VMMAP:
		return vmmap_resize(vfd, bytes);
	case K_SHMEM:
	case K_TMPFS:
		return ftruncate(b->fd, bytes);
	default:
		return 0;
	}
}

/* Drop every page of the object and give it @bytes of holes. */
static int bk_fresh(const struct backend *b, size_t bytes)
{
	if (bk_resize(b, 0))
		return -1;
	return bk_resize(b, bytes);
}

/* Set the knobs this backend runs under; undone by bk_after(). */
static int bk_before(const struct backend *b)
{
	if (b->kind == K_VMMAP && have_huge_param)
		return write_text(HUGE_PARAM, b->huge ? "1" : "0");
	if (b->kind == K_SHMEM && b->huge)
		return write_text(SHMEM_ENABLED, "always");
	return 0;
}

static void bk_after(const struct backend *b)
{
	if (b->kind == K_SHMEM && b->huge)
		write_text(SHMEM_ENABLED, shmem_orig);
}

/*
 * Map @len bytes at offset 0: MAP_SHARED for objects, private anonymous
 * memory aligned to the PMD size (so THP can apply, or be refused by
 * madvise) for anon. Returns MAP_FAILED on error.
 */
static void *bk_map(const struct backend *b, size_t len, int prot)
{
	char *p, *a;

	if (b->kind != K_ANON)
		return mmap(NULL, len, prot, MAP_SHARED, bk_fd(b), 0);
	p = mmap(NULL, len + pmd, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	a = (char *)(((uintptr_t)p + pmd - 1) & ~(uintptr_t)(pmd - 1));
	if (a > p)
		munmap(p, a - p);
	if (p + len + pmd > a + len)
		munmap(a + len, p + len + pmd - (a + len));
	madvise(a, len, b->huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return a;
}

/* Fill the object with @bytes of data (allocating every page) and sync. */
static int bk_populate(const struct backend *b, size_t bytes)
{
	static char buf[1 << 20];
	size_t off, n;

	if (bk_fresh(b, bytes))
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	for (off = 0; off < bytes; off += n) {
		n = bytes - off < sizeof(buf) ? bytes - off : sizeof(buf);
		if (pwrite(bk_fd(b), buf, n, off) != (ssize_t)n)
			return -1;
	}
	return fsync(bk_fd(b));
}

/* ------------------------------------------------------------------ */
/* Touch loops: one access per page */

/*
 * One access per page of @p: pages idx[0..n) or, without @idx, 0..n; a read
 * if @v < 0, else a write of @v.
 */
static void touch(char *p, const size_t *idx, size_t n, int v)
{
	volatile unsigned char *q;
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		q = (unsigned char *)p + (idx ? idx[i] : i) * ps;
		if (v < 0)
			s += *q;
		else
			*q = v;
	}
	sink += s;
}

/* @k distinct page indices below @npages in random order (fixed seed). */
static size_t *random_pages(size_t npages, size_t k)
{
	size_t *a = malloc(npages * sizeof(*a)), i, j, t;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	if (!a)
		die("out of memory");
	for (i = 0; i < npages; i++)
		a[i] = i;
	for (i = 0; i < k && i < npages; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = i + x % (npages - i);
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* Measurement */

struct sample {
	double ns;
	double minflt, fault, map_pages, mkwrite, cleaned;
	double pmd_kb;		/* -1: not measured */
	double units, pages, bytes;
	const char *unit;
};

struct meas {
	struct timespec t;
	long minflt;
	struct vmmap_counters st;
};

static void meas_begin(struct meas *m)
{
	struct rusage ru;

	vmmap_read_counters(&m->st);
	getrusage(RUSAGE_SELF, &ru);
	m->minflt = ru.ru_minflt;
	clock_gettime(CLOCK_MONOTONIC, &m->t);
}

static void meas_end(const struct meas *m, struct sample *s)
{
	struct timespec t;
	struct rusage ru;
	struct vmmap_counters st;

	clock_gettime(CLOCK_MONOTONIC, &t);
	getrusage(RUSAGE_SELF, &ru);
	vmmap_read_counters(&st);
	s->ns = (t.tv_sec - m->t.tv_sec) * 1e9 + (t.tv_nsec - m->t.tv_nsec);
	s->minflt = ru.ru_minflt - m->minflt;
	s->fault = st.fault - m->st.fault;
	s->map_pages = st.map_pages - m->st.map_pages;
	s->mkwrite = st.page_mkwrite - m->st.page_mkwrite;
	s->cleaned = st.pages_cleaned - m->st.pages_cleaned;
}

/* ------------------------------------------------------------------ */
/* Output: one JSON object per line */

static void json_str(const char *key, const char *s)
{
	printf(",\"%s\":\"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* {"rec":@rec,"case":..,"variant":..,"backend":..,"title":.. (no closing) */
static void rec_key(const char *rec, const char *id, const char *var,
		    const char *bk, const char *title)
{
	printf("{\"rec\":\"%s\"", rec);
	json_str("case", id);
	json_str("variant", var);
	json_str("backend", bk);
	json_str("title", title);
}

/* (case, variant, backend) that failed once: n/a for the rest of the run */
static char failed[MAXFAILED][96];
static int nfailed;

static bool has_failed(const char *id, const char *var, const char *bk)
{
	char k[96];
	int i;

	snprintf(k, sizeof(k), "%s|%s|%s", id, var, bk);
	for (i = 0; i < nfailed; i++)
		if (!strcmp(failed[i], k))
			return true;
	return false;
}

static void emit_na(const char *id, const char *var, const char *bk,
		    const char *title, const char *why)
{
	if (nfailed < MAXFAILED)
		snprintf(failed[nfailed++], sizeof(failed[0]), "%s|%s|%s", id,
			 var, bk);
	rec_key("na", id, var, bk, title);
	json_str("why", why);
	printf("}\n");
}

static void emit_sample(const char *id, const char *var, const char *bk,
			const char *title, int rep, const struct sample *s)
{
	rec_key("sample", id, var, bk, title);
	printf(",\"rep\":%d", rep);
	json_str("unit", s->unit);
	printf(",\"units\":%.15g,\"pages\":%.15g,\"bytes\":%.15g,\"ns\":%.15g",
	       s->units, s->pages, s->bytes, s->ns);
	printf(",\"minflt\":%.15g,\"fault\":%.15g,\"map_pages\":%.15g",
	       s->minflt, s->fault, s->map_pages);
	printf(",\"mkwrite\":%.15g,\"cleaned\":%.15g", s->mkwrite, s->cleaned);
	if (s->pmd_kb >= 0)
		printf(",\"pmd_kb\":%.15g", s->pmd_kb);
	printf("}\n");
}

typedef int (*case_fn)(const struct backend *b, const void *arg,
		       struct sample *s);

static int set_fault_around(long bytes)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", bytes);
	return write_text(FAULT_AROUND, buf);
}

/*
 * Run @fn for every backend and every variant, @reps times, interleaved;
 * print each sample under (@id, vars[v], backend). fas[v] is the
 * fault_around_bytes the variant runs with (-1: leave it alone).
 */
static void run_v(const char *id, const char *const *vars, const long *fas,
		  int nv, const char *title, struct backend *const *bks,
		  int nbk, case_fn fn, const void *arg, int reps)
{
	struct sample s;
	char why[120];
	int rep, i, v, rc;

	for (rep = 0; rep < reps; rep++) {
		for (v = 0; v < nv; v++) {
			if (fas[v] > 0 && set_fault_around(fas[v]))
				continue;
			for (i = 0; i < nbk; i++) {
				const char *bk = bks[i]->name;

				if (has_failed(id, vars[v], bk))
					continue;
				if (bks[i]->na) {
					emit_na(id, vars[v], bk, title,
						bks[i]->na);
					continue;
				}
				memset(&s, 0, sizeof(s));
				s.pmd_kb = -1;
				if (bk_before(bks[i])) {
					snprintf(why, sizeof(why),
						 "cannot set knobs: %s",
						 strerror(errno));
					emit_na(id, vars[v], bk, title, why);
					continue;
				}
				errno = 0;
				rc = fn(bks[i], arg, &s);
				bk_after(bks[i]);
				if (rc) {
					snprintf(why, sizeof(why), "failed: %s",
						 strerror(errno ? errno : EIO));
					emit_na(id, vars[v], bk, title, why);
					continue;
				}
				emit_sample(id, vars[v], bk, title, rep, &s);
			}
		}
	}
	if (nv > 1 || fas[0] > 0)
		set_fault_around(fa_default);
	say("%s %s done", id, vars[nv - 1]);
}

static void run(const char *id, const char *var, const char *title,
		struct backend *const *bks, int nbk, case_fn fn,
		const void *arg, int reps)
{
	long fa = -1;

	run_v(id, &var, &fa, 1, title, bks, nbk, fn, arg, reps);
}

static char fa_var[32], fa1_var[32];
static bool with_fa1;	/* fault-around variants: default and one page */

/* A read case at the default fault_around_bytes and, alternating, at one page. */
static void run_fa(const char *id, const char *title,
		   struct backend *const *bks, int nbk, case_fn fn,
		   const void *arg)
{
	const char *vars[2] = { fa_var, fa1_var };
	long fas[2] = { fa_default, ps };

	run_v(id, vars, fas, with_fa1 ? 2 : 1, title, bks, nbk, fn, arg,
	      P.reps);
}

/* ------------------------------------------------------------------ */
/* Cases */

/* What a sequential case does, one access per page of a fresh mapping. */
enum seq_kind {
	SEQ_READ,	/* read each page */
	SEQ_WRITE,	/* write each page through a shared mapping */
	SEQ_REWRITE,	/* write each page, msync(MS_SYNC), time the rewrite */
};

struct seq_arg {
	size_t bytes;
	enum seq_kind kind;
	bool resident;	/* written and fsynced first: resident and clean */
	bool per_pmd;	/* report per PMD instead of per page */
};

static void seq_units(const struct seq_arg *a, struct sample *s)
{
	s->pages = a->bytes / ps;
	s->bytes = a->bytes;
	if (a->per_pmd) {
		s->units = (double)a->bytes / pmd;
		s->unit = "PMD";
	} else {
		s->units = s->pages;
		s->unit = "page";
	}
}

/*
 * A sequential pass over a new mapping of an object that is empty (every
 * fault allocates) or resident: first-touch reads (fault-around when
 * resident), first writes (vmmap: ->fault + ->page_mkwrite), or the rewrite
 * after msync (vmmap: ->page_mkwrite alone).
 */
static int case_seq(const struct backend *b, const void *arg, struct sample *s)
{
	const struct seq_arg *a = arg;
	size_t npages = a->bytes / ps;
	int prot = PROT_READ | (a->kind == SEQ_READ ? 0 : PROT_WRITE);
	struct meas m;
	char *p;

	if (a->resident ? bk_populate(b, a->bytes) : bk_fresh(b, a->bytes))
		return -1;
	p = bk_map(b, a->bytes, prot);
	if (p == MAP_FAILED)
		return -1;
	if (a->kind == SEQ_REWRITE) {
		touch(p, NULL, npages, 1);
		if (msync(p, a->bytes, MS_SYNC)) {
			munmap(p, a->bytes);
			return -1;
		}
	}
	meas_begin(&m);
	touch(p, NULL, npages,
	      a->kind == SEQ_READ ? -1 : a->kind == SEQ_REWRITE ? 2 : 1);
	meas_end(&m, s);
	if (!a->resident && a->kind != SEQ_REWRITE)
		s->pmd_kb = smaps_pmd_kb(p);
	munmap(p, a->bytes);
	seq_units(a, s);
	return bk_resize(b, 0);
}

struct rand_arg {
	size_t bytes;
	const size_t *idx;
	size_t k;
	bool write;
	bool resident;	/* populated (and kept) by the caller */
};

/* Random page touches of a new mapping: of holes, or of a resident object. */
static int case_rand(const struct backend *b, const void *arg, struct sample *s)
{
	const struct rand_arg *a = arg;
	struct meas m;
	char *p;

	if (!a->resident && bk_fresh(b, a->bytes))
		return -1;
	p = bk_map(b, a->bytes, PROT_READ | (a->write ? PROT_WRITE : 0));
	if (p == MAP_FAILED)
		return -1;
	meas_begin(&m);
	touch(p, a->idx, a->k, a->write ? 1 : -1);
	meas_end(&m, s);
	munmap(p, a->bytes);
	s->pages = a->k;
	s->units = a->k;
	s->bytes = (double)a->k * ps;
	s->unit = "page";
	return a->resident ? 0 : bk_resize(b, 0);
}

enum rw_mode { RW_READ_WARM, RW_READ_HOLE, RW_WRITE_COLD, RW_WRITE_WARM };

struct rw_arg {
	size_t bytes, buf;
	enum rw_mode mode;
};

/* read(2)/write(2) over the whole object, @buf bytes per call. */
static int case_rw(const struct backend *b, const void *arg, struct sample *s)
{
	const struct rw_arg *a = arg;
	bool wr = a->mode == RW_WRITE_COLD || a->mode == RW_WRITE_WARM;
	bool warm = a->mode == RW_READ_WARM || a->mode == RW_WRITE_WARM;
	int fd = bk_fd(b);
	struct meas m;
	size_t off;
	ssize_t n;
	char *buf;

	buf = malloc(a->buf);
	if (!buf)
		return -1;
	memset(buf, 0x33, a->buf);
	if (warm ? bk_populate(b, a->bytes) : bk_fresh(b, a->bytes)) {
		free(buf);
		return -1;
	}
	meas_begin(&m);
	for (off = 0; off < a->bytes; off += a->buf) {
		n = wr ? pwrite(fd, buf, a->buf, off) :
			 pread(fd, buf, a->buf, off);
		if (n != (ssize_t)a->buf) {
			free(buf);
			return -1;
		}
	}
	meas_end(&m, s);
	free(buf);
	s->pages = a->bytes / ps;
	s->units = a->bytes / (double)(1 << 20);
	s->bytes = a->bytes;
	s->unit = "MiB";
	return bk_resize(b, 0);
}

struct mmap_arg {
	size_t bytes;
	int iters;
};

/* mmap + munmap of a large mapping nobody touches. */
static int case_mmap(const struct backend *b, const void *arg,
		     struct sample *s)
{
	const struct mmap_arg *a = arg;
	struct meas m;
	void *p;
	int i;

	if (bk_fresh(b, a->bytes))
		return -1;
	meas_begin(&m);
	for (i = 0; i < a->iters; i++) {
		if (b->kind == K_ANON)
			p = mmap(NULL, a->bytes, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		else
			p = mmap(NULL, a->bytes, PROT_READ | PROT_WRITE,
				 MAP_SHARED, bk_fd(b), 0);
		if (p == MAP_FAILED)
			return -1;
		munmap(p, a->bytes);
	}
	meas_end(&m, s);
	s->units = a->iters;
	s->unit = "pair";
	return bk_resize(b, 0);
}

/* ------------------------------------------------------------------ */
/* Sections */

static void section_seq(void)
{
	struct backend *cold[] = { &B_VMMAP, &B_SHMEM, &B_ANON };
	struct backend *two[] = { &B_VMMAP, &B_SHMEM };
	struct seq_arg read_cold = { P.seq_bytes, SEQ_READ, false, false };
	struct seq_arg read_warm = { P.seq_bytes, SEQ_READ, true, false };
	struct seq_arg write_cold = { P.seq_bytes, SEQ_WRITE, false, false };
	struct seq_arg write_warm = { P.seq_bytes, SEQ_WRITE, true, false };
	struct seq_arg rewrite = { P.seq_bytes, SEQ_REWRITE, false, false };

	run_fa("seq_read_cold", "seq read, not resident", cold, 3, case_seq,
	       &read_cold);
	run_fa("seq_read_warm", "seq read, resident", two, 2, case_seq,
	       &read_warm);
	run("seq_write_cold", fa_var, "seq first write, not resident", cold, 3,
	    case_seq, &write_cold, P.reps);
	run("seq_write_resident", fa_var, "seq first write, resident", two, 2,
	    case_seq, &write_warm, P.reps);
	run("seq_rewrite_synced", fa_var, "seq rewrite after msync", two, 2,
	    case_seq, &rewrite, P.reps);
}

static void section_rand(void)
{
	struct backend *cold[] = { &B_VMMAP, &B_SHMEM, &B_ANON };
	struct backend *two[] = { &B_VMMAP, &B_SHMEM };
	size_t npages = P.rand_bytes / ps;
	size_t k = P.rand_touches < npages ? P.rand_touches : npages;
	size_t *idx = random_pages(npages, k);
	struct rand_arg a = { P.rand_bytes, idx, k, false, false };
	struct rand_arg w = { P.rand_bytes, idx, k, true, false };
	struct rand_arg warm = { P.rand_bytes, idx, k, false, true };
	char why[120] = "";
	int i;

	run("rand_read_cold", fa_var, "random read, not resident", cold, 3,
	    case_rand, &a, P.reps);
	run("rand_write_cold", fa_var, "random first write, not resident",
	    cold, 3, case_rand, &w, P.reps);

	/* Both objects fully resident at once, mapped afresh each run. */
	for (i = 0; i < 2; i++) {
		bk_before(two[i]);
		if (bk_populate(two[i], P.rand_bytes))
			snprintf(why, sizeof(why), "populate %s: %s",
				 two[i]->name, strerror(errno));
	}
	if (!why[0]) {
		run_fa("rand_read_warm", "random read, resident", two, 2,
		       case_rand, &warm);
	} else {
		say("%s", why);
	}
	for (i = 0; i < 2; i++)
		bk_resize(two[i], 0);
	free(idx);
}

static void section_rw(void)
{
	struct backend *two[] = { &B_VMMAP, &B_SHMEM };
	static const struct {
		const char *id, *title;
		enum rw_mode mode;
	} c[] = {
		{ "read_resident", "read(), resident", RW_READ_WARM },
		{ "read_hole", "read(), holes", RW_READ_HOLE },
		{ "write_new", "write(), allocating", RW_WRITE_COLD },
		{ "write_resident", "write(), overwrite", RW_WRITE_WARM },
	};
	char var[32];
	unsigned int i;

	snprintf(var, sizeof(var), "buf=%zuK", P.rw_buf >> 10);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct rw_arg a = { P.rw_bytes, P.rw_buf, c[i].mode };

		run(c[i].id, var, c[i].title, two, 2, case_rw, &a, P.reps);
	}
}

/*
 * fsync(2) cost against dirty pages d in an object of n resident pages: the
 * d sweep at n0, the n sweep at d0, and one msync(MS_SYNC) at (n0, d0). The d
 * dirty pages are spread evenly over the object.
 */
struct sync_job {
	size_t d;
	bool use_msync;
};

static bool in_list(const size_t *v, int n, size_t x)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void sync_one(const struct backend *b, char *p, size_t n,
		     const struct sync_job *job, int rep, const char *err)
{
	size_t bytes = n * ps, q, stride;
	const char *id = job->use_msync ? "msync" : "fsync";
	const char *title = job->use_msync ? "msync(MS_SYNC)" : "fsync(2)";
	struct sample s = { .pmd_kb = -1 };
	struct meas m;
	char var[40], why[120];
	int rc;

	snprintf(var, sizeof(var), "n=%zu d=%zu", n, job->d);
	if (has_failed(id, var, b->name))
		return;
	if (err) {
		emit_na(id, var, b->name, title, err);
		return;
	}
	stride = n / job->d;
	for (q = 0; q < job->d; q++)
		p[q * stride * ps] = (char)rep;
	meas_begin(&m);
	rc = job->use_msync ? msync(p, bytes, MS_SYNC) : fsync(bk_fd(b));
	meas_end(&m, &s);
	if (rc) {
		snprintf(why, sizeof(why), "failed: %s", strerror(errno));
		emit_na(id, var, b->name, title, why);
		return;
	}
	s.units = 1;
	s.unit = "call";
	s.pages = job->d;
	emit_sample(id, var, b->name, title, rep, &s);
}

static void section_fsync(void)
{
	struct backend *two[] = { &B_VMMAP, &B_SHMEM };
	size_t ns[MAXSWEEP + 1];
	struct sync_job jobs[MAXSWEEP + 2];
	int nn = 0, njobs, i, j, k, rep;

	ns[nn++] = P.fsync_n0;
	for (i = 0; i < P.nn; i++)
		if (P.fsync_n[i] != P.fsync_n0)
			ns[nn++] = P.fsync_n[i];

	for (i = 0; i < nn; i++) {
		size_t n = ns[i], bytes = n * ps;

		njobs = 0;
		if (n == P.fsync_n0) {
			for (k = 0; k < P.nd; k++)
				if (P.fsync_d[k] <= n)
					jobs[njobs++] = (struct sync_job){ P.fsync_d[k], false };
			if (P.fsync_d0 <= n)
				jobs[njobs++] = (struct sync_job){ P.fsync_d0, true };
		}
		if (in_list(P.fsync_n, P.nn, n) && P.fsync_d0 <= n &&
		    (n != P.fsync_n0 || !in_list(P.fsync_d, P.nd, P.fsync_d0)))
			jobs[njobs++] = (struct sync_job){ P.fsync_d0, false };

		for (j = 0; j < 2; j++) {
			const struct backend *b = two[j];
			char *p = MAP_FAILED, err[96] = "";

			bk_before(b);
			if (bk_populate(b, bytes))
				snprintf(err, sizeof(err), "populate: %s", strerror(errno));
			else
				p = bk_map(b, bytes, PROT_READ | PROT_WRITE);
			if (!err[0] && p == MAP_FAILED)
				snprintf(err, sizeof(err), "mmap: %s", strerror(errno));
			for (rep = 0; rep < P.reps; rep++)
				for (k = 0; k < njobs; k++)
					sync_one(b, p, n, &jobs[k], rep,
						 err[0] ? err : NULL);
			if (p != MAP_FAILED)
				munmap(p, bytes);
			bk_resize(b, 0);
			bk_after(b);
		}
		say("fsync: n=%zu done", n);
	}
}

static void section_mmap(void)
{
	struct backend *three[] = { &B_VMMAP, &B_SHMEM, &B_ANON };
	struct mmap_arg a = { P.mmap_bytes, P.mmap_iters };
	/* below the PMD size: vmmap leaves placement to the mm's default */
	struct mmap_arg small = { pmd / 2, P.mmap_iters };
	char var[32];

	snprintf(var, sizeof(var), "%zuM", P.mmap_bytes >> 20);
	run("mmap_munmap", var, "mmap+munmap, untouched", three, 3, case_mmap,
	    &a, P.reps);
	snprintf(var, sizeof(var), "%zuK", small.bytes >> 10);
	run("mmap_munmap", var, "mmap+munmap, untouched", three, 3, case_mmap,
	    &small, P.reps);
}

/*
 * Free pages, exactly: the buddy allocator's (zoneinfo "pages free", what
 * MemFree shows) plus those parked on the per-cpu lists (zoneinfo "count:"),
 * which MemFree leaves out and which absorb whole batches of frees and
 * allocations; stat_refresh first folds the per-cpu counter deltas.
 */
static long free_pages_exact(void)
{
	FILE *f;
	char line[256];
	long v, sum = 0;

	write_text("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %ld", &v) == 1 ||
		    sscanf(line, " count: %ld", &v) == 1)
			sum += v;
	fclose(f);
	return sum;
}

/* Memory: resident pages after k touches, and metadata per page. */
struct memsnap {
	long free_pages, memfree, pagetables, unevictable, shmem, cached;
	long xa_active, xa_size;
};

static void memsnap(struct memsnap *m)
{
	m->free_pages = free_pages_exact();
	m->memfree = meminfo_kb("MemFree");
	m->pagetables = meminfo_kb("PageTables");
	m->unevictable = meminfo_kb("Unevictable");
	m->shmem = meminfo_kb("Shmem");
	m->cached = meminfo_kb("Cached");
	if (slab_info("radix_tree_node", &m->xa_active, &m->xa_size))
		m->xa_active = m->xa_size = -1;
}

/* Memory: resident pages after k touches, and metadata per page. */
static void section_mem(void)
{
	struct backend *two[] = { &B_VMMAP, &B_SHMEM };
	size_t npages = P.seq_bytes / ps;
	size_t k = P.mem_k < npages ? P.mem_k : npages;
	size_t *idx = random_pages(npages, k);
	long res[2] = { -1, -1 }, dirty = -1, huge_one = -1;
	struct vmmap_info info;
	struct memsnap s0, s1, s2;
	int mode, i, rep, reps = P.reps < 5 ? P.reps : 5;
	char *p;

	/* resident_pages after k random touches: must be k on the 4K path */
	bk_before(&B_VMMAP);
	for (mode = 0; mode < 2; mode++) {
		if (bk_fresh(&B_VMMAP, P.seq_bytes))
			continue;
		p = bk_map(&B_VMMAP, P.seq_bytes, PROT_READ | PROT_WRITE);
		if (p == MAP_FAILED)
			continue;
		touch(p, idx, k, mode ? 1 : -1);
		if (!vmmap_get_info(vfd, &info)) {
			res[mode] = info.resident_pages;
			if (mode)
				dirty = info.dirty_pages;
		}
		munmap(p, P.seq_bytes);
		bk_resize(&B_VMMAP, 0);
	}
	if (have_huge_param && !bk_before(&B_VMMAP_H1)) {
		if (!bk_fresh(&B_VMMAP, P.seq_bytes)) {
			p = bk_map(&B_VMMAP, P.seq_bytes, PROT_READ);
			if (p != MAP_FAILED) {
				touch(p, NULL, 1, -1);
				if (!vmmap_get_info(vfd, &info))
					huge_one = info.resident_pages;
				munmap(p, P.seq_bytes);
			}
		}
		bk_resize(&B_VMMAP, 0);
		bk_before(&B_VMMAP);
	}
	free(idx);
	printf("{\"rec\":\"memcheck\",\"k\":%zu,\"npages\":%zu,"
	       "\"resident_read\":%ld,\"resident_write\":%ld,"
	       "\"dirty_write\":%ld,\"huge_resident_one\":%ld}\n",
	       k, npages, res[0], res[1], dirty, huge_one);

	/*
	 * Metadata: deltas of free pages, /proc/meminfo (kB) and the xarray
	 * slab (objects) across writing every page (s0 to s1), and the free
	 * pages back after munmap and the shrink to 0 (s1 to s2).
	 */
	for (rep = 0; rep < reps; rep++) {
		for (i = 0; i < 2; i++) {
			const struct backend *b = two[i];

			if (bk_fresh(b, P.seq_bytes))
				continue;
			p = bk_map(b, P.seq_bytes, PROT_READ | PROT_WRITE);
			if (p == MAP_FAILED)
				continue;
			memsnap(&s0);
			touch(p, NULL, npages, 1);
			memsnap(&s1);
			munmap(p, P.seq_bytes);
			bk_resize(b, 0);
			memsnap(&s2);
			printf("{\"rec\":\"mem\"");
			json_str("backend", b->name);
			printf(",\"rep\":%d,\"pages\":%zu,\"free_pages_drop\":%ld,"
			       "\"free_pages_back\":%ld,\"memfree_kb_drop\":%ld,",
			       rep, npages, s0.free_pages - s1.free_pages,
			       s2.free_pages - s1.free_pages,
			       s0.memfree - s1.memfree);
			printf("\"pagetables_kb\":%ld,\"unevictable_kb\":%ld,"
			       "\"shmem_kb\":%ld,\"cached_kb\":%ld,",
			       s1.pagetables - s0.pagetables,
			       s1.unevictable - s0.unevictable,
			       s1.shmem - s0.shmem, s1.cached - s0.cached);
			if (s0.xa_active < 0)
				printf("\"xa_objs\":null,\"xa_objsize\":null}\n");
			else
				printf("\"xa_objs\":%ld,\"xa_objsize\":%ld}\n",
				       s1.xa_active - s0.xa_active, s0.xa_size);
		}
	}
	say("memory checks done");
}

/* The huge page cases: per PMD, huge=1 against huge=0 and shmem. */
static void section_huge(void)
{
	struct backend *all[] = { &B_VMMAP_H1, &B_VMMAP_H0, &B_SHMEM,
				  &B_SHMEM_ALWAYS, &B_TMPFS_HUGE, &B_ANON_THP,
				  &B_ANON };
	struct seq_arg rd = { P.huge_bytes, SEQ_READ, false, true };
	struct seq_arg wr = { P.huge_bytes, SEQ_WRITE, false, true };
	int n = sizeof(all) / sizeof(all[0]);

	run("huge_read_cold", fa_var, "huge: seq read, not resident", all, n,
	    case_seq, &rd, P.reps);
	run("huge_write_cold", fa_var, "huge: seq first write, not resident",
	    all, n, case_seq, &wr, P.reps);
}

/* ------------------------------------------------------------------ */
/* The run's context */

static void list_json(const char *key, const size_t *v, int n)
{
	int i;

	printf(",\"%s\":[", key);
	for (i = 0; i < n; i++)
		printf("%s%zu", i ? "," : "", v[i]);
	putchar(']');
}

/* The first line: what the report needs to know besides the samples. */
static void print_meta(const struct utsname *u)
{
	char cmdline[1024] = "", model[128] = "", sc[16] = "", po[16] = "";
	char kf[24] = "";
	char line[256];
	FILE *f;

	read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			copy_str(model, sizeof(model), strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	printf("{\"rec\":\"meta\",\"tool\":\"vmmap-bench\",\"format\":2");
	json_str("kernel", u->release);
	json_str("machine", u->machine);
	json_str("guest_cpu", model);
	printf(",\"guest_cpus\":%ld,\"guest_memtotal_kb\":%ld",
	       sysconf(_SC_NPROCESSORS_ONLN), meminfo_kb("MemTotal"));
	json_str("cmdline", cmdline);
	read_text("/sys/kernel/slab/radix_tree_node/sanity_checks", sc, sizeof(sc));
	read_text("/sys/kernel/slab/radix_tree_node/poison", po, sizeof(po));
	read_text("/sys/module/kfence/parameters/sample_interval", kf, sizeof(kf));
	json_str("slub_sanity_checks", sc);
	json_str("slub_poison", po);
	json_str("kfence_sample_interval", kf);
	printf(",\"page_size\":%ld,\"pmd_size\":%zu,\"reps\":%d,\"quick\":%s",
	       ps, pmd, P.reps, P.quick ? "true" : "false");
	printf(",\"seq_bytes\":%zu,\"rand_bytes\":%zu,\"rand_touches\":%zu,"
	       "\"rw_bytes\":%zu,\"rw_buf\":%zu,\"mmap_bytes\":%zu,"
	       "\"mmap_iters\":%d,\"huge_bytes\":%zu,\"mem_k\":%zu,"
	       "\"fsync_n0\":%zu,\"fsync_d0\":%zu",
	       P.seq_bytes, P.rand_bytes, P.rand_touches, P.rw_bytes, P.rw_buf,
	       P.mmap_bytes, P.mmap_iters, P.huge_bytes, P.mem_k, P.fsync_n0,
	       P.fsync_d0);
	list_json("fsync_d", P.fsync_d, P.nd);
	list_json("fsync_n", P.fsync_n, P.nn);
	printf(",\"fault_around_bytes_default\":%ld", fa_default);
	json_str("fa_var", fa_var);
	json_str("fa1_var", fa1_var);
	json_str("thp_enabled", thp_enabled);
	json_str("shmem_enabled", shmem_orig);
	json_str("vmmap_huge_param", have_huge_param ? huge_orig : "");
	printf("}\n");
}

/* ------------------------------------------------------------------ */
/* Setup */

static size_t parse_size(const char *s)
{
	static const char sfx[] = "kKmMgG";
	char *end;
	double v = strtod(s, &end);
	const char *u = *end ? strchr(sfx, *end) : NULL;

	if ((*end && (!u || end[1])) || v <= 0)
		die("bad size '%s'", s);
	if (u)
		v *= (double)(1ull << (10 * (1 + (u - sfx) / 2)));
	return (size_t)v;
}

static int parse_list(const char *s, size_t *out)
{
	int n = 0;

	while (*s && n < MAXSWEEP) {
		out[n++] = strtoul(s, (char **)&s, 0);
		if (*s == ',')
			s++;
		else if (*s)
			die("bad list");
	}
	return n;
}

static void usage(void)
{
	printf("usage: vmmap-bench [--quick] [--reps N] [--size BYTES] [--random-size BYTES]\n"
	       "         [--touches N] [--rw-size BYTES] [--rw-buf BYTES] [--mmap-size BYTES]\n"
	       "         [--mmap-iters N] [--huge-size BYTES] [--fsync-n PAGES] [--fsync-d PAGES]\n"
	       "         [--fsync-ds LIST] [--fsync-ns LIST] [--mem-k N]\n"
	       "         [--only seq,rand,fa1,rw,fsync,mmap,mem,huge]\n"
	       "BYTES take K/M/G suffixes; LIST is comma separated page counts.\n");
	exit(2);
}

static void defaults(bool quick)
{
	static const size_t fd_full[] = { 16, 64, 256, 1024, 4096 };
	static const size_t fn_full[] = { 1024, 4096, 16384, 65536 };
	static const size_t fd_quick[] = { 4, 16, 64, 256 };
	static const size_t fn_quick[] = { 256, 1024, 4096 };

	P.quick = quick;
	P.reps = quick ? 3 : 9;
	P.seq_bytes = quick ? 4 << 20 : 64 << 20;
	P.rand_bytes = quick ? 16 << 20 : 128 << 20;
	P.rand_touches = quick ? 256 : 4096;
	P.rw_bytes = quick ? 4 << 20 : 64 << 20;
	P.rw_buf = 128 << 10;
	P.fsync_n0 = quick ? 1024 : 16384;
	P.fsync_d0 = quick ? 16 : 256;
	P.nd = quick ? 4 : 5;
	P.nn = quick ? 3 : 4;
	memcpy(P.fsync_d, quick ? fd_quick : fd_full, P.nd * sizeof(size_t));
	memcpy(P.fsync_n, quick ? fn_quick : fn_full, P.nn * sizeof(size_t));
	P.mmap_bytes = quick ? 64 << 20 : 512 << 20;
	P.mmap_iters = quick ? 20 : 200;
	P.mem_k = quick ? 100 : 1000;
	P.huge_bytes = quick ? 8 << 20 : 64 << 20;
}

static void parse_args(int argc, char **argv)
{
	int i;

	defaults(false);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--quick"))
			defaults(true);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quick"))
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !v)
			usage();
		i++;
		if (!strcmp(a, "--reps"))
			P.reps = atoi(v);
		else if (!strcmp(a, "--size"))
			P.seq_bytes = parse_size(v);
		else if (!strcmp(a, "--random-size"))
			P.rand_bytes = parse_size(v);
		else if (!strcmp(a, "--touches"))
			P.rand_touches = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--rw-size"))
			P.rw_bytes = parse_size(v);
		else if (!strcmp(a, "--rw-buf"))
			P.rw_buf = parse_size(v);
		else if (!strcmp(a, "--mmap-size"))
			P.mmap_bytes = parse_size(v);
		else if (!strcmp(a, "--mmap-iters"))
			P.mmap_iters = atoi(v);
		else if (!strcmp(a, "--huge-size"))
			P.huge_bytes = parse_size(v);
		else if (!strcmp(a, "--fsync-n"))
			P.fsync_n0 = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--fsync-d"))
			P.fsync_d0 = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--fsync-ds"))
			P.nd = parse_list(v, P.fsync_d);
		else if (!strcmp(a, "--fsync-ns"))
			P.nn = parse_list(v, P.fsync_n);
		else if (!strcmp(a, "--mem-k"))
			P.mem_k = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--only"))
			P.only = v;
		else
			usage();
	}
	if (P.reps < 1 || P.reps > MAXREP)
		die("--reps must be 1..%d", MAXREP);
	if (P.mmap_iters < 1 || !P.nd || !P.nn || !P.fsync_n0 || !P.fsync_d0 ||
	    !P.rw_buf)
		usage();
}

static size_t round_pages(size_t v, size_t unit)
{
	v = (v + unit - 1) / unit * unit;
	return v ? v : unit;
}

static void setup(void)
{
	struct vmmap_info info;
	cpu_set_t cpus;
	long v;

	/* One vCPU for the whole run: no migrations between samples. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	ps = sysconf(_SC_PAGESIZE);
	v = read_long(THP_DIR "/hpage_pmd_size");
	pmd = v > 0 ? (size_t)v : (size_t)ps * (ps / 8);

	P.seq_bytes = round_pages(P.seq_bytes, ps);
	P.rand_bytes = round_pages(P.rand_bytes, ps);
	P.rw_buf = round_pages(P.rw_buf, ps);
	P.rw_bytes = round_pages(P.rw_bytes, P.rw_buf);
	P.mmap_bytes = round_pages(P.mmap_bytes, ps);
	P.huge_bytes = round_pages(P.huge_bytes, pmd);

	vfd = open(VMMAP_DEV, O_RDWR | O_CLOEXEC);
	if (vfd < 0)
		die("open %s: %s (is vmmap.ko loaded?)", VMMAP_DEV, strerror(errno));
	if (vmmap_get_info(vfd, &info))
		die("VMMAP_IOC_GET_INFO: %s", strerror(errno));
	if ((long)info.page_size != ps)
		die("driver page size %u != sysconf %ld", info.page_size, ps);
	say("object max %llu MiB; seq %zu MiB, random %zu MiB, huge %zu MiB",
	    (unsigned long long)info.max_size >> 20, P.seq_bytes >> 20,
	    P.rand_bytes >> 20, P.huge_bytes >> 20);

	B_SHMEM.fd = memfd_create("vmmap-bench-shmem", MFD_CLOEXEC);
	B_SHMEM_ALWAYS.fd = memfd_create("vmmap-bench-shmem-always", MFD_CLOEXEC);
	if (B_SHMEM.fd < 0 || B_SHMEM_ALWAYS.fd < 0)
		die("memfd_create: %s", strerror(errno));

	/* fault_around_bytes lives in debugfs */
	if (access(FAULT_AROUND, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	fa_default = read_long(FAULT_AROUND);
	if (fa_default < 0)
		say("no %s: fault-around rows will be n/a", FAULT_AROUND);
	snprintf(fa_var, sizeof(fa_var), "fa=%ld", fa_default);
	snprintf(fa1_var, sizeof(fa1_var), "fa=%ld", ps);

	have_huge_param = !read_text(HUGE_PARAM, huge_orig, sizeof(huge_orig));
	if (!have_huge_param) {
		B_VMMAP_H1.na = "module has no 'huge' parameter yet";
		say("no %s: huge rows will be n/a", HUGE_PARAM);
	}
	bracketed(THP_DIR "/enabled", thp_enabled, sizeof(thp_enabled));
	bracketed(SHMEM_ENABLED, shmem_orig, sizeof(shmem_orig));
	if (!shmem_orig[0])
		B_SHMEM_ALWAYS.na = "no " SHMEM_ENABLED;
	if (!thp_enabled[0])
		B_ANON_THP.na = "no THP";

	mkdir(HUGE_MNT, 0700);
	if (mount("tmpfs", HUGE_MNT, "tmpfs", 0, "huge=always,size=75%")) {
		B_TMPFS_HUGE.na = "cannot mount tmpfs huge=always";
	} else {
		have_huge_mnt = true;
		B_TMPFS_HUGE.fd = open(HUGE_MNT "/object",
				       O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (B_TMPFS_HUGE.fd < 0)
			B_TMPFS_HUGE.na = "cannot create a file on tmpfs huge=always";
	}
	if (vmmap_resize(vfd, 0))
		die("VMMAP_IOC_RESIZE: %s", strerror(errno));
}

static void restore(void)
{
	if (fa_default > 0)
		set_fault_around(fa_default);
	if (have_huge_param)
		write_text(HUGE_PARAM, huge_orig[0] == 'Y' || huge_orig[0] == '1' ? "1" : "0");
	if (shmem_orig[0])
		write_text(SHMEM_ENABLED, shmem_orig);
	if (B_TMPFS_HUGE.fd >= 0)
		close(B_TMPFS_HUGE.fd);
	if (have_huge_mnt)
		umount2(HUGE_MNT, MNT_DETACH);
	rmdir(HUGE_MNT);
}

int main(int argc, char **argv)
{
	struct utsname u;
	time_t t0 = time(NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	uname(&u);
	setup();
	say("%s, page %ld, PMD %zu, %d runs per case%s", u.release, ps, pmd,
	    P.reps, P.quick ? ", quick" : "");
	print_meta(&u);

	with_fa1 = fa_default > 0 && section_on("fa1");
	if (section_on("seq"))
		section_seq();
	if (section_on("rand"))
		section_rand();
	if (section_on("rw"))
		section_rw();
	if (section_on("fsync"))
		section_fsync();
	if (section_on("mmap"))
		section_mmap();
	if (section_on("mem"))
		section_mem();
	if (section_on("huge"))
		section_huge();
	restore();
	vmmap_resize(vfd, 0);
	printf("{\"rec\":\"end\",\"seconds\":%ld}\n", (long)(time(NULL) - t0));
	say("done in %ld s", (long)(time(NULL) - t0));
	return 0;
}
