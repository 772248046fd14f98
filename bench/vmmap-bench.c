// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-bench: /dev/vmmap against shmem (memfd) and anonymous memory, in one
 * boot and on the same sizes. Runs as root in the qemu guest of bench.sh.
 *
 * Every figure is the median of --reps runs with min/max and quartiles; the
 * backends of a case run interleaved within each repetition, so drift of the
 * emulator hits them alike. Ratios are speed ratios, vmmap over the reference
 * (t_shmem / t_vmmap): above 1 means vmmap is faster.
 *
 * Output on stdout: progress lines, then the tables between
 * VMMAP-BENCH-TABLE-BEGIN/END, the plot data between VMMAP-BENCH-PLOT-BEGIN/END
 * and every figure as JSON between VMMAP-BENCH-JSON-BEGIN/END. The exit status
 * is 0 unless the benchmark itself could not run; missed targets are reported,
 * never fatal.
 *
 * Knobs it changes and restores: /sys/kernel/debug/fault_around_bytes
 * (mounts debugfs), /sys/module/vmmap/parameters/huge (if present),
 * /sys/kernel/mm/transparent_hugepage/shmem_enabled; it mounts a tmpfs with
 * huge=always under /tmp for the huge cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "libvmmap.h"

#define MAXREP 64
#define MAXRESULTS 256
#define MAXTARGETS 64
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

static void touch_read(const char *p, size_t npages)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < npages; i++)
		s += *(const volatile unsigned char *)(p + i * ps);
	sink += s;
}

static void touch_write(char *p, size_t npages, unsigned char v)
{
	size_t i;

	for (i = 0; i < npages; i++)
		*(volatile unsigned char *)(p + i * ps) = v;
}

static void touch_read_idx(const char *p, const size_t *idx, size_t k)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < k; i++)
		s += *(const volatile unsigned char *)(p + idx[i] * ps);
	sink += s;
}

