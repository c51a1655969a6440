/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * argspec: bcc argdist's specifier language,
 *   {p,r}:LIB:FUNC(SIGNATURE)[:TYPE[,TYPE...]:EXPR[,EXPR...][:FILTER]][#LABEL]
 *   t:CATEGORY:EVENT()[...]      a tracepoint (args->FIELD)
 *   u:LIB:PROBE()[...]           a USDT probe (arg1..arg6)
 * (a label after ';' too, as bcc's older examples write it),
 * parsed into its parts, with $entry(NAME) and $latency rewritten into the
 * names the fetch compiler resolves (__entry_NAME, __latency: values the
 * tool stores before the fetch program runs). Used by argdist.
 */
#ifndef COTRACE_ARGSPEC_H
#define COTRACE_ARGSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "common/probe.h"
#include "bpf/argdist.h"
#include "bpf/regs.h"

/* Parameters in a signature: the register arguments (six in System V, nine
 * in Go's register ABI; a site checks its own). */
#define ARGSPEC_MAX_PARAMS REGS_GO_NARGS
#define ARGSPEC_MAX_EXPRS 8
#define ARGSPEC_MAX_ENTRY (ARGDIST_ENTRY_WORDS - 1)	/* $entry() values saved per call */

/* One parameter of a specifier's signature. */
struct argspec_param {
	char *type;
	char *name;
};

/* One -C or -H specifier, parsed. */
struct argspec {
	const char *text;		/* as given */
	bool hist;			/* -H */
	enum probe_kind kind;		/* PROBE_UPROBE, PROBE_URETPROBE, PROBE_TRACEPOINT,
					 * PROBE_USDT */
	bool kernel;			/* an empty LIB: a kernel function (kprobes) */
	char *lib, *func;		/* tracepoints: the category and the event; USDT:
					 * the file and the probe */
	struct argspec_param sig[ARGSPEC_MAX_PARAMS];
	int nsig;
	char *types[ARGSPEC_MAX_EXPRS];
	char *exprs[ARGSPEC_MAX_EXPRS];		/* as written, for display */
	char *cexprs[ARGSPEC_MAX_EXPRS];	/* $entry(x) and $latency rewritten for the compiler */
	int nexprs;
	bool default_expr;		/* no expression given: count calls or return values */
	char *filter, *cfilter;
	char *label;
	char *entry[ARGSPEC_MAX_ENTRY];		/* parameters saved at entry for $entry() */
	int nentry;
	bool latency;
};

/*
 * Parse @text (borrowed: it must outlive @sp) as a -C specifier, or a -H
 * one with @hist. Returns 0, or -EINVAL with one sentence in @err
 * (-ENOMEM). Free with argspec__fini(), also after a failure.
 */
int argspec__parse(struct argspec *sp, const char *text, bool hist, char *err, size_t errlen);
void argspec__fini(struct argspec *sp);

/* What the output calls the specifier: its label, else its text. */
const char *argspec__title(const struct argspec *sp);

#endif
