/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user-stack walk from call-frame information, at the event.
 *
 * The first frame comes from the task's saved user registers
 * (bpf_task_pt_regs(): at a uprobe, a syscall or a sample taken in user
 * or kernel mode alike, the registers of the last entry from user mode).
 * Each step finds the mapping of the address in the process's table
 * (unwind_procs, written by user space when the process is announced),
 * then the row of the file's unwind table (unwind_rows, one pool of shards shared by
 * every file) by binary search, and applies it: CFA, return address at
 * CFA - 8, the caller's %rbp. Where no table covers an address (JIT code,
 * anonymous memory, a file without CFI) the step follows the frame
 * pointer. An address outside every known mapping is looked up with
 * bpf_find_vma() in the tables by file (unwind_files), and user space is
 * asked to read the mappings again (a dlopen()).
 *
 * The steps run in bpf_loop() (5.17+), so that the verifier sees one step
 * and not STACK_MAX_DEPTH of them (6.1 checks at most a million
 * instructions per program); the binary searches are bounded loops.
 */
#ifndef COTRACE_BPF_UNWIND_H
#define COTRACE_BPF_UNWIND_H

#include <bpf/bpf_core_read.h>
#include "bpf/stacks.h"
#include "bpf/unwind.h"

/* Walk user stacks with the tables (set before load; else frame pointers). */
const volatile bool unwind_cfi = false;

/*
 * The pool of rows: shards of equal size, created by user space as tables
 * come (a BPF_F_MMAPABLE array each, written through mmap()). Equal sizes
 * keep the row lookups inlined by the verifier; the size is fixed here
 * (libbpf 1.1 cannot resize an inner map's definition).
 */
struct unwind_shard {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UNWIND_DEFAULT_ROWS);
	__uint(map_flags, BPF_F_MMAPABLE);
	/*
	 * Sizes, not types: the template then has no BTF, as the shards
	 * user space makes have none. Linux 6.1 compares an inner map's
	 * timer offset with the template's, and that is -EINVAL without BTF
	 * but -ENOENT with BTF and no timer: the shards would not fit.
	 */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct unwind_row));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, __u32);
	__array(values, struct unwind_shard);
} unwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct unwind_proc);
} unwind_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, struct unwind_file_key);
	__type(value, struct unwind_file);
} unwind_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, __u32);
	__type(value, struct unwind_late);
} unwind_late SEC(".maps");

/*
 * User memory is read a window at a time: one bpf_probe_read_user() of
 * UW_WIN bytes holds several frames, where a read per word would cost a
 * helper call, a fault-safe copy and the hardened-usercopy checks each
 * (most of a walk's time, measured with perf).
 */
#define UW_WIN 512

/* The walk's state, per CPU: too big for the BPF stack. ips[] is followed
 * by other fields, so that an index masked with 127 stays inside. */
struct uw_state {
	__u64 ips[STACK_MAX_DEPTH];
	__u64 pc, sp, bp;
	__u64 hash;
	__u32 n;
	__u32 nfinal;		/* frames [0, nfinal) are final and hashed */
	__u8 exact;		/* look up pc itself, not pc - 1 (first frame, after a signal) */
	__u8 bp_ok;		/* bp holds the caller's %rbp */
	__u8 ended;		/* the walk reached the outermost frame */
	__u8 cut;		/* the walk stopped before it */
	__u8 fp;		/* some frame was found by its frame pointer */
	__u8 refresh;		/* ask user space to read the mappings again */
	__u8 no_proc;		/* the process had no table yet */
	__u8 win_ok;		/* win holds the user memory at win_base */
	__u32 need;		/* a file (id) whose late table to ask for; 0: none */
	__u64 win_base;
	/* The last mapping bpf_find_vma() found: frames of one file often
	 * follow each other, and in interrupt context only one lookup per
	 * event succeeds. */
	__u64 vma_start, vma_end, vma_bias;
	struct unwind_file vma_file;
	/* Return probes: the trampoline address that replaces hijacked
	 * return addresses, and the next of the task's return instances. */
	__u64 tramp;
	__u64 ri;
	__u8 win[UW_WIN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uw_state);
} unwind_scratch SEC(".maps");

