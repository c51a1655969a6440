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
#include <stdio.h>
#include <sys/types.h>

#include "common/probe.h"

struct attach_features;

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
 * for process @pid (0: all). Returns the number matched (> 0), or a
 * negative errno with one sentence in @err: -ENOENT (target not found,
 * nothing matched), -ENOEXEC (not an ELF file), -EINVAL (corrupt ELF),
 * -EOPNOTSUPP (the kernel cannot probe this kind); for a raw offset the
 * refusals of insn__check_raw_offset() (data, inside an instruction, not
 * checkable without the spec's PROBE_F_UNSAFE). Sites already in the set
 * (same kind, path and offset, or same event) are not added twice, but
 * count as matched.
 * @feat tells whether this kernel can probe kernel functions (probed on
 * first need).
 */
int site_set__add(struct site_set *set, const struct probe_spec *spec, size_t spec_idx,
		  pid_t pid, struct attach_features *feat, char *err, size_t errlen);

/*
 * Parse each of @texts with probe_spec__parse(@flags) and add its sites.
 * Returns 0, or the negative errno of the first failure with one sentence
 * in @err; -EINVAL means a malformed spec.
 */
int site_set__add_specs(struct site_set *set, char *const *texts, int n, unsigned flags,
			pid_t pid, struct attach_features *feat, char *err, size_t errlen);

/*
 * Append to @set a return probe twin of each of its PROBE_UPROBE and
 * PROBE_KPROBE sites (PROBE_URETPROBE, PROBE_KRETPROBE), in order and
 * without deduplication, so that the k-th entry site's twin is the k-th
 * site appended: tools that time calls map both cookies to one function. Returns the number of sites
 * appended, or -ENOMEM (then the set holds the twins appended so far).
 */
int site_set__add_returns(struct site_set *set);

/*
 * Return probes in Go programs. Go grows a goroutine's stack by copying
 * it, and walks its frames by their return addresses; a uretprobe puts
 * the address of the kernel's trampoline in place of one, and the Go
 * runtime dies ("fatal error: unknown caller pc") at the next stack
 * growth or traceback. For each file holding a PROBE_URETPROBE site of
 * @set that is a Go program (elf_file__is_go()): without @force, say so
 * in one sentence on @f as "TOOL: ..." and return -EINVAL (the user's
 * input; site_error_exit_code() gives 2), naming --force; with @force,
 * print a warning on @f and go on. Returns 0, -EINVAL, or a negative
 * errno after saying on @f which file could not be read.
 */
int site_set__check_go_returns(const struct site_set *set, bool force, const char *tool,
			       FILE *f);

/*
 * For a command the tool runs (-c): refuse the set when one of its files
 * (uprobes, USDT) cannot be loaded by @exe, the command's program: an ELF
 * class or machine other than its own (a 32-bit program, and the 64-bit
 * libc that "c" resolves to). @exe NULL, empty or not an ELF file (a
 * script): 0. Returns 0, or -ENOEXEC with one sentence in @err.
 */
int site_set__check_program(const struct site_set *set, const char *exe, char *err,
			    size_t errlen);
/* site_set__check_program(), saying why on @f as "TOOL: ...": a usage error. */
int site_set__check_program_or_say(const struct site_set *set, const char *exe,
				   const char *tool, FILE *f);

/* The exit code for an error of site_set__add*(): 1 when the kernel or
 * the machine failed, 2 when the user's input was wrong. */
int site_error_exit_code(int err);

void site_set__fini(struct site_set *set);

struct attacher;
struct bpf_program;
struct skipped_site;
enum attach_mode;

/* A tool's BPF programs, one per kind of site (NULL where it has none). */
struct site_progs {
	struct bpf_program *uprobe;		/* perf-event uprobes, cookie = site index */
	struct bpf_program *uprobe_multi;	/* multi-uprobe links */
	struct bpf_program *usdt;
	struct bpf_program *tracepoint;
	struct bpf_program *kprobe;
	struct bpf_program *kprobe_multi;
	struct bpf_program *fentry;		/* kernel function entries through trampolines */
	struct bpf_program *fexit;		/* and returns; both must ignore their arguments */
};

/*
 * The members of a struct site_progs initialiser for skeleton @skel whose
 * programs are named PREFIX_uprobe, PREFIX_uprobe_multi, PREFIX_usdt,
 * PREFIX_tracepoint, PREFIX_kprobe and PREFIX_kprobe_multi:
 * &(struct site_progs){ SITE_PROGS_INIT(skel, argdist) }.
 */
#define SITE_PROGS_INIT(skel, prefix)					\
	.uprobe = (skel)->progs.prefix##_uprobe,			\
	.uprobe_multi = (skel)->progs.prefix##_uprobe_multi,		\
	.usdt = (skel)->progs.prefix##_usdt,				\
	.tracepoint = (skel)->progs.prefix##_tracepoint,		\
	.kprobe = (skel)->progs.prefix##_kprobe,			\
	.kprobe_multi = (skel)->progs.prefix##_kprobe_multi

/*
 * Between open and load: load only the programs @set needs, choosing the
 * multi-uprobe and kprobe-multi variants where @feat has them and @mode
 * allows. Kernel functions go through BPF trampolines (fentry, fexit)
 * where the kernel has them, the tool gives the programs and @mode is not
 * ATTACH_SINGLE; the kprobe programs are loaded too, for the functions a
 * trampoline cannot take. Returns 0 or a negative errno.
 */
int site_set__prepare_progs(const struct site_set *set, const struct site_progs *p,
			    const struct attach_features *feat, enum attach_mode mode);

/*
 * Attach every site of @set with its index as the cookie: uprobes grouped
 * by binary (one multi-uprobe link each where loaded), USDT probes,
 * tracepoints, kernel functions. *attached counts the sites attached;
 * refused sites are recorded in @a. On error returns a negative errno
 * with one sentence in @err.
 */
int site_set__attach(const struct site_set *set, struct attacher *a, const struct site_progs *p,
		     enum attach_mode mode, pid_t pid, size_t *attached, char *err, size_t errlen);

/*
 * site_set__attach(), telling the user on @f (the tool's stderr), each
 * line "TOOL: ...": the error, every site the kernel refused (as
 * attacher__skipped() keeps them, for the tool's summary), or that no
 * probe could be attached. Returns 0 when at least one site is attached,
 * else a negative errno (-ENOENT: none could be).
 */
int site_set__attach_or_say(const struct site_set *set, struct attacher *a,
			    const struct site_progs *p, enum attach_mode mode, pid_t pid,
			    const char *tool, FILE *f, size_t *attached);

/* Runs the kernel skipped, summed over the programs of @p. */
uint64_t site_progs__misses(const struct site_progs *p);

/* Why a site was skipped, as a sentence fragment. */
const char *skipped_site__reason(const struct skipped_site *s);

/* True if all uprobe and USDT sites are in one file. */
bool site_set__single_file(const struct site_set *set);

#endif
