// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
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

static const char *vt_fake_path(void)
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

void vt_require_driver(void)
{
	if (!vt_have_driver())
		SKIP("needs the vmmap driver (VMMAP_TEST_FAKE is set)");
}

int vt_open(int flags)
{
	int fd;

	if (vt_fake_path())
		fd = open(vt_fake_path(), flags | O_CREAT | O_CLOEXEC, 0600);
	else
		fd = open(VMMAP_DEV, flags | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		SKIP("%s absent (vmmap module not loaded)", vt_path());
	if (fd < 0 && (errno == EACCES || errno == EPERM) && geteuid() != 0)
		SKIP("%s needs root", vt_path());
	if (fd < 0)
		FAIL("open %s: %s", vt_path(), strerror(errno));
	return fd;
}

void vt_resize(uint64_t size)
{
	int fd = vt_open(O_RDWR), r;

	if (vt_fake_path())
		r = ftruncate(fd, (off_t)size);
	else
		r = vmmap_resize(fd, size);
	if (r && errno == EFBIG)
		SKIP("object max_size is below the %" PRIu64 " bytes this test needs",
		     size);
	if (r)
		FAIL("resize to %" PRIu64 ": %s", size, strerror(errno));
	close(fd);
}

void vt_fresh(uint64_t size)
{
	vt_resize(0);
	vt_resize(size);
}

uint64_t vt_resident_max(uint64_t size)
{
	uint64_t pmd = vt_pmd();

	return (size + pmd - 1) / pmd * pmd / vt_page();
}

uint64_t vt_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	ASSERT_GE(end, 0);
	return (uint64_t)end;
}

void vt_info(int fd, struct vmmap_info *info)
{
	vt_require_driver();
	ASSERT_OK(vmmap_get_info(fd, info));
}

/* The counters are root-only sysfs files now; @fd only names the object. */
void vt_stats(int fd, struct vmmap_counters *st)
{
	(void)fd;
	vt_require_driver();
	if (vmmap_read_counters(st) && errno == EACCES && geteuid() != 0)
		SKIP("the counters in " VMMAP_SYSFS "/stats need root");
	ASSERT_OK(vmmap_read_counters(st));
}

void vt_stats_log(const char *what, const struct vmmap_counters *a,
		  const struct vmmap_counters *b)
{
#define VT_D(f) ((unsigned long long)(b->f - a->f))
	LOG("%s: mmap +%llu gua +%llu open +%llu close +%llu fault +%llu map_pages +%llu mkwrite +%llu sigbus +%llu fsync +%llu cleaned +%llu resize +%llu alloc +%llu freed +%llu",
	    what, VT_D(mmap), VT_D(get_unmapped_area), VT_D(vma_open),
	    VT_D(vma_close), VT_D(fault), VT_D(map_pages), VT_D(page_mkwrite),
	    VT_D(sigbus), VT_D(fsync), VT_D(pages_cleaned), VT_D(resize),
	    VT_D(pages_allocated), VT_D(pages_freed));
#undef VT_D
}

void *vt_map(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		FAIL("mmap(%p, %zu, %#x, %#x, %d, %lld): %s", addr, len, prot,
		     flags, fd, (long long)off, strerror(errno));
	return p;
}

void vt_unmap(void *p, size_t len)
{
	ASSERT_OK(munmap(p, len));
}

void *vt_free_area(size_t len)
{
	void *p = vt_map(NULL, len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	vt_unmap(p, len);
	return p;
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
			LOG("content differs at object offset %#" PRIx64
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
			LOG("byte %zu is %#x, expected 0", i, b[i]);
			return false;
		}
	}
	return true;
}

void vt_pwrite_pat(int fd, uint64_t off, size_t len, unsigned int seed)
{
	unsigned char *buf = malloc(len);
	ssize_t n;

	ASSERT_TRUE(buf != NULL);
	vt_pat_fill(buf, len, off, seed);
	n = pwrite(fd, buf, len, (off_t)off);
	if (n < 0)
		FAIL("pwrite(%zu at %#" PRIx64 "): %s", len, off, strerror(errno));
	ASSERT_EQ(n, (ssize_t)len);
	free(buf);
}

