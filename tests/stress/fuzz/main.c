// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-fuzz [-n CALLS] [-s SEED] [-b BATCH] [-l LOG] [-r LOG] [-R]: seeded,
 * single-threaded fuzzer of /dev/vmmap in fsx's shape. Each call draws an op
 * of the table (fuzz.h; a file per family) by weight, draws its arguments,
 * logs, runs and checks it against a model of the object; every BATCH calls
 * and at the end model.c's consistency check runs. Errnos are exact only where
 * the driver decides, elsewhere an errno of a set allowed for the call will
 * do. Each op is logged as "op INDEX NAME ARG..." (hex): all to LOG with -l,
 * else the last 32 to stderr at the first failure; -r LOG runs the ops of LOG
 * again (other lines are skipped: a console log will do). A seed makes the
 * same calls at the same addresses (no ASLR unless -R).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "../splitmix.h"

#define RING	32
#define MAX_OPS	32

size_t fz_ps, fz_pmd;
uint64_t fz_max_size, fz_huge_got, fz_huge_kept;
bool fz_huge, fz_may_map_eof;
int fz_dev;
struct fz_fd fz_fds[FZ_NFDS] = { { .acc = O_RDWR }, { .acc = O_RDONLY }, { .acc = O_WRONLY },
				 { .path = true } };
char *fz_arena, *fz_scratch, *fz_ro, *fz_none, *fz_devbuf;

static uint64_t seed = 1, ncalls = 100000, batch = 1000, rng, idx, failures, checks;
static uint64_t counts[MAX_OPS];
static const struct fz_op *ops[MAX_OPS];
static int nops;
static char ring[RING][256];
static FILE *logf;

uint64_t fz_rnd(void)
{
	return splitmix_next(&rng);
}

uint64_t fz_below(uint64_t n)
{
	return splitmix_below(&rng, n);
}

bool fz_chance(unsigned int pct)
{
	return splitmix_below(&rng, 100) < pct;
}

/* Unbuffered: what was printed survives a crash of the guest. */
static void fz_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vdprintf(1, fmt, ap) < 0)
		_exit(3);
	va_end(ap);
}

void fz_fail(const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	if (++failures > 25)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (uint64_t i = idx > RING ? idx - RING : 0; failures == 1 && !logf && i < idx; i++)
		dprintf(2, "fuzz:   %s\n", ring[i % RING]);	/* what led here */
	fz_out("fuzz: FAIL seed %" PRIu64 " call %" PRIu64 ": %s\nfuzz:   call: %s\n"
	       "fuzz:   reproduce: vmmap-fuzz -s %" PRIu64 " -n %" PRIu64 " -l LOG; "
	       "vmmap-fuzz -r LOG\n", seed, idx, buf, ring[idx % RING], seed, idx + 1);
}

void fz_die(const char *fmt, ...)
{
	va_list ap;

	fz_out("fuzz: setup error at call %" PRIu64 ": ", idx);
	va_start(ap, fmt);
	vdprintf(1, fmt, ap);
	va_end(ap);
	fz_out("\n");
	exit(2);
}

bool fz_allowed(const struct fz_call *c, const int *allowed)
{
	for (const int *e = allowed; c->ret < 0 && *e; e++)
		if (*e == c->err)
			return false;
	if (c->ret < 0)
		fz_fail("failed with %s; expected success or an allowed errno", fz_ename(c->err));
	return c->ret >= 0;
}

bool fz_exact(const struct fz_call *c, int want)
{
	if (want ? c->ret < 0 && c->err == want : c->ret >= 0)
		return c->ret >= 0;
	fz_fail("%s %s; expected %s", c->ret >= 0 ? "succeeded" : "failed with",
		c->ret >= 0 ? "" : fz_ename(c->err), want ? fz_ename(want) : "success");
	return false;
}

