/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output: the only place that writes results. A sink is chosen once (text
 * or JSON lines); tools hand it tables and summaries, never printf.
 */
#ifndef COTRACE_OUTPUT_H
#define COTRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum out_format {
	OUT_TEXT,
	OUT_JSON,	/* one JSON object per line, stable keys */
	OUT_FOLDED,	/* stacks as "a;b;c count" lines; tables as text */
};

enum out_type {
	OUT_STR,
	OUT_U64,
	OUT_S64,
	OUT_F64,
};

/* A column of a table: its header in text and its key in JSON. */
struct out_col {
	const char *header;
	const char *key;
	enum out_type type;
	int width;		/* text width; negative: left-aligned */
	bool json_only;		/* not shown in text tables */
	bool text_only;		/* not written in JSON */
};

struct out_val {
	union {
		const char *s;
		uint64_t u;
		int64_t i;
		double f;
	};
};

struct out_table;

/* A table with @ncols columns (@cols borrowed, must outlive the table). */
struct out_table *out_table__new(const struct out_col *cols, size_t ncols);
void out_table__free(struct out_table *t);
/* Append a row of @ncols values; strings are copied. Returns 0 or -ENOMEM. */
int out_table__add(struct out_table *t, const struct out_val *vals);
size_t out_table__rows(const struct out_table *t);
/* Sort rows by column @col, ascending or descending (stable). */
void out_table__sort(struct out_table *t, size_t col, bool descending);
/* Keep only the first @n rows (after sorting). */
void out_table__truncate(struct out_table *t, size_t n);
/* Keep only the last @n rows. */
void out_table__keep_last(struct out_table *t, size_t n);

struct out;

/* A sink writing to @f (borrowed) in @fmt. NULL and errno on failure. */
struct out *out__new(FILE *f, enum out_format fmt);
void out__free(struct out *o);
enum out_format out__format(const struct out *o);

/*
 * Context printed with each record: JSON adds "time" (wall clock, seconds
 * since the epoch, when @timestamp is set) and "interval" (0-based) keys; text
 * prints a "%H:%M:%S" line before the table when @timestamp is set.
 */
struct out_ctx {
	bool timestamp;
	unsigned interval;
	const char *record;	/* JSON "type" value, e.g. "count" */
	const char *indent;	/* text tables: prefix of each line (bcc argdist's tab), or NULL */
	bool delimit;		/* stacks: "--" (folded: "-") between kernel and user frames (-d) */
	bool bracket_time;	/* tables: the timestamp as "[HH:MM:SS]" (bcc syscount) */
};

/* Write a table: text with headers, JSON one object per row. */
void out__table(struct out *o, const struct out_ctx *ctx, const struct out_table *t);

/* A key/value summary (lost events, skipped sites...). Text goes to stderr
 * as "warning: " lines, only for nonzero values; JSON as one record. */
struct out_kv {
	const char *key;
	const char *text;	/* text form: "%llu events lost" style, %s gets the value */
	enum out_type type;
	struct out_val val;
};
void out__summary(struct out *o, const struct out_kv *kvs, size_t n);

/* A list of strings under @key in JSON ("skipped": [...]); in text one
 * "@header: item" line per item on stderr. */
void out__list(struct out *o, const char *key, const char *header, const char *const *items,
	       size_t n);

struct hist;

/*
 * Write a histogram: text in bcc's layout ("     usecs : count
 * distribution" with 40-column bars) under a "@label" line when @label is
 * set; JSON one record {"type":"hist", "label", "unit", "buckets":
 * [{"low","high","count"}], "count", "sum"} (empty buckets included up
 * to the last nonzero one).
 */
void out__hist(struct out *o, const struct out_ctx *ctx, const char *label_key,
	       const char *label, const char *unit, const struct hist *h);

/*
 * out__hist() with any number of labels (@labels: key, type and value;
 * text unused): text "key = value, key = value" above the histogram, JSON
 * one key each. With @stats, text adds bcc funclatency's line "avg = A
 * unit, total: S unit, count: N" below it (JSON always has count and sum).
 */
void out__hist_kv(struct out *o, const struct out_ctx *ctx, const struct out_kv *labels,
		  size_t nlabels, const char *unit, const struct hist *h, bool stats);

struct stack_record;

/*
 * Write one counted stack. Text, as bcc's stackcount: kernel frames, a
 * "--" line with ctx->delimit, user frames (innermost first, two spaces
 * in), "comm [pid]" with @show_pid, then the count. Folded: one
 * "comm;outer;...;inner N" line (out_stack_folded()). JSON: {"type":"stack","pid","comm","count","user":[...],
 * "kernel":[...]} with frames innermost first, plus @extra_key: @extra_val
 * when @extra_key is set (the probe site).
 */