/* What bpf_loop()'s callback gets: the state and the process's mappings. */
struct uw_ctx {
	struct uw_state *st;
	struct unwind_proc *proc;	/* NULL: none known */
};

/*
 * A return address that is the uprobes trampoline (a return probe is
 * active on that frame's function): the real one, from the task's return
 * instances, consumed innermost first. Instances marked chained share the
 * slot of the next one (a tail call between probed functions), and their
 * orig_ret_vaddr is already that one's. 0 when none is left.
 */
static __always_inline __u64 unwind_untramp(struct uw_state *c)
{
	struct return_instance *ri = (struct return_instance *)c->ri;
	__u64 ra = 0;

	if (!ri)
		return 0;
	ra = BPF_CORE_READ(ri, orig_ret_vaddr);
	for (int i = 0; i < 8 && ri && BPF_CORE_READ(ri, chained); i++)
		ri = BPF_CORE_READ(ri, next);
	c->ri = ri ? (__u64)BPF_CORE_READ(ri, next) : 0;
	return ra;
}

/* What bpf_find_vma()'s callback found. */
struct uw_vma {
	__u64 start, end, pgoff;
	struct unwind_file_key key;
	bool file;
};

static long unwind_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct uw_vma *v = data;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	v->start = BPF_CORE_READ(vma, vm_start);
	v->end = BPF_CORE_READ(vma, vm_end);
	v->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	v->file = f != NULL;
	if (f) {
		v->key.ino = BPF_CORE_READ(f, f_inode, i_ino);
		v->key.dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	}
	return 0;
}

/*
 * The searches are global functions: the verifier checks each once, on
 * its own, instead of within every step of the walk it explores (6.7+
 * explores bpf_loop() callbacks until their states converge, and the
 * bounded loops inside would multiply its states past a million).
 */

