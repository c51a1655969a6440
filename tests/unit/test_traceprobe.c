// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for common/traceprobe.c: uprobe-trace's probe language. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/traceprobe.h"

static void test_bcc_form(void **state)
{
	struct trace_probe p;
	char err[256];

	assert_int_equal(trace_probe__parse(&p, "p:c:write (arg1 == 1) \"%d bytes: %s\", "
					    "arg3, arg2", err, sizeof(err)), 0);
	assert_string_equal(p.spec, "p:c:write");
	assert_string_equal(p.filter, "arg1 == 1");
	assert_string_equal(p.fmt, "%d bytes: %s");
	assert_false(p.ftrace);
	assert_int_equal(p.nargs, 2);
	assert_int_equal(p.nconvs, 2);
	assert_string_equal(p.args[0], "arg3");
	assert_int_equal(p.convs[1].c, 's');
	trace_probe__fini(&p);
}

static void test_ftrace_form(void **state)
{
	struct trace_probe p;
	char err[256];

	assert_int_equal(trace_probe__parse(&p, "p:myev /bin/true:0x1139 fd=%di +0(%si):string",
					    err, sizeof(err)), 0);
	assert_true(p.ftrace);
	assert_string_equal(p.event, "myev");
	assert_int_equal(p.nargs, 2);
	assert_string_equal(p.names[0], "fd");
	trace_probe__fini(&p);
}

/* Compile and render: the data area laid out by the plan, then the line. */
static void test_render(void **state)
{
	struct fetch_env env = { .kind = FETCH_ENTRY };
	struct trace_line line = {};
	struct fetch_plan plan;
	struct trace_probe p;
	uint8_t data[256] = {};
	char err[256];
	int64_t v = -42;

	assert_int_equal(trace_probe__parse(&p, "p:c:f \"x=%d y=%5x%%\", arg1, arg2", err,
					    sizeof(err)), 0);
	assert_int_equal(trace_probe__compile(&p, &env, &plan, err, sizeof(err)), 0);
	memcpy(data + plan.values[0].off, &v, sizeof(v));
	v = 0xab;
	memcpy(data + plan.values[1].off, &v, sizeof(v));
	assert_string_equal(trace_probe__render(&p, &plan, data, sizeof(data), &line),
			    "x=-42 y=   ab%");
	trace_probe__fini(&p);
	trace_line__fini(&line);
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
		"p:c:f \"%d\"",			/* a conversion without an argument */
		"p:c:f \"%d\", arg1, arg2",	/* an argument without a conversion */
		"p:c:f (arg1 == 1",		/* unbalanced filter */
		"p:c:f \"unterminated",
		"",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trace_probe p;

		err[0] = '\0';
		assert_int_not_equal(trace_probe__parse(&p, bad[i], err, sizeof(err)), 0);
		assert_true(err[0] != '\0');
		trace_probe__fini(&p);
	}
}

static void test_kinds(void **state)
{
	assert_true(trace_probe__is_kernel(PROBE_KRETPROBE));
	assert_false(trace_probe__is_kernel(PROBE_URETPROBE));
	assert_int_equal(trace_probe__fetch_kind(PROBE_URETPROBE), FETCH_RETURN);
	assert_int_equal(trace_probe__fetch_kind(PROBE_USDT), FETCH_USDT);
	assert_int_equal(trace_probe__fetch_kind(PROBE_KPROBE), FETCH_ENTRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcc_form),
		cmocka_unit_test(test_ftrace_form),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests_name("traceprobe", tests, NULL, NULL);
}
