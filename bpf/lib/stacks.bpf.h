/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stack capture shared by stackcount and profile: stack ids into a
 * STACK_TRACE map sized before load, failures counted, and a ring-buffer
 * note the first time a process is seen, so user space can read its maps
 * while it still runs.
 */
#ifndef COTRACE_BPF_STACKS_H
#define COTRACE_BPF_STACKS_H

#include <bpf/bpf_core_read.h>
#include "bpf/stacks.h"
#include "bpf/lib/maps.bpf.h"
#include "bpf/lib/unwind.bpf.h"
#include "bpf/lib/python.bpf.h"

const volatile bool want_user = true;
const volatile bool want_kernel = true;
const volatile bool per_thread = false;
/*
 * With -c the traced command is our child: stop it at its first hit (in
 * a program that may stop it: send_note()) so that user space reads its
 * maps before it can exit; user space continues it at once (SIGCONT).
 */
const volatile bool stop_new = false;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);	/* sized before load */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, STACK_MAX_DEPTH * sizeof(__u64));
} stack_traces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, struct stack_key);
	__type(value, __u64);
} stack_counts SEC(".maps");

/* The second half of the double buffer of counts, when profile drains. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, struct stack_key);
	__type(value, __u64);
} stack_counts2 SEC(".maps");

/*
 * Processes already announced to user space, with the exec generation
 * (task->self_exec_id) they were announced in: a process first seen
 * before its execve() (with -c, our own forked child; or a slow exec, as
 * under QEMU TCG) is announced again after it, else its maps would be
 * those of the old image and its new frames would not resolve.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SEEN_PIDS_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} seen_pids SEC(".maps");

/* User stacks walked with CFI, by the hash of their frames (zero-terminated). */
struct ustack {
	__u64 ips[STACK_MAX_DEPTH];
};

/* Allocated as stacks come (6.1's hash maps allocate safely in any
 * context): no 16 MiB to clear at start for a run that sees a few stacks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct ustack);
} ustacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NEW_PIDS_RINGBUF_BYTES);	/* may be lowered before load */
} new_pids SEC(".maps");

struct stack_stats stats = {};
struct stack_drain drain = {};

/*
 * Notes of new processes wake user space at its next tick, not at once
 * (profile, system-wide): a short-lived process is gone by then and costs
 * it a failed open, not a read of its maps and a table written for
 * nothing. Notes that must be served (a drain, a late table) force a
 * wake-up.
 */
const volatile bool batch_notes = false;

