// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for common/python.c: lines from CPython 3.11's location
 * table. The fixture is the co_linetable of a function compiled by
 * Debian's python3.11 (3.11.2), with the line of every instruction as
 * its code.co_lines() gives it: one-line forms, no-column and long forms,
 * a negative delta (a tuple spanning two lines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/python.h"

/*
 * def f(x):                       # line 2 of "fix.py"
 *     y = x + 1
 *     if y > 3:
 *         z = [i for i in range(y)
 *              if i % 2]
 *     else:
 *         z = None
 *     for k in range(3):
 *         y += k
 *     return (y,
 *             z)
 */
static const uint8_t lt[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41, 0xd8, 0x07, 0x08,
	0x88, 0x31, 0x82, 0x75, 0x80, 0x75, 0xf0, 0x02, 0x01, 0x0d, 0x17, 0xf0, 0x00, 0x01,
	0x0d, 0x17, 0x9d, 0x05, 0x98, 0x61, 0x99, 0x08, 0x9c, 0x08, 0xf0, 0x00, 0x01, 0x0d,
	0x17, 0xf1, 0x00, 0x01, 0x0d, 0x17, 0xf4, 0x00, 0x01, 0x0d, 0x17, 0x88, 0x01, 0x88,
	0x01, 0xf0, 0x06, 0x00, 0x0d, 0x11, 0x88, 0x01, 0xdd, 0x0d, 0x12, 0x90, 0x31, 0x89,
	0x58, 0x8c, 0x58, 0xf0, 0x00, 0x01, 0x05, 0x0f, 0xf0, 0x00, 0x01, 0x05, 0x0f, 0x88,
	0x01, 0xd8, 0x08, 0x09, 0x88, 0x51, 0x89, 0x06, 0x88, 0x01, 0x88, 0x01, 0xd8, 0x0c,
	0x0d, 0xd8, 0x0c, 0x0d, 0xf0, 0x03, 0x01, 0x0c, 0x0f, 0xf0, 0x00, 0x01, 0x05, 0x0f,
};

/* Byte offset of each instruction, and its line (code.co_lines()). */
static const int want[][2] = {
	{0, 2}, {2, 3}, {4, 3}, {6, 3}, {8, 3}, {10, 3}, {12, 4}, {14, 4}, {16, 4}, {18, 4},
	{20, 4}, {22, 4}, {24, 5}, {26, 5}, {28, 5}, {30, 5}, {32, 5}, {34, 5}, {36, 5},
	{38, 5}, {40, 5}, {42, 5}, {44, 5}, {46, 5}, {48, 5}, {50, 5}, {52, 5}, {54, 5},
	{56, 5}, {58, 5}, {60, 5}, {62, 5}, {64, 5}, {66, 5}, {68, 5}, {70, 5}, {72, 5},
	{74, 5}, {76, 8}, {78, 8}, {80, 9}, {82, 9}, {84, 9}, {86, 9}, {88, 9}, {90, 9},
	{92, 9}, {94, 9}, {96, 9}, {98, 9}, {100, 9}, {102, 9}, {104, 9}, {106, 9}, {108, 9},
	{110, 9}, {112, 9}, {114, 10}, {116, 10}, {118, 10}, {120, 10}, {122, 10}, {124, 10},
	{126, 11}, {128, 12}, {130, 11}, {132, 11},
};

static void test_every_instruction(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(python__line(lt, sizeof(lt), 2, want[i][0]), want[i][1]);
}

static void test_edges(void **state)
{
	(void)state;
	/* Before the first instruction (a frame not started): the first line. */
	assert_int_equal(python__line(lt, sizeof(lt), 2, -1), 2);
	/* Past the table, or a table cut short (its copy was truncated). */
	assert_int_equal(python__line(lt, sizeof(lt), 2, 134), -1);
	assert_int_equal(python__line(lt, 40, 2, 120), -1);
	assert_int_equal(python__line(lt, 0, 2, 0), -1);
	/* Cut in the middle of an entry's varint: no line, no read past it. */
	assert_int_equal(python__line(lt, 21, 2, 24), -1);
	/* Cut after the line delta: the line is known. */
	assert_int_equal(python__line(lt, 22, 2, 24), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_instruction),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
