// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/tracesites.c without BPF: uprobe-trace probes
 * compiled for the sites of tests/targets/typed (built with -g; run make
 * targets first): parameters named from DWARF, members through their
 * types, and the sentences of what cannot compile.
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
#include "common/tracesites.h"

#define T "build/tests/targets/typed"

/* Compile probe @text on its sites; the result, with the sentence in @err. */
static int compile(const char *text, struct fetch_plan *plan, char *err, size_t errlen)
{
	struct trace_probe p;
	struct site_set set = {};
	int ret;

	err[0] = '\0';
	if (trace_probe__parse(&p, text, err, errlen))
		fail_msg("%s: %s", text, err);
	if (site_set__add_specs(&set, &p.spec, 1, 0, 0, NULL, err, errlen))
		fail_msg("%s: %s", text, err);
	assert_int_equal(set.count, 1);
	ret = trace_sites__compile(&set, &(struct trace_sites_opts){ &p, 80 }, plan, err, errlen);
	site_set__fini(&set);
	trace_probe__fini(&p);
	return ret;
}

static void test_dwarf_names(void **state)
{
	struct fetch_plan plan;
	char err[512];

	assert_int_equal(compile("p:" T ":visit \"%d %ld %d\", depth, r->id, r->pos.y", &plan,
				 err, sizeof(err)), 0);
	assert_int_equal(plan.nvalues, 3);
	assert_int_equal(plan.values[0].type.vtype, FETCH_T_SIGNED);
	assert_int_equal(plan.values[0].type.size, 4);
	assert_int_equal(plan.values[1].type.size, 8);
	assert_int_equal(plan.values[2].type.size, 4);
}

static void test_errors(void **state)
{
	struct fetch_plan plan;
	char err[512];

	assert_int_equal(compile("p:" T ":visit \"%d\", nosuchparam", &plan, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "nosuchparam"));
	assert_int_not_equal(compile("p:" T ":visit \"%d\", r->nosuchmember", &plan, err,
				     sizeof(err)), 0);
	assert_non_null(strstr(err, "nosuchmember"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dwarf_names),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
