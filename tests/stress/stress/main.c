// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: options, the layout of the object and of the shared state,
 * and main: setup, spawn and monitor (supervisor.c), final checks (final.c).
 * The design is described in stress.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "stress.h"

unsigned int opt_secs = 60, opt_procs = 4, opt_threads = 4;
unsigned int opt_rpages = 16, opt_tpages = 64, opt_kill_ms = 300;
uint64_t opt_seed = 1;
bool opt_verbose, opt_huge = true;

size_t ps, pmd;
bool huge_on, may_map_eof;
unsigned int nslots;
size_t rlen, rwords;
uint64_t base, tailmax, guard, maplen;
uint64_t tend, hbase, hend;

struct shared *sh;
struct slot *slots;
uint32_t *cur_all, *prev_all;
uint8_t *tail_filled, *hfilled;
char lock_path[256];

static void usage(void)
{
	fprintf(stderr,
		"usage: vmmap-stress [-d SECONDS] [-p PROCS] [-t THREADS] [-s SEED]\n"
		"                    [-r REGION_PAGES] [-T TAIL_PAGES] [-k KILL_MS] [-H] [-v]\n"
		"  -d  how long to run (default 60)\n"
		"  -p  worker processes (default 4), -t threads each (default 4)\n"
		"  -s  seed of every random choice (default 1)\n"
		"  -r  pages each worker thread owns (default 16)\n"
		"  -T  pages of the tail the resizer moves the end in (default 64)\n"
		"  -k  mean milliseconds between SIGKILLs of a child, 0: none (default 300)\n"
		"  -H  no huge window (no huge rounds)\n"
		"  -v  progress every 10 s\n");
	exit(2);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s)
		usage();
	return v;
}

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "d:p:t:s:r:T:k:Hvh")) != -1) {
		switch (c) {
		case 'd': opt_secs = num(optarg); break;
		case 'p': opt_procs = num(optarg); break;
		case 't': opt_threads = num(optarg); break;
		case 's': opt_seed = num(optarg); break;
		case 'r': opt_rpages = num(optarg); break;
		case 'T': opt_tpages = num(optarg); break;
		case 'k': opt_kill_ms = num(optarg); break;
		case 'H': opt_huge = false; break;
		case 'v': opt_verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc || !opt_procs || !opt_threads || opt_threads > 64 ||
	    opt_rpages < 2 || opt_procs * opt_threads > 1024 || !opt_tpages)
		usage();
}

/* The object's layout (stress.h), within what the driver in @in0 allows. */
static void layout(const struct vmmap_info *in0)
{
	ps = sysconf(_SC_PAGESIZE);
	nslots = opt_procs * opt_threads;
	rlen = opt_rpages * ps;
	rwords = rlen / 8;
	base = (uint64_t)nslots * rlen;
	tailmax = (uint64_t)opt_tpages * ps;
	tend = base + tailmax;
	pmd = ps * (ps / 8);
	huge_on = vmmap_huge_param();
	may_map_eof = !vmmap_kernel_guards_eof();
	if (in0->page_size != ps)
		die("driver page size %u, ours %zu", in0->page_size, ps);
	if (in0->max_size < tend)
		die("max_size %" PRIu64 " below the %" PRIu64 " bytes needed",
		    (uint64_t)in0->max_size, tend);
	/* the huge window: PMD-aligned, two huge pages, after the tail */
	hbase = hend = tend;
	if (opt_huge) {
		hbase = round_up_pmd(tend);
		hend = hbase + 2 * pmd;
	}
	if (in0->max_size < hend) {
		say("stress: max_size %" PRIu64 " below the huge window's end %"
		    PRIu64 ": no huge rounds\n", (uint64_t)in0->max_size, hend);
		hbase = hend = tend;
	}
	guard = 4 * ps;
	maplen = hend + guard;
	if (in0->live_vmas)
		say("stress: warning: %" PRIu64 " VMAs map the object already\n",
		    (uint64_t)in0->live_vmas);
}

static size_t align64(size_t x)
{
	return (x + 63) & ~(size_t)63;
}

/* The shared state: header, slots, expected gens, tail and window models. */
static void shared_state(void)
{
	size_t gens = (size_t)nslots * rwords * 4, off_slots, off_cur, off_tail;
	char *mem;

	off_slots = align64(sizeof(struct shared));
	off_cur = off_slots + align64(nslots * sizeof(struct slot));
	off_tail = off_cur + 2 * gens;
	mem = mmap(NULL, off_tail + tailmax / ps + (hend - hbase) / ps, RW,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("shared state: %s", strerror(errno));
	sh = (struct shared *)mem;
	slots = (struct slot *)(mem + off_slots);
	cur_all = (uint32_t *)(mem + off_cur);
	prev_all = (uint32_t *)(mem + off_cur + gens);
	tail_filled = (uint8_t *)(mem + off_tail);
	hfilled = tail_filled + tailmax / ps;
	sh->rop_now = -1;
}

/* The file whose OFD locks are the wipe rwlock. */
static void lock_file(void)
{
	int lfd;

	snprintf(lock_path, sizeof(lock_path), "%s/vmmap-stress.%d.lock",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	lfd = open(lock_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (lfd < 0)
		die("create %s: %s", lock_path, strerror(errno));
	close(lfd);
}

static void banner(void)
{
	printf("stress: %u s, seed %" PRIu64 ", %u processes x %u threads + resizer, "
	       "%ld CPUs, page %zu, regions %u x %zu KiB, tail %" PRIu64 " KiB, "
	       "kill every ~%u ms\n",
	       opt_secs, opt_seed, opt_procs, opt_threads,
	       sysconf(_SC_NPROCESSORS_ONLN), ps, nslots, rlen >> 10,
	       tailmax >> 10, opt_kill_ms);
	if (hend > tend)
		printf("stress: huge window %" PRIu64 " KiB at %#" PRIx64 " (huge pages %zu KiB, "
		       "module huge=%c), %u rounds per 1000 resizer operations\n",
		       (hend - hbase) >> 10, hbase, pmd >> 10, huge_on ? 'Y' : 'N',
		       huge_per_mille());
	else
		printf("stress: no huge window\n");
}

/*
 * Everything before the first fork: the layout, the shared state, the lock
 * file, an object of zeroes (every expected gen is 0). Returns the device
 * fd; *@in0 and *@st0 get the object and the counters as they were.
 */
static int setup(struct vmmap_info *in0, struct vmmap_counters *st0)
{
	int fd = dev_open(O_RDWR);

	if (vmmap_get_info(fd, in0) || vmmap_read_counters(st0))
		die("GET_INFO/counters: %s", strerror(errno));
	layout(in0);
	shared_state();
	lock_file();
	if (vmmap_resize(fd, 0) || vmmap_resize(fd, base + tailmax / 2 / ps * ps))
		die("initial resize: %s", strerror(errno));
	sh->size = base + tailmax / 2 / ps * ps;
	sh->kept_end = sh->size;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	install_handlers();
	banner();
	return fd;
}

int main(int argc, char **argv)
{
	struct vmmap_counters st0, st1;
	struct vmmap_info in0;
	double t0;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	fd = setup(&in0, &st0);
	t0 = supervise(fd);
	final_checks(fd, &st0, &st1);
	if (vmmap_resize(fd, in0.object_size))
		say("stress: could not restore the size %" PRIu64 ": %s\n",
		    (uint64_t)in0.object_size, strerror(errno));
	unlink(lock_path);
	report(t0, &st0, &st1);
	return sh->mismatches ? 1 : 0;
}