bool vt_pread_pat_ok(int fd, uint64_t off, size_t len, unsigned int seed)
{
	unsigned char *buf = malloc(len);
	ssize_t n;
	bool ok;

	ASSERT_TRUE(buf != NULL);
	n = pread(fd, buf, len, (off_t)off);
	if (n < 0)
		FAIL("pread(%zu at %#" PRIx64 "): %s", len, off, strerror(errno));
	ASSERT_EQ(n, (ssize_t)len);
	ok = vt_pat_ok(buf, len, off, seed);
	free(buf);
	return ok;
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

	ASSERT_OK(getrusage(RUSAGE_SELF, &ru));
	return ru.ru_minflt;
}

static long vt_kb_field(const char *file, const char *field)
{
	size_t flen = strlen(field);
	char line[512];
	long v = -1;
	FILE *f;

	f = fopen(file, "r");
	if (!f)
		FAIL("open %s: %s", file, strerror(errno));
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
		FAIL("open /proc/self/maps: %s", strerror(errno));
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
		FAIL("open /proc/self/maps: %s", strerror(errno));
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
		FAIL("open /proc/self/smaps: %s", strerror(errno));
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

bool vt_smaps_flag(const void *addr, const char *flag)
{
	struct vt_flag_arg k = { flag, false, false };

	vt_smaps_scan(addr, vt_smaps_flag_fn, &k);
	if (!k.seen)
		FAIL("no VmFlags line in smaps for %p", addr);
	return k.present;
}

pid_t vt_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	return pid;
}

void vt_wait_ok(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		FAIL("waitpid(%d): %s", (int)pid, strerror(errno));
	if (WIFSIGNALED(status))
		FAIL("child %d killed by signal %d (%s)", (int)pid,
		     WTERMSIG(status), strsignal(WTERMSIG(status)));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
}

void vt_sync_init(struct vt_sync *s)
{
	ASSERT_OK(pipe(s->to_child));
	ASSERT_OK(pipe(s->to_parent));
}

pid_t vt_fork_sync(struct vt_sync *s)
{
	pid_t pid = vt_fork();

	if (pid == 0) {
		close(s->to_child[1]);
		close(s->to_parent[0]);
	} else {
		close(s->to_child[0]);
		close(s->to_parent[1]);
	}
	return pid;
}

void vt_sync_post(struct vt_sync *s, bool from_child)
{
	char c = 1;

	ASSERT_EQ(write(from_child ? s->to_parent[1] : s->to_child[1], &c, 1), 1);
}

void vt_sync_wait(struct vt_sync *s, bool in_child)
{
	ssize_t n;
	char c;

	n = read(in_child ? s->to_child[0] : s->to_parent[0], &c, 1);
	if (n != 1)
		FAIL("%s: the %s went away", in_child ? "child" : "parent",
		     in_child ? "parent" : "child");
}

/* ---- runner hooks ---- */

void vt_global_setup(void)
{
	struct vmmap_info info;
	struct utsname u;
	int fd;

	if (uname(&u) == 0)
		LOG("kernel %s %s %s", u.sysname, u.release, u.machine);
	LOG("page size %zu, PMD size %zu", vt_page(), vt_pmd());
	if (!vt_have_driver()) {
		LOG("VMMAP_TEST_FAKE=%s: driver-specific tests skip", vt_path());
		return;
	}
	fd = open(VMMAP_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		LOG("%s: %s", VMMAP_DEV, strerror(errno));
		return;
	}
	if (vmmap_get_info(fd, &info) == 0)
		LOG("vmmap abi %u, size %llu, max_size %llu, page %u, resident %llu, live_vmas %llu",
		    info.abi_version, (unsigned long long)info.object_size,
		    (unsigned long long)info.max_size, info.page_size,
		    (unsigned long long)info.resident_pages,
		    (unsigned long long)info.live_vmas);
	close(fd);
}

void vt_global_teardown(void)
{
	int fd;

	if (!vt_have_driver())
		return;
	fd = open(VMMAP_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Polite: leave the object at its default size. */
	if (vmmap_resize(fd, VT_DEFAULT_SIZE))
		LOG("restoring the default size: %s", strerror(errno));
	close(fd);
}
