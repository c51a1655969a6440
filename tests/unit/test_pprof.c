// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/pprof.c: a profile built from stack records made
 * by hand, gunzipped and decoded here field by field, as profile.proto
 * numbers them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "common/pprof.h"
#include "common/stacks.h"

/* ---- a small protobuf reader ------------------------------------------------------ */

struct field {
	unsigned num, wire;
	uint64_t v;		/* varint */
	const uint8_t *p;	/* length-delimited */
	size_t len;
};

static uint64_t varint(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;

	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	fail_msg("truncated varint");
	return 0;
}

/* The next field of [*p, end); false at the end. */
static bool next(const uint8_t **p, const uint8_t *end, struct field *f)
{
	uint64_t key;

	if (*p >= end)
		return false;
	key = varint(p, end);
	f->num = key >> 3;
	f->wire = key & 7;
	if (f->wire == 0) {
		f->v = varint(p, end);
	} else if (f->wire == 2) {
		f->len = varint(p, end);
		assert_true(f->len <= (size_t)(end - *p));
		f->p = *p;
		*p += f->len;
	} else {
		fail_msg("wire type %u", f->wire);
	}
	return true;
}

/* The varint of field @num in message [p, p+len), 0 if absent (protobuf's default). */
static uint64_t get(const uint8_t *p, size_t len, unsigned num)
{
	const uint8_t *end = p + len;
	struct field f;
	uint64_t v = 0;

	while (next(&p, end, &f))
		if (f.num == num && f.wire == 0)
			v = f.v;
	return v;
}

/* The submessages or packed varints of field @num into @out (at most @max). */
static size_t get_all(const uint8_t *p, size_t len, unsigned num, struct field *out, size_t max)
{
	const uint8_t *end = p + len;
	struct field f;
	size_t n = 0;

	while (next(&p, end, &f))
		if (f.num == num && n < max)
			out[n++] = f;
	return n;
}

static size_t packed(const struct field *f, uint64_t *out, size_t max)
{
	const uint8_t *p = f->p, *end = f->p + f->len;
	size_t n = 0;

	while (p < end && n < max)
		out[n++] = varint(&p, end);
	return n;
}

/* The decoded profile: the raw protobuf and its tables. */
struct profile {
	uint8_t *raw;
	size_t len;
	struct field strings[128], samples[16], mappings[16], locations[32], functions[32];
	size_t nstrings, nsamples, nmappings, nlocations, nfunctions;
};

static void decode(const void *gz, size_t gzlen, struct profile *pr)
{
	z_stream zs = {};
	size_t cap = 1 << 20;

	memset(pr, 0, sizeof(*pr));
	pr->raw = malloc(cap);
	assert_non_null(pr->raw);
	assert_int_equal(inflateInit2(&zs, 15 + 32), Z_OK);	/* gzip header expected */
	zs.next_in = (Bytef *)gz;
	zs.avail_in = gzlen;
	zs.next_out = pr->raw;
	zs.avail_out = cap;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	pr->len = zs.total_out;
	inflateEnd(&zs);
	pr->nstrings = get_all(pr->raw, pr->len, 6, pr->strings, 128);
	pr->nsamples = get_all(pr->raw, pr->len, 2, pr->samples, 16);
	pr->nmappings = get_all(pr->raw, pr->len, 3, pr->mappings, 16);
	pr->nlocations = get_all(pr->raw, pr->len, 4, pr->locations, 32);
	pr->nfunctions = get_all(pr->raw, pr->len, 5, pr->functions, 32);
}

static const char *str(const struct profile *pr, uint64_t i, char *buf)
{
	assert_true(i < pr->nstrings);
	memcpy(buf, pr->strings[i].p, pr->strings[i].len);
	buf[pr->strings[i].len] = 0;
	return buf;
}

/* The message with id @id (field 1) among @v. */
static const struct field *by_id(const struct field *v, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (get(v[i].p, v[i].len, 1) == id)
			return &v[i];
	fail_msg("no id %llu", (unsigned long long)id);
	return NULL;
}

