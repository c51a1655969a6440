/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user-stack walk from call-frame information, at the event.
 *
 * The first frame comes from the task's saved user registers
 * (bpf_task_pt_regs(): at a uprobe, a syscall or a sample taken in user
 * or kernel mode alike, the registers of the last entry from user mode).
 * Each step finds the mapping of the address in the process's table
 * (unwind_procs, written by user space when the process is announced),
 * then the row of the file's unwind table (unwind_rows, one pool shared by
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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, __u32);
	__type(value, struct unwind_row);
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
	__type(value, struct unwind_table_ref);
} unwind_files SEC(".maps");

/* The walk's state, per CPU: too big for the BPF stack. */
struct uw_state {
	__u64 ips[STACK_MAX_DEPTH];
	__u64 pc, sp, bp;
	__u64 hash;
	__u32 n;
	__u32 tgid;
	__u8 exact;		/* look up pc itself, not pc - 1 (first frame, after a signal) */
	__u8 bp_ok;		/* bp holds the caller's %rbp */
	__u8 ended;		/* the walk reached the outermost frame */
	__u8 cut;		/* the walk stopped before it */
	__u8 fp;		/* some frame was found by its frame pointer */
	__u8 refresh;		/* ask user space to read the mappings again */
	__u8 no_proc;		/* the process had no table yet */
	__u8 pad;
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
	struct task_struct *task;
};

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

