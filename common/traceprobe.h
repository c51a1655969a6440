/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traceprobe: uprobe-trace's probe language: bcc trace's
 *   SPEC[(SIGNATURE)] [(FILTER)] ["FORMAT"[, ARG...]]
 * and ftrace's uprobe_events form
 *   p[:[GRP/]EVENT] PATH:OFFSET [NAME=]FETCHARG...
 * parsed, compiled for one site into a fetch plan, and one event rendered
 * into its message. Used by uprobe-trace; unit-tested and fuzzed alone.
 */
#ifndef COTRACE_TRACEPROBE_H
#define COTRACE_TRACEPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/fetch.h"
#include "common/probe.h"

#define TRACE_PROBE_MAX_ARGS 12
#define TRACE_PROBE_MAX_SIG 9	/* parameters of a signature (Go's register ABI has nine) */
#define TRACE_PROBE_MAX_WIDTH 4096	/* of a format's conversion, and its precision */

/* A printf conversion of a format string. */
struct trace_conv {
	char flags[24];		/* flags, width and precision as written */
	char len[3];		/* length modifier: "", h, hh, l, ll, z, j */
	char c;			/* d i u x X o c s p, K and U (bcc: kernel and user symbols) */
};

/* A parameter of a signature: "struct timespec *ts". */
struct trace_param {
	char *type;
	char *name;
};

/* One probe as given on the command line, parsed. */
struct trace_probe {
	const char *text;
	char *spec;		/* for site resolution: "p:c:write", "/bin/app:0x2794c0" */
	char *event;		/* uprobe_events EVENT name, or NULL */
	char *filter;
	char *fmt;		/* bcc format string, unescaped, or NULL */
	bool ftrace;		/* fetch-args: "name=value" output */
	char *args[TRACE_PROBE_MAX_ARGS];
	char *names[TRACE_PROBE_MAX_ARGS];	/* ftrace names of the args */
	int nargs;
	struct trace_conv convs[TRACE_PROBE_MAX_ARGS];
	int nconvs;
	/* bcc's signature, p:c:open(char *filename): names for the argument
	 * registers, in order, with their C types. */
	struct trace_param sig[TRACE_PROBE_MAX_SIG];
	int nsig;
	enum probe_kind kind;
};

/*
 * Split @text (borrowed: it must outlive @p) into @p. Returns 0 or
 * -EINVAL with one sentence in @err (-ENOMEM). Free with
 * trace_probe__fini(), also after a failure.
 */
int trace_probe__parse(struct trace_probe *p, const char *text, char *err, size_t errlen);
void trace_probe__fini(struct trace_probe *p);

/* True for kernel functions (kprobes, kretprobes). */
bool trace_probe__is_kernel(enum probe_kind k);

/* The fetch compiler's kind of site for a probe of kind @k. */
enum fetch_kind trace_probe__fetch_kind(enum probe_kind k);

/*
 * Compile @p's arguments and filter for one site (@env) into @plan,
 * checking each argument against its conversion. The signature's names
 * come before @env's parameters, typed from @env's sources. Returns 0,
 * or a negative errno with one sentence in @err.
 */
int trace_probe__compile(const struct trace_probe *p, const struct fetch_env *env,
			 struct fetch_plan *plan, char *err, size_t errlen);

/* A growing line buffer, reused from event to event. */
struct trace_line {
	char *buf;
	size_t cap;
};

/* A symbol found for %K (kernel) or %U (user address of a process). */
struct trace_sym {
	const char *name;	/* NULL when no symbol covers the address */
	uint64_t offset;	/* from the symbol's start */
	const char *module;	/* the file's path, or NULL */
};

/* How %K and %U find symbols. */
struct trace_symbolizer {
	/* @addr in process @pid (-1: the kernel) into @out, its strings
	 * borrowed until the next call. 0, or -ENOENT when nothing maps it. */
	int (*resolve)(void *ctx, int pid, uint64_t addr, struct trace_sym *out);
	void *ctx;
};

/* True if @p's format has %K or %U conversions (the tool needs symbols). */
bool trace_probe__wants_symbols(const struct trace_probe *p);

/*
 * The message of one event of @p: its format filled in from the data
 * area @data (@dlen bytes) as @plan laid it out, or ftrace's name=value
 * list. %U and %K are symbols of process @pid and of the kernel, as bcc
 * prints them ("func+0x1a [libc.so.6]", "func+0x1a"), through @sym (may
 * be NULL: addresses are printed); an address no symbol covers is
 * "[unknown]" for %U (with its module when known) and the address
 * itself for %K. Returns a string in @l (valid until the next call), ""
 * when memory ran out.
 */
const char *trace_probe__render_event(const struct trace_probe *p, const struct fetch_plan *plan,
				      const void *data, size_t dlen, int pid,
				      const struct trace_symbolizer *sym, struct trace_line *l);

/* trace_probe__render_event() without symbols. */
const char *trace_probe__render(const struct trace_probe *p, const struct fetch_plan *plan,
				const void *data, size_t dlen, struct trace_line *l);

void trace_line__fini(struct trace_line *l);

#endif
