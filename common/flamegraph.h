/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flamegraph: a self-contained SVG flame graph from folded stacks
 * ("a;b;c" with a count): frame widths by sample count, a hover title
 * with the frame, its count and share. No script needed to view it.
 */
#ifndef COTRACE_FLAMEGRAPH_H
#define COTRACE_FLAMEGRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct flamegraph;

struct flamegraph *flamegraph__new(void);
void flamegraph__free(struct flamegraph *fg);

/* Add @count samples of the folded stack @folded (frames separated by ';',
 * root first). Returns 0 or -ENOMEM. */
int flamegraph__add(struct flamegraph *fg, const char *folded, uint64_t count);

/* Total samples added. */
uint64_t flamegraph__total(const struct flamegraph *fg);

/* Write the SVG to @f with @title and flush it. Returns 0 or the negative
 * errno of a failed write (out_stream__flush()). */
int flamegraph__write_svg(const struct flamegraph *fg, FILE *f, const char *title);

#endif
