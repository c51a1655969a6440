// SPDX-License-Identifier: GPL-2.0-only
/* utf8: validity and repair of UTF-8 strings (see utf8.h). */
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

size_t utf8_seq_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 :
		   s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;

	/* A NUL is not a continuation byte: the loop stops there. */
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) ||	/* overlong */
	    (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||	/* surrogates */
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) ||	/* overlong */
	    (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))	/* beyond U+10FFFF */
		return 0;
	return n;
}

/* utf8_seq_len() within @left bytes. */
static size_t seq_len_within(const char *s, size_t left)
{
	size_t n = utf8_seq_len(s);

	return n <= left ? n : 0;
}

bool utf8_is_valid(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n) {
		/* ASCII, most of what is checked, one byte at a time. */
		n = (unsigned char)s[i] < 0x80 ? 1 : seq_len_within(s + i, len - i);
		if (!n)
			return false;
	}
	return true;
}

char *utf8_sanitize(const char *s, size_t len, size_t *outlen)
{
	char *out = malloc(len * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0, n; i < len; i += n ? n : 1) {
		n = seq_len_within(s + i, len - i);
		if (n) {
			memcpy(o, s + i, n);
			o += n;
		} else {
			memcpy(o, REPLACEMENT, 3);
			o += 3;
		}
	}
	*o = 0;
	*outlen = o - out;
	return out;
}
