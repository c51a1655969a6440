/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keytab: byte-string keys to dense indexes, in the order they were first
 * added (0, 1, 2...). The exporters build their tables with it: pprof's
 * string table, functions, locations, mappings and samples, and the
 * series of each Prometheus metric family.
 */
#ifndef COTRACE_KEYTAB_H
#define COTRACE_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

struct keytab;

/* An empty table. NULL and errno on failure. */
struct keytab *keytab__new(void);
void keytab__free(struct keytab *t);

/*
 * The index of key @key (@len bytes, copied), added at the end when it is
 * new. Returns 1 when added, 0 when it was there, -ENOMEM; *@idx is set
 * unless -ENOMEM.
 */
int keytab__add(struct keytab *t, const void *key, size_t len, uint32_t *idx);

/* The index of @key, or -ENOENT. */
int64_t keytab__find(const struct keytab *t, const void *key, size_t len);

/* How many keys. */
size_t keytab__count(const struct keytab *t);

/* Key @idx (< keytab__count()) and its length (borrowed: valid until the
 * next keytab__add() or keytab__free()). */
const void *keytab__key(const struct keytab *t, uint32_t idx, size_t *len);

#endif
