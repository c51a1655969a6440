// SPDX-License-Identifier: GPL-2.0-only
/*
 * syscount: count syscalls, and their time, from the raw syscall
 * tracepoints. Raw tracepoints get the arguments without the trace-event
 * record a classic tracepoint program is given, which makes them the
 * cheapest way in (no tracefs needed either).
 *
 *   sys_enter (args: regs, id)   plain counting; latency start; stacks
 *   sys_exit  (args: regs, ret)  failures (-x, -e) and latency
 *
 * The kernel runs raw-tracepoint programs with preemption disabled and
 * refuses to nest one in itself on a CPU (it counts a "miss" instead, which
 * the front end reports), so per-CPU slots need no atomic operations.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/syscount.h"
#include "bpf/lib/filter.bpf.h"
#include "bpf/lib/maps.bpf.h"
#include "bpf/lib/stacks.bpf.h"

const volatile __u32 targ_tid = 0;		/* -t: 0 for every thread */
const volatile __u32 targ_ppid = 0;		/* -c: only children of this process */
const volatile bool filter_comm = false;	/* --comm */
const volatile __u64 targ_comm[2] = {};	/* 16 bytes, NUL-padded */
const volatile bool filter_nr = false;		/* --syscall */
const volatile long targ_nr = 0;
const volatile bool failures = false;		/* -x */
const volatile long targ_errno = 0;		/* -e: 0 for any error */
const volatile bool latency = false;		/* -L */
const volatile bool per_process = false;	/* -P */
const volatile long nr_exit = -1;		/* never return: no start time */
const volatile long nr_exit_group = -1;

PERCPU_ARRAY_MAP(counts, struct syscount_val, SYSCOUNT_NR_SLOTS);

/* Numbers outside the array. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYSCOUNT_OTHER_ENTRIES);
	__type(key, __u32);
	__type(value, struct syscount_val);
} other_counts SEC(".maps");

/* -P: sized before load (1 entry when unused). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscount_proc);
} proc_counts SEC(".maps");

struct start {
	__u32 tid;
	__u32 pad;
	__u64 ts;		/* 0: no call in flight */
	__s64 nr;
};

/*
 * -L: entry times, in an array indexed by the thread id modulo its size
 * (a power of two, set before load; 1 entry when unused). An array slot
 * costs a few instructions where a hash lookup, update or delete costs
 * tens of nanoseconds. Two threads whose ids share a slot and are in a
 * syscall at the same time are detected (the slot names its thread) and
 * the overwritten call is counted as not timed, never misattributed.
 */
const volatile __u32 starts_mask = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

/* Losses, reported at the end. */
__u64 lost_other = 0;		/* the "other" hash was full */
__u64 lost_proc = 0;		/* the per-process hash was full */
__u64 lost_start = 0;		/* an entry time overwritten by another thread */

static __always_inline bool comm_pass(void)
{
	union {
		char c[16];
		__u64 q[2];
	} comm;

	if (!filter_comm)
		return true;
	bpf_get_current_comm(comm.c, sizeof(comm.c));
	return comm.q[0] == targ_comm[0] && comm.q[1] == targ_comm[1];
}

/* -c: is the current process a child of targ_ppid (as bcc's real_parent test)? */
static __always_inline bool ppid_pass(void)
{
	struct task_struct *task;

	if (!targ_ppid)
		return true;
	task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, real_parent, tgid) == targ_ppid;
}

/* -p, -t, -c and --comm, in order of cost. */
static __always_inline bool task_pass(__u64 pid_tgid)
{
	if (!filter_pass(pid_tgid))
		return false;
	if (targ_tid && (__u32)pid_tgid != targ_tid)
		return false;
	return ppid_pass() && comm_pass();
}

static __always_inline void add_hash(void *map, const void *key, __u64 ns, __u64 *lost)
{
	struct syscount_val *v, init = {};

	v = map_lookup_or_init(map, key, &init);
	if (v) {
		__sync_fetch_and_add(&v->count, 1);
		__sync_fetch_and_add(&v->ns, ns);
	} else {
		__sync_fetch_and_add(lost, 1);
	}
}

