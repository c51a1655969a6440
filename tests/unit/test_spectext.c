// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/spectext.c: trimmed copies, list items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/spectext.h"

static void test_trim_dup(void **state)
{
	char *s = spec_text__trim_dup("  a b \t\nrest", 7);

	assert_string_equal(s, "a b");
	free(s);
	s = spec_text__trim_dup("   ", 3);
	assert_string_equal(s, "");
	free(s);
	s = spec_text__trim_dup("x", 0);
	assert_string_equal(s, "");
	free(s);
}

static void test_item_end(void **state)
{
	const char *s = "f(a, b), c";

	assert_ptr_equal(spec_text__item_end(s), s + 7);
	assert_ptr_equal(spec_text__item_end(s + 8), s + strlen(s));
	s = "";
	assert_ptr_equal(spec_text__item_end(s), s);
	s = "(a,(b,c)),d";
	assert_ptr_equal(spec_text__item_end(s), s + 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim_dup),
		cmocka_unit_test(test_item_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
