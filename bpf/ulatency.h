/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI shared by bpf/ulatency.bpf.c and tools/ulatency.c. */
#ifndef COTRACE_BPF_ULATENCY_H
#define COTRACE_BPF_ULATENCY_H

#include "bpf/hist.h"

/* Calls in flight per thread whose entry time is kept; deeper ones are
 * counted as not timed. A power of two (the BPF side masks with it). */
#define ULATENCY_MAX_DEPTH 32

/*
 * Histograms (struct log2_hist) of the latency in the chosen unit: a
 * per-CPU array of them is indexed by function; with -P a hash keyed by
 * struct ulatency_key holds them.
 */
struct ulatency_key {
	__u32 tgid;
	__u32 func;
};

#endif