/* The name (@field 2, or the system name: 3) of the function of line @k of location @loc. */
static const char *line_name(const struct profile *pr, uint64_t loc, size_t k, unsigned field,
			     char *buf, uint64_t *line)
{
	const struct field *l = by_id(pr->locations, pr->nlocations, loc), *fn;
	struct field lines[8];

	assert_true(get_all(l->p, l->len, 4, lines, 8) > k);
	*line = get(lines[k].p, lines[k].len, 2);
	fn = by_id(pr->functions, pr->nfunctions, get(lines[k].p, lines[k].len, 1));
	return str(pr, get(fn->p, fn->len, field), buf);
}

static const char *line_func(const struct profile *pr, uint64_t loc, size_t k, char *buf,
			     uint64_t *line)
{
	return line_name(pr, loc, k, 2, buf, line);
}

static size_t nlines(const struct profile *pr, uint64_t loc)
{
	const struct field *l = by_id(pr->locations, pr->nlocations, loc);
	struct field lines[8];

	return get_all(l->p, l->len, 4, lines, 8);
}

static const struct field *mapping_of(const struct profile *pr, uint64_t loc)
{
	const struct field *l = by_id(pr->locations, pr->nlocations, loc);
	uint64_t m = get(l->p, l->len, 2);

	return m ? by_id(pr->mappings, pr->nmappings, m) : NULL;
}

/* ---- records -------------------------------------------------------------------------- */

static struct stack_frame app[] = {
	{ .addr = 0x555500001139, .func = "gamma", .symbol = "gamma@@V_1", .offset = 0x9,
	  .module = "/bin/app",
	  .module_offset = 0x1139, .build_id = "c0ffee" },
	{ .addr = 0x555500001180, .func = "beta", .module = "/bin/app", .module_offset = 0x1180,
	  .build_id = "c0ffee" },
	{ .addr = 0x5555000011a0, .func = "main", .module = "/bin/app", .module_offset = 0x11a0,
	  .build_id = "c0ffee" },
};

/* The same code in another process, mapped elsewhere. */
static struct stack_frame app2[] = {
	{ .addr = 0x777700001139, .func = "gamma", .symbol = "gamma@@V_1", .offset = 0x9,
	  .module = "/bin/app",
	  .module_offset = 0x1139, .build_id = "c0ffee" },
	{ .addr = 0x777700001180, .func = "beta", .module = "/bin/app", .module_offset = 0x1180,
	  .build_id = "c0ffee" },
	{ .addr = 0x7777000011a0, .func = "main", .module = "/bin/app", .module_offset = 0x11a0,
	  .build_id = "c0ffee" },
};

static struct stack_frame inl[] = {
	{ .addr = 0x555500001200, .func = "helper", .module = "/bin/app", .module_offset = 0x1200,
	  .build_id = "c0ffee", .file = "a.c", .line = 10, .inlined = true },
	{ .addr = 0x555500001200, .func = "outer(int)", .symbol = "_Z5outeri", .module = "/bin/app",
	  .module_offset = 0x1200,
	  .build_id = "c0ffee", .file = "a.c", .line = 20 },
	{ .addr = 0x7f0000021000, .module = "/lib/libc.so.6", .module_offset = 0x21000 },
	{ .addr = 0x1234 },
};

static struct stack_frame kern[] = {
	{ .addr = 0xffffffff81000010, .func = "do_syscall_64", .offset = 0x10,
	  .module = "[kernel]", .module_offset = 0xffffffff81000010 },
};

