// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/output.c: JSON escaping, tables, sinks. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/hist.h"
#include "common/output.h"
#include "common/stacks.h"

static void test_escape(void **state)
{
	char buf[64];

	assert_int_equal(json_escape(buf, sizeof(buf), "a\"b\\c\n\x01"), 15);
	assert_string_equal(buf, "a\\\"b\\\\c\\n\\u0001");
	/* Truncation still reports the full length and terminates. */
	assert_int_equal(json_escape(buf, 4, "abcdef"), 6);
	assert_string_equal(buf, "abc");
}

static const struct out_col cols[] = {
	{ "FUNC", "func", OUT_STR, -6 },
	{ "COUNT", "count", OUT_U64, 5 },
};

static struct out_table *table3(void)
{
	struct out_table *t = out_table__new(cols, 2);
	struct out_val v[2];

	v[0].s = "b"; v[1].u = 20; out_table__add(t, v);
	v[0].s = "a"; v[1].u = 5; out_table__add(t, v);
	v[0].s = "c"; v[1].u = 20; out_table__add(t, v);
	return t;
}

static char *render(enum out_format fmt, struct out_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, fmt);
	struct out_ctx ctx = { .record = "count", .interval = 3 };

	out__table(o, &ctx, t);
	out__free(o);
	fclose(f);
	return buf;
}

static void test_table_text_sorted(void **state)
{
	struct out_table *t = table3();
	char *s;

	out_table__sort(t, 1, false);
	s = render(OUT_TEXT, t);
	/* Ascending by count, stable among equal counts. */
	assert_string_equal(s, "FUNC   COUNT\na          5\nb         20\nc         20\n");
	free(s);
	out_table__sort(t, 1, true);
	out_table__truncate(t, 2);
	s = render(OUT_TEXT, t);
	assert_string_equal(s, "FUNC   COUNT\nb         20\nc         20\n");
	free(s);
	out_table__free(t);
}

/* syscount's interval header is bcc's "[HH:MM:SS]"; funccount's "HH:MM:SS". */
static void test_table_time_header(void **state)
{
	struct out_table *t = table3();

	for (int bracket = 0; bracket < 2; bracket++) {
		char *buf = NULL, hh[3], mm[3], ss[3];
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct out *o = out__new(f, OUT_TEXT);
		struct out_ctx ctx = { .timestamp = true, .bracket_time = bracket };

		out__table(o, &ctx, t);
		out__free(o);
		fclose(f);
		assert_int_equal(sscanf(buf + bracket, "%2[0-9]:%2[0-9]:%2[0-9]", hh, mm, ss), 3);
		assert_int_equal(buf[0] == '[', bracket);
		assert_int_equal(buf[bracket ? 9 : 8], bracket ? ']' : '\n');
		free(buf);
	}
	out_table__free(t);
}

static void test_table_json(void **state)
{
	struct out_table *t = table3();
	char *s;

	out_table__keep_last(t, 1);
	s = render(OUT_JSON, t);
	assert_string_equal(s, "{\"type\":\"count\",\"interval\":3,\"func\":\"c\",\"count\":20}\n");
	free(s);
	out_table__free(t);
}

static void test_json_nesting(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json *j = json__new(f);

	json__begin_object(j);
	json__begin_array(j, "a");
	json__u64(j, NULL, 1);
	json__s64(j, NULL, -2);
	json__end_array(j);
	json__bool(j, "b", true);
	json__str(j, "n", NULL);
	json__end_object(j);
	json__newline(j);
	json__free(j);
	fclose(f);
	assert_string_equal(buf, "{\"a\":[1,-2],\"b\":true,\"n\":null}\n");
	free(buf);
}

static char *render_hist(enum out_format fmt, bool stats)
{
	struct out_kv labels[] = {
		{ "func", NULL, OUT_STR, { .s = "read" } },
		{ "pid", NULL, OUT_U64, { .u = 42 } },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, fmt);
	struct out_ctx ctx = { .record = "hist" };
	struct hist h;

	hist__init_log2(&h);
	hist__add(&h, 2);
	hist__add(&h, 3);
	hist__add(&h, 5);
	h.sum = 10;
	out__hist_kv(o, &ctx, labels, 2, "nsecs", &h, stats);
	out__free(o);
	fclose(f);
	return buf;
}

static char *render_stack(enum out_format fmt, bool delimit, bool with_kernel)
{
	static char *user[] = { "gamma", "main" };
	static char *kernel[] = { "do_sys", "entry" };
	struct stack_record r = { .tgid = 7, .comm = "app", .count = 3, .user = user, .nuser = 2,
				  .kernel = kernel, .nkernel = with_kernel ? 2 : 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, fmt);
	struct out_ctx ctx = { .record = "stack", .delimit = delimit };

	out__stack(o, &ctx, &r, false, NULL, NULL);
	out__free(o);
	fclose(f);
	return buf;
}

/* bcc's -d: "--" (folded: "-") between kernel and user frames, only with it. */
static void test_stack_delimiter(void **state)
{
	char *s;

	s = render_stack(OUT_TEXT, false, true);
	assert_string_equal(s, "  do_sys\n  entry\n  gamma\n  main\n    3\n\n");
	free(s);
	s = render_stack(OUT_TEXT, true, true);
	assert_string_equal(s, "  do_sys\n  entry\n    --\n  gamma\n  main\n    3\n\n");
	free(s);
	s = render_stack(OUT_FOLDED, false, true);
	assert_string_equal(s, "app;main;gamma;entry_[k];do_sys_[k] 3\n");
	free(s);
	s = render_stack(OUT_FOLDED, true, true);
	assert_string_equal(s, "app;main;gamma;-;entry_[k];do_sys_[k] 3\n");
	free(s);
	/* No kernel frames: nothing to delimit. */
	s = render_stack(OUT_FOLDED, true, false);
	assert_string_equal(s, "app;main;gamma 3\n");
	free(s);
	s = render_stack(OUT_TEXT, true, false);
	assert_string_equal(s, "  gamma\n  main\n    3\n\n");
	free(s);
}