static void touch_write_idx(char *p, const size_t *idx, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		*(volatile unsigned char *)(p + idx[i] * ps) = 1;
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

struct result {
	char id[32];
	char var[40];
	const char *backend;
	const char *title;
	const char *unit;
	double units, pages, bytes;	/* per run */
	int n;
	double ns[MAXREP], minflt[MAXREP], fault[MAXREP], map_pages[MAXREP];
	double mkwrite[MAXREP], cleaned[MAXREP], pmd_kb[MAXREP];
	char why[120];			/* non-empty: n/a */
};

static struct result results[MAXRESULTS];
static int nresults;

static struct result *result_get(const char *id, const char *var,
				 const char *backend, const char *title)
{
	struct result *r;
	int i;

	for (i = 0; i < nresults; i++) {
		r = &results[i];
		if (!strcmp(r->id, id) && !strcmp(r->var, var) &&
		    !strcmp(r->backend, backend))
			return r;
	}
	if (nresults == MAXRESULTS)
		die("too many results");
	r = &results[nresults++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->var, sizeof(r->var), "%s", var);
	r->backend = backend;
	r->title = title;
	return r;
}

static struct result *result_find(const char *id, const char *var,
				  const char *backend)
{
	int i;

	for (i = 0; i < nresults; i++)
		if (!strcmp(results[i].id, id) &&
		    !strcmp(results[i].var, var) &&
		    !strcmp(results[i].backend, backend))
			return &results[i];
	return NULL;
}

static void result_add(struct result *r, const struct sample *s)
{
	if (r->n == MAXREP)
		return;
	r->unit = s->unit;
	r->units = s->units;
	r->pages = s->pages;
	r->bytes = s->bytes;
	r->ns[r->n] = s->ns;
	r->minflt[r->n] = s->minflt;
	r->fault[r->n] = s->fault;
	r->map_pages[r->n] = s->map_pages;
	r->mkwrite[r->n] = s->mkwrite;
	r->cleaned[r->n] = s->cleaned;
	r->pmd_kb[r->n] = s->pmd_kb;
	r->n++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q (0..1) of v[0..n), linear interpolation; NAN if n == 0. */
static double quantile(const double *v, int n, double q)
{
	double s[MAXREP], pos;
	int i;

	if (n <= 0)
		return NAN;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	pos = q * (n - 1);
	i = (int)pos;
	if (i + 1 >= n)
		return s[n - 1];
	return s[i] + (pos - i) * (s[i + 1] - s[i]);
}

static double med(const double *v, int n)
{
	return quantile(v, n, 0.5);
}

static bool ok(const struct result *r)
{
	return r && r->n > 0 && !r->why[0];
}

/* Median time per unit in microseconds. */
static double us_per_unit(const struct result *r)
{
	return ok(r) ? med(r->ns, r->n) / r->units / 1e3 : NAN;
}

static double mib_s(const struct result *r)
{
	return ok(r) && r->bytes > 0 ?
		       r->bytes / (1 << 20) / (med(r->ns, r->n) / 1e9) : NAN;
}

static double per_page(const struct result *r, const double *v)
{
	return ok(r) && r->pages > 0 ? med(v, r->n) / r->pages : NAN;
}

/* Ratio of medians, a over b: t_b / t_a per unit. */
static double median_ratio(const struct result *a, const struct result *b)
{
	if (!ok(a) || !ok(b))
		return NAN;
	return (med(b->ns, b->n) / b->units) / (med(a->ns, a->n) / a->units);
}

/*
 * Quantile @q of the paired speed ratios a over b: run i of each case ran
 * back to back in repetition i, so t_b[i] / t_a[i] cancels the emulator's
 * drift and the other tenants of the host. Falls back to the ratio of
 * medians if the two have different numbers of runs.
 */
static double paired_ratio(const struct result *a, const struct result *b,
			   double q)
{
	double v[MAXREP];
	int i;

	if (!ok(a) || !ok(b))
		return NAN;
	if (a->n != b->n)
		return median_ratio(a, b);
	for (i = 0; i < a->n; i++)
		v[i] = (b->ns[i] / b->units) / (a->ns[i] / a->units);
	return quantile(v, a->n, q);
}

/* Speed ratio a over b (> 1: a is faster): median of the paired ratios. */
static double speed_ratio(const struct result *a, const struct result *b)
{
	return paired_ratio(a, b, 0.5);
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
 * store the samples under (@id, vars[v], backend). fas[v] is the
 * fault_around_bytes the variant runs with (-1: leave it alone).
 */
static void run_v(const char *id, const char *const *vars, const long *fas,
		  int nv, const char *title, struct backend *const *bks,
		  int nbk, case_fn fn, const void *arg, int reps)
{
	struct result *r;
	struct sample s;
	int rep, i, v, rc;

	for (rep = 0; rep < reps; rep++) {
		for (v = 0; v < nv; v++) {
			if (fas[v] > 0 && set_fault_around(fas[v]))
				continue;
			for (i = 0; i < nbk; i++) {
				r = result_get(id, vars[v], bks[i]->name, title);
				if (r->why[0])
					continue;
				if (bks[i]->na) {
					snprintf(r->why, sizeof(r->why), "%s",
						 bks[i]->na);
					continue;
				}
				memset(&s, 0, sizeof(s));
				s.pmd_kb = -1;
				if (bk_before(bks[i])) {
					snprintf(r->why, sizeof(r->why),
						 "cannot set knobs: %s",
						 strerror(errno));
					continue;
				}
				errno = 0;
				rc = fn(bks[i], arg, &s);
				bk_after(bks[i]);
				if (rc) {
					snprintf(r->why, sizeof(r->why),
						 "failed: %s",
						 strerror(errno ? errno : EIO));
					continue;
				}
				result_add(r, &s);
			}
		}
	}
	if (nv > 1 || fas[0] > 0)
		set_fault_around(fa_default);
	for (v = 0; v < nv; v++) {
		printf("vmmap-bench: %-20s %-14s", id, vars[v]);
		for (i = 0; i < nbk; i++) {
			r = result_find(id, vars[v], bks[i]->name);
			if (ok(r))
				printf("  %s %.3g us/%s", r->backend,
				       us_per_unit(r), r->unit);
			else
				printf("  %s n/a", bks[i]->name);
		}
		putchar('\n');
	}
	fflush(stdout);
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
		touch_write(p, npages, 1);
		if (msync(p, a->bytes, MS_SYNC)) {
			munmap(p, a->bytes);
			return -1;
		}
	}
	meas_begin(&m);
	if (a->kind == SEQ_READ)
		touch_read(p, npages);
	else
		touch_write(p, npages, a->kind == SEQ_REWRITE ? 2 : 1);
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
};

static void rand_units(const struct rand_arg *a, struct sample *s)
{
	s->pages = a->k;
	s->units = a->k;
	s->bytes = (double)a->k * ps;
	s->unit = "page";
}

/* Random page touches over a large mapping of holes. */
static int case_rand_cold(const struct backend *b, const void *arg,
			  struct sample *s)
{
	const struct rand_arg *a = arg;
	struct meas m;
	char *p;

	if (bk_fresh(b, a->bytes))
		return -1;
	p = bk_map(b, a->bytes, PROT_READ | (a->write ? PROT_WRITE : 0));
	if (p == MAP_FAILED)
		return -1;
	meas_begin(&m);
	if (a->write)
		touch_write_idx(p, a->idx, a->k);
	else
		touch_read_idx(p, a->idx, a->k);
	meas_end(&m, s);
	munmap(p, a->bytes);
	rand_units(a, s);
	return bk_resize(b, 0);
}

/* Random page reads of a new mapping of a fully resident object. */
static int case_rand_read_warm(const struct backend *b, const void *arg,
			       struct sample *s)
{
	const struct rand_arg *a = arg;
	struct meas m;
	char *p;

	p = bk_map(b, a->bytes, PROT_READ);
	if (p == MAP_FAILED)
		return -1;
	meas_begin(&m);
	touch_read_idx(p, a->idx, a->k);
	meas_end(&m, s);
	munmap(p, a->bytes);
	rand_units(a, s);
	return 0;
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
/* Targets */

struct target {
	char name[80];
	char want[40];
	char measured[120];
	const char *status;	/* "holds", "MISSES", "n/a" */
};

static struct target targets[MAXTARGETS];
static int ntargets;

static void target(const char *name, const char *want, int holds,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void target(const char *name, const char *want, int holds,
		   const char *fmt, ...)
{
	struct target *t;
	va_list ap;

	if (ntargets == MAXTARGETS)
		return;
	t = &targets[ntargets++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->want, sizeof(t->want), "%s", want);
	va_start(ap, fmt);
	vsnprintf(t->measured, sizeof(t->measured), fmt, ap);
	va_end(ap);
	t->status = holds < 0 ? "n/a" : holds ? "holds" : "MISSES";
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
	struct rand_arg a = { P.rand_bytes, idx, k, false };
	struct rand_arg w = { P.rand_bytes, idx, k, true };
	char why[120] = "";
	int i;

	run("rand_read_cold", fa_var, "random read, not resident", cold, 3,
	    case_rand_cold, &a, P.reps);
	run("rand_write_cold", fa_var, "random first write, not resident",
	    cold, 3, case_rand_cold, &w, P.reps);

	/* Both objects fully resident at once, mapped afresh each run. */
	for (i = 0; i < 2; i++) {
		bk_before(two[i]);
		if (bk_populate(two[i], P.rand_bytes))
			snprintf(why, sizeof(why), "populate %s: %s",
				 two[i]->name, strerror(errno));
	}
	if (!why[0]) {
		run_fa("rand_read_warm", "random read, resident", two, 2,
		       case_rand_read_warm, &a);
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
	struct sample s = { .pmd_kb = -1 };
	struct result *r;
	struct meas m;
	char var[40];
	int rc;

	snprintf(var, sizeof(var), "n=%zu d=%zu", n, job->d);
	r = result_get(job->use_msync ? "msync" : "fsync", var, b->name,
		       job->use_msync ? "msync(MS_SYNC)" : "fsync(2)");
	if (r->why[0])
		return;
	if (err) {
		snprintf(r->why, sizeof(r->why), "%s", err);
		return;
	}
	stride = n / job->d;
	for (q = 0; q < job->d; q++)
		p[q * stride * ps] = (char)rep;
	meas_begin(&m);
	rc = job->use_msync ? msync(p, bytes, MS_SYNC) : fsync(bk_fd(b));
	meas_end(&m, &s);
	if (rc) {
		snprintf(r->why, sizeof(r->why), "failed: %s", strerror(errno));
		return;
	}
	s.units = 1;
	s.unit = "call";
	s.pages = job->d;
	result_add(r, &s);
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
			else if ((p = bk_map(b, bytes, PROT_READ | PROT_WRITE)) == MAP_FAILED)
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

struct memresult {
	const char *backend;
	int n;
	double touched_pages;
	/* bytes per touched page, one per run */
	double free_exact[MAXREP], memfree[MAXREP], pagetables[MAXREP], xa[MAXREP];
	double unevictable[MAXREP], shmem[MAXREP], cached[MAXREP];
	double free_back[MAXREP];	/* returned after munmap + shrink */
};

static struct memresult memres[2];
static int nmemres;
static struct {
	bool done;
	size_t k, npages;
	long resident_read, resident_write, dirty_write;
	long huge_resident_one;	/* huge=1: pages resident after 1 touch */
	long xa_objsize;
} memchk = { .huge_resident_one = -2 };

static void section_mem(void)
{
	struct backend *two[] = { &B_VMMAP, &B_SHMEM };
	size_t npages = P.seq_bytes / ps;
	size_t k = P.mem_k < npages ? P.mem_k : npages;
	size_t *idx = random_pages(npages, k);
	struct vmmap_info info;
	struct memsnap s0, s1, s2;
	int mode, i, rep, reps = P.reps < 5 ? P.reps : 5;
	char *p;

	/* resident_pages after k random touches: must be k on the 4K path */
	bk_before(&B_VMMAP);
	memchk.k = k;
	memchk.npages = npages;
	for (mode = 0; mode < 2; mode++) {
		long *res = mode ? &memchk.resident_write : &memchk.resident_read;

		*res = -1;
		if (bk_fresh(&B_VMMAP, P.seq_bytes))
			continue;
		p = bk_map(&B_VMMAP, P.seq_bytes, PROT_READ | PROT_WRITE);
		if (p == MAP_FAILED)
			continue;
		if (mode)
			touch_write_idx(p, idx, k);
		else
			touch_read_idx(p, idx, k);
		if (!vmmap_get_info(vfd, &info)) {
			*res = info.resident_pages;
			if (mode)
				memchk.dirty_write = info.dirty_pages;
		}
		munmap(p, P.seq_bytes);
		bk_resize(&B_VMMAP, 0);
	}
	if (have_huge_param && !bk_before(&B_VMMAP_H1)) {
		if (!bk_fresh(&B_VMMAP, P.seq_bytes)) {
			p = bk_map(&B_VMMAP, P.seq_bytes, PROT_READ);
			if (p != MAP_FAILED) {
				touch_read(p, 1);
				if (!vmmap_get_info(vfd, &info))
					memchk.huge_resident_one = info.resident_pages;
				munmap(p, P.seq_bytes);
			}
		}
		bk_resize(&B_VMMAP, 0);
		bk_before(&B_VMMAP);
	}
	memchk.done = true;
	free(idx);

	/* Metadata per page: deltas of /proc/meminfo and the xarray slab. */
	for (i = 0; i < 2; i++) {
		struct memresult *mr = &memres[nmemres++];

		mr->backend = two[i]->name;
		mr->touched_pages = npages;
	}
	for (rep = 0; rep < reps; rep++) {
		for (i = 0; i < 2; i++) {
			struct memresult *mr = &memres[i];
			const struct backend *b = two[i];
			double kb = 1024.0 / npages;

			if (bk_fresh(b, P.seq_bytes))
				continue;
			p = bk_map(b, P.seq_bytes, PROT_READ | PROT_WRITE);
			if (p == MAP_FAILED)
				continue;
			memsnap(&s0);
			touch_write(p, npages, 1);
			memsnap(&s1);
			munmap(p, P.seq_bytes);
			bk_resize(b, 0);
			memsnap(&s2);
			mr->free_exact[mr->n] = (double)(s0.free_pages - s1.free_pages) * ps / npages;
			mr->memfree[mr->n] = (s0.memfree - s1.memfree) * kb;
			mr->pagetables[mr->n] = (s1.pagetables - s0.pagetables) * kb;
			mr->unevictable[mr->n] = (s1.unevictable - s0.unevictable) * kb;
			mr->shmem[mr->n] = (s1.shmem - s0.shmem) * kb;
			mr->cached[mr->n] = (s1.cached - s0.cached) * kb;
			mr->free_back[mr->n] = (double)(s2.free_pages - s1.free_pages) * ps / npages;
			mr->xa[mr->n] = s0.xa_active < 0 ? NAN :
				(double)(s1.xa_active - s0.xa_active) * s0.xa_size / npages;
			memchk.xa_objsize = s0.xa_size;
			mr->n++;
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
/* Report */

static void fmt_num(char *buf, size_t len, double v, const char *fmt)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, fmt, v);
}

static void print_row(const struct result *r, const struct result *ref)
{
	char t[24], mib[16], flt[12], f[12], mp[12], mk[12], rat[12], spread[32];

	if (!ok(r)) {
		printf("%-33s %-13s %-17s n/a (%s)\n", r->title, r->var,
		       r->backend, r->why[0] ? r->why : "no data");
		return;
	}
	fmt_num(t, sizeof(t), us_per_unit(r), "%.3g");
	snprintf(spread, sizeof(spread), "[%.3g..%.3g]",
		 quantile(r->ns, r->n, 0) / r->units / 1e3,
		 quantile(r->ns, r->n, 1) / r->units / 1e3);
	fmt_num(mib, sizeof(mib), mib_s(r), "%.1f");
	fmt_num(flt, sizeof(flt), per_page(r, r->minflt), "%.3f");
	if (!strncmp(r->backend, "vmmap", 5)) {
		fmt_num(f, sizeof(f), per_page(r, r->fault), "%.3f");
		fmt_num(mp, sizeof(mp), per_page(r, r->map_pages), "%.3f");
		fmt_num(mk, sizeof(mk), per_page(r, r->mkwrite), "%.3f");
	} else {
		snprintf(f, sizeof(f), "-");
		snprintf(mp, sizeof(mp), "-");
		snprintf(mk, sizeof(mk), "-");
	}
	if (ref && ref != r && !strncmp(r->backend, "vmmap", 5))
		fmt_num(rat, sizeof(rat), speed_ratio(r, ref), "%.3gx");
	else
		snprintf(rat, sizeof(rat), "-");
	printf("%-33s %-13s %-17s %8s %-21s %9s %7s %7s %7s %7s %9s\n",
	       r->title, r->var, r->backend, t, spread, mib, flt, f, mp, mk,
	       rat);
}

static void print_header(const char *unit)
{
	printf("%-33s %-13s %-17s %8s %-21s %9s %7s %7s %7s %7s %9s\n", "case",
	       "variant", "backend", unit, "[min..max]", "MiB/s", "flt/pg",
	       "fault", "mappg", "mkwr", "vs shmem");
}

/* Rows of results whose id starts with @prefix, in insertion order. */
static void print_group(const char *prefix)
{
	const struct result *ref;
	int i;

	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];

		if (strncmp(r->id, prefix, strlen(prefix)))
			continue;
		ref = result_find(r->id, r->var, "shmem");
		print_row(r, ref);
	}
}

static void print_fsync(void)
{
	int i;

	printf("%-16s %-18s %-8s %10s %-21s %12s %9s %9s\n", "case", "variant",
	       "backend", "us/call", "[min..max]", "us/dirty pg", "cleaned",
	       "flt");
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];

		if (strcmp(r->id, "fsync") && strcmp(r->id, "msync"))
			continue;
		if (!ok(r)) {
			printf("%-16s %-18s %-8s n/a (%s)\n", r->title, r->var,
			       r->backend, r->why);
			continue;
		}
		printf("%-16s %-18s %-8s %10.2f [%8.2f..%8.2f] %12.3f %9.0f %9.0f\n",
		       r->title, r->var, r->backend, us_per_unit(r),
		       quantile(r->ns, r->n, 0) / 1e3,
		       quantile(r->ns, r->n, 1) / 1e3,
		       us_per_unit(r) / r->pages, med(r->cleaned, r->n),
		       med(r->minflt, r->n));
	}
}

static void print_huge(void)
{
	double per = (double)pmd / ps;
	int i;

	printf("%-36s %-17s %9s %-21s %9s %8s %9s %10s %8s %8s\n", "case",
	       "backend", "us/PMD", "[min..max]", "MiB/s", "flt/PMD",
	       "fault/PMD", "PMD-mapped", "vs h=0", "vs shmem");
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		const struct result *h0, *sh;
		char rat0[12] = "-", rats[12] = "-", fp[12] = "-";

		if (strncmp(r->id, "huge_", 5))
			continue;
		if (!ok(r)) {
			printf("%-36s %-17s n/a (%s)\n", r->title, r->backend,
			       r->why[0] ? r->why : "no data");
			continue;
		}
		h0 = result_find(r->id, r->var, B_VMMAP_H0.name);
		sh = result_find(r->id, r->var, B_SHMEM.name);
		if (r->backend == B_VMMAP_H1.name)
			fmt_num(rat0, sizeof(rat0), speed_ratio(r, h0), "%.2fx");
		if (r->backend == B_VMMAP_H1.name || r->backend == B_VMMAP_H0.name) {
			fmt_num(rats, sizeof(rats), speed_ratio(r, sh), "%.2fx");
			fmt_num(fp, sizeof(fp), per_page(r, r->fault) * per, "%.2f");
		}
		printf("%-36s %-17s %9.1f [%8.1f..%8.1f] %9.1f %8.2f %9s %9.0f%% %8s %8s\n",
		       r->title, r->backend, us_per_unit(r),
		       quantile(r->ns, r->n, 0) / r->units / 1e3,
		       quantile(r->ns, r->n, 1) / r->units / 1e3, mib_s(r),
		       per_page(r, r->minflt) * per, fp,
		       100.0 * med(r->pmd_kb, r->n) * 1024 / r->bytes, rat0, rats);
	}
	printf("(PMD-mapped: FilePmdMapped + ShmemPmdMapped + AnonHugePages of the"
	       " mapping in /proc/self/smaps, as a share of its size)\n");
}

static void print_fa(void)
{
	static const char *ids[] = { "seq_read_cold", "seq_read_warm",
				     "rand_read_warm" };
	static const char *bks[] = { "vmmap", "shmem" };
	unsigned int i, j;

	printf("%-18s %-8s %12s %12s %12s %12s %14s\n", "case", "backend",
	       "flt/pg dflt", "flt/pg 1pg", "mappg/pg dflt", "us/pg dflt",
	       "t(1pg)/t(dflt)");
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 2; j++) {
			const struct result *d = result_find(ids[i], fa_var, bks[j]);
			const struct result *o = result_find(ids[i], fa1_var, bks[j]);
			char a[16], b[16], c[16], e[16], f[16];

			fmt_num(a, sizeof(a), per_page(d, d ? d->minflt : NULL), "%.3f");
			fmt_num(b, sizeof(b), per_page(o, o ? o->minflt : NULL), "%.3f");
			if (j == 0)
				fmt_num(c, sizeof(c), per_page(d, d ? d->map_pages : NULL), "%.3f");
			else
				snprintf(c, sizeof(c), "-");
			fmt_num(e, sizeof(e), us_per_unit(d), "%.3g");
			fmt_num(f, sizeof(f), ok(o) && ok(d) ? speed_ratio(d, o) : NAN,
				"%.2fx");
			printf("%-18s %-8s %12s %12s %12s %12s %14s\n", ids[i],
			       bks[j], a, b, c, e, f);
		}
	}
}

