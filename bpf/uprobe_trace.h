/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI shared by bpf/uprobe_trace.bpf.c and tools/uprobe_trace.c. */
#ifndef COTRACE_BPF_UPROBE_TRACE_H
#define COTRACE_BPF_UPROBE_TRACE_H

/*
 * One ring-buffer record per hit: this header, then the site's data area
 * (struct fetch_prog.data_size bytes, laid out by common/fetch.c).
 */
struct trace_event {
	__u64 ts;		/* CLOCK_MONOTONIC ns */
	__u32 pid;		/* thread group id */
	__u32 tid;
	__u32 site;		/* attach cookie: index of the site */
	__u32 cpu;
	char comm[16];
};

#endif
