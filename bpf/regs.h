/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 registers, in one place for the BPF programs and the front ends:
 * the word indexes of struct pt_regs (the layout is UAPI,
 * arch/x86/include/uapi/asm/ptrace.h; bpf/lib/regs.bpf.h checks its copy
 * of the struct against them), the integer argument registers of the
 * calling conventions the fetch compiler knows, and DWARF's register
 * numbers (x86-64 psABI, figure 3.36).
 *
 * Plain C with no includes, so that both sides can take it.
 */
#ifndef COTRACE_BPF_REGS_INDEX_H
#define COTRACE_BPF_REGS_INDEX_H

/* struct pt_regs word indexes. */
enum pt_reg {
	PT_R15, PT_R14, PT_R13, PT_R12, PT_BP, PT_BX, PT_R11, PT_R10, PT_R9, PT_R8,
	PT_AX, PT_CX, PT_DX, PT_SI, PT_DI, PT_ORIG_AX, PT_IP, PT_CS, PT_FLAGS, PT_SP, PT_SS,
	PT_NREGS,	/* 8-byte words of struct pt_regs */
};

#define REGS_SYSV_NARGS	6	/* System V AMD64: integer arguments in registers */
#define REGS_GO_NARGS	9	/* Go's register ABI (ABIInternal, Go 1.17+) */
#define REGS_DWARF_NREGS 16	/* DWARF registers 0..15, the integer registers */

/*
 * The tables; unused ones cost nothing (static const, and BPF programs
 * do not reference them).
 */
__attribute__((unused))
static const int regs_sysv_args[REGS_SYSV_NARGS] = {
	PT_DI, PT_SI, PT_DX, PT_CX, PT_R8, PT_R9,
};

/* Integer arguments and results alike: the first result is in %rax. */
__attribute__((unused))
static const int regs_go_args[REGS_GO_NARGS] = {
	PT_AX, PT_BX, PT_CX, PT_DI, PT_SI, PT_R8, PT_R9, PT_R10, PT_R11,
};

/* DWARF register number -> pt_regs word. */
__attribute__((unused))
static const int regs_dwarf[REGS_DWARF_NREGS] = {
	PT_AX, PT_DX, PT_CX, PT_BX, PT_SI, PT_DI, PT_BP, PT_SP,
	PT_R8, PT_R9, PT_R10, PT_R11, PT_R12, PT_R13, PT_R14, PT_R15,
};

/* The names of the pt_regs words, as ftrace writes them after '%'. */
__attribute__((unused))
static const char *const regs_names[PT_NREGS] = {
	"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
	"ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss",
};

#endif
