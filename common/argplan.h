/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * argplan: argdist's probe plan. Every specifier's sites (with an entry
 * twin at each function's entry for $entry() and $latency) and, for each
 * site, the fetch program that reads its filter's operands and the values
 * of its key, in the layout of the counts map (bpf/argdist.h).
 */
#ifndef COTRACE_ARGPLAN_H
#define COTRACE_ARGPLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/argspec.h"
#include "common/callconv.h"
#include "common/fetch.h"

struct attach_features;
struct site_set;

/* Specifiers of one run (-C and -H together). */
#define ARGPLAN_MAX_SPECS 32

/* One site's part of the plan. */
struct argplan_site {
	int spec;
	enum callconv conv;		/* of a user function: where argN are */
	unsigned flags;			/* ARGDIST_HIST, ARGDIST_USE_ENTRY, ARGDIST_SAVE_ENTRY */
	uint32_t pair;			/* an entry twin's return site, UINT32_MAX: none */
	struct fetch_plan plan;
	unsigned key_off, key_len;
	int key_first;			/* index of the first key value in the plan */
};

struct argplan {
	struct site_set *set;		/* the tool's (borrowed) */
	struct argplan_site *info;	/* per site */
	unsigned key_bytes;		/* of the counts map's keys, after the spec */
	int first_site[ARGPLAN_MAX_SPECS];	/* a main site of each spec, for decoding */
};

/* What the plan is made of (borrowed). */
struct argplan_opts {
	const struct argspec *specs;
	int nspecs;
	unsigned long str_size;		/* -z */
	bool unsafe;			/* --unsafe: raw offsets no symbol covers */
	bool verbose;			/* -v: DWARF failures, Go calling conventions */
};

/*
 * Resolve every specifier of @o into pl->set (for process @pid, 0: all)
 * and compile each site's program into pl->info. Returns 0 or the exit
 * code, having said why on stderr as "argdist: ..." (EXIT_USAGE for the
 * user's input, EXIT_RUNTIME for the machine's failures). Free with
 * argplan__fini(), also after a failure.
 */
int argplan__build(struct argplan *pl, const struct argplan_opts *o, pid_t pid,
		   struct attach_features *feat);

/* Free what argplan__build() made (not the borrowed site set). */
void argplan__fini(struct argplan *pl);

#endif
