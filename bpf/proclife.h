/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * proclife: the ABI between bpf/proclife.bpf.c and tools/proclife.c.
 * Every struct has explicit padding; the front end checks the sizes.
 */
#ifndef COTRACE_BPF_PROCLIFE_H
#define COTRACE_BPF_PROCLIFE_H

#include "bpf/hist.h"

#define PROCLIFE_COMM_LEN	16

/* Where lifetimes come from. */
enum proclife_source {
	PROCLIFE_SRC_TASK = 0,	/* sched_process_exit and task->start_time */
	PROCLIFE_SRC_LIBC = 1,	/* uprobes: __libc_start_main() to exit() */
};

/* Attach cookies of the --libc uprobes. */
enum proclife_libc_site {
	PROCLIFE_LIBC_START = 0,
	PROCLIFE_LIBC_EXIT = 1,
};

/* Key of the histogram map (values: struct log2_hist of lifetimes, in the
 * unit chosen before load): the command name, NUL-padded. */
struct proclife_key {
	char comm[PROCLIFE_COMM_LEN];
};

/*
 * Key of the exit-status map (-e). @status is encoded as wait(2) reports
 * it: (code << 8) for a normal exit, the signal number (and 0x80 for a
 * core dump) for a fatal signal.
 */
struct proclife_exit_key {
	char comm[PROCLIFE_COMM_LEN];
	__u32 status;
	__u32 __pad;
};

/* One exit, sent through the ring buffer with -l. */
struct proclife_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() at exit (CLOCK_MONOTONIC) */
	__u64 lifetime_ns;
	__u32 pid;		/* tgid, or the thread id with --threads */
	__u32 tgid;
	__u32 ppid;		/* real parent's tgid */
	__u32 status;		/* as in struct proclife_exit_key */
	char comm[PROCLIFE_COMM_LEN];
};

#endif