static void print_mem(void)
{
	double xa_est = memchk.xa_objsize > 0 ? memchk.xa_objsize / 64.0 : NAN;
	int i;

	if (!memchk.done)
		return;
	printf("resident_pages after %zu random page touches in %zu pages (4K path):"
	       " read %ld, write %ld (dirty %ld); want %zu\n",
	       memchk.k, memchk.npages, memchk.resident_read,
	       memchk.resident_write, memchk.dirty_write, memchk.k);
	if (memchk.huge_resident_one >= 0)
		printf("huge=1: resident_pages after touching 1 page of a PMD-aligned"
		       " mapping: %ld\n", memchk.huge_resident_one);
	printf("bytes per page written through a new mapping (median of %d runs):\n",
	       nmemres ? memres[0].n : 0);
	printf("%-8s %8s %11s %9s %11s %9s %12s %9s %9s %11s\n", "backend",
	       "pages", "free pages", "MemFree", "PageTables", "xarray",
	       "Unevictable", "Shmem", "Cached", "freed back");
	for (i = 0; i < nmemres; i++) {
		const struct memresult *m = &memres[i];

		printf("%-8s %8.0f %11.1f %9.1f %11.2f %9.2f %12.1f %9.1f %9.1f %11.1f\n",
		       m->backend, m->touched_pages, med(m->free_exact, m->n),
		       med(m->memfree, m->n), med(m->pagetables, m->n),
		       med(m->xa, m->n), med(m->unevictable, m->n),
		       med(m->shmem, m->n), med(m->cached, m->n),
		       med(m->free_back, m->n));
	}
	printf("free pages = buddy + per-cpu lists (exact); MemFree leaves the per-cpu\n"
	       "lists out and lags by their batches. xarray = radix_tree_node slab\n"
	       "objects in use (SLUB counts objects in per-cpu slabs as in use: rough).\n"
	       "Estimated metadata of a resident vmmap page: struct page 64 B (in the\n"
	       "memmap allocated at boot for every page frame, so it never shows in\n"
	       "these deltas) + page cache xarray %.0f B/64 = %.1f B (+1/64 of that per\n"
	       "upper level) + one PTE (8 B) per mapping that maps it; ~81 B = 2.0%%\n"
	       "of a 4 KiB page. shmem keeps its pages the same way.\n",
	       (double)memchk.xa_objsize, xa_est);
}

