// SPDX-License-Identifier: GPL-2.0-only
/*
 * unwind_build [-n REPS] FILE...: build the unwind table of each FILE
 * (common/unwind.c, as the stack tools do) REPS times (default 5); print
 * its rows and the median CPU time of a build, in milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/elf.h"
#include "common/unwind.h"

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int reps = 5, i = 1, rc = 0;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		reps = atoi(argv[2]);
		i = 3;
	}
	if (reps < 1 || reps > 1000 || i >= argc) {
		fprintf(stderr, "usage: unwind_build [-n REPS] FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		double t[1000];
		size_t rows = 0;

		for (int r = 0; r < reps; r++) {
			double t0 = cpu_ms();
			struct elf_file *ef = elf_file__open(argv[i]);
			struct unwind_table *tab = ef ? unwind_table__from_elf(ef) : NULL;

			t[r] = cpu_ms() - t0;
			rows = tab ? tab->nrows : 0;
			unwind_table__free(tab);
			elf_file__free(ef);
		}
		if (!rows) {
			fprintf(stderr, "unwind_build: %s: no unwind table\n", argv[i]);
			rc = 1;
			continue;
		}
		qsort(t, reps, sizeof(t[0]), cmp_double);
		printf("%-60s %9zu rows %8.1f ms\n", argv[i], rows, t[reps / 2]);
	}
	return rc;
}
