// SPDX-License-Identifier: GPL-2.0-only
/*
 * sleeper: calls that take known minimum times, for latency tools.
 * Usage: sleeper N A B DEPTH [JUMPS] [--wait]
 * Calls sleep_ms(20) exactly N times, tick_a() A times and tick_b() B
 * times (both fast), then recurse(DEPTH) once: recurse(d) calls
 * recurse(d - 1) down to 1, and each level sleeps 20 ms after its inner
 * call returns, so level d takes at least 20 * d ms. Then escape() is
 * called JUMPS times (default 0): it calls jump_out(), which never returns
 * but longjmp()s back into escape(), which returns normally. Exits 0.
 * With --wait it first blocks until a line arrives on stdin.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long sink;

/* Never returns early: nanosleep() is resumed after a signal. */
__attribute__((noinline)) void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

__attribute__((noinline)) void tick_a(void)
{
	sink++;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void tick_b(void)
{
	sink += 2;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void recurse(int depth)
{
	struct timespec ts = { 0, 20 * 1000000L };

	if (depth > 1)
		recurse(depth - 1);
	/* nanosleep directly: sleep_ms() counts stay N. */
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
}

static jmp_buf escape_env;

__attribute__((noinline)) void jump_out(void)
{
	sink++;
	longjmp(escape_env, 1);
}

__attribute__((noinline)) void escape(void)
{
	if (!setjmp(escape_env))
		jump_out();
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	long n, a, b, depth, jumps = 0;
	bool wait = false;
	char line[64];

	if (argc < 5) {
		fprintf(stderr, "usage: sleeper N A B DEPTH [JUMPS] [--wait]\n");
		return 2;
	}
	n = atol(argv[1]);
	a = atol(argv[2]);
	b = atol(argv[3]);
	depth = atol(argv[4]);
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait = true;
		else
			jumps = atol(argv[i]);
	}
	if (wait && !fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++)
		sleep_ms(20);
	for (long i = 0; i < a; i++)
		tick_a();
	for (long i = 0; i < b; i++)
		tick_b();
	if (depth > 0)
		recurse(depth);
	for (long i = 0; i < jumps; i++)
		escape();
	return 0;
}