/* A full disk: the first failed write is kept, with its reason, even
 * though stdio forgets it once the buffer is dropped (issue 12). */
static void test_write_error_kept(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct out_table *t = table3();
	struct out_ctx ctx = { .record = "count" };
	struct out *o;

	assert_non_null(f);
	o = out__new(f, OUT_TEXT);
	assert_non_null(o);
	assert_int_equal(out__flush(o), 0);	/* nothing written yet */
	out__table(o, &ctx, t);			/* flushes itself, and fails */
	assert_int_equal(out__flush(o), -ENOSPC);
	assert_int_equal(out__flush(o), -ENOSPC);
	out__free(o);
	out_table__free(t);
	fclose(f);
}

/* A pipe whose reader has gone: EPIPE, also when stdio lost the reason. */
static void test_closed_pipe(void **state)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	int fds[2];
	FILE *f;

	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	f = fdopen(fds[1], "w");
	assert_non_null(f);
	fputs("lost\n", f);
	assert_int_equal(out_stream__flush(f), -EPIPE);
	/* The buffer was dropped: only the error flag is left. */
	errno = 0;
	assert_int_equal(out_stream__flush(f), -EPIPE);
	fclose(f);
	signal(SIGPIPE, old);
}

static void test_hist_kv(void **state)
{
	char *s = render_hist(OUT_TEXT, true);

	assert_string_equal(s,
		"\nfunc = read, pid = 42\n"
		"     nsecs               : count    distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 2        |****************************************|\n"
		"         4 -> 7          : 1        |********************                    |\n"
		"\navg = 3 nsecs, total: 10 nsecs, count: 3\n");
	free(s);
	s = render_hist(OUT_JSON, true);
	assert_string_equal(s,
		"{\"type\":\"hist\",\"interval\":0,\"func\":\"read\",\"pid\":42,\"unit\":\"nsecs\","
		"\"buckets\":[{\"low\":0,\"high\":1,\"count\":0},{\"low\":2,\"high\":3,\"count\":2},"
		"{\"low\":4,\"high\":7,\"count\":1}],\"count\":3,\"sum\":10}\n");
	free(s);
}

static const char *frame_of(void *ctx, bool kernel, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s%zu", kernel ? "kfunc" : "ufunc", i);
	return buf;
}

static char *render_event(enum out_format fmt, const struct out_event_layout *l,
			  const struct out_event *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, fmt);

	out__event_header(o, l);
	out__event(o, l, e);
	assert_false(out__failed(o));
	out__free(o);
	fclose(f);
	return buf;
}

/* uprobe-trace's events: bcc trace's columns in text, one record in JSON. */
static void test_event(void **state)
{
	const enum out_type types[] = { OUT_STR, OUT_S64, OUT_U64 };
	const struct out_val args[] = { { .s = "x\"y" }, { .i = -3 }, { .u = 7 } };
	struct out_event_layout l = { .time = true, .cpu = true, .user_stack = true };
	struct out_event e = { .time = "1.500000", .ts = 1.5, .pid = 42, .tid = 43, .cpu = 1,
			       .comm = "app", .func = "write", .msg = "wrote 7", .arg_types = types,
			       .args = args, .nargs = 3, .nkernel = 1, .nuser = 2,
			       .frame = frame_of };
	char *s = render_event(OUT_TEXT, &l, &e), *text;

	assert_string_equal(s,
		"TIME           CPU PID     TID     COMM            FUNC             -\n"
		"1.500000       1   42      43      app             write            wrote 7\n"
		"        kfunc0\n"
		"        ufunc0\n"
		"        ufunc1\n");
	/* -A counts the same text; its report adds the count. */
	text = out_event__text(&l, &e);
	assert_string_equal(text, strchr(s, '\n') + 1);
	free(text);
	free(s);
	l.wide_time = true;
	l.cpu = false;
	e.nkernel = e.nuser = 0;
	s = render_event(OUT_TEXT, &l, &e);
	assert_string_equal(s,
		"TIME              PID     TID     COMM            FUNC             -\n"
		"1.500000          42      43      app             write            wrote 7\n");
	free(s);
	e.nuser = 1;
	s = render_event(OUT_JSON, &l, &e);
	assert_string_equal(s,
		"{\"type\":\"event\",\"ts\":1.5,\"pid\":42,\"tid\":43,\"cpu\":1,\"comm\":\"app\","
		"\"func\":\"write\",\"message\":\"wrote 7\",\"args\":[\"x\\\"y\",-3,7],"
		"\"user_stack\":[\"ufunc0\"]}\n");
	free(s);
}

static void test_event_count(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, OUT_TEXT);

	out__event_count(o, "line\n", 3);
	out__free(o);
	fclose(f);
	assert_string_equal(buf, "line\n-->COUNT 3\n\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_table_text_sorted),
		cmocka_unit_test(test_table_json),
		cmocka_unit_test(test_table_time_header),
		cmocka_unit_test(test_json_nesting),
		cmocka_unit_test(test_hist_kv),
		cmocka_unit_test(test_stack_delimiter),
		cmocka_unit_test(test_write_error_kept),
		cmocka_unit_test(test_closed_pipe),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_event_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