/* The mapping of @proc holding @addr, or NULL. */
static __always_inline struct unwind_map *unwind_find_map(struct unwind_proc *proc, __u64 addr)
{
	__u32 lo = 0, hi = proc->nmaps, mid;
	struct unwind_map *m;

	if (hi > UNWIND_MAX_MAPS)
		hi = UNWIND_MAX_MAPS;
	for (int i = 0; i < 9 && lo < hi; i++) {
		mid = (lo + hi) / 2;
		if (proc->maps[mid & (UNWIND_MAX_MAPS - 1)].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	m = &proc->maps[(lo - 1) & (UNWIND_MAX_MAPS - 1)];
	return addr < m->end ? m : NULL;
}

/* The row of table @t holding file offset @off; kind NONE when none does. */
static __always_inline struct unwind_row unwind_find_row(struct unwind_table_ref t, __u64 off)
{
	struct unwind_row none = {}, *r;
	__u32 lo = 0, hi = t.count, mid, idx;

	if (off > 0xffffffffULL)
		return none;
	for (int i = 0; i < 25 && lo < hi; i++) {
		mid = (lo + hi) / 2;
		idx = t.first + mid;
		r = bpf_map_lookup_elem(&unwind_rows, &idx);
		if (!r)
			return none;
		if (r->off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return none;
	idx = t.first + lo - 1;
	r = bpf_map_lookup_elem(&unwind_rows, &idx);
	return r ? *r : none;
}

static __always_inline int unwind_read(__u64 *dst, __u64 addr)
{
	return bpf_probe_read_user(dst, sizeof(*dst), (const void *)addr);
}

/* Append @pc to the stack. Returns 0, or 1 when the stack is full. */
static __always_inline int unwind_push(struct uw_state *st, __u64 pc)
{
	__u32 n = st->n;

	if (n >= STACK_MAX_DEPTH)
		return 1;
	st->ips[n] = pc;
	st->n = n + 1;
	st->hash = (st->hash ^ pc) * 0x100000001b3ULL;
	return 0;
}

/*
 * One step of the walk: from the frame at st->pc/sp/bp to its caller.
 * Returns 0 to go on, 1 when the walk is over.
 */
static long unwind_step(__u32 index, void *data)
{
	struct uw_ctx *c = data;
	struct uw_state *st = c->st;
	struct unwind_table_ref t = {};
	struct unwind_row row = {};
	struct unwind_map *m = NULL;
	__u64 pc = st->pc, lookup, cfa, ra = 0, bp = st->bp, bias = 0;
	__u8 kind;

	lookup = st->exact ? pc : pc - 1;
	if (c->proc)
		m = unwind_find_map(c->proc, lookup);
	if (m) {
		t = m->table;
		bias = m->bias;
	} else {
		struct uw_vma v = {};
		struct unwind_table_ref *ref;

		/* Not in the mappings user space knows: a library loaded since,
		 * or a process not yet read. The kernel knows which file it
		 * is (one lookup per sample in interrupt context, where the
		 * mmap lock's release must wait for irq_work). */
		if (c->proc)
			st->refresh = 1;
		if (!bpf_find_vma(c->task, lookup, unwind_vma_cb, &v, 0) && v.file) {
			ref = bpf_map_lookup_elem(&unwind_files, &v.key);
			if (ref) {
				t = *ref;
				bias = v.start - (v.pgoff << 12);
			}
		}
	}
	if (t.count)
		row = unwind_find_row(t, lookup - bias);
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
		if (!st->bp_ok || unwind_read(&cfa, bp + (__s16)row.cfa_off))
			goto cut;
		break;
	case UNWIND_CFA_PLT:
		cfa = st->sp + row.cfa_off + ((pc & 15) >= (__u8)row.rbp_off ? 8 : 0);
		break;
	case UNWIND_CFA_SIGNAL: {
		__u64 sp = st->sp, nsp = 0;

		/* The interrupted context, saved in the ucontext by the kernel. */
		if (unwind_read(&bp, sp + UNWIND_SIGNAL_RBP) ||
		    unwind_read(&nsp, sp + UNWIND_SIGNAL_RSP) ||
		    unwind_read(&ra, sp + UNWIND_SIGNAL_RIP) || !ra)
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
		if (unwind_read(&bp, cfa - 16))
			goto cut;
		row.kind = UNWIND_RBP_SAME << 4;
		break;
	}
	/* The CFA is above this frame's stack pointer: a walk that does not
	 * go up the stack is lost (and could loop). */
	if (cfa <= st->sp && index)
		goto cut;
	if (unwind_read(&ra, cfa - 8))
		goto cut;
	switch (row.kind >> 4) {
	case UNWIND_RBP_CFA:
		if (unwind_read(&bp, cfa + (__s64)row.rbp_off * 8))
			goto cut;
		break;
	case UNWIND_RBP_RBP:
		if (!st->bp_ok || unwind_read(&bp, st->bp + (__s64)row.rbp_off * 8))
			goto cut;
		break;
	case UNWIND_RBP_LOST:
		st->bp_ok = 0;
		break;
	}
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
	__u32 zero = 0, gen, n;

	if (!tgid || (BPF_CORE_READ(task, flags) & 0x00200000 /* PF_KTHREAD */))
		return NULL;
	st = bpf_map_lookup_elem(&unwind_scratch, &zero);
	if (!st)
		return NULL;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	st->n = 0;
	st->hash = 0xcbf29ce484222325ULL;
	st->pc = BPF_CORE_READ(regs, ip);
	st->sp = BPF_CORE_READ(regs, sp);
	st->bp = BPF_CORE_READ(regs, bp);
	st->tgid = tgid;
	st->exact = 1;
	st->bp_ok = 1;
	st->ended = 0;
	st->cut = 0;
	st->fp = 0;
	st->refresh = 0;
	st->no_proc = 0;
	if (!st->pc)
		return NULL;
	unwind_push(st, st->pc);
	c.st = st;
	c.task = task;
	c.proc = bpf_map_lookup_elem(&unwind_procs, &tgid);
	gen = BPF_CORE_READ(task, group_leader, self_exec_id);
	if (c.proc && c.proc->gen != gen && c.proc->gen != UNWIND_GEN_ANY)
		c.proc = NULL;	/* read before an exec */
	if (c.proc && c.proc->exec_vm != BPF_CORE_READ(task, mm, exec_vm))
		st->refresh = 1;	/* a library mapped or unmapped since */
	if (!c.proc)
		st->no_proc = 1;
	bpf_loop(STACK_MAX_DEPTH, unwind_step, &c, 0);
	if (st->cut)
		unwind_push(st, STACK_CUT_MARK);
	n = st->n;
	if (n < STACK_MAX_DEPTH)
		st->ips[n] = 0;
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
