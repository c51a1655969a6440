/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * utf8: what the exporters need of UTF-8. Prometheus's label values and
 * pprof's strings (proto3 `string` fields, which protobuf libraries refuse
 * when they are not UTF-8) must be UTF-8, while a comm, a symbol or a
 * string read from memory can hold any byte.
 */
#ifndef COTRACE_UTF8_H
#define COTRACE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The length of the valid UTF-8 sequence at @s (1 to 4), or 0 when it is
 * not one: a stray continuation byte, a truncated or overlong sequence, a
 * surrogate, beyond U+10FFFF. Reads no further than a NUL.
 */
size_t utf8_seq_len(const char *s);

/* True when the @len bytes at @s (no NUL among them) are UTF-8. */
bool utf8_is_valid(const char *s, size_t len);

/*
 * A copy of the @len bytes at @s where each byte that is not part of a
 * valid sequence is U+FFFD (as Go's strings.ToValidUTF8 does, byte by
 * byte), NUL-terminated, its length in *@outlen. Malloc'ed; NULL on ENOMEM.
 */
char *utf8_sanitize(const char *s, size_t len, size_t *outlen);

#endif
