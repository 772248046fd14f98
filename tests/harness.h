/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small kselftest-like test harness for the vmmap userspace tests.
 *
 * TEST(name) { ... } defines and registers a test. Every test runs in a
 * forked child that leads its own process group, under a timeout; the parent
 * prints TAP 13 ("ok N - name", "not ok N - name", "ok N - name # SKIP why")
 * and a closing "# totals:" line. Exit status: 0 all passed (skips allowed),
 * 1 any failure, 4 every test skipped. Options: -l lists, -t pattern runs
 * the matching tests (repeatable), -T seconds sets the default timeout.
 *
 *   ASSERT_xx(a, b)       compare, end the test on failure
 *   EXPECT_xx(a, b)       compare, record a failure and go on
 *                         (xx: EQ NE LT LE GT GE; also TRUE(x), FALSE(x))
 *   ASSERT_OK(expr)       expr must not return -1 (or MAP_FAILED)
 *   ASSERT_ERRNO(expr, e) expr must return -1 (or MAP_FAILED) with errno e
 *   ASSERT_SIGNAL(sig, statement)  the statement must raise sig (SIGBUS or
 *                         SIGSEGV); it runs in a forked copy of the test
 *                         process, see VT_CATCH below (VT_CATCH_HERE
 *                         catches in the test process itself)
 *   ASSERT_NO_SIGNAL(statement), EXPECT_SIGNAL, EXPECT_NO_SIGNAL
 *   SKIP(fmt, ...)        end the test as skipped (missing feature only)
 *   FAIL(fmt, ...)        end the test as failed
 *   LOG(fmt, ...)         print a "# " diagnostic line
 *
 * Failures recorded in a process the test forked are seen by the runner too
 * (the failure flag lives in shared memory); such a process must end with
 * _exit(), or vt_child_exit().
 *
 * Values are compared as integers with their own signedness, so comparing a
 * __u64 with a literal or a ssize_t with -1 does what it says. Pointers are
 * compared as addresses (LP64 targets only).
 */
#ifndef VMMAP_TESTS_HARNESS_H
#define VMMAP_TESTS_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define VT_EXIT_PASS	0
#define VT_EXIT_FAIL	1
#define VT_EXIT_SKIP	4

struct vt_test {
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
	unsigned int timeout;		/* seconds, 0: the default */
	struct vt_test *next;
};

void vt_register(struct vt_test *t);

