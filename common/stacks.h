/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stacks: read the stacks counted by the BPF side (bpf/lib/stacks.bpf.h),
 * symbolize them, and turn them into records and folded lines for
 * stackcount, profile and syscount.
 */
#ifndef COTRACE_STACKS_H
#define COTRACE_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct python;
struct stack_key;
struct syms;
struct unwinder;

/*
 * One frame as the symbolizer knew it, beside its text form: what JSON
 * gives consumers as fields. Strings are borrowed from the symbolizer
 * (interned: valid while it lives) or, for a frame a tool adds, from the
 * record's own text.
 */
struct stack_frame {
	uint64_t addr;		/* the instruction pointer; 0 for a frame a tool added, or
				 * identified at the event by module and offset alone */
	const char *func;	/* function name, or NULL when unknown */
	const char *symbol;	/* its name in the file (mangled, maybe "@VERSION"), or NULL */
	uint64_t offset;	/* addr - function start */
	const char *module;	/* file mapped there, "[kernel]", or NULL */
	uint64_t module_offset;	/* file offset of addr in the module */
	const char *build_id;	/* the module's GNU build-id in hex, or NULL */
	const char *file;	/* source file (--lines), or NULL */
	unsigned line;
	bool inlined;		/* an inline frame inside the next one */
};

struct stack_record {
	uint32_t tgid;
	uint32_t tid;
	uint32_t extra;		/* the site for stackcount -S */
	char comm[16];
	uint64_t count;
	char **user;		/* formatted frames, innermost first */
	struct stack_frame *user_frames;	/* the same frames as fields (nuser) */
	size_t nuser;
	char **kernel;
	struct stack_frame *kernel_frames;
	size_t nkernel;
	bool user_lost;		/* the user stack could not be captured */
	bool kernel_lost;
};

struct stack_set {
	struct stack_record *records;
	size_t count, cap;
	uint64_t total;		/* sum of counts */
};

struct stack_cache;

struct stack_read_opts {
	bool offsets;		/* "sym+0x1a" */
	bool addresses;		/* prefix each frame with its address */
	bool delete;		/* drain the counts map (for intervals) */
	/* Kernel stacks taken by a trampoline program (fentry/fexit) start
	 * with the program and its trampoline: leave those frames out. */
	bool skip_probe_frames;
	const struct stack_cache *cache;	/* stacks drained before (borrowed), or NULL */
	struct python *py;		/* names Python frames (borrowed), or NULL */
};

/* The text of the outermost frame of a user stack whose walk was cut short. */
#define STACK_CUT_TEXT "[truncated]"

/* The maps of bpf/lib/stacks.bpf.h; -1 for one that is not there. */
struct stack_maps {
	int counts;		/* struct stack_key -> u64 */
	int traces;		/* stack ids (bpf_get_stackid) */
	int ustacks;		/* user stacks walked with CFI, by hash */
	int kstacks;		/* kernel stacks with CFI, by hash */
};

/*
 * Stacks taken out of ustacks and kstacks by a drain, by hash: they stay
 * here for the counts that name them, since a hash always names the same
 * frames. Frames are copied (STACK_MAX_DEPTH words each).
 */
struct stack_cache;

struct stack_cache *stack_cache__new(void);
void stack_cache__free(struct stack_cache *c);

/*
 * Move every entry of the by-hash stack map @fd into @c: read, kept,
 * deleted. Entries added meanwhile stay in the map. Returns the number
 * of entries moved or a negative errno.
 */
long stack_cache__drain(struct stack_cache *c, int fd);

/* The frames of stack @hash, or NULL (borrowed; valid until free). */
const uint64_t *stack_cache__find(const struct stack_cache *c, uint64_t hash);

struct sym_frame;

/*
 * Resolve user frame @ip of process @pid as the BPF side stored it: an
 * address, a frame a CFI walk identified at the event by file and
 * offset (STACK_FRAME_FILE), or a Python frame (PY_FRAME_IS(), named by
 * @py; NULL: none). Fills up to @max frames (inline ones with
 * SYMS_F_LINES) as syms__resolve_user() does and returns their number (0
 * for the cut mark, STACK_CUT_MARK) or a negative errno; with @addr, the
 * address where @pid maps it (0: unknown).
 */
int stack_user_frame__resolve(struct syms *syms, struct python *py, pid_t pid, uint64_t ip,
			      struct sym_frame *f, size_t max, uint64_t *addr);

/* The address of user frame @ip in @pid (0 when no snapshot maps it). */
uint64_t stack_user_frame__address(struct syms *syms, pid_t pid, uint64_t ip);

/*
 * Read every key of the counts map (struct stack_key → u64), resolve its
 * stacks from the stack maps of @m (and @opts->cache for stacks drained
 * before) through @syms (NULL: addresses only), and append records to
 * @set. Returns 0 or a negative errno.
 */
int stack_set__read(struct stack_set *set, const struct stack_maps *m, struct syms *syms,
		    const struct stack_read_opts *opts);

/*
 * Append the record of counts-map key @k with @count, its stacks resolved
 * as stack_set__read() does. Returns 0 or a negative errno.
 */
int stack_set__add(struct stack_set *set, const struct stack_key *k, uint64_t count,
		   const struct stack_maps *m, struct syms *syms, const struct stack_read_opts *opts);

/*
 * Merge records that read the same: same comm, frames (and pid with
 * @by_pid; otherwise pids are cleared). Stacks that differ only in
 * instruction offsets within the same functions become one.
 */
void stack_set__merge(struct stack_set *set, bool by_pid);

/*
 * Add a frame named @text as the innermost user frame of @r (syscount's
 * "[close]" in folded output). Returns 0 or -ENOMEM (@r unchanged).
 */
int stack_record__push_user(struct stack_record *r, const char *text);

/* Sort records by count, descending when @desc (ties: by comm, then pid). */
void stack_set__sort(struct stack_set *set, bool desc);
void stack_set__fini(struct stack_set *set);

/*
 * The ring buffer of processes first seen by the BPF side: read each
 * one's maps now (so its stacks resolve after it exits), then, with
 * @resume, continue it (the BPF side stopped it; see stop_new).
 */
struct stack_pid_notes {
	struct syms *syms;
	struct unwinder *unwinder;	/* NULL without CFI */
	bool resume;
	/* At the end, once no program can fire: a note only continues its
	 * process (with @resume), so that none is left stopped. */
	bool closing;
	/* A note of tgid 0 (a table is filling up): drain(drain_ctx), when set. */
	void (*drain)(void *drain_ctx);
	void *drain_ctx;
};

/* A ring_buffer__new() callback; @ctx is a struct stack_pid_notes. */
int stack_pid_notes__on_event(void *ctx, void *data, size_t size);

#endif
