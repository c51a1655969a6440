/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI shared by bpf/ulatency.bpf.c and tools/ulatency.c. */
#ifndef COTRACE_BPF_ULATENCY_H
#define COTRACE_BPF_ULATENCY_H

/* Calls in flight per thread whose entry time is kept; deeper ones are
 * counted as not timed. A power of two (the BPF side masks with it). */
#define ULATENCY_MAX_DEPTH 32
#define ULATENCY_SLOTS 64

/*
 * One histogram: log2 slots of the latency in the chosen unit, the
 * number of calls and their total. A per-CPU array of these is indexed
 * by function; with -P a hash keyed by struct ulatency_key holds them.
 */
struct ulatency_hist {
	__u64 slots[ULATENCY_SLOTS];
	__u64 count;
	__u64 sum;
};

struct ulatency_key {
	__u32 tgid;
	__u32 func;
};

#endif
