/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spectext: what the spec languages (argspec, traceprobe) do alike to
 * their text: trimmed copies of a part, the end of an item of a
 * comma-separated list.
 */
#ifndef COTRACE_SPECTEXT_H
#define COTRACE_SPECTEXT_H

#include <stddef.h>

/* A malloc'ed copy of the @n bytes at @s without the white space around
 * them; NULL on ENOMEM. */
char *spec_text__trim_dup(const char *s, size_t n);

/* The end of the list item starting at @s: its first ',' outside
 * parentheses, or the end of the string. */
const char *spec_text__item_end(const char *s);

#endif
