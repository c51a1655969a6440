/* SPDX-License-Identifier: GPL-2.0-only */
/* log2 histograms (bpf/hist.h) filled by the BPF programs. */
#ifndef COTRACE_BPF_LIB_HIST_H
#define COTRACE_BPF_LIB_HIST_H

#include "bpf/hist.h"
#include "bpf/lib/maps.bpf.h"

/* floor(log2(@v)), 0 for 0: the slot of @v, without a branch. */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/*
 * Add @v to @h: its slot, the count and the sum. A uprobe program runs
 * preemptibly, so another hit on this CPU may interleave with this one:
 * even per-CPU histograms add atomically.
 */
static __always_inline void log2_hist_add(struct log2_hist *h, __u64 v)
{
	__u32 slot = log2_u64(v);

	/*
	 * log2 of a __u64 is below 64 = LOG2_HIST_SLOTS. A mask, not a clamp:
	 * clang compiled a clamp into a compare of one copy of slot and an
	 * index through another, and the 6.1 verifier does not carry the
	 * bound across ("R3 unbounded memory access"); 6.18's does. The
	 * empty asm keeps clang from folding the mask into log2_u64()'s last
	 * step, where it would bound only one term of an OR.
	 */
	_Static_assert((LOG2_HIST_SLOTS & (LOG2_HIST_SLOTS - 1)) == 0, "slots: a power of two");
	asm volatile("" : "+r"(slot));
	slot &= LOG2_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
}

/* A zeroed histogram to insert from: 528 bytes, too big for the BPF stack. */
static struct log2_hist log2_hist_zero;

/* The histogram of @key in hash @map, inserted empty when absent; NULL
 * when the map is full (map_lookup_or_init()). */
static __always_inline struct log2_hist *log2_hist_lookup_or_init(void *map, const void *key)
{
	return map_lookup_or_init(map, key, &log2_hist_zero);
}

#endif
