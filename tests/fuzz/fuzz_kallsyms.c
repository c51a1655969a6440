// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: /proc/kallsyms lines through kallsyms__parse_line(),
 * and syscall / errno names through the syscalls lookups. Input: text,
 * one kallsyms line per '\n'.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/syms.h"
#include "common/syscalls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *line, *next, *name, type, out[64];
	uint64_t addr;
	long nr;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (kallsyms__parse_line(line, &addr, &type, &name) != -EINVAL &&
		    (name < line || name >= next || !*name))
			__builtin_trap();
		/* The same text as a syscall or errno name, as -e/-s take them. */
		nr = syscall_number(line);
		if (nr >= 0)
			syscall_format(nr, out, sizeof(out));
		errno_number(line);
	}
	syscall_format((long)size - 1000, out, sizeof(out));
	errno_format((int)size - 1000, out, sizeof(out));
	free(buf);
	return 0;
}
