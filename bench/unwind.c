// SPDX-License-Identifier: GPL-2.0-only
/*
 * unwind N [DEPTH]: call hit() N times from DEPTH (default 15) nested
 * frames of level(), so that a probe on hit() sees a stack of 20 frames
 * (hit, DEPTH levels, main and libc's three start frames). It first
 * waits for a line on stdin, then prints the mean ns per call of the
 * loop and waits for a second line (so that a tracer's statistics can be
 * read while it is still attached). Built with frame pointers, so that
 * the frame-pointer walk sees every frame of its own code too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noipa)) int hit(int x)
{
	volatile int v = x;	/* a stack slot: gcc then sets up %rbp */

	return v + 1;
}

__attribute__((noipa)) long level(int depth, long n)
{
	long acc = 0;

	if (depth > 0)
		return level(depth - 1, n) + 1;
	for (long i = 0; i < n; i++)
		acc += hit((int)i);
	return acc;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int depth = argc > 2 ? atoi(argv[2]) : 15;
	struct timespec a, b;
	char line[16];
	long acc;

	if (!fgets(line, sizeof(line), stdin))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	acc = level(depth, n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f ns/call %ld\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n,
	       acc);
	fflush(stdout);
	(void)!fgets(line, sizeof(line), stdin);
	return 0;
}
