/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unwind: build the unwind table of one file from its call-frame
 * information (.eh_frame, else the .debug_frame of its separate debug
 * file): rows sorted by file offset, each telling the BPF walk
 * (bpf/lib/unwind.bpf.h) how to find the caller's frame from an address
 * in the file (bpf/unwind.h has the row format).
 *
 * The CIE/FDE parser and the CFA program interpreter are our own; every
 * length, pointer and LEB128 is checked against the section (these files
 * are untrusted input). Only what an x86-64 walk needs is kept: the CFA
 * rule (rsp or rbp plus an offset, and the special cases of PLT stubs,
 * signal frames and realigned stacks), the return address at CFA - 8,
 * where %rbp was saved; rows that say the same are merged.
 */
#ifndef COTRACE_UNWIND_H
#define COTRACE_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/unwind.h"

struct elf_file;

/* An executable segment: file offsets [off, off + size) hold vaddrs [vaddr, ...). */
struct unwind_seg {
	uint64_t vaddr;
	uint64_t off;
	uint64_t size;
};

enum unwind_source {
	UNWIND_SRC_EH_FRAME = 1,
	UNWIND_SRC_DEBUG_FRAME = 2,
};

struct unwind_table {
	struct unwind_row *rows;	/* sorted by off; the last row is UNWIND_CFA_NONE */
	size_t nrows;
	enum unwind_source source;
	size_t nfdes;			/* FDEs read */
	size_t nunsupported;		/* rows with UNWIND_CFA_UNSUPPORTED */
	size_t nbad;			/* CIEs or FDEs skipped as malformed */
};

/*
 * Build the table of @data (@len bytes of .eh_frame, or of .debug_frame
 * when @debug_frame), whose first byte is at vaddr @vaddr, keeping the
 * addresses that fall in the segments @segs (translated to file offsets).
 * A malformed entry is skipped (counted in nbad); a malformed length
 * ends the walk. Returns the table (free with unwind_table__free()) or
 * NULL and errno (ENOMEM; ENOENT when no row was found).
 */
struct unwind_table *unwind_table__parse(const uint8_t *data, size_t len, uint64_t vaddr,
					 bool debug_frame, const struct unwind_seg *segs,
					 size_t nsegs);

/*
 * Build the table of the file @ef: its .eh_frame, else the .debug_frame
 * of the file itself or of its separate debug file (build-id,
 * .gnu_debuglink). Returns the table or NULL and errno (ENOENT: no
 * call-frame information; EINVAL: malformed headers; ENOMEM).
 */
struct unwind_table *unwind_table__from_elf(struct elf_file *ef);

/* The row that holds file offset @off, or NULL when none does (before the first). */
const struct unwind_row *unwind_table__find(const struct unwind_table *t, uint64_t off);

/* NULL-safe. */
void unwind_table__free(struct unwind_table *t);

/* "rsp+8", "rbp+16 rbp@cfa-16", "plt", "signal", "end", "none": for tests and -v. */
int unwind_row__format(const struct unwind_row *r, char *buf, size_t len);

#endif
