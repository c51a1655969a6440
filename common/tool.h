/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tool: the skeleton every front end follows once its options are parsed,
 * in explicit phases, each deciding before the next:
 *
 *   tool__start()        privilege, libbpf, kernel features, the run (-p, -c, -d, -i)
 *   tool__add_specs()    probe specs -> sites           (site tools only)
 *   tool__check_sites()  what the sites may not do to the traced program
 *   tool__load()         programs chosen for the sites, BPF object loaded
 *   tool__attach()       every site attached, or the refusals said
 *   tool__begin()        the clock (and the -c command) started
 *   tool__loop()         wait, consume, report at each interval and at the end
 *   tool__summary()      the tool's counters, then the shared loss counters
 *   tool__fini()         everything undone, in order
 *
 * Each phase tells the user on stderr, as "TOOL: ...", what went wrong,
 * and returns the exit code to give (0 to go on). Results go only through
 * the tool's struct out, and, with --prom and --pprof, the exporters the
 * skeleton writes to their files after every report (tool__export()).
 */
#ifndef COTRACE_TOOL_H
#define COTRACE_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/attach.h"
#include "common/cli.h"
#include "common/output.h"
#include "common/sites.h"

struct bpf_object_skeleton;
struct pprof;
struct prom;
struct ring_buffer;

struct tool {
	const char *name;		/* "funccount": the prefix of every message */
	const struct cli_common *cli;	/* the shared options (borrowed) */
	struct out *out;		/* owned */
	struct attach_features feat;	/* probed by tool__start() */
	struct cli_run run;
	pid_t pid;			/* the process traced: -p, the -c child, or 0 */
	struct site_set set;
	struct site_progs progs;
	struct attacher *att;
	size_t attached;		/* sites attached */
	size_t nskipped;		/* sites the kernel refused */
	const struct skipped_site *skipped;	/* borrowed from att */
	bool stop;			/* set by an event handler: end the run (-M) */
	struct prom *prom;		/* --prom: owned; the tool's reports add to it */
	struct pprof *pprof;		/* --pprof: owned; the stacks read add to it */
	uint64_t begin_ns;		/* CLOCK_MONOTONIC at tool__begin() */
	int64_t begin_real_ns;		/* and the wall clock, ns since the epoch */
};

/* A struct tool that tool__fini() may be given before tool__init(). */
#define TOOL_INIT { .run = CLI_RUN_INIT }

/*
 * Name the tool, borrow its shared options and open its output on stdout
 * in @fmt. With --prom or --pprof (cli->prom, cli->pprof), check that the
 * file can be written (atomicfile__check()) and make the empty exporter
 * in t->prom or t->pprof, for the tool to declare its metrics or sample
 * types in. Returns 0, EXIT_USAGE (a file that cannot be written, said on
 * stderr) or EXIT_RUNTIME (out of memory).
 */
int tool__init(struct tool *t, const char *name, const struct cli_common *cli,
	       enum out_format fmt);

/* Options of tool__start(). */
enum {
	TOOL_F_NO_PRIVILEGE = 1 << 0,	/* the run only reads files (-l): no privilege check */
	TOOL_F_NO_FEATURES = 1 << 1,	/* no sites to attach: features only for -v */
	TOOL_F_NEED_COOKIE = 1 << 2,	/* the programs read BPF cookies (5.15+) */
};

/*
 * Start-up: privilege check, libbpf, feature probe (reported with -v),
 * then the run: signals, the -c command forked and held, a pidfd for -p,
 * with @pid (the process the run ends with, usually cli->pid) and
 * @interval (seconds, 0: report only at the end). Sets t->pid.
 */
int tool__start(struct tool *t, unsigned flags, pid_t pid, double interval);

/*
 * Resolve the probe specs @texts into t->set (probe_spec__parse @flags,
 * with PROBE_F_UNSAFE under --unsafe).
 * A kernel or machine failure is EXIT_RUNTIME, bad input EXIT_USAGE.
 */
int tool__add_specs(struct tool *t, char *const *texts, int n, unsigned flags);

