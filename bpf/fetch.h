/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ABI of the fetch engine, shared by common/fetch.c (the compiler) and
 * bpf/lib/fetch.bpf.h (the interpreter). An argument expression becomes a
 * few fetch operations working on one 64-bit accumulator; each expression
 * ends with a store into a fixed slot of the event's data area. A filter
 * becomes a stack-machine program over the stored slots.
 */
#ifndef COTRACE_BPF_FETCH_H
#define COTRACE_BPF_FETCH_H

#define FETCH_MAX_OPS		48	/* fetch operations per site */
#define FETCH_MAX_PRED		64	/* filter and computed-value operations per site */
#define FETCH_MAX_LIT		128	/* bytes of string literals per site */
#define FETCH_MAX_STR		1024	/* largest string slot (a power of two) */
#define FETCH_DATA_MAX		8192	/* data area of an event (a power of two) */
#define FETCH_PRED_STACK	8	/* depth of the filter's value stack */
/* Bytes a data area must have for the interpreter: offsets are masked
 * below FETCH_DATA_MAX and a string or a word may run past it. */
#define FETCH_BUF_SIZE		(2 * FETCH_DATA_MAX)

enum fetch_opcode {
	FOP_END,
	FOP_REG,	/* acc = saved register; imm: index in struct pt_regs (8-byte words) */
	FOP_USDT,	/* acc = bpf_usdt_arg(ctx, imm) */
	FOP_CTX,	/* acc = @size bytes at ctx + imm (tracepoint fields) */
	FOP_DATALOC,	/* acc = ctx + (u16)acc: a tracepoint __data_loc field */
	FOP_SPECIAL,	/* acc = enum fetch_special imm */
	FOP_IMM,	/* acc = imm */
	FOP_ADD,	/* acc += imm */
	FOP_DEREF,	/* acc = @size bytes at address acc (FETCH_F_KERNEL: kernel memory; FETCH_F_ANY) */
	FOP_SEXT,	/* sign-extend acc from @size bytes */
	FOP_ZEXT,	/* keep the low @size bytes of acc */
	FOP_STORE,	/* u64 at data + @off = acc */
	FOP_STR,	/* string at address acc into data + @off, at most @len bytes */
	FOP_COMM,	/* current comm into data + @off (16 bytes) */
	FOP_SLOT,	/* acc = u64 at data + @off, stored there before the ops ran */
	FOP_SHL,	/* acc <<= imm (bit-fields) */
	FOP_SHR,	/* acc >>= imm, unsigned */
	FOP_SAR,	/* acc >>= imm, signed */
};

enum fetch_special {
	FETCH_PID,	/* thread group id */
	FETCH_TID,
	FETCH_UID,
	FETCH_GID,
	FETCH_CPU,
	FETCH_KTIME,
	FETCH_TASK,	/* the current task_struct's address (kernel memory) */
};

#define FETCH_F_KERNEL	1	/* FOP_DEREF, FOP_STR: read kernel memory */
/* FOP_DEREF, FOP_STR at a kernel function: kernel memory for a kernel
 * address (top bit set on x86-64), else the current process's memory,
 * so that a __user pointer argument reads as well as a kernel one. */
#define FETCH_F_ANY	2
/* FOP_STR: read exactly @len bytes, NULs and all (STRCMP of a byte list). */
#define FETCH_F_RAW	4

struct fetch_op {
	__u8 code;
	__u8 size;	/* 1, 2, 4, 8 */
	__u8 flags;
	__u8 pad;
	__u16 off;	/* slot offset in the data area */
	__u16 len;	/* string slot size */
	__s64 imm;
};

enum pred_opcode {
	POP_END,
	POP_SLOT,	/* push the u64 slot at @off */
	POP_IMM,	/* push imm */
	POP_STREQ,	/* push (string slot @off == literal at lits + imm, @len bytes with NUL) */
	POP_NOT,	/* logical not of the top */
	POP_NEG,
	POP_BNOT,
	/* binary: pop b, pop a, push a OP b */
	POP_EQ, POP_NE,
	POP_LT, POP_LE, POP_GT, POP_GE,		/* signed */
	POP_LTU, POP_LEU, POP_GTU, POP_GEU,	/* unsigned */
	POP_AND, POP_OR,			/* logical */
	POP_BAND, POP_BOR, POP_BXOR,
	POP_ADD, POP_SUB, POP_MUL, POP_SHL, POP_SHR,
	POP_DIV, POP_DIVU, POP_MOD, POP_MODU,	/* x / 0 is 0 and x % 0 is x, as in BPF */
	POP_SAR,				/* >> of a signed value */
	POP_EXT,	/* narrow the top to @len bytes, sign-extended if imm */
	POP_STORE,	/* pop into the u64 slot at @off (a computed value) */
};

struct pred_op {
	__u8 code;
	__u8 pad;
	__u16 off;
	__u16 len;
	__u16 pad2;
	__s64 imm;
};

/*
 * One site's program: the value of the fetch_progs map at its cookie.
 * The fetch operations run first; then the pred operations, which
 * compute values (ending in POP_STORE) and evaluate the filter (its
 * value left on the stack: none keeps the event).
 */
struct fetch_prog {
	__u32 nops;
	__u32 npred;
	__u32 data_size;	/* bytes of the data area this site uses */
	__u32 pad;
	struct fetch_op ops[FETCH_MAX_OPS];
	struct pred_op pred[FETCH_MAX_PRED];
	char lits[FETCH_MAX_LIT];
};

#endif
