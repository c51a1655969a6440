// SPDX-License-Identifier: GPL-2.0-only
/*
 * calls: does known work. Usage: calls N M [--wait]
 * Calls foo() exactly N times and bar() exactly M times, then exits 0.
 * With --wait it first blocks until a line arrives on stdin, so a tracer
 * can attach to the running process before the work starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

__attribute__((noinline)) static void local_helper(void)
{
	sink += 3;
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	long n, m;
	char line[64];

	if (argc < 3) {
		fprintf(stderr, "usage: calls N M [--wait]\n");
		return 2;
	}
	n = atol(argv[1]);
	m = atol(argv[2]);
	if (argc > 3 && !strcmp(argv[3], "--wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++)
		foo();
	for (long i = 0; i < m; i++)
		bar();
	local_helper();
	return 0;
}
