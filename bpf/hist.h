/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ABI of a log2 histogram, shared by the BPF programs that fill one
 * (bpf/lib/hist.bpf.h: argdist -H, proclife, ulatency) and user space
 * (common/hist.c, which checks the layout).
 */
#ifndef COTRACE_BPF_HIST_ABI_H
#define COTRACE_BPF_HIST_ABI_H

/* Slot i holds the values v with floor(log2(v)) == i (0 and 1 in slot 0):
 * 64 slots cover every __u64. A power of two: the BPF side masks with it. */
#define LOG2_HIST_SLOTS 64

struct log2_hist {
	__u64 slots[LOG2_HIST_SLOTS];
	__u64 count;		/* values added */
	__u64 sum;		/* their sum */
};

#endif
