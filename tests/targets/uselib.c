// SPDX-License-Identifier: GPL-2.0-only
/*
 * uselib: calls libcotarget.so. Usage: uselib N [--wait]
 * cot_add() N times and cot_mul() 2N times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long cot_add(long a, long b);
long cot_mul(long a, long b);

int main(int argc, char **argv)
{
	char line[64];
	long n, acc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: uselib N [--wait]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc > 2 && !strcmp(argv[2], "--wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++) {
		acc = cot_add(acc, i);
		acc = cot_mul(acc, 1);
		acc = cot_mul(acc, 1);
	}
	return acc == 0 && n > 1;
}
