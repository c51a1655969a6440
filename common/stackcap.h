/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stackcap: the stack capture shared by profile, stackcount and syscount
 * around the maps of bpf/lib/stacks.bpf.h: sizing them before load, the
 * symbolizer and the ring buffer of new processes after it, reading the
 * counted stacks, and the loss counters of the summary.
 */
#ifndef COTRACE_STACKCAP_H
#define COTRACE_STACKCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/output.h"
#include "common/stacks.h"

struct bpf_object;
struct cli_run;
struct pprof;
struct ring_buffer;
struct stack_stats;

/* The name of a record's extra field (a site, a syscall) into @buf, returned. */
typedef const char *(*stack_extra_name_fn)(void *ctx, uint32_t extra, char *buf, size_t len);

struct stack_capture {
	struct syms *syms;		/* owned */
	struct stack_pid_notes notes;
	struct ring_buffer *rb;		/* new processes; owned */
	struct bpf_object *obj;		/* borrowed */
	struct pprof *pprof;		/* borrowed: see stack_capture__export() */
	const char *extra_key;
	stack_extra_name_fn extra_name;
	void *extra_ctx;
};

/*
 * Between open and load: room for @traces stack ids and @counts counted
 * stacks in @obj, and the tables of processes seen and announced (all
 * lowered by the test knobs of cli__map_entries() and
 * cli__ringbuf_bytes()). A tool that captures no stack in this run gives
 * 1 and 1. Returns 0 or a negative errno.
 */
int stack_capture__size(struct bpf_object *obj, unsigned long traces, unsigned long counts);

/*
 * After load: a symbolizer (syms__new(@syms_flags)), the process @pid read
 * now, before it can exit (0: none), and the ring buffer of processes the
 * BPF side announces, read into the symbolizer as they come (and
 * continued with @resume: the BPF side stopped them, stop_new) from the
 * wait of @run. Returns 0, or EXIT_RUNTIME after saying why on stderr as
 * "@tool: ...".
 */
int stack_capture__open(struct stack_capture *sc, const char *tool, struct bpf_object *obj,
			unsigned syms_flags, pid_t pid, bool resume, struct cli_run *run);

/*
 * --pprof: add every stack stack_capture__read() reads to @pp (borrowed;
 * NULL: none), as it reads them (before a tool keeps only its top N),
 * labelled "comm", "pid" when read by process, and @extra_key (NULL:
 * none) with the name @fn(@ctx) gives the record's extra field.
 */
void stack_capture__export(struct stack_capture *sc, struct pprof *pp, const char *extra_key,
			   stack_extra_name_fn fn, void *ctx);

/*
 * Read the counted stacks into @set (stack_set__read() with @ro), merged
 * (by process with @by_pid) and sorted by count (descending with @desc),
 * and add them to the profile of stack_capture__export().
 * Returns 0 or a negative errno; @set is the caller's to free.
 */
int stack_capture__read(struct stack_capture *sc, const struct stack_read_opts *ro, bool by_pid,
			bool desc, struct stack_set *set);

#define STACK_CAPTURE_NLOSSES 5

/*
 * The loss counters of @st as summary entries in @kv
 * (STACK_CAPTURE_NLOSSES of them), @what naming what a counted stack
 * stands for ("hits", "samples", "syscalls"); @what must outlive @kv's
 * use (the texts point into @buf, of at least 512 bytes).
 */
void stack_capture__losses(const struct stack_stats *st, const char *what, struct out_kv *kv,
			   char *buf, size_t buflen);

void stack_capture__fini(struct stack_capture *sc);

#endif
