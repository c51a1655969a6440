/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * argreport: argdist's reports. The counts map read at each interval,
 * what the interval brought (the map is never cleared: the change since
 * the last report), -C's tables and -H's histograms in bcc argdist's
 * layout through the output module, and with --prom the metrics.
 */
#ifndef COTRACE_ARGREPORT_H
#define COTRACE_ARGREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/argplan.h"
#include "common/output.h"

struct log2_hist;
struct prom;

/* A count of one key, as read from the map. */
struct argcount {
	uint8_t *key;		/* spec (4 bytes), pad, key bytes */
	uint64_t count;
};

/* The counts of one report, sorted by key. */
struct argcounts {
	struct argcount *recs;
	size_t n, cap;
	size_t key_size;
};

/* Append a count of @key (c->key_size bytes, copied). 0 or -ENOMEM. */
int argcounts__add(struct argcounts *c, const uint8_t *key, uint64_t count);
/* Sort @c by key, as the reports need it. */
void argcounts__sort(struct argcounts *c);
void argcounts__fini(struct argcounts *c);

/* What the reports show (the specifiers borrowed). */
struct argreport_opts {
	const struct argspec *specs;
	int nspecs;
	bool cumulative;		/* -c: counts since the start */
	unsigned long top;		/* -T: only the N most frequent values, 0: all */
};

struct argexport;

struct argreport {
	struct argreport_opts o;
	const struct argplan *pl;	/* borrowed */
	struct out *out;		/* borrowed */
	int counts_fd, hists_fd;	/* the maps of bpf/argdist.bpf.c */
	int ncpus;
	struct log2_hist *percpu;	/* scratch for one lookup */
	struct log2_hist *prev;		/* per spec, at the last report */
	struct argcounts prev_counts;	/* at the last report, sorted by key */
	unsigned interval;
	size_t key_size;
	struct argexport *exp;		/* --prom, or NULL */
};

/*
 * Set @r up to report on the maps @counts_fd and @hists_fd of plan @pl
 * to @out (all borrowed). Returns 0, -ENOMEM, or the error of
 * libbpf_num_possible_cpus(). argreport__fini() frees it, also after a
 * failure.
 */
int argreport__init(struct argreport *r, const struct argreport_opts *o, const struct argplan *pl,
		    struct out *out, int counts_fd, int hists_fd);

/*
 * --prom: declare in @prom (borrowed) a counter of each -C specifier's
 * values, labelled with the specifier ("probe") and one label per
 * expression, and a histogram of each -H specifier's values; each report
 * adds what its interval brought. Returns 0 or a negative errno.
 */
int argreport__declare_metrics(struct argreport *r, struct prom *prom);

/*
 * One report of every specifier, in order: text, a "[HH:MM:SS]" line,
 * then each specifier's title and its table or histogram; JSON, "count"
 * and "hist" records. Returns 0 or a negative errno.
 */
int argreport__report(struct argreport *r);

/*
 * -C specifier @spec's table from the counts @cur (sorted by key), the
 * change since the last report unless -c. Part of argreport__report(),
 * which then keeps @cur as the last report's.
 */
int argreport__counts(struct argreport *r, const struct out_ctx *ctx, int spec,
		      const struct argcounts *cur);

void argreport__fini(struct argreport *r);

#endif