/* The index of the mapping of @proc holding @addr, or -1. */
__noinline long uw_map_index(struct unwind_proc *proc, __u64 addr)
{
	__u32 lo = 0, hi, mid;

	if (!proc)
		return -1;
	/* Refused, not clamped: a constant bound would let the verifier
	 * follow every path of the search with exact values (300k steps). */
	hi = proc->nmaps;
	if (hi > UNWIND_MAX_MAPS)
		return -1;
	for (int i = 0; i < 9 && lo < hi; i++) {
		mid = (lo + hi) / 2;
		if (proc->maps[mid & (UNWIND_MAX_MAPS - 1)].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= proc->maps[(lo - 1) & (UNWIND_MAX_MAPS - 1)].end)
		return -1;
	return lo - 1;
}

/*
 * The row of the table of @count rows from pool index @first (shard and
 * index in it, UNWIND_SHARD_OF() and UNWIND_INDEX_OF()) that holds file
 * offset @off, as its 8 bytes (all zero, a NONE row, when none does).
 */
__noinline __u64 uw_row(__u32 first, __u32 count, __u64 off)
{
	__u32 lo = 0, hi = count, mid, idx, shard = UNWIND_SHARD_OF(first);
	__u32 base = UNWIND_INDEX_OF(first);
	struct unwind_row *r;
	void *rows;

	if (off > 0xffffffffULL)
		return 0;
	rows = bpf_map_lookup_elem(&unwind_rows, &shard);
	if (!rows)
		return 0;
	for (int i = 0; i < 25 && lo < hi; i++) {
		mid = (lo + hi) / 2;
		idx = base + mid;
		r = bpf_map_lookup_elem(rows, &idx);
		if (!r)
			return 0;
		if (r->off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return 0;
	idx = base + lo - 1;
	r = bpf_map_lookup_elem(rows, &idx);
	return r ? *(__u64 *)r : 0;
}

/* The user word at @addr, through the window (refilled from @addr on). */
static __always_inline int unwind_read(struct uw_state *st, __u64 *dst, __u64 addr)
{
	__u64 off = addr - st->win_base;

	if (st->win_ok && off <= UW_WIN - 8) {
		off &= UW_WIN - 1;
		if (off > UW_WIN - 8)
			return -1;
		__builtin_memcpy(dst, &st->win[off], 8);
		return 0;
	}
	/* The top of the stack may end within a window: word by word there. */
	if (bpf_probe_read_user(st->win, UW_WIN, (const void *)addr)) {
		st->win_ok = 0;
		return bpf_probe_read_user(dst, sizeof(*dst), (const void *)addr);
	}
	st->win_ok = 1;
	st->win_base = addr;
	__builtin_memcpy(dst, &st->win[0], 8);
	return 0;
}

/*
 * @i masked with 127 by an instruction the compiler cannot drop: it knows
 * the index is in range, the verifier must see it (clang 14 reloads the
 * index into a fresh register after the range check).
 */
static __always_inline __u64 uw_idx(__u64 i)
{
	asm volatile("%[i] &= 127" : [i] "+r"(i));
	return i;
}

/* Append @pc to the stack. Returns 0, or 1 when the stack is full. */
static __always_inline int unwind_push(struct uw_state *st, __u64 pc)
{
	__u32 n = st->n;

	if (n >= STACK_MAX_DEPTH)
		return 1;
	st->ips[uw_idx(n)] = pc;
	st->n = n + 1;
	return 0;
}

/*
 * The last frame pushed is final: as file @id and offset @off when its
 * file is known (@id != 0), else its address; then hashed.
 */
static __always_inline void unwind_final(struct uw_state *st, __u32 id, __u64 off)
{
	__u32 i = st->n - 1;
	__u64 v;

	if (i >= STACK_MAX_DEPTH || st->nfinal != i)
		return;
	/* The mask keeps the verifier sure of the bound whatever register
	 * the compiler reloads the index into (STACK_MAX_DEPTH is 127). */
	v = st->ips[uw_idx(i)];
	if (id && id <= STACK_FRAME_MAX_ID && off <= 0xffffffffULL)
		v = STACK_FRAME_FILE | (__u64)id << 32 | off;
	st->ips[uw_idx(i)] = v;
	st->nfinal = i + 1;
	st->hash = (st->hash ^ v) * 0x100000001b3ULL;
}

/*
 * One step of the walk: from the frame at st->pc/sp/bp to its caller,
 * with the mappings @proc (NULL: none known). Returns 0 to go on, 1 when
 * the walk is over. A global function: the verifier checks it once, on
 * its own, where a bpf_loop() callback is explored again and again until
 * its states converge (Linux 6.7+: 377k instructions and 0.5 s of load
 * time when the step was the callback).
 */
__noinline int uw_step(struct uw_state *st, struct unwind_proc *proc, __u32 index)
{
	struct uw_state *c = st;
	struct unwind_file f = {};
	struct unwind_table_ref t;
	struct unwind_row row = {};
	struct unwind_map *m = NULL;
	__u64 pc, lookup, cfa, ra = 0, bp, bias = 0;
	__u8 kind;

	if (!st)
		return 1;
	pc = st->pc;
	bp = st->bp;
	lookup = st->exact ? pc : pc - 1;
	if (proc) {
		long i = uw_map_index(proc, lookup);

		if (i >= 0)
			m = &proc->maps[i & (UNWIND_MAX_MAPS - 1)];
	}
	if (m) {
		f = m->file;
		bias = m->bias;
	} else if (lookup >= c->vma_start && lookup < c->vma_end) {
		f = c->vma_file;
		bias = c->vma_bias;
	} else {
		struct uw_vma v = {};
		struct unwind_file *ref;

		/* Not in the mappings user space knows: a library loaded since,
		 * or a process not yet read. The kernel knows which file it
		 * is (one lookup per sample in interrupt context, where the
		 * mmap lock's release must wait for irq_work). */
		if (proc)
			st->refresh = 1;
		if (!bpf_find_vma(bpf_get_current_task_btf(), lookup, unwind_vma_cb, &v, 0) &&
		    v.file) {
			ref = bpf_map_lookup_elem(&unwind_files, &v.key);
			if (ref) {
				f = *ref;
				bias = v.start - (v.pgoff << 12);
				c->vma_start = v.start;
				c->vma_end = v.end;
				c->vma_bias = bias;
				c->vma_file = f;
			}
		}
	}
	unwind_final(st, f.id, pc - bias);
	t = f.table;
	if (!t.count && (f.flags & UNWIND_FILE_LATE)) {
		__u32 id = f.id;
		struct unwind_late *l = bpf_map_lookup_elem(&unwind_late, &id);

		if (l) {
			/* One load: user space may be writing it. */
			__u64 v = *(volatile __u64 *)&l->table;

			__builtin_memcpy(&t, &v, sizeof(t));
			if (!t.count && !st->need && !l->requested)
				st->need = id;
		}
	}
	if (t.count) {
		__u64 raw = uw_row(t.first, t.count, lookup - bias);

		__builtin_memcpy(&row, &raw, sizeof(row));
	}
	kind = row.kind & 0xf;
	switch (kind) {
	case UNWIND_CFA_RSP:
		cfa = st->sp + row.cfa_off;
		break;
	case UNWIND_CFA_RBP:
		if (!st->bp_ok)
			goto cut;
		cfa = bp + row.cfa_off;
		break;
	case UNWIND_CFA_DEREF_RBP:
		if (!st->bp_ok || unwind_read(st, &cfa, bp + (__s16)row.cfa_off))
			goto cut;
		break;
	case UNWIND_CFA_PLT:
		cfa = st->sp + row.cfa_off + ((pc & 15) >= (__u8)row.rbp_off ? 8 : 0);
		break;
	case UNWIND_CFA_SIGNAL: {
		__u64 sp = st->sp, nsp = 0;

		/* The interrupted context, saved in the ucontext by the kernel. */
		if (unwind_read(st, &bp, sp + UNWIND_SIGNAL_RBP) ||
		    unwind_read(st, &nsp, sp + UNWIND_SIGNAL_RSP) ||
		    unwind_read(st, &ra, sp + UNWIND_SIGNAL_RIP) || !ra)
			goto cut;
		st->sp = nsp;
		st->bp = bp;
		st->bp_ok = 1;
		st->pc = ra;
		st->exact = 1;
		return unwind_push(st, ra);
	}
	case UNWIND_CFA_END:
		st->ended = 1;
		return 1;
	default:
		/* No table, or a rule we cannot follow: the frame pointer. A
		 * null one ends the chain (the outermost frame). */
		if (!st->bp_ok)
			goto cut;
		if (!bp) {
			st->ended = 1;
			return 1;
		}
		st->fp = 1;
		cfa = bp + 16;
		if (unwind_read(st, &bp, cfa - 16))
			goto cut;
		row.kind = UNWIND_RBP_SAME << 4;
		break;
	}
	/* The CFA is above this frame's stack pointer: a walk that does not
	 * go up the stack is lost (and could loop). */
	if (cfa <= st->sp && index)
		goto cut;
	if (unwind_read(st, &ra, cfa - 8))
		goto cut;
	switch (row.kind >> 4) {
	case UNWIND_RBP_CFA:
		if (unwind_read(st, &bp, cfa + (__s64)row.rbp_off * 8))
			goto cut;
		break;
	case UNWIND_RBP_RBP:
		if (!st->bp_ok || unwind_read(st, &bp, st->bp + (__s64)row.rbp_off * 8))
			goto cut;
		break;
	case UNWIND_RBP_LOST:
		st->bp_ok = 0;
		break;
	}
	if (ra && ra == c->tramp)
		ra = unwind_untramp(c);
	if (!ra) {
		st->ended = 1;
		return 1;
	}
	st->sp = cfa;
	st->bp = bp;
	st->pc = ra;
	st->exact = 0;
	if (unwind_push(st, ra)) {
		st->cut = 1;
		return 1;
	}
	return 0;
cut:
	st->cut = 1;
	return 1;
}

static long unwind_step(__u32 index, void *data)
{
	struct uw_ctx *c = data;

	/* The verifier wants a callback's return in [0, 1]. */
	if (uw_step(c->st, c->proc, index))
		return 1;
	return 0;
}

/*
 * Walk the user stack of the current task into the per-CPU state.
 * Returns the state (ips[0..n), hash, flags), or NULL for a task without
 * a user stack (a kernel thread) or when the scratch is missing.
 */
static __always_inline struct uw_state *unwind_user(__u32 tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct uw_ctx c = {};
	struct uw_state *st;
	struct pt_regs *regs;
	struct mm_struct *mm;
	__u32 zero = 0, gen, n;

	/* Direct loads through the task's BTF pointers: no helper call each. */
	if (!tgid || (task->flags & 0x00200000 /* PF_KTHREAD */))
		return NULL;
	st = bpf_map_lookup_elem(&unwind_scratch, &zero);
	if (!st)
		return NULL;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	st->n = 0;
	st->nfinal = 0;
	st->hash = 0xcbf29ce484222325ULL;
	st->pc = regs->ip;
	st->sp = regs->sp;
	st->bp = regs->bp;
	st->exact = 1;
	st->bp_ok = 1;
	st->ended = 0;
	st->cut = 0;
	st->fp = 0;
	st->refresh = 0;
	st->no_proc = 0;
	st->win_ok = 0;
	st->need = 0;
	if (!st->pc)
		return NULL;
	unwind_push(st, st->pc);
	c.st = st;
	st->vma_start = st->vma_end = 0;
	st->tramp = 0;
	st->ri = 0;
	mm = task->mm;
	if (mm && mm->uprobes_state.xol_area)
		st->tramp = mm->uprobes_state.xol_area->vaddr;
	if (task->utask)
		st->ri = (__u64)task->utask->return_instances;
	c.proc = bpf_map_lookup_elem(&unwind_procs, &tgid);
	gen = STACK_GEN(task->group_leader->self_exec_id);
	if (c.proc && c.proc->gen != gen && c.proc->gen != UNWIND_GEN_ANY)
		c.proc = NULL;	/* read before an exec */
	if (c.proc && mm && c.proc->exec_vm != mm->exec_vm)
		st->refresh = 1;	/* a library mapped or unmapped since */
	if (!c.proc)
		st->no_proc = 1;
	bpf_loop(STACK_MAX_DEPTH, unwind_step, &c, 0);
	/* A frame pushed but never stepped (none should be): its address. */
	if (st->nfinal < st->n)
		unwind_final(st, 0, 0);
	if (st->cut && !unwind_push(st, STACK_CUT_MARK))
		unwind_final(st, 0, 0);
	n = st->n;
	if (n < STACK_MAX_DEPTH)
		st->ips[uw_idx(n)] = 0;
	/* A late table asked for once (stacks.bpf.h sends the note). */
	if (st->need) {
		__u32 id = st->need;
		struct unwind_late *l = bpf_map_lookup_elem(&unwind_late, &id);

		if (!l || __sync_val_compare_and_swap(&l->requested, 0, 1))
			st->need = 0;
	}
	/* Ask once per reading of the mappings. */
	if (st->refresh && c.proc) {
		if (c.proc->refresh)
			st->refresh = 0;
		else
			c.proc->refresh = 1;
	}
	st->hash ^= st->n;
	st->hash *= 0x9e3779b97f4a7c15ULL;
	st->hash ^= st->hash >> 29;
	if (!st->hash)
		st->hash = 1;
	return st;
}

#endif