/* Every BATCH calls, after the last, at the same points in a replay. */
static void check(bool last)
{
	if ((idx + 1) % batch && !last)
		return;
	checks++;
	fz_consistency(last || (idx + 1) % (10 * batch) == 0, 1 + idx % (2 * fz_ps),
		       fz_ps * (idx % (FZ_CAP / fz_ps / 4)));
}

static const struct fz_op *draw_op(void)
{
	unsigned int x, total = 0;
	int i;

	for (i = 0; i < nops; i++)
		total += ops[i]->weight;
	for (;;) {
		for (x = fz_below(total), i = 0; x >= ops[i]->weight; i++)
			x -= ops[i]->weight;
		/* the huge-page op: huge=Y only, rarer with PMDs above 2 MiB */
		if (ops[i] != &fz_huge_ops[0] ||
		    (fz_huge && !fz_below(fz_pmd >> 21 ? fz_pmd >> 21 : 1)))
			return ops[i];
	}
}

static void do_op(const struct fz_op *op, struct fz_call *c)
{
	char *l = ring[idx % RING];
	int n = snprintf(l, 256, "op %" PRIu64 " %s", idx, op->name), last = FZ_NARGS - 1;

	while (last >= 0 && !c->a[last])
		last--;
	for (int i = 0; i <= last; i++)
		n += snprintf(l + n, 256 - n, " %" PRIx64, c->a[i]);
	if (logf && (fprintf(logf, "%s\n", l) < 0 || fflush(logf)))
		fz_die("op log: %s", strerror(errno));
	op->run(c);
	op->check(c);
	for (int i = 0; i < nops; i++)
		counts[i] += ops[i] == op;
}

/* -r LOG: the ops of a log again, in order, with their arguments. */
static void replay(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], name[32], *p, *end;
	int i, k;

	if (!f)
		fz_die("open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct fz_call c = { 0 };

		p = strstr(line, "op ");	/* not a failure's "call: op" */
		if (!p || strstr(line, "call:") ||
		    sscanf(p, "op %" SCNu64 " %31s%n", &idx, name, &k) != 2)
			continue;
		for (i = 0; i < nops && strcmp(ops[i]->name, name); i++)
			;
		if (i == nops)
			fz_die("unknown op %s in %s", name, path);
		for (int j = (p += k, 0); j < FZ_NARGS; j++, p = end)
			c.a[j] = strtoull(p, &end, 16);	/* 0 past the last */
		do_op(ops[i], &c);
		check(false);
	}
	fclose(f);
	check(true);
	idx++;
}