/* The flags of a note's submission: see batch_notes. */
static __always_inline __u64 note_wakeup(bool urgent)
{
	if (!batch_notes)
		return 0;
	return urgent ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Ask for a drain past these many entries (0: never; profile with CFI). */
const volatile __u64 drain_counts_at = 0;
const volatile __u64 drain_stacks_at = 0;

/* Kernel stacks with CFI: by the hash of their frames, as user stacks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct ustack);
} kstacks SEC(".maps");

/* bpf_get_stack()'s buffer: one slot more than a stack, for its terminator. */
struct kscratch {
	__u64 ips[STACK_MAX_DEPTH + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscratch);
} kscratch SEC(".maps");

/*
 * The hash of the first @n frames of @ips: FNV-1a over the words, then
 * mixed; never 0. A global function, checked once by the verifier.
 */
__noinline __u64 stack_hash(struct kscratch *ks, __u32 n)
{
	__u64 h = 0xcbf29ce484222325ULL;

	if (!ks)
		return 1;
	for (__u32 i = 0; i < STACK_MAX_DEPTH && i < n; i++)
		h = (h ^ ks->ips[i]) * 0x100000001b3ULL;
	h ^= n;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

/* A drain of the tables, once one holds more than its threshold (tgid 0). */
static __always_inline void maybe_drain(void)
{
	__u64 *note;

	if (!drain_counts_at || drain.requested)
		return;
	if (stats.count_keys - drain.counts_out <= drain_counts_at &&
	    stats.ustack_keys - drain.ustacks_out <= drain_stacks_at &&
	    stats.kstack_keys - drain.kstacks_out <= drain_stacks_at)
		return;
	if (__sync_val_compare_and_swap(&drain.requested, 0, 1))
		return;
	note = bpf_ringbuf_reserve(&new_pids, sizeof(struct stack_note), 0);
	if (!note) {
		/* No note: the request is withdrawn, and made again at a later
		 * event (profile also looks at its next tick). */
		__sync_val_compare_and_swap(&drain.requested, 1, 0);
		return;
	}
	*note = 0;
	bpf_ringbuf_submit(note, note_wakeup(true));
}

/*
 * Tell user space about process @tgid (exec generation @gen); with --cmd
 * and @may_stop, stop it until user space has read the note.
 *
 * @may_stop is true only where the program runs in the task's own
 * context with interrupts on (a uprobe, a syscall's tracepoint, exec):
 * there bpf_send_signal() queues the SIGSTOP at once. With interrupts off
 * (a perf sample, a kprobe) it is sent later from an irq_work, which can
 * run after user space has read the note and continued the process: the
 * SIGSTOP would then hold it for good (seen under QEMU). Such a process is
 * announced without a stop; its walks before its tables are read are
 * counted (early_user_stacks).
 */
static __always_inline void send_note(__u32 tgid, __u32 gen, __u32 kind, bool may_stop)
{
	bool stop = stop_new && may_stop;
	struct stack_note *note;

	note = bpf_ringbuf_reserve(&new_pids, sizeof(*note), 0);
	if (!note) {
		__sync_fetch_and_add(&stats.lost_pid_notes, 1);
		return;
	}
	note->tgid = tgid;
	note->gen_kind = gen | kind << 31;
	/*
	 * The stop before the note is visible: user space continues the
	 * process (SIGCONT) once it has read the note, and a SIGSTOP queued
	 * after that would stop it for good (a vCPU preempted between the
	 * two, under QEMU, made it happen).
	 */
	if (stop)
		bpf_send_signal(19 /* SIGSTOP */);
	/* A stopped command waits for its note to be read. */
	bpf_ringbuf_submit(note, note_wakeup(stop || kind != STACK_NOTE_NEW));
}

/* Announce process @tgid once per exec generation (@may_stop: send_note()). */
static __always_inline void announce_pid(__u32 tgid, bool may_stop)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 gen = STACK_GEN(BPF_CORE_READ(task, group_leader, self_exec_id));
	__u32 *seen;

	if (!tgid)
		return;
	seen = bpf_map_lookup_elem(&seen_pids, &tgid);
	if (seen && *seen == gen)
		return;
	if (seen) {
		/* Two CPUs may both announce an exec: user space reads the maps twice. */
		*seen = gen;
	} else {
		long err = bpf_map_update_elem(&seen_pids, &tgid, &gen, BPF_NOEXIST);

		/* -EEXIST: another CPU announces it. -E2BIG: the table is full;
		 * the process is never announced and its stacks may not
		 * resolve: count its hits. */
		if (err == -7 /* E2BIG */)
			__sync_fetch_and_add(&stats.unannounced, 1);
		if (err)
			return;
	}
	send_note(tgid, gen, STACK_NOTE_NEW, may_stop);
}

/*
 * With CFI: the executable mappings of a traced process may have changed
 * (the exit of mmap, mprotect, munmap: a dlopen(), a dlclose(), JIT code):
 * tell user space now, before code in a new library runs, and with --cmd
 * stop the process until its tables are read. Only processes with a table
 * are looked at. Attached to the three syscalls' own exit tracepoints
 * (syscalls:sys_exit_mmap...), not to raw_syscalls:sys_exit: every other
 * syscall then costs the kernel's check of a bitmap, not a BPF program
 * (docs/performance.md).
 */
SEC("tracepoint/syscalls/sys_exit_mmap")
int stack_maps_changed(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct unwind_proc *proc;
	struct task_struct *task;

	proc = bpf_map_lookup_elem(&unwind_procs, &tgid);
	if (!proc || proc->refresh)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	if (proc->exec_vm == BPF_CORE_READ(task, mm, exec_vm))
		return 0;
	proc->refresh = 1;
	send_note(tgid, STACK_GEN(BPF_CORE_READ(task, group_leader, self_exec_id)),
		  STACK_NOTE_REFRESH, true);
	return 0;
}

/*
 * With CFI: a new image (a successful execve or execveat) in a process
 * already announced, announced again at once (with --cmd, stopped before
 * its first instruction); a --cmd command is announced ahead of its
 * execve by user space (seen_pids).
 */
SEC("tracepoint/sched/sched_process_exec")
int stack_exec(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (bpf_map_lookup_elem(&seen_pids, &tgid))
		announce_pid(tgid, true);
	return 0;
}

/*
 * The user stack of the current task by CFI: walked, its flaws counted,
 * a change of the process's mappings noted for user space. Returns the
 * walk's state (frames in ips[0..n), their hash), or NULL for a task
 * without a user stack. Shared by the counting tools and uprobe-trace -U.
 * @may_stop: see send_note().
 */
static __always_inline struct uw_state *stack_walk_user(__u32 tgid, bool may_stop)
{
	struct uw_state *st = unwind_user(tgid);

	if (!st)
		return NULL;
	python_frames_in(st, tgid, (__u32)bpf_get_current_pid_tgid());
	if (st->cut)
		__sync_fetch_and_add(&stats.cut_user_stacks, 1);
	/* Before the process's tables: counted when that made a difference. */
	if (st->no_proc && (st->fp || st->cut))
		__sync_fetch_and_add(&stats.early_user_stacks, 1);
	if (st->fp)
		__sync_fetch_and_add(&stats.fp_user_stacks, 1);
	if (st->need) {
		struct stack_note *note = bpf_ringbuf_reserve(&new_pids, sizeof(*note), 0);

		if (note) {
			note->tgid = 0;
			note->gen_kind = st->need | STACK_NOTE_REFRESH << 31;
			bpf_ringbuf_submit(note, note_wakeup(true));
		} else {
			/* No room: asked again by a later walk. */
			__u32 id = st->need;
			struct unwind_late *l = bpf_map_lookup_elem(&unwind_late, &id);

			if (l)
				l->requested = 0;
		}
	}
	if (st->refresh) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		send_note(tgid, STACK_GEN(BPF_CORE_READ(task, group_leader, self_exec_id)),
			  STACK_NOTE_REFRESH, may_stop);
	}
	return st;
}

