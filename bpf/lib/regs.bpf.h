/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 user registers as the UAPI lays them out, for BPF programs that
 * need no kernel type but struct pt_regs. vmlinux.h marks every struct
 * for CO-RE, and a single CO-RE relocation makes libbpf read and parse
 * the kernel's whole BTF at load (about 10 ms and 10 MB here); this
 * layout is ABI (arch/x86/include/uapi/asm/ptrace.h), so no relocation is
 * needed. bpf_tracing.h reads it through the UAPI names (rip, rsp...).
 */
#ifndef COTRACE_BPF_REGS_H
#define COTRACE_BPF_REGS_H

#if !defined(__TARGET_ARCH_x86)
#error "bpf/lib/regs.bpf.h describes x86-64 only"
#endif

#include "bpf/regs.h"

struct pt_regs {
	unsigned long r15, r14, r13, r12, rbp, rbx;
	unsigned long r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	unsigned long orig_rax;
	unsigned long rip, cs, eflags, rsp, ss;
};

/* The word indexes the front ends compile into fetch programs. */
#define PT_REGS_CHECK_(field, idx) \
	_Static_assert(__builtin_offsetof(struct pt_regs, field) == (idx) * 8, #field)
PT_REGS_CHECK_(r15, PT_R15);
PT_REGS_CHECK_(rbp, PT_BP);
PT_REGS_CHECK_(rbx, PT_BX);
PT_REGS_CHECK_(r11, PT_R11);
PT_REGS_CHECK_(r8, PT_R8);
PT_REGS_CHECK_(rax, PT_AX);
PT_REGS_CHECK_(rcx, PT_CX);
PT_REGS_CHECK_(rdx, PT_DX);
PT_REGS_CHECK_(rsi, PT_SI);
PT_REGS_CHECK_(rdi, PT_DI);
PT_REGS_CHECK_(rip, PT_IP);
PT_REGS_CHECK_(rsp, PT_SP);
_Static_assert(sizeof(struct pt_regs) == PT_NREGS * 8, "struct pt_regs");
#undef PT_REGS_CHECK_

#endif
