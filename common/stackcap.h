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

#include <linux/types.h>

#include "common/output.h"
#include "common/python.h"
#include "common/stacks.h"
#include "bpf/python.h"

struct bpf_link;
struct count_acc;

#define STACK_CAPTURE_MAPS_LINKS 4
struct bpf_object;
struct cli_run;
struct pprof;
struct ring_buffer;
struct stack_drain;
struct stack_stats;

/* The name of a record's extra field (a site, a syscall) into @buf, returned. */
typedef const char *(*stack_extra_name_fn)(void *ctx, uint32_t extra, char *buf, size_t len);

struct stack_capture {
	struct syms *syms;		/* owned */
	struct unwinder *unwinder;	/* owned; NULL when user stacks follow frame pointers */
	struct python *py;		/* owned; NULL without Python frames */
	struct stack_pid_notes notes;
	struct ring_buffer *rb;		/* new processes; owned */
	/* With CFI: stack_maps_changed at the exit of mmap, mprotect and
	 * munmap, stack_exec at sched_process_exec; owned. */
	struct bpf_link *maps_links[STACK_CAPTURE_MAPS_LINKS];
	struct bpf_object *obj;		/* borrowed */
	const char *tool;		/* borrowed */
	bool verbose;
	/* Drains (profile with CFI): the counts taken out, by their raw key
	 * (resolved at the end: a drain is map operations only), and the
	 * stacks taken out, by hash. */
	struct count_acc *acc;		/* owned */
	struct stack_cache *cache;	/* owned */
	unsigned long drains;
	unsigned half;			/* the half of the counts the BPF side counts into */
	struct stack_drain *drain;	/* borrowed: see stack_capture__drain_on_notes() */
	bool drain_failed;
	struct pprof *pprof;		/* borrowed: see stack_capture__export() */
	const char *extra_key;
	stack_extra_name_fn extra_name;
	void *extra_ctx;
};

/* How user stacks are walked: --unwind=auto|fp|cfi. */
enum stack_unwind {
	STACK_UNWIND_AUTO = 0,	/* CFI where the kernel can run the walk, else frame pointers */
	STACK_UNWIND_FP,	/* frame pointers (bpf_get_stackid) */
	STACK_UNWIND_CFI,	/* call-frame information tables, walked in BPF */
};

/* The --unwind option's help line, for every stack tool's usage text. */
#define STACK_UNWIND_HELP \
"      --unwind MODE      user stacks by auto (default), cfi (.eh_frame tables,\n" \
"                         walked in the kernel) or fp (frame pointers)\n"

/* Parse "auto", "fp" or "cfi". Returns 0 or -EINVAL. */
int stack_unwind__parse(const char *s, enum stack_unwind *mode);

/* The getopt values of the stack tools' long options (stack_capture__option()). */
#define STACK_OPT_STORAGE 270	/* --stack-storage-size N */
#define STACK_OPT_UNWIND 271	/* --unwind MODE */

/*
 * Parse stack option @c with its argument @arg: STACK_OPT_STORAGE (16 to
 * 2^24 stacks) into *@storage, STACK_OPT_UNWIND into *@unwind. Returns
 * 0, or EXIT_USAGE after @tool's usage error.
 */
int stack_capture__option(const char *tool, int c, const char *arg, unsigned long *storage,
			  enum stack_unwind *unwind);

/*
 * The walk for @mode on this kernel: true for CFI. "cfi" on a kernel
 * without bpf_loop(), bpf_find_vma() and bpf_task_pt_regs() (5.17+) is
 * refused with -EOPNOTSUPP; "auto" falls back to frame pointers there.
 * With @verbose, says on stderr as "@tool: ..." which walk is used.
 * Returns 0 (*@cfi set) or -EOPNOTSUPP.
 */
int stack_unwind__choose(enum stack_unwind mode, const char *tool, bool verbose, bool *cfi);

/*
 * Between open and load: room for @traces stack ids and @counts counted
 * stacks in @obj, and the tables of processes seen and announced (all
 * lowered by the test knobs of cli__map_entries() and
 * cli__ringbuf_bytes()); with @cfi, room for @counts user stacks walked
 * with CFI and the unwind tables. A tool that captures no stack in this
 * run gives 1 and 1. Returns 0 or a negative errno.
 */
int stack_capture__size(struct bpf_object *obj, unsigned long traces, unsigned long counts,
			bool cfi);

