/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unwinder: the user-space half of CFI unwinding. It owns the BPF maps of
 * bpf/lib/unwind.bpf.h once the object is loaded: builds the unwind table
 * of each file a traced process maps (common/unwind.c), once per file
 * (keyed by device and inode, shared by build-id), appends its rows to
 * the pool (a mmap()ed array: no syscall per row), and writes each
 * process's table of executable mappings when the BPF side announces it.
 */
#ifndef COTRACE_UNWINDER_H
#define COTRACE_UNWINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_object;
struct python;
struct syms;
struct unwinder;

struct unwinder_stats {
	size_t tables;		/* files with a table in the pool */
	size_t late;		/* tables built late, when a walk needed them */
	size_t waiting;		/* files whose table no walk has needed yet */
	size_t no_table;	/* files without one (no CFI, unreadable) */
	size_t pool_full;	/* files whose table did not fit in the pool */
	size_t rows;		/* rows used in the pool */
	size_t rows_max;	/* rows the shards created hold */
	size_t shards;		/* shards created */
	size_t max_shards;	/* shards the pool may have */
	size_t shard_rows;	/* rows in a shard */
	int shard_err;		/* why a shard could not be added (negative errno), or 0 */
	const char *shard_step;	/* at which step */
	size_t procs;		/* process tables written */
	size_t too_many_maps;	/* processes with more mappings than a table holds */
	uint64_t build_ns;	/* time spent building tables */
	uint64_t proc_ns;	/* time spent reading mappings and writing process tables */
};

/*
 * Between open and load: size the maps of @obj for CFI unwinding
 * (@on): room for UNWIND_MAX_SHARDS shards of UNWIND_DEFAULT_ROWS rows
 * in the pool, created as tables need them; one entry each when off.
 * Returns 0 or a negative errno.
 */
int unwinder__size(struct bpf_object *obj, bool on);

/*
 * After load: take over the maps of @obj (borrowed; it must outlive the
 * unwinder). Every file met is given to @syms (borrowed) as a module,
 * whose id (plus one) names the file in the frames of the BPF side's
 * stacks (STACK_FRAME_FILE). NULL and errno on failure (ENOENT: a map is
 * missing).
 */
struct unwinder *unwinder__new(struct bpf_object *obj, struct syms *syms);
void unwinder__free(struct unwinder *u);

/*
 * Read the executable mappings of @pid (once: the same lines are the
 * symbolizer's snapshot of it, syms__snapshot_lines()), build the tables
 * of the files it maps that have none yet, and write its process table
 * for exec generation @gen. Returns 0 or a negative errno (-ESRCH: the
 * process is gone).
 */
int unwinder__add_process(struct unwinder *u, pid_t pid, uint32_t gen);

/*
 * Build the table of the file at @path now, for addresses in it met
 * before its process is read (bpf_find_vma() finds it by device and
 * inode). Returns 0 or a negative errno.
 */
int unwinder__add_file(struct unwinder *u, const char *path);

/*
 * The processes running now (those named @comm, or all when NULL), for a
 * system-wide run: each one's tables as unwinder__add_process() writes
 * them, valid for any exec generation until the BPF side announces it.
 * Stops after @max_secs seconds. Returns the number of processes read or
 * a negative errno.
 */
int unwinder__add_existing(struct unwinder *u, const char *comm, double max_secs);

/* Delete the tables of processes that have exited; at most once per second. */
void unwinder__sweep(struct unwinder *u);

/*
 * Lazy tables (profile, system-wide): the large files (4 MiB of code or
 * more) met in processes read from now on get their tables when a walk
 * first needs one, which asks with a note (bpf/stacks.h); until then
 * their frames are walked by frame pointers. Smaller files, and files
 * given to unwinder__add_file(), are built at once.
 */
void unwinder__set_lazy(struct unwinder *u, bool lazy);

/*
 * Build the late table of the file whose frames carry @id (the BPF side
 * asked for it). Returns 0 or a negative errno (-ENOENT: no such file
 * waits for its table).
 */
int unwinder__build_late(struct unwinder *u, uint32_t id);

void unwinder__stats(const struct unwinder *u, struct unwinder_stats *st);

/*
 * Python frames: every file met from now on is shown to @py (borrowed;
 * NULL: none), and each process mapping an interpreter it recognises is
 * described to the BPF side when its table is written.
 */
void unwinder__set_python(struct unwinder *u, struct python *py);

#endif
