// SPDX-License-Identifier: GPL-2.0-only
/*
 * unwinder: the awkward frames of user-stack unwinding, each behind a
 * known call chain, built without frame pointers (unwinder) and with them
 * (unwinder_fp). Usage: unwinder MODE N [--wait]
 *
 *   signal   main -> run_signal -> kill(self, SIGUSR1), N times; the
 *            handler: on_signal -> sig_work -> close(-1)
 *   thread   main -> run_thread -> pthread_create; the thread:
 *            thread_main -> thread_work -> close(-1), N times
 *   dlopen   main -> run_dlopen -> dlopen(libunwlib.so) -> lib_outer ->
 *            lib_inner -> close(-1), N times
 *   plt      main -> run_plt -> plt_caller -> getppid() through the PLT
 *            (lazy binding), N times
 *   chain    main -> alpha -> beta -> gamma -> touch, N times
 *   spin     main -> spin_outer -> spin_mid -> spin_leaf: a CPU loop of N
 *            milliseconds
 *   vdso     main -> run_vdso -> vdso_caller -> clock_gettime (the vDSO),
 *            for N milliseconds
 *   exec     main -> run_exec -> pre_exec -> close(-1) once, then execs
 *            itself as "unwinder dlopen N"
 *
 * With --wait it first blocks until a line arrives on stdin and prints
 * "done" when the work is over, then waits for a second line.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile long sink;

#define NOINLINE __attribute__((noinline))
#define BARRIER() __asm__ volatile("" ::: "memory")

NOINLINE static void sig_work(void)
{
	sink += close(-1);
	BARRIER();
}

NOINLINE static void on_signal(int sig)
{
	sig_work();
	sink += sig;
}

NOINLINE static void run_signal(long n)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	for (long i = 0; i < n; i++)
		kill(getpid(), SIGUSR1);
	sink++;
}

NOINLINE static void thread_work(void)
{
	sink += close(-1);
	BARRIER();
}

NOINLINE static void *thread_main(void *arg)
{
	long n = (long)arg;

	for (long i = 0; i < n; i++)
		thread_work();
	return NULL;
}

NOINLINE static void run_thread(long n)
{
	pthread_t t;

	if (pthread_create(&t, NULL, thread_main, (void *)n) == 0)
		pthread_join(t, NULL);
	sink++;
}

NOINLINE static int run_dlopen(const char *self, long n)
{
	char path[4096];
	const char *slash = strrchr(self, '/');
	void (*outer)(long);
	void *h;

	snprintf(path, sizeof(path), "%.*slibunwlib.so", slash ? (int)(slash - self + 1) : 0,
		 self);
	h = dlopen(path, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "unwinder: %s\n", dlerror());
		return 1;
	}
	outer = (void (*)(long))dlsym(h, "lib_outer");
	if (!outer)
		return 1;
	outer(n);
	sink++;
	return 0;
}

NOINLINE static void plt_caller(void)
{
	sink += getppid();
	BARRIER();
}

NOINLINE static void run_plt(long n)
{
	for (long i = 0; i < n; i++)
		plt_caller();
	sink++;
}

NOINLINE void touch(long v)
{
	sink += v;
	BARRIER();
}

NOINLINE void gamma_(long v)
{
	touch(v);
	BARRIER();
}

NOINLINE void beta(long v)
{
	gamma_(v + 1);
	BARRIER();
}

NOINLINE void alpha(long v)
{
	beta(v + 1);
	BARRIER();
}

NOINLINE static void pre_exec(void)
{
	sink += close(-1);
	BARRIER();
}

NOINLINE static int run_exec(const char *self, const char *n)
{
	pre_exec();
	execl(self, self, "dlopen", n, (char *)NULL);
	perror("unwinder: exec");
	return 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

NOINLINE static long spin_leaf(long v)
{
	for (int i = 0; i < (1 << 20); i++)
		v = v * 6364136223846793005L + 1442695040888963407L;
	return v;
}

NOINLINE static long spin_mid(long v)
{
	v = spin_leaf(v);
	BARRIER();
	return v + 1;
}

NOINLINE static void spin_outer(long ms)
{
	long end = now_ms() + ms, v = 1;

	while (now_ms() < end)
		v = spin_mid(v);
	sink += v;
}

NOINLINE static long vdso_caller(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	BARRIER();
	return ts.tv_nsec;
}

NOINLINE static void run_vdso(long ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 1000; i++)
			sink += vdso_caller();
}

int main(int argc, char **argv)
{
	char line[64];
	bool wait;
	long n;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: unwinder MODE N [--wait]\n");
		return 2;
	}
	n = atol(argv[2]);
	wait = argc > 3 && !strcmp(argv[3], "--wait");
	if (wait && !fgets(line, sizeof(line), stdin))
		return 1;
	if (!strcmp(argv[1], "signal"))
		run_signal(n);
	else if (!strcmp(argv[1], "thread"))
		run_thread(n);
	else if (!strcmp(argv[1], "dlopen"))
		rc = run_dlopen(argv[0], n);
	else if (!strcmp(argv[1], "plt"))
		run_plt(n);
	else if (!strcmp(argv[1], "chain"))
		for (long i = 0; i < n; i++)
			alpha(i);
	else if (!strcmp(argv[1], "spin"))
		spin_outer(n);
	else if (!strcmp(argv[1], "vdso"))
		run_vdso(n);
	else if (!strcmp(argv[1], "exec"))
		rc = run_exec(argv[0], argv[2]);
	else
		return 2;
	if (wait) {
		printf("done\n");
		fflush(stdout);
		(void)!fgets(line, sizeof(line), stdin);
	}
	return rc;
}
