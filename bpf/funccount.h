/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI shared by bpf/funccount.bpf.c and tools/funccount.c. */
#ifndef COTRACE_BPF_FUNCCOUNT_H
#define COTRACE_BPF_FUNCCOUNT_H

/*
 * The counts map is a per-CPU array of __u64 indexed by the site's attach
 * cookie; with per-process counting it is a hash keyed by struct
 * funccount_key instead.
 */
struct funccount_key {
	__u32 tgid;
	__u32 site;
};

#endif