/*
 * The user stack by CFI into @key: walked (stack_walk_user()), stored in
 * ustacks under its hash (once per distinct stack).
 */
static __always_inline void count_user_cfi(struct stack_key *key, bool may_stop)
{
	struct uw_state *st = stack_walk_user(key->tgid, may_stop);
	long err;

	if (!st) {
		key->user_stack = -14;	/* -EFAULT: no user stack */
		return;
	}
	if (!bpf_map_lookup_elem(&ustacks, &st->hash)) {
		err = bpf_map_update_elem(&ustacks, &st->hash, st->ips, BPF_NOEXIST);
		if (err && err != -17 /* EEXIST: another CPU stored it */) {
			__sync_fetch_and_add(&stats.lost_user_stacks, 1);
			key->user_stack = err;
			return;
		}
		if (!err)
			__sync_fetch_and_add(&stats.ustack_keys, 1);
	}
	key->user_hash = st->hash;
}

/* With CFI, the kernel stack too is kept by hash: no stack is lost to a
 * stack-trace map's collisions (a sample shares its bucket with another). */
static __always_inline void count_kernel_hashed(void *ctx, struct stack_key *key)
{
	struct kscratch *ks;
	__u32 zero = 0;
	long n, err;

	ks = bpf_map_lookup_elem(&kscratch, &zero);
	if (!ks)
		return;
	n = bpf_get_stack(ctx, ks->ips, STACK_MAX_DEPTH * sizeof(__u64), 0);
	if (n <= 0) {
		/* 0 or -EFAULT: the sample hit user mode, there is no kernel stack. */
		key->kernel_stack = n ? n : -14;
		if (n && n != -14)
			__sync_fetch_and_add(&stats.lost_kernel_stacks, 1);
		return;
	}
	n /= sizeof(__u64);
	if (n > STACK_MAX_DEPTH)
		n = STACK_MAX_DEPTH;
	ks->ips[uw_idx(n)] = 0;
	key->kernel_hash = stack_hash(ks, n);
	if (bpf_map_lookup_elem(&kstacks, &key->kernel_hash))
		return;
	err = bpf_map_update_elem(&kstacks, &key->kernel_hash, ks, BPF_NOEXIST);
	if (!err) {
		__sync_fetch_and_add(&stats.kstack_keys, 1);
	} else if (err != -17 /* EEXIST */) {
		__sync_fetch_and_add(&stats.lost_kernel_stacks, 1);
		key->kernel_hash = 0;
		key->kernel_stack = err;
	}
}