static void print_targets(void)
{
	int i;

	printf("%-58s %-22s %-40s %s\n", "target", "want", "measured", "");
	for (i = 0; i < ntargets; i++)
		printf("%-58s %-22s %-40s %s\n", targets[i].name,
		       targets[i].want, targets[i].measured, targets[i].status);
}

static void eval_targets(void)
{
	static const struct {
		const char *id, *name;
	} reads[] = {
		{ "seq_read_cold", "seq first-touch read, not resident" },
		{ "seq_read_warm", "seq first-touch read, resident" },
	};
	static const struct {
		const char *id, *name;
	} rw[] = {
		{ "read_resident", "read() resident" },
		{ "read_hole", "read() of holes" },
		{ "write_new", "write() allocating" },
		{ "write_resident", "write() overwrite" },
	};
	char name[96], var[32];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct result *v = result_find(reads[i].id, fa_var, "vmmap");
		const struct result *s = result_find(reads[i].id, fa_var, "shmem");
		double r = speed_ratio(v, s);
		double fv = per_page(v, v ? v->minflt : NULL);
		double fs = per_page(s, s ? s->minflt : NULL);

		snprintf(name, sizeof(name), "%s: speed vs shmem", reads[i].name);
		target(name, ">= 1.00x", isnan(r) ? -1 : r >= 1.0,
		       "%.2fx (IQR %.2f..%.2f)", r, paired_ratio(v, s, 0.25),
		       paired_ratio(v, s, 0.75));
		snprintf(name, sizeof(name), "%s: faults/page vs shmem", reads[i].name);
		target(name, "<= shmem", isnan(fv) || isnan(fs) ? -1 : fv <= fs + 1e-9,
		       "%.3f vs %.3f", fv, fs);
	}
	for (i = 0; i < 2; i++) {
		const char *id = i ? "seq_write_resident" : "seq_write_cold";
		const struct result *v = result_find(id, fa_var, "vmmap");
		const struct result *s = result_find(id, fa_var, "shmem");
		double r = speed_ratio(v, s);

		snprintf(name, sizeof(name),
			 "first write (page_mkwrite), %s, vs shmem",
			 i ? "resident" : "not resident");
		target(name, ">= 0.90x", isnan(r) ? -1 : r >= 0.9,
		       "%.2fx (IQR %.2f..%.2f)", r, paired_ratio(v, s, 0.25),
		       paired_ratio(v, s, 0.75));
	}
	snprintf(var, sizeof(var), "buf=%zuK", P.rw_buf >> 10);
	for (i = 0; i < 4; i++) {
		const struct result *v = result_find(rw[i].id, var, "vmmap");
		const struct result *s = result_find(rw[i].id, var, "shmem");
		double r = speed_ratio(v, s);

		snprintf(name, sizeof(name), "%s vs tmpfs", rw[i].name);
		target(name, ">= 0.90x", isnan(r) ? -1 : r >= 0.9,
		       "%.2fx (IQR %.2f..%.2f)", r, paired_ratio(v, s, 0.25),
		       paired_ratio(v, s, 0.75));
	}

	/*
	 * fsync: grows with d at n0; flat in n at d0. Judged on the fastest
	 * run of each point: the n sweep cannot alternate (the driver has one
	 * object, populated anew for each n), and the host's other tenants
	 * only ever add time.
	 */
	{
		double t[MAXSWEEP], lo = INFINITY, hi = 0;
		size_t dd[MAXSWEEP];
		int nt = 0, k, mono = 1, okn = 0;
		char v2[40];

		for (k = 0; k < P.nd; k++) {
			const struct result *r;

			snprintf(v2, sizeof(v2), "n=%zu d=%zu", P.fsync_n0, P.fsync_d[k]);
			r = result_find("fsync", v2, "vmmap");
			if (!ok(r))
				continue;
			dd[nt] = P.fsync_d[k];
			t[nt++] = quantile(r->ns, r->n, 0);
		}
		for (k = 1; k < nt; k++)
			mono &= t[k] >= 0.9 * t[k - 1];
		if (nt >= 2) {
			double growth = t[nt - 1] / t[0];
			double linear = (double)dd[nt - 1] / dd[0];

			target("fsync grows with dirty pages d (n fixed; min of runs)",
			       "monotone, >= 1/4 linear", mono && growth >= linear / 4,
			       "x%.1f for d x%.0f (n=%zu)", growth, linear, P.fsync_n0);
		} else {
			target("fsync grows with dirty pages d (n fixed; min of runs)",
			       "monotone, >= 1/4 linear", -1, "no data");
		}
		for (k = 0; k < P.nn; k++) {
			const struct result *r;

			snprintf(v2, sizeof(v2), "n=%zu d=%zu", P.fsync_n[k], P.fsync_d0);
			r = result_find("fsync", v2, "vmmap");
			if (!ok(r))
				continue;
			okn++;
			if (quantile(r->ns, r->n, 0) < lo)
				lo = quantile(r->ns, r->n, 0);
			if (quantile(r->ns, r->n, 0) > hi)
				hi = quantile(r->ns, r->n, 0);
		}
		target("fsync flat in object size n (d fixed; min of runs)", "max/min <= 1.5",
		       okn >= 2 ? hi / lo <= 1.5 : -1, "max/min %.2f over n=%zu..%zu (d=%zu)",
		       okn >= 2 ? hi / lo : NAN, P.fsync_n[0], P.fsync_n[P.nn - 1],
		       P.fsync_d0);
	}

	if (memchk.done)
		target("resident_pages == k after k touches (4K path)", "== k",
		       memchk.resident_read == (long)memchk.k &&
			       memchk.resident_write == (long)memchk.k,
		       "read %ld, write %ld, k %zu", memchk.resident_read,
		       memchk.resident_write, memchk.k);

	for (i = 0; i < 2; i++) {
		const char *id = i ? "huge_write_cold" : "huge_read_cold";
		const char *what = i ? "huge first write" : "huge first read";
		const struct result *h1 = result_find(id, fa_var, B_VMMAP_H1.name);
		const struct result *h0 = result_find(id, fa_var, B_VMMAP_H0.name);
		const struct result *sh = result_find(id, fa_var, B_SHMEM.name);
		double fpp = per_page(h1, h1 ? h1->minflt : NULL) * ((double)pmd / ps);
		double r0 = speed_ratio(h1, h0), rs = speed_ratio(h1, sh);
		char why[140];

		snprintf(why, sizeof(why), "n/a (%s)",
			 h1 && h1->why[0] ? h1->why : "not run");
		snprintf(name, sizeof(name), "%s: faults per PMD (huge=1)", what);
		if (ok(h1))
			target(name, "<= 1", fpp <= 1.0 + 1e-9, "%.2f", fpp);
		else
			target(name, "<= 1", -1, "%s", why);
		snprintf(name, sizeof(name), "%s: huge=1 vs huge=0", what);
		if (ok(h1) && !isnan(r0))
			target(name, ">= 5x", r0 >= 5.0, "%.2fx (IQR %.2f..%.2f)",
			       r0, paired_ratio(h1, h0, 0.25),
			       paired_ratio(h1, h0, 0.75));
		else
			target(name, ">= 5x", -1, "%s", why);
		snprintf(name, sizeof(name), "%s: huge=1 vs shmem default", what);
		if (ok(h1) && !isnan(rs))
			target(name, ">= 2x", rs >= 2.0, "%.2fx (IQR %.2f..%.2f)",
			       rs, paired_ratio(h1, sh, 0.25),
			       paired_ratio(h1, sh, 0.75));
		else
			target(name, ">= 2x", -1, "%s", why);
	}
}

