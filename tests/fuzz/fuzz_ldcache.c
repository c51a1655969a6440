// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer harness: an /etc/ld.so.cache image through ldcache__parse(). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "c", "libc", "libc.so", "libc.so.6", "m", "z", "" };
	struct ldcache *c;
	const char *p;
	size_t i;

	c = ldcache__parse(data, size);
	if (!c)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = ldcache__lookup(c, names[i]);
		if (p && strlen(p) == (size_t)-1)
			__builtin_trap();
	}
	ldcache__free(c);
	return 0;
}