static void test_profile(void **state)
{
	struct stack_record r1 = { .comm = "app", .count = 3, .user_frames = app, .nuser = 3 };
	struct stack_record r1b = { .comm = "app", .count = 4, .user_frames = app2, .nuser = 3 };
	struct stack_record r2 = { .comm = "app", .count = 2, .user_frames = inl, .nuser = 4,
				   .kernel_frames = kern, .nkernel = 1 };
	struct stack_record r3 = { .comm = "x", .count = 1, .user_lost = true };
	struct pprof_label l1[] = { { "comm", "app" } };
	/* A comm is any bytes; the string table is UTF-8. */
	struct pprof_label l3[] = { { "comm", "x\xff" }, { "pid", NULL, 42 } };
	struct pprof *p = pprof__new();
	struct field types[4], labels[4];
	char buf[256], b2[256];
	uint64_t ids[16], vals[4], line, total;
	struct profile pr;
	void *gz;
	size_t len, n;

	assert_non_null(p);
	assert_int_equal(pprof__add_sample_type(p, "samples", "count", 1), 0);
	assert_int_equal(pprof__add_sample_type(p, "cpu", "nanoseconds", 10), 0);
	assert_int_equal(pprof__set_period(p, "cpu", "nanoseconds", 10), 0);
	pprof__set_time(p, 1700000000000000000LL, 2500000000LL);
	assert_int_equal(pprof__add_stack(p, &r1, l1, 1), 0);
	assert_int_equal(pprof__add_stack(p, &r2, l1, 1), 0);
	assert_int_equal(pprof__add_stack(p, &r3, l3, 2), 0);
	/* The next interval: the same stack in another process adds to its sample. */
	assert_int_equal(pprof__add_stack(p, &r1b, l1, 1), 0);
	/* No more sample types once there are samples. */
	assert_int_equal(pprof__add_sample_type(p, "x", "count", 1), -EINVAL);
	assert_int_equal(pprof__samples(p, &total), 3);
	assert_int_equal(total, 10);
	assert_int_equal(pprof__encode(p, &gz, &len), 0);
	decode(gz, len, &pr);
	free(gz);

	assert_true(pr.nstrings > 0 && pr.strings[0].len == 0);	/* "" first */
	assert_int_equal(get_all(pr.raw, pr.len, 1, types, 4), 2);
	assert_string_equal(str(&pr, get(types[0].p, types[0].len, 1), buf), "samples");
	assert_string_equal(str(&pr, get(types[1].p, types[1].len, 2), buf), "nanoseconds");
	assert_string_equal(str(&pr, get(pr.raw, pr.len, 14), buf), "cpu");	/* default */
	assert_int_equal(get(pr.raw, pr.len, 12), 10);
	assert_int_equal(get(pr.raw, pr.len, 9), 1700000000000000000LL);
	assert_int_equal(get(pr.raw, pr.len, 10), 2500000000LL);
	assert_int_equal(get_all(pr.raw, pr.len, 11, types, 4), 1);
	assert_string_equal(str(&pr, get(types[0].p, types[0].len, 1), buf), "cpu");
	assert_int_equal(pr.nsamples, 3);

	/* r1 + r1b: one sample, 7 samples and 70 ns, leaf first, one mapping rebased. */
	get_all(pr.samples[0].p, pr.samples[0].len, 2, types, 4);
	assert_int_equal(packed(&types[0], vals, 4), 2);
	assert_int_equal(vals[0], 7);
	assert_int_equal(vals[1], 70);
	get_all(pr.samples[0].p, pr.samples[0].len, 1, types, 4);
	assert_int_equal(packed(&types[0], ids, 16), 3);
	assert_string_equal(line_func(&pr, ids[0], 0, buf, &line), "gamma");
	/* The system name without its symbol version; the name itself without one. */
	assert_string_equal(line_name(&pr, ids[0], 0, 3, buf, &line), "gamma");
	assert_string_equal(line_func(&pr, ids[2], 0, buf, &line), "main");
	assert_string_equal(line_name(&pr, ids[2], 0, 3, buf, &line), "main");
	{
		const struct field *l = by_id(pr.locations, pr.nlocations, ids[0]);
		const struct field *m = mapping_of(&pr, ids[0]);

		assert_int_equal(get(l->p, l->len, 3), 0x555500001139);
		assert_int_equal(get(m->p, m->len, 2), 0x555500000000);	/* memory_start */
		assert_true(get(m->p, m->len, 3) > 0x5555000011a0);		/* memory_limit */
		assert_int_equal(get(m->p, m->len, 4), 0);			/* file_offset */
		assert_string_equal(str(&pr, get(m->p, m->len, 5), buf), "/bin/app");
		assert_string_equal(str(&pr, get(m->p, m->len, 6), buf), "c0ffee");
		assert_int_equal(get(m->p, m->len, 7), 1);			/* has_functions */
		assert_int_equal(get(m->p, m->len, 9), 1);			/* lines (r2's) */
	}
	assert_int_equal(get_all(pr.samples[0].p, pr.samples[0].len, 3, labels, 4), 1);
	assert_string_equal(str(&pr, get(labels[0].p, labels[0].len, 1), buf), "comm");
	assert_string_equal(str(&pr, get(labels[0].p, labels[0].len, 2), buf), "app");

	/* r2: the kernel frame, the inline frames in one location, the unknown ones. */
	get_all(pr.samples[1].p, pr.samples[1].len, 1, types, 4);
	n = packed(&types[0], ids, 16);
	assert_int_equal(n, 4);
	assert_string_equal(line_func(&pr, ids[0], 0, buf, &line), "do_syscall_64");
	assert_string_equal(str(&pr, get(mapping_of(&pr, ids[0])->p, mapping_of(&pr, ids[0])->len,
					 5), b2), "[kernel.kallsyms]");
	assert_int_equal(nlines(&pr, ids[1]), 2);
	assert_string_equal(line_func(&pr, ids[1], 0, buf, &line), "helper");
	assert_int_equal(line, 10);
	assert_string_equal(line_func(&pr, ids[1], 1, buf, &line), "outer(int)");
	assert_int_equal(line, 20);
	/* A C++ name and its mangled form: pprof shortens neither. */
	assert_string_equal(line_name(&pr, ids[1], 1, 3, buf, &line), "_Z5outeri");
	/* A module without the function: an address for pprof to symbolize. */
	assert_int_equal(nlines(&pr, ids[2]), 0);
	assert_int_equal(get(mapping_of(&pr, ids[2])->p, mapping_of(&pr, ids[2])->len, 7), 0);
	/* Nothing known: named as the folded output names it. */
	assert_null(mapping_of(&pr, ids[3]));
	assert_string_equal(line_func(&pr, ids[3], 0, buf, &line), "[unknown]");

	/* r3: a lost user stack, a numeric label. */
	get_all(pr.samples[2].p, pr.samples[2].len, 1, types, 4);
	assert_int_equal(packed(&types[0], ids, 16), 1);
	assert_string_equal(line_func(&pr, ids[0], 0, buf, &line), "[user stack lost]");
	assert_int_equal(get_all(pr.samples[2].p, pr.samples[2].len, 3, labels, 4), 2);
	assert_string_equal(str(&pr, get(labels[0].p, labels[0].len, 2), buf), "x\xef\xbf\xbd");
	assert_string_equal(str(&pr, get(labels[1].p, labels[1].len, 1), buf), "pid");
	assert_int_equal(get(labels[1].p, labels[1].len, 3), 42);
	assert_int_equal(get(labels[1].p, labels[1].len, 2), 0);

	free(pr.raw);
	pprof__free(p);
	pprof__free(NULL);
}

/* No samples at all is still a profile pprof reads. */
static void test_empty(void **state)
{
	struct pprof *p = pprof__new();
	struct profile pr;
	uint64_t total;
	void *gz;
	size_t len;

	assert_non_null(p);
	assert_int_equal(pprof__add_sample_type(p, "hits", "count", 1), 0);
	assert_int_equal(pprof__samples(p, &total), 0);
	assert_int_equal(pprof__encode(p, &gz, &len), 0);
	decode(gz, len, &pr);
	assert_int_equal(pr.nsamples, 0);
	assert_int_equal(pr.nstrings, 3);	/* "", hits, count */
	free(gz);
	free(pr.raw);
	pprof__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
