/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The programs a tool with probe specs attaches to its sites, as
 * common/sites.h's SITE_PROGS_INIT() names them: PREFIX_uprobe,
 * PREFIX_uprobe_multi (loaded as a multi-uprobe by the front end),
 * PREFIX_usdt, PREFIX_kprobe, PREFIX_kprobe_multi and PREFIX_tracepoint.
 * Each calls HANDLER(ctx, kind, cookie): @kind says how @ctx is laid out
 * (enum site_ctx_kind), @cookie is the site's index as the front end set
 * it. HANDLER may be a function-like macro that drops what it needs not.
 */
#ifndef COTRACE_BPF_LIB_SITES_BPF_H
#define COTRACE_BPF_LIB_SITES_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

enum site_ctx_kind {
	SITE_CTX_REGS,		/* uprobe, uretprobe: ctx is struct pt_regs */
	SITE_CTX_USDT,		/* USDT: pt_regs, plus bpf_usdt_arg() */
	SITE_CTX_TP,		/* tracepoint: ctx is the raw record */
	SITE_CTX_KREGS,		/* kprobe, kretprobe: struct pt_regs of kernel code */
};

/*
 * The program runs in the probed task's own context with interrupts on
 * (a user probe): it may stop the task (bpf/lib/stacks.bpf.h, send_note()).
 * A kprobe or a tracepoint can fire in an interrupt, on any task.
 */
static __always_inline bool site_ctx_in_task(enum site_ctx_kind kind)
{
	return kind == SITE_CTX_REGS || kind == SITE_CTX_USDT;
}

#define SITE_PROGRAMS(prefix, handler)						\
SEC("uprobe") int prefix##_uprobe(struct pt_regs *ctx)				\
{ return handler(ctx, SITE_CTX_REGS, bpf_get_attach_cookie(ctx)); }		\
SEC("uprobe") int prefix##_uprobe_multi(struct pt_regs *ctx)			\
{ return handler(ctx, SITE_CTX_REGS, bpf_get_attach_cookie(ctx)); }		\
SEC("kprobe") int prefix##_kprobe(struct pt_regs *ctx)				\
{ return handler(ctx, SITE_CTX_KREGS, bpf_get_attach_cookie(ctx)); }		\
SEC("kprobe.multi") int prefix##_kprobe_multi(struct pt_regs *ctx)		\
{ return handler(ctx, SITE_CTX_KREGS, bpf_get_attach_cookie(ctx)); }		\
SEC("usdt") int prefix##_usdt(struct pt_regs *ctx)				\
{ return handler(ctx, SITE_CTX_USDT, bpf_usdt_cookie(ctx)); }			\
SEC("tracepoint") int prefix##_tracepoint(void *ctx)				\
{ return handler(ctx, SITE_CTX_TP, bpf_get_attach_cookie(ctx)); }

#endif
