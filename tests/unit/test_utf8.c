// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/utf8.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/utf8.h"

static void test_seq_len(void **state)
{
	assert_int_equal(utf8_seq_len("a"), 1);
	assert_int_equal(utf8_seq_len("\xc3\xa9"), 2);			/* é */
	assert_int_equal(utf8_seq_len("\xe2\x82\xac"), 3);		/* € */
	assert_int_equal(utf8_seq_len("\xf0\x9f\x98\x80"), 4);		/* U+1F600 */
	assert_int_equal(utf8_seq_len("\xf4\x8f\xbf\xbf"), 4);		/* U+10FFFF */
	assert_int_equal(utf8_seq_len("\x80"), 0);			/* continuation */
	assert_int_equal(utf8_seq_len("\xc0\xaf"), 0);			/* overlong '/' */
	assert_int_equal(utf8_seq_len("\xe0\x80\xaf"), 0);		/* overlong */
	assert_int_equal(utf8_seq_len("\xed\xa0\x80"), 0);		/* surrogate */
	assert_int_equal(utf8_seq_len("\xf4\x90\x80\x80"), 0);		/* > U+10FFFF */
	assert_int_equal(utf8_seq_len("\xf5\x80\x80\x80"), 0);
	assert_int_equal(utf8_seq_len("\xe2\x82"), 0);			/* cut by the NUL */
	assert_int_equal(utf8_seq_len("\xff"), 0);
}

static void test_valid_and_sanitize(void **state)
{
	const char bad[] = "a\xff" "b\xe2\x82\xac\xe2\x82";
	size_t len;
	char *s;

	assert_true(utf8_is_valid("", 0));
	assert_true(utf8_is_valid("caf\xc3\xa9", 5));
	/* A sequence must end within the length given. */
	assert_false(utf8_is_valid("caf\xc3\xa9", 4));
	assert_false(utf8_is_valid(bad, sizeof(bad) - 1));
	s = utf8_sanitize(bad, sizeof(bad) - 1, &len);
	assert_non_null(s);
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(len, strlen(s));
	assert_true(utf8_is_valid(s, len));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_len),
		cmocka_unit_test(test_valid_and_sanitize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
