/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tracesites: uprobe-trace's probes compiled for the sites they resolved
 * to: each site's fetch program, with the function's parameters named
 * from DWARF (user functions) or the kernel's BTF (kernel functions), the
 * tracepoint's fields from its format, and the Go calling convention of
 * the file told with -v.
 */
#ifndef COTRACE_TRACESITES_H
#define COTRACE_TRACESITES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/fetch.h"
#include "common/traceprobe.h"

struct site_set;

/* How the probes compile (the probes borrowed). */
struct trace_sites_opts {
	const struct trace_probe *probes;	/* by site spec index */
	unsigned long str_size;		/* -Z */
	bool bin_cmp;			/* -B */
	bool verbose;			/* -v: each Go file's convention, on stderr */
};

/*
 * Compile the probe of every site of @set into @plans (one per site).
 * Returns 0, -EIO (tracefs or a tracepoint's format could not be read: a
 * runtime failure), -ENOMEM, or -EINVAL (the user's probe), with one
 * sentence in @err.
 */
int trace_sites__compile(const struct site_set *set, const struct trace_sites_opts *o,
			 struct fetch_plan *plans, char *err, size_t errlen);

/* -l -v: which registers argN means in each Go file of @set, on stderr
 * (the listing itself is the same for every tool). */
void trace_sites__say_conventions(const struct site_set *set);

#endif
