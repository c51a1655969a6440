/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * procmaps: the lines of /proc/PID/maps, parsed one at a time.
 *
 * Every reader of a process's mappings (target resolution, IFUNC
 * implementations, the symbolizer's snapshots) goes through the one
 * iterator here: it reads the file or a copy of it in memory, bounds each
 * line, and hands out parsed entries; lines it cannot parse are skipped.
 */
#ifndef COTRACE_PROCMAPS_H
#define COTRACE_PROCMAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One line of /proc/PID/maps. */
struct procmap_entry {
	unsigned long long start;
	unsigned long long end;
	unsigned long long offset;	/* file offset of start */
	unsigned long long inode;
	unsigned int dev_major;
	unsigned int dev_minor;
	char perms[5];			/* "r-xp" */
	bool deleted;			/* path ended in " (deleted)", stripped from @path */
	char path[PATH_MAX];		/* "" for an anonymous mapping; may be "[heap]" etc. */
};

/*
 * Parse one line of /proc/PID/maps ("start-end perms offset maj:min inode
 * path", trailing newline optional; the path may contain spaces). Returns 0,
 * -EINVAL for a malformed line or -ENAMETOOLONG for a path of PATH_MAX bytes
 * or more.
 */
int procmaps__parse_line(const char *line, struct procmap_entry *e);

/* True if the mapping is executable ('x' in its perms). */
bool procmap_entry__is_exec(const struct procmap_entry *e);

/*
 * Longest line the iterator considers, newline included: the fixed fields
 * (at most 90 bytes, with the kernel's padding before the path) and a path
 * below PATH_MAX. A longer line cannot parse; it is skipped unread.
 */
#define PROCMAPS_LINE_MAX (PATH_MAX + 128)

struct procmaps;

/*
 * An iterator over /proc/@pid/maps, read as procmaps__next() asks. Returns
 * NULL and sets errno: ESRCH when the process does not exist, ENOMEM, or
 * what opening the file gave (EACCES...).
 */
struct procmaps *procmaps__open(pid_t pid);

/* An iterator over a file in the format of /proc/PID/maps at @path (a
 * saved copy, say). NULL and errno (ENOENT, ENOMEM...) on failure. */
struct procmaps *procmaps__open_file(const char *path);

/*
 * An iterator over the text of a maps file already in memory: @len bytes
 * at @buf, which need not end in a newline or a NUL and are borrowed (they
 * must outlive the iterator). NULL and errno (EINVAL, ENOMEM) on failure.
 */
struct procmaps *procmaps__from_buf(const char *buf, size_t len);

/*
 * Advance to the next line that parses; lines that do not (malformed, or
 * longer than PROCMAPS_LINE_MAX) are skipped. Sets *@e to the entry
 * (borrowed from @m, valid until the next call) and returns 1; returns 0
 * at the end, or a negative errno when reading the file failed (-EIO).
 */
int procmaps__next(struct procmaps *m, const struct procmap_entry **e);

/*
 * The text of the current entry's line, newline included when it had one,
 * NUL-terminated; its length in *@len. Borrowed from @m, valid until the
 * next call. NULL before the first entry and after the end.
 */
const char *procmaps__line(const struct procmaps *m, size_t *len);

/* Free @m (NULL is fine) and close its file. */
void procmaps__free(struct procmaps *m);

/*
 * The executable lines of /proc/@pid/maps, newlines included, into a
 * malloc'ed string *@out ("" for a zombie or a kernel thread). Returns 0
 * or a negative errno (-ESRCH: no such process).
 */
int procmaps__read_exec(pid_t pid, char **out);

#endif