void out__stack(struct out *o, const struct out_ctx *ctx, const struct stack_record *r,
		bool show_pid, const char *extra_key, const char *extra_val);

/*
 * The folded form of @r: "comm;outermost;...;innermost" with the user
 * stack then the kernel stack (kernel frames suffixed "_[k]"), without the
 * count. With @with_pid, "comm-PID" as the root; with @delimit, a "-"
 * frame between the user and the kernel frames when there are both (bcc's
 * -d). Malloc'ed; NULL on ENOMEM.
 */
char *out_stack_folded(const struct stack_record *r, bool with_pid, bool delimit);

/* ---- events: one line per hit (uprobe-trace) ---- */

/* The columns of an event, chosen once for the run. */
struct out_event_layout {
	bool time;		/* a TIME column (text) and "ts" (JSON) */
	bool wide_time;		/* TIME holds seconds since the epoch: 17 columns, not 14 */
	bool cpu;		/* a CPU column in text (JSON always has "cpu") */
	bool kernel_stack;	/* JSON: a "kernel_stack" array, even empty */
	bool user_stack;	/* JSON: a "user_stack" array, even empty */
};

/* Frame @i (innermost first) of an event's kernel (@kernel) or user stack
 * as text in @buf; returns @buf. */
typedef const char *(*out_frame_fn)(void *ctx, bool kernel, size_t i, char *buf, size_t len);

/* One event; every pointer borrowed for the call. */
struct out_event {
	const char *time;	/* the TIME column's text */
	double ts;		/* JSON "ts": seconds */
	unsigned pid, tid, cpu;
	const char *comm, *func, *msg;
	const enum out_type *arg_types;	/* JSON "args", typed */
	const struct out_val *args;
	size_t nargs;
	size_t nkernel, nuser;	/* frames, read through @frame */
	out_frame_fn frame;
	void *frame_ctx;
};

/* The header line of the events in text, as bcc trace's ("PID TID COMM
 * FUNC -", after TIME and CPU when there are); nothing in JSON. */
void out__event_header(struct out *o, const struct out_event_layout *l);

/*
 * Write one event. Text, bcc trace's layout: [TIME] [CPU] PID TID COMM
 * FUNC MESSAGE, then its kernel and user frames, one a line, indented by
 * eight spaces. JSON: {"type":"event", "ts", "pid", "tid", "cpu", "comm",
 * "func", "message", "args": [...], "kernel_stack", "user_stack"}. Not
 * flushed: events come fast; the run flushes at each step.
 */
void out__event(struct out *o, const struct out_event_layout *l, const struct out_event *e);

/* The text form of an event, as out__event() writes it (-A counts them).
 * Malloc'ed; NULL on ENOMEM. */
char *out_event__text(const struct out_event_layout *l, const struct out_event *e);

/* bcc trace -A's report of one distinct event: its text, "-->COUNT N"
 * and a blank line. */
void out__event_count(struct out *o, const char *text, uint64_t count);

/* True once a write to the sink's stream failed (or it was closed). */
bool out__failed(const struct out *o);

/* Write a blank line in text mode (between intervals); nothing in JSON. */
void out__separator(struct out *o);

/* A free-form line of text output (listing mode); JSON gets {"@key": line}. */
void out__line(struct out *o, const char *key, const char *line);

/*
 * Flush the sink's stream (and whatever else was written to it, such as
 * a tool's own JSON records). Returns 0, or the negative errno of the
 * first write to it that failed, kept from then on (-EPIPE: the reader
 * of a pipe has gone). Tables, histograms, lists and summaries flush
 * themselves and keep the error too; out__free() flushes without telling.
 */
int out__flush(struct out *o);

/*
 * Flush @f. Returns 0, or the negative errno of a write to it that failed,
 * now or before: stdio drops the data of a failed write and keeps only an
 * error flag, so a failure it no longer explains is -EPIPE when @f is a
 * pipe or socket whose reader has gone, else -EIO.
 */
int out_stream__flush(FILE *f);

/* ---- JSON writer (used by the sink, exposed for tools' custom records) ---- */
struct json;
struct json *json__new(FILE *f);
void json__free(struct json *j);
void json__begin_object(struct json *j);
void json__end_object(struct json *j);
void json__begin_array(struct json *j, const char *key);
void json__end_array(struct json *j);
void json__key(struct json *j, const char *key);
void json__str(struct json *j, const char *key, const char *s);
void json__u64(struct json *j, const char *key, uint64_t v);
void json__s64(struct json *j, const char *key, int64_t v);
void json__f64(struct json *j, const char *key, double v);
void json__bool(struct json *j, const char *key, bool v);
/* End a top-level value with a newline (JSON lines). */
void json__newline(struct json *j);

/* Escape @s into @buf as a JSON string body (no quotes). Returns the length
 * it needs, like snprintf. */
size_t json_escape(char *buf, size_t len, const char *s);

#endif
