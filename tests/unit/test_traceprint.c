// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/traceprint.c without BPF: ring-buffer records as
 * uprobe-trace's BPF side writes them, printed in bcc trace's layout and
 * in JSON, -n and -f, -M's end, -A's counts, malformed records ignored.
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

#include "common/sites.h"
#include "common/traceprint.h"
#include "bpf/uprobe_trace.h"

struct fixture {
	struct trace_probe probe;
	struct fetch_plan plan;
	struct site site;
	struct site_set set;
	struct trace_printer tp;
	bool done;
	FILE *f;
	char *buf;
	size_t len;
	struct out *out;
};

static void setup(struct fixture *x, enum out_format fmt, const struct trace_print_opts *o)
{
	struct fetch_env env = { .kind = FETCH_ENTRY };
	struct trace_print_opts po = *o;
	char err[256];

	memset(x, 0, sizeof(*x));
	assert_int_equal(trace_probe__parse(&x->probe, "p:c:write \"wrote %d\", arg3", err,
					    sizeof(err)), 0);
	assert_int_equal(trace_probe__compile(&x->probe, &env, &x->plan, err, sizeof(err)), 0);
	x->site = (struct site){ .kind = PROBE_UPROBE, .name = "write" };
	x->set = (struct site_set){ .sites = &x->site, .count = 1, .cap = 1 };
	x->f = open_memstream(&x->buf, &x->len);
	x->out = out__new(x->f, fmt);
	assert_non_null(x->out);
	po.probes = &x->probe;
	trace_printer__init(&x->tp, &po, &x->set, &x->plan, NULL, x->out, &x->done);
}

static void fixture_fini(struct fixture *x)
{
	trace_printer__fini(&x->tp);
	out__free(x->out);
	fclose(x->f);
	free(x->buf);
	trace_probe__fini(&x->probe);
}

/* A record of @comm writing @n bytes, with @nuser user frames. */
static int event(struct fixture *x, const char *comm, int64_t n, unsigned nuser)
{
	uint8_t rec[sizeof(struct trace_event) + 256] = {};
	struct trace_event *e = (void *)rec;
	size_t dlen = x->plan.prog.data_size;

	*e = (struct trace_event){ .ts = 0, .pid = 42, .tid = 43, .site = 0, .cpu = 1,
				   .stack_bytes = nuser * 8 };
	strncpy(e->comm, comm, sizeof(e->comm));
	memcpy(rec + sizeof(*e) + x->plan.values[0].off, &n, sizeof(n));
	memset(rec + sizeof(*e) + dlen, 0x11, nuser * 8);
	return trace_printer__event(&x->tp, rec, sizeof(*e) + dlen + nuser * 8);
}

static const char *text(struct fixture *x)
{
	fflush(x->f);
	return x->buf;
}

static void test_text(void **state)
{
	struct fixture x;

	setup(&x, OUT_TEXT, &(struct trace_print_opts){ .print_cpu = true });
	out__event_header(x.out, &x.tp.layout);
	assert_int_equal(event(&x, "app", 7, 0), 0);
	/* A frame no symbolizer knows. */
	assert_int_equal(event(&x, "app", 8, 1), 0);
	assert_string_equal(text(&x),
		"CPU PID     TID     COMM            FUNC             -\n"
		"1   42      43      app             write            wrote 7\n"
		"1   42      43      app             write            wrote 8\n"
		"        [unknown]\n");
	assert_int_equal(x.tp.printed, 2);
	fixture_fini(&x);
}

/* -n and -f leave events out; -M ends the run at its count. */
static void test_filters_and_end(void **state)
{
	struct fixture x;

	setup(&x, OUT_TEXT, &(struct trace_print_opts){ .comm = "ap", .msg_filter = "wrote 1",
							 .max_events = 2 });
	assert_int_equal(event(&x, "other", 1, 0), 0);
	assert_int_equal(event(&x, "app", 2, 0), 0);
	assert_int_equal(event(&x, "app", 10, 0), 0);
	assert_false(x.done);
	assert_int_equal(event(&x, "app", 11, 0), -ECANCELED);
	assert_true(x.done);
	assert_int_equal(event(&x, "app", 12, 0), 0);
	assert_string_equal(text(&x),
		"42      43      app             write            wrote 10\n"
		"42      43      app             write            wrote 11\n");
	fixture_fini(&x);
}

static void test_json(void **state)
{
	struct fixture x;

	setup(&x, OUT_JSON, &(struct trace_print_opts){ .user_stack = true });
	assert_int_equal(event(&x, "app", -5, 1), 0);
	assert_string_equal(text(&x),
		"{\"type\":\"event\",\"pid\":42,\"tid\":43,\"cpu\":1,\"comm\":\"app\","
		"\"func\":\"write\",\"message\":\"wrote -5\",\"args\":[-5],"
		"\"user_stack\":[\"[unknown]\"]}\n");
	fixture_fini(&x);
}

static void test_aggregate(void **state)
{
	struct fixture x;

	setup(&x, OUT_TEXT, &(struct trace_print_opts){ .aggregate = true });
	event(&x, "app", 1, 0);
	event(&x, "app", 2, 0);
	event(&x, "app", 2, 0);
	assert_string_equal(text(&x), "");
	trace_printer__aggregate_report(&x.tp);
	assert_int_equal(x.tp.agg_err, 0);
	assert_string_equal(text(&x),
		"42      43      app             write            wrote 2\n-->COUNT 2\n\n"
		"42      43      app             write            wrote 1\n-->COUNT 1\n\n");
	fixture_fini(&x);
}

/* Records that do not hold together are dropped, not read past. */
static void test_malformed(void **state)
{
	uint8_t rec[sizeof(struct trace_event) + 16] = {};
	struct trace_event *e = (void *)rec;
	struct fixture x;

	setup(&x, OUT_TEXT, &(struct trace_print_opts){});
	assert_int_equal(trace_printer__event(&x.tp, rec, sizeof(*e) - 1), 0);
	e->site = 1;
	assert_int_equal(trace_printer__event(&x.tp, rec, sizeof(rec)), 0);
	e->site = 0;
	e->stack_bytes = 64;
	assert_int_equal(trace_printer__event(&x.tp, rec, sizeof(rec)), 0);
	assert_string_equal(text(&x), "");
	assert_int_equal(x.tp.printed, 0);
	fixture_fini(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_filters_and_end),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