/* Between PROT_NONE guards: scratch, ro, none, devbuf (our mapping), the arena. */
static uint64_t setup(void)
{
	const struct fz_op *const fams[] = { fz_ctl_ops, fz_io_ops, fz_map_ops, fz_huge_ops };
	struct vmmap_info in;
	char *r;

	for (int i = 0; i < 4; i++)
		for (const struct fz_op *t = fams[i]; t->name && nops < MAX_OPS; t++)
			ops[nops++] = t;
	fz_ps = sysconf(_SC_PAGESIZE);
	fz_pmd = fz_ps * (fz_ps / 8);
	fz_dev = open(VMMAP_DEV, O_RDWR | O_CLOEXEC);
	if (fz_dev < 0 || vmmap_get_info(fz_dev, &in))
		fz_die("open %s: %s", VMMAP_DEV, strerror(errno));
	if (in.page_size != fz_ps || in.live_vmas || in.max_size < FZ_CAP)
		fz_die("page size %u (ours %zu), live_vmas %" PRIu64 ", max_size %" PRIu64,
		       in.page_size, fz_ps, (uint64_t)in.live_vmas, (uint64_t)in.max_size);
	fz_max_size = in.max_size;
	fz_huge = vmmap_huge_param();
	fz_may_map_eof = !vmmap_kernel_guards_eof();
	if (fz_resize(0) || fz_resize(FZ_CAP / 4))
		fz_die("resize: %s", strerror(errno));
	fz.shadow = calloc(1, FZ_CAP);
	fz.dirty = calloc(1, FZ_CAP / fz_ps);
	fz.size = fz.kept_end = FZ_CAP / 4;
	r = mmap(NULL, FZ_SCRATCH + FZ_ARENA + (FZ_DEVBUF_PAGES + 40) * fz_ps + fz_pmd, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	fz_scratch = r + fz_ps;
	fz_ro = fz_scratch + FZ_SCRATCH + fz_ps;
	fz_none = fz_ro + 2 * fz_ps;
	fz_devbuf = fz_none + 2 * fz_ps;
	fz_arena = (char *)(((uintptr_t)fz_devbuf + (FZ_DEVBUF_PAGES + 16) * fz_ps + fz_pmd - 1) &
			    ~(uintptr_t)(fz_pmd - 1));
	if (r == MAP_FAILED || mprotect(fz_scratch, FZ_SCRATCH, PROT_READ | PROT_WRITE) ||
	    mprotect(fz_ro, fz_ps, PROT_READ) ||
	    mmap(fz_devbuf, FZ_DEVBUF_PAGES * fz_ps, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fz_dev, 0) != fz_devbuf)
		fz_die("buffers: %s", strerror(errno));
	for (int i = 0; i < FZ_NFDS; i++) {
		fz_fds[i].fd = open(VMMAP_DEV, O_PATH * fz_fds[i].path | fz_fds[i].acc | O_CLOEXEC);
		if (fz_fds[i].fd < 0)
			fz_die("open: %s", strerror(errno));
	}
	fz_refresh_maps();
	return in.object_size;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end || end == s) {
		fprintf(stderr, "usage: vmmap-fuzz [-n CALLS (100000)] [-s SEED (1)] [-b BATCH "
			"(1000)] [-l LOG] [-r LOG] [-R]\n");
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *replay_path = NULL;
	struct timespec t0, t1;
	bool aslr = false;
	uint64_t orig_size;
	char line[512];
	int c, n = 0;

	while ((c = getopt(argc, argv, "n:s:b:l:r:Rh")) != -1) {
		switch (c) {
		case 'n': ncalls = num(optarg); break;
		case 's': seed = num(optarg); break;
		case 'b': batch = num(optarg); break;
		case 'l': logf = fopen(optarg, "w"); num(logf ? "0" : ""); break;
		case 'r': replay_path = optarg; break;
		case 'R': aslr = true; break;
		default: num("");
		}
	}
	num(optind != argc || !batch ? "" : "0");
	if (!aslr && !(personality(0xffffffff) & ADDR_NO_RANDOMIZE)) {
		personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE);
		execv("/proc/self/exe", argv);	/* if that fails, carry on randomised */
	}
	rng = mix64(seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	orig_size = setup();
	fz_out("fuzz: %" PRIu64 " calls, seed %" PRIu64 ", batch %" PRIu64 ", page %zu%s\n",
	       ncalls, seed, batch, fz_ps, replay_path ? ", replaying" : "");
	fz_consistency(false, fz_ps, 0);	/* first: a broken ->fault may hang the ops */
	if (replay_path)
		replay(replay_path);
	else
		for (idx = 0; idx < ncalls; idx++) {
			struct fz_call cl = { 0 };
			const struct fz_op *op = draw_op();

			op->pick(&cl);
			do_op(op, &cl);
			check(idx + 1 == ncalls);
		}
	if (fz_resize(orig_size))
		fz_die("resize back to %" PRIu64 ": %s", orig_size, strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = 0; i < nops; i++)	/* "ioctl" first: ci.sh reads this line */
		n += snprintf(line + n, 512 - n, "%s %" PRIu64 " ", ops[i]->name, counts[i]);
	fz_out("fuzz: %s(huge page %" PRIu64 ", kept whole %" PRIu64 "); %" PRIu64
	       " consistency checks; %.1f s\n", line, fz_huge_got, fz_huge_kept, checks,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fz_out("fuzz: %" PRIu64 " calls, seed %" PRIu64 ", %" PRIu64 " failures\n", idx, seed,
	       failures);
	return failures ? 1 : 0;
}
