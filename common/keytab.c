// SPDX-License-Identifier: GPL-2.0-only
/* keytab: byte-string keys to dense indexes (see keytab.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/keytab.h"

#define EMPTY UINT32_MAX

struct keytab {
	/* Keys, one after the other, each at offs[i] with length lens[i]. */
	char *bytes;
	size_t nbytes, capbytes;
	size_t *offs;
	size_t *lens;
	size_t n, cap;
	/* Open addressing over the indexes; a power of two, at most half full. */
	uint32_t *slots;
	size_t nslots;
};

static uint64_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

struct keytab *keytab__new(void)
{
	return calloc(1, sizeof(struct keytab));
}

void keytab__free(struct keytab *t)
{
	if (!t)
		return;
	free(t->bytes);
	free(t->offs);
	free(t->lens);
	free(t->slots);
	free(t);
}

static bool same(const struct keytab *t, uint32_t i, const void *key, size_t len)
{
	return t->lens[i] == len && (!len || !memcmp(t->bytes + t->offs[i], key, len));
}

/* The slot of @key: where it is, or the empty slot where it would go. */
static size_t slot_of(const struct keytab *t, const void *key, size_t len)
{
	size_t mask = t->nslots - 1, s = hash_bytes(key, len) & mask;

	while (t->slots[s] != EMPTY && !same(t, t->slots[s], key, len))
		s = (s + 1) & mask;
	return s;
}

static int rehash(struct keytab *t)
{
	size_t nslots = t->nslots ? t->nslots * 2 : 64;
	uint32_t *slots = malloc(nslots * sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	memset(slots, 0xff, nslots * sizeof(*slots));
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	for (uint32_t i = 0; i < t->n; i++)
		t->slots[slot_of(t, t->bytes + t->offs[i], t->lens[i])] = i;
	return 0;
}

int64_t keytab__find(const struct keytab *t, const void *key, size_t len)
{
	size_t s;

	if (!t->nslots)
		return -ENOENT;
	s = slot_of(t, key, len);
	if (t->slots[s] == EMPTY)
		return -ENOENT;
	return t->slots[s];
}

int keytab__add(struct keytab *t, const void *key, size_t len, uint32_t *idx)
{
	size_t s;

	if ((t->n + 1) * 2 > t->nslots && rehash(t))
		return -ENOMEM;
	s = slot_of(t, key, len);
	if (t->slots[s] != EMPTY) {
		*idx = t->slots[s];
		return 0;
	}
	if (t->n == EMPTY - 1)
		return -ENOMEM;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		size_t *offs = realloc(t->offs, cap * sizeof(*offs));

		if (!offs)
			return -ENOMEM;
		t->offs = offs;
		offs = realloc(t->lens, cap * sizeof(*offs));
		if (!offs)
			return -ENOMEM;
		t->lens = offs;
		t->cap = cap;
	}
	if (!t->bytes || t->nbytes + len > t->capbytes) {
		size_t cap = t->capbytes ? t->capbytes * 2 : 1024;
		char *b;

		while (cap < t->nbytes + len)
			cap *= 2;
		b = realloc(t->bytes, cap);
		if (!b)
			return -ENOMEM;
		t->bytes = b;
		t->capbytes = cap;
	}
	if (len)
		memcpy(t->bytes + t->nbytes, key, len);
	t->offs[t->n] = t->nbytes;
	t->lens[t->n] = len;
	t->nbytes += len;
	t->slots[s] = t->n;
	*idx = t->n++;
	return 1;
}

size_t keytab__count(const struct keytab *t)
{
	return t->n;
}

const void *keytab__key(const struct keytab *t, uint32_t idx, size_t *len)
{
	*len = t->lens[idx];
	return t->bytes + t->offs[idx];
}
