// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for common/demangle.c: C++ names as people write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/demangle.h"

static void test_is_mangled(void **state)
{
	assert_true(demangle__is_mangled("_Z3foov"));
	assert_true(demangle__is_mangled("_Z"));
	assert_false(demangle__is_mangled("malloc"));
	assert_false(demangle__is_mangled("_z3foov"));
	assert_false(demangle__is_mangled("__Z3foov"));
	assert_false(demangle__is_mangled("_"));
	assert_false(demangle__is_mangled(""));
	assert_false(demangle__is_mangled(NULL));
}

static void test_demangle(void **state)
{
	static const struct {
		const char *mangled, *want;
	} cases[] = {
		{ "_Z3foov", "foo()" },
		{ "_ZN2ns1A1fEi", "ns::A::f(int)" },
		{ "_ZNK6shapes6Circle4areaEv", "shapes::Circle::area() const" },
		{ "_ZN6shapes6CircleD2Ev", "shapes::Circle::~Circle()" },
		/* Template functions carry their return type. */
		{ "_ZN2ns1fIiEEvT_", "void ns::f<int>(int)" },
		{ "_ZNKSt6vectorIiSaIiEE4sizeEv",
		  "std::vector<int, std::allocator<int> >::size() const" },
		{ "_ZplRK1AS1_", "operator+(A const&, A const&)" },
		{ "_ZTV1A", "vtable for A" },
		{ "_ZZ4mainE1x", "main::x" },
	};
	char *d;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = demangle__cxx(cases[i].mangled);
		if (!d)
			fail_msg("%s: not demangled", cases[i].mangled);
		if (strcmp(d, cases[i].want))
			fail_msg("%s: got '%s', want '%s'", cases[i].mangled, d, cases[i].want);
		free(d);
	}
}

static void test_not_demangled(void **state)
{
	assert_null(demangle__cxx("malloc"));
	assert_null(demangle__cxx("_Zgarbage!"));
	assert_null(demangle__cxx("_Z"));
	assert_null(demangle__cxx("_ZN2ns"));
	assert_null(demangle__cxx(NULL));
	assert_null(demangle__cxx(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_mangled),
		cmocka_unit_test(test_demangle),
		cmocka_unit_test(test_not_demangled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
