// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe: parse probe specs (bcc and bpftrace forms) and match symbol names
 * against their patterns.
 *
 * Grammar, field separator ':' outside double quotes:
 *   bcc       [TARGET:]FUNC, p:TARGET:FUNC, r:TARGET:FUNC, p::KFUNC, r::KFUNC,
 *             u:TARGET:[PROVIDER:]NAME (USDT, as bcc's trace/funccount/argdist),
 *             t:CAT:EVENT
 *   bpftrace  uprobe:TARGET:FUNC, uretprobe:TARGET:FUNC, uprobe:TARGET:cpp:PATTERN,
 *             usdt:TARGET:[PROVIDER:]NAME, tracepoint:CAT:EVENT, kprobe:F,
 *             kretprobe:F, and the aliases ur:, U:, k:, kr:
 *   FUNC+OFFSET in place of a function (bcc): an offset into it
 * For uprobes the pattern is everything after the target field, so C++
 * patterns ("ns::A::f*") need no quotes. bpftrace's "u:" alias for uprobe
 * is not accepted: "u:" is bcc's USDT.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/demangle.h"
#include "common/probe.h"

/* ---- regular expressions ------------------------------------------------------ */

/*
 * glibc's regcomp() expands "x+" and "x{m,n}" by copying the parse tree
 * of x, so stacked or nested repetitions ("a++++++++", "((a+)+)+") take
 * exponential time and memory: 24 stacked '+' took 30 s with glibc 2.36.
 * Stacked '?' and '*' cost as much in its epsilon closures: "a" with four
 * times fifteen '?' and a '+' took 9 s (found by tests/fuzz/fuzz_probe), so
 * they count as doubling too. Estimate the expanded size first and refuse
 * patterns beyond a few thousand nodes. Returns true when the pattern
 * must be refused.
 */
#define RE_MAX_NODES 10000L
#define RE_MAX_DEPTH 64

static long re_mul(long a, long b)
{
	return a > RE_MAX_NODES / (b ? b : 1) ? RE_MAX_NODES + 1 : a * b;
}

static long re_add(long a, long b)
{
	return a + b > RE_MAX_NODES ? RE_MAX_NODES + 1 : a + b;
}

/* "{m}", "{m,}", "{m,n}" at @s: the largest count, and its length; 0 if not a bound. */
static size_t re_bound(const char *s, long *count)
{
	const char *p = s + 1;
	long m = 0, n = -1;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		m = re_add(m * 10 > RE_MAX_NODES ? RE_MAX_NODES : m * 10, *p++ - '0');
	if (*p == ',') {
		p++;
		if (isdigit((unsigned char)*p)) {
			n = 0;
			while (isdigit((unsigned char)*p))
				n = re_add(n * 10 > RE_MAX_NODES ? RE_MAX_NODES : n * 10, *p++ - '0');
		}
	}
	if (*p != '}')
		return 0;
	*count = n > m ? n : m;
	return p + 1 - s;
}

static bool regex_too_complex(const char *s)
{
	long total[RE_MAX_DEPTH + 1] = { 0 }, last[RE_MAX_DEPTH + 1] = { 0 };
	int depth = 0;

	while (*s) {
		long factor = 0, count = 0;
		size_t n;

		switch (*s) {
		case '(':
			if (depth == RE_MAX_DEPTH)
				return true;
			depth++;
			total[depth] = last[depth] = 0;
			s++;
			continue;
		case ')':
			if (!depth)
				break;
			depth--;
			last[depth] = total[depth + 1] ? total[depth + 1] : 1;
			total[depth] = re_add(total[depth], last[depth]);
			s++;
			continue;
		case '|':
			last[depth] = 0;
			s++;
			continue;
		case '*':
		case '?':
		case '+':
			factor = 2;
			break;
		case '{':
			n = re_bound(s, &count);
			if (n) {
				/* Each bound adds at least one node, even {0} or {1}. */
				factor = count + 1;
				s += n - 1;
			}
			break;
		case '[': {
			/* A bracket expression is one atom: "[]a]", "[^]a]", "[[:alpha:]]". */
			const char *p = s + 1;

			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
					const char *end = strchr(p + 2, p[1]);

					p = end && end[1] == ']' ? end + 2 : p + 1;
				} else {
					p++;
				}
			}
			s = *p ? p : p - 1;
			break;
		}
		case '\\':
			if (s[1])
				s++;
			break;
		}
		if (factor) {
			long grown = re_mul(last[depth] ? last[depth] : 1, factor);

			total[depth] = re_add(total[depth], grown - last[depth]);
			last[depth] = grown;
		} else {
			last[depth] = 1;
			total[depth] = re_add(total[depth], 1);
		}
		if (total[depth] > RE_MAX_NODES)
			return true;
		s++;
	}
	return false;
}

