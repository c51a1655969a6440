/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sites: turn parsed probe specs into the concrete places to attach:
 * resolve the target file, match its symbols, USDT notes, tracepoints or
 * kernel functions, and deduplicate. Shared by every tool that takes a
 * probe spec, so the same spec gives the same sites everywhere.
 */
#ifndef COTRACE_SITES_H
#define COTRACE_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/probe.h"

struct site {
	enum probe_kind kind;
	char *name;		/* display name: demangled function, provider:name, cat:event */
	char *symbol;		/* raw symbol (mangled), USDT name, event or kernel function */
	char *provider;		/* USDT provider or tracepoint category */
	char *path;		/* file given to the kernel (uprobes, USDT) */
	char *display_path;	/* the same file as the user or process names it */
	uint64_t vaddr;		/* uprobes: link-time address */
	uint64_t offset;	/* uprobes: file offset */
	char *usdt_args;	/* USDT argument spec, for listings */
	size_t spec;		/* index of the spec that produced this site */
};

struct site_set {
	struct site *sites;
	size_t count, cap;
};

/*
 * Add the sites matched by @spec (the @spec_idx-th of the tool's specs)
 * for process @pid (0: all). Returns the number added (> 0), or a negative
 * errno with one sentence in @err: -ENOENT (target not found, nothing
 * matched), -ENOEXEC (not an ELF file), -EINVAL (corrupt ELF),
 * -EOPNOTSUPP (the kernel cannot probe this kind). Sites already in the
 * set (same kind, path and offset, or same event) are not added twice.
 * @kernel_ok says whether this kernel can probe kernel functions.
 */
int site_set__add(struct site_set *set, const struct probe_spec *spec, size_t spec_idx,
		  pid_t pid, bool kernel_ok, char *err, size_t errlen);

void site_set__fini(struct site_set *set);

/* True if all uprobe and USDT sites are in one file. */
bool site_set__single_file(const struct site_set *set);

#endif
