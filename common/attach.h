/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach: feature probes, and attaching BPF programs to uprobes (one
 * multi-uprobe link per binary, or one perf-event uprobe per site), USDT
 * probes and tracepoints. Every link is fd-based, so the kernel removes
 * them when the process dies, even by SIGKILL.
 */
#ifndef COTRACE_ATTACH_H
#define COTRACE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct bpf_program;

enum attach_mode {
	ATTACH_AUTO,	/* multi-uprobe link where the kernel has it */
	ATTACH_MULTI,	/* multi-uprobe link or fail */
	ATTACH_SINGLE,	/* one perf-event uprobe per site */
};

/* What this kernel can do; filled once per run by attach_features__probe(). */
struct attach_features {
	bool uprobe_multi;	/* BPF_TRACE_UPROBE_MULTI links (6.6+) */
	bool kprobe;		/* kprobe PMU or tracefs kprobe_events */
	bool kprobe_multi;	/* BPF_TRACE_KPROBE_MULTI links (5.18+) */
	bool trampoline;	/* fentry/fexit: see attach_features__kernel_functions() */
	bool trampoline_probed;
	bool bpf_cookie;	/* bpf_get_attach_cookie() (5.15+) */
	bool ringbuf;		/* BPF_MAP_TYPE_RINGBUF (5.8+) */
	/*
	 * The first probe that could not ask the kernel, for want of file
	 * descriptors or memory (-EMFILE, -ENFILE, -ENOMEM), or 0. Its
	 * feature reads false, but not because the kernel lacks it: a
	 * message must name this error instead.
	 */
	int error;
};

/*
 * Probe the running kernel: the cheap probes only (a few trivial program
 * loads). Returns 0, or f->error: the probes ran, but one could not tell
 * whether the kernel has its feature.
 */
int attach_features__probe(struct attach_features *f);

/*
 * True if kernel functions can be probed (kprobes, or fentry). The fentry
 * probe reads the kernel's BTF (milliseconds, megabytes), so it runs only
 * when asked, once; when it cannot tell, it sets f->error.
 */
bool attach_features__kernel_functions(struct attach_features *f);

/*
 * Print what this kernel has, for -v: one line "kernel features: ..." on
 * @fp. Runs the lazy fentry probe first so that the line tells the truth.
 */
void attach_features__report(struct attach_features *f, FILE *fp);

/* Parse "auto", "multi" or "single". Returns 0 or -EINVAL. */
int attach_mode__parse(const char *s, enum attach_mode *mode);

/*
 * Prepare @multi (which may be NULL) to be loaded for multi-uprobe links,
 * or disable it when @use_multi is false. Call between open and load.
 */
int attach__prepare_uprobe_multi(struct bpf_program *multi, bool use_multi);

struct uprobe_site {
	const char *name;	/* for reports (borrowed) */
	uint64_t offset;	/* file offset of the instruction */
	uint64_t ref_ctr;	/* file offset of a USDT semaphore, or 0 */
	uint64_t cookie;	/* passed to the program through bpf_get_attach_cookie() */
};

/* A site the kernel refused, reported to the user by name. */
struct skipped_site {
	char *name;
	char *path;
	uint64_t offset;
	int err;		/* -ENOTSUPP (524): the kernel refused it; -EILSEQ: unsafe */
};

struct attacher;

/* An empty set of links. NULL and errno on failure. */
struct attacher *attacher__new(void);

/*
 * Detach everything and free. Perf-event uprobes are released from several
 * threads at once because each one waits for an RCU grace period in the
 * kernel. NULL-safe.
 */
void attacher__free(struct attacher *a);

/*
 * Attach uprobes (or uretprobes with @retprobe) at @sites of @path, for
 * process @pid (-1: every process). With a multi-uprobe link, @multi is
 * used, else @single. Sites whose first instruction the kernel cannot
 * probe (ENOTSUPP) are skipped and recorded; *attached is set to the
 * number attached. Returns 0, or a negative errno for any other failure
 * (then nothing of this call stays attached).
 */
