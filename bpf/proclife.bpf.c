// SPDX-License-Identifier: GPL-2.0-only
/*
 * proclife: process lifetimes per command name, taken when a process
 * exits (sched:sched_process_exit) from the start time the kernel keeps
 * in its task_struct, so processes started before tracing are measured
 * too. With --libc, from __libc_start_main() to exit() through uprobes.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf/proclife.h"
#include "bpf/lib/hist.bpf.h"
#include "bpf/lib/maps.bpf.h"

/* include/linux/sched/signal.h; not in BTF because it is a #define. */
#define SIGNAL_GROUP_EXIT	0x00000004

const volatile __u64 unit_div = 1000000;	/* ns per reported unit */
const volatile __u32 source = PROCLIFE_SRC_TASK;
const volatile bool targ_threads = false;	/* every thread, not processes */
const volatile __u32 targ_ppid = 0;		/* 0: any parent */
const volatile bool targ_comm_set = false;
const volatile char targ_comm[PROCLIFE_COMM_LEN] = {};
const volatile bool want_hist = true;
const volatile bool want_exits = false;
const volatile bool want_log = false;

/* Sized before load (--max-comms). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct proclife_key);
	__type(value, struct log2_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct proclife_exit_key);
	__type(value, __u64);
} exits SEC(".maps");

/* --libc: __libc_start_main() time per tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} libc_start SEC(".maps");

/* Sized before load (-l). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* Results and losses, read by the front end. */
__u64 seen = 0;		/* exits that passed the filters */
__u64 lost_hist = 0;	/* hists was full */
__u64 lost_exits = 0;	/* exits was full */
__u64 lost_log = 0;	/* the ring buffer was full */
__u64 lost_start = 0;	/* libc_start was full */
__u64 no_start = 0;	/* --libc: exit() without a __libc_start_main() seen */

static __always_inline bool comm_pass(const char *comm)
{
	if (!targ_comm_set)
		return true;
	for (int i = 0; i < PROCLIFE_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline void add_hist(const struct proclife_key *key, __u64 lifetime_ns)
{
	struct log2_hist *h;

	h = log2_hist_lookup_or_init(&hists, key);
	if (h)
		log2_hist_add(h, lifetime_ns / unit_div);
	else
		__sync_fetch_and_add(&lost_hist, 1);
}

static __always_inline void add_exit(const struct proclife_key *key, __u32 status)
{
	struct proclife_exit_key k = { .status = status };
	__u64 init = 0, *cnt;

	__builtin_memcpy(k.comm, key->comm, PROCLIFE_COMM_LEN);
	cnt = map_lookup_or_init(&exits, &k, &init);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		__sync_fetch_and_add(&lost_exits, 1);
}

static __always_inline void send_log(const struct proclife_key *key, __u64 now,
				     __u64 lifetime_ns, __u32 pid, __u32 tgid, __u32 ppid,
				     __u32 status)
{
	struct proclife_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_log, 1);
		return;
	}
	e->ts_ns = now;
	e->lifetime_ns = lifetime_ns;
	e->pid = pid;
	e->tgid = tgid;
	e->ppid = ppid;
	e->status = status;
	__builtin_memcpy(e->comm, key->comm, PROCLIFE_COMM_LEN);
	bpf_ringbuf_submit(e, 0);
}

/* One exit that passed the filters. */
static __always_inline void record(const struct proclife_key *key, __u64 now, __u64 lifetime_ns,
				   __u32 pid, __u32 tgid, __u32 ppid, __u32 status)
{
	__sync_fetch_and_add(&seen, 1);
	if (want_log)
		send_log(key, now, lifetime_ns, pid, tgid, ppid, status);
	if (want_hist)
		add_hist(key, lifetime_ns);
	if (want_exits)
		add_exit(key, status);
}

/*
 * The exit status as wait(2) will report it: a group exit (exit_group(),
 * a fatal signal) leaves it in signal->group_exit_code, else it is the
 * leader's own exit_code (kernel/exit.c, wait_task_zombie()).
 */
