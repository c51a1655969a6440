// SPDX-License-Identifier: GPL-2.0-only
/*
 * ulatency: time functions from entry to return: user functions with a
 * uprobe and a uretprobe, kernel functions with a kprobe and a kretprobe.
 *
 * The front end attaches every function twice, with the same program: as
 * a uprobe with cookie f and as a uretprobe with cookie nfuncs + f. Each
 * thread keeps a stack of its calls in flight in task-local storage (freed
 * by the kernel when the thread exits), so nested and recursive calls are
 * each timed from their own entry. A return is matched to its entry by
 * the stack pointer: on entry %rsp points at the return address, which
 * the return pops, so the frame returning is the one whose entry %rsp is
 * the return's %rsp - 8. Entries below it on the stack are calls left by
 * longjmp() or an exception; they are dropped and counted. A kprobe's
 * registers follow the same rule: %rsp at the function's first
 * instruction, and at a kretprobe the %rsp after its return.
 *
 * Trampoline programs (fentry, fexit) see no registers: their frames
 * keep a stack pointer of 0, and a return matches the innermost such
 * frame of its function. Frames above it are calls whose return was not
 * seen (the kernel skipped that run); they are dropped and counted.
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include "bpf/lib/regs.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf/ulatency.h"
#include "bpf/lib/filter.bpf.h"
#include "bpf/lib/hist.bpf.h"
#include "bpf/lib/maps.bpf.h"

struct task_struct;

const volatile __u32 nfuncs = 1;	/* cookies [0, nfuncs) are entries, the rest returns */
const volatile __u64 unit_div = 1;	/* ns per unit */
const volatile bool per_pid = false;
/* -l: only the outermost max_level calls in flight of a thread are timed. */
const volatile __u32 max_level = ULATENCY_MAX_DEPTH;

struct frame {
	__u64 ts;
	__u64 sp;	/* %rsp at entry */
	__u32 func;
	__u32 pad;
};

struct call_stack {
	__u32 depth;	/* calls in flight, including those beyond the array */
	__u32 pad;
	struct frame frames[ULATENCY_MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call_stack);
} stacks SEC(".maps");

/* Indexed by function; sized before load. */
PERCPU_ARRAY_MAP(hists, struct log2_hist, 1);

/* -P: used instead of hists; sized before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct ulatency_key);
	__type(value, struct log2_hist);
} pid_hists SEC(".maps");

/* What could not be timed, reported at the end. */
__u64 too_deep = 0;		/* calls nested deeper than ULATENCY_MAX_DEPTH */
__u64 no_entry = 0;		/* returns whose entry was not seen */
__u64 abandoned = 0;		/* calls that never returned (longjmp, exceptions) */
__u64 no_stack = 0;		/* no task storage could be allocated */
__u64 lost_keys = 0;		/* -P: the hash was full */

static __always_inline void account(__u64 pid_tgid, __u32 func, __u64 v)
{
	struct log2_hist *h;

	if (per_pid) {
		struct ulatency_key k = { .tgid = pid_tgid >> 32, .func = func };

		h = log2_hist_lookup_or_init(&pid_hists, &k);
		if (h)
			log2_hist_add(h, v);
		else
			__sync_fetch_and_add(&lost_keys, 1);
		return;
	}
	h = bpf_map_lookup_elem(&hists, &func);
	if (h)
		log2_hist_add(h, v);
}

static __always_inline int on_entry(__u64 sp, __u32 func)
{
	struct call_stack *st;
	__u32 d;

	if (!filter_pass(bpf_get_current_pid_tgid()))
		return 0;
	st = bpf_task_storage_get(&stacks, bpf_get_current_task_btf(), NULL,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		__sync_fetch_and_add(&no_stack, 1);
		return 0;
	}
	d = st->depth;
	if (d >= max_level || d >= ULATENCY_MAX_DEPTH) {
		/* Deeper than -l asked for is not a loss; deeper than the array is. */
		if (d >= ULATENCY_MAX_DEPTH)
			__sync_fetch_and_add(&too_deep, 1);
		st->depth = d + 1;
		return 0;
	}
	st->frames[d].sp = sp;
	st->frames[d].func = func;
	st->depth = d + 1;
	/* Last, so the time excludes this program's own work. */
	st->frames[d].ts = bpf_ktime_get_ns();
	return 0;
}

/* @sp: %rsp after the return, or 0 from a trampoline. */
static __always_inline int on_return(__u64 sp, __u32 func)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct call_stack *st;
	struct frame *f;
	__u64 delta;
	__u32 d;

	if (!filter_pass(pid_tgid))
		return 0;
	st = bpf_task_storage_get(&stacks, bpf_get_current_task_btf(), NULL, 0);
	if (!st || !st->depth) {
		__sync_fetch_and_add(&no_entry, 1);
		return 0;
	}
	d = st->depth;
	if (d > max_level || d > ULATENCY_MAX_DEPTH) {
		/* Its entry was beyond -l, or counted in too_deep. */
		st->depth = d - 1;
		return 0;
	}
	if (!sp) {
		__u32 k = d;

		for (int i = 0; i < ULATENCY_MAX_DEPTH && k > 0; i++) {
			f = &st->frames[(k - 1) & (ULATENCY_MAX_DEPTH - 1)];
			if (!f->sp && f->func == func)
				break;
			k--;
		}
		if (!k) {
			__sync_fetch_and_add(&no_entry, 1);
			return 0;
		}
		__sync_fetch_and_add(&abandoned, d - k);
		d = k;
	} else {
		sp -= 8;
		for (int i = 0; i < ULATENCY_MAX_DEPTH && d > 0; i++) {
			if (st->frames[(d - 1) & (ULATENCY_MAX_DEPTH - 1)].sp >= sp)
				break;
			d--;
			__sync_fetch_and_add(&abandoned, 1);
		}
	}
	st->depth = d;
	if (!d) {
		__sync_fetch_and_add(&no_entry, 1);
		return 0;
	}
	f = &st->frames[(d - 1) & (ULATENCY_MAX_DEPTH - 1)];
	if (f->sp != sp || f->func != func) {
		/* A frame further out: its entry happened before we attached. */
		__sync_fetch_and_add(&no_entry, 1);
		return 0;
	}
	st->depth = d - 1;
	delta = now - f->ts;
	if (unit_div > 1)
		delta /= unit_div;
	account(pid_tgid, func, delta);
	return 0;
}

static __always_inline int on_hit(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);

	if (cookie < nfuncs)
		return on_entry(PT_REGS_SP(ctx), cookie);
	return on_return(PT_REGS_SP(ctx), cookie - nfuncs);
}

SEC("uprobe")
int ulat_uprobe(struct pt_regs *ctx)
{
	return on_hit(ctx);
}

/* Loaded with expected attach type BPF_TRACE_UPROBE_MULTI by the front end. */
SEC("uprobe")
int ulat_uprobe_multi(struct pt_regs *ctx)
{
	return on_hit(ctx);
}

SEC("kprobe")
int ulat_kprobe(struct pt_regs *ctx)
{
	return on_hit(ctx);
}

/* Trampolines: loaded for one kernel function, copied for the others. */
SEC("fentry")
int ulat_fentry(void *ctx)
{
	return on_entry(0, bpf_get_attach_cookie(ctx));
}

SEC("fexit")
int ulat_fexit(void *ctx)
{
	return on_return(0, bpf_get_attach_cookie(ctx) - nfuncs);
}

char LICENSE[] SEC("license") = "GPL";