#define VT_DEFINE_TEST(tname, secs)					\
	static void vt_body_##tname(void);				\
	static struct vt_test vt_desc_##tname = {			\
		.name = #tname, .fn = vt_body_##tname,			\
		.file = __FILE__, .line = __LINE__, .timeout = (secs),	\
	};								\
	__attribute__((constructor)) static void vt_reg_##tname(void)	\
	{								\
		vt_register(&vt_desc_##tname);				\
	}								\
	static void vt_body_##tname(void)

#define TEST(tname)			VT_DEFINE_TEST(tname, 0)
#define TEST_TIMEOUT(tname, secs)	VT_DEFINE_TEST(tname, secs)

/* Optional hooks, run by the runner (the parent) before and after all tests. */
void vt_global_setup(void) __attribute__((weak));
void vt_global_teardown(void) __attribute__((weak));

/* ---- values and reports ---- */

struct vt_val {
	int sgn;
	intmax_t s;
	uintmax_t u;
};

#define VT_IS_SIGNED(v) \
	((__typeof__(v))(intptr_t)-1 < (__typeof__(v))1)
/*
 * Pointers go through uintptr_t, so that comparing them builds warning-free
 * on 32-bit targets too (a pointer cast straight to a wider integer warns).
 * __builtin_choose_expr keeps the cast out of the integer case, where it
 * would truncate 64-bit values.
 */
#define VT_SCALAR(v) \
	__builtin_choose_expr(__builtin_classify_type(v) == 5, (uintptr_t)(v), (v))
/* The same, signed, so that MAP_FAILED reads as -1 (expr evaluated once). */
#define VT_SSCALAR(v) \
	__builtin_choose_expr(__builtin_classify_type(v) == 5, (intptr_t)(v), (v))
#define VT_VAL(v) \
	((struct vt_val){ VT_IS_SIGNED(v), (intmax_t)VT_SCALAR(v), \
			  (uintmax_t)VT_SCALAR(v) })

int vt_cmp(struct vt_val a, struct vt_val b);
void vt_report_cmp(const char *file, int line, const char *kind,
		   const char *ea, const char *eb,
		   struct vt_val a, struct vt_val b);
void vt_report_bool(const char *file, int line, const char *kind,
		    const char *expr);
void vt_report_errno(const char *file, int line, const char *kind,
		     const char *expr, intmax_t ret, int got, int want,
		     const char *wantname);
void vt_report_ok(const char *file, int line, const char *kind,
		  const char *expr, int err);
void vt_report_signal(const char *file, int line, const char *kind,
		      const char *stmt, int got, int want);

void vt_fail_mark(void);
void vt_abort(void) __attribute__((noreturn));
void vt_skip(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void vt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void vt_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool vt_failed(void);
void vt_child_exit(void) __attribute__((noreturn));

#define VT_CMP(fatal, kind, a, op, b) do {				\
	__typeof__(a) vt_a_ = (a);					\
	__typeof__(b) vt_b_ = (b);					\
	struct vt_val vt_xa_ = VT_VAL(vt_a_);				\
	struct vt_val vt_xb_ = VT_VAL(vt_b_);				\
	if (!(vt_cmp(vt_xa_, vt_xb_) op 0)) {				\
		vt_report_cmp(__FILE__, __LINE__, kind, #a, #b,		\
			      vt_xa_, vt_xb_);				\
		if (fatal)						\
			vt_abort();					\
	}								\
} while (0)

#define ASSERT_EQ(a, b)	VT_CMP(1, "ASSERT_EQ", a, ==, b)
#define ASSERT_NE(a, b)	VT_CMP(1, "ASSERT_NE", a, !=, b)
#define ASSERT_LT(a, b)	VT_CMP(1, "ASSERT_LT", a, <, b)
#define ASSERT_LE(a, b)	VT_CMP(1, "ASSERT_LE", a, <=, b)
#define ASSERT_GT(a, b)	VT_CMP(1, "ASSERT_GT", a, >, b)
#define ASSERT_GE(a, b)	VT_CMP(1, "ASSERT_GE", a, >=, b)
#define EXPECT_EQ(a, b)	VT_CMP(0, "EXPECT_EQ", a, ==, b)
#define EXPECT_NE(a, b)	VT_CMP(0, "EXPECT_NE", a, !=, b)
#define EXPECT_LT(a, b)	VT_CMP(0, "EXPECT_LT", a, <, b)
#define EXPECT_LE(a, b)	VT_CMP(0, "EXPECT_LE", a, <=, b)
#define EXPECT_GT(a, b)	VT_CMP(0, "EXPECT_GT", a, >, b)
#define EXPECT_GE(a, b)	VT_CMP(0, "EXPECT_GE", a, >=, b)

#define VT_BOOL(fatal, kind, x, want) do {				\
	if ((bool)(x) != (bool)(want)) {					\
		vt_report_bool(__FILE__, __LINE__, kind, #x);		\
		if (fatal)						\
			vt_abort();					\
	}								\
} while (0)

#define ASSERT_TRUE(x)	VT_BOOL(1, "ASSERT_TRUE", x, 1)
#define ASSERT_FALSE(x)	VT_BOOL(1, "ASSERT_FALSE", x, 0)
#define EXPECT_TRUE(x)	VT_BOOL(0, "EXPECT_TRUE", x, 1)
#define EXPECT_FALSE(x)	VT_BOOL(0, "EXPECT_FALSE", x, 0)

/* A system call (or mmap) that must fail with -1 (MAP_FAILED) and errno e. */
#define VT_ERRNO(fatal, kind, expr, e) do {				\
	intmax_t vt_r_;							\
	int vt_e_;							\
	errno = 0;							\
	vt_r_ = (intmax_t)VT_SSCALAR(expr);					\
	vt_e_ = errno;							\
	if (vt_r_ != -1 || vt_e_ != (e)) {				\
		vt_report_errno(__FILE__, __LINE__, kind, #expr, vt_r_,	\
				vt_e_, (e), #e);			\
		if (fatal)						\
			vt_abort();					\
	}								\
} while (0)

#define ASSERT_ERRNO(expr, e)	VT_ERRNO(1, "ASSERT_ERRNO", expr, e)
#define EXPECT_ERRNO(expr, e)	VT_ERRNO(0, "EXPECT_ERRNO", expr, e)

/* A system call (or mmap) that must succeed: not -1, not MAP_FAILED. */
#define VT_OK(fatal, kind, expr) do {					\
	intmax_t vt_r_;							\
	int vt_e_;							\
	errno = 0;							\
	vt_r_ = (intmax_t)VT_SSCALAR(expr);					\
	vt_e_ = errno;							\
	if (vt_r_ == -1) {						\
		vt_report_ok(__FILE__, __LINE__, kind, #expr, vt_e_);	\
		if (fatal)						\
			vt_abort();					\
	}								\
} while (0)

#define ASSERT_OK(expr)	VT_OK(1, "ASSERT_OK", expr)
#define EXPECT_OK(expr)	VT_OK(0, "EXPECT_OK", expr)

#define SKIP(...)	vt_skip(__FILE__, __LINE__, __VA_ARGS__)
#define FAIL(...)	vt_fail(__FILE__, __LINE__, __VA_ARGS__)
#define LOG(...)	vt_log(__VA_ARGS__)

/* ---- catching SIGBUS / SIGSEGV ---- */

/* Of the last signal caught by ASSERT_SIGNAL & co or vt_catch_*(). */
extern volatile int vt_sig_code;		/* si_code */
extern void *volatile vt_sig_addr;		/* si_addr */

/*
 * ASSERT_SIGNAL(sig, statement) runs the statement in a forked copy of the
 * test process and evaluates to the signal it died of. A fork (and not
 * sigsetjmp in the test function) keeps every local of the test intact and
 * -Wclobbered quiet; the price is that the statement's effects on private
 * memory stay in the copy (MAP_SHARED memory and the object are shared, so a
 * write there is seen), and the object's VMA counters see a fork and an
 * exit. vt_sig_code and vt_sig_addr are filled in from the copy.
 */
pid_t vt_catch_fork(void);
void vt_catch_done(void) __attribute__((noreturn));
int vt_catch_wait(pid_t pid, const char *file, int line, const char *stmt);

#define VT_CATCH(stmt) __extension__ ({					\
	pid_t vt_pid_ = vt_catch_fork();				\
	if (vt_pid_ == 0) {						\
		stmt;							\
		vt_catch_done();					\
	}								\
	vt_catch_wait(vt_pid_, __FILE__, __LINE__, #stmt);		\
})

