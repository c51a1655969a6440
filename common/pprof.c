// SPDX-License-Identifier: GPL-2.0-only
/*
 * pprof: stacks to a gzipped profile.proto (see pprof.h).
 *
 * The tables of the profile are keytabs whose keys are arrays of 64-bit
 * words holding what identifies an entry, so the key is also the record
 * the encoder reads back:
 *   strings    the bytes of the string (index 0 is "", as pprof requires)
 *   functions  name, system name, file (string indexes)
 *   mappings   file, build-id (string indexes); base and flags beside
 *   locations  mapping id, address, then (function id, line) per line,
 *              innermost inline frame first
 *   samples    n, location ids (leaf first), then (key, string + 1 or 0,
 *              number) per label; values beside
 * Ids in the profile are indexes + 1 (0 means none).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/keytab.h"
#include "common/pprof.h"
#include "common/stacks.h"
#include "common/utf8.h"

#define MAX_TYPES 8
#define KERNEL_MAPPING "[kernel.kallsyms]"

/* Field numbers of profile.proto (github.com/google/pprof/proto/profile.proto). */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_MAPPING = 3, PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6, PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10, PROFILE_PERIOD_TYPE = 11, PROFILE_PERIOD = 12,
	PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3,
	LABEL_KEY = 1, LABEL_STR = 2, LABEL_NUM = 3,
	MAPPING_ID = 1, MAPPING_MEMORY_START = 2, MAPPING_MEMORY_LIMIT = 3,
	MAPPING_FILENAME = 5, MAPPING_BUILD_ID = 6, MAPPING_HAS_FUNCTIONS = 7,
	MAPPING_HAS_FILENAMES = 8, MAPPING_HAS_LINE_NUMBERS = 9, MAPPING_HAS_INLINE_FRAMES = 10,
	LOCATION_ID = 1, LOCATION_MAPPING_ID = 2, LOCATION_ADDRESS = 3, LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1, LINE_LINE = 2,
	FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4,
};

/* Wire types. */
enum { WT_VARINT = 0, WT_LEN = 2 };

struct mapping {
	uint64_t base;		/* where file offset 0 is: the first process's */
	uint64_t limit;		/* highest address + 1 */
	bool unsymbolized;	/* a location without a function */
	bool files;
	bool lines;
};

struct pprof {
	struct keytab *strings, *funcs, *maps, *locs, *samples;
	struct mapping *mapv;
	size_t mapcap;
	int64_t *values;	/* ntypes per sample */
	size_t valcap;		/* samples */
	uint32_t type[MAX_TYPES], unit[MAX_TYPES];
	int64_t scale[MAX_TYPES];
	size_t ntypes;
	uint32_t period_type, period_unit;
	int64_t period;
	int64_t time_ns, duration_ns;
	uint64_t total;
	uint64_t *words;	/* scratch for one key */
	size_t nwords, capwords;
};

/* ---- building ------------------------------------------------------------------- */

/*
 * The index of the @len bytes at @s in the string table, made UTF-8
 * first: profile.proto's strings are proto3 strings, which protobuf
 * libraries (Parca's, Pyroscope's) refuse to decode when they are not.
 */
static int intern_n(struct pprof *p, const char *s, size_t len, uint32_t *idx)
{
	char *fixed;
	int ret;

	if (utf8_is_valid(s, len))
		return keytab__add(p->strings, s, len, idx) < 0 ? -ENOMEM : 0;
	fixed = utf8_sanitize(s, len, &len);
	if (!fixed)
		return -ENOMEM;
	ret = keytab__add(p->strings, fixed, len, idx) < 0 ? -ENOMEM : 0;
	free(fixed);
	return ret;
}

static int intern(struct pprof *p, const char *s, uint32_t *idx)
{
	return intern_n(p, s, strlen(s), idx);
}

struct pprof *pprof__new(void)
{
	struct pprof *p = calloc(1, sizeof(*p));
	uint32_t empty;

