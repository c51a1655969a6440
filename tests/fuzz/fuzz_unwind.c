// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: call-frame information through the unwind table
 * builder (common/unwind.c). Input: one flag byte (bit 0: .debug_frame
 * rather than .eh_frame), then the section's bytes, copied exactly (no
 * byte after them), parsed as if loaded at vaddr 0x1000 with one
 * executable segment covering the first MiB. A table that comes out must
 * be sorted, and every offset must find its row.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unwind_seg seg = { 0x1000, 0, 1 << 20 };
	struct unwind_table *t;
	uint8_t *copy;

	if (!size)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	t = unwind_table__parse(copy, size - 1, 0x1000, data[0] & 1, &seg, 1);
	if (t) {
		for (size_t i = 1; i < t->nrows; i++)
			if (t->rows[i - 1].off >= t->rows[i].off)
				abort();
		for (size_t i = 0; i < t->nrows; i++)
			if (unwind_table__find(t, t->rows[i].off) != &t->rows[i])
				abort();
	}
	unwind_table__free(t);
	free(copy);
	return 0;
}
