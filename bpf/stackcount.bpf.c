// SPDX-License-Identifier: GPL-2.0-only
/*
 * stackcount: count the distinct stacks that reach a probe. Sites carry
 * their index as the BPF cookie; the key holds (process, stacks, site).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "bpf/lib/filter.bpf.h"
#include "bpf/lib/stacks.bpf.h"

/* Keep one key per site (-S): otherwise all sites share their stacks. */
const volatile bool per_site = false;

static __always_inline int hit(void *ctx, __u64 site)
{
	if (!filter_pass(bpf_get_current_pid_tgid()))
		return 0;
	count_stack(ctx, per_site ? (__u32)site : 0);
	return 0;
}

SEC("uprobe")
int stack_uprobe(struct pt_regs *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx));
}

SEC("uprobe")
int stack_uprobe_multi(struct pt_regs *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx));
}

SEC("usdt")
int stack_usdt(struct pt_regs *ctx)
{
	return hit(ctx, bpf_usdt_cookie(ctx));
}

SEC("kprobe")
int stack_kprobe(struct pt_regs *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx));
}

SEC("kprobe.multi")
int stack_kprobe_multi(struct pt_regs *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx));
}

/* Trampolines: loaded for one kernel function, copied for the others. */
SEC("fentry")
int stack_fentry(void *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx));
}

SEC("fexit")
int stack_fexit(void *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx));
}

SEC("tracepoint")
int stack_tracepoint(void *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx));
}

char LICENSE[] SEC("license") = "GPL";
