/* SPDX-License-Identifier: GPL-2.0-only */
/* Process filters shared by the BPF programs. Knobs are set before load. */
#ifndef COTRACE_BPF_FILTER_H
#define COTRACE_BPF_FILTER_H

#include <stdbool.h>

const volatile __u32 targ_tgid = 0;	/* 0: every process */

/* True if the current task passes the -p filter. */
static __always_inline bool filter_pass(__u64 pid_tgid)
{
	return !targ_tgid || (__u32)(pid_tgid >> 32) == targ_tgid;
}

#endif
