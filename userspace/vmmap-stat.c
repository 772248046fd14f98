// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stat: print the object's state and handler counters, or resize it.
 *
 *   vmmap-stat             info, and the counters (root only)
 *   vmmap-stat -r SIZE     resize (bytes; K, M, G suffixes)
 *   vmmap-stat -z          reset the counters (root only)
 *
 * The counters are the driver's instrumentation, read from
 * /sys/class/misc/vmmap/stats/: no stable ABI, root only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvmmap.h"

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static void print_state(int fd)
{
	struct vmmap_info in;
	struct vmmap_counters st;

	if (vmmap_get_info(fd, &in)) {
		perror("vmmap-stat: VMMAP_IOC_GET_INFO");
		exit(1);
	}
	printf("abi %u, size %llu bytes (max %llu), page %u bytes, folios up to %llu bytes%s\n",
	       in.abi_version, (unsigned long long)in.object_size,
	       (unsigned long long)in.max_size, in.page_size,
	       (unsigned long long)in.max_folio_size,
	       in.flags & VMMAP_INFO_HUGE ? " (huge on)" : "");
	printf("resident %llu pages, dirty %llu, live VMAs %llu\n",
	       (unsigned long long)in.resident_pages,
	       (unsigned long long)in.dirty_pages,
	       (unsigned long long)in.live_vmas);
	if (vmmap_read_counters(&st)) {
		printf("counters: %s/stats: %s\n", VMMAP_SYSFS, strerror(errno));
		return;
	}
#define P(f) printf("  %-18s %llu\n", #f, (unsigned long long)st.f)
	P(mmap); P(get_unmapped_area); P(vma_open); P(vma_close);
	P(fault); P(map_pages); P(page_mkwrite); P(sigbus); P(fsync);
	P(pages_cleaned); P(resize); P(pages_allocated); P(pages_freed);
#undef P
}

int main(int argc, char **argv)
{
	uint64_t size;
	int fd, opt;

	fd = open(VMMAP_DEV, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "vmmap-stat: %s: %s\n", VMMAP_DEV, strerror(errno));
		return 1;
	}
	while ((opt = getopt(argc, argv, "r:z")) != -1) {
		switch (opt) {
		case 'r':
			if (parse_size(optarg, &size)) {
				fprintf(stderr, "vmmap-stat: bad size '%s'\n", optarg);
				return 2;
			}
			if (vmmap_resize(fd, size)) {
				fprintf(stderr, "vmmap-stat: resize to %llu: %s\n",
					(unsigned long long)size, strerror(errno));
				return 1;
			}
			break;
		case 'z':
			if (vmmap_reset_counters()) {
				perror("vmmap-stat: reset");
				return 1;
			}
			break;
		default:
			fprintf(stderr, "usage: vmmap-stat [-r SIZE] [-z]\n");
			return 2;
		}
	}
	print_state(fd);
	return 0;
}
