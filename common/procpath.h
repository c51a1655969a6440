/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * procpath: open files of a traced process without letting it steer us.
 *
 * A path "/proc/PID/root/REST" names REST as process PID sees it. Opened
 * with open(2), the kernel follows an absolute symlink inside REST from
 * *our* root, so a process in a container could plant
 * "/usr/lib/libx.so -> /etc/shadow" and make us read (and probe) a host
 * file. Here REST is resolved with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) below the directory /proc/PID/root: absolute
 * symlinks and ".." stay inside that root, and magic links such as the
 * container's own /proc/1/root are refused. "/proc/PID/cwd/REST" is
 * resolved the same way below the process's working directory.
 * Other paths are opened as they are.
 */
#ifndef COTRACE_PROCPATH_H
#define COTRACE_PROCPATH_H

#include <stdbool.h>
#include <sys/stat.h>

/* True if @path starts with "/proc/PID/root" or "/proc/PID/cwd" (PID a
 * number or "self"), i.e. procpath__open() resolves it inside that root. */
bool procpath__is_rooted(const char *path);

/*
 * open(2) @path with @flags (O_CLOEXEC is added), or, for a rooted path,
 * openat2() of the rest below the root. Returns an fd or a negative errno:
 * -ELOOP when the path goes through a magic link, -EXDEV when it would
 * leave the root (a kernel that cannot keep it inside).
 */
int procpath__open(const char *path, int flags);

/* stat(2) of @path through procpath__open(O_PATH). Returns 0 or -errno. */
int procpath__stat(const char *path, struct stat *st);

#endif
