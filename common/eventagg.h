/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eventagg: uprobe-trace -A's count of identical events. The distinct
 * events as text, each with how many times it came, in the order first
 * seen; an open-addressing index of their hashes finds a text again.
 */
#ifndef COTRACE_EVENTAGG_H
#define COTRACE_EVENTAGG_H

#include <stddef.h>
#include <stdint.h>

struct eventagg {
	struct agg_item {
		char *text;
		uint64_t count;
		uint64_t hash;
		size_t order;	/* first seen: ties keep it */
	} *items;
	size_t n, cap;
	uint32_t *index;	/* item + 1, 0 for an empty slot */
	size_t nslots;		/* a power of two, at least twice n */
};

/* Count one more @text (taken over: freed or kept). 0 or -ENOMEM. */
int eventagg__add(struct eventagg *a, char *text);

/* Sort the items as bcc trace -A reports them: by count, most first;
 * equal counts in the order first seen. The index is no longer valid
 * after it: only eventagg__fini() may follow. */
void eventagg__sort(struct eventagg *a);

void eventagg__fini(struct eventagg *a);

#endif
