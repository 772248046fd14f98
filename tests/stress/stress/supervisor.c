// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap-stress: the supervisor. It spawns the workers and the resizer, each
 * in its own process group, SIGKILLs one every ~-k ms (waiting a little for
 * it to be in the middle of something), repairs what a killed resizer left
 * and respawns; nobody may die otherwise. At the end every child must stop
 * by itself within 120 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress.h"

/* What a SIGKILL interrupted */
enum {
	K_WORKER_OP, K_WORKER_OTHER, K_RESIZER_RESIZE, K_RESIZER_WIPE,
	K_RESIZER_OTHER, K_NKINDS
};

static const char *const kill_name[K_NKINDS] = {
	"worker mid-operation", "worker idle or locking", "resizer mid-resize",
	"resizer mid-wipe", "resizer other",
};
static uint64_t kills[K_NKINDS], respawns, deaths;
static unsigned int hung;
static uint64_t kills_by_op[W_NOPS];

struct child {
	pid_t pid;
	unsigned int incarnation;
};

static struct child *kids;	/* opt_procs workers, then the resizer */

static pid_t spawn(unsigned int i)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		if (i < opt_procs)
			worker_main(i, kids[i].incarnation);
		resizer_main(kids[i].incarnation);
	}
	setpgid(pid, pid);
	kids[i].pid = pid;
	kids[i].incarnation++;
	return pid;
}

/*
 * Compaction migrates page cache pages, the object's among them: a driver
 * that copies into or out of its pages without the page lock (or without
 * checking that a page it found is uptodate) loses writes or reads a page
 * before its data arrived. So ask for compaction every 100-300 ms (a
 * supervisor thread; root only, and nothing happens without
 * CONFIG_COMPACTION).
 */
static uint64_t compactions;

static void *compactor(void *arg)
{
	uint64_t rng = mix64(opt_seed ^ 0xc0ffee);

	(void)arg;
	while (!LOAD(&sh->stop)) {
		int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);

		if (fd < 0)
			return NULL;
		if (write(fd, "1", 1) == 1)
			compactions++;
		close(fd);
		msleep(100 + splitmix_below(&rng, 200));
	}
	return NULL;
}

/* Reap a killed child and everything it forked (we are their subreaper);
 * returns the child's wait status. */
static int reap_group(pid_t pid)
{
	int st = 0, st2;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	while (waitpid(-pid, &st2, 0) > 0 || errno == EINTR)
		;
	return st;
}

/* The resizer died: make size, seqlock and wipe state consistent again. */
static void repair_after_resizer(int fd)
{
	if (LOAD(&sh->wipe)) {
		/* it died holding (or wanting) the write lock: wipe to 0 */
		int lfd = lock_open();

		ofd_lock(lfd, F_WRLCK);
		if (!(LOAD(&sh->seq) & 1))
			seq_begin();
		resize_or_die(fd, 0, "repair");
		resize_or_die(fd, base, "repair");
		memset(cur_all, 0, (size_t)nslots * rwords * 4);
		memset(prev_all, 0, (size_t)nslots * rwords * 4);
		memset(tail_filled, 0, tailmax / ps);
		sh->fill_transit = 0;
		memset(hfilled, 0, (hend - hbase) / ps);
		seq_end_resized(fd, base);
		ADD(&sh->epoch, 1);
		wr_unlock(lfd);
		close(lfd);
	} else if (LOAD(&sh->seq) & 1) {
		off_t end = lseek(fd, 0, SEEK_END);

		tail_forget(end);
		for (uint64_t p = 0; p < (hend - hbase) / ps; p++)
			if (hbase + p * ps >= (uint64_t)end)
				hfilled[p] = 0;
		seq_end_resized(fd, end);
	}
	/* killed in a huge round: stop the racers, back into the tail */
	if (LOAD(&sh->hgen) & 1)
		STORE(&sh->hgen, LOAD(&sh->hgen) + 1);
	if (LOAD(&sh->size) > tend) {
		seq_begin();
		resize_or_die(fd, tend, "repair");
		memset(hfilled, 0, (hend - hbase) / ps);
		seq_end_resized(fd, tend);
	}
	sh->rop_now = -1;
}

/* Wait (a little) for the victim to be in the middle of something good. */
static int pick_moment(unsigned int v, uint64_t *rng)
{
	double until = now() + 0.002 * (1 + splitmix_below(rng, 50));

	do {
		if (v == opt_procs) {
			if (LOAD(&sh->wipe))
				return K_RESIZER_WIPE;
			if (LOAD(&sh->seq) & 1)
				return K_RESIZER_RESIZE;
		} else {
			for (unsigned int t = 0; t < opt_threads; t++) {
				int op = LOAD(&slots[v * opt_threads + t].op);

				if (op != W_IDLE && op != W_GUARD &&
				    op != W_OPEN) {
					ADD(&kills_by_op[op], 1);
					return K_WORKER_OP;
				}
			}
		}
	} while (now() < until);
	return v == opt_procs ? K_RESIZER_OTHER : K_WORKER_OTHER;
}

