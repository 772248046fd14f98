// SPDX-License-Identifier: GPL-2.0
/*
 * vmmapctl: inspect and control /dev/vmmap (see vmmapctl.1).
 *
 *   vmmapctl [-d DEVICE] [-j|--json] COMMAND [ARG...]
 *     info                        size, residency, dirtiness, mappings
 *     resize SIZE                 set the size (K, M, G suffixes)
 *     stats                       the driver's event counters (root)
 *     reset                       reset those counters (root)
 *     dirty [-c|--clear] [RANGE]  dirty ranges, whole folios; RANGE is
 *                                 START[+LENGTH] or START-END (bytes)
 *     watch [-n COUNT]            live handler events from tracefs (root)
 *
 * Exit status: 0 done, 1 the operation failed (the message says why),
 * 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvmmap.h"

#define EXIT_USAGE 2
#define TRACEFS "/sys/kernel/tracing"
#define TRACEFS_OLD "/sys/kernel/debug/tracing"

static const char *dev = VMMAP_DEV;
static bool json;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmmapctl [-d DEVICE] [-j|--json] COMMAND [ARG...]\n"
		"  info                        size, residency, dirtiness, mappings\n"
		"  resize SIZE                 set the object's size (bytes; K, M, G)\n"
		"  stats                       the driver's event counters (root)\n"
		"  reset                       reset the counters (root)\n"
		"  dirty [-c|--clear] [RANGE]  dirty ranges (whole folios); RANGE is\n"
		"                              START[+LENGTH] or START-END, in bytes\n"
		"  watch [-n COUNT]            live handler events from tracefs (root)\n"
		"  -d DEVICE  the device node (default " VMMAP_DEV ")\n"
		"  -j, --json machine-readable output, one JSON object per line\n"
		"exit status: 0 done, 1 failed, 2 bad usage\n");
}

static int fail(const char *what)
{
	fprintf(stderr, "vmmapctl: %s: %s\n", what, strerror(errno));
	return 1;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "vmmapctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return EXIT_USAGE;
}

/* A byte count: decimal or 0x hex, optionally K, M or G (binary). */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int open_dev(int flags)
{
	int fd = open(dev, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "vmmapctl: %s: %s\n", dev, strerror(errno));
	return fd;
}

