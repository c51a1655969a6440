// SPDX-License-Identifier: GPL-2.0-only
/*
 * procpath: resolve paths of a traced process inside its root.
 *
 * Debian 12's glibc (2.36) has no openat2() wrapper: the raw syscall is
 * used (Linux 5.6+). Where the kernel has no openat2 (-ENOSYS), a rooted
 * path is refused rather than opened unsafely.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/procpath.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Length of the "/proc/PID/root" or "/proc/PID/cwd" prefix of @path, or 0. */
static size_t rooted_prefix(const char *path)
{
	const char *s;
	size_t n;

	if (!path || strncmp(path, "/proc/", 6))
		return 0;
	s = path + 6;
	if (!strncmp(s, "self", 4)) {
		s += 4;
	} else {
		n = strspn(s, "0123456789");
		if (!n || n > 10)
			return 0;
		s += n;
	}
	if (!strncmp(s, "/root", 5))
		s += 5;
	else if (!strncmp(s, "/cwd", 4))
		s += 4;
	else
		return 0;
	if (*s && *s != '/')
		return 0;
	return s - path;
}

bool procpath__is_rooted(const char *path)
{
	return rooted_prefix(path) > 0;
}

int procpath__open(const char *path, int flags)
{
	char dir[32];
	struct open_how how;
	const char *rest;
	size_t n;
	int dfd, fd, err;

	n = rooted_prefix(path);
	if (!n) {
		fd = open(path, flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	/* The prefix is ours: following the magic link /proc/PID/root is the point. */
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	rest = path + n;
	while (*rest == '/')
		rest++;
	if (!*rest)
		rest = ".";
	memset(&how, 0, sizeof(how));
	how.flags = flags | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dfd, rest, &how, sizeof(how));
	err = fd < 0 ? -errno : 0;
	close(dfd);
	return err ? err : fd;
}

int procpath__stat(const char *path, struct stat *st)
{
	int fd, err = 0;

	fd = procpath__open(path, O_PATH);
	if (fd < 0)
		return fd;
	if (fstat(fd, st))
		err = -errno;
	close(fd);
	return err;
}
