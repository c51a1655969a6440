/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fetch interpreter: runs a site's fetch operations (compiled by
 * common/fetch.c) into an event's data area, then its filter. One generic
 * program serves every expression, so a static binary needs no compiler.
 *
 * Include after bpf_helpers.h, bpf_tracing.h and usdt.bpf.h. The tool
 * sizes fetch_progs to its number of sites before load and writes each
 * site's struct fetch_prog at the site's cookie.
 */
#ifndef COTRACE_BPF_LIB_FETCH_H
#define COTRACE_BPF_LIB_FETCH_H

#include "bpf/fetch.h"
#include "bpf/fetch_ops.h"
#include "bpf/lib/maps.bpf.h"
#include "bpf/lib/sites.bpf.h"
#include "bpf/regs.h"

#define FETCH_NREGS PT_NREGS	/* 8-byte words of struct pt_regs */


struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fetch_prog);
} fetch_progs SEC(".maps");

struct fetch_scratch {
	__u64 regs[FETCH_NREGS + 3];
	__s64 stack[FETCH_PRED_STACK];
	/* The filter's stack depth and error, kept here rather than in the
	 * caller's frame: see fetch_pred(). */
	__u32 sp;
	__u32 bad;
};

PERCPU_ARRAY_MAP(fetch_scratch, struct fetch_scratch, 1);

/* Read @addr as kernel memory: FETCH_F_KERNEL, or FETCH_F_ANY and a
 * kernel address (x86-64: the upper half, top bit set). */
static __always_inline bool fetch_kernel_addr(__u8 flags, __u64 addr)
{
	return (flags & FETCH_F_KERNEL) || ((flags & FETCH_F_ANY) && (__s64)addr < 0);
}

/*
 * Run @p's fetch operations for @ctx into @data, which must point into a
 * map value with at least FETCH_BUF_SIZE bytes from @data. Offsets are
 * masked rather than compared: clang 14 may test a copy of a register and
 * index with the original, which the verifier cannot follow.
 * Faulting reads leave zero (numbers) or an empty string.
 */
