// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: one /proc/PID/maps line through procmaps__parse_line(),
 * and its basename against target__basename_matches(). Input: the line,
 * optionally followed by NUL and a library name as the user types it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procmap_entry e;
	const char *name, *base;
	char *line;
	size_t n;

	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	n = strlen(line);
	name = n < size ? line + n + 1 : "c";
	if (!procmaps__parse_line(line, &e)) {
		if (strnlen(e.path, sizeof(e.path)) == sizeof(e.path) || e.perms[4])
			__builtin_trap();
		base = strrchr(e.path, '/');
		target__basename_matches(base ? base + 1 : e.path, name);
	}
	free(line);
	return 0;
}
