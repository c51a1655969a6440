// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/keytab.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/keytab.h"

static void test_add_find(void **state)
{
	struct keytab *t = keytab__new();
	uint32_t idx;
	size_t len;

	assert_non_null(t);
	assert_int_equal(keytab__find(t, "a", 1), -ENOENT);
	assert_int_equal(keytab__add(t, "", 0, &idx), 1);
	assert_int_equal(idx, 0);
	assert_int_equal(keytab__add(t, "abc", 3, &idx), 1);
	assert_int_equal(idx, 1);
	assert_int_equal(keytab__add(t, "ab", 2, &idx), 1);
	assert_int_equal(idx, 2);
	assert_int_equal(keytab__add(t, "abc", 3, &idx), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(keytab__add(t, "", 0, &idx), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(keytab__count(t), 3);
	assert_int_equal(keytab__find(t, "ab", 2), 2);
	assert_memory_equal(keytab__key(t, 1, &len), "abc", 3);
	assert_int_equal(len, 3);
	keytab__key(t, 0, &len);
	assert_int_equal(len, 0);
	keytab__free(t);
	keytab__free(NULL);
}

/* Keys with NULs and many of them: indexes stay dense and in order across rehashes. */
static void test_many(void **state)
{
	struct keytab *t = keytab__new();
	uint64_t key[2];
	uint32_t idx;
	size_t len;

	assert_non_null(t);
	for (uint64_t i = 0; i < 10000; i++) {
		key[0] = i;
		key[1] = 0;
		assert_int_equal(keytab__add(t, key, sizeof(key), &idx), 1);
		assert_int_equal(idx, i);
	}
	for (uint64_t i = 0; i < 10000; i += 7) {
		key[0] = i;
		key[1] = 0;
		assert_int_equal(keytab__add(t, key, sizeof(key), &idx), 0);
		assert_int_equal(idx, i);
		assert_memory_equal(keytab__key(t, i, &len), key, sizeof(key));
	}
	assert_int_equal(keytab__count(t), 10000);
	keytab__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
