// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for common/argspec.c: bcc argdist's specifier language. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/argspec.h"

static void test_full(void **state)
{
	struct argspec sp;
	char err[256];

	assert_int_equal(argspec__parse(&sp, "p:c:write(int fd, const char *buf, size_t n):"
					"int,size_t:fd,n:fd==1#writes", false, err, sizeof(err)), 0);
	assert_int_equal(sp.kind, PROBE_UPROBE);
	assert_false(sp.kernel);
	assert_string_equal(sp.lib, "c");
	assert_string_equal(sp.func, "write");
	assert_int_equal(sp.nsig, 3);
	assert_string_equal(sp.sig[1].type, "const char *");
	assert_string_equal(sp.sig[1].name, "buf");
	assert_int_equal(sp.nexprs, 2);
	assert_string_equal(sp.types[1], "size_t");
	assert_string_equal(sp.exprs[0], "fd");
	assert_string_equal(sp.filter, "fd==1");
	assert_string_equal(argspec__title(&sp), "writes");
	argspec__fini(&sp);
}

static void test_return_rewrites(void **state)
{
	struct argspec sp;
	char err[256];

	assert_int_equal(argspec__parse(&sp, "r:c:read(int fd, void *buf, size_t count):"
					"u64:$latency", true, err, sizeof(err)), 0);
	assert_int_equal(sp.kind, PROBE_URETPROBE);
	assert_true(sp.hist);
	assert_true(sp.latency);
	assert_string_equal(sp.cexprs[0], "__latency");
	assert_string_equal(argspec__title(&sp), sp.text);
	argspec__fini(&sp);

	assert_int_equal(argspec__parse(&sp, "r:c:read(int fd, void *buf, size_t count):"
					"size_t:$entry(count)", false, err, sizeof(err)), 0);
	assert_int_equal(sp.nentry, 1);
	assert_string_equal(sp.entry[0], "count");
	assert_string_equal(sp.cexprs[0], "__entry_count");
	argspec__fini(&sp);
}

static void test_kernel_and_default(void **state)
{
	struct argspec sp;
	char err[256];

	assert_int_equal(argspec__parse(&sp, "r::vfs_read()", false, err, sizeof(err)), 0);
	assert_true(sp.kernel);
	assert_string_equal(sp.func, "vfs_read");
	assert_true(sp.default_expr);
	argspec__fini(&sp);
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
		"x:c:malloc(size_t size):size_t:size",	/* not p, r, t or u */
		"p:c:malloc(size_t size",		/* unbalanced */
		"p:c:malloc(size_t size):size_t:$latency",	/* $latency at an entry */
		"p:c:malloc(size_t size):size_t:$entry(size)",
		/* (A lone name, nosuchtype, is left for the site's types.) */
		"p:c:malloc(size_t size):no such type:size",
		"p:c:f(int a,):int:a",			/* empty parameter */
		"p:c:f(int a,int b,int c,int d,int e,int f,int g,int h,int i,int j):int:a", /* ten */
		"",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct argspec sp;

		err[0] = '\0';
		assert_int_not_equal(argspec__parse(&sp, bad[i], false, err, sizeof(err)), 0);
		assert_true(err[0] != '\0');
		argspec__fini(&sp);
	}
}


static void test_tracepoint_usdt(void **state)
{
	struct argspec sp;
	char err[256];

	assert_int_equal(argspec__parse(&sp, "t:block:block_rq_complete():u32:args->nr_sector",
					true, err, sizeof(err)), 0);
	assert_int_equal(sp.kind, PROBE_TRACEPOINT);
	assert_false(sp.kernel);
	assert_string_equal(sp.lib, "block");
	assert_string_equal(sp.func, "block_rq_complete");
	assert_string_equal(sp.exprs[0], "args->nr_sector");
	argspec__fini(&sp);

	assert_int_equal(argspec__parse(&sp, "u:pthread:pthread_start():u64:arg2", false, err,
					sizeof(err)), 0);
	assert_int_equal(sp.kind, PROBE_USDT);
	assert_string_equal(sp.lib, "pthread");
	assert_string_equal(sp.func, "pthread_start");
	argspec__fini(&sp);

	assert_int_equal(argspec__parse(&sp, "t:irq:irq_handler_entry()", false, err, sizeof(err)),
			 0);
	assert_true(sp.default_expr);
	argspec__fini(&sp);
}

static void test_labels_and_types(void **state)
{
	struct argspec sp;
	char err[256];

	/* bcc's older examples write the label after ';'. */
	assert_int_equal(argspec__parse(&sp, "p:c:write():int:$PID;write per process", false, err,
					sizeof(err)), 0);
	assert_string_equal(argspec__title(&sp), "write per process");
	assert_string_equal(sp.exprs[0], "$PID");
	argspec__fini(&sp);
	assert_int_equal(argspec__parse(&sp, "r:c:f(char *s):int:$retval:STRCMP(\"a;b#c\", "
					"$entry(s))#mine", false, err, sizeof(err)), 0);
	assert_string_equal(argspec__title(&sp), "mine");
	assert_string_equal(sp.cfilter, "STRCMP(\"a;b#c\", __entry_s)");
	argspec__fini(&sp);

	/* Arithmetic and typedef names, left for the site's types. */
	assert_int_equal(argspec__parse(&sp, "p::__kmalloc(size_t size, gfp_t flags):"
					"gfp_t,size_t:flags,size", false, err, sizeof(err)), 0);
	assert_string_equal(sp.sig[1].type, "gfp_t");
	assert_string_equal(sp.types[0], "gfp_t");
	argspec__fini(&sp);
	assert_int_equal(argspec__parse(&sp, "r:c:malloc(size_t size):u64:$latency/$entry(size)",
					true, err, sizeof(err)), 0);
	assert_string_equal(sp.cexprs[0], "__latency/__entry_size");
	assert_true(sp.latency);
	argspec__fini(&sp);
	assert_int_equal(argspec__parse(&sp, "p:c:nanosleep(struct timespec *req):long:req->tv_nsec",
					true, err, sizeof(err)), 0);
	argspec__fini(&sp);
}

static void test_bad_new_forms(void **state)
{
	static const char *const bad[] = {
		"t:sched:sched_switch(int x):int:x",	/* tracepoints take no signature */
		"u:lib:probe(long i):long:i",		/* nor USDT probes */
		"t::sched_switch():int:1",		/* no category */
		"u::probe()",				/* no library */
		"t:sched:sched_switch():u64:$latency",	/* $latency needs r: */
		"p:c:f(struct foo f):int:1",		/* a struct by value */
		"p:c:f(int a):a b:a",			/* not a type */
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct argspec sp;

		err[0] = '\0';
		if (!argspec__parse(&sp, bad[i], false, err, sizeof(err)))
			fail_msg("'%s' parsed", bad[i]);
		assert_true(err[0] != '\0');
		argspec__fini(&sp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_return_rewrites),
		cmocka_unit_test(test_kernel_and_default),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_tracepoint_usdt),
		cmocka_unit_test(test_labels_and_types),
		cmocka_unit_test(test_bad_new_forms),
	};

	return cmocka_run_group_tests_name("argspec", tests, NULL, NULL);
}
