// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/eventagg.c: identical texts counted, the index
 * grown past its first size, bcc trace -A's order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/eventagg.h"

static void add(struct eventagg *a, const char *text)
{
	char *copy = strdup(text);

	assert_non_null(copy);
	assert_int_equal(eventagg__add(a, copy), 0);
}

static void test_order(void **state)
{
	struct eventagg a = {};

	add(&a, "b\n");
	add(&a, "a\n");
	add(&a, "c\n");
	add(&a, "a\n");
	add(&a, "c\n");
	assert_int_equal(a.n, 3);
	eventagg__sort(&a);
	/* Most first; equal counts in the order first seen. */
	assert_string_equal(a.items[0].text, "a\n");
	assert_int_equal(a.items[0].count, 2);
	assert_string_equal(a.items[1].text, "c\n");
	assert_int_equal(a.items[1].count, 2);
	assert_string_equal(a.items[2].text, "b\n");
	assert_int_equal(a.items[2].count, 1);
	eventagg__fini(&a);
}

/* Past 64 items and 128 slots, every text is still found again. */
static void test_growth(void **state)
{
	struct eventagg a = {};
	char text[32];

	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 1000; i++) {
			snprintf(text, sizeof(text), "event %d", i);
			add(&a, text);
		}
	assert_int_equal(a.n, 1000);
	assert_true(a.nslots >= 2 * a.n);
	for (size_t i = 0; i < a.n; i++)
		assert_int_equal(a.items[i].count, 3);
	eventagg__sort(&a);
	assert_string_equal(a.items[0].text, "event 0");
	assert_string_equal(a.items[999].text, "event 999");
	eventagg__fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
