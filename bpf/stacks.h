/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI of stack counting, shared by BPF programs and common/stacks.c. */
#ifndef COTRACE_BPF_STACKS_ABI_H
#define COTRACE_BPF_STACKS_ABI_H

#define STACK_MAX_DEPTH 127
#define STACK_COMM_LEN 16

struct stack_key {
	__u32 tgid;
	__u32 tid;		/* 0 unless per-thread */
	__s32 user_stack;	/* stack id, or negative errno / -1 when not taken */
	__s32 kernel_stack;
	__u32 extra;		/* the probe site (stackcount), 0 for profile */
	char comm[STACK_COMM_LEN];
	__u32 pad;
};

struct stack_stats {
	__u64 lost_user_stacks;		/* bpf_get_stackid failed for the user stack */
	__u64 lost_kernel_stacks;
	__u64 lost_counts;		/* the counts map was full */
	__u64 lost_pid_notes;		/* the ring buffer was full */
	__u64 unannounced;		/* hits of processes the seen_pids table had no room for */
};

/* Size in bytes of the ring buffer of new-process notes (16 bytes each:
 * a 4-byte tgid and the 8-byte record header, rounded to 8). */
#define NEW_PIDS_RINGBUF_BYTES (256 * 1024)

/* Default size of the table of processes already announced. */
#define SEEN_PIDS_ENTRIES 65536

#endif