/*
 * Between open and load, for a tool that walks user stacks without
 * counting them (uprobe-trace -U): with @cfi, the unwind tables and the
 * tables of processes announced; every counting map at one entry.
 * Returns 0 or a negative errno.
 */
int stack_capture__size_walk(struct bpf_object *obj, bool cfi);

/*
 * Between open and load: Python frames in the user stacks walked with
 * CFI (@on; python__size()). The tool sets the BPF side's python_frames
 * knob to the same. Returns 0 or a negative errno.
 */
int stack_capture__size_python(struct bpf_object *obj, bool on);

/*
 * With Python frames: the counters of bpf/lib/python.bpf.h (@ps, the
 * BPF side's py_stats) as summary entries in @kv (STACK_CAPTURE_NPYTHON
 * of them). Returns how many were filled (0 without Python frames).
 */
#define STACK_CAPTURE_NPYTHON 3
size_t stack_capture__python_losses(const struct stack_capture *sc, const struct py_stats *ps,
				    struct out_kv *kv);

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
 * With CFI, build the unwind table of the file at @path now (a probed
 * file, the --cmd command), so that hits met before their process is read
 * still find it. Failures are not errors: those frames follow frame
 * pointers. No-op without CFI.
 */
void stack_capture__preload(struct stack_capture *sc, const char *path);

/*
 * With CFI, a system-wide run: read the processes already running (named
 * @comm, or all when NULL), so that their first hits find their tables;
 * at most two seconds. A process started later is read when the BPF side
 * announces it. No-op without CFI.
 */
void stack_capture__scan(struct stack_capture *sc, const char *comm);

/*
 * Read process @pid now (-p), before it can exit: its maps for the
 * symbolizer and, with CFI, its tables.
 */
void stack_capture__add_pid(struct stack_capture *sc, pid_t pid);

/*
 * Between open and load, every stack map of a counting tool (profile,
 * stackcount, syscount --stack): stack_capture__size(@traces, @counts,
 * @cfi); with @cfi the tables drained as they fill: the second half of
 * the double buffer of counts, as large as the first, and the drain asked
 * for at half of each table (written to the program's knobs *@counts_at
 * and *@stacks_at); the Python maps with @python. Returns 0 or a
 * negative errno.
 */
int stack_capture__size_counting(struct bpf_object *obj, unsigned long traces,
				 unsigned long counts, bool cfi, bool python,
				 __u64 *counts_at, __u64 *stacks_at);

/*
 * With CFI, when the BPF side asked for it (@dr->requested, a table past
 * its threshold; see struct stack_drain): switch the halves of the counts,
 * take the counts out of the old half into sc->acc, then the stacks out
 * of ustacks and kstacks into sc->cache, and say so in @dr. Call it
 * at every wake-up (a note of tgid 0 wakes the loop). Returns 0 or a
 * negative errno.
 */
int stack_capture__drain(struct stack_capture *sc, struct stack_drain *dr);

/*
 * After stack_capture__open(), for a tool that drains (with CFI) from a
 * loop of its own making (tool__loop()): drain at each request the BPF
 * side notes on the ring buffer, with the BPF object's @dr (borrowed).
 * A failure is said once on stderr; the counts stay in the kernel's
 * tables then, their losses counted. No-op without CFI.
 */
void stack_capture__drain_on_notes(struct stack_capture *sc, struct stack_drain *dr);

/* With -v and CFI: the tables built, their rows, memory and time, and the drains, on stderr. */
void stack_capture__report_tables(const struct stack_capture *sc);

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

#define STACK_CAPTURE_NLOSSES 8

/*
 * The loss counters of @st as summary entries in @kv
 * (STACK_CAPTURE_NLOSSES of them), @what naming what a counted stack
 * stands for ("hits", "samples", "syscalls"); @what must outlive @kv's
 * use (the texts point into @buf, of at least 512 bytes).
 */
void stack_capture__losses(const struct stack_stats *st, const char *what, struct out_kv *kv,
			   char *buf, size_t buflen);

/*
 * The files whose unwind table found no room in the pool (all its shards
 * in use, or a table larger than a shard), as one summary entry in @kv:
 * their frames were walked by frame pointers. 0 without CFI.
 */
void stack_capture__pool_loss(const struct stack_capture *sc, struct out_kv *kv);

/*
 * Detaches the programs of stack_capture__open() and frees @sc; the notes
 * still unread only continue their processes (none is left stopped). The
 * tool detaches its own programs first.
 */
void stack_capture__fini(struct stack_capture *sc);

#endif
