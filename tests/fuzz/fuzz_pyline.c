// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: CPython 3.11 location tables (co_linetable, copied
 * from a traced process: untrusted) through python__line(). Input: two
 * bytes of instruction offset, then the table. Every line found must be
 * reachable from the first line by the deltas the table can hold.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/python.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int addr, line;

	if (size < 2)
		return 0;
	addr = (data[0] | data[1] << 8) - 2;
	line = python__line(data + 2, size - 2, 1000, addr);
	/* -1, or a line: a table of N bytes moves the line by less than 2^31. */
	if (line < -1)
		__builtin_trap();
	/* Before the first instruction: the first line, always. */
	if (python__line(data + 2, size - 2, 1000, -1) != 1000)
		__builtin_trap();
	return 0;
}
