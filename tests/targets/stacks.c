// SPDX-License-Identifier: GPL-2.0-only
/*
 * stacks: a known call chain. Usage: stacks N [--wait | --rounds]
 * main → alpha → beta → gamma, N times; gamma is not a leaf (it calls
 * touch()), so it starts with push %rbp and keeps a frame pointer.
 * Also main → delta → gamma, N/2 times: a second distinct stack.
 * With --wait it first blocks until a line arrives on stdin; with --rounds
 * it does the work once for every line that arrives, until a line "stop"
 * or end of file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile unsigned long sink;

__attribute__((noinline)) void touch(unsigned long v)
{
	sink += v;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void gamma(unsigned long v)
{
	touch(v);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void beta(unsigned long v)
{
	gamma(v + 1);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void alpha(unsigned long v)
{
	beta(v + 1);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void delta(unsigned long v)
{
	gamma(v + 2);
	__asm__ volatile("" ::: "memory");
}

static inline __attribute__((always_inline)) void work(long n)
{
	for (long i = 0; i < n; i++)
		alpha(i);
	for (long i = 0; i < n / 2; i++)
		delta(i);
}

int main(int argc, char **argv)
{
	char line[64];
	long n;

	if (argc < 2) {
		fprintf(stderr, "usage: stacks N [--wait | --rounds]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc > 2 && !strcmp(argv[2], "--rounds")) {
		while (fgets(line, sizeof(line), stdin) && strcmp(line, "stop\n"))
			work(n);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "--wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	work(n);
	return 0;
}
