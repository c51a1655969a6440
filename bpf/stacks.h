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
	__u64 kernel_hash;	/* with CFI: the kernel stack's key in kstacks; 0 when none */
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
	/* Entries inserted, for the drain (stack_drain): user space compares
	 * them with what it has drained. */
	__u64 count_keys;
	__u64 ustack_keys;
	__u64 kstack_keys;
};

/*
 * Draining the tables as they fill (profile, with CFI): user space writes
 * what it has taken out, the BPF side asks for a drain (a note of tgid 0)
 * once a table holds more than its threshold, at most once until user
 * space clears the request.
 */
struct stack_drain {
	__u64 counts_out, ustacks_out, kstacks_out;	/* written by user space */
	__u64 requested;				/* set by BPF, cleared by user space */
	__u64 active;		/* the half of the counts counted into: stack_counts(2) */
	__s64 inflight[2];	/* programs counting into each half now */
};

/*
 * A user frame of a CFI walk identified at the event, so that it
 * resolves after its process is gone: bit 63 set (no user address has
 * it), the file's id in bits 32..62 (its module in the symbolizer, plus
 * one), the file offset in bits 0..31. Frames outside every known file
 * (JIT code) stay addresses.
 */
#define STACK_FRAME_FILE (1ULL << 63)
#define STACK_FRAME_ID(ip) ((__u32)((ip) >> 32) & 0x7fffffff)
#define STACK_FRAME_OFF(ip) ((ip) & 0xffffffffULL)
/* Ids stay below bit 62: frames with bits 63 and 62 set are Python's (bpf/python.h). */
#define STACK_FRAME_MAX_ID 0x3ffffffeU

/* The outermost frame of a walk that was cut short (file id 0x7fffffff: none). */
#define STACK_CUT_MARK 0xffffffffffff0c07ULL

/* Notes of the BPF side to user space (ring buffer new_pids). */
enum stack_note_kind {
	STACK_NOTE_NEW = 0,	/* a process first seen (or after its exec) */
	STACK_NOTE_REFRESH = 1,	/* its mappings changed (dlopen, mmap): read them again */
};
/*
 * A note of tgid 0: a table is filling up, drain it (struct stack_drain);
 * of tgid 0 and kind STACK_NOTE_REFRESH: build the late table of the file
 * whose id is in the generation's bits (UNWIND_FILE_LATE).
 */

/*
 * A note: 8 bytes, so that a record with its header takes 16 and a ring
 * of one page holds 255 of them. The exec generation (self_exec_id) is
 * kept in 31 bits, as every comparison of it does (STACK_GEN()).
 */
struct stack_note {
	__u32 tgid;
	__u32 gen_kind;		/* STACK_GEN(self_exec_id) | kind << 31 */
};

#define STACK_GEN(id) ((__u32)(id) & 0x7fffffffU)
#define STACK_NOTE_GEN(n) ((n)->gen_kind & 0x7fffffffU)
#define STACK_NOTE_KIND(n) ((n)->gen_kind >> 31)

/* Size in bytes of the ring buffer of new-process notes (16 bytes each:
 * a struct stack_note and the 8-byte record header). */
#define NEW_PIDS_RINGBUF_BYTES (256 * 1024)

/* Default size of the table of processes already announced. */
#define SEEN_PIDS_ENTRIES 65536

#endif
