// SPDX-License-Identifier: GPL-2.0-only
/*
 * argdist: frequency counts (-C) and log2 histograms (-H) of values
 * fetched by each site's fetch program (bpf/lib/fetch.bpf.h).
 *
 * A site's cookie indexes both fetch_progs and sites. The fetch program
 * lays out the filter's operands first and the key values last, from
 * key_off, so the key is one run of bytes, zeroed before the fetch so
 * that strings shorter than their slot compare equal.
 *
 * Return probes using $entry() or $latency have an entry twin that saves
 * the time and the $entry() values in a hash keyed by thread and return
 * site; the return copies that record to the start of its data area
 * (word 0 becomes the latency), where the fetch program reads it with
 * FOP_SLOT. Like bcc, a recursive call overwrites its caller's record.
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include "bpf/lib/regs.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "bpf/argdist.h"
#include "bpf/lib/filter.bpf.h"
#include "bpf/lib/fetch.bpf.h"
#include "bpf/lib/hist.bpf.h"
#include "bpf/lib/maps.bpf.h"

const volatile __u32 targ_tid = 0;	/* -t */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* one per site, set before load */
	__type(key, __u32);
	__type(value, struct argdist_site);
} sites SEC(".maps");

/*
 * -C: counts by specifier and key. The key size is set before load to
 * what the specifiers need (sizes, not BTF types, so it can shrink).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARGDIST_COUNT_ENTRIES);	/* may be lowered before load */
	__uint(key_size, sizeof(struct argdist_key));
	__uint(value_size, sizeof(__u64));
} counts SEC(".maps");

/* -H: one histogram per specifier; sized before load. */
PERCPU_ARRAY_MAP(hists, struct log2_hist, 1);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARGDIST_CALL_ENTRIES);	/* may be lowered before load */
	__type(key, struct argdist_entry_key);
	__type(value, struct argdist_entry);
} entries SEC(".maps");

struct data_buf {
	__u8 data[FETCH_BUF_SIZE];
};

PERCPU_ARRAY_MAP(buf, struct data_buf, 1);

PERCPU_ARRAY_MAP(keybuf, struct argdist_key, 1);

/* Zeros to clear a key's bytes with one helper call. */
__u8 zeros[ARGDIST_KEY_MAX] = {};

/* What could not be counted, reported at the end. */
__u64 lost = 0;			/* -C: the counts map was full */
__u64 lost_entries = 0;		/* the entries map was full */
__u64 no_entry = 0;		/* returns whose entry was not seen */

static __always_inline void save_entry(void *ctx, const struct argdist_site *s,
				       const struct fetch_prog *p, __u8 *data, __u32 tid)
{
	struct argdist_entry_key k = { .tid = tid, .site = s->pair };
	struct argdist_entry e;

	fetch_run(ctx, SITE_CTX_REGS, p, data);
	__builtin_memcpy(&e, data, sizeof(e));
	e.words[0] = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&entries, &k, &e, BPF_ANY))
		__sync_fetch_and_add(&lost_entries, 1);
}

static __always_inline void count(const struct argdist_site *s, const __u8 *data, __u32 off)
{
	struct argdist_key *k;
	__u32 zero = 0;
	__u64 init = 0, *c;

	k = bpf_map_lookup_elem(&keybuf, &zero);
	if (!k)
		return;
	k->spec = s->spec;
	k->pad = 0;
	bpf_probe_read_kernel(k->data, sizeof(k->data), data + off);
	c = map_lookup_or_init(&counts, k, &init);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		__sync_fetch_and_add(&lost, 1);
}

static __always_inline void hist(const struct argdist_site *s, const __u8 *data, __u32 off)
{
	__u64 v = *(const __u64 *)(data + off);
	struct log2_hist *h;
	__u32 spec = s->spec;

	h = bpf_map_lookup_elem(&hists, &spec);
	if (h)
		log2_hist_add(h, v);
}

static __always_inline int on_hit(void *ctx, enum site_ctx_kind kind, __u32 cookie)
{
	__u64 now = bpf_ktime_get_ns(), pid_tgid = bpf_get_current_pid_tgid();
	__u32 zero = 0, tid = pid_tgid, off;
	const struct argdist_site *s;
	const struct fetch_prog *p;
	struct data_buf *b;

	if (!filter_pass(pid_tgid) || (targ_tid && tid != targ_tid))
		return 0;
	s = bpf_map_lookup_elem(&sites, &cookie);
	p = bpf_map_lookup_elem(&fetch_progs, &cookie);
	b = bpf_map_lookup_elem(&buf, &zero);
	if (!s || !p || !b)
		return 0;
	/* Entry twins are uprobes and kprobes: the other programs must not
	 * read their context as registers (the verifier refuses it). */
	if (s->flags & ARGDIST_SAVE_ENTRY) {
		if (kind == SITE_CTX_REGS || kind == SITE_CTX_KREGS)
			save_entry(ctx, s, p, b->data, tid);
		return 0;
	}
	off = s->key_off & (FETCH_DATA_MAX - 1);
	bpf_probe_read_kernel(b->data + off, ARGDIST_KEY_MAX, zeros);
	if (s->flags & ARGDIST_USE_ENTRY) {
		struct argdist_entry_key k = { .tid = tid, .site = cookie };
		struct argdist_entry *e = bpf_map_lookup_elem(&entries, &k);

		if (!e) {
			__sync_fetch_and_add(&no_entry, 1);
			return 0;
		}
		__builtin_memcpy(b->data, e, sizeof(*e));
		*(__u64 *)b->data = now - e->words[0];
		bpf_map_delete_elem(&entries, &k);
	}
	fetch_run(ctx, kind, p, b->data);
	if (!fetch_pred(p, b->data))
		return 0;
	if (s->flags & ARGDIST_HIST)
		hist(s, b->data, off);
	else
		count(s, b->data, off);
	return 0;
}

SITE_PROGRAMS(argdist, on_hit)

char LICENSE[] SEC("license") = "GPL";