/*
 * Compile @pattern for bcc's -r (ERE). Not REG_NOSUB: the match must start
 * at the name's first character (regex_match()). 0, or a REG_* error.
 */
static int regex_compile(regex_t *re, const char *pattern)
{
	if (regex_too_complex(pattern))
		return REG_ESIZE;
	return regcomp(re, pattern, REG_EXTENDED);
}

/*
 * Does @re match @s from its start, as Python's re.match() in bcc's -r
 * (anchored at the start, not at the end)? POSIX regexec() reports the
 * leftmost match, so some match starts at 0 exactly when it starts there.
 */
static bool regex_match(const regex_t *re, const char *s)
{
	regmatch_t m[1];

	return !regexec(re, s, 1, m, 0) && m[0].rm_so == 0;
}

/* ---- parsing ----------------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Split @s into at most @max fields on ':' outside double quotes; quotes
 * are removed. Returns the number of fields, or -E2BIG if there are more
 * than @max, -ENOMEM. Fields are malloc'ed.
 */
static int split_fields(const char *s, char **fields, int max)
{
	int n = 0, i;
	size_t len = strlen(s);
	char *buf = NULL;
	size_t bl = 0;
	bool quoted = false;

	for (;;) {
		char c = *s;

		if (!buf) {
			if (n == max)
				goto out_big;
			buf = malloc(len + 1);
			if (!buf)
				goto out_nomem;
			bl = 0;
		}
		if (c == '"') {
			quoted = !quoted;
		} else if ((c == ':' && !quoted) || !c) {
			buf[bl] = '\0';
			fields[n++] = buf;
			buf = NULL;
			if (!c)
				return n;
		} else {
			buf[bl++] = c;
		}
		s++;
	}

out_big:
	for (i = 0; i < n; i++)
		free(fields[i]);
	return -E2BIG;
out_nomem:
	for (i = 0; i < n; i++)
		free(fields[i]);
	return -ENOMEM;
}

/* Copy of @s with double quotes removed. */
static char *unquote(const char *s)
{
	char *r = malloc(strlen(s) + 1), *d = r;

	if (!r)
		return NULL;
	for (; *s; s++)
		if (*s != '"')
			*d++ = *s;
	*d = '\0';
	return r;
}

/* Position of the first ':' outside quotes in @s, or NULL. */
static const char *find_sep(const char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == ':' && !quoted)
			return s;
	}
	return NULL;
}

/* A ':' that is not part of "::" (outside quotes). */
static bool has_lone_colon(const char *s)
{
	bool quoted = false;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '"') {
			quoted = !quoted;
		} else if (s[i] == ':' && !quoted) {
			if (s[i + 1] == ':') {
				i++;
				continue;
			}
			return true;
		}
	}
	return false;
}

/*
 * "0x2794c0" or "2794" → offset. Returns 1 if @s is an offset, 0 if not,
 * -ERANGE if it does not fit in 64 bits.
 */
