// SPDX-License-Identifier: GPL-2.0-only
/*
 * forker: spawns child processes of known names, lifetimes and exit
 * statuses, for proclife's tests. Usage:
 *   forker [--wait] [--exec] [--name NAME] children K MS
 *       K children that live MS milliseconds each (all at once), exit 0
 *   forker [--wait] [--exec] [--name NAME] codes
 *       four children: exit(0), exit(3), exit(7), and one killed by SIGKILL
 *   forker [--wait] [--name NAME] threads N
 *       one child that runs N threads, each exits, then the child exits 0
 *   forker [--wait] [--exec] [--name NAME] together K
 *       K children named NAME.0 ... NAME.K-1 (truncated to 15 bytes), all
 *       alive at once: each one, once started (after its exec with
 *       --exec), tells the parent so and waits; when all K have, the parent
 *       lets them go and they exit 0
 *   forker [--wait] [--name NAME] storm N
 *       vfork N children as fast as the machine runs them; each exits at
 *       once; prints "spawned N in S seconds (R/s)"
 * Children are named NAME (default cotrace-child) with prctl(PR_SET_NAME);
 * with --exec they exec this program again first, so they start fresh
 * through __libc_start_main() and end in exit(). With --wait, nothing
 * happens until a line arrives on stdin. Exits 0 when every child ended
 * as planned, 1 otherwise.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *name = "cotrace-child";
static bool use_exec;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In the child: become NAME, live @ms milliseconds, exit(@code). */
static void child_body(long ms, int code)
{
	prctl(PR_SET_NAME, name, 0, 0, 0);
	if (ms < 0)
		pause();
	sleep_ms(ms);
	exit(code);
}

/* Fork a child that lives @ms ms (forever if < 0) and exits @code. */
static pid_t spawn(long ms, int code)
{
	pid_t pid = fork();
	char ms_s[32], code_s[16];

	if (pid)
		return pid;
	if (use_exec) {
		snprintf(ms_s, sizeof(ms_s), "%ld", ms);
		snprintf(code_s, sizeof(code_s), "%d", code);
		execl("/proc/self/exe", "forker", "--name", name, "--be-child", ms_s, code_s,
		      (char *)NULL);
		_exit(127);
	}
	child_body(ms, code);
	return 0;
}

/* Wait for @pid; true if it ended as @want_code or by @want_sig. */
static bool reap(pid_t pid, int want_code, int want_sig)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return false;
	if (want_sig)
		return WIFSIGNALED(st) && WTERMSIG(st) == want_sig;
	return WIFEXITED(st) && WEXITSTATUS(st) == want_code;
}

static int do_children(long k, long ms)
{
	pid_t *pids = calloc(k, sizeof(*pids));
	bool ok = pids != NULL;

	for (long i = 0; ok && i < k; i++)
		pids[i] = spawn(ms, 0);
	for (long i = 0; ok && i < k; i++)
		ok &= reap(pids[i], 0, 0);
	free(pids);
	return ok ? 0 : 1;
}

/*
 * In a child of do_together(): become NAME.@idx, say so on @ready_fd,
 * wait for EOF on @go_fd (the parent closes it when every sibling is up),
 * exit(0).
 */
static void held_body(int idx, int ready_fd, int go_fd)
{
	char comm[16], c;

	snprintf(comm, sizeof(comm), "%s.%d", name, idx);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	close(ready_fd);
	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
	exit(0);
}