/*
 * In-process variant for small helpers: the statement runs here and the
 * test goes on after the faulting instruction (siglongjmp). Use it only in
 * a function with no other live locals (see vt_try_read() in common.c).
 */
extern sigjmp_buf vt_sig_jmp;
extern volatile sig_atomic_t vt_sig_caught;
void vt_sig_arm(void);
void vt_sig_disarm(void);

#define VT_CATCH_HERE(stmt) __extension__ ({				\
	vt_sig_caught = 0;						\
	if (sigsetjmp(vt_sig_jmp, 1) == 0) {				\
		vt_sig_arm();						\
		stmt;							\
	}								\
	vt_sig_disarm();						\
	(int)vt_sig_caught;						\
})

#define VT_SIGNAL(fatal, kind, sig, stmt) do {				\
	int vt_got_ = VT_CATCH(stmt);					\
	if (vt_got_ != (sig)) {						\
		vt_report_signal(__FILE__, __LINE__, kind, #stmt,	\
				 vt_got_, (sig));			\
		if (fatal)						\
			vt_abort();					\
	}								\
} while (0)

#define ASSERT_SIGNAL(sig, stmt)	VT_SIGNAL(1, "ASSERT_SIGNAL", sig, stmt)
#define EXPECT_SIGNAL(sig, stmt)	VT_SIGNAL(0, "EXPECT_SIGNAL", sig, stmt)
#define ASSERT_NO_SIGNAL(stmt)		VT_SIGNAL(1, "ASSERT_NO_SIGNAL", 0, stmt)
#define EXPECT_NO_SIGNAL(stmt)		VT_SIGNAL(0, "EXPECT_NO_SIGNAL", 0, stmt)

#endif
