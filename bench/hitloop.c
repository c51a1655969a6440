// SPDX-License-Identifier: GPL-2.0-only
/*
 * hitloop N: call hit() N times and print the mean ns per call, timed with
 * clock_gettime(CLOCK_MONOTONIC) around the loop. hit() starts with
 * `push %rbp` (built with -O1 -fno-omit-frame-pointer), which the kernel
 * emulates instead of single-stepping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noipa)) int hit(int x)
{
	volatile int v = x;	/* a stack slot: gcc then sets up %rbp */

	return v + 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	struct timespec a, b;
	volatile int sink = 0;
	int acc = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		acc = hit(acc);
	clock_gettime(CLOCK_MONOTONIC, &b);
	sink = acc;
	(void)sink;
	printf("%.1f ns/call (%ld calls)\n",
	       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)(n ? n : 1), n);
	return 0;
}