static int do_together(long k)
{
	pid_t *pids = calloc(k, sizeof(*pids));
	int ready[2], go[2];
	bool ok = pids != NULL;
	long got = 0;
	char c;

	if (!ok || pipe(ready) || pipe(go))
		return 1;
	for (long i = 0; i < k; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return 1;
		if (pids[i])
			continue;
		close(ready[0]);
		close(go[1]);
		if (use_exec) {
			char idx_s[16], r_s[16], g_s[16];

			snprintf(idx_s, sizeof(idx_s), "%ld", i);
			snprintf(r_s, sizeof(r_s), "%d", ready[1]);
			snprintf(g_s, sizeof(g_s), "%d", go[0]);
			execl("/proc/self/exe", "forker", "--name", name, "--be-held", idx_s, r_s,
			      g_s, (char *)NULL);
			_exit(127);
		}
		held_body(i, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	while (got < k) {
		ssize_t n = read(ready[0], &c, 1);

		if (n == 1)
			got++;
		else if (!(n < 0 && errno == EINTR))
			break;
	}
	ok = got == k;
	close(go[1]);
	for (long i = 0; i < k; i++)
		ok &= reap(pids[i], 0, 0);
	free(pids);
	return ok ? 0 : 1;
}

static int do_codes(void)
{
	static const int codes[] = { 0, 3, 7 };
	pid_t pids[3], victim;
	bool ok = true;

	for (int i = 0; i < 3; i++)
		pids[i] = spawn(5, codes[i]);
	victim = spawn(-1, 0);
	for (int i = 0; i < 3; i++)
		ok &= reap(pids[i], codes[i], 0);
	/* Let the victim rename itself before it dies. */
	sleep_ms(50);
	kill(victim, SIGKILL);
	ok &= reap(victim, 0, SIGKILL);
	return ok ? 0 : 1;
}

static void *thread_body(void *arg)
{
	sleep_ms(5);
	return NULL;
}

static int do_threads(long n)
{
	pid_t pid = fork();

	if (!pid) {
		pthread_t *t = calloc(n, sizeof(*t));

		prctl(PR_SET_NAME, name, 0, 0, 0);
		for (long i = 0; t && i < n; i++)
			if (pthread_create(&t[i], NULL, thread_body, NULL))
				_exit(1);
		for (long i = 0; t && i < n; i++)
			pthread_join(t[i], NULL);
		_exit(t ? 0 : 1);
	}
	return reap(pid, 0, 0) ? 0 : 1;
}

/*
 * Fork at @rate a second for @secs seconds; up to 32 children in flight,
 * reaped as they go. Every child must exit 0.
 */
static int do_storm(long n)
{
	double start = now_s(), elapsed;
	long spawned = 0, reaped = 0, bad = 0, inflight = 0;
	int st;

	while (spawned < n) {
		/*
		 * vfork: no page tables to copy, so the storm is as dense as
		 * the machine allows. The child only renames itself (a
		 * syscall on its own task) and _exit()s.
		 */
		pid_t pid = vfork();

		if (pid == 0) {
			prctl(PR_SET_NAME, name, 0, 0, 0);
			_exit(0);
		}
		if (pid < 0) {
			bad++;
			break;
		}
		spawned++;
		inflight++;
		for (;;) {
			pid_t r = waitpid(-1, &st, inflight >= 32 ? 0 : WNOHANG);

			if (r <= 0)
				break;
			inflight--;
			reaped++;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				bad++;
		}
	}
	while (inflight > 0 && waitpid(-1, &st, 0) > 0) {
		inflight--;
		reaped++;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	elapsed = now_s() - start;
	printf("spawned %ld in %.2f seconds (%.0f/s)\n", spawned, elapsed,
	       elapsed > 0 ? spawned / elapsed : 0.0);
	fflush(stdout);
	return bad || reaped != spawned || spawned != n ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: forker [--wait] [--exec] [--name NAME] "
		"children K MS | codes | together K | threads N | storm N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	bool wait_go = false;
	int i = 1;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--wait")) {
			wait_go = true;
		} else if (!strcmp(argv[i], "--exec")) {
			use_exec = true;
		} else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			name = argv[++i];
		} else if (!strcmp(argv[i], "--be-held") && i + 3 < argc) {
			held_body(atoi(argv[i + 1]), atoi(argv[i + 2]), atoi(argv[i + 3]));
		} else if (!strcmp(argv[i], "--be-child") && i + 2 < argc) {
			child_body(atol(argv[i + 1]), atoi(argv[i + 2]));
		} else {
			usage();
		}
	}
	if (i >= argc)
		usage();
	if (wait_go) {
		char line[64];

		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	if (!strcmp(argv[i], "children") && i + 2 < argc)
		return do_children(atol(argv[i + 1]), atol(argv[i + 2]));
	if (!strcmp(argv[i], "together") && i + 1 < argc)
		return do_together(atol(argv[i + 1]));
	if (!strcmp(argv[i], "codes"))
		return do_codes();
	if (!strcmp(argv[i], "threads") && i + 1 < argc)
		return do_threads(atol(argv[i + 1]));
	if (!strcmp(argv[i], "storm") && i + 1 < argc)
		return do_storm(atol(argv[i + 1]));
	usage();
	return 2;
}