static void print_tables(const struct utsname *u)
{
	printf("kernel %s %s, page %ld B, PMD %zu KiB, %d runs per figure"
	       "%s\n", u->release, u->machine, ps, pmd >> 10, P.reps,
	       P.quick ? " (--quick: sizes too small for conclusions)" : "");
	printf("fault_around_bytes default %ld; THP enabled [%s], shmem_enabled [%s];"
	       " vmmap huge param: %s\n",
	       fa_default, thp_enabled, shmem_orig[0] ? shmem_orig : "n/a",
	       have_huge_param ? huge_orig : "absent");
	printf("times: median per unit [min..max]; 'vs shmem' = t_shmem/t_vmmap"
	       " (>1: vmmap faster), median of\nthe per-repetition ratios; flt/pg = minor faults (getrusage) per page;"
	       "\nfault/mappg/mkwr = vmmap's handler calls per page\n\n");

	printf("== mapped access (seq %zu MiB, random %zu of %zu MiB) ==\n",
	       P.seq_bytes >> 20, P.rand_touches, P.rand_bytes >> 20);
	print_header("us/page");
	print_group("seq_");
	print_group("rand_");
	printf("\n== fault-around: fault_around_bytes %ld vs one page (%ld) ==\n",
	       fa_default, ps);
	print_fa();
	printf("\n== read()/write(), %zu MiB ==\n", P.rw_bytes >> 20);
	print_header("us/MiB");
	print_group("read_");
	print_group("write_");
	printf("\n== fsync/msync against dirty pages d in n pages ==\n");
	print_fsync();
	printf("\n== mmap+munmap of an untouched mapping ==\n");
	print_header("us/pair");
	print_group("mmap_");
	printf("\n== memory per page (%zu MiB touched) ==\n", P.seq_bytes >> 20);
	print_mem();
	printf("\n== huge pages (%zu MiB, PMD %zu KiB) ==\n", P.huge_bytes >> 20,
	       pmd >> 10);
	print_huge();
	printf("\n== targets ==\n");
	print_targets();
}

