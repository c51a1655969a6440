// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: uprobe-trace's probe text (bcc trace's
 * 'SPEC (FILTER) "FORMAT", ARGS' and ftrace's uprobe_events fetch-args),
 * its printf format strings, the compiled arguments, and the rendering of
 * one event over a data area taken from the input (common/traceprobe.c).
 * Input: one byte (low 2 bits: probe kind; bit 2: names checked later;
 * bit 3: STRCMP's byte lists), the probe text, then optionally NUL and
 * the event's data area. %K and %U go through a symbolizer that knows
 * some addresses.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/traceprobe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Addresses ending in 0x10 have symbols; others below 0x100000 a module. */
static int fake_resolve(void *ctx, int pid, uint64_t addr, struct trace_sym *out)
{
	if ((addr & 0xff) == 0x10) {
		*out = (struct trace_sym){ pid < 0 ? "kfunc" : "ufunc", addr & 0xf00, "/lib/libx.so" };
		return 0;
	}
	if (addr < 0x100000 && pid >= 0) {
		*out = (struct trace_sym){ NULL, 0, "app" };
		return 0;
	}
	return -ENOENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fetch_env env = { 0 };
	struct trace_line line = { 0 };
	struct fetch_plan plan;
	struct trace_probe p;
	char err[512], *text;
	const uint8_t *area;
	size_t n, area_len;

	if (size < 1 || size > 16384)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	n = strlen(text);
	area = (const uint8_t *)text + n + 1;
	area_len = n + 1 < size ? size - 1 - (n + 1) : 0;

	env.kind = (enum fetch_kind)(data[0] & 3);
	if (env.kind == FETCH_TRACEPOINT)
		env.kind = FETCH_ENTRY;
	env.names_later = data[0] & 4;
	env.bin_cmp = data[0] & 8;
	if (!trace_probe__parse(&p, text, err, sizeof(err))) {
		struct trace_symbolizer sym = { fake_resolve, NULL };
		struct probe_spec spec;

		/* The probe's spec goes to the spec parser, as uprobe-trace
		 * does (FUNC+OFFSET, kernel functions). */
		if (p.spec && !probe_spec__parse(p.spec, PROBE_F_BARE_KERNEL, &spec, err,
						 sizeof(err)))
			probe_spec__fini(&spec);
		if (!trace_probe__compile(&p, &env, &plan, err, sizeof(err))) {
			trace_probe__render(&p, &plan, area, area_len, &line);
			trace_probe__render_event(&p, &plan, area, area_len, 1, &sym, &line);
			trace_probe__wants_symbols(&p);
		}
	}
	trace_probe__fini(&p);
	trace_line__fini(&line);
	free(text);
	return 0;
}
