// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: argdist specifiers through argspec__parse(), then
 * each expression and filter it yields through the fetch compiler, as
 * argdist does with the names still unknown. Input: one flag byte (bit 0:
 * -H), then the specifier.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/argspec.h"
#include "common/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct argspec sp;
	char err[512], *text;

	if (size < 1 || size > 8192)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	err[0] = '\0';
	if (!argspec__parse(&sp, text, data[0] & 1, err, sizeof(err))) {
		struct fetch_env env = { .kind = sp.kind == PROBE_URETPROBE ? FETCH_RETURN :
						 sp.kind == PROBE_USDT ? FETCH_USDT :
						 sp.kind == PROBE_TRACEPOINT ? FETCH_TRACEPOINT :
						 FETCH_ENTRY,
					 .names_later = true };
		struct fetch_plan plan;

		fetch_plan__init(&plan);
		for (int i = 0; i < sp.nexprs; i++)
			fetch_plan__add(&plan, sp.cexprs[i], sp.types[i], &env, err, sizeof(err));
		if (sp.cfilter)
			fetch_plan__set_filter(&plan, sp.cfilter, &env, err, sizeof(err));
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
		__builtin_trap();	/* every refusal says why */
	}
	argspec__fini(&sp);
	free(text);
	return 0;
}
