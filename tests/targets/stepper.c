// SPDX-License-Identifier: GPL-2.0-only
/*
 * stepper: known work done one command at a time, for the fault tests.
 *
 * Usage: stepper            read commands from stdin
 *        stepper spin       call work() until SIGUSR1, then report
 *
 * Commands, one a line; after each one "ok K" (K counts the commands
 * done, from 1) is printed on stdout and flushed, so a test knows the work
 * is done before it does something to the process:
 *   foo N         call foo() N times
 *   bar N         call bar() N times
 *   dlopen PATH   dlopen PATH (RTLD_NOW) and look up cot_add()
 *   lib N         call the library's cot_add() N times
 *   exec ARGV...  execv(ARGV[0], ARGV) (nothing printed)
 *   exit CODE     exit with CODE
 * End of input exits 0. Stdin is read unbuffered, so lines sent after
 * "exec" go to the new program.
 *
 * spin: calls work(i) for i = 0, 1, 2 ... in batches of 1,000 with a
 * 1 ms sleep in nap() between batches (it must not hog a shared machine),
 * a malloc()/free() and a getppid() per batch. Every return value is
 * checked (work(i) == 3i + 1, nap() == 7). On SIGUSR1 it prints
 * "calls N bad B sum S" (S: the sum of the returns, mod 2^64) and exits
 * 0 if B is 0, else 1.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long sink;

__attribute__((noinline)) void foo(void)
{
	sink++;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void bar(void)
{
	sink += 2;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) unsigned long work(unsigned long i)
{
	sink += i;
	__asm__ volatile("" ::: "memory");
	return 3 * i + 1;
}

/* The sleep between batches: most of the time some call of nap() is in
 * flight, so a tracer killed at a random moment often leaves a uretprobe's
 * return address on the stack. */
__attribute__((noinline)) int nap(void)
{
	struct timespec ms = { 0, 1000000 };

	nanosleep(&ms, NULL);
	return 7;
}

static volatile sig_atomic_t stop;

static void on_usr1(int sig)
{
	(void)sig;
	stop = 1;
}

static int spin(void)
{
	unsigned long i = 0, bad = 0, sum = 0;
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigaction(SIGUSR1, &sa, NULL);
	printf("spinning\n");
	fflush(stdout);
	while (!stop) {
		void *p;

		for (int k = 0; k < 1000; k++, i++) {
			unsigned long r = work(i);

			if (r != 3 * i + 1)
				bad++;
			sum += r;
		}
		p = malloc(64);
		sink += (unsigned long)p & 1;
		free(p);
		sink += getppid() & 1;
		if (nap() != 7)
			bad++;
	}
	printf("calls %lu bad %lu sum %lu\n", i, bad, sum);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	long (*cot_add)(long, long) = NULL;
	char line[4096];
	unsigned k = 0;

	if (argc > 1 && !strcmp(argv[1], "spin"))
		return spin();
	/* Unbuffered: a line sent after "exec" is read by the new image. */
	setvbuf(stdin, NULL, _IONBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		char *cmd = strtok(line, " \t\n"), *arg = strtok(NULL, " \t\n");
		long n = arg ? atol(arg) : 0;

		if (!cmd)
			continue;
		if (!strcmp(cmd, "foo")) {
			for (long i = 0; i < n; i++)
				foo();
		} else if (!strcmp(cmd, "bar")) {
			for (long i = 0; i < n; i++)
				bar();
		} else if (!strcmp(cmd, "dlopen") && arg) {
			void *h = dlopen(arg, RTLD_NOW);

			cot_add = h ? (long (*)(long, long))dlsym(h, "cot_add") : NULL;
			if (!cot_add) {
				fprintf(stderr, "stepper: %s\n", dlerror());
				return 1;
			}
		} else if (!strcmp(cmd, "lib") && cot_add) {
			long acc = 0;

			for (long i = 0; i < n; i++)
				acc = cot_add(acc, i);
			sink += acc;
		} else if (!strcmp(cmd, "exec") && arg) {
			char *av[64] = { arg };
			int ac = 1;

			while (ac < 63 && (av[ac] = strtok(NULL, " \t\n")))
				ac++;
			av[ac] = NULL;
			fflush(stdout);
			execv(av[0], av);
			perror("stepper: execv");
			return 1;
		} else if (!strcmp(cmd, "exit")) {
			return (int)n;
		} else {
			fprintf(stderr, "stepper: bad command '%s'\n", cmd);
			return 2;
		}
		printf("ok %u\n", ++k);
		fflush(stdout);
	}
	return 0;
}
