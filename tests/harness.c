// SPDX-License-Identifier: GPL-2.0
/*
 * The runner behind harness.h: registration, option parsing, one forked
 * child per test, timeouts, TAP output. See harness.h for the interface.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define VT_DEFAULT_TIMEOUT	60
#define VT_MAX_SELECT		64

/* State a test (and anything it forks) shares with the runner. */
struct vt_shared {
	volatile int failed;
	volatile int skipped;
	char reason[256];
	volatile int sig_code;		/* from a VT_CATCH copy */
	void *volatile sig_addr;
};

/* A VT_CATCH copy that died of signal s exits with VT_CATCH_EXIT + s. */
#define VT_CATCH_EXIT	64

static struct vt_shared *vt_sh;
static struct vt_test *vt_head;
static unsigned int vt_ntests;

sigjmp_buf vt_sig_jmp;
volatile sig_atomic_t vt_sig_caught;
volatile int vt_sig_code;
void *volatile vt_sig_addr;
static volatile sig_atomic_t vt_sig_armed;

static volatile sig_atomic_t vt_alarm_fired;
static volatile sig_atomic_t vt_interrupted;
static volatile pid_t vt_current_child;

void vt_register(struct vt_test *t)
{
	t->next = vt_head;
	vt_head = t;
	vt_ntests++;
}

/* ---- reports (run in the test child) ---- */

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

void vt_fail_mark(void)
{
	if (vt_sh)
		vt_sh->failed = 1;
}

bool vt_failed(void)
{
	return vt_sh && vt_sh->failed;
}

void vt_abort(void)
{
	vt_fail_mark();
	fflush(stdout);
	_exit(VT_EXIT_FAIL);
}

void vt_child_exit(void)
{
	fflush(stdout);
	_exit(vt_failed() ? VT_EXIT_FAIL : VT_EXIT_PASS);
}

void vt_skip(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	if (vt_sh) {
		va_start(ap, fmt);
		vsnprintf(vt_sh->reason, sizeof(vt_sh->reason), fmt, ap);
		va_end(ap);
		vt_sh->skipped = 1;
	}
	fflush(stdout);
	_exit(vt_failed() ? VT_EXIT_FAIL : VT_EXIT_SKIP);
}

void vt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	vt_abort();
}

int vt_cmp(struct vt_val a, struct vt_val b)
{
	bool aneg = a.sgn && a.s < 0, bneg = b.sgn && b.s < 0;

	if (aneg && bneg)
		return a.s < b.s ? -1 : a.s > b.s;
	if (aneg)
		return -1;
	if (bneg)
		return 1;
	return a.u < b.u ? -1 : a.u > b.u;
}

static void vt_fmt_val(char *buf, size_t n, struct vt_val v)
{
	if (v.sgn && v.s < 0)
		snprintf(buf, n, "%jd", v.s);
	else if (v.u > 4096)
		snprintf(buf, n, "%ju (0x%jx)", v.u, v.u);
	else
		snprintf(buf, n, "%ju", v.u);
}

void vt_report_cmp(const char *file, int line, const char *kind,
		   const char *ea, const char *eb,
		   struct vt_val a, struct vt_val b)
{
	char va[64], vb[64];

	vt_fmt_val(va, sizeof(va), a);
	vt_fmt_val(vb, sizeof(vb), b);
	printf("# %s:%d: %s(%s, %s) failed\n#   %s = %s\n#   %s = %s\n",
	       file, line, kind, ea, eb, ea, va, eb, vb);
	vt_fail_mark();
}

void vt_report_bool(const char *file, int line, const char *kind,
		    const char *expr)
{
	printf("# %s:%d: %s(%s) failed\n", file, line, kind, expr);
	vt_fail_mark();
}

void vt_report_errno(const char *file, int line, const char *kind,
		     const char *expr, intmax_t ret, int got, int want,
		     const char *wantname)
{
	if (ret != -1)
		printf("# %s:%d: %s: %s returned %jd, expected -1 with %s\n",
		       file, line, kind, expr, ret, wantname);
	else
		printf("# %s:%d: %s: %s failed with errno %d (%s), expected %s (%s)\n",
		       file, line, kind, expr, got, strerror(got), wantname,
		       strerror(want));
	vt_fail_mark();
}

void vt_report_ok(const char *file, int line, const char *kind,
		  const char *expr, int err)
{
	printf("# %s:%d: %s: %s failed: errno %d (%s)\n",
	       file, line, kind, expr, err, strerror(err));
	vt_fail_mark();
}