static int parse_offset(const char *s, uint64_t *off)
{
	uint64_t v = 0;
	const char *p;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!s[2])
			return 0;
		for (p = s + 2; *p; p++)
			if (!isxdigit((unsigned char)*p))
				return 0;
		if (strlen(s + 2) > 16 && strspn(s + 2, "0") < strlen(s + 2) - 16)
			return -ERANGE;
		for (p = s + 2; *p; p++)
			v = v << 4 | (isdigit((unsigned char)*p) ? *p - '0' :
				      tolower((unsigned char)*p) - 'a' + 10);
		*off = v;
		return 1;
	}
	if (!*s)
		return 0;
	for (p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	for (p = s; *p; p++) {
		unsigned d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*off = v;
	return 1;
}

/*
 * bcc's FUNC+OFFSET: a number after the pattern's last '+' is a byte
 * offset into the function (trace's "kfree_skb+0x12"). C++ operators
 * ("operator+", "operator++") have no digits after theirs, and -r
 * patterns are left alone ("a+1" is a regex). Returns 0 or -ERANGE.
 */
static int split_func_offset(struct probe_spec *spec)
{
	char *plus;
	uint64_t off;
	int ret;

	if (spec->regex || spec->is_offset || !spec->pattern)
		return 0;
	plus = strrchr(spec->pattern, '+');
	if (!plus || plus == spec->pattern)
		return 0;
	ret = parse_offset(plus + 1, &off);
	if (ret <= 0)
		return ret;
	*plus = '\0';
	spec->has_func_off = true;
	spec->func_off = off;
	return 0;
}

enum spec_form {
	FORM_UPROBE,		/* TARGET:PATTERN, pattern may hold "::" */
	FORM_KPROBE,		/* PATTERN */
	FORM_BCC_KU,		/* bcc p:/r:, TARGET:PATTERN or :KPATTERN */
	FORM_USDT,		/* TARGET:[PROVIDER:]NAME */
	FORM_TRACEPOINT,	/* CAT:EVENT */
};

struct spec_prefix {
	const char *name;
	enum spec_form form;
	enum probe_kind kind;
	const char *what;	/* for messages: "tracepoint" */
	const char *usage;
};

static const struct spec_prefix prefixes[] = {
	{ "p", FORM_BCC_KU, PROBE_UPROBE, "probe", "p:LIB:FUNC or p::KERNEL_FUNC" },
	{ "r", FORM_BCC_KU, PROBE_URETPROBE, "probe", "r:LIB:FUNC or r::KERNEL_FUNC" },
	{ "u", FORM_USDT, PROBE_USDT, "USDT", "u:LIB:[PROVIDER:]NAME" },
	{ "t", FORM_TRACEPOINT, PROBE_TRACEPOINT, "tracepoint", "t:CATEGORY:EVENT" },
	{ "uprobe", FORM_UPROBE, PROBE_UPROBE, "uprobe", "uprobe:PATH:FUNC" },
	{ "uretprobe", FORM_UPROBE, PROBE_URETPROBE, "uprobe", "uretprobe:PATH:FUNC" },
	{ "ur", FORM_UPROBE, PROBE_URETPROBE, "uprobe", "ur:PATH:FUNC" },
	{ "usdt", FORM_USDT, PROBE_USDT, "USDT", "usdt:PATH:[PROVIDER:]NAME" },
	{ "U", FORM_USDT, PROBE_USDT, "USDT", "U:PATH:[PROVIDER:]NAME" },
	{ "tracepoint", FORM_TRACEPOINT, PROBE_TRACEPOINT, "tracepoint", "tracepoint:CATEGORY:EVENT" },
	{ "kprobe", FORM_KPROBE, PROBE_KPROBE, "kprobe", "kprobe:FUNC" },
	{ "kretprobe", FORM_KPROBE, PROBE_KRETPROBE, "kprobe", "kretprobe:FUNC" },
	{ "k", FORM_KPROBE, PROBE_KPROBE, "kprobe", "k:FUNC" },
	{ "kr", FORM_KPROBE, PROBE_KRETPROBE, "kprobe", "kr:FUNC" },
};

static const struct spec_prefix *find_prefix(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strlen(prefixes[i].name) == len && !strncmp(prefixes[i].name, s, len))
			return &prefixes[i];
	return NULL;
}

/* Does a string that is not a known prefix look like a library or path? */
static bool looks_like_target(const char *s, size_t len)
{
	return memchr(s, '/', len) || memchr(s, '.', len) || len > 2;
}

