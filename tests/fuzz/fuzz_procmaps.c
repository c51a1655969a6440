// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: /proc/PID/maps text through the procmaps iterator
 * (common/procmaps.c), each basename against target__basename_matches().
 * Input: the maps text (one line or many; its bytes are handed over
 * without a NUL after them), optionally followed by NUL and a library
 * name as the user types it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/procmaps.h"
#include "common/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct procmap_entry *e;
	struct procmap_entry again;
	const uint8_t *nul;
	struct procmaps *m;
	const char *name = "c", *base, *line;
	char *text, *tail = NULL;
	size_t n, len;

	nul = memchr(data, '\0', size);
	n = nul ? (size_t)(nul - data) : size;
	if (nul) {
		tail = strndup((const char *)nul + 1, size - n - 1);
		if (!tail)
			return 0;
		name = tail;
	}
	/* An exact copy, no terminator: a read past its end is caught. */
	text = malloc(n ? n : 1);
	if (!text) {
		free(tail);
		return 0;
	}
	memcpy(text, data, n);
	m = procmaps__from_buf(text, n);
	while (m && procmaps__next(m, &e) > 0) {
		if (strnlen(e->path, sizeof(e->path)) == sizeof(e->path) || e->perms[4])
			__builtin_trap();
		line = procmaps__line(m, &len);
		if (!line || len > PROCMAPS_LINE_MAX || len > n || line[len])
			__builtin_trap();
		/* The entry is what the line parses to. */
		if (procmaps__parse_line(line, &again) || strcmp(again.path, e->path) ||
		    again.start != e->start || again.inode != e->inode)
			__builtin_trap();
		base = strrchr(e->path, '/');
		target__basename_matches(base ? base + 1 : e->path, name);
	}
	procmaps__free(m);
	free(text);
	free(tail);
	return 0;
}
