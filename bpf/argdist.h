/* SPDX-License-Identifier: GPL-2.0-only */
/* ABI shared by bpf/argdist.bpf.c and tools/argdist.c. */
#ifndef COTRACE_BPF_ARGDIST_H
#define COTRACE_BPF_ARGDIST_H

#include "bpf/hist.h"

#define ARGDIST_KEY_MAX		512	/* bytes of a frequency key (a power of two) */
#define ARGDIST_ENTRY_WORDS	8	/* words saved at entry: the time, then $entry() values */

/* What a site does; flags of its struct argdist_site. */
enum argdist_site_flags {
	ARGDIST_SAVE_ENTRY = 1,	/* an entry twin: save the time and $entry() values */
	ARGDIST_USE_ENTRY = 2,	/* a return probe that needs its entry's record */
	ARGDIST_HIST = 4,	/* -H: the key's first word goes into a log2 histogram */
};

/* The value of the sites map at a site's cookie. */
struct argdist_site {
	__u32 spec;		/* index of the specifier */
	__u32 flags;
	__u32 pair;		/* entry twins: the cookie of their return site */
	__u32 key_off;		/* the key's bytes in the data area */
};

/*
 * A frequency key: the specifier, then the key values as the fetch
 * program laid them out (zero-padded). The counts map's key size is set
 * before load to 8 + the longest key, rounded up to 8 bytes.
 */
struct argdist_key {
	__u32 spec;
	__u32 pad;
	__u8 data[ARGDIST_KEY_MAX];
};

/* An entry waiting for its return, keyed by thread and return site. */
struct argdist_entry_key {
	__u32 tid;
	__u32 site;
};

struct argdist_entry {
	__u64 words[ARGDIST_ENTRY_WORDS];
};

/* Default sizes of the counts (-C) and calls-in-flight tables. */
#define ARGDIST_COUNT_ENTRIES 10240
#define ARGDIST_CALL_ENTRIES 10240

#endif
