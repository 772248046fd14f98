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

#include "vmmap_test.h"

#define RW (PROT_READ | PROT_WRITE)

static char out[65536];

/* Runs "vmmapctl ARGS" (stderr too); returns its exit status. */
static int ctl(struct __test_metadata *_metadata, const char *args)
{
	char cmd[512];
	size_t n = 0;
	FILE *f;
	int st;

	vt_require_driver(_metadata);
	if (system("command -v vmmapctl >/dev/null 2>&1"))
		VT_SKIP("vmmapctl is not in PATH");
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

TEST_F(vmmap, vmmapctl_info_matches_ioctl)
{
	size_t ps = vt_page();
	struct vmmap_info in;
	int fd = self->fd;

	vt_fresh(_metadata, 8 * ps);
	vt_pwrite_pat(_metadata, fd, 0, 3 * ps, 1);
	ASSERT_EQ(0, ctl(_metadata, "--json info"));
	vt_info(_metadata, fd, &in);
	EXPECT_EQ((long long)in.object_size, json_num("object_size"));
	EXPECT_EQ((long long)in.max_size, json_num("max_size"));
	EXPECT_EQ((long long)in.page_size, json_num("page_size"));
	EXPECT_EQ(3, json_num("resident_pages"));
	EXPECT_EQ(3, json_num("dirty_pages"));
	EXPECT_EQ(VMMAP_ABI_VERSION, json_num("abi_version"));
	ASSERT_EQ(0, ctl(_metadata, "info"));
	EXPECT_TRUE(strstr(out, "resident:") != NULL);
}

TEST_F(vmmap, vmmapctl_resize)
{
	size_t ps = vt_page();
	int fd = self->fd;
	char arg[64];

	vt_fresh(_metadata, 8 * ps);
	snprintf(arg, sizeof(arg), "resize %zuK", 4 * ps / 1024);
	ASSERT_EQ(0, ctl(_metadata, arg));
	EXPECT_EQ(4 * ps, vt_size(_metadata, fd));
	/* bad usage: exit 2, nothing changed */
	EXPECT_EQ(2, ctl(_metadata, "resize"));
	EXPECT_EQ(2, ctl(_metadata, "resize 12Q"));
	EXPECT_EQ(2, ctl(_metadata, "resize -4096"));
	EXPECT_EQ(2, ctl(_metadata, "frobnicate"));
	EXPECT_EQ(4 * ps, vt_size(_metadata, fd));
	/* the driver refuses: exit 1 with the errno's message */
	EXPECT_EQ(1, ctl(_metadata, "resize 4097"));
	EXPECT_TRUE(strstr(out, strerror(EINVAL)) != NULL);
	EXPECT_EQ(1, ctl(_metadata, "resize 0x7fffffffffff0000"));
	EXPECT_TRUE(strstr(out, strerror(EFBIG)) != NULL);
	EXPECT_EQ(4 * ps, vt_size(_metadata, fd));
	EXPECT_EQ(0, ctl(_metadata, "--help"));
	EXPECT_TRUE(strstr(out, "usage: vmmapctl") != NULL);
}

TEST_F(vmmap, vmmapctl_stats_and_reset)
{
	size_t ps = vt_page();
	int fd = self->fd;
	struct vmmap_counters c;
	unsigned char *p;

	vt_fresh(_metadata, 4 * ps);
	p = vt_map(_metadata, NULL, 4 * ps, RW, MAP_SHARED, fd, 0);
	vt_poke(p, 1);
	ASSERT_EQ(0, ctl(_metadata, "--json stats"));
	ASSERT_OK(vmmap_read_counters(&c));
	EXPECT_GE(json_num("fault"), 1);
	EXPECT_EQ((long long)c.pages_allocated, json_num("pages_allocated"));
	ASSERT_EQ(0, ctl(_metadata, "reset"));
	ASSERT_EQ(0, ctl(_metadata, "--json stats"));
	EXPECT_EQ(0, json_num("fault"));
	EXPECT_EQ(0, json_num("page_mkwrite"));
	vt_unmap(_metadata, p, 4 * ps);
}

TEST_F(vmmap, vmmapctl_dirty_clear)
{
	size_t ps = vt_page(), n = 16;
	int fd = self->fd;
	struct vmmap_info in;
	char arg[64];

	vt_fresh(_metadata, n * ps);
	vt_pwrite_pat(_metadata, fd, 2 * ps, 2 * ps, 5);
	vt_pwrite_pat(_metadata, fd, 9 * ps, ps, 5);
	ASSERT_EQ(0, ctl(_metadata, "--json dirty"));
	EXPECT_EQ(3, json_num("dirty_pages"));
	EXPECT_EQ((long long)(2 * ps), json_num("start"));
	EXPECT_EQ((long long)(4 * ps), json_num("end"));
	/* a range: only the second one */
	snprintf(arg, sizeof(arg), "--json dirty %zu-%zu", 8 * ps, 12 * ps);
	ASSERT_EQ(0, ctl(_metadata, arg));
	EXPECT_EQ(1, json_num("dirty_pages"));
	EXPECT_EQ((long long)(9 * ps), json_num("start"));
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(3, in.dirty_pages);		/* not cleared */
	ASSERT_EQ(0, ctl(_metadata, "dirty --clear"));
	EXPECT_TRUE(strstr(out, "3 dirty pages in 2 ranges, cleaned") != NULL);
	vt_info(_metadata, fd, &in);
	EXPECT_EQ(0, in.dirty_pages);
	EXPECT_EQ(2, ctl(_metadata, "dirty 1-2-3"));
}

/* watch: the events of a fault in another process, as JSON. */
TEST_F(vmmap, vmmapctl_watch)
{
	size_t ps = vt_page();
	int fd = vt_open(_metadata, O_RDWR), fd2;
	unsigned char *p;
	char want[32];
	pid_t pid;

	if (access("/sys/kernel/tracing/events/vmmap/enable", W_OK))
		SKIP(return, "no tracefs with vmmap events");
	vt_fresh(_metadata, 64 * ps);
	p = vt_map(_metadata, NULL, 64 * ps, RW, MAP_SHARED, fd, 0);
	/* trace_pipe starts with what is buffered: earlier tests' events */
	fd2 = open("/sys/kernel/tracing/trace", O_WRONLY | O_TRUNC);
	ASSERT_GE(fd2, 0);
	close(fd2);
	pid = vt_fork(_metadata);
	if (pid == 0) {
		/* a first write to a new page every 200 ms, until killed */
		for (size_t i = 0; i < 64; i++) {
			usleep(200 * 1000);
			vt_poke(p + i * ps, 1);
		}
		vt_child_exit(_metadata);
	}
	/* the fork's vma_open, then the child's fault and page_mkwrite */
	ASSERT_EQ(0, ctl(_metadata, "--json watch -n 3"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "\"event\":\"vmmap_fault\"") != NULL);
	EXPECT_TRUE(strstr(out, "\"event\":\"vmmap_page_mkwrite\"") != NULL);
	snprintf(want, sizeof(want), "\"pid\":%d,", (int)pid);
	EXPECT_TRUE(strstr(out, want) != NULL);
	vt_unmap(_metadata, p, 64 * ps);
}

TEST_HARNESS_MAIN
