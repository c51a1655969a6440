// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin: burn CPU in hot_loop() for SECS seconds. Usage: spin SECS [--wait]
 * With --wait it first blocks until a line arrives on stdin; it reads that
 * line one byte at a time, so many spins can share one pipe, one line each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long sink;

__attribute__((noinline)) void hot_loop(double secs)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 1000000; i++)
			sink += i;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
}

int main(int argc, char **argv)
{
	char c = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: spin SECS [--wait]\n");
		return 2;
	}
	if (argc > 2 && !strcmp(argv[2], "--wait")) {
		while (c != '\n')
			if (read(0, &c, 1) != 1)
				return 1;
	}
	hot_loop(atof(argv[1]));
	return 0;
}
