// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: probe specs through probe_spec__parse() (or, with
 * flag bit 4, probe_spec__init_func(), as argdist builds them) and their
 * patterns through name_matcher__new() / __match(). Input: one flag byte,
 * the spec, then optionally NUL and a symbol name (mangled or not) to
 * match against the spec's pattern. FUNC+OFFSET must leave a function
 * name, and never with a raw offset or a regex.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/demangle.h"
#include "common/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_spec spec;
	struct name_matcher *m;
	const char *sym;
	char err[256], *text, *d;
	unsigned flags;
	size_t n;

	if (size < 1)
		return 0;
	flags = data[0];
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	n = strlen(text);
	sym = n + 1 < size ? text + n + 1 : "_ZN2ns1A1fEi";

	probe_pattern__is_wild(text);
	glob_match(text, sym);
	err[0] = '\0';
	if (!((flags & 16) ? probe_spec__init_func(&spec, PROBE_UPROBE, "c", text, text, 0) :
	      probe_spec__parse(text, flags & (PROBE_F_REGEX | PROBE_F_BARE_KERNEL), &spec, err,
				sizeof(err)))) {
		if (spec.has_func_off && (!spec.pattern || !spec.pattern[0] || spec.is_offset ||
					  spec.regex))
			__builtin_trap();
		if (spec.pattern && !spec.is_offset) {
			m = name_matcher__new(spec.pattern, spec.regex, spec.cpp || (flags & 4));
			if (m) {
				d = (flags & 8) ? demangle__cxx(sym) : NULL;
				name_matcher__match(m, sym, d);
				name_matcher__match_plain(m, sym);
				free(d);
				name_matcher__free(m);
			}
		}
		probe_spec__fini(&spec);
	} else if (!memchr(err, '\0', sizeof(err))) {
		__builtin_trap();
	}
	free(text);
	return 0;
}
