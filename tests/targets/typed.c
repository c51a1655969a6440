// SPDX-License-Identifier: GPL-2.0-only
/*
 * typed: functions taking pointers to structs with known field values,
 * built with -g, for the typed expressions of uprobe-trace and argdist
 * (members, nested structs, arrays, bit-fields, casts, signatures).
 * Usage: typed [--wait] [--hold] MODE ARGS...
 *   recs N        builds N records (N <= 8) and calls visit(&rec[i], i) for
 *                 each, in order: rec[i] has id i+1, name "rec<i+1>", tag
 *                 "t<i+1>", pos {10*(i+1), -(i+1)}, next &rec[i+1] (NULL for
 *                 the last), flags (i+1)%8 (3 bits), delta -(i+1) (5 signed
 *                 bits), arr {i+1, 2(i+1), 3(i+1), 4(i+1)}, cb callback;
 *                 visit() returns id - 3
 *   sleep NS...   nanosleep() for NS nanoseconds each, through libc
 * --wait: nothing happens until a line arrives on stdin; --hold: the
 * program stays until another line arrives (its symbols stay readable).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "typed.h"

volatile unsigned long sink;

__attribute__((noinline)) void callback(void)
{
	sink++;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) long visit(struct rec *r, int depth)
{
	sink += r->id + depth;
	__asm__ volatile("" ::: "memory");
	return r->id - 3;
}

static int wait_line(void)
{
	char line[64];

	return fgets(line, sizeof(line), stdin) ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const enum color colors[] = { RED, GREEN, BLUE };
	static char names[8][16];
	static struct rec recs[8];
	bool hold = false;
	int i = 1;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--wait") && wait_line())
			return 1;
		if (!strcmp(argv[i], "--hold"))
			hold = true;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: typed [--wait] [--hold] recs N | sleep NS...\n");
		return 2;
	}
	if (!strcmp(argv[i], "recs") && i + 1 < argc) {
		long n = atol(argv[i + 1]);

		if (n < 1 || n > 8)
			return 2;
		for (long k = 0; k < n; k++) {
			struct rec *r = &recs[k];
			long id = k + 1;

			snprintf(names[k], sizeof(names[k]), "rec%ld", id);
			r->id = id;
			r->name = names[k];
			snprintf(r->tag, sizeof(r->tag), "t%ld", id);
			r->pos = (struct point){ 10 * id, -id };
			r->next = k + 1 < n ? &recs[k + 1] : NULL;
			r->flags = id % 8;
			r->delta = -id;
			for (int j = 0; j < 4; j++)
				r->arr[j] = (j + 1) * id;
			r->color = colors[k % 3];
			r->cb = callback;
			r->word = 0x01020304u * id;
		}
		for (long k = 0; k < n; k++)
			visit(&recs[k], k);
	} else if (!strcmp(argv[i], "sleep")) {
		for (i++; i < argc; i++) {
			struct timespec ts = { 0, atol(argv[i]) };

			if (nanosleep(&ts, NULL))
				return 1;
		}
	} else {
		fprintf(stderr, "typed: unknown mode '%s'\n", argv[i]);
		return 2;
	}
	if (hold && wait_line())
		return 1;
	return 0;
}
