/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI shared by bpf/uprobe_trace.bpf.c and tools/uprobe_trace.c. */
#ifndef COTRACE_BPF_UPROBE_TRACE_H
#define COTRACE_BPF_UPROBE_TRACE_H

/* User frames kept per event with -U, kernel frames with -K. */
#define TRACE_STACK_DEPTH 64

/*
 * One ring-buffer record per hit: this header, then the site's data area
 * (struct fetch_prog.data_size bytes, laid out by common/fetch.c), then
 * with -U @stack_bytes of user return addresses (u64, innermost first),
 * then with -K @kstack_bytes of kernel ones.
 */
struct trace_event {
	__u64 ts;		/* CLOCK_MONOTONIC ns */
	__u32 pid;		/* thread group id */
	__u32 tid;
	__u32 site;		/* attach cookie: index of the site */
	__u32 cpu;
	char comm[16];
	__u32 stack_bytes;	/* -U: bytes of user stack after the data */
	__u32 flags;		/* TRACE_F_* */
	__u32 kstack_bytes;	/* -K: bytes of kernel stack after the user stack */
	__u32 pad;
};

/* The process is stopped (SIGSTOP) until user space has read its maps:
 * the first event of each process of a -c command, with -U. */
#define TRACE_F_STOPPED 1

/* Default size of the tables of followed (-c) and stopped processes. */
#define TRACE_TRACED_ENTRIES 8192

#endif
