// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracee: calls functions with known arguments, for uprobe-trace's tests.
 * Usage: tracee [--wait] MODE ARGS...
 *   alloc SIZE...     calls alloc(SIZE) for each SIZE, in order
 *   label TEXT N      calls label(TEXT, i) for i = 0..N-1
 *   storm N           calls tick(i) for i = 0..N-1
 *   codes CODE...     forks one child per CODE that calls exit(CODE); waits
 *                     for each in turn, then exits 0
 * With --wait, nothing happens until a line arrives on stdin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

volatile unsigned long sink;

__attribute__((noinline)) void *alloc(size_t size)
{
	void *p = malloc(size);

	sink += (unsigned long)p & 1;
	__asm__ volatile("" ::: "memory");
	return p;
}

__attribute__((noinline)) int label(const char *text, int n)
{
	sink += text[0] + n;
	__asm__ volatile("" ::: "memory");
	return n * 2;
}

__attribute__((noinline)) void tick(long i)
{
	sink += i;
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	char line[64];
	int i = 1;

	if (argc > 1 && !strcmp(argv[1], "--wait")) {
		if (!fgets(line, sizeof(line), stdin))
			return 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: tracee [--wait] alloc|label|storm|codes ARGS...\n");
		return 2;
	}
	if (!strcmp(argv[i], "alloc")) {
		for (i++; i < argc; i++)
			free(alloc(strtoul(argv[i], NULL, 0)));
	} else if (!strcmp(argv[i], "label") && i + 2 < argc) {
		long n = atol(argv[i + 2]);

		for (long k = 0; k < n; k++)
			label(argv[i + 1], k);
	} else if (!strcmp(argv[i], "storm") && i + 1 < argc) {
		long n = atol(argv[i + 1]);

		for (long k = 0; k < n; k++)
			tick(k);
	} else if (!strcmp(argv[i], "codes")) {
		for (i++; i < argc; i++) {
			pid_t pid = fork();
			int status;

			if (pid < 0)
				return 1;
			if (!pid)
				exit(atoi(argv[i]));
			if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
				return 1;
		}
	} else {
		fprintf(stderr, "tracee: unknown mode '%s'\n", argv[i]);
		return 2;
	}
	return 0;
}
