/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * prom: counters and histograms for Prometheus, rendered in its text
 * exposition format (0.0.4, what node_exporter's textfile collector
 * parses and promtool checks): HELP and TYPE lines, then one line per
 * series, label values escaped (backslash, double quote, newline).
 *
 * Values are cumulative from the start of the run: tools add what each
 * interval brought, so -i resets what they print, not what is exported,
 * and counters never go down. Time values are exported in seconds, the
 * base unit Prometheus wants.
 */
#ifndef COTRACE_PROM_H
#define COTRACE_PROM_H

#include <stddef.h>
#include <stdint.h>

struct hist;

enum prom_type {
	PROM_COUNTER,
	PROM_HISTOGRAM,
};

/* A metric family, as a tool declares it. */
struct prom_family {
	const char *name;	/* cotrace_TOOL_WHAT; a counter's ends in _total */
	const char *help;
	enum prom_type type;
	const char *const *labels;	/* label names, in the order values are given */
	size_t nlabels;
	/*
	 * Time: each value added is a count of units of @unit_ns nanoseconds,
	 * exported in seconds (a histogram's bucket bounds too). 0: plain
	 * numbers.
	 */
	uint64_t unit_ns;
};

struct prom;

/* An empty registry. NULL and errno on failure. */
struct prom *prom__new(void);
void prom__free(struct prom *p);

/*
 * Declare family @f (copied, labels included). Returns its index, or
 * -EINVAL (a name or label Prometheus refuses, "le" on a histogram, a
 * name declared twice), -ENOMEM.
 */
int prom__add_family(struct prom *p, const struct prom_family *f);

/*
 * Add @delta to the counter of family @fam whose labels have the values
 * @values (nlabels strings, copied; an empty value is an absent label to
 * Prometheus). Returns 0, -EINVAL (@fam is not a counter) or -ENOMEM.
 */
int prom__counter_add(struct prom *p, int fam, const char *const *values, uint64_t delta);

/*
 * Add histogram @h (what an interval brought: log2 or linear, values in
 * the family's unit) to the histogram of @fam with label values @values.
 * Returns 0, -EINVAL (not a histogram family, another shape) or -ENOMEM.
 */
int prom__hist_add(struct prom *p, int fam, const char *const *values, const struct hist *h);

/*
 * The exposition text of every family with series, in the order they
 * were declared, series sorted by their label values, into a malloc'ed
 * *@buf of *@len bytes. Returns 0 or -ENOMEM.
 */
int prom__render(const struct prom *p, char **buf, size_t *len);

#endif
