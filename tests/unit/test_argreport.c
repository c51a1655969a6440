// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/argreport.c without BPF: counts as the map holds
 * them (a plan of tests/targets/distee, run make targets first) to
 * argdist's tables in text and JSON, the change between reports, -c, -T,
 * and the --prom counters with their labels.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/argreport.h"
#include "common/prom.h"
#include "common/sites.h"

#define D "build/tests/targets/distee"
#define SPEC "p:" D ":alloc(size_t size):size_t:size"

struct fixture {
	struct argspec spec;
	struct site_set set;
	struct argplan pl;
	struct argreport rep;
	struct out *out;
	FILE *f;
	char *buf;
	size_t len;
};

static void setup(struct fixture *x, enum out_format fmt, bool cumulative, unsigned long top)
{
	char err[512];

	memset(x, 0, sizeof(*x));
	x->pl.set = &x->set;
	if (argspec__parse(&x->spec, SPEC, false, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(argplan__build(&x->pl, &(struct argplan_opts){ &x->spec, 1, 80 }, 0,
					NULL), 0);
	x->f = open_memstream(&x->buf, &x->len);
	x->out = out__new(x->f, fmt);
	assert_non_null(x->out);
	assert_int_equal(argreport__init(&x->rep, &(struct argreport_opts){ &x->spec, 1,
									    cumulative, top },
					 &x->pl, x->out, -1, -1), 0);
}

static void fixture_fini(struct fixture *x)
{
	argreport__fini(&x->rep);
	out__free(x->out);
	fclose(x->f);
	free(x->buf);
	argplan__fini(&x->pl);
	site_set__fini(&x->set);
	argspec__fini(&x->spec);
}

/* Counts of size values, as the map keys them: spec, pad, the value. */
static void counts(struct argcounts *c, size_t key_size, int n, ...)
{
	uint8_t key[64] = {};
	va_list ap;

	memset(c, 0, sizeof(*c));
	c->key_size = key_size;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		uint64_t size = va_arg(ap, uint64_t), count = va_arg(ap, uint64_t);

		memcpy(key + 8, &size, 8);
		assert_int_equal(argcounts__add(c, key, count), 0);
	}
	va_end(ap);
	argcounts__sort(c);
}

/* Report @cur, keep it as the last report's; what the report wrote. */
static const char *report(struct fixture *x, struct argcounts *cur)
{
	struct out_ctx ctx = { .interval = x->rep.interval, .indent = "\t", .record = "count" };
	size_t before;

	fflush(x->f);
	before = x->len;
	assert_int_equal(argreport__counts(&x->rep, &ctx, 0, cur), 0);
	argcounts__fini(&x->rep.prev_counts);
	x->rep.prev_counts = *cur;
	x->rep.interval++;
	fflush(x->f);
	return x->buf + before;
}

static void test_text_delta(void **state)
{
	struct fixture x;
	struct argcounts c;

	setup(&x, OUT_TEXT, false, 0);
	assert_int_equal(x.rep.key_size, 16);
	counts(&c, x.rep.key_size, 2, (uint64_t)16, (uint64_t)2, (uint64_t)32, (uint64_t)1);
	assert_string_equal(report(&x, &c),
			    "\tCOUNT      EVENT\n"
			    "\t1          size = 32\n"
			    "\t2          size = 16\n");
	/* The map is never cleared: the next report shows what changed. */
	counts(&c, x.rep.key_size, 3, (uint64_t)16, (uint64_t)5, (uint64_t)32, (uint64_t)1,
	       (uint64_t)8, (uint64_t)1);
	assert_string_equal(report(&x, &c),
			    "\tCOUNT      EVENT\n"
			    "\t1          size = 8\n"
			    "\t3          size = 16\n");
	fixture_fini(&x);
}

static void test_cumulative_top(void **state)
{
	struct fixture x;
	struct argcounts c;

	setup(&x, OUT_TEXT, true, 1);
	counts(&c, x.rep.key_size, 2, (uint64_t)16, (uint64_t)2, (uint64_t)32, (uint64_t)1);
	report(&x, &c);
	counts(&c, x.rep.key_size, 2, (uint64_t)16, (uint64_t)4, (uint64_t)32, (uint64_t)1);
	assert_string_equal(report(&x, &c),
			    "\tCOUNT      EVENT\n"
			    "\t4          size = 16\n");
	fixture_fini(&x);
}

static void test_json(void **state)
{
	struct fixture x;
	struct argcounts c;

	setup(&x, OUT_JSON, false, 0);
	counts(&c, x.rep.key_size, 1, (uint64_t)16, (uint64_t)2);
	assert_string_equal(report(&x, &c),
			    "{\"type\":\"count\",\"interval\":0,\"probe\":\"" SPEC "\",\"count\":2,"
			    "\"event\":\"size = 16\",\"size\":16}\n");
	fixture_fini(&x);
}

/* --prom: counters since the start, the expression as a label. */
static void test_prom(void **state)
{
	struct fixture x;
	struct argcounts c;
	struct prom *prom = prom__new();
	char *text;
	size_t len;

	assert_non_null(prom);
	setup(&x, OUT_TEXT, false, 0);
	assert_int_equal(argreport__declare_metrics(&x.rep, prom), 0);
	counts(&c, x.rep.key_size, 1, (uint64_t)16, (uint64_t)2);
	report(&x, &c);
	counts(&c, x.rep.key_size, 1, (uint64_t)16, (uint64_t)3);
	report(&x, &c);
	assert_int_equal(prom__render(prom, &text, &len), 0);
	assert_non_null(strstr(text, "cotrace_argdist_values_total{probe=\"" SPEC
				     "\",size=\"16\"} 3\n"));
	free(text);
	fixture_fini(&x);
	prom__free(prom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_delta),
		cmocka_unit_test(test_cumulative_top),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_prom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