/* JSON */

static void json_str(const char *s)
{
	putchar('"');
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

static void json_num(double v)
{
	if (isnan(v) || isinf(v))
		printf("null");
	else
		printf("%.6g", v);
}

static void json_arr(const double *v, int n, double scale)
{
	int i;

	putchar('[');
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		json_num(v[i] * scale);
	}
	putchar(']');
}

static void json_stats(const char *key, const double *v, int n, double scale)
{
	printf("\"%s\":{\"median\":", key);
	json_num(med(v, n) * scale);
	printf(",\"min\":");
	json_num(quantile(v, n, 0) * scale);
	printf(",\"q1\":");
	json_num(quantile(v, n, 0.25) * scale);
	printf(",\"q3\":");
	json_num(quantile(v, n, 0.75) * scale);
	printf(",\"max\":");
	json_num(quantile(v, n, 1) * scale);
	printf(",\"samples\":");
	json_arr(v, n, scale);
	putchar('}');
}

static void json_result(const struct result *r)
{
	const struct result *ref = result_find(r->id, r->var, "shmem");
	double pg = r->pages > 0 ? 1.0 / r->pages : NAN;

	printf("{\"case\":");
	json_str(r->id);
	printf(",\"variant\":");
	json_str(r->var);
	printf(",\"backend\":");
	json_str(r->backend);
	printf(",\"title\":");
	json_str(r->title);
	printf(",\"status\":\"%s\"", ok(r) ? "ok" : "n/a");
	if (!ok(r)) {
		printf(",\"why\":");
		json_str(r->why[0] ? r->why : "no data");
		putchar('}');
		return;
	}
	printf(",\"unit\":");
	json_str(r->unit);
	printf(",\"units_per_run\":");
	json_num(r->units);
	printf(",\"pages_per_run\":");
	json_num(r->pages);
	printf(",\"bytes_per_run\":");
	json_num(r->bytes);
	printf(",\"runs\":%d,", r->n);
	json_stats("ns_per_run", r->ns, r->n, 1);
	printf(",");
	json_stats("us_per_unit", r->ns, r->n, 1e-3 / r->units);
	printf(",\"mib_per_s\":");
	json_num(mib_s(r));
	printf(",");
	json_stats("minflt_per_page", r->minflt, r->n, pg);
	if (!strncmp(r->backend, "vmmap", 5)) {
		printf(",");
		json_stats("vmmap_fault_per_page", r->fault, r->n, pg);
		printf(",");
		json_stats("vmmap_map_pages_per_page", r->map_pages, r->n, pg);
		printf(",");
		json_stats("vmmap_page_mkwrite_per_page", r->mkwrite, r->n, pg);
		printf(",");
		json_stats("vmmap_pages_cleaned_per_run", r->cleaned, r->n, 1);
	}
	if (r->pmd_kb[0] >= 0) {
		printf(",");
		json_stats("pmd_mapped_kb", r->pmd_kb, r->n, 1);
	}
	if (ref && ref != r) {
		printf(",\"speed_vs_shmem\":");
		json_num(speed_ratio(r, ref));
	}
	putchar('}');
}