static __always_inline void fetch_run(void *ctx, enum site_ctx_kind kind,
				      const struct fetch_prog *p, __u8 *data)
{
	struct fetch_scratch *s;
	__u32 zero = 0, n = p->nops;
	__u64 acc = 0, base = 0;

	s = bpf_map_lookup_elem(&fetch_scratch, &zero);
	if (!s)
		return;
	if (kind != SITE_CTX_TP) {
		__builtin_memcpy(s->regs, ctx, FETCH_NREGS * 8);
	} else {
		/*
		 * The record's address as a number: arithmetic on a ctx pointer
		 * with a variable offset is refused, so launder it through the
		 * map (the volatile load keeps clang from reusing the pointer).
		 */
		s->regs[FETCH_NREGS] = (__u64)ctx;
		base = *(volatile __u64 *)&s->regs[FETCH_NREGS];
	}

	for (int i = 0; i < FETCH_MAX_OPS; i++) {
		const struct fetch_op *op = &p->ops[i];
		__u32 off = op->off, len = op->len, size = op->size;
		__u64 v = 0;

		if (i >= n)
			break;
		switch (op->code) {
		case FOP_REG:
			if (kind != SITE_CTX_TP && op->imm >= 0 && op->imm < FETCH_NREGS)
				acc = s->regs[op->imm];
			break;
		case FOP_USDT:
			if (kind == SITE_CTX_USDT) {
				long val = 0;

				bpf_usdt_arg(ctx, op->imm, &val);
				acc = val;
			}
			break;
		case FOP_CTX:
			if (kind == SITE_CTX_TP && size <= 8)
				bpf_probe_read_kernel(&v, size, (void *)(base + op->imm));
			acc = v;
			break;
		case FOP_DATALOC:
			acc = base + (acc & 0xffff);
			break;
		case FOP_SPECIAL:
			switch (op->imm) {
			case FETCH_PID:
				acc = bpf_get_current_pid_tgid() >> 32;
				break;
			case FETCH_TID:
				acc = (__u32)bpf_get_current_pid_tgid();
				break;
			case FETCH_UID:
				acc = (__u32)bpf_get_current_uid_gid();
				break;
			case FETCH_GID:
				acc = bpf_get_current_uid_gid() >> 32;
				break;
			case FETCH_CPU:
				acc = bpf_get_smp_processor_id();
				break;
			case FETCH_TASK:
				acc = bpf_get_current_task();
				break;
			default:
				acc = bpf_ktime_get_ns();
				break;
			}
			break;
		case FOP_IMM:
			acc = op->imm;
			break;
		case FOP_ADD:
			acc += op->imm;
			break;
		case FOP_DEREF:
			if (size > 8)
				size = 8;
			if (fetch_kernel_addr(op->flags, acc))
				bpf_probe_read_kernel(&v, size, (void *)acc);
			else
				bpf_probe_read_user(&v, size, (void *)acc);
			acc = v;
			break;
		case FOP_SEXT:
			if (size == 1)
				acc = (__s64)(__s8)acc;
			else if (size == 2)
				acc = (__s64)(__s16)acc;
			else if (size == 4)
				acc = (__s64)(__s32)acc;
			break;
		case FOP_ZEXT:
			if (size == 1)
				acc = (__u8)acc;
			else if (size == 2)
				acc = (__u16)acc;
			else if (size == 4)
				acc = (__u32)acc;
			break;
		case FOP_STORE:
			*(__u64 *)(data + (off & (FETCH_DATA_MAX - 1))) = acc;
			break;
		case FOP_STR:
			off &= FETCH_DATA_MAX - 1;
			len &= 2 * FETCH_MAX_STR - 1;
			if (!len || len > FETCH_MAX_STR)
				break;
			data[off] = 0;
			if (op->flags & FETCH_F_RAW) {
				if (fetch_kernel_addr(op->flags, acc))
					bpf_probe_read_kernel(data + off, len, (void *)acc);
				else
					bpf_probe_read_user(data + off, len, (void *)acc);
			} else if (fetch_kernel_addr(op->flags, acc)) {
				bpf_probe_read_kernel_str(data + off, len, (void *)acc);
			} else {
				bpf_probe_read_user_str(data + off, len, (void *)acc);
			}
			break;
		case FOP_COMM:
			bpf_get_current_comm(data + (off & (FETCH_DATA_MAX - 1)), 16);
			break;
		case FOP_SLOT:
			acc = *(__u64 *)(data + (off & (FETCH_DATA_MAX - 1)));
			break;
		case FOP_SHL:
			acc <<= op->imm & 63;
			break;
		case FOP_SHR:
			acc >>= op->imm & 63;
			break;
		case FOP_SAR:
			acc = (__s64)acc >> (op->imm & 63);
			break;
		default:
			break;
		}
	}
}

/* Compare the string slot at @data + @off with the literal at @lits + @lit
 * (@len bytes, its NUL included). */
static __always_inline bool fetch_streq(const __u8 *data, __u32 off, const char *lits,
					__u32 lit, __u32 len)
{
	for (int j = 0; j < FETCH_MAX_LIT; j++) {
		__u32 a = (off + j) & (FETCH_BUF_SIZE - 1), b = (lit + j) & (FETCH_MAX_LIT - 1);

		if (j >= len)
			break;
		if (data[a] != lits[b])
			return false;
	}
	return true;
}

struct fetch_pred_ctx {
	const struct fetch_prog *p;
	__u8 *data;
	struct fetch_scratch *s;
};

/* One filter operation; a bpf_loop() callback, so the verifier walks it
 * once instead of once per iteration and stack depth. */
