// SPDX-License-Identifier: GPL-2.0-only
/*
 * funccount: count hits per probe site. Every site is attached with its
 * index as the BPF cookie, so the hot path is one per-CPU array slot.
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include "bpf/lib/regs.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "bpf/funccount.h"
#include "bpf/lib/filter.bpf.h"
#include "bpf/lib/sites.bpf.h"
#include "bpf/lib/maps.bpf.h"

const volatile bool per_pid = false;

/* Sized before load to the number of sites. */
PERCPU_ARRAY_MAP(counts, __u64, 1);

/* Used instead of counts with -P; sized before load. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct funccount_key);
	__type(value, __u64);
} pid_counts SEC(".maps");

/* Hits that found no room in pid_counts. */
__u64 lost_keys = 0;

static __always_inline int count(__u64 site)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 key = site;
	__u64 *slot;

	if (!filter_pass(pid_tgid))
		return 0;
	if (per_pid) {
		struct funccount_key k = { .tgid = pid_tgid >> 32, .site = key };
		__u64 init = 0;

		slot = map_lookup_or_init(&pid_counts, &k, &init);
		if (slot)
			__sync_fetch_and_add(slot, 1);
		else
			__sync_fetch_and_add(&lost_keys, 1);
		return 0;
	}
	/*
	 * A uprobe program can be preempted on this CPU by another hit of the
	 * same site; the locked add keeps the per-CPU count exact.
	 */
	slot = bpf_map_lookup_elem(&counts, &key);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	return 0;
}

/* The site programs count their cookie's site. */
#define count_site(ctx, kind, cookie) count(cookie)

SITE_PROGRAMS(count, count_site)

/* Trampolines: loaded for one kernel function, copied for the others. */
SEC("fentry")
int count_fentry(void *ctx)
{
	return count(bpf_get_attach_cookie(ctx));
}

SEC("fexit")
int count_fexit(void *ctx)
{
	return count(bpf_get_attach_cookie(ctx));
}

char LICENSE[] SEC("license") = "GPL";
