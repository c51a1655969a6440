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

struct pt_regs {
	unsigned long r15, r14, r13, r12, rbp, rbx;
	unsigned long r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	unsigned long orig_rax;
	unsigned long rip, cs, eflags, rsp, ss;
};

#endif
