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
	__u32 pad;
	__u64 user_hash;	/* CFI walk: the user stack's key in ustacks; 0 when none */
	char comm[STACK_COMM_LEN];
};

struct stack_stats {
	__u64 lost_user_stacks;		/* bpf_get_stackid failed for the user stack */
	__u64 lost_kernel_stacks;
	__u64 lost_counts;		/* the counts map was full */
	__u64 lost_pid_notes;		/* the ring buffer was full */
	__u64 unannounced;		/* hits of processes the seen_pids table had no room for */
	/* CFI walks (--unwind=cfi) */
	__u64 cut_user_stacks;		/* walks stopped before the outermost frame */
	__u64 early_user_stacks;	/* walks before the process's tables were in */
	__u64 fp_user_stacks;		/* walks where some frame had no table (frame pointer) */
};

/*
 * The outermost frame of a walk that was cut short: not an address any
 * process can map (user addresses stay below 2^47).
 */
#define STACK_CUT_MARK 0xffffffffffff0c07ULL

/* Notes of the BPF side to user space (ring buffer new_pids). */
enum stack_note_kind {
	STACK_NOTE_NEW = 0,	/* a process first seen (or after its exec) */
	STACK_NOTE_REFRESH = 1,	/* its mappings changed (dlopen, mmap): read them again */
};

struct stack_note {
	__u32 tgid;
	__u32 kind;		/* enum stack_note_kind */
	__u32 gen;		/* its exec generation (self_exec_id) */
	__u32 pad;
};

/* Size in bytes of the ring buffer of new-process notes (24 bytes each:
 * a struct stack_note and the 8-byte record header). */
#define NEW_PIDS_RINGBUF_BYTES (256 * 1024)

/* Default size of the table of processes already announced. */
#define SEEN_PIDS_ENTRIES 65536

#endif
