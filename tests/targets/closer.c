// SPDX-License-Identifier: GPL-2.0-only
/*
 * closer: calls close() from two distinct call chains a known number of
 * times each. Usage: closer A B [--hold]
 *   main -> path_a -> close_a -> close(-1), A times
 *   main -> path_b -> close_b -> close(-1), B times
 * It first blocks until a line arrives on stdin and prints "done" when
 * the calls are made; with --hold it then stays until a second line (or end
 * of file), so a tracer can read its maps before it exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int sink;

__attribute__((noinline)) static void close_a(void)
{
	sink += close(-1);
}

__attribute__((noinline)) static void close_b(void)
{
	sink += close(-1);
}

__attribute__((noinline)) void path_a(long n)
{
	for (long i = 0; i < n; i++)
		close_a();
	sink++;
}

__attribute__((noinline)) void path_b(long n)
{
	for (long i = 0; i < n; i++)
		close_b();
	sink++;
}

int main(int argc, char **argv)
{
	char line[64];

	if (argc < 3) {
		fprintf(stderr, "usage: closer A B [--hold]\n");
		return 2;
	}
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	path_a(atol(argv[1]));
	path_b(atol(argv[2]));
	printf("done\n");
	fflush(stdout);
	if (argc > 3 && !strcmp(argv[3], "--hold"))
		(void)!fgets(line, sizeof(line), stdin);
	return 0;
}