static __always_inline void account(__u64 pid_tgid, long nr, __u64 ns)
{
	struct syscount_val *v;
	__u32 key;

	if (per_process) {
		struct syscount_proc *p, init = {};

		key = pid_tgid >> 32;
		p = bpf_map_lookup_elem(&proc_counts, &key);
		if (!p) {
			/* The comm when the process is first seen. */
			bpf_get_current_comm(init.comm, sizeof(init.comm));
			p = map_lookup_or_init(&proc_counts, &key, &init);
		}
		if (p) {
			__sync_fetch_and_add(&p->count, 1);
			__sync_fetch_and_add(&p->ns, ns);
		} else {
			__sync_fetch_and_add(&lost_proc, 1);
		}
		return;
	}
	key = nr;
	if ((unsigned long)nr < SYSCOUNT_NR_SLOTS) {
		v = bpf_map_lookup_elem(&counts, &key);
		if (v) {
			v->count++;
			v->ns += ns;
		}
		return;
	}
	add_hash(&other_counts, &key, ns, &lost_other);
}

/* Plain counting: one array slot per call, at entry. */
SEC("raw_tracepoint/sys_enter")
int sc_enter_count(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	long nr = ctx->args[1];

	if (filter_nr && nr != targ_nr)
		return 0;
	if (!task_pass(pid_tgid))
		return 0;
	account(pid_tgid, nr, 0);
	return 0;
}

/* -L: remember when this thread entered the syscall. */
SEC("raw_tracepoint/sys_enter")
int sc_enter_time(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	long nr = ctx->args[1];
	__u32 tid = pid_tgid, slot = tid & starts_mask;
	struct start *s;

	s = bpf_map_lookup_elem(&starts, &slot);
	if (!s)
		return 0;
	/* These never reach sys_exit: free the slot now. */
	if (nr == nr_exit || nr == nr_exit_group) {
		if (s->tid == tid)
			s->ts = 0;
		return 0;
	}
	if (filter_nr && nr != targ_nr)
		return 0;
	if (!task_pass(pid_tgid))
		return 0;
	if (s->ts && s->tid != tid)
		__sync_fetch_and_add(&lost_start, 1);
	s->tid = tid;
	s->nr = nr;
	s->ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline bool ret_pass(long ret)
{
	/* Errors are -4095..-1 (IS_ERR_VALUE); lseek and friends may
	 * legitimately return other negative values. */
	if (!failures)
		return true;
	if (ret >= 0 || ret < -4095)
		return false;
	return !targ_errno || ret == -targ_errno;
}

/* -x, -e and -L: account at exit, where the return value is known. */
SEC("raw_tracepoint/sys_exit")
int sc_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	long ret = ctx->args[1];
	__u64 ns = 0;
	long nr;

	if (latency) {
		__u32 tid = pid_tgid, slot = tid & starts_mask;
		struct start *s = bpf_map_lookup_elem(&starts, &slot);

		/* No start time: the call began before we attached, or was
		 * filtered out at entry, or another thread took the slot. */
		if (!s || !s->ts || s->tid != tid)
			return 0;
		ns = bpf_ktime_get_ns() - s->ts;
		nr = s->nr;
		s->ts = 0;
		if (!ret_pass(ret))
			return 0;
	} else {
		struct pt_regs *regs = (struct pt_regs *)ctx->args[0];

		if (!ret_pass(ret))
			return 0;
		nr = BPF_CORE_READ(regs, orig_ax);
		if (filter_nr && nr != targ_nr)
			return 0;
		if (!task_pass(pid_tgid))
			return 0;
	}
	account(pid_tgid, nr, ns);
	return 0;
}

/*
 * --stack: count user stacks at entry, where the user registers are; the
 * syscall number goes into the key's "extra" field. The shared stack code
 * (bpf/lib/stacks.bpf.h) announces each new process on a ring buffer so
 * its maps are read while it runs.
 */
SEC("raw_tracepoint/sys_enter")
int sc_enter_stack(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	long nr = ctx->args[1];

	if (filter_nr && nr != targ_nr)
		return 0;
	if (!task_pass(pid_tgid))
		return 0;
	count_stack(ctx, nr, true);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
