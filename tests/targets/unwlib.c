// SPDX-License-Identifier: GPL-2.0-only
/*
 * unwlib: a library the unwinder target dlopen()s after it started, built
 * without frame pointers: lib_outer -> lib_inner -> close(-1).
 */
#include <unistd.h>

static volatile int sink;

__attribute__((noinline)) void lib_inner(void)
{
	sink += close(-1);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void lib_outer(long n)
{
	for (long i = 0; i < n; i++)
		lib_inner();
	sink++;
}
