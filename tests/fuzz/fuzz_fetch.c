// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: argument expressions, types, filters and tracepoint
 * format files through common/fetch.c, then the compiled filter through
 * the user-space interpreter fetch_prog__pred() and every value through
 * fetch_value__format(), over a data area taken from the input.
 *
 * Input: one byte (low 2 bits: the probe kind; bit 2: a default type;
 * bits 3-7: string size), then NUL-separated parts:
 *   tracepoint format text \0 expressions, one per '\n' \0 filter \0 data
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fetch.h"

static const struct fetch_param params[] = {
	{ .name = "count", .reg = 4, .type = "size_t" },
	{ .name = "buf", .reg = -1, .on_stack = true, .stack_off = 8, .type = "char *" },
	{ .name = "flags", .reg = 5, .type = NULL },
};

/* The next NUL-terminated part of @buf (of @len bytes, NUL at @len). */
static char *next_part(char **pos, char *end)
{
	char *p = *pos;

	if (p >= end)
		return NULL;
	*pos = p + strlen(p) + 1;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *end, *pos, *tptext, *exprs, *filter, *line, *next, err[256], out[2048];
	struct fetch_env env = { 0 };
	struct fetch_plan plan;
	struct fetch_type t;
	struct tp_format tp = { 0 };
	bool have_tp = false;
	const uint8_t *area;
	size_t area_len, i;

	if (size < 1 || size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	end = buf + size - 1;
	pos = buf;
	tptext = next_part(&pos, end);
	exprs = next_part(&pos, end);
	filter = next_part(&pos, end);
	area = (const uint8_t *)pos;
	area_len = pos < end ? (size_t)(end - pos) : 0;

	env.kind = (enum fetch_kind)(data[0] & 3);
	env.params = params;
	env.nparams = sizeof(params) / sizeof(params[0]);
	env.str_size = (data[0] >> 3) * 40;
	if (tptext && !tp_format__parse(&tp, tptext, err, sizeof(err))) {
		have_tp = true;
		env.tp = &tp;
		for (i = 0; i < tp.count; i++) {
			tp_format__find(&tp, tp.fields[i].name);
			fetch_type__parse(tp.fields[i].type, 64, &t);
		}
	}
	fetch_plan__init(&plan);
	for (line = exprs; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		fetch_type__parse(line, 80, &t);
		fetch_plan__add(&plan, line, (data[0] & 4) ? "u32" : NULL, &env, err, sizeof(err));
	}
	if (filter && *filter)
		fetch_plan__set_filter(&plan, filter, &env, err, sizeof(err));
	fetch_prog__pred(&plan.prog, area, area_len);
	for (i = 0; i < plan.nvalues; i++) {
		fetch_value__s64(&plan.values[i], area, area_len);
		fetch_value__u64(&plan.values[i], area, area_len);
		fetch_value__str(&plan.values[i], area, area_len, out, sizeof(out));
		fetch_value__format(&plan.values[i], area, area_len, i & 1, out, sizeof(out));
	}
	if (have_tp)
		tp_format__fini(&tp);
	free(buf);
	return 0;
}
