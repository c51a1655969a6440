/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traceprint: uprobe-trace's events, from the ring buffer's records
 * (struct trace_event of bpf/uprobe_trace.h) to the output module: the
 * probe's message rendered, the stacks symbolized, the time as -t, -u
 * or -T ask, the -n and -f filters, -M's end, and -A's count of
 * identical events.
 */
#ifndef COTRACE_TRACEPRINT_H
#define COTRACE_TRACEPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/eventagg.h"
#include "common/fetch.h"
#include "common/output.h"
#include "common/traceprobe.h"

struct site_set;
struct python;
struct syms;

/* What the options ask of the events (the probes borrowed). */
struct trace_print_opts {
	const struct trace_probe *probes;	/* by site spec index */
	const char *comm;		/* -n: only comms containing it, or NULL */
	const char *msg_filter;		/* -f: only messages containing it, or NULL */
	unsigned long max_events;	/* -M, 0: no end */
	bool timestamp;			/* -t: seconds since the start */
	bool unix_time;			/* -u: -t's time as seconds since the epoch */
	bool time_of_day;		/* -T */
	bool print_cpu;			/* -C */
	bool address;			/* -a: frames with their addresses */
	bool aggregate;			/* -A */
	bool user_stack, kernel_stack;	/* -U, -K */
};

struct trace_printer {
	struct trace_print_opts o;
	struct syms *syms;		/* -U, -K, %K and %U (borrowed, may be NULL) */
	struct python *py;		/* -U by CFI: names Python frames (borrowed, may be NULL) */
	const struct site_set *set;	/* borrowed */
	const struct fetch_plan *plans;	/* per site (borrowed) */
	struct out *out;		/* borrowed */
	struct out_event_layout layout;	/* the columns chosen by the options */
	uint64_t start_ns;
	double epoch_offset;		/* -u: CLOCK_REALTIME - CLOCK_MONOTONIC, seconds */
	uint64_t printed;
	bool *done;			/* -M reached: the tool's stop (borrowed) */
	struct trace_line line;		/* the message of the event being printed */
	struct eventagg agg;		/* -A */
	int agg_err;			/* -A ran out of memory */
};

/*
 * Set @t up to print the events of the sites of @set, whose programs are
 * @plans, to @out, symbolizing with @syms (NULL: frames and %U/%K are
 * unknown); -M sets *@done. Everything is borrowed.
 */
void trace_printer__init(struct trace_printer *t, const struct trace_print_opts *o,
			 const struct site_set *set, const struct fetch_plan *plans,
			 struct syms *syms, struct out *out, bool *done);

/* The clock the events' times count from (-t), taken now. */
void trace_printer__start(struct trace_printer *t);

/*
 * One record of the ring buffer (@size bytes): printed, counted for -A,
 * or left out by -n or -f; nothing once *done is set or the output
 * failed. Returns 0, or -ECANCELED once -M is reached.
 */
int trace_printer__event(struct trace_printer *t, const void *data, size_t size);

/* -A's report: each distinct event with its count, most first. */
void trace_printer__aggregate_report(struct trace_printer *t);

void trace_printer__fini(struct trace_printer *t);

#endif
