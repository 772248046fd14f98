// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: what every process uses: stamps, reporting, faulting
 * accesses that come back as a return value, kept huge pages, and the
 * process-shared rwlock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

/* The word at object offset @off written with generation @gen. */
uint64_t stamp(uint64_t off, uint32_t gen)
{
	if (!gen)
		return 0;
	return mix64(off * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)gen << 32 | gen) ^
		     0x766d6d6170ULL) | 1;
}

void fill_stamps(uint64_t *dst, uint64_t off, size_t n, uint32_t gen)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = stamp(off + 8 * i, gen);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

__thread char who[32] = "supervisor";

/* Unbuffered stderr, shared by threads and forked workers. */
void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(2, fmt, ap);
	va_end(ap);
}

/* Count a mismatch in @ctr and in the total; print the first MAX_MSGS. */
void vmismatch(uint64_t *ctr, const char *fmt, va_list ap)
{
	char buf[512];

	ADD(ctr, 1);
	ADD(&sh->mismatches, 1);
	if (ADD(&sh->msgs, 1) > MAX_MSGS)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	say("stress: MISMATCH [%s pid %d] %s\n", who, (int)getpid(), buf);
}

void mismatch(uint64_t *ctr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmismatch(ctr, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("stress: [%s] %s\n", who, buf);
	exit(2);
}

/* An expected SIGBUS: counted in @ctr and for the kernel's sigbus counter. */
void count_sigbus(uint64_t *ctr)
{
	ADD(ctr, 1);
	ADD(&sh->sigbus_seen, 1);
}

int dev_open(int flags)
{
	int fd = open(VMMAP_DEV, flags | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", VMMAP_DEV, strerror(errno));
	return fd;
}

/* pread/pwrite that insist on the whole length; -1 with errno, or the count. */
ssize_t pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* ------------------------------------------------------------------ */
/* Faulting accesses: SIGBUS/SIGSEGV come back as a return value        */

/* volatile: the stores around the access loop must not be optimised away */
static __thread sigjmp_buf *volatile probe_jb;
static __thread volatile int probe_sig;
__thread void *volatile probe_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (probe_jb) {
		probe_sig = sig;
		probe_addr = si->si_addr;
		siglongjmp(*probe_jb, 1);
	}
	say("stress: [%s pid %d] unexpected signal %d at %p outside a probe\n",
	    who, (int)getpid(), sig, si->si_addr);
	_exit(70);
}

void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	/* SA_NODEFER: siglongjmp leaves the handler without sigprocmask. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/*
 * Copy @n words from @src to @dst, either of which may be a mapping that
 * faults; returns the signal that stopped the copy, or 0.
 */
static int probe_copy(volatile uint64_t *dst, const volatile uint64_t *src,
		      size_t n)
{
	sigjmp_buf jb;
	volatile size_t i = 0;

	if (sigsetjmp(jb, 0)) {
		probe_jb = NULL;
		return probe_sig;
	}
	probe_jb = &jb;
	barrier();
	for (; i < n; i++)
		dst[i] = src[i];
	barrier();
	probe_jb = NULL;
	return 0;
}

/* Load @n words from a mapping at @src; returns the signal or 0. */
int probe_load(const void *src, uint64_t *dst, size_t n)
{
	return probe_copy(dst, src, n);
}

/* Store @n words to a mapping at @dst; returns the signal or 0. */
int probe_store(void *dst, const uint64_t *src, size_t n)
{
	return probe_copy(dst, src, n);
}

/*
 * Dirty the page of @p without changing its data: compare-and-swap the word
 * with itself (a write access, atomic, so no racing write is undone).
 * Returns the signal or 0.
 */
int probe_redirty(void *p)
{
	volatile uint64_t *q = p;
	sigjmp_buf jb;

	if (sigsetjmp(jb, 0)) {
		probe_jb = NULL;
		return probe_sig;
	}
	probe_jb = &jb;
	barrier();
	{
		uint64_t v = __atomic_load_n(q, __ATOMIC_RELAXED);

		__atomic_compare_exchange_n(q, &v, v, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
	}
	barrier();
	probe_jb = NULL;
	return 0;
}

const char *signame(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" :
	       sig ? "signal" : "no signal";
}

/* ------------------------------------------------------------------ */
/* Huge pages kept whole by a shrink                                    */

uint64_t round_up_pmd(uint64_t x)
{
	return (x + pmd - 1) / pmd * pmd;
}

/*
 * The most pages an object of @size bytes may hold: its own, plus the tail of
 * the one huge page a shrink keeps whole when something holds a reference to
 * it (zeroed, until the object grows over it or shrinks below it).
 */
uint64_t resident_max(uint64_t size)
{
	return (huge_on ? round_up_pmd(size) : size) / ps;
}

/*
 * kept_end for @size, right after a resize to it (see struct shared): the
 * page at @size is still in the object's page cache (mincore(2) of a
 * mapping there looks it up) only if a huge page straddling the new end
 * was kept whole.
 */
uint64_t kept_of(int fd, uint64_t size)
{
	unsigned char vec = 0;
	void *p;

	if (!huge_on || size % pmd == 0)
		return size;
	p = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, (off_t)size);
	if (p == MAP_FAILED)
		die("mmap at %#" PRIx64 ": %s", size, strerror(errno));
	if (mincore(p, ps, &vec))
		die("mincore: %s", strerror(errno));
	munmap(p, ps);
	return vec & 1 ? round_up_pmd(size) : size;
}

/*
 * Data at @off past @size is allowed only where a kernel that maps a large
 * folio across i_size (6.1) may map the zeroed tail of a kept huge page.
 */
bool past_end_ok(uint64_t off, uint64_t kept, uint64_t v)
{
	return may_map_eof && off < kept && v == 0;
}

/* ------------------------------------------------------------------ */
/* The process-shared rwlock: an OFD lock, dropped when its holder dies */

int lock_open(void)
{
	int fd = open(lock_path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", lock_path, strerror(errno));
	return fd;
}

void ofd_lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 1 };

	while (fcntl(fd, F_OFD_SETLKW, &fl))
		if (errno != EINTR)
			die("F_OFD_SETLKW: %s", strerror(errno));
}

/* Readers yield to a pending wipe (fcntl locks would let them starve it). */
void rd_lock(int fd)
{
	for (;;) {
		while (LOAD(&sh->wipe))
			msleep(1);
		ofd_lock(fd, F_RDLCK);
		if (!LOAD(&sh->wipe))
			return;
		ofd_lock(fd, F_UNLCK);
	}
}

void wr_lock(int fd)
{
	STORE(&sh->wipe, 1);
	ofd_lock(fd, F_WRLCK);
}

void wr_unlock(int fd)
{
	STORE(&sh->wipe, 0);
	ofd_lock(fd, F_UNLCK);
}

