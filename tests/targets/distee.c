// SPDX-License-Identifier: GPL-2.0-only
/*
 * distee: calls functions with known arguments, for argdist's tests.
 * Usage: distee MODE ARGS...
 *   words WORD...        calls word(WORD) for each WORD, in order
 *   writes N1 N2         with fds 1 and 2 on /dev/null, write(1) N1 times
 *                        and write(2) N2 times
 *   batches N K SIZE     N batches of K calls alloc(SIZE), 100 ms apart
 *   nested N SIZE        N calls outer(SIZE), each calling alloc(SIZE) once:
 *                        two calls in flight at a time
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long sink;

__attribute__((noinline)) int word(const char *w)
{
	sink += w[0];
	__asm__ volatile("" ::: "memory");
	return (int)strlen(w);
}

__attribute__((noinline)) void *alloc(size_t size)
{
	void *p = malloc(size);

	sink += (unsigned long)p & 1;
	__asm__ volatile("" ::: "memory");
	return p;
}

__attribute__((noinline)) void *outer(size_t size)
{
	void *p = alloc(size);

	__asm__ volatile("" ::: "memory");
	return p;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: distee words|writes|batches|nested ARGS...\n");
		return 2;
	}
	if (!strcmp(argv[1], "words")) {
		for (int i = 2; i < argc; i++)
			word(argv[i]);
	} else if (!strcmp(argv[1], "writes") && argc == 4) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			return 1;
		for (long i = 0; i < atol(argv[2]); i++)
			if (write(1, "x", 1) != 1)
				return 1;
		for (long i = 0; i < atol(argv[3]); i++)
			if (write(2, "y", 1) != 1)
				return 1;
	} else if (!strcmp(argv[1], "batches") && argc == 5) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		for (long b = 0; b < atol(argv[2]); b++) {
			for (long k = 0; k < atol(argv[3]); k++)
				free(alloc(strtoul(argv[4], NULL, 0)));
			nanosleep(&ts, NULL);
		}
	} else if (!strcmp(argv[1], "nested") && argc == 4) {
		for (long i = 0; i < atol(argv[2]); i++)
			free(outer(strtoul(argv[3], NULL, 0)));
	} else {
		fprintf(stderr, "distee: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	return 0;
}
