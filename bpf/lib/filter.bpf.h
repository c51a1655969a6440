/* SPDX-License-Identifier: GPL-2.0-only */
/* Process filters shared by the BPF programs. Knobs are set before load. */
#ifndef COTRACE_BPF_FILTER_H
#define COTRACE_BPF_FILTER_H

#include <stdbool.h>

const volatile __u32 targ_tgid = 0;	/* 0: every process */
const volatile __s32 targ_cpu = -1;	/* bcc's -c CPU (funccount, stackcount); -1: every CPU */

/* True if the current task passes the -p filter and runs on -c's CPU. */
static __always_inline bool filter_pass(__u64 pid_tgid)
{
	if (targ_cpu >= 0 && bpf_get_smp_processor_id() != (__u32)targ_cpu)
		return false;
	return !targ_tgid || (__u32)(pid_tgid >> 32) == targ_tgid;
}

#endif
