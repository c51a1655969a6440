/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probe: parse probe specs in bcc and bpftrace forms, and match symbol
 * names against a spec's pattern (globs, regex, C++ demangled names).
 */
#ifndef COTRACE_PROBE_H
#define COTRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum probe_kind {
	PROBE_UPROBE,
	PROBE_URETPROBE,
	PROBE_USDT,
	PROBE_TRACEPOINT,
	PROBE_KPROBE,
	PROBE_KRETPROBE,
};

/* Parsing flags. */
enum {
	PROBE_F_REGEX = 1 << 0,		/* the pattern is a POSIX extended regex (-r) */
	PROBE_F_BARE_KERNEL = 1 << 1,	/* a bare "func" means a kernel function (funccount) */
	/* site_set__add_specs(): a site matched by several specs is added once
	 * for each (uprobe-trace: every probe has its own filter and format),
	 * instead of once for the first. */
	PROBE_F_EACH_SPEC = 1 << 2,
	/* --unsafe: a raw offset whose instruction boundary cannot be checked
	 * (no symbol covers it) is probed anyway (see common/insn.h). */
	PROBE_F_UNSAFE = 1 << 3,
	/* The tool also probes the return of every entry site (ulatency): a
	 * raw offset must then be a function's start, as for r: probes. */
	PROBE_F_WITH_RETURN = 1 << 4,
};

struct probe_spec {
	enum probe_kind kind;
	char *target;		/* library or binary as typed; NULL for kernel and tracepoints */
	char *provider;		/* USDT provider (NULL: any), tracepoint category */
	char *pattern;		/* function, USDT probe or tracepoint name pattern */
	bool is_offset;		/* raw file offset instead of a name: PATH:0x2794c0 */
	uint64_t offset;
	/* FUNC+OFFSET (bcc's "main+0xd"): a byte offset into the one function
	 * the pattern names; site_set__add() checks it (inside the function,
	 * at an instruction's start, not for return probes). */
	bool has_func_off;
	uint64_t func_off;
	bool cpp;		/* bpftrace's "cpp:" qualifier: match demangled names only */
	bool regex;
	bool unsafe;		/* PROBE_F_UNSAFE */
	bool with_return;	/* PROBE_F_WITH_RETURN */
	const char *text;	/* the spec as given (borrowed) */
};

/*
 * Parse @text into @spec. Forms accepted:
 *   bcc:      [lib:]func  p:lib:func  r:lib:func  p::kfunc  r::kfunc
 *             u:lib:name  u:lib:provider:name  t:category:event
 *   bpftrace: uprobe:PATH:FUNC  uretprobe:PATH:FUNC  uprobe:PATH:cpp:"A::B*"
 *             usdt:PATH:[PROVIDER:]NAME  tracepoint:CAT:NAME
 *             kprobe:func  kretprobe:func
 *   raw:      PATH:0x2794c0 (a file offset, as in uprobe_events)
 *   FUNC+OFFSET for a function of any of those forms (not with -r):
 *             p:c:free+0x12, c:main+13 (hex or decimal bytes into FUNC)
 * A bare "func" is a kernel function with PROBE_F_BARE_KERNEL, otherwise
 * an error. On error returns -EINVAL and writes one sentence into @err.
 * Returns 0 on success; free with probe_spec__fini().
 */
int probe_spec__parse(const char *text, unsigned flags, struct probe_spec *spec,
		      char *err, size_t errlen);
void probe_spec__fini(struct probe_spec *spec);

/*
 * Fill @spec for the functions matching the glob @pattern (or, for user
 * functions, at the raw offset it names: "0x1139"): of @target (a library
 * or program, as typed) for PROBE_UPROBE and PROBE_URETPROBE, of the
 * kernel (@target NULL) for PROBE_KPROBE and PROBE_KRETPROBE; what
 * probe_spec__parse(@flags) makes of "p:TARGET:PATTERN", without a round
 * trip through text, FUNC+OFFSET included. @text (borrowed) names the
 * probe in messages.
 * Returns 0, -EINVAL (another kind, an offset over 64 bits) or -ENOMEM;
 * free with probe_spec__fini().
 */
int probe_spec__init_func(struct probe_spec *spec, enum probe_kind kind, const char *target,
			  const char *pattern, const char *text, unsigned flags);

/* True if @pattern contains glob metacharacters (* or ?). */
bool probe_pattern__is_wild(const char *pattern);

struct name_matcher;

/*
 * Build a matcher for @pattern: a glob with * and ? (whole-name match), or
 * with @regex a POSIX extended regex matched from the name's start but not
 * to its end, as bcc's -r (Python's re.match()): "c:(write|read)$" is
 * write and read, not pwrite or __read.
 * With @cpp_only, only demangled names are tried. NULL and errno=EINVAL
 * for a bad regex, or one whose expansion would be too large for glibc's
 * regcomp() (stacked or nested repetitions such as "a+++++++").
 */
struct name_matcher *name_matcher__new(const char *pattern, bool regex, bool cpp_only);
void name_matcher__free(struct name_matcher *m);

/*
 * Match a symbol: tries the mangled @name, then, for a C++ name, its
 * demangled form with parameters ("ns::A::f(int)") and without
 * ("ns::A::f"); template functions also without their return type
 * ("void f<int>(int)" → "f<int>"). @demangled may be NULL: it is then
 * computed here with demangle__cxx() for "_Z" names. A name that is not
 * mangled counts as its own demangled form, also with @cpp_only.
 */
bool name_matcher__match(const struct name_matcher *m, const char *name, const char *demangled);

/* Match a plain string (USDT and tracepoint names): no demangling. */
bool name_matcher__match_plain(const struct name_matcher *m, const char *s);

/* Glob match of @s against @pat (* and ?), whole string. */
bool glob_match(const char *pat, const char *s);

#endif
