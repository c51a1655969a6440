// SPDX-License-Identifier: GPL-2.0-only
/*
 * profile: timed sampling of stacks from a perf event on every CPU,
 * aggregated in the kernel by (process, comm, user stack, kernel stack).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/lib/stacks.bpf.h"

const volatile bool include_idle = false;
const volatile bool filter_pids = false;
const volatile bool filter_tids = false;	/* -L */
const volatile bool filter_cgroups = false;	/* --cgroupmap */
const volatile bool filter_mntns = false;	/* --mntnsmap */

/* With -p: the processes to sample (sized before load). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

/* With -L: the threads to sample (sized before load). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8);
} tids SEC(".maps");

/*
 * --cgroupmap and --mntnsmap: the user's pinned hash maps, keyed by
 * cgroup id and by mount namespace id (u64), put in place of these
 * before load (bpf_map__reuse_fd()); only their keys matter.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u64);
} cgroup_set SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u64);
} mntns_set SEC(".maps");

__u64 samples = 0;

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;

	if (!include_idle && (__u32)pid_tgid == 0)
		return 0;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	if (filter_tids) {
		__u32 tid = (__u32)pid_tgid;

		if (!bpf_map_lookup_elem(&tids, &tid))
			return 0;
	}
	if (filter_cgroups) {
		__u64 id = bpf_get_current_cgroup_id();

		if (!bpf_map_lookup_elem(&cgroup_set, &id))
			return 0;
	}
	if (filter_mntns) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		__u64 id = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);

		if (!bpf_map_lookup_elem(&mntns_set, &id))
			return 0;
	}
	__sync_fetch_and_add(&samples, 1);
	/* A sample is taken with interrupts off: it must not stop the task. */
	count_stack(ctx, 0, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
