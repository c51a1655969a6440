/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI shared by bpf/syscount.bpf.c and tools/syscount.c. */
#ifndef COTRACE_BPF_SYSCOUNT_H
#define COTRACE_BPF_SYSCOUNT_H

/*
 * Syscalls numbered below this are counted in a per-CPU array indexed by
 * the number; any other number (x32 calls, -1 from ptrace or seccomp) in
 * the small "other" hash, so no syscall is ever dropped.
 */
#define SYSCOUNT_NR_SLOTS 1024

/* A value of the per-syscall maps: calls and, with -L, their total time. */
struct syscount_val {
	__u64 count;
	__u64 ns;
};

/* A value of the per-process hash (-P), keyed by tgid. */
struct syscount_proc {
	__u64 count;
	__u64 ns;
	char comm[16];
};

/* Default size of the table of syscall numbers beyond the array. */
#define SYSCOUNT_OTHER_ENTRIES 1024

#endif
