// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysload: makes a known number of syscalls. Usage:
 *   sysload getppid N [--wait]     N getppid() calls
 *   sysload close N [--wait]       N close(-1) calls, each failing with EBADF
 *   sysload sleep N MS [--wait]    N nanosleep() calls of MS milliseconds
 *   sysload nr NUM N [--wait]      N calls of syscall number NUM (ENOSYS for
 *                                  a number the kernel lacks)
 * With --wait it first blocks until a line arrives on stdin, so a tracer
 * can attach to its pid. The calls go through syscall(2), so no C library
 * caching or wrapper changes the count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n, ms = 0, num = 0;
	int args = 3;
	char line[64];

	if (argc < 3)
		goto usage;
	n = atol(argv[2]);
	if (!strcmp(argv[1], "nr")) {
		if (argc < 4)
			goto usage;
		num = atol(argv[2]);
		n = atol(argv[3]);
		args = 4;
	}
	if (!strcmp(argv[1], "sleep")) {
		if (argc < 4)
			goto usage;
		ms = atol(argv[3]);
		args = 4;
	}
	if (argc > args && !strcmp(argv[args], "--wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	if (!strcmp(argv[1], "getppid")) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (!strcmp(argv[1], "close")) {
		for (long i = 0; i < n; i++)
			syscall(SYS_close, -1);
	} else if (!strcmp(argv[1], "sleep")) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		for (long i = 0; i < n; i++)
			syscall(SYS_nanosleep, &ts, NULL);
	} else if (!strcmp(argv[1], "nr")) {
		for (long i = 0; i < n; i++)
			syscall(num);
	} else {
		goto usage;
	}
	return 0;
usage:
	fprintf(stderr, "usage: sysload getppid|close N [--wait] | sysload sleep N MS [--wait] | "
		"sysload nr NUM N [--wait]\n");
	return 2;
}
