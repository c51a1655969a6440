/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hist: log2 and linear histograms as the BPF side fills them (slot i of
 * a log2 histogram holds values v with floor(log2(v)) == i, 0 and 1 in
 * slot 0, as bcc does), their bucket bounds, units and summaries.
 */
#ifndef COTRACE_HIST_H
#define COTRACE_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_LOG2_SLOTS 64

enum hist_kind {
	HIST_LOG2,
	HIST_LINEAR,
};

struct hist {
	enum hist_kind kind;
	uint64_t slots[HIST_LOG2_SLOTS];
	size_t nslots;		/* used slots (64 for log2) */
	uint64_t linear_min;	/* linear: slot i covers [min + i*step, min + (i+1)*step) */
	uint64_t linear_step;
	uint64_t count;		/* values added (may exceed the slots' sum if clamped) */
	uint64_t sum;		/* sum of values, in the value's unit */
};

/* The log2 slot of @v. */
unsigned hist_log2_slot(uint64_t v);

/* Bounds [*low, *high] of slot @i (inclusive), as printed. */
void hist_slot_bounds(const struct hist *h, size_t i, uint64_t *low, uint64_t *high);

void hist__init_log2(struct hist *h);
int hist__init_linear(struct hist *h, uint64_t min, uint64_t step, size_t nslots);

/* Add @v (once) in user space, e.g. when merging. */
void hist__add(struct hist *h, uint64_t v);
/* Add another histogram of the same shape. */
void hist__merge(struct hist *h, const struct hist *o);
/* Index of the last nonzero slot + 1 (0 if empty). */
size_t hist__used(const struct hist *h);
/* Sum of all slots. */
uint64_t hist__total(const struct hist *h);

/* A log2 histogram as the BPF side fills it (bpf/hist.h). */
struct log2_hist;

/* @h becomes a log2 histogram holding @v's slots, count and sum. */
void hist__from_log2(struct hist *h, const struct log2_hist *v);

/* Add the @n histograms at @src (per-CPU copies, say) into @dst. */
void log2_hist__add(struct log2_hist *dst, const struct log2_hist *src, size_t n);

/* Subtract @old (an earlier reading of the same histogram) from @h. */
void log2_hist__sub(struct log2_hist *h, const struct log2_hist *old);

/* Time units: ns are divided by 1, 1e3, 1e6, 1e9. */
enum hist_unit {
	UNIT_NSEC,
	UNIT_USEC,
	UNIT_MSEC,
	UNIT_SEC,
	UNIT_NONE,	/* plain values */
};
const char *hist_unit_name(enum hist_unit u);	/* "nsecs", "usecs", ... */
uint64_t hist_unit_div(enum hist_unit u);

#endif
