// SPDX-License-Identifier: GPL-2.0-only
/*
 * ifunc: calls libc's IFUNC functions a known number of times.
 * Usage: ifunc N — strlen() N times and memset() 2N times, through
 * pointers so the compiler cannot expand them inline.
 */
#include <stdlib.h>
#include <string.h>

size_t (*volatile strlen_fn)(const char *) = strlen;
void *(*volatile memset_fn)(void *, int, size_t) = memset;

int main(int argc, char **argv)
{
	char buf[64];
	long n = argc > 1 ? atol(argv[1]) : 0;
	size_t sum = 0;

	for (long i = 0; i < n; i++) {
		sum += strlen_fn(argv[0]);
		memset_fn(buf, (int)i, sizeof(buf));
		memset_fn(buf, (int)sum, sizeof(buf));
	}
	return sum == 0 && n > 0;
}