static void json_ratio(const struct result *r, const struct result *ref)
{
	printf("\"speed_ratio\":");
	json_num(speed_ratio(r, ref));
	printf(",\"paired\":{\"median\":");
	json_num(paired_ratio(r, ref, 0.5));
	printf(",\"min\":");
	json_num(paired_ratio(r, ref, 0));
	printf(",\"q1\":");
	json_num(paired_ratio(r, ref, 0.25));
	printf(",\"q3\":");
	json_num(paired_ratio(r, ref, 0.75));
	printf(",\"max\":");
	json_num(paired_ratio(r, ref, 1));
	printf("},\"ratio_of_medians\":");
	json_num(median_ratio(r, ref));
}

static void json_memres(const struct memresult *m)
{
	printf("{\"backend\":");
	json_str(m->backend);
	printf(",\"pages_touched\":%.0f,\"runs\":%d,\"bytes_per_page\":{",
	       m->touched_pages, m->n);
	json_stats("free_pages_drop", m->free_exact, m->n, 1);
	putchar(',');
	json_stats("memfree_drop", m->memfree, m->n, 1);
	putchar(',');
	json_stats("pagetables", m->pagetables, m->n, 1);
	putchar(',');
	json_stats("xarray_nodes", m->xa, m->n, 1);
	putchar(',');
	json_stats("unevictable", m->unevictable, m->n, 1);
	putchar(',');
	json_stats("shmem", m->shmem, m->n, 1);
	putchar(',');
	json_stats("cached", m->cached, m->n, 1);
	putchar(',');
	json_stats("free_pages_returned_after_unmap_and_shrink", m->free_back,
		   m->n, 1);
	printf("}}");
}

/* The boot log line starting with @prefix (after the timestamp), or "". */
static void klog_line(const char *prefix, char *out, size_t len)
{
	static char *buf;
	static int n = -1;
	char *p, *e;

	out[0] = 0;
	if (n < 0) {
		int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);

		buf = size > 0 ? malloc(size + 1) : NULL;
		n = buf ? klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size) : 0;
		if (n < 0)
			n = 0;
		if (buf)
			buf[n] = 0;
	}
	p = buf ? strstr(buf, prefix) : NULL;
	if (!p)
		return;
	e = strchr(p, '\n');
	if (e)
		*e = 0;
	copy_str(out, len, p);
	if (e)
		*e = '\n';
}

static void print_json(const struct utsname *u)
{
	char cmdline[1024] = "", model[128] = "";
	FILE *f;
	char line[256];
	int i;

	read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);

	printf("{\"tool\":\"vmmap-bench\",\"format\":1,\n\"meta\":{\"kernel\":");
	json_str(u->release);
	printf(",\"machine\":");
	json_str(u->machine);
	printf(",\"guest_cpu\":");
	json_str(model);
	printf(",\"guest_cpus\":%ld,\"guest_memtotal_kb\":%ld,\"cmdline\":",
	       sysconf(_SC_NPROCESSORS_ONLN), meminfo_kb("MemTotal"));
	json_str(cmdline);
	{
		char l[256], sc[16] = "", po[16] = "";

		klog_line("mem auto-init: stack", l, sizeof(l));
		printf(",\"mem_auto_init\":");
		json_str(l);
		read_text("/sys/kernel/slab/radix_tree_node/sanity_checks", sc, sizeof(sc));
		read_text("/sys/kernel/slab/radix_tree_node/poison", po, sizeof(po));
		printf(",\"slub_sanity_checks\":");
		json_str(sc);
		printf(",\"slub_poison\":");
		json_str(po);
		klog_line("kfence:", l, sizeof(l));
		printf(",\"kfence\":");
		json_str(l);
	}
	printf(",\"page_size\":%ld,\"pmd_size\":%zu,\"reps\":%d,\"quick\":%s,",
	       ps, pmd, P.reps, P.quick ? "true" : "false");
	printf("\"seq_bytes\":%zu,\"rand_bytes\":%zu,\"rand_touches\":%zu,"
	       "\"rw_bytes\":%zu,\"rw_buf\":%zu,\"mmap_bytes\":%zu,"
	       "\"mmap_iters\":%d,\"huge_bytes\":%zu,\"fsync_n0\":%zu,"
	       "\"fsync_d0\":%zu,",
	       P.seq_bytes, P.rand_bytes, P.rand_touches, P.rw_bytes, P.rw_buf,
	       P.mmap_bytes, P.mmap_iters, P.huge_bytes, P.fsync_n0, P.fsync_d0);
	printf("\"fault_around_bytes_default\":%ld,\"thp_enabled\":", fa_default);
	json_str(thp_enabled);
	printf(",\"shmem_enabled\":");
	json_str(shmem_orig);
	printf(",\"vmmap_huge_param\":");
	if (have_huge_param)
		json_str(huge_orig);
	else
		printf("null");
	printf(",\"ratio\":\"speed ratio t_ref/t_vmmap per unit, median over"
	       " repetitions of the ratio within each repetition; >1 means vmmap faster\"},\n");

	printf("\"results\":[\n");
	for (i = 0; i < nresults; i++) {
		json_result(&results[i]);
		printf(i + 1 < nresults ? ",\n" : "\n");
	}
	printf("],\n\"ratios\":[\n");
	{
		bool first = true;

		for (i = 0; i < nresults; i++) {
			const struct result *r = &results[i], *ref;
			const char *refname = "shmem";

			if (strncmp(r->backend, "vmmap", 5))
				continue;
			ref = result_find(r->id, r->var, refname);
			if (!ref)
				continue;
			printf("%s{\"case\":", first ? "" : ",\n");
			first = false;
			json_str(r->id);
			printf(",\"variant\":");
			json_str(r->var);
			printf(",\"vmmap\":");
			json_str(r->backend);
			printf(",\"ref\":\"shmem\",");
			json_ratio(r, ref);
			printf(",\"minflt_per_page_vmmap\":");
			json_num(per_page(r, r->minflt));
			printf(",\"minflt_per_page_ref\":");
			json_num(per_page(ref, ref->minflt));
			putchar('}');
			if (!strcmp(r->backend, B_VMMAP_H1.name)) {
				ref = result_find(r->id, r->var, B_VMMAP_H0.name);
				printf(",\n{\"case\":");
				json_str(r->id);
				printf(",\"variant\":");
				json_str(r->var);
				printf(",\"vmmap\":");
				json_str(r->backend);
				printf(",\"ref\":");
				json_str(B_VMMAP_H0.name);
				putchar(',');
				json_ratio(r, ref);
				putchar('}');
			}
		}
		printf("\n");
	}
	printf("],\n\"memory\":{");
	if (memchk.done) {
		printf("\"k\":%zu,\"object_pages\":%zu,\"resident_after_read\":%ld,"
		       "\"resident_after_write\":%ld,\"dirty_after_write\":%ld,"
		       "\"xarray_node_bytes\":%ld,",
		       memchk.k, memchk.npages, memchk.resident_read,
		       memchk.resident_write, memchk.dirty_write, memchk.xa_objsize);
		printf("\"huge_resident_after_one_touch\":");
		if (memchk.huge_resident_one >= 0)
			printf("%ld,", memchk.huge_resident_one);
		else
			printf("null,");
		printf("\"struct_page_bytes_estimate\":64,\"per_backend\":[");
		for (i = 0; i < nmemres; i++) {
			if (i)
				putchar(',');
			json_memres(&memres[i]);
		}
		printf("]");
	}
	printf("},\n\"targets\":[\n");
	for (i = 0; i < ntargets; i++) {
		printf("{\"name\":");
		json_str(targets[i].name);
		printf(",\"want\":");
		json_str(targets[i].want);
		printf(",\"measured\":");
		json_str(targets[i].measured);
		printf(",\"status\":");
		json_str(targets[i].status);
		printf(i + 1 < ntargets ? "},\n" : "}\n");
	}
	printf("]}\n");
}

