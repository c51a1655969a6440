/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pprof: counted stacks as a gzipped pprof profile (the profile.proto of
 * github.com/google/pprof), which go tool pprof, Pyroscope, Parca and
 * Grafana read. Written by hand: docs/design.md says why.
 *
 * Stacks added at each interval accumulate: a stack seen again adds to
 * its sample. Frames become locations in one mapping per module (file
 * and build-id), their addresses rebased to the first process seen
 * mapping it, so the same code in two processes is one location; kernel
 * frames go to "[kernel.kallsyms]". A frame whose function the
 * symbolizer did not know keeps its mapping and address without a
 * function, and its mapping says so (has_functions false), so that pprof
 * or a symbol server can fill it in from the build-id.
 */
#ifndef COTRACE_PPROF_H
#define COTRACE_PPROF_H

#include <stddef.h>
#include <stdint.h>

struct pprof;
struct stack_record;

/* An empty profile. NULL and errno on failure. */
struct pprof *pprof__new(void);
void pprof__free(struct pprof *p);

/*
 * Add a value type every sample has ("samples", "count"), in order; a
 * sample's value of it is the stack's count times @scale. The last one is
 * the default pprof shows. Before any stack is added. Returns 0, -EINVAL
 * (after stacks, or more than 8 types) or -ENOMEM.
 */
int pprof__add_sample_type(struct pprof *p, const char *type, const char *unit, int64_t scale);

/* What one event counted stands for: ("cpu", "nanoseconds", 1e9 / Hz). 0 or -ENOMEM. */
int pprof__set_period(struct pprof *p, const char *type, const char *unit, int64_t period);

/* When the profile began (wall clock, ns since the epoch) and how long it ran (ns). */
void pprof__set_time(struct pprof *p, int64_t time_ns, int64_t duration_ns);

/* A label of a sample: a string, or a number when @str is NULL. */
struct pprof_label {
	const char *key;
	const char *str;
	int64_t num;
};

/*
 * Add the stack @r (its frames as fields: user_frames and kernel_frames),
 * @r->count times, with @labels (copied). A lost user or kernel stack is
 * one frame "[user stack lost]" or "[kernel stack lost]". Returns 0 or
 * -ENOMEM.
 */
int pprof__add_stack(struct pprof *p, const struct stack_record *r,
		     const struct pprof_label *labels, size_t nlabels);

/* Samples so far, and the sum of their counts. */
size_t pprof__samples(const struct pprof *p, uint64_t *total);

/*
 * The profile, protobuf-encoded and gzipped, into a malloc'ed *@buf of
 * *@len bytes. Returns 0 or -ENOMEM.
 */
int pprof__encode(const struct pprof *p, void **buf, size_t *len);

#endif
