// SPDX-License-Identifier: GPL-2.0
/*
 * vmmapctl, the command-line tool (userspace/vmmapctl.c), run as a user
 * would: its output agrees with the ioctls, it changes what it says it
 * changes, bad usage exits 2 and changes nothing, a failure exits 1 with a
 * message. SKIPs where vmmapctl is not in PATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define RW (PROT_READ | PROT_WRITE)

static char out[65536];

/* Runs "vmmapctl ARGS" (stderr too); returns its exit status. */
static int ctl(const char *args)
{
	char cmd[512];
	size_t n = 0;
	FILE *f;
	int st;

	vt_require_driver();
	if (system("command -v vmmapctl >/dev/null 2>&1"))
		SKIP("vmmapctl is not in PATH");
	snprintf(cmd, sizeof(cmd), "vmmapctl %s 2>&1", args);
	f = popen(cmd, "r");
	if (!f)
		FAIL("popen %s: %s", cmd, strerror(errno));
	while (n < sizeof(out) - 1 && fgets(out + n, sizeof(out) - n, f))
		n += strlen(out + n);
	out[n] = 0;
	st = pclose(f);
	if (!WIFEXITED(st))
		FAIL("%s: did not exit (status %#x)", cmd, st);
	return WEXITSTATUS(st);
}

/* The number after "\"key\":" in out, or -1. */
static long long json_num(const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(out, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

TEST(vmmapctl_info_matches_ioctl)
{
	size_t ps = vt_page();
	struct vmmap_info in;
	int fd = vt_open(O_RDWR);

	vt_fresh(8 * ps);
	vt_pwrite_pat(fd, 0, 3 * ps, 1);
	ASSERT_EQ(ctl("--json info"), 0);
	vt_info(fd, &in);
	EXPECT_EQ(json_num("object_size"), (long long)in.object_size);
	EXPECT_EQ(json_num("max_size"), (long long)in.max_size);
	EXPECT_EQ(json_num("page_size"), (long long)in.page_size);
	EXPECT_EQ(json_num("resident_pages"), 3);
	EXPECT_EQ(json_num("dirty_pages"), 3);
	EXPECT_EQ(json_num("abi_version"), VMMAP_ABI_VERSION);
	ASSERT_EQ(ctl("info"), 0);
	EXPECT_TRUE(strstr(out, "resident:") != NULL);
}

TEST(vmmapctl_resize)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	char arg[64];

	vt_fresh(8 * ps);
	snprintf(arg, sizeof(arg), "resize %zuK", 4 * ps / 1024);
	ASSERT_EQ(ctl(arg), 0);
	EXPECT_EQ(vt_size(fd), 4 * ps);
	/* bad usage: exit 2, nothing changed */
	EXPECT_EQ(ctl("resize"), 2);
	EXPECT_EQ(ctl("resize 12Q"), 2);
	EXPECT_EQ(ctl("resize -4096"), 2);
	EXPECT_EQ(ctl("frobnicate"), 2);
	EXPECT_EQ(vt_size(fd), 4 * ps);
	/* the driver refuses: exit 1 with the errno's message */
	EXPECT_EQ(ctl("resize 4097"), 1);
	EXPECT_TRUE(strstr(out, strerror(EINVAL)) != NULL);
	EXPECT_EQ(ctl("resize 0x7fffffffffff0000"), 1);
	EXPECT_TRUE(strstr(out, strerror(EFBIG)) != NULL);
	EXPECT_EQ(vt_size(fd), 4 * ps);
	EXPECT_EQ(ctl("--help"), 0);
	EXPECT_TRUE(strstr(out, "usage: vmmapctl") != NULL);
}

TEST(vmmapctl_stats_and_reset)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR);
	struct vmmap_counters c;
	unsigned char *p;

	vt_fresh(4 * ps);
	p = vt_map(NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	ASSERT_EQ(ctl("--json stats"), 0);
	ASSERT_OK(vmmap_read_counters(&c));
	EXPECT_GE(json_num("fault"), 1);
	EXPECT_EQ(json_num("pages_allocated"), (long long)c.pages_allocated);
	ASSERT_EQ(ctl("reset"), 0);
	ASSERT_EQ(ctl("--json stats"), 0);
	EXPECT_EQ(json_num("fault"), 0);
	EXPECT_EQ(json_num("page_mkwrite"), 0);
	vt_unmap(p, 4 * ps);
}

TEST(vmmapctl_dirty_clear)
{
	size_t ps = vt_page(), n = 16;
	int fd = vt_open(O_RDWR);
	struct vmmap_info in;
	char arg[64];

	vt_fresh(n * ps);
	vt_pwrite_pat(fd, 2 * ps, 2 * ps, 5);
	vt_pwrite_pat(fd, 9 * ps, ps, 5);
	ASSERT_EQ(ctl("--json dirty"), 0);
	EXPECT_EQ(json_num("dirty_pages"), 3);
	EXPECT_EQ(json_num("start"), (long long)(2 * ps));
	EXPECT_EQ(json_num("end"), (long long)(4 * ps));
	/* a range: only the second one */
	snprintf(arg, sizeof(arg), "--json dirty %zu-%zu", 8 * ps, 12 * ps);
	ASSERT_EQ(ctl(arg), 0);
	EXPECT_EQ(json_num("dirty_pages"), 1);
	EXPECT_EQ(json_num("start"), (long long)(9 * ps));
	vt_info(fd, &in);
	EXPECT_EQ(in.dirty_pages, 3);		/* not cleared */
	ASSERT_EQ(ctl("dirty --clear"), 0);
	EXPECT_TRUE(strstr(out, "3 dirty pages in 2 ranges, cleaned") != NULL);
	vt_info(fd, &in);
	EXPECT_EQ(in.dirty_pages, 0);
	EXPECT_EQ(ctl("dirty 1-2-3"), 2);
}

/* watch: the events of a fault in another process, as JSON. */
TEST(vmmapctl_watch)
{
	size_t ps = vt_page();
	int fd = vt_open(O_RDWR), fd2;
	unsigned char *p;
	char want[32];
	pid_t pid;

	if (access("/sys/kernel/tracing/events/vmmap/enable", W_OK))
		SKIP("no tracefs with vmmap events");
	vt_fresh(64 * ps);
	p = vt_map(NULL, 64 * ps, RW, MAP_SHARED, fd, 0);
	/* trace_pipe starts with what is buffered: earlier tests' events */
	fd2 = open("/sys/kernel/tracing/trace", O_WRONLY | O_TRUNC);
	ASSERT_GE(fd2, 0);
	close(fd2);
	pid = vt_fork();
	if (pid == 0) {
		/* a first write to a new page every 200 ms, until killed */
		for (size_t i = 0; i < 64; i++) {
			usleep(200 * 1000);
			vt_poke(p + i * ps, 1);
		}
		vt_child_exit();
	}
	/* the fork's vma_open, then the child's fault and page_mkwrite */
	ASSERT_EQ(ctl("--json watch -n 3"), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	LOG("%s", out);
	EXPECT_TRUE(strstr(out, "\"event\":\"vmmap_fault\"") != NULL);
	EXPECT_TRUE(strstr(out, "\"event\":\"vmmap_page_mkwrite\"") != NULL);
	snprintf(want, sizeof(want), "\"pid\":%d,", (int)pid);
	EXPECT_TRUE(strstr(out, want) != NULL);
	vt_unmap(p, 64 * ps);
}