int attacher__uprobes(struct attacher *a, struct bpf_program *multi, struct bpf_program *single,
		      enum attach_mode mode, const char *path, pid_t pid, bool retprobe,
		      const struct uprobe_site *sites, size_t count, size_t *attached);

/* Attach @prog to USDT probe @provider:@name of @path; libbpf does the rest. */
int attacher__usdt(struct attacher *a, struct bpf_program *prog, const char *path, pid_t pid,
		   const char *provider, const char *name, uint64_t cookie);

/*
 * Attach kernel-function probes (kretprobes with @retprobe) on @syms with
 * @cookies: one kprobe-multi link through @multi when it was loaded, else
 * one kprobe per function through @single. Returns 0 or a negative errno
 * (then nothing of this call stays attached).
 */
int attacher__kprobes(struct attacher *a, struct bpf_program *multi, struct bpf_program *single,
		      bool retprobe, const char **syms, const uint64_t *cookies, size_t count);

/*
 * Open a sampling perf event on @cpu for every process: software
 * cpu-clock at @freq Hz, or every @period events (hardware cycles where
 * the machine has them, else cpu-clock nanoseconds), and attach @prog to
 * it. Returns 0, -ENODEV for an offline or absent CPU, or a negative errno.
 */
int attacher__perf_sample(struct attacher *a, struct bpf_program *prog, int cpu, uint64_t freq,
			  uint64_t period);

/* Attach @prog to tracepoint @category:@event with @cookie. */
int attacher__tracepoint(struct attacher *a, struct bpf_program *prog, const char *category,
			 const char *event, uint64_t cookie);

/* True if the kernel's BTF describes kernel function @func (fentry needs it). */
bool attach__kernel_func_has_btf(const char *func);

/*
 * Attach @prog, a loaded fentry or fexit program that does not depend on
 * the function it was loaded for, to each kernel function of @syms with
 * @cookies: one copy of the program per function, each with its own
 * trampoline link. done[i] tells which were attached; the others (not in
 * the BTF, or refused) are left for kprobes. Returns the number attached,
 * or a negative errno. NULL or unloaded @prog: 0.
 */
int attacher__trampolines(struct attacher *a, struct bpf_program *prog, const char **syms,
			  const uint64_t *cookies, size_t count, bool *done);

/* Kernel functions attacher__trampolines() attached. */
size_t attacher__trampoline_count(const struct attacher *a);

/* Runs the kernel skipped, summed over the copies attacher__trampolines() made. */
uint64_t attacher__trampoline_misses(const struct attacher *a);

/*
 * Runs of @prog the kernel skipped (recursion_misses of bpf_prog_info,
 * 5.12+): while another BPF program, or a bpf() map call of any process,
 * is active on a CPU, the kernel does not run tracing programs there.
 * Such hits are lost and must be reported. 0 for NULL or unloaded.
 */
uint64_t attach__prog_misses(const struct bpf_program *prog);

/* Number of links held, and the sites skipped so far (borrowed). */
size_t attacher__link_count(const struct attacher *a);
const struct skipped_site *attacher__skipped(const struct attacher *a, size_t *count);

/* True when detaching will take long (many perf-event uprobes). */
bool attacher__slow_detach(const struct attacher *a);

/*
 * Mount tracefs at /sys/kernel/tracing if nothing is mounted there.
 * Returns the tracefs root ("/sys/kernel/tracing" or the debugfs one), or
 * NULL with errno set.
 */
const char *tracefs__root(void);

/* Classes of first instructions that x86 uprobes may refuse. */
enum insn_class {
	INSN_PLAIN,		/* nothing suspicious */
	INSN_BAD_PREFIX,	/* lock or ES/CS/SS/DS segment prefix */
	INSN_VEX,		/* VEX-encoded (AVX) */
	INSN_EVEX,		/* EVEX-encoded (AVX-512): never probed, see attach.c */
	INSN_CLASSES,
};

/* Classify the first instruction at @insn (up to @len bytes): a quick
 * screen before attaching; the kernel has the last word. */
enum insn_class uprobe_insn_classify(const uint8_t *insn, size_t len);

#endif