static int cmd_info(void)
{
	struct vmmap_info in;
	int fd = open_dev(O_RDONLY);

	if (fd < 0)
		return 1;
	if (vmmap_get_info(fd, &in))
		return fail("VMMAP_IOC_GET_INFO");
	close(fd);
	if (json) {
		printf("{\"abi_version\":%u,\"object_size\":%" PRIu64
		       ",\"max_size\":%" PRIu64 ",\"page_size\":%u"
		       ",\"max_folio_size\":%" PRIu64 ",\"huge\":%s"
		       ",\"resident_pages\":%" PRIu64 ",\"dirty_pages\":%" PRIu64
		       ",\"live_vmas\":%" PRIu64 "}\n",
		       in.abi_version, (uint64_t)in.object_size,
		       (uint64_t)in.max_size, in.page_size,
		       (uint64_t)in.max_folio_size,
		       in.flags & VMMAP_INFO_HUGE ? "true" : "false",
		       (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages,
		       (uint64_t)in.live_vmas);
		return 0;
	}
	printf("size:            %" PRIu64 " bytes (max %" PRIu64 ")\n"
	       "page size:       %u bytes; folios up to %" PRIu64 " bytes%s\n"
	       "resident:        %" PRIu64 " pages\n"
	       "dirty:           %" PRIu64 " pages\n"
	       "mapped by:       %" PRIu64 " VMAs\n"
	       "ABI version:     %u\n",
	       (uint64_t)in.object_size, (uint64_t)in.max_size, in.page_size,
	       (uint64_t)in.max_folio_size,
	       in.flags & VMMAP_INFO_HUGE ? " (huge pages on)" : "",
	       (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages,
	       (uint64_t)in.live_vmas, in.abi_version);
	return 0;
}

static int cmd_resize(int argc, char **argv)
{
	uint64_t size;
	int fd;

	if (argc != 2)
		return bad_usage("resize takes one SIZE%s", "");
	if (parse_size(argv[1], &size))
		return bad_usage("bad SIZE '%s'", argv[1]);
	fd = open_dev(O_RDWR);
	if (fd < 0)
		return 1;
	if (vmmap_resize(fd, size))
		return fail("VMMAP_IOC_RESIZE");
	close(fd);
	if (json)
		printf("{\"object_size\":%" PRIu64 "}\n", size);
	return 0;
}

#define COUNTER(name) { #name, offsetof(struct vmmap_counters, name) }
static const struct {
	const char *name;
	size_t off;
} counters[] = {
	COUNTER(mmap), COUNTER(get_unmapped_area), COUNTER(vma_open),
	COUNTER(vma_close), COUNTER(fault), COUNTER(map_pages),
	COUNTER(page_mkwrite), COUNTER(sigbus), COUNTER(fsync),
	COUNTER(pages_cleaned), COUNTER(resize), COUNTER(pages_allocated),
	COUNTER(pages_freed),
};

static int cmd_stats(void)
{
	struct vmmap_counters c;
	size_t i;

	if (vmmap_read_counters(&c))
		return fail(VMMAP_SYSFS "/stats (root only)");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		uint64_t v = *(uint64_t *)((char *)&c + counters[i].off);

		if (json)
			printf("%s\"%s\":%" PRIu64, i ? "," : "{",
			       counters[i].name, v);
		else
			printf("%-18s %" PRIu64 "\n", counters[i].name, v);
	}
	if (json)
		printf("}\n");
	return 0;
}

static int cmd_reset(void)
{
	if (vmmap_reset_counters())
		return fail(VMMAP_SYSFS "/stats/reset (root only)");
	return 0;
}

/* START[+LENGTH] or START-END; without it, the whole object. */
static int parse_range(const char *s, uint64_t *start, uint64_t *length)
{
	char buf[64], *sep;
	uint64_t b;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	sep = strpbrk(buf, "+-");
	if (!sep) {
		*length = UINT64_MAX;	/* to the end, clamped below */
		return parse_size(buf, start);
	}
	b = *sep == '-';
	*sep = 0;
	if (parse_size(buf, start) || parse_size(sep + 1, length))
		return -1;
	if (b) {
		if (*length <= *start)
			return -1;
		*length -= *start;
	}
	return 0;
}

static int cmd_dirty(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "clear", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmmap_range ranges[256];
	uint64_t start = 0, length = UINT64_MAX, walk_end, pages = 0;
	uint64_t flags = 0, nr_total = 0, end;
	struct vmmap_info in;
	uint32_t nr, i;
	int fd, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+c", opts, NULL)) != -1) {
		if (c != 'c')
			return bad_usage("dirty: bad option%s", "");
		flags |= VMMAP_DIRTY_CLEAR;
	}
	if (argc - optind > 1)
		return bad_usage("dirty takes at most one RANGE%s", "");
	if (argc - optind == 1 && parse_range(argv[optind], &start, &length))
		return bad_usage("bad RANGE '%s'", argv[optind]);
	fd = open_dev(flags ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return 1;
	if (vmmap_get_info(fd, &in))
		return fail("VMMAP_IOC_GET_INFO");
	/* the whole object, or to its end: the length the ioctl takes */
	if (length == UINT64_MAX || start + length < start ||
	    start + length > in.object_size)
		length = in.object_size > start ? in.object_size - start : 0;
	if (!length) {
		/* nothing to look at: an empty report, not an error */
		if (json)
			printf("{\"ranges\":[],\"dirty_pages\":0}\n");
		close(fd);
		return 0;
	}
	end = start + length;
	if (json)
		printf("{\"ranges\":[");
	while (start < end) {
		nr = sizeof(ranges) / sizeof(ranges[0]);
		if (vmmap_dirty(fd, start, end - start, flags, ranges, &nr,
				&walk_end))
			return fail("VMMAP_IOC_DIRTY");
		for (i = 0; i < nr; i++, nr_total++) {
			uint64_t s = ranges[i].start, e = ranges[i].end;

			pages += (e - s) / in.page_size;
			if (json)
				printf("%s{\"start\":%" PRIu64 ",\"end\":%" PRIu64
				       "}", nr_total ? "," : "", s, e);
			else
				printf("%#" PRIx64 "-%#" PRIx64 "  %" PRIu64
				       " pages\n", s, e,
				       (e - s) / in.page_size);
		}
		if (walk_end <= start)
			break;	/* cannot happen; never loop forever */
		start = walk_end;
	}
	if (json)
		printf("],\"dirty_pages\":%" PRIu64 ",\"cleared\":%s}\n",
		       pages, flags ? "true" : "false");
	else
		printf("%" PRIu64 " dirty pages in %" PRIu64 " ranges%s\n",
		       pages, nr_total, flags ? ", cleaned" : "");
	close(fd);
	return 0;
}

static const char *tracefs;
static char saved_enable = '0';
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int tracefs_put(const char *file, char v)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, &v, 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/* @s as a JSON string: quotes, backslashes and control bytes escaped. */
static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* One trace_pipe line as JSON: task, pid, cpu, time, event, fields. */
static void print_event_json(char *line)
{
	char *ev = strstr(line, ": vmmap_"), *p, *colon, *dash, *lb;
	bool first = true;

	if (!ev)
		return;
	*ev = 0;
	lb = strstr(line, " [");
	if (!lb)
		return;
	*lb = 0;
	for (p = line; *p == ' '; p++)
		;
	dash = strrchr(p, '-');
	if (!dash)
		return;
	*dash = 0;
	printf("{\"task\":");
	print_json_string(p);
	printf(",\"pid\":%ld,\"cpu\":%ld,", strtol(dash + 1, NULL, 10),
	       strtol(lb + 2, NULL, 10));
	p = strrchr(lb + 2, ' ');
	printf("\"time\":%s,", p ? p + 1 : "0");
	ev += 2;
	colon = strchr(ev, ':');
	if (!colon)
		return;
	*colon = 0;
	printf("\"event\":\"%s\"", ev);
	for (p = strtok(colon + 1, " \n"); p; p = strtok(NULL, " \n")) {
		char *eq = strchr(p, '=');

		if (!eq)
			continue;
		*eq = 0;
		printf("%s\"%s\":%llu", first ? ",\"fields\":{" : ",", p,
		       strtoull(eq + 1, NULL, 0));
		first = false;
	}
	printf("%s}\n", first ? "" : "}");
}

static int cmd_watch(int argc, char **argv)
{
	char path[128], line[1024];
	long count = -1, seen = 0;
	struct sigaction sa;
	FILE *pipe;
	int c, fd;

	optind = 1;
	while ((c = getopt(argc, argv, "+n:")) != -1) {
		char *end;

		if (c != 'n')
			return bad_usage("watch: bad option%s", "");
		count = strtol(optarg, &end, 10);
		if (*end || count <= 0)
			return bad_usage("bad COUNT '%s'", optarg);
	}
	if (optind != argc)
		return bad_usage("watch takes no arguments%s", "");
	tracefs = access(TRACEFS "/events", F_OK) ? TRACEFS_OLD : TRACEFS;
	snprintf(path, sizeof(path), "%s/events/vmmap/enable", tracefs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmmapctl: %s: %s (is tracefs mounted, the module loaded, are you root?)\n",
			path, strerror(errno));
		return 1;
	}
	if (read(fd, &saved_enable, 1) != 1 || saved_enable != '1')
		saved_enable = '0';
	close(fd);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: fgets returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);

	snprintf(path, sizeof(path), "%s/trace_pipe", tracefs);
	pipe = fopen(path, "r");
	if (!pipe)
		return fail(path);
	if (tracefs_put("events/vmmap/enable", '1'))
		return fail("enable the vmmap events");
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!stop && (count < 0 || seen < count) &&
	       fgets(line, sizeof(line), pipe)) {
		if (!strstr(line, ": vmmap_"))
			continue;
		seen++;
		if (json)
			print_event_json(line);
		else
			fputs(line, stdout);
	}
	tracefs_put("events/vmmap/enable", saved_enable);
	fclose(pipe);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "device", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+jhd:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return bad_usage("no COMMAND%s", "");
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "info") && argc == 1)
		return cmd_info();
	if (!strcmp(cmd, "resize"))
		return cmd_resize(argc, argv);
	if (!strcmp(cmd, "stats") && argc == 1)
		return cmd_stats();
	if (!strcmp(cmd, "reset") && argc == 1)
		return cmd_reset();
	if (!strcmp(cmd, "dirty"))
		return cmd_dirty(argc, argv);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(argc, argv);
	if (!strcmp(cmd, "help"))
		return usage(stdout), 0;
	return bad_usage("unknown command or extra arguments: '%s'", cmd);
}