static long fetch_pred_step(__u32 i, void *arg)
{
	struct fetch_pred_ctx *c = arg;
	const struct pred_op *op;
	struct fetch_scratch *s = c->s;
	__u32 sp = s->sp;
	__s64 a, b, r;
	__u8 code;

	if (i >= FETCH_MAX_PRED)
		return 1;
	op = &c->p->pred[i];
	code = op->code;
	if (code <= POP_STREQ) {
		if (sp >= FETCH_PRED_STACK)
			goto bad;
		if (code == POP_SLOT)
			r = *(__s64 *)(c->data + (op->off & (FETCH_DATA_MAX - 1)));
		else if (code == POP_IMM)
			r = op->imm;
		else if (code == POP_STREQ)
			r = fetch_streq(c->data, op->off, c->p->lits, op->imm, op->len);
		else
			r = 0;
		s->stack[sp & (FETCH_PRED_STACK - 1)] = r;
		s->sp = sp + 1;
		return 0;
	}
	if (code <= POP_BNOT || code == POP_EXT) {
		if (sp < 1 || sp > FETCH_PRED_STACK)
			goto bad;
		a = s->stack[(sp - 1) & (FETCH_PRED_STACK - 1)];
		if (code == POP_EXT) {
			__u16 len = op->len;

			if (len == 1)
				r = op->imm ? (__s64)(__s8)a : (__s64)(__u8)a;
			else if (len == 2)
				r = op->imm ? (__s64)(__s16)a : (__s64)(__u16)a;
			else if (len == 4)
				r = op->imm ? (__s64)(__s32)a : (__s64)(__u32)a;
			else
				r = a;
		} else {
			r = code == POP_NOT ? !a : code == POP_NEG ? -a : ~a;
		}
		s->stack[(sp - 1) & (FETCH_PRED_STACK - 1)] = r;
		return 0;
	}
	if (code == POP_STORE) {
		if (sp < 1 || sp > FETCH_PRED_STACK)
			goto bad;
		*(__s64 *)(c->data + (op->off & (FETCH_DATA_MAX - 1))) =
			s->stack[(sp - 1) & (FETCH_PRED_STACK - 1)];
		s->sp = sp - 1;
		return 0;
	}
	if (sp < 2 || sp > FETCH_PRED_STACK)
		goto bad;
	b = s->stack[(sp - 1) & (FETCH_PRED_STACK - 1)];
	a = s->stack[(sp - 2) & (FETCH_PRED_STACK - 1)];
	r = fetch_op_binary(code, a, b);
	s->stack[(sp - 2) & (FETCH_PRED_STACK - 1)] = r;
	s->sp = sp - 1;
	return 0;
bad:
	s->bad = 1;
	return 1;
}

/*
 * Run @p's pred operations on @data: computed values are stored into it,
 * then the filter decides; true (keep the event) when it has none. A
 * malformed program (never produced by common/fetch.c) keeps the event.
 *
 * The depth lives in the per-CPU scratch value, not in @c on this stack:
 * verifiers before Linux 6.7 check a bpf_loop() callback once, with the
 * caller's stack as it is at the call, so a depth there would be the
 * known constant 0 and the pops (depth >= 2) would be pruned as dead
 * code; every filter then kept every event (seen on Debian's 6.1). A map
 * value is an unknown scalar to every verifier.
 */
static __always_inline bool fetch_pred(const struct fetch_prog *p, __u8 *data)
{
	struct fetch_pred_ctx c = { .p = p, .data = data };
	__u32 zero = 0, n = p->npred, sp;

	if (!n)
		return true;
	c.s = bpf_map_lookup_elem(&fetch_scratch, &zero);
	if (!c.s)
		return true;
	c.s->sp = 0;
	c.s->bad = 0;
	bpf_loop(n < FETCH_MAX_PRED ? n : FETCH_MAX_PRED, fetch_pred_step, &c, 0);
	sp = c.s->sp;
	if (c.s->bad || !sp || sp > FETCH_PRED_STACK)
		return true;
	return c.s->stack[(sp - 1) & (FETCH_PRED_STACK - 1)] != 0;
}

#endif
