// SPDX-License-Identifier: GPL-2.0-only
/*
 * uprobe-trace: one ring-buffer record per hit with the values fetched by
 * the site's fetch program (bpf/lib/fetch.bpf.h), after its filter.
 *
 * vmlinux.h, not bpf/lib/regs.bpf.h: the CFI walk of -U reads the task
 * (CO-RE), so libbpf reads the kernel's BTF at load.
 */
/* The kernel has types of these names too: ours keep theirs. */
#define trace_event trace_event___kernel
#define fetch_op fetch_op___kernel
#include "vmlinux.h"
#undef trace_event
#undef fetch_op
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "bpf/uprobe_trace.h"
#include "bpf/lib/filter.bpf.h"
#include "bpf/lib/fetch.bpf.h"
#include "bpf/lib/maps.bpf.h"
/* -U with CFI: the walk and the announcement of processes that the
 * stack tools share (its counting maps stay at one entry here). */
#include "bpf/lib/stacks.bpf.h"

const volatile __u32 targ_tid = 0;		/* -L */
const volatile bool follow_children = false;	/* -c: the command and its descendants */
const volatile __u32 fork_child_off = 0;	/* sched_process_fork: child_pid offset */
const volatile __u64 wakeup_bytes = 0;		/* wake the reader with this much waiting */
const volatile bool user_stack = false;		/* -U */
const volatile bool kernel_stack = false;	/* -K */
const volatile __u32 self_tgid = 0;		/* not -S: our own events are left out */
const volatile __s64 targ_uid = -1;		/* --uid: -1 for every user */
const volatile bool filter_cgroup = false;	/* -c CGROUP_PATH */

/* -c CGROUP_PATH: the cgroup (an open directory) whose tasks, and those of
 * its descendants, are traced. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* set from -b before load */
} events SEC(".maps");

/* Processes traced with follow_children: the command, then its children. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TRACE_TRACED_ENTRIES);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

struct event_buf {
	struct trace_event hdr;
	__u8 data[FETCH_BUF_SIZE];
};

PERCPU_ARRAY_MAP(buf, struct event_buf, 1);

/* -U with -c: processes already stopped once for user space to read their maps. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TRACE_TRACED_ENTRIES);
	__type(key, __u32);
	__type(value, __u8);
} stopped SEC(".maps");

/* Records the ring buffer had no room for, and children not followed. */
__u64 lost = 0;
__u64 lost_children = 0;

static __always_inline int trace(void *ctx, enum site_ctx_kind kind, __u64 site)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, key = site, zero = 0;
	const struct fetch_prog *p;
	struct event_buf *e;
	__u64 size, flags;
	__u32 off;

	if (follow_children) {
		if (!bpf_map_lookup_elem(&traced, &tgid))
			return 0;
	} else if (!filter_pass(pid_tgid)) {
		return 0;
	}
	if (targ_tid && (__u32)pid_tgid != targ_tid)
		return 0;
	if (self_tgid && tgid == self_tgid)
		return 0;
	if (targ_uid >= 0 && (__u32)bpf_get_current_uid_gid() != (__u32)targ_uid)
		return 0;
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup, 0) <= 0)
		return 0;
	p = bpf_map_lookup_elem(&fetch_progs, &key);
	e = bpf_map_lookup_elem(&buf, &zero);
	if (!p || !e)
		return 0;
	fetch_run(ctx, kind, p, e->data);
	if (!fetch_pred(p, e->data))
		return 0;
	e->hdr.ts = bpf_ktime_get_ns();
	e->hdr.pid = tgid;
	e->hdr.tid = (__u32)pid_tgid;
	e->hdr.site = key;
	e->hdr.cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e->hdr.comm, sizeof(e->hdr.comm));
	e->hdr.stack_bytes = 0;
	e->hdr.kstack_bytes = 0;
	e->hdr.pad = 0;
	/* Right after the data: data_size is below FETCH_DATA_MAX, and the
	 * buffer holds FETCH_BUF_SIZE (twice that) bytes: room for both stacks. */
	off = p->data_size & (FETCH_DATA_MAX - 1);
	if (user_stack && unwind_cfi) {
		/* The frames of the walk, innermost first, as many as fit. */
		struct uw_state *st = stack_walk_user(tgid, site_ctx_in_task(kind));
		__u32 n = st ? st->n : 0;

		if (n > TRACE_STACK_DEPTH)
			n = TRACE_STACK_DEPTH;
		if (st && n >= 1 && !bpf_probe_read_kernel(e->data + off, n * sizeof(__u64), st->ips)) {
			e->hdr.stack_bytes = n * sizeof(__u64);
			off += n * sizeof(__u64);
		}
		announce_pid(tgid, site_ctx_in_task(kind));
	} else if (user_stack) {
		long n = bpf_get_stack(ctx, e->data + off, TRACE_STACK_DEPTH * sizeof(__u64),
				       BPF_F_USER_STACK);

		if (n > 0 && n <= TRACE_STACK_DEPTH * sizeof(__u64)) {
			e->hdr.stack_bytes = n;
			off += n;
		}
	}
	/* A uprobe's registers are the user's: no kernel stack there (0 bytes). */
	if (kernel_stack) {
		long n = bpf_get_stack(ctx, e->data + off, TRACE_STACK_DEPTH * sizeof(__u64), 0);

		if (n > 0 && n <= TRACE_STACK_DEPTH * sizeof(__u64))
			e->hdr.kstack_bytes = n;
	}
	size = sizeof(e->hdr) + p->data_size + e->hdr.stack_bytes + e->hdr.kstack_bytes;
	if (size > sizeof(*e))
		return 0;
	/*
	 * Wake the reader only once a batch is waiting: a wake-up per record
	 * costs more than the probe itself. The reader also polls every
	 * 100 ms, so a lone record is not held back for long.
	 */
	flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	/*
	 * A -c command can exit before user space reads its maps, and its
	 * stacks would not resolve: stop it at its first event until then.
	 * Only from a user probe, and before the event is visible: user space
	 * continues it once it has read the event, and a SIGSTOP queued after
	 * that (or sent later from an interrupt) would hold it for good.
	 */
	e->hdr.flags = 0;
	if (user_stack && follow_children && !unwind_cfi && site_ctx_in_task(kind)) {
		__u8 one = 1;

		if (!bpf_map_update_elem(&stopped, &tgid, &one, BPF_NOEXIST) &&
		    !bpf_send_signal(19 /* SIGSTOP */)) {
			e->hdr.flags = TRACE_F_STOPPED;
			flags = BPF_RB_FORCE_WAKEUP;
		}
	}
	if (bpf_ringbuf_output(&events, e, size, flags)) {
		__sync_fetch_and_add(&lost, 1);
		/* No event will tell user space: the stop is taken back. */
		if (e->hdr.flags & TRACE_F_STOPPED) {
			bpf_send_signal(18 /* SIGCONT */);
			bpf_map_delete_elem(&stopped, &tgid);
		}
	}
	return 0;
}

SITE_PROGRAMS(trace, trace)

/* -c: a child of a traced process is traced too. */
SEC("tracepoint/sched/sched_process_fork")
int trace_fork(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, child = 0;
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&traced, &tgid))
		return 0;
	bpf_probe_read_kernel(&child, sizeof(child), ctx + fork_child_off);
	if (bpf_map_update_elem(&traced, &child, &one, BPF_ANY))
		__sync_fetch_and_add(&lost_children, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