/*
 * TARGET:PATTERN for uprobes. @rest starts at TARGET. The target is one
 * field; the pattern is the rest, with an optional "cpp:" qualifier:
 * bpftrace's, and taken in the bcc forms too (LIB:cpp:PATTERN,
 * p:LIB:cpp:PATTERN), where a pattern cannot hold a lone ':' anyway.
 */
static int parse_uprobe_rest(const char *rest, struct probe_spec *spec,
			     const char *text, const char *what, const char *usage,
			     char *err, size_t errlen)
{
	const char *sep = find_sep(rest), *pat;
	char *target;

	if (!sep) {
		set_err(err, errlen, "'%s' is not a valid %s spec: expected %s", text, what, usage);
		return -EINVAL;
	}
	target = strndup(rest, sep - rest);
	if (!target)
		return -ENOMEM;
	spec->target = unquote(target);
	free(target);
	if (!spec->target)
		return -ENOMEM;
	pat = sep + 1;
	if (!strncmp(pat, "cpp:", 4)) {
		spec->cpp = true;
		pat += 4;
	}
	spec->pattern = unquote(pat);
	if (!spec->pattern)
		return -ENOMEM;
	if (!spec->target[0]) {
		set_err(err, errlen, "'%s' names no library or binary: expected %s", text, usage);
		return -EINVAL;
	}
	if (has_lone_colon(pat)) {
		const char *bt = spec->kind == PROBE_URETPROBE ? "uretprobe:" : "uprobe:";
		char also[512] = "";

		/* Most often a C++ name: say how to write one, in this form and
		 * in bpftrace's (unless this is it). */
		if (strncmp(text, bt, strlen(bt)))
			snprintf(also, sizeof(also), " (bpftrace's %s%s:cpp:\"NS::*\")", bt,
				 spec->target);
		set_err(err, errlen, "'%s' has too many fields: expected %s, or for C++ names "
			"%.*s%s:cpp:\"NS::*\"%s", text, usage, (int)(rest - text), text,
			spec->target, also);
		return -EINVAL;
	}
	return 0;
}

static int parse_fields(const char *rest, int min, int max, char **f, const char *text,
			const char *what, const char *usage, char *err, size_t errlen)
{
	int n = split_fields(rest, f, max);

	if (n == -ENOMEM)
		return n;
	if (n < min || n == -E2BIG) {
		if (n > 0)
			while (n--)
				free(f[n]);
		set_err(err, errlen, "'%s' is not a valid %s spec: expected %s", text, what, usage);
		return -EINVAL;
	}
	return n;
}

