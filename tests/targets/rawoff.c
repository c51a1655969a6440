// SPDX-License-Identifier: GPL-2.0-only
/*
 * rawoff: a target for raw-offset probes (tests/e2e/test_raw_offsets.sh).
 * Usage: rawoff N [--wait]
 * Calls wide() exactly N times and prints a string kept in .rodata and
 * the folded results, so that its output shows any byte a breakpoint
 * changed in its data. wide() begins with a 10-byte movabs (48 b8 imm64),
 * the instruction a breakpoint in its middle would break. With --wait it
 * first blocks until a line arrives on stdin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char banner[] = "HELLO-RODATA";

__attribute__((noinline)) uint64_t wide(uint64_t x)
{
	uint64_t k;

	/* An immediate only movabs can load: the compiler cannot fold it. */
	__asm__ volatile("movabs $0x1122334455667788, %0" : "=r"(k));
	return (x ^ k) * 3;
}

int main(int argc, char **argv)
{
	uint64_t acc = 0;
	char line[64];
	long n;

	if (argc < 2) {
		fprintf(stderr, "usage: rawoff N [--wait]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc > 2 && !strcmp(argv[2], "--wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++)
		acc += wide((uint64_t)i);
	printf("%s %ld %016llx\n", banner, n, (unsigned long long)acc);
	return 0;
}
