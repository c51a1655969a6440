/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sitelist: the -l listing of resolved sites, one description for every
 * tool that lists them (funccount -l, uprobe-trace -l).
 */
#ifndef COTRACE_SITELIST_H
#define COTRACE_SITELIST_H

#include <stdbool.h>

struct out;
struct site_set;

/*
 * Write one record per site of @set to @out: text "KIND:PATH:NAME" (with
 * @verbose, a uprobe's address and file offset and a USDT probe's
 * argument spec after it, then the function's parameters from DWARF or
 * the kernel's BTF, one "    TYPE NAME" line each, as bpftrace -lv);
 * JSON {"type":"site","probe","address","offset","args"} and, with
 * @verbose, {"param": "TYPE NAME"} records. Returns 0 or -ENOMEM.
 */
int site_list__write(struct out *out, const struct site_set *set, bool verbose);

#endif