static const char *kid_name(unsigned int i)
{
	return i < opt_procs ? "worker" : "resizer";
}

/* Child @i is dead (status @st reaped, or to be reaped): clean up, respawn. */
static void respawn(int fd, unsigned int i)
{
	if (i == opt_procs)
		repair_after_resizer(fd);
	spawn(i);
	respawns++;
}

/* A child died although nobody killed it: a mismatch, then respawn it. */
static void on_death(int fd, pid_t pid, int st)
{
	for (unsigned int i = 0; i <= opt_procs; i++) {
		if (kids[i].pid != pid)
			continue;
		deaths++;
		rmismatch("%s %d died: %s %d", kid_name(i), (int)pid,
			  WIFSIGNALED(st) ? "signal" : "exit status",
			  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		kill(-pid, SIGKILL);
		reap_group(pid);
		respawn(fd, i);
	}
}

/* SIGKILL a random child at a good moment; returns when the next is due. */
static double kill_one(int fd, uint64_t *rng)
{
	unsigned int v = splitmix_below(rng, opt_procs + 1);
	int kind = pick_moment(v, rng), st;

	kill(-kids[v].pid, SIGKILL);
	st = reap_group(kids[v].pid);
	kills[kind]++;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
		deaths++;
		rmismatch("%s %d died by itself before the kill: status %#x",
			  kid_name(v), (int)kids[v].pid, st);
	}
	respawn(fd, v);
	return now() + (1 + splitmix_below(rng, 2 * opt_kill_ms)) / 1000.0;
}

static void progress(double t0)
{
	uint64_t n = 0;

	for (unsigned int s = 0; s < nslots; s++)
		for (int o = 0; o < W_NOPS; o++)
			n += LOAD(&slots[s].ops[o]);
	printf("stress: %.0f s: %" PRIu64 " worker ops, %" PRIu64
	       " mismatches, %" PRIu64 " respawns\n", now() - t0, n,
	       LOAD(&sh->mismatches), respawns);
}

/* Until @t0 + opt_secs: reap deaths, SIGKILL children, report progress. */
static void monitor(int fd, double t0)
{
	uint64_t rng = mix64(opt_seed ^ 0x5151);
	double next_kill, next_report = t0 + 10;

	next_kill = t0 + (opt_kill_ms ?
			  (1 + splitmix_below(&rng, 2 * opt_kill_ms)) / 1000.0 : 1e12);
	while (now() < t0 + opt_secs) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			on_death(fd, pid, st);
			continue;
		}
		if (now() >= next_kill)
			next_kill = kill_one(fd, &rng);
		if (opt_verbose && now() >= next_report) {
			progress(t0);
			next_report += 10;
		}
		msleep(5);
	}
}

/* Every child must finish its operation and exit 0 within 120 s. */
static void stop_all(int fd)
{
	for (unsigned int i = 0; i <= opt_procs; i++) {
		double until = now() + 120;
		int st = 0;
		pid_t r;

		while ((r = waitpid(kids[i].pid, &st, WNOHANG)) == 0 && now() < until)
			msleep(10);
		if (r == 0) {
			hung++;
			rmismatch("%s %d did not stop within 120 s", kid_name(i),
				  (int)kids[i].pid);
			kill(-kids[i].pid, SIGKILL);
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			deaths++;
			rmismatch("%s %d ended with status %#x", kid_name(i),
				  (int)kids[i].pid, st);
		}
		reap_group(kids[i].pid);
		if (r == 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			if (i == opt_procs)
				repair_after_resizer(fd);
	}
}

/*
 * Spawn the workers and the resizer, SIGKILL them at random for opt_secs
 * (the compactor thread meanwhile), then stop them; returns the start time.
 */
double supervise(int fd)
{
	pthread_t compactor_tid;
	double t0;

	kids = calloc(opt_procs + 1, sizeof(*kids));
	if (!kids)
		die("out of memory");
	for (unsigned int i = 0; i <= opt_procs; i++)
		spawn(i);
	if (pthread_create(&compactor_tid, NULL, compactor, NULL))
		die("pthread_create failed");
	t0 = now();
	monitor(fd, t0);
	STORE(&sh->stop, 1);
	pthread_join(compactor_tid, NULL);
	stop_all(fd);
	return t0;
}

/* The supervisor's lines of the summary. */
void supervisor_report(void)
{
	printf("stress: SIGKILLs %" PRIu64 ":", kills[0] + kills[1] + kills[2] +
	       kills[3] + kills[4]);
	for (int k = 0; k < K_NKINDS; k++)
		printf(" %s %" PRIu64, kill_name[k], kills[k]);
	printf(" (mid-op:");
	for (int o = 1; o < W_NOPS; o++)
		if (kills_by_op[o])
			printf(" %s %" PRIu64, wops[o].name, kills_by_op[o]);
	printf("); respawns %" PRIu64 ", unexpected deaths %" PRIu64 ", hangs %u\n",
	       respawns, deaths, hung);
	printf("stress: compactions requested %" PRIu64 "\n", compactions);
}
