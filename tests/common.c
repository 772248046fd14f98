// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

size_t vt_page(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

size_t vt_pmd(void)
{
	return vt_page() * (vt_page() / 8);
}

const char *vt_fake_path(void)
{
	const char *p = getenv("VMMAP_TEST_FAKE");

	return p && *p ? p : NULL;
}

const char *vt_path(void)
{
	return vt_fake_path() ? vt_fake_path() : VMMAP_DEV;
}

bool vt_have_driver(void)
{
	return !vt_fake_path();
}

uint64_t vt_resident_max(uint64_t size)
{
	uint64_t pmd = vt_pmd();

	return (size + pmd - 1) / pmd * pmd / vt_page();
}

void vt_stats_log(const char *what, const struct vmmap_counters *a,
		  const struct vmmap_counters *b)
{
#define VT_D(f) ((unsigned long long)(b->f - a->f))
	vt_log("%s: mmap +%llu gua +%llu open +%llu close +%llu fault +%llu map_pages +%llu mkwrite +%llu sigbus +%llu fsync +%llu cleaned +%llu resize +%llu alloc +%llu freed +%llu",
	    what, VT_D(mmap), VT_D(get_unmapped_area), VT_D(vma_open),
	    VT_D(vma_close), VT_D(fault), VT_D(map_pages), VT_D(page_mkwrite),
	    VT_D(sigbus), VT_D(fsync), VT_D(pages_cleaned), VT_D(resize),
	    VT_D(pages_allocated), VT_D(pages_freed));
#undef VT_D
}

unsigned char vt_pat(uint64_t off, unsigned int seed)
{
	uint64_t x = off + (uint64_t)(seed + 1) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return (unsigned char)x;
}

void vt_pat_fill(void *buf, size_t len, uint64_t off, unsigned int seed)
{
	unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = vt_pat(off + i, seed);
}

bool vt_pat_ok(const void *buf, size_t len, uint64_t off, unsigned int seed)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i] != vt_pat(off + i, seed)) {
			vt_log("content differs at object offset %#" PRIx64
			    ": %#x, expected %#x (seed %u)", off + i, b[i],
			    vt_pat(off + i, seed), seed);
			return false;
		}
	}
	return true;
}

bool vt_zero_ok(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i]) {
			vt_log("byte %zu is %#x, expected 0", i, b[i]);
			return false;
		}
	}
	return true;
}

/* The setjmp lives here, so callers' locals are never live across it. */
int vt_try_read(const void *p)
{
	return VT_CATCH_HERE((void)vt_peek(p));
}

int vt_try_write(void *p, unsigned char v)
{
	return VT_CATCH_HERE(vt_poke(p, v));
}

long vt_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt;
}

long vt_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

static long vt_kb_field(const char *file, const char *field)
{
	size_t flen = strlen(field);
	char line[512];
	long v = -1;
	FILE *f;

	f = fopen(file, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			v = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

long vt_status_kb(const char *field)
{
	return vt_kb_field("/proc/self/status", field);
}

long vt_meminfo_kb(const char *field)
{
	return vt_kb_field("/proc/meminfo", field);
}

static bool vt_parse_maps_line(const char *line, struct vt_vma *v)
{
	int n = 0;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%lx-%lx %7s %llx %x:%x %lu %n", &v->start, &v->end,
		   v->perms, &v->offset, &v->major, &v->minor, &v->inode,
		   &n) < 7)
		return false;
	if (n > 0) {
		snprintf(v->path, sizeof(v->path), "%s", line + n);
		v->path[strcspn(v->path, "\n")] = 0;
	}
	return true;
}

bool vt_find_vma(const void *addr, struct vt_vma *v)
{
	unsigned long a = (unsigned long)addr;
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (vt_parse_maps_line(line, v) && v->start <= a && a < v->end) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

int vt_count_obj_vmas(void)
{
	struct vt_vma v;
	char line[512];
	int n = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (vt_parse_maps_line(line, &v) && !strcmp(v.path, vt_path()))
			n++;
	fclose(f);
	return n;
}

/* "start-end perms offset dev inode path": a dash in the first word. */
static bool vt_smaps_header(const char *line, unsigned long *s,
			    unsigned long *e)
{
	const char *sp = strchr(line, ' '), *dash = strchr(line, '-');

	if (!sp || !dash || dash > sp)
		return false;
	return sscanf(line, "%lx-%lx", s, e) == 2;
}

/* Calls fn for each line of the smaps block of the VMA holding addr, until
 * fn returns true. Returns whether the VMA was found.
 */
static bool vt_smaps_scan(const void *addr,
			  bool (*fn)(const char *line, void *arg), void *arg)
{
	unsigned long a = (unsigned long)addr, s, e;
	bool in = false, found = false;
	char line[1024];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (vt_smaps_header(line, &s, &e)) {
			if (in)
				break;
			in = s <= a && a < e;
			found |= in;
			continue;
		}
		if (in && fn(line, arg))
			break;
	}
	fclose(f);
	return found;
}

struct vt_kb_arg {
	const char *field;
	long kb;
};

static bool vt_smaps_kb_fn(const char *line, void *arg)
{
	struct vt_kb_arg *k = arg;
	size_t flen = strlen(k->field);

	if (!strncmp(line, k->field, flen) && line[flen] == ':') {
		k->kb = strtol(line + flen + 1, NULL, 10);
		return true;
	}
	return false;
}

long vt_smaps_kb(const void *addr, const char *field)
{
	struct vt_kb_arg k = { field, -1 };

	vt_smaps_scan(addr, vt_smaps_kb_fn, &k);
	return k.kb;
}

struct vt_flag_arg {
	const char *flag;
	bool seen;
	bool present;
};

static bool vt_smaps_flag_fn(const char *line, void *arg)
{
	struct vt_flag_arg *k = arg;
	char *save = NULL, *tok, buf[1024];

	if (strncmp(line, "VmFlags:", 8))
		return false;
	k->seen = true;
	snprintf(buf, sizeof(buf), "%s", line + 8);
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, k->flag))
			k->present = true;
	return true;
}

int vt_smaps_has_flag(const void *addr, const char *flag)
{
	struct vt_flag_arg k = { flag, false, false };

	vt_smaps_scan(addr, vt_smaps_flag_fn, &k);
	return k.seen ? k.present : -1;
}

void vt_log(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* ---- SIGBUS / SIGSEGV caught in this very process ---- */

sigjmp_buf vt_sig_jmp;
volatile sig_atomic_t vt_sig_caught;
volatile int vt_sig_code;
void *volatile vt_sig_addr;
static volatile sig_atomic_t vt_sig_armed;

static void vt_sig_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!vt_sig_armed) {
		/* Not expected: die of it, so the harness reports the signal. */
		signal(sig, SIG_DFL);
		if (si->si_code <= 0)
			raise(sig);
		return;
	}
	vt_sig_armed = 0;
	vt_sig_caught = sig;
	vt_sig_code = si->si_code;
	vt_sig_addr = si->si_addr;
	siglongjmp(vt_sig_jmp, 1);
}

void vt_sig_arm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vt_sig_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	vt_sig_armed = 1;
}

void vt_sig_disarm(void)
{
	vt_sig_armed = 0;
	signal(SIGBUS, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
}
