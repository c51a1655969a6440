/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * target: turn what the user typed ("c", "libc", "libc.so.6", "bash",
 * "./a.out", "/proc/PID/exe") into the file that will really be probed,
 * as the kernel and, with a pid, as that process sees it.
 */
#ifndef COTRACE_TARGET_H
#define COTRACE_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct target {
	/* Path to open and to give the kernel (for -p, reached through
	 * /proc/PID/root or /proc/PID/map_files so other mount namespaces work). */
	char path[PATH_MAX];
	/* Path as the user or the traced process names it, for display. */
	char display[PATH_MAX];
};

/*
 * Resolve @name for process @pid (0: no process). Rules, in order:
 * - a name containing '/' is a path: relative to the cwd, or with @pid,
 *   an absolute path inside /proc/PID/root (a relative one below
 *   /proc/PID/cwd); symlinks stay inside that directory (procpath.h);
 *   when @pid's maps show that path only as "PATH (deleted)" (unlinked, or
 *   a new file renamed over it), the mapping through /proc/PID/map_files;
 * - with @pid, a library the process maps whose basename is @name, or
 *   starts with "lib@name.so" or "@name.so" ("c" → libc.so.6);
 * - a library in /etc/ld.so.cache (of @pid's root with @pid) by exact
 *   name, then "lib@name.so*" ("c", "libc", "libc.so.6" → libc.so.6 for
 *   the host's architecture);
 * - an executable found in $PATH.
 * Returns 0, -ENOENT if nothing matched, or another negative errno.
 */
int target__resolve(const char *name, pid_t pid, struct target *out);

struct ldcache;

/* Parse an ld.so.cache image (new "glibc-ld.so.cache1.1" format, also when
 * it follows the old "ld.so-1.7.0" header). Copies what it needs. Returns
 * NULL and sets errno (EINVAL for a malformed cache). */
struct ldcache *ldcache__parse(const void *buf, size_t len);
/* Read and parse @path ("/etc/ld.so.cache"; one under /proc/PID/root is
 * read inside that root, see procpath.h). */
struct ldcache *ldcache__load(const char *path);
void ldcache__free(struct ldcache *c);
/*
 * Look up @name: an exact soname ("libc.so.6") or a prefix "libNAME.so"
 * given as "c" / "libc" / "libc.so". Only x86-64 entries are considered.
 * Returns the library's path (borrowed) or NULL.
 */
const char *ldcache__lookup(const struct ldcache *c, const char *name);

/* True if a mapped file's basename @base is what the user means by @name:
 * equal, or starting with "lib@name.so" or "@name.so"; a @name that
 * already holds ".so" ("libc.so") must be followed by '.' ("libc.so.6"). */
bool target__basename_matches(const char *base, const char *name);

#endif