/*
 * What the sites may not do to the traced program, checked before
 * anything is loaded: return probes in Go programs, which crash the Go
 * runtime, refused unless @force (then a warning); with -c, files the
 * command's program cannot load (another ELF class or machine), where no
 * probe would ever fire. EXIT_USAGE when refused.
 */
int tool__check_sites(struct tool *t, bool force);

/*
 * Choose the programs of @p the sites need (multi-uprobe link or not,
 * trampolines or kprobes), then load the object of skeleton @s.
 * Refuses --attach multi on a kernel without the link.
 */
int tool__load(struct tool *t, struct bpf_object_skeleton *s, const struct site_progs *p);

/*
 * Load the object of skeleton @s, for tools without sites: what went
 * wrong is said the same way.
 */
int tool__load_object(struct tool *t, struct bpf_object_skeleton *s);

/*
 * Attach every site of t->set with the programs given to tool__load(),
 * for process @pid (0: all), saying each refused site; with -v, how long
 * it took. EXIT_RUNTIME when no site could be attached.
 */
int tool__attach(struct tool *t, pid_t pid);

/*
 * Say "Tracing N <what>s for "SPEC, ..."... Hit Ctrl-C to end." on
 * stderr, the line every site tool gives once attached (tests wait for
 * "Hit Ctrl-C").
 */
void tool__say_tracing(const struct tool *t, size_t n, const char *what, char *const *specs,
		       int nspecs);

/*
 * Start the clock and let the -c command run. A command whose exec fails
 * ends the run: said on stderr, EXIT_USAGE (the user's to fix: no such
 * file, no permission, not an executable) or EXIT_RUNTIME.
 */
int tool__begin(struct tool *t);

/*
 * Write t->prom and t->pprof (when there are) to their files, each
 * replaced whole (atomicfile.h); the profile gets the time tracing began
 * and how long it ran. With -v, how long it took. Returns 0, or
 * EXIT_RUNTIME after saying "TOOL: cannot write 'FILE': REASON".
 * tool__loop() calls it after every report; a tool with a loop of its
 * own calls it after its own.
 */
int tool__export(struct tool *t);

/*
 * A tool's report: called at each interval and once at the end (@last).
 * Returns 0 to go on, 1 to end the run now (argdist -n), or a negative
 * errno (the run ends and tool__loop() says "cannot @what").
 */
typedef int (*tool_report_fn)(void *ctx, bool last);

/*
 * The wait loop: consume @rb (may be NULL) at every wake-up and call
 * @report at each interval and at the end, then tool__export(), with
 * out__separator() between intervals when @separate. The end comes with the run's (signal, -d,
 * the traced process gone) or when t->stop is set. Everything printed is
 * flushed at each step; a write that failed (or a closed stdout) ends the
 * run at once with EXIT_RUNTIME, tool__fini() saying why. Returns 0 or
 * EXIT_RUNTIME.
 */
int tool__loop(struct tool *t, struct ring_buffer *rb, tool_report_fn report, void *ctx,
	       bool separate, const char *what);

/*
 * The closing summary: @head (the tool's own counters, may be NULL), then
 * "skipped" (with the names of the skipped sites in JSON when
 * @list_skipped), then @losses, then "missed" (every program and
 * trampoline skipped by the kernel). Site tools only. Nothing when the
 * output has failed: a summary would only add to the noise.
 */
void tool__summary(struct tool *t, const struct out_kv *head, size_t nhead,
		   const struct out_kv *losses, size_t nlosses, bool list_skipped);

/*
 * Detach every site (saying so when it takes a while); safe to call twice.
 * A tool whose programs write into something it frees itself (a ring
 * buffer) detaches first.
 */
void tool__detach(struct tool *t);

/*
 * Detach everything (saying so when it takes a while) and free all the
 * tool owns: after this, nothing of the tool is attached. Returns the
 * exit status: @status, or EXIT_RUNTIME when a write of the results
 * failed (said on stderr, but for a closed pipe: cli__finish_output()).
 */
int tool__fini(struct tool *t, int status);

#endif
