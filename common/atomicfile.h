/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * atomicfile: the files the exporters write (--prom, --pprof), replaced
 * whole at each write: the data goes to a temporary file in the same
 * directory (".NAME.XXXXXX", which node_exporter's textfile collector does
 * not read: it reads *.prom), is synced, then renamed over NAME. A reader
 * sees the old file or the new one, never a part; a failed write leaves
 * the old file as it was and no temporary file behind.
 */
#ifndef COTRACE_ATOMICFILE_H
#define COTRACE_ATOMICFILE_H

#include <stddef.h>

/*
 * Check, before a run, that @path can be replaced: its directory exists
 * and a file can be created there, and @path is not a directory or
 * something else than a regular file (a rename over /dev/null would
 * replace the device). Returns 0, or a negative errno with one sentence
 * in @err ("cannot write 'PATH': REASON").
 */
int atomicfile__check(const char *path, char *err, size_t errlen);

/*
 * Replace @path with the @len bytes at @data (mode 0666 less the umask),
 * as said above. Returns 0 or a negative errno (-ENOSPC on a full disk).
 */
int atomicfile__replace(const char *path, const void *data, size_t len);

#endif