static int parse_spec(const char *text, unsigned flags, struct probe_spec *spec,
		      char *err, size_t errlen)
{
	const struct spec_prefix *pfx;
	const char *sep, *rest;
	char *f[3] = {};
	int n, ret = 0;

	/* bcc trace's empty probe type is 'p': ":c:malloc", "::do_sys_open". */
	if (text[0] == ':' && find_sep(text + 1)) {
		char *p;

		if (asprintf(&p, "p%s", text) < 0)
			return -ENOMEM;
		ret = parse_spec(p, flags, spec, err, errlen);
		free(p);
		return ret;
	}
	sep = find_sep(text);
	if (!sep) {
		if (!(flags & PROBE_F_BARE_KERNEL)) {
			set_err(err, errlen, "'%s' names no library or binary: expected LIB:FUNC "
				"(or p::FUNC for a kernel function)", text);
			return -EINVAL;
		}
		spec->kind = PROBE_KPROBE;
		spec->pattern = unquote(text);
		return spec->pattern ? 0 : -ENOMEM;
	}
	rest = sep + 1;
	pfx = find_prefix(text, sep - text);
	if (!pfx) {
		/* [LIB:]FUNC, or raw PATH:OFFSET. "x:lib:f" is a typo'd type, not a
		 * library named "x" (a C++ pattern's "::" is not a separator). */
		if (has_lone_colon(rest) && strncmp(rest, "cpp:", 4) &&
		    !looks_like_target(text, sep - text)) {
			set_err(err, errlen, "'%s' has an unknown probe type '%.*s'", text,
				(int)(sep - text), text);
			return -EINVAL;
		}
		spec->kind = PROBE_UPROBE;
		return parse_uprobe_rest(text, spec, text, "uprobe", "LIB:FUNC", err, errlen);
	}

	spec->kind = pfx->kind;
	switch (pfx->form) {
	case FORM_UPROBE:
		ret = parse_uprobe_rest(rest, spec, text, pfx->what, pfx->usage, err, errlen);
		break;
	case FORM_BCC_KU:
		if (*rest == ':') {
			spec->kind = pfx->kind == PROBE_UPROBE ? PROBE_KPROBE : PROBE_KRETPROBE;
			rest++;
			if (find_sep(rest)) {
				set_err(err, errlen, "'%s' has too many fields: expected %s",
					text, pfx->usage);
				return -EINVAL;
			}
			spec->pattern = unquote(rest);
			ret = spec->pattern ? 0 : -ENOMEM;
		} else {
			ret = parse_uprobe_rest(rest, spec, text, pfx->what, pfx->usage,
						err, errlen);
		}
		break;
	case FORM_KPROBE:
		if (find_sep(rest)) {
			set_err(err, errlen, "'%s' has too many fields: expected %s", text,
				pfx->usage);
			return -EINVAL;
		}
		spec->pattern = unquote(rest);
		ret = spec->pattern ? 0 : -ENOMEM;
		break;
	case FORM_USDT:
		n = parse_fields(rest, 2, 3, f, text, pfx->what, pfx->usage, err, errlen);
		if (n < 0)
			return n;
		spec->target = f[0];
		if (n == 3) {
			spec->provider = f[1];
			spec->pattern = f[2];
			if (!spec->provider[0]) {
				set_err(err, errlen, "'%s' has an empty USDT provider: expected %s",
					text, pfx->usage);
				return -EINVAL;
			}
		} else {
			spec->pattern = f[1];
		}
		if (!spec->target[0]) {
			set_err(err, errlen, "'%s' names no library or binary: expected %s",
				text, pfx->usage);
			return -EINVAL;
		}
		break;
	case FORM_TRACEPOINT:
		n = parse_fields(rest, 2, 2, f, text, pfx->what, pfx->usage, err, errlen);
		if (n < 0)
			return n;
		spec->provider = f[0];
		spec->pattern = f[1];
		if (!spec->provider[0]) {
			set_err(err, errlen, "'%s' has an empty tracepoint category: expected %s",
				text, pfx->usage);
			return -EINVAL;
		}
		break;
	}
	return ret;
}

int probe_spec__parse(const char *text, unsigned flags, struct probe_spec *spec,
		      char *err, size_t errlen)
{
	const char *q;
	int quotes = 0, ret;

	if (err && errlen)
		err[0] = '\0';
	if (!spec)
		return -EINVAL;
	memset(spec, 0, sizeof(*spec));
	if (!text || !*text) {
		set_err(err, errlen, "the probe spec is empty");
		return -EINVAL;
	}
	spec->text = text;
	spec->regex = flags & PROBE_F_REGEX;
	spec->unsafe = flags & PROBE_F_UNSAFE;
	spec->with_return = flags & PROBE_F_WITH_RETURN;

	for (q = text; *q; q++) {
		if (*q == '"')
			quotes++;
		else if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			set_err(err, errlen, "the probe spec '%s' contains a control character",
				text);
			ret = -EINVAL;
			goto out_err;
		}
	}
	if (quotes % 2) {
		set_err(err, errlen, "'%s' has an unbalanced double quote", text);
		ret = -EINVAL;
		goto out_err;
	}

	ret = parse_spec(text, flags, spec, err, errlen);
	if (ret)
		goto out_err;

	if (!spec->pattern || !spec->pattern[0]) {
		set_err(err, errlen, "'%s' has an empty %s name", text,
			spec->kind == PROBE_USDT ? "probe" :
			spec->kind == PROBE_TRACEPOINT ? "event" : "function");
		ret = -EINVAL;
		goto out_err;
	}

	if (spec->kind == PROBE_UPROBE || spec->kind == PROBE_URETPROBE) {
		if (!spec->cpp)
			ret = parse_offset(spec->pattern, &spec->offset);
		if (ret < 0) {
			set_err(err, errlen, "'%s' has an offset that does not fit in 64 bits",
				text);
			ret = -EINVAL;
			goto out_err;
		}
		spec->is_offset = ret == 1;
		ret = 0;
	}
	if (spec->kind != PROBE_USDT && spec->kind != PROBE_TRACEPOINT &&
	    split_func_offset(spec)) {
		set_err(err, errlen, "'%s' has an offset that does not fit in 64 bits", text);
		ret = -EINVAL;
		goto out_err;
	}

	if (spec->regex && !spec->is_offset) {
		regex_t re;
		int rc = regex_compile(&re, spec->pattern);

		if (rc) {
			char msg[128];

			if (rc == REG_ESIZE)
				snprintf(msg, sizeof(msg), "it is too complex");
			else
				regerror(rc, &re, msg, sizeof(msg));
			set_err(err, errlen, "'%s' is not a valid regular expression: %s",
				spec->pattern, msg);
			ret = -EINVAL;
			goto out_err;
		}
		regfree(&re);
	}
	return 0;