/* One more of @key in counts map @map (inserted at 0 first). */
static __always_inline void count_in(void *map, struct stack_key *key)
{
	__u64 init = 0, *val;

	val = bpf_map_lookup_elem(map, key);
	if (!val) {
		/* -EEXIST: another CPU inserted it; else the map is full. */
		if (!bpf_map_update_elem(map, key, &init, BPF_NOEXIST))
			__sync_fetch_and_add(&stats.count_keys, 1);
		val = bpf_map_lookup_elem(map, key);
	}
	if (val)
		__sync_fetch_and_add(val, 1);
	else
		__sync_fetch_and_add(&stats.lost_counts, 1);
}

/*
 * Count one stack of the current task; @extra goes into the key (the
 * site). @may_stop: the program runs in the task's context with
 * interrupts on (send_note()).
 */
static __always_inline void count_stack(void *ctx, __u32 extra, bool may_stop)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct stack_key key = {};
	__u64 idx;

	key.tgid = pid_tgid >> 32;
	key.tid = (__u32)pid_tgid;
	key.extra = extra;
	key.user_stack = -1;
	key.kernel_stack = -1;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	if (want_user && key.tgid && unwind_cfi) {
		count_user_cfi(&key, may_stop);
		announce_pid(key.tgid, may_stop);
	} else if (want_user && key.tgid) {
		key.user_stack = bpf_get_stackid(ctx, &stack_traces, BPF_F_USER_STACK);
		/* -EFAULT: no stack (a kernel thread); anything else is a loss. */
		if (key.user_stack < 0 && key.user_stack != -14)
			__sync_fetch_and_add(&stats.lost_user_stacks, 1);
		announce_pid(key.tgid, may_stop);
	}
	if (want_kernel && unwind_cfi) {
		count_kernel_hashed(ctx, &key);
	} else if (want_kernel) {
		key.kernel_stack = bpf_get_stackid(ctx, &stack_traces, 0);
		/* -EFAULT: the sample hit user mode, there is no kernel stack. */
		if (key.kernel_stack < 0 && key.kernel_stack != -14)
			__sync_fetch_and_add(&stats.lost_kernel_stacks, 1);
	}
	if (!per_thread)
		key.tid = 0;
	if (!drain_counts_at) {
		count_in(&stack_counts, &key);
		return;
	}
	/*
	 * Draining: the counts go to the active half of the double buffer;
	 * user space switches halves, waits until no program is counting in
	 * the old one (inflight), and only then takes its counts out, so that
	 * no increment lands on an entry being deleted.
	 */
	idx = drain.active & 1;
	__sync_fetch_and_add(&drain.inflight[idx], 1);
	if ((drain.active & 1) != idx) {
		__sync_fetch_and_add(&drain.inflight[idx], -1);
		idx ^= 1;
		__sync_fetch_and_add(&drain.inflight[idx], 1);
	}
	if (idx)
		count_in(&stack_counts2, &key);
	else
		count_in(&stack_counts, &key);
	__sync_fetch_and_add(&drain.inflight[idx], -1);
	maybe_drain();
}

#endif
