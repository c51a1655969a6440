/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The binary operations of the filter's stack machine (enum pred_opcode
 * of bpf/fetch.h), in one place for the BPF interpreter
 * (bpf/lib/fetch.bpf.h) and its model in user space (common/fetch.c),
 * so that both compute the same values. Arithmetic is done on unsigned
 * values where C leaves a signed overflow undefined; x / 0 is 0 and
 * x % 0 is x, as in BPF.
 *
 * Takes bpf/fetch.h and the __s64/__u64 types of whoever includes it.
 */
#ifndef COTRACE_BPF_FETCH_OPS_H
#define COTRACE_BPF_FETCH_OPS_H

#include "bpf/fetch.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* a / b and a % b with BPF's unsigned division (signed division needs
 * BPF v4): signs handled apart. */
static __always_inline __s64 fetch_op_div(__u8 code, __s64 a, __s64 b)
{
	__u64 ua = a, ub = b;

	if (code == POP_DIVU)
		return ub ? (__s64)(ua / ub) : 0;
	if (code == POP_MODU)
		return ub ? (__s64)(ua % ub) : a;
	ua = a < 0 ? 0 - ua : ua;
	ub = b < 0 ? 0 - ub : ub;
	if (!ub)
		return code == POP_DIV ? 0 : a;
	if (code == POP_DIV)
		return (a < 0) != (b < 0) ? (__s64)(0 - ua / ub) : (__s64)(ua / ub);
	return a < 0 ? (__s64)(0 - ua % ub) : (__s64)(ua % ub);
}

/* a @code b, for the binary operations (POP_EQ to POP_SAR); 0 for others. */
static __always_inline __s64 fetch_op_binary(__u8 code, __s64 a, __s64 b)
{
	switch (code) {
	case POP_EQ: return a == b;
	case POP_NE: return a != b;
	case POP_LT: return a < b;
	case POP_LE: return a <= b;
	case POP_GT: return a > b;
	case POP_GE: return a >= b;
	case POP_LTU: return (__u64)a < (__u64)b;
	case POP_LEU: return (__u64)a <= (__u64)b;
	case POP_GTU: return (__u64)a > (__u64)b;
	case POP_GEU: return (__u64)a >= (__u64)b;
	case POP_AND: return a && b;
	case POP_OR: return a || b;
	case POP_BAND: return a & b;
	case POP_BOR: return a | b;
	case POP_BXOR: return a ^ b;
	case POP_ADD: return (__s64)((__u64)a + (__u64)b);
	case POP_SUB: return (__s64)((__u64)a - (__u64)b);
	case POP_MUL: return (__s64)((__u64)a * (__u64)b);
	case POP_SHL: return (__s64)((__u64)a << (b & 63));
	case POP_SHR: return (__s64)((__u64)a >> (b & 63));
	/* Arithmetic shift without relying on >> of a negative value. */
	case POP_SAR: return a < 0 ? ~(__s64)(~(__u64)a >> (b & 63)) :
				     (__s64)((__u64)a >> (b & 63));
	case POP_DIV: case POP_DIVU: case POP_MOD: case POP_MODU:
		return fetch_op_div(code, a, b);
	default: return 0;
	}
}

#endif
