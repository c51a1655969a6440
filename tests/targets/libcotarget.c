// SPDX-License-Identifier: GPL-2.0-only
/* libcotarget.so: a shared library with functions of known call counts. */
volatile long cot_sink;

__attribute__((noinline)) long cot_add(long a, long b)
{
	cot_sink += a;
	return a + b;
}

__attribute__((noinline)) long cot_mul(long a, long b)
{
	cot_sink += b;
	return a * b;
}