	if (!p)
		return NULL;
	p->strings = keytab__new();
	p->funcs = keytab__new();
	p->maps = keytab__new();
	p->locs = keytab__new();
	p->samples = keytab__new();
	if (!p->strings || !p->funcs || !p->maps || !p->locs || !p->samples ||
	    intern(p, "", &empty)) {
		pprof__free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void pprof__free(struct pprof *p)
{
	if (!p)
		return;
	keytab__free(p->strings);
	keytab__free(p->funcs);
	keytab__free(p->maps);
	keytab__free(p->locs);
	keytab__free(p->samples);
	free(p->mapv);
	free(p->values);
	free(p->words);
	free(p);
}

int pprof__add_sample_type(struct pprof *p, const char *type, const char *unit, int64_t scale)
{
	if (p->ntypes == MAX_TYPES || keytab__count(p->samples))
		return -EINVAL;
	if (intern(p, type, &p->type[p->ntypes]) || intern(p, unit, &p->unit[p->ntypes]))
		return -ENOMEM;
	p->scale[p->ntypes++] = scale;
	return 0;
}

int pprof__set_period(struct pprof *p, const char *type, const char *unit, int64_t period)
{
	if (intern(p, type, &p->period_type) || intern(p, unit, &p->period_unit))
		return -ENOMEM;
	p->period = period;
	return 0;
}

void pprof__set_time(struct pprof *p, int64_t time_ns, int64_t duration_ns)
{
	p->time_ns = time_ns;
	p->duration_ns = duration_ns;
}

static int word(struct pprof *p, uint64_t w)
{
	if (p->nwords == p->capwords) {
		size_t cap = p->capwords ? p->capwords * 2 : 256;
		uint64_t *v = realloc(p->words, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->words = v;
		p->capwords = cap;
	}
	p->words[p->nwords++] = w;
	return 0;
}

/* Word @i of a key read back from a keytab (whose bytes need not be aligned). */
static uint64_t key_word(const void *key, size_t i)
{
	uint64_t w;

	memcpy(&w, (const char *)key + i * sizeof(w), sizeof(w));
	return w;
}

/*
 * The id of the function @name in @file (may be NULL), whose symbol in
 * its file is @symbol (mangled; NULL: @name). pprof shortens a C++ name
 * whose system name is the same (no parameters, no template arguments):
 * the mangled one keeps the name as the folded output has it.
 */
static int function_id(struct pprof *p, const char *name, const char *symbol, const char *file,
		       uint64_t *id)
{
	const char *at;
	uint32_t key[3], idx;

	if (symbol && !*symbol)
		symbol = NULL;
	at = symbol ? strchr(symbol + 1, '@') : NULL;

	/* The symbol version ("malloc@@GLIBC_2.2.5") is not part of the name. */
	if (intern(p, name, &key[0]) ||
	    (symbol ? intern_n(p, symbol, at ? (size_t)(at - symbol) : strlen(symbol), &key[1])
		    : intern(p, name, &key[1])) ||
	    intern(p, file ? file : "", &key[2]) ||
	    keytab__add(p->funcs, key, sizeof(key), &idx) < 0)
		return -ENOMEM;
	*id = idx + 1;
	return 0;
}

/* The id of the mapping of frame @f, and @f's address in it. */
static int mapping_id(struct pprof *p, const struct stack_frame *f, bool kernel, uint64_t *id,
		      uint64_t *addr)
{
	struct mapping *m;
	uint32_t key[2], idx;
	int ret;

	if (intern(p, kernel ? KERNEL_MAPPING : f->module, &key[0]) ||
	    intern(p, f->build_id ? f->build_id : "", &key[1]))
		return -ENOMEM;
	ret = keytab__add(p->maps, key, sizeof(key), &idx);
	if (ret < 0)
		return ret;
	if (idx >= p->mapcap) {
		size_t cap = p->mapcap ? p->mapcap * 2 : 16;

		m = realloc(p->mapv, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		p->mapv = m;
		p->mapcap = cap;
	}
	m = &p->mapv[idx];
	if (ret)
		*m = (struct mapping){ .base = kernel ? 0 : f->addr - f->module_offset };
	/* Kernel addresses are their own; user ones are file offsets rebased. */
	*addr = kernel ? f->addr : m->base + f->module_offset;
	if (*addr + 1 > m->limit)
		m->limit = *addr + 1;
	*id = idx + 1;
	return 0;
}

/*
 * The id of the location of frames @f[0..n): one address, its inline
 * frames then the function holding them.
 */
static int location_id(struct pprof *p, const struct stack_frame *f, size_t n, bool kernel,
		       uint64_t *id)
{
	uint64_t map = 0, addr = f[0].addr, fid;
	bool lines = false, files = false, funcs = false;
	uint32_t idx;
	int ret;

	p->nwords = 0;
	if (f[0].module && (ret = mapping_id(p, &f[0], kernel, &map, &addr)))
		return ret;
	if (word(p, map) || word(p, addr))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!f[i].func)
			continue;
		if (function_id(p, f[i].func, f[i].symbol, f[i].file, &fid) || word(p, fid) ||
		    word(p, f[i].line))
			return -ENOMEM;
		funcs = true;
		files |= f[i].file != NULL;
		lines |= f[i].line > 0;
	}
	/* Nothing known at all: a function named as the folded output names it. */
	if (!map && !funcs &&
	    (function_id(p, "[unknown]", NULL, NULL, &fid) || word(p, fid) || word(p, 0)))
		return -ENOMEM;
	ret = keytab__add(p->locs, p->words, p->nwords * sizeof(uint64_t), &idx);
	if (ret < 0)
		return ret;
	if (ret && map) {
		struct mapping *m = &p->mapv[map - 1];

		m->unsymbolized |= !funcs;
		m->files |= files;
		m->lines |= lines;
	}
	*id = idx + 1;
	return 0;
}

/* A location of one pseudo-frame named @name. */
static int named_location(struct pprof *p, const char *name, uint64_t *id)
{
	struct stack_frame f = { .func = name };

	return location_id(p, &f, 1, false, id);
}

/* Append the locations of @f[0..n) to @ids, innermost first. */
static int add_frames(struct pprof *p, const struct stack_frame *f, size_t n, bool kernel,
		      uint64_t *ids, size_t *nids)
{
	for (size_t i = 0, j; i < n; i = j + 1) {
		int ret;

		/* An inline frame shares its address with the frames it is inside. */
		for (j = i; j + 1 < n && f[j].inlined && f[j + 1].addr == f[i].addr; j++)
			;
		ret = location_id(p, &f[i], j - i + 1, kernel, &ids[*nids]);
		if (ret)
			return ret;
		(*nids)++;
	}
	return 0;
}

int pprof__add_stack(struct pprof *p, const struct stack_record *r,
		     const struct pprof_label *labels, size_t nlabels)
{
	size_t n = 0, nmax = r->nkernel + r->nuser + 2;
	uint64_t *ids = malloc(nmax * sizeof(*ids));
	uint32_t idx, key, str = 0;
	int err, added;

	if (!ids)
		return -ENOMEM;
	/* Leaf first: the kernel part of a stack is inside its user part. */
	err = add_frames(p, r->kernel_frames, r->nkernel, true, ids, &n);
	if (!err && r->kernel_lost)
		err = named_location(p, "[kernel stack lost]", &ids[n++]);
	if (!err)
		err = add_frames(p, r->user_frames, r->nuser, false, ids, &n);
	if (!err && r->user_lost)
		err = named_location(p, "[user stack lost]", &ids[n++]);
	if (err)
		goto out;
	err = -ENOMEM;
	p->nwords = 0;
	if (word(p, n))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (word(p, ids[i]))
			goto out;
	for (size_t i = 0; i < nlabels; i++) {
		if (intern(p, labels[i].key, &key) ||
		    (labels[i].str && intern(p, labels[i].str, &str)) ||
		    word(p, key) || word(p, labels[i].str ? str + 1ULL : 0) ||
		    word(p, labels[i].str ? 0 : (uint64_t)labels[i].num))
			goto out;
	}
	added = keytab__add(p->samples, p->words, p->nwords * sizeof(uint64_t), &idx);
	if (added < 0)
		goto out;
	if (idx >= p->valcap) {
		size_t cap = p->valcap ? p->valcap * 2 : 256;
		int64_t *v = realloc(p->values, cap * MAX_TYPES * sizeof(*v));

		if (!v)
			goto out;
		p->values = v;
		p->valcap = cap;
	}
	if (added)
		memset(&p->values[idx * MAX_TYPES], 0, MAX_TYPES * sizeof(*p->values));
	for (size_t t = 0; t < p->ntypes; t++)
		p->values[idx * MAX_TYPES + t] += (int64_t)r->count * p->scale[t];
	p->total += r->count;
	err = 0;
out:
	free(ids);
	return err;
}

size_t pprof__samples(const struct pprof *p, uint64_t *total)
{
	*total = p->total;
	return keytab__count(p->samples);
}

/* ---- encoding ------------------------------------------------------------------- */

/* A growing buffer of protobuf; the first allocation failure sticks. */
struct pb {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static void pb_raw(struct pb *b, const void *d, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		uint8_t *p;

		while (cap < b->n + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->n, d, len);
	b->n += len;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t buf[10];
	size_t n = 0;

	do {
		buf[n++] = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v);
	pb_raw(b, buf, n);
}

static void pb_key(struct pb *b, unsigned field, unsigned wire)
{
	pb_varint(b, (uint64_t)field << 3 | wire);
}

/* A varint field; zero is the default and is left out, as protobuf does. */
static void pb_uint(struct pb *b, unsigned field, uint64_t v)
{
	if (!v)
		return;
	pb_key(b, field, WT_VARINT);
	pb_varint(b, v);
}

static void pb_bytes(struct pb *b, unsigned field, const void *d, size_t len)
{
	pb_key(b, field, WT_LEN);
	pb_varint(b, len);
	pb_raw(b, d, len);
}

/* Embed message @m as field @field of @b and empty @m for the next one. */
static void pb_msg(struct pb *b, unsigned field, struct pb *m)
{
	b->oom |= m->oom;
	pb_bytes(b, field, m->p, m->n);
	m->n = 0;
}

static void pb_value_type(struct pb *b, unsigned field, struct pb *m, uint32_t type,
			  uint32_t unit)
{
	pb_uint(m, VALUE_TYPE_TYPE, type);
	pb_uint(m, VALUE_TYPE_UNIT, unit);
	pb_msg(b, field, m);
}

static void encode_samples(const struct pprof *p, struct pb *b, struct pb *m, struct pb *in)
{
	for (uint32_t s = 0; s < keytab__count(p->samples); s++) {
		size_t len, n, w, nw;
		const void *k = keytab__key(p->samples, s, &len);

		nw = len / sizeof(uint64_t);
		n = key_word(k, 0);
		for (w = 1; w <= n; w++)
			pb_varint(in, key_word(k, w));
		pb_msg(m, SAMPLE_LOCATION_ID, in);
		for (size_t t = 0; t < p->ntypes; t++)
			pb_varint(in, (uint64_t)p->values[s * MAX_TYPES + t]);
		pb_msg(m, SAMPLE_VALUE, in);
		for (; w + 3 <= nw; w += 3) {
			uint64_t str = key_word(k, w + 1);

			pb_uint(in, LABEL_KEY, key_word(k, w));
			if (str) {
				pb_uint(in, LABEL_STR, str - 1);
			} else {
				pb_key(in, LABEL_NUM, WT_VARINT);
				pb_varint(in, key_word(k, w + 2));
			}
			pb_msg(m, SAMPLE_LABEL, in);
		}
		pb_msg(b, PROFILE_SAMPLE, m);
	}
}

static void encode_tables(const struct pprof *p, struct pb *b, struct pb *m, struct pb *in)
{
	size_t len;

	for (uint32_t i = 0; i < keytab__count(p->maps); i++) {
		const uint32_t *k = keytab__key(p->maps, i, &len);
		const struct mapping *mp = &p->mapv[i];
		uint32_t key[2];

		memcpy(key, k, sizeof(key));
		pb_uint(m, MAPPING_ID, i + 1);
		pb_uint(m, MAPPING_MEMORY_START, mp->base);
		pb_uint(m, MAPPING_MEMORY_LIMIT, mp->limit);
		pb_uint(m, MAPPING_FILENAME, key[0]);
		pb_uint(m, MAPPING_BUILD_ID, key[1]);
		pb_uint(m, MAPPING_HAS_FUNCTIONS, !mp->unsymbolized);
		pb_uint(m, MAPPING_HAS_FILENAMES, mp->files);
		pb_uint(m, MAPPING_HAS_LINE_NUMBERS, mp->lines);
		/* Source lines come with their inline frames (syms.h). */
		pb_uint(m, MAPPING_HAS_INLINE_FRAMES, mp->lines);
		pb_msg(b, PROFILE_MAPPING, m);
	}
	for (uint32_t i = 0; i < keytab__count(p->locs); i++) {
		const void *k = keytab__key(p->locs, i, &len);
		size_t nw = len / sizeof(uint64_t);

		pb_uint(m, LOCATION_ID, i + 1);
		pb_uint(m, LOCATION_MAPPING_ID, key_word(k, 0));
		pb_uint(m, LOCATION_ADDRESS, key_word(k, 1));
		for (size_t w = 2; w + 2 <= nw; w += 2) {
			pb_uint(in, LINE_FUNCTION_ID, key_word(k, w));
			pb_uint(in, LINE_LINE, key_word(k, w + 1));
			pb_msg(m, LOCATION_LINE, in);
		}
		pb_msg(b, PROFILE_LOCATION, m);
	}
	for (uint32_t i = 0; i < keytab__count(p->funcs); i++) {
		const uint32_t *k = keytab__key(p->funcs, i, &len);
		uint32_t key[3];

		memcpy(key, k, sizeof(key));
		pb_uint(m, FUNCTION_ID, i + 1);
		pb_uint(m, FUNCTION_NAME, key[0]);
		pb_uint(m, FUNCTION_SYSTEM_NAME, key[1]);
		pb_uint(m, FUNCTION_FILENAME, key[2]);
		pb_msg(b, PROFILE_FUNCTION, m);
	}
	for (uint32_t i = 0; i < keytab__count(p->strings); i++) {
		const void *s = keytab__key(p->strings, i, &len);

		pb_bytes(b, PROFILE_STRING_TABLE, s, len);
	}
}

/* Gzip @len bytes at @in into a malloc'ed *@out. */
static int gzip(const void *in, size_t len, void **out, size_t *outlen)
{
	z_stream zs = {};
	size_t cap;
	void *buf;
	int ret;

	/* 15 + 16: a gzip header and trailer around the deflate stream. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&zs, len) + 32;
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&zs);
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = len;
	zs.next_out = buf;
	zs.avail_out = cap;
	ret = deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	if (ret != Z_STREAM_END) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*outlen = zs.total_out;
	return 0;
}

int pprof__encode(const struct pprof *p, void **buf, size_t *len)
{
	struct pb b = {}, m = {}, in = {};
	int err = -ENOMEM;

	for (size_t t = 0; t < p->ntypes; t++)
		pb_value_type(&b, PROFILE_SAMPLE_TYPE, &m, p->type[t], p->unit[t]);
	encode_samples(p, &b, &m, &in);
	encode_tables(p, &b, &m, &in);
	pb_uint(&b, PROFILE_TIME_NANOS, p->time_ns);
	pb_uint(&b, PROFILE_DURATION_NANOS, p->duration_ns);
	if (p->period_type || p->period_unit)
		pb_value_type(&b, PROFILE_PERIOD_TYPE, &m, p->period_type, p->period_unit);
	pb_uint(&b, PROFILE_PERIOD, p->period);
	if (p->ntypes)
		pb_uint(&b, PROFILE_DEFAULT_SAMPLE_TYPE, p->type[p->ntypes - 1]);
	if (!b.oom && !m.oom && !in.oom)
		err = gzip(b.p, b.n, buf, len);
	free(b.p);
	free(m.p);
	free(in.p);
	return err;
}