void vt_report_signal(const char *file, int line, const char *kind,
		      const char *stmt, int got, int want)
{
	printf("# %s:%d: %s: %s: got %s, expected %s\n", file, line, kind,
	       stmt, got ? strsignal(got) : "no signal",
	       want ? strsignal(want) : "no signal");
	if (got)
		printf("#   si_addr %p si_code %d\n", vt_sig_addr, vt_sig_code);
	vt_fail_mark();
}

/* ---- SIGBUS / SIGSEGV catching ---- */

static void vt_sig_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!vt_sig_armed) {
		/* Not expected: die of it, so the runner reports the signal. */
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

static void vt_catch_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (vt_sh) {
		vt_sh->sig_code = si->si_code;
		vt_sh->sig_addr = si->si_addr;
	}
	_exit(VT_CATCH_EXIT + sig);
}

pid_t vt_catch_fork(void)
{
	struct sigaction sa;
	pid_t pid;

	fflush(stdout);
	if (vt_sh) {
		vt_sh->sig_code = 0;
		vt_sh->sig_addr = NULL;
	}
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		vt_abort();
	}
	if (pid == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = vt_catch_handler;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);
	}
	return pid;
}

void vt_catch_done(void)
{
	fflush(stdout);
	_exit(0);
}

int vt_catch_wait(pid_t pid, const char *file, int line, const char *stmt)
{
	int status, code;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			printf("# %s:%d: waitpid: %s\n", file, line,
			       strerror(errno));
			vt_abort();
		}
	}
	vt_sig_code = vt_sh ? vt_sh->sig_code : 0;
	vt_sig_addr = vt_sh ? vt_sh->sig_addr : NULL;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	code = WEXITSTATUS(status);
	if (code == 0)
		return 0;
	if (code > VT_CATCH_EXIT && code < VT_CATCH_EXIT + 65)
		return code - VT_CATCH_EXIT;
	printf("# %s:%d: %s: its process exited with status %d\n", file,
	       line, stmt, code);
	vt_fail_mark();
	return -1;
}

/* ---- runner ---- */

static void vt_on_alarm(int sig)
{
	(void)sig;
	vt_alarm_fired = 1;
}

static void vt_on_interrupt(int sig)
{
	pid_t pid = vt_current_child;

	vt_interrupted = sig;
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
}

static int vt_cmp_tests(const void *a, const void *b)
{
	const struct vt_test *x = *(struct vt_test *const *)a;
	const struct vt_test *y = *(struct vt_test *const *)b;
	int r = strcmp(x->file, y->file);

	return r ? r : x->line - y->line;
}

enum vt_result { VT_PASS, VT_FAIL, VT_SKIP };

static enum vt_result vt_run_one(struct vt_test *t, unsigned int timeout)
{
	int status = 0, code;
	pid_t pid, r;

	memset(vt_sh, 0, sizeof(*vt_sh));
	printf("# RUN %s\n", t->name);
	fflush(stdout);

	pid = fork();
	if (pid < 0) {
		printf("# %s: fork: %s\n", t->name, strerror(errno));
		return VT_FAIL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGALRM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		t->fn();
		vt_child_exit();
	}
	setpgid(pid, pid);	/* either side may win the race; both are fine */
	vt_current_child = pid;
	vt_alarm_fired = 0;
	alarm(timeout);
	for (;;) {
		r = waitpid(pid, &status, 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			printf("# %s: waitpid: %s\n", t->name, strerror(errno));
			break;
		}
		if (vt_alarm_fired || vt_interrupted) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	alarm(0);
	vt_current_child = 0;
	/* Anything the test forked and left behind goes with it. */
	if (kill(-pid, SIGKILL) == 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}

	if (vt_alarm_fired) {
		printf("# %s: timed out after %u s\n", t->name, timeout);
		return VT_FAIL;
	}
	if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d (%s)\n", t->name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		return VT_FAIL;
	}
	if (!WIFEXITED(status)) {
		printf("# %s: unexpected wait status 0x%x\n", t->name, status);
		return VT_FAIL;
	}
	code = WEXITSTATUS(status);
	if (code != VT_EXIT_PASS && code != VT_EXIT_FAIL && code != VT_EXIT_SKIP) {
		printf("# %s: exited with unexpected status %d\n", t->name, code);
		return VT_FAIL;
	}
	if (code == VT_EXIT_FAIL || vt_sh->failed)
		return VT_FAIL;
	return code == VT_EXIT_SKIP ? VT_SKIP : VT_PASS;
}

