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
#include "bpf/lib/sites.bpf.h"
#include "bpf/lib/stacks.bpf.h"

/* Keep one key per site (-S): otherwise all sites share their stacks. */
const volatile bool per_site = false;

/* A hit at @site; @in_task: the program may stop the task (site_ctx_in_task()). */
static __always_inline int hit(void *ctx, __u64 site, bool in_task)
{
	if (!filter_pass(bpf_get_current_pid_tgid()))
		return 0;
	count_stack(ctx, per_site ? (__u32)site : 0, in_task);
	return 0;
}

/* The site programs count a stack at their cookie's site. */
#define hit_site(ctx, kind, cookie) hit(ctx, cookie, site_ctx_in_task(kind))

SITE_PROGRAMS(stack, hit_site)

/* Trampolines: loaded for one kernel function, copied for the others. */
SEC("fentry")
int stack_fentry(void *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx), false);
}

SEC("fexit")
int stack_fexit(void *ctx)
{
	return hit(ctx, bpf_get_attach_cookie(ctx), false);
}

char LICENSE[] SEC("license") = "GPL";
