// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: after every child has stopped, the object must hold exactly
 * what the model says, GET_INFO and the counters must agree with it; then
 * the summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

/* Every region holds what its worker last wrote, the tail what it was filled with. */
static void final_data(int fd, uint64_t size, uint64_t *buf)
{
	struct rctx r = { .fd = fd, .buf = buf };
	off_t end = lseek(fd, 0, SEEK_END);

	if ((uint64_t)end != size)
		rmismatch("lseek(SEEK_END) %jd, expected %" PRIu64, (intmax_t)end, size);
	for (unsigned int s = 0; s < nslots; s++) {
		struct wctx w = { .id = s, .sl = &slots[s], .cur = cur_of(s),
				  .prev = prev_of(s), .roff = (uint64_t)s * rlen };

		if (pread_all(fd, buf, rlen, w.roff) != (ssize_t)rlen)
			rmismatch("final pread of region %u failed", s);
		else
			region_check(&w, 0, rwords, buf, "final", "pread");
	}
	tail_verify(&r, size);
}

/* GET_INFO with nothing mapped, after fsync, against the page counters. */
static void final_info(int fd, uint64_t size)
{
	struct vmmap_counters st;
	struct vmmap_info in;

	if (vmmap_get_info(fd, &in))
		die("GET_INFO: %s", strerror(errno));
	if (in.live_vmas)
		rmismatch("live_vmas %" PRIu64 " with no process mapping the object",
			  (uint64_t)in.live_vmas);
	if (in.object_size != size || in.resident_pages > resident_max(size) ||
	    in.dirty_pages > in.resident_pages)
		rmismatch("GET_INFO: object_size %" PRIu64 " (expected %" PRIu64
			  "), resident %" PRIu64 ", dirty %" PRIu64,
			  (uint64_t)in.object_size, size,
			  (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages);
	if (fsync(fd) || vmmap_get_info(fd, &in) || in.dirty_pages)
		rmismatch("dirty_pages %" PRIu64 " after fsync", (uint64_t)in.dirty_pages);
	if (vmmap_read_counters(&st) == 0 &&
	    st.pages_allocated - st.pages_freed != in.resident_pages)
		rmismatch("pages_allocated %" PRIu64 " - pages_freed %" PRIu64
			  " != resident_pages %" PRIu64, (uint64_t)st.pages_allocated,
			  (uint64_t)st.pages_freed, (uint64_t)in.resident_pages);
	if (vmmap_resize(fd, 0) || vmmap_get_info(fd, &in) || in.resident_pages ||
	    in.dirty_pages || in.object_size)
		rmismatch("after resize to 0: size %" PRIu64 ", resident %" PRIu64
			  ", dirty %" PRIu64, (uint64_t)in.object_size,
			  (uint64_t)in.resident_pages, (uint64_t)in.dirty_pages);
}

/*
 * The final checks; @st0 are the counters before the run, *@st1 gets them
 * after: the kernel counted at least every SIGBUS the processes saw.
 */
void final_checks(int fd, const struct vmmap_counters *st0,
		  struct vmmap_counters *st1)
{
	uint64_t *buf = malloc(rlen);

	snprintf(who, sizeof(who), "final");
	if (!buf)
		die("out of memory");
	final_data(fd, LOAD(&sh->size), buf);
	final_info(fd, LOAD(&sh->size));
	free(buf);
	if (vmmap_read_counters(st1))
		die("counters: %s", strerror(errno));
	if (st1->sigbus - st0->sigbus < sh->sigbus_seen)
		rmismatch("stats.sigbus rose by %" PRIu64 " but %" PRIu64
			  " SIGBUS were seen", (uint64_t)(st1->sigbus - st0->sigbus),
			  sh->sigbus_seen);
}

/* The workers' lines of the summary: operations, words and signals. */
static void workers_report(double t0)
{
	uint64_t total = 0, ops[W_NOPS] = { 0 }, sum[6] = { 0 }, hkind[4] = { 0 };

	for (unsigned int s = 0; s < nslots; s++) {
		const struct slot *sl = &slots[s];
		const uint64_t v[6] = { sl->words, sl->sigbus, sl->sigsegv,
					sl->unstable, sl->enomem, sl->hraces };

		for (int o = 0; o < W_NOPS; o++) {
			ops[o] += sl->ops[o];
			total += sl->ops[o];
		}
		for (int k = 0; k < 6; k++)
			sum[k] += v[k];
		for (int k = 0; k < 4; k++)
			hkind[k] += sl->hkind[k];
	}
	printf("stress: %.0f s, %" PRIu64 " worker operations:", now() - t0, total);
	for (int o = 1; o < W_NOPS; o++)
		printf(" %s %" PRIu64, wops[o].name, ops[o]);
	printf("\nstress: resizer:");
	for (int o = 0; o < R_NOPS; o++)
		printf(" %s %" PRIu64, rop_name[o], sh->rops[o]);
	printf("\nstress: huge rounds %" PRIu64 ": got a huge page %" PRIu64
	       ", a pipe held a page %" PRIu64 ", kept whole %" PRIu64 ", split %" PRIu64
	       "; worker races %" PRIu64 " (fault %" PRIu64 ", read %" PRIu64
	       ", fsync %" PRIu64 ", vmsplice %" PRIu64 ")",
	       sh->h_rounds, sh->h_huge, sh->h_pipe, sh->h_kept, sh->h_split, sum[5],
	       hkind[0], hkind[1], hkind[2], hkind[3]);
	printf("\nstress: checked %" PRIu64 " words; expected SIGBUS %" PRIu64
	       ", expected SIGSEGV %" PRIu64 ", tail probes racing a resize %" PRIu64
	       ", mremap/fork refused %" PRIu64 "\n", sum[0] + sh->r_words,
	       sum[1] + sh->r_sigbus, sum[2], sum[3], sum[4]);
}

/* The summary (ci.sh reads the first line, SIGKILLs and mismatches). */
void report(double t0, const struct vmmap_counters *st0,
	    const struct vmmap_counters *st1)
{
	const char *name;

	workers_report(t0);
	supervisor_report();
	printf("stress: kernel counters:");
	for (size_t i = 0; (name = vmmap_counter_name(i)); i++)
		printf(" %s +%" PRIu64, name,
		       vmmap_counter(st1, i) - vmmap_counter(st0, i));
	printf("\nstress: %" PRIu64 " mismatches\n", sh->mismatches);
	printf("stress: %s\n", sh->mismatches ? "FAIL" : "PASS");
}