static __always_inline __u32 process_status(struct task_struct *task,
					    struct task_struct *leader)
{
	if (BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(task, signal, group_exit_code);
	return BPF_CORE_READ(leader, exit_code);
}

/*
 * A raw tracepoint, not a classic one: the kernel skips classic
 * tracepoint and kprobe programs on a CPU where bpf_prog_active is held,
 * and a task preempted inside any bpf() map syscall holds it (see
 * bpf_disable_instrumentation()), so exits were missed on a host busy
 * with other BPF tools. Raw tracepoints only guard against recursion of
 * the same program, and those misses are reported.
 * Arguments: (struct task_struct *p) and, since Linux 6.16, bool group_dead.
 */
SEC("raw_tracepoint/sched_process_exit")
int handle_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct task_struct *subject, *leader;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = pid_tgid, tgid = pid_tgid >> 32, ppid, status;
	struct proclife_key key = {};
	__u64 now, start;
	bool process_done;

	/*
	 * The process is over when its last thread exits: the group_dead
	 * field says so since Linux 6.16; before that, count the leader's
	 * exit, as bcc's exitsnoop does.
	 */
	if (bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead))
		process_done = (bool)ctx->args[1];
	else
		process_done = tid == tgid;

	if (source == PROCLIFE_SRC_LIBC) {
		if (process_done)
			bpf_map_delete_elem(&libc_start, &tgid);
		return 0;
	}
	if (!targ_threads && !process_done)
		return 0;

	now = bpf_ktime_get_ns();
	leader = BPF_CORE_READ(task, group_leader);
	subject = targ_threads ? task : leader;
	ppid = BPF_CORE_READ(task, real_parent, tgid);
	if (targ_ppid && ppid != targ_ppid)
		return 0;
	if (subject == task)
		bpf_get_current_comm(key.comm, sizeof(key.comm));
	else
		bpf_core_read(key.comm, sizeof(key.comm), &subject->comm);
	if (!comm_pass(key.comm))
		return 0;
	start = BPF_CORE_READ(subject, start_time);
	status = targ_threads ? BPF_CORE_READ(task, exit_code) : process_status(task, leader);
	record(&key, now, now > start ? now - start : 0, targ_threads ? tid : tgid, tgid, ppid,
	       status);
	return 0;
}

static __always_inline int libc_hit(struct pt_regs *ctx, __u64 site)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, ppid, status;
	struct task_struct *task;
	struct proclife_key key = {};
	__u64 now = bpf_ktime_get_ns(), *start;

	if (site == PROCLIFE_LIBC_START) {
		if (bpf_map_update_elem(&libc_start, &tgid, &now, BPF_ANY))
			__sync_fetch_and_add(&lost_start, 1);
		return 0;
	}
	start = bpf_map_lookup_elem(&libc_start, &tgid);
	task = (void *)bpf_get_current_task();
	ppid = BPF_CORE_READ(task, real_parent, tgid);
	if (targ_ppid && ppid != targ_ppid)
		goto out;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (!comm_pass(key.comm))
		goto out;
	if (!start) {
		__sync_fetch_and_add(&no_start, 1);
		return 0;
	}
	/* exit(status): the low 8 bits are what the parent sees. */
	status = ((__u32)PT_REGS_PARM1(ctx) & 0xff) << 8;
	record(&key, now, now - *start, tgid, tgid, ppid, status);
out:
	bpf_map_delete_elem(&libc_start, &tgid);
	return 0;
}

SEC("uprobe")
int libc_uprobe(struct pt_regs *ctx)
{
	return libc_hit(ctx, bpf_get_attach_cookie(ctx));
}

/* Loaded with expected attach type BPF_TRACE_UPROBE_MULTI by the front end. */
SEC("uprobe")
int libc_uprobe_multi(struct pt_regs *ctx)
{
	return libc_hit(ctx, bpf_get_attach_cookie(ctx));
}

char LICENSE[] SEC("license") = "GPL";
