// SPDX-License-Identifier: GPL-2.0-only
/* eventagg: identical events counted (see eventagg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/eventagg.h"

static uint64_t text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Count one more @text (taken over: freed or kept). 0 or -ENOMEM. */
int eventagg__add(struct eventagg *a, char *text)
{
	uint64_t h = text_hash(text);
	size_t slot;

	for (slot = a->nslots ? h & (a->nslots - 1) : 0; a->nslots && a->index[slot];
	     slot = (slot + 1) & (a->nslots - 1)) {
		struct agg_item *it = &a->items[a->index[slot] - 1];

		if (it->hash == h && !strcmp(it->text, text)) {
			it->count++;
			free(text);
			return 0;
		}
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void *p = realloc(a->items, cap * sizeof(*a->items));

		if (!p)
			goto out_nomem;
		a->items = p;
		a->cap = cap;
	}
	if (2 * (a->n + 1) > a->nslots) {
		size_t n = a->nslots ? a->nslots * 2 : 128;
		uint32_t *idx = calloc(n, sizeof(*idx));

		if (!idx)
			goto out_nomem;
		for (size_t i = 0; i < a->n; i++) {
			size_t k = a->items[i].hash & (n - 1);

			while (idx[k])
				k = (k + 1) & (n - 1);
			idx[k] = i + 1;
		}
		free(a->index);
		a->index = idx;
		a->nslots = n;
		for (slot = h & (n - 1); idx[slot]; slot = (slot + 1) & (n - 1))
			;
	}
	a->items[a->n] = (struct agg_item){ text, 1, h, a->n };
	a->index[slot] = ++a->n;
	return 0;
out_nomem:
	free(text);
	return -ENOMEM;
}

static int agg_cmp(const void *a, const void *b)
{
	const struct agg_item *x = a, *y = b;

	/* By count, most first (as bcc); equal counts in the order first seen. */
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void eventagg__sort(struct eventagg *a)
{
	qsort(a->items, a->n, sizeof(*a->items), agg_cmp);
}

void eventagg__fini(struct eventagg *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->items[i].text);
	free(a->items);
	free(a->index);
}
