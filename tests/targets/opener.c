// SPDX-License-Identifier: GPL-2.0-only
/*
 * opener: makes exactly N openat() calls. Usage: opener N PATH
 * Opens PATH read-only N times with openat(2) through syscall(2), closing
 * each descriptor, then exits 0 (1 if an open failed). Linked statically,
 * so no dynamic loader opens libraries first: a kernel-function probe on
 * the openat path sees exactly N calls from this process.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n, fd;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: opener N PATH\n");
		return 2;
	}
	n = atol(argv[1]);
	for (long i = 0; i < n; i++) {
		fd = syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			rc = 1;
		else
			syscall(SYS_close, fd);
	}
	return rc;
}