out_err:
	probe_spec__fini(spec);
	spec->text = text;
	if (ret == -ENOMEM)
		set_err(err, errlen, "out of memory parsing '%s'", text);
	return ret;
}

int probe_spec__init_func(struct probe_spec *spec, enum probe_kind kind, const char *target,
			  const char *pattern, const char *text, unsigned flags)
{
	bool kernel = kind == PROBE_KPROBE || kind == PROBE_KRETPROBE;
	int ret;

	memset(spec, 0, sizeof(*spec));
	if ((!kernel && kind != PROBE_UPROBE && kind != PROBE_URETPROBE) || kernel != !target)
		return -EINVAL;
	spec->kind = kind;
	spec->text = text;
	spec->unsafe = flags & PROBE_F_UNSAFE;
	spec->with_return = flags & PROBE_F_WITH_RETURN;
	spec->pattern = strdup(pattern);
	spec->target = target ? strdup(target) : NULL;
	if (!spec->pattern || (target && !spec->target)) {
		probe_spec__fini(spec);
		return -ENOMEM;
	}
	if (!kernel) {
		ret = parse_offset(spec->pattern, &spec->offset);
		if (ret < 0) {
			probe_spec__fini(spec);
			return -EINVAL;
		}
		spec->is_offset = ret == 1;
	}
	if (split_func_offset(spec)) {
		probe_spec__fini(spec);
		return -EINVAL;
	}
	return 0;
}

void probe_spec__fini(struct probe_spec *spec)
{
	if (!spec)
		return;
	free(spec->target);
	free(spec->provider);
	free(spec->pattern);
	memset(spec, 0, sizeof(*spec));
}

bool probe_pattern__is_wild(const char *pattern)
{
	return pattern && strpbrk(pattern, "*?");
}

/* ---- matching ------------------------------------------------------------------ */

/*
 * Iterative glob with one backtrack point: on a mismatch after a '*', the
 * star absorbs one more character. Earlier stars never need revisiting, so
 * this is O(len(pat) * len(s)) at worst, not exponential.
 */
bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	if (!pat || !s)
		return false;
	while (*s) {
		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			if (!*pat)
				return true;
			star = pat;
			resume = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

struct name_matcher {
	char *pattern;
	bool regex;
	bool cpp_only;
	regex_t re;
};

struct name_matcher *name_matcher__new(const char *pattern, bool regex, bool cpp_only)
{
	struct name_matcher *m;

	if (!pattern) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		goto out_nomem;
	m->pattern = strdup(pattern);
	if (!m->pattern)
		goto out_nomem;
	m->regex = regex;
	m->cpp_only = cpp_only;
	if (regex && regex_compile(&m->re, pattern)) {
		free(m->pattern);
		free(m);
		errno = EINVAL;
		return NULL;
	}
	return m;

out_nomem:
	if (m)
		free(m->pattern);
	free(m);
	errno = ENOMEM;
	return NULL;
}

void name_matcher__free(struct name_matcher *m)
{
	if (!m)
		return;
	if (m->regex)
		regfree(&m->re);
	free(m->pattern);
	free(m);
}

bool name_matcher__match_plain(const struct name_matcher *m, const char *s)
{
	if (!m || !s)
		return false;
	if (m->regex)
		return regex_match(&m->re, s);
	return glob_match(m->pattern, s);
}

static bool ends_with_word(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && !memcmp(s + len - n, w, n);
}

/*
 * Length of @d without its top-level parameter list and trailing
 * qualifiers: "ns::A::operator()(int) const" → "ns::A::operator()".
 * Returns strlen(d) when there is no parameter list.
 */
static size_t strip_params(const char *d)
{
	static const char *const quals[] = { " const", " volatile", " &&", " &",
					     " noexcept", " transaction_safe" };
	size_t len = strlen(d), i;
	int depth = 0;
	bool again = true;

	while (again) {
		again = false;
		for (i = 0; i < sizeof(quals) / sizeof(quals[0]); i++) {
			if (ends_with_word(d, len, quals[i])) {
				len -= strlen(quals[i]);
				again = true;
			}
		}
	}
	if (!len || d[len - 1] != ')')
		return strlen(d);
	for (i = len; i-- > 0;) {
		if (d[i] == ')') {
			depth++;
		} else if (d[i] == '(') {
			if (--depth == 0)
				return i ? i : strlen(d);
		}
	}
	return strlen(d);
}

/*
 * Start of the function name in @d[0..len): the demangler prints a
 * return type only for template functions ("void ns::f<int>(int)"), so
 * skip text up to the last top-level space when the name ends in '>'.
 * "operator new", "vtable for X" and thunks are left alone.
 */
static size_t skip_return_type(const char *d, size_t len)
{
	int depth = 0;
	size_t i;

	if (!len || d[len - 1] != '>' || strstr(d, " for ") || strstr(d, " thunk to "))
		return 0;
	for (i = len; i-- > 0;) {
		char c = d[i];

		if (c == '>' || c == ')' || c == ']')
			depth++;
		else if (c == '<' || c == '(' || c == '[')
			depth--;
		else if (c == ' ' && depth == 0) {
			if (ends_with_word(d, i, "operator"))
				continue;
			return i + 1;
		}
		if (depth < 0)
			return 0;
	}
	return 0;
}

static bool match_n(const struct name_matcher *m, const char *s, size_t len)
{
	char *tmp;
	bool ok;

	if (!s[len])
		return name_matcher__match_plain(m, s);
	tmp = strndup(s, len);
	if (!tmp)
		return false;
	ok = name_matcher__match_plain(m, tmp);
	free(tmp);
	return ok;
}

static bool match_demangled(const struct name_matcher *m, const char *d)
{
	size_t full = strlen(d), bare = strip_params(d);
	size_t skip_full, skip_bare;

	if (match_n(m, d, full))
		return true;
	if (bare != full && match_n(m, d, bare))
		return true;
	skip_bare = skip_return_type(d, bare);
	if (!skip_bare)
		return false;
	skip_full = skip_bare;
	if (match_n(m, d + skip_full, full - skip_full))
		return true;
	return bare != full && match_n(m, d + skip_bare, bare - skip_bare);
}

bool name_matcher__match(const struct name_matcher *m, const char *name, const char *demangled)
{
	char *own = NULL;
	bool ok = false;

	if (!m || !name)
		return false;
	if (!demangle__is_mangled(name)) {
		/* Not mangled (C, extern "C"): the name is its own demangled form. */
		return name_matcher__match_plain(m, name);
	}
	if (!m->cpp_only && name_matcher__match_plain(m, name))
		return true;
	if (!demangled)
		demangled = own = demangle__cxx(name);
	if (demangled)
		ok = match_demangled(m, demangled);
	free(own);
	return ok;
}
