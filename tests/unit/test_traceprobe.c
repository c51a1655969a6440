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


static void test_signature(void **state)
{
	struct trace_probe p;
	char err[256];

	assert_int_equal(trace_probe__parse(&p, "p:c:open(char *filename) \"opening %s\", filename",
					    err, sizeof(err)), 0);
	assert_string_equal(p.spec, "p:c:open");
	assert_int_equal(p.nsig, 1);
	assert_string_equal(p.sig[0].type, "char *");
	assert_string_equal(p.sig[0].name, "filename");
	assert_null(p.filter);
	trace_probe__fini(&p);

	/* A filter right after the signature, as bcc's sys_setsockopt example. */
	assert_int_equal(trace_probe__parse(&p, "f(int fd, const char __user* optval, int n)"
					    "(fd==0 && STRCMP(\"x\", optval))", err, sizeof(err)), 0);
	assert_string_equal(p.spec, "f");
	assert_int_equal(p.nsig, 3);
	assert_string_equal(p.sig[1].type, "const char __user*");
	assert_string_equal(p.sig[1].name, "optval");
	assert_string_equal(p.filter, "fd==0 && STRCMP(\"x\", optval)");
	trace_probe__fini(&p);

	/* (void) and () are empty signatures. */
	assert_int_equal(trace_probe__parse(&p, "p:c:fork(void) \"x\"", err, sizeof(err)), 0);
	assert_string_equal(p.spec, "p:c:fork");
	assert_int_equal(p.nsig, 0);
	trace_probe__fini(&p);

	/* A C++ parameter list stays part of the function's name. */
	assert_int_equal(trace_probe__parse(&p, "p:./cxx:ns::f(int) \"%d\", arg1", err,
					    sizeof(err)), 0);
	assert_string_equal(p.spec, "p:./cxx:ns::f(int)");
	assert_int_equal(p.nsig, 0);
	trace_probe__fini(&p);
	assert_int_equal(trace_probe__parse(&p, "p:./cxx:f(std::string const&)", err,
					    sizeof(err)), 0);
	assert_string_equal(p.spec, "p:./cxx:f(std::string");
	trace_probe__fini(&p);
}

/* Names from the signature, registers by position, types for members. */
static void test_signature_compile(void **state)
{
	struct fetch_env env = { .kind = FETCH_ENTRY };
	struct fetch_env usdt = { .kind = FETCH_USDT };
	struct fetch_plan plan;
	struct trace_probe p;
	char err[256];

	assert_int_equal(trace_probe__parse(&p, "p:c:f(int a, long b, char *s) (b > 2) "
					    "\"%d %s %ld\", a, s, b * 2", err, sizeof(err)), 0);
	assert_int_equal(trace_probe__compile(&p, &env, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.prog.ops[0].code, FOP_REG);
	assert_int_equal(plan.prog.ops[0].imm, 14);	/* a: rdi */
	assert_int_equal(plan.values[1].type.vtype, FETCH_T_STRING);
	assert_true(plan.has_filter);
	assert_int_equal(trace_probe__compile(&p, &usdt, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "take no signature"));
	trace_probe__fini(&p);

	/* A struct the sources do not know: said where it is used. */
	assert_int_equal(trace_probe__parse(&p, "p:c:f(struct timespec *ts) \"%ld\", ts->tv_nsec",
					    err, sizeof(err)), 0);
	assert_int_equal(trace_probe__compile(&p, &env, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'struct timespec'"));
	trace_probe__fini(&p);
}

static int fake_resolve(void *ctx, int pid, uint64_t addr, struct trace_sym *out)
{
	if (addr == 0x1010) {
		*out = (struct trace_sym){ pid < 0 ? "kfunc" : "ufunc", 0x10,
					   pid < 0 ? NULL : "/usr/lib/libx.so.1" };
		return 0;
	}
	if (addr == 0x2000 && pid >= 0) {
		*out = (struct trace_sym){ NULL, 0, "/bin/app" };
		return 0;
	}
	return -ENOENT;
}

static void test_symbols(void **state)
{
	struct trace_symbolizer sym = { fake_resolve, NULL };
	struct fetch_env env = { .kind = FETCH_ENTRY };
	struct trace_line line = {};
	struct fetch_plan plan;
	struct trace_probe p;
	uint8_t data[256] = {};
	uint64_t v[3] = { 0x1010, 0x2000, 0x3000 };
	char err[256];

	assert_int_equal(trace_probe__parse(&p, "p:c:f \"%K %U|%U|%U|%K|%-8U|\", arg1, arg1, arg2, "
					    "arg3, arg3, arg3", err, sizeof(err)), 0);
	assert_true(trace_probe__wants_symbols(&p));
	assert_int_equal(trace_probe__compile(&p, &env, &plan, err, sizeof(err)), 0);
	memcpy(data + plan.values[0].off, &v[0], 8);
	memcpy(data + plan.values[1].off, &v[0], 8);
	memcpy(data + plan.values[2].off, &v[1], 8);
	memcpy(data + plan.values[3].off, &v[2], 8);
	memcpy(data + plan.values[4].off, &v[2], 8);
	memcpy(data + plan.values[5].off, &v[2], 8);
	assert_string_equal(trace_probe__render_event(&p, &plan, data, sizeof(data), 42, &sym, &line),
			    "kfunc+0x10 ufunc+0x10 [libx.so.1]|[unknown] [app]|[unknown]|0x3000|"
			    "[unknown]|");
	/* Without a symbolizer: bcc's [unknown], the kernel's address. */
	assert_string_equal(trace_probe__render(&p, &plan, data, sizeof(data), &line),
			    "0x1010 [unknown]|[unknown]|[unknown]|0x3000|[unknown]|");
	trace_probe__fini(&p);
	trace_line__fini(&line);

	/* %K and %U take numbers. */
	assert_int_equal(trace_probe__parse(&p, "p:c:f \"%U\", arg1:string", err, sizeof(err)), 0);
	assert_true(trace_probe__compile(&p, &env, &plan, err, sizeof(err)) < 0);
	trace_probe__fini(&p);
	assert_int_equal(trace_probe__parse(&p, "p:c:f \"%d\", arg1", err, sizeof(err)), 0);
	assert_false(trace_probe__wants_symbols(&p));
	trace_probe__fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcc_form),
		cmocka_unit_test(test_ftrace_form),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_signature_compile),
		cmocka_unit_test(test_symbols),
	};

	return cmocka_run_group_tests_name("traceprobe", tests, NULL, NULL);
}