static void vt_usage(const char *prog)
{
	printf("usage: %s [-l] [-t name]... [-x name]... [-T seconds]\n"
	       "  -l          list the tests\n"
	       "  -t name     run only this test (a shell pattern; repeatable)\n"
	       "  -x name     leave this test out (a shell pattern; repeatable)\n"
	       "  -T seconds  default per-test timeout (default %d, or\n"
	       "              $VMMAP_TEST_TIMEOUT)\n"
	       "Exit status: 0 all passed, 1 a failure, 4 all skipped.\n",
	       prog, VT_DEFAULT_TIMEOUT);
}

static bool vt_selected(const struct vt_test *t, char **pats, int npats,
			char **xpats, int nxpats)
{
	int i;

	for (i = 0; i < nxpats; i++)
		if (fnmatch(xpats[i], t->name, 0) == 0)
			return false;
	if (!npats)
		return true;
	for (i = 0; i < npats; i++)
		if (fnmatch(pats[i], t->name, 0) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	unsigned int timeout = VT_DEFAULT_TIMEOUT, n = 0, i, num = 0;
	unsigned int pass = 0, fail = 0, skip = 0;
	char *pats[VT_MAX_SELECT], *xpats[VT_MAX_SELECT];
	struct vt_test **all, **sel, *t;
	struct sigaction sa;
	int npats = 0, nxpats = 0, opt, j;
	bool list = false;
	const char *env;

	env = getenv("VMMAP_TEST_TIMEOUT");
	if (env && atoi(env) > 0)
		timeout = atoi(env);
	while ((opt = getopt(argc, argv, "hlt:x:T:")) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 't':
			if (npats == VT_MAX_SELECT) {
				fprintf(stderr, "too many -t options\n");
				return 2;
			}
			pats[npats++] = optarg;
			break;
		case 'x':
			if (nxpats == VT_MAX_SELECT) {
				fprintf(stderr, "too many -x options\n");
				return 2;
			}
			xpats[nxpats++] = optarg;
			break;
		case 'T':
			if (atoi(optarg) <= 0) {
				fprintf(stderr, "bad timeout: %s\n", optarg);
				return 2;
			}
			timeout = atoi(optarg);
			break;
		case 'h':
			vt_usage(argv[0]);
			return 0;
		default:
			vt_usage(argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		vt_usage(argv[0]);
		return 2;
	}

	all = calloc(vt_ntests + 1, sizeof(*all));
	sel = calloc(vt_ntests + 1, sizeof(*sel));
	if (!all || !sel)
		return 2;
	for (t = vt_head, i = 0; t; t = t->next)
		all[i++] = t;
	qsort(all, vt_ntests, sizeof(*all), vt_cmp_tests);
	for (i = 0; i + 1 < vt_ntests; i++)
		for (j = i + 1; j < (int)vt_ntests; j++)
			if (!strcmp(all[i]->name, all[j]->name)) {
				fprintf(stderr, "duplicate test name %s (%s, %s)\n",
					all[i]->name, all[i]->file, all[j]->file);
				return 2;
			}

	for (i = 0; i < vt_ntests; i++)
		if (vt_selected(all[i], pats, npats, xpats, nxpats))
			sel[n++] = all[i];
	if (list) {
		for (i = 0; i < n; i++)
			printf("%s\n", sel[i]->name);
		return 0;
	}
	if (npats && !n) {
		fprintf(stderr, "no test matches\n");
		return 2;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	vt_sh = mmap(NULL, sizeof(*vt_sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vt_sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = vt_on_alarm;	/* no SA_RESTART: interrupt waitpid */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = vt_on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	printf("TAP version 13\n1..%u\n", n);
	if (vt_global_setup)
		vt_global_setup();
	for (i = 0; i < n && !vt_interrupted; i++) {
		t = sel[i];
		num++;
		switch (vt_run_one(t, t->timeout ? t->timeout : timeout)) {
		case VT_PASS:
			pass++;
			printf("ok %u - %s\n", num, t->name);
			break;
		case VT_SKIP:
			skip++;
			printf("ok %u - %s # SKIP %s\n", num, t->name,
			       vt_sh->reason[0] ? vt_sh->reason : "");
			break;
		case VT_FAIL:
			fail++;
			printf("not ok %u - %s\n", num, t->name);
			break;
		}
	}
	for (; i < n; i++) {
		fail++;
		printf("not ok %u - %s # interrupted\n", ++num, sel[i]->name);
	}
	if (vt_global_teardown)
		vt_global_teardown();
	printf("# totals: pass:%u fail:%u skip:%u\n", pass, fail, skip);
	fflush(stdout);
	if (fail)
		return VT_EXIT_FAIL;
	return pass ? VT_EXIT_PASS : VT_EXIT_SKIP;
}