/* Plot data for gnuplot: MiB/s by case; "-" where missing. */
static void print_plot(void)
{
	static const char *ids[] = { "seq_read_cold", "seq_read_warm",
				     "seq_write_cold", "seq_write_resident",
				     "seq_rewrite_synced", "rand_read_cold",
				     "rand_write_cold", "rand_read_warm" };
	static const char *rws[] = { "read_resident", "read_hole", "write_new",
				     "write_resident" };
	struct backend *hb[] = { &B_VMMAP_H1, &B_VMMAP_H0, &B_SHMEM,
				 &B_SHMEM_ALWAYS, &B_TMPFS_HUGE, &B_ANON_THP,
				 &B_ANON };
	char var[32];
	unsigned int i, j;

	snprintf(var, sizeof(var), "buf=%zuK", P.rw_buf >> 10);
	printf("# block 0: MiB/s, columns: case vmmap shmem anon\n");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]) + 4; i++) {
		bool rw = i >= sizeof(ids) / sizeof(ids[0]);
		const char *id = rw ? rws[i - sizeof(ids) / sizeof(ids[0])] : ids[i];
		const char *v = rw ? var : fa_var;
		static const char *bk[] = { "vmmap", "shmem", "anon" };

		printf("%s", id);
		for (j = 0; j < 3; j++) {
			const struct result *r = result_find(id, v, bk[j]);

			if (ok(r))
				printf(" %.2f", mib_s(r));
			else
				printf(" -");
		}
		putchar('\n');
	}
	printf("\n\n# block 1: MiB/s, columns: case");
	for (j = 0; j < sizeof(hb) / sizeof(hb[0]); j++)
		printf(" \"%s\"", hb[j]->name);
	putchar('\n');
	for (i = 0; i < 2; i++) {
		const char *id = i ? "huge_write_cold" : "huge_read_cold";

		printf("%s", id);
		for (j = 0; j < sizeof(hb) / sizeof(hb[0]); j++) {
			const struct result *r = result_find(id, fa_var, hb[j]->name);

			if (ok(r))
				printf(" %.2f", mib_s(r));
			else
				printf(" -");
		}
		putchar('\n');
	}
}

/* ------------------------------------------------------------------ */
/* Setup */

static size_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'k': case 'K': v *= 1 << 10; break;
	case 'm': case 'M': v *= 1 << 20; break;
	case 'g': case 'G': v *= 1 << 30; break;
	case 0: break;
	default: die("bad size '%s'", s);
	}
	if (v <= 0)
		die("bad size '%s'", s);
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
	unsigned int i;

	P.quick = quick;
	P.reps = quick ? 3 : 9;
	P.seq_bytes = quick ? 4 << 20 : 64 << 20;
	P.rand_bytes = quick ? 16 << 20 : 128 << 20;
	P.rand_touches = quick ? 256 : 4096;
	P.rw_bytes = quick ? 4 << 20 : 64 << 20;
	P.rw_buf = 128 << 10;
	P.fsync_n0 = quick ? 1024 : 16384;
	P.fsync_d0 = quick ? 16 : 256;
	P.nd = P.nn = 0;
	if (quick) {
		for (i = 0; i < 4; i++)
			P.fsync_d[P.nd++] = fd_quick[i];
		for (i = 0; i < 3; i++)
			P.fsync_n[P.nn++] = fn_quick[i];
	} else {
		for (i = 0; i < 5; i++)
			P.fsync_d[P.nd++] = fd_full[i];
		for (i = 0; i < 4; i++)
			P.fsync_n[P.nn++] = fn_full[i];
	}
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
	say("%s, page %ld, PMD %zu, %d runs per figure%s", u.release, ps, pmd,
	    P.reps, P.quick ? ", quick" : "");

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

	eval_targets();
	say("done in %ld s", (long)(time(NULL) - t0));
	printf("VMMAP-BENCH-TABLE-BEGIN\n");
	print_tables(&u);
	printf("VMMAP-BENCH-TABLE-END\n");
	printf("VMMAP-BENCH-PLOT-BEGIN\n");
	print_plot();
	printf("VMMAP-BENCH-PLOT-END\n");
	printf("VMMAP-BENCH-JSON-BEGIN\n");
	print_json(&u);
	printf("VMMAP-BENCH-JSON-END\n");
	fflush(stdout);
	return 0;
}
