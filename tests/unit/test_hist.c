// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/hist.c and its rendering in common/output.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/hist.h"
#include "common/output.h"

static void test_slots(void **state)
{
	struct hist h;
	uint64_t lo, hi;

	assert_int_equal(hist_log2_slot(0), 0);
	assert_int_equal(hist_log2_slot(1), 0);
	assert_int_equal(hist_log2_slot(2), 1);
	assert_int_equal(hist_log2_slot(3), 1);
	assert_int_equal(hist_log2_slot(4), 2);
	assert_int_equal(hist_log2_slot(20000000), 24);
	assert_int_equal(hist_log2_slot(UINT64_MAX), 63);
	hist__init_log2(&h);
	hist_slot_bounds(&h, 0, &lo, &hi);
	assert_true(lo == 0 && hi == 1);
	hist_slot_bounds(&h, 3, &lo, &hi);
	assert_true(lo == 8 && hi == 15);
	hist_slot_bounds(&h, 63, &lo, &hi);
	assert_true(hi == UINT64_MAX);
}

static void test_linear_and_merge(void **state)
{
	struct hist a, b;

	assert_int_equal(hist__init_linear(&a, 10, 5, 4), 0);
	hist__add(&a, 3);	/* below min: first slot */
	hist__add(&a, 14);
	hist__add(&a, 15);
	hist__add(&a, 1000);	/* above: last slot */
	assert_int_equal(a.slots[0], 2);
	assert_int_equal(a.slots[1], 1);
	assert_int_equal(a.slots[3], 1);
	assert_int_equal(hist__used(&a), 4);
	b = a;
	hist__merge(&a, &b);
	assert_int_equal(hist__total(&a), 8);
	assert_int_equal(a.sum, 2 * (3 + 14 + 15 + 1000));
	assert_int_equal(hist__init_linear(&a, 0, 0, 4), -22);
}

static void test_text_layout(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, OUT_TEXT);
	struct out_ctx ctx = {};
	struct hist h;

	hist__init_log2(&h);
	for (int i = 0; i < 4; i++)
		hist__add(&h, 5);
	hist__add(&h, 2);
	out__hist(o, &ctx, NULL, NULL, "usecs", &h);
	out__free(o);
	fclose(f);
	assert_string_equal(buf,
		"     usecs               : count    distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 1        |**********                              |\n"
		"         4 -> 7          : 4        |****************************************|\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_linear_and_merge),
		cmocka_unit_test(test_text_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
