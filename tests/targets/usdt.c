// SPDX-License-Identifier: GPL-2.0-only
/*
 * usdt: USDT probes with known hit counts. Usage: usdt N [--wait]
 * cotrace:tick fires N times (args: i, N), cotrace:tock N/2 times;
 * cotrace:guarded has a semaphore and fires N times only while a tracer
 * has enabled it (the semaphore is nonzero).
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned short cotrace_tick_semaphore __attribute__((unused, section(".probes")));
unsigned short cotrace_tock_semaphore __attribute__((unused, section(".probes")));
unsigned short cotrace_guarded_semaphore __attribute__((unused, section(".probes")));

int main(int argc, char **argv)
{
	char line[64];
	long n;

	if (argc < 2) {
		fprintf(stderr, "usage: usdt N [--wait]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc > 2 && !strcmp(argv[2], "--wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++) {
		DTRACE_PROBE2(cotrace, tick, i, n);
		if (i % 2 == 0)
			DTRACE_PROBE1(cotrace, tock, i);
		if (cotrace_guarded_semaphore)
			DTRACE_PROBE1(cotrace, guarded, i);
	}
	return 0;
}
