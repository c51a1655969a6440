// SPDX-License-Identifier: GPL-2.0-only
/* spectext: text helpers of the spec languages (see spectext.h). */
#include <ctype.h>
#include <string.h>

#include "common/spectext.h"

char *spec_text__trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

const char *spec_text__item_end(const char *s)
{
	int depth = 0;

	for (; *s && (depth || *s != ','); s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
	}
	return s;
}
