// SPDX-License-Identifier: GPL-2.0-only
/*
 * argdist: frequency counts (-C) and log2 histograms (-H) of argument and
 * return-value expressions of user functions, in bcc argdist's specifier
 * syntax and output layout. Expressions compile into fetch programs
 * (common/fetch.c) that one generic BPF program runs.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/attach.h"
#include "common/cli.h"
#include "common/dwarf.h"
#include "common/kbtf.h"
#include "common/fetch.h"
#include "common/hist.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/sites.h"
#include "bpf/argdist.h"
#include "argdist.skel.h"

_Static_assert(sizeof(struct argdist_site) == 16, "argdist_site ABI");
_Static_assert(sizeof(struct argdist_key) == 8 + ARGDIST_KEY_MAX, "argdist_key ABI");
_Static_assert(sizeof(struct argdist_hist) == (ARGDIST_SLOTS + 2) * 8, "argdist_hist ABI");
_Static_assert(ARGDIST_SLOTS == HIST_LOG2_SLOTS, "one slot per log2 bucket");

#define MAX_SPECS 32
#define MAX_SIG 6		/* parameters in a signature: the register arguments */
#define MAX_EXPRS 8
#define MAX_ENTRY (ARGDIST_ENTRY_WORDS - 1)

/* One parameter of a specifier's signature. */
struct sig_param {
	char *type;
	char *name;
};

/* One -C or -H specifier. */
struct spec {
	const char *text;		/* as given */
	bool hist;			/* -H */
	enum probe_kind kind;		/* PROBE_UPROBE or PROBE_URETPROBE */
	bool kernel;			/* an empty LIB: a kernel function (kprobes) */
	char *lib, *func;
	struct sig_param sig[MAX_SIG];
	int nsig;
	char *types[MAX_EXPRS];
	char *exprs[MAX_EXPRS];		/* as written, for display */
	char *cexprs[MAX_EXPRS];	/* $entry(x) and $latency rewritten for the compiler */
	int nexprs;
	bool default_expr;		/* no expression given: count calls or return values */
	char *filter, *cfilter;
	char *label;
	char *entry[MAX_ENTRY];		/* parameters saved at entry for $entry() */
	int nentry;
	bool latency;
};

struct options {
	struct cli_common cli;		/* -p --cmd -i -d -v --attach */
	pid_t tid;
	unsigned long count;		/* -n: intervals */
	unsigned long top;		/* -T */
	unsigned long str_size;		/* -z */
	bool cumulative;
	bool json;
	struct spec specs[MAX_SPECS];
	int nspecs;
};

static const char usage[] =
"Usage: argdist [OPTIONS] {-C|-H} SPECIFIER...\n"
"Count (-C) or histogram (-H) the values of function arguments and return\n"
"values, as bcc's argdist does.\n"
"\n"
"Specifier:\n"
"  {p,r}:LIB:FUNC(SIGNATURE)[:TYPE[,TYPE...]:EXPR[,EXPR...][:FILTER]][#LABEL]\n"
"  p, r        probe the function's entry or its return\n"
"  LIB         library name (c, libc), path of a library or program;\n"
"              empty for a kernel function (p::vfs_read)\n"
"  SIGNATURE   the parameters used, C style: size_t size, const char *buf;\n"
"              with debug information (user functions) or the kernel's BTF\n"
"              (kernel functions), parameters may be used by name without\n"
"              being declared (FUNC())\n"
"  TYPE        the type of each expression: int, u64, size_t, char * ...\n"
"  EXPR        parameter names, arg1..arg6, $retval, $entry(param) and\n"
"              $latency (return probes), *(ptr+8), $pid, $tid, $cpu\n"
"  FILTER      a C expression over the same values, STRCMP(\"text\", str)\n"
"  LABEL       printed instead of the specifier\n"
"\n"
"Options:\n"
"  -C, --count SPEC       count the distinct values of the expressions\n"
"  -H, --histogram SPEC   log2 histogram of the expression's value\n"
"  -p, --pid PID          trace only process PID; stop when it exits\n"
"  -t, --tid TID          trace only thread TID\n"
"      --cmd CMD          run CMD and trace only it; stop when it exits\n"
"  -i, --interval SECS    print every SECS seconds (default 1)\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -n, --number COUNT     stop after COUNT intervals\n"
"  -c, --cumulative       do not clear the counts between intervals\n"
"  -T, --top N            print only the N most frequent values\n"
"  -z, --string-size N    bytes of string values (default 80)\n"
"  -j, --json             JSON lines output\n"
"  -v, --verbose          verbose: libbpf errors, kernel features\n"
"      --attach MODE      auto (default), multi or single\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"Unlike the other cotrace tools, -c is bcc argdist's cumulative flag: the\n"
"command to run is --cmd.\n"
"\n"
"Examples:\n"
"  argdist -C 'p:c:malloc(size_t size):size_t:size'\n"
"  argdist -H 'r:c:read():ssize_t:$retval'\n"
"  argdist -C 'p:c:write(int fd):int:fd:fd==1'\n"
"  argdist -C 'p:c:puts(char *str):char *:str' -T 5\n"
"  argdist -H 'r:c:read(int fd, void *buf, size_t count):u64:$latency#read ns'\n"
"  argdist -C 'r:c:read(int fd, void *buf, size_t count):size_t:$entry(count)'\n"
"  argdist -p 181 -i 5 -n 3 -H 'p:c:malloc(size_t size):size_t:size'\n"
"  argdist -H 'r::vfs_read():ssize_t:$retval'\n"
"  argdist -C 'p::do_sys_openat2():char *:filename' -T 10\n";

static const struct option long_opts[] = {
	{ "count", required_argument, NULL, 'C' },
	{ "histogram", required_argument, NULL, 'H' },
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, 't' },
	{ "cmd", required_argument, NULL, CLI_OPT_CMD },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "number", required_argument, NULL, 'n' },
	{ "cumulative", no_argument, NULL, 'c' },
	{ "top", required_argument, NULL, 'T' },
	{ "string-size", required_argument, NULL, 'z' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "attach", required_argument, NULL, CLI_OPT_ATTACH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CLI_OPT_VERSION },
	{}
};

#define usage_error(...) cli__usage_error("argdist", __VA_ARGS__)

/* ---- specifiers ------------------------------------------------------------------ */

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* A lone ':' (not part of "::") at or after @s, outside parentheses and
 * quotes; NULL if none. */
static const char *field_end(const char *s)
{
	int depth = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth--;
		} else if (*p == ':' && !depth) {
			if (p[1] == ':') {
				p++;
				continue;
			}
			return p;
		}
	}
	return NULL;
}

/* Split @s on commas outside parentheses into @out (malloc'ed, trimmed). */
static int split_list(const char *s, char **out, int max, int *n, const char *what,
		      const char *text, char *err, size_t errlen)
{
	*n = 0;
	for (;;) {
		const char *a = s;
		int depth = 0;

		for (; *s && (depth || *s != ','); s++) {
			if (*s == '(')
				depth++;
			else if (*s == ')')
				depth--;
		}
		if (*n >= max) {
			snprintf(err, errlen, "too many %s in '%s' (at most %d)", what, text, max);
			return -EINVAL;
		}
		out[*n] = trim_dup(a, s - a);
		if (!out[*n])
			return -ENOMEM;
		if (!*out[(*n)++]) {
			snprintf(err, errlen, "empty item in the %s of '%s'", what, text);
			return -EINVAL;
		}
		if (!*s)
			return 0;
		s++;
	}
}

/* "const char *buf" into type "const char *" and name "buf". */
static int parse_sig(struct spec *sp, const char *s, size_t n, char *err, size_t errlen)
{
	char *list[MAX_SIG + 1], *all = trim_dup(s, n);
	int count = 0, ret = 0;

	if (!all)
		return -ENOMEM;
	if (!*all || !strcmp(all, "void"))
		goto out;
	ret = split_list(all, list, MAX_SIG, &count, "parameters", sp->text, err, errlen);
	for (int i = 0; i < count; i++) {
		char *p = list[i], *end = p + strlen(p), *name = end;
		struct fetch_type t;

		if (ret) {
			free(p);
			continue;
		}
		while (name > p && is_ident_char(name[-1]))
			name--;
		if (name == p || name == end || isdigit((unsigned char)*name)) {
			snprintf(err, errlen, "parameter '%s' of '%s' needs a type and a name", p,
				 sp->text);
			ret = -EINVAL;
		} else {
			sp->sig[sp->nsig].name = strdup(name);
			sp->sig[sp->nsig].type = trim_dup(p, name - p);
			if (fetch_type__parse(sp->sig[sp->nsig].type, FETCH_STR_DEFAULT, &t)) {
				snprintf(err, errlen, "unknown type '%s' of parameter '%s' in '%s'",
					 sp->sig[sp->nsig].type, name, sp->text);
				ret = -EINVAL;
			}
			sp->nsig++;
		}
		free(p);
	}
out:
	free(all);
	return ret;
}

/*
 * Rewrite $latency and $entry(NAME) into names the fetch compiler resolves
 * (__latency, __entry_NAME) and record what the entry twin must save.
 */
static char *rewrite(struct spec *sp, const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(len * 2 + 16);

	if (!out)
		return NULL;
	while (*s) {
		if (!strncmp(s, "$latency", 8) && !is_ident_char(s[8])) {
			o += sprintf(out + o, "__latency");
			sp->latency = true;
			s += 8;
		} else if (!strncmp(s, "$entry(", 7)) {
			const char *a = s + 7, *b = a;
			int j;

			while (is_ident_char(*b))
				b++;
			if (b == a || *b != ')') {
				snprintf(err, errlen, "$entry() takes a parameter name in '%s'",
					 sp->text);
				free(out);
				return NULL;
			}
			for (j = 0; j < sp->nentry; j++)
				if (strlen(sp->entry[j]) == (size_t)(b - a) &&
				    !strncmp(sp->entry[j], a, b - a))
					break;
			if (j == sp->nentry) {
				if (j == MAX_ENTRY) {
					snprintf(err, errlen, "too many $entry() values in '%s' "
						 "(at most %d)", sp->text, MAX_ENTRY);
					free(out);
					return NULL;
				}
				sp->entry[sp->nentry++] = strndup(a, b - a);
			}
			o += sprintf(out + o, "__entry_%.*s", (int)(b - a), a);
			s = b + 1;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = 0;
	return out;
}

/* Parse {p,r}:LIB:FUNC(SIG)[:TYPES:EXPRS[:FILTER]][#LABEL]. */
static int spec__parse(struct spec *sp, const char *text, bool hist, char *err, size_t errlen)
{
	const char *s, *lib, *open, *close, *hash = NULL, *end;
	char *body = NULL, *types = NULL, *exprs = NULL;
	int ntypes = 0, ret = -EINVAL, depth = 0;

	memset(sp, 0, sizeof(*sp));
	sp->text = text;
	sp->hist = hist;
	/* The label: after the last '#' outside quotes. */
	for (s = text; *s; s++) {
		if (*s == '"')
			for (s++; *s && *s != '"'; s++)
				;
		if (!*s)
			break;
		if (*s == '#')
			hash = s;
	}
	end = hash ? hash : text + strlen(text);
	if (hash && !(sp->label = trim_dup(hash + 1, strlen(hash + 1))))
		return -ENOMEM;
	if ((text[0] != 'p' && text[0] != 'r') || text[1] != ':') {
		if (strchr("tu", text[0]) && text[1] == ':')
			snprintf(err, errlen, "'%s': argdist probes function entries and returns "
				 "only (p: or r:)", text);
		else
			snprintf(err, errlen, "malformed specifier '%s': it must start with p: or r:",
				 text);
		return -EINVAL;
	}
	sp->kind = text[0] == 'p' ? PROBE_UPROBE : PROBE_URETPROBE;
	lib = text + 2;
	s = strchr(lib, ':');
	if (!s || s > end) {
		snprintf(err, errlen, "malformed specifier '%s': expected {p,r}:LIB:FUNC(SIGNATURE)",
			 text);
		return -EINVAL;
	}
	sp->lib = strndup(lib, s - lib);
	sp->kernel = s == lib;
	open = memchr(s + 1, '(', end - s - 1);
	if (!open || open == s + 1) {
		snprintf(err, errlen, "malformed specifier '%s': expected a function and its "
			 "signature in parentheses, as in malloc(size_t size)", text);
		return -EINVAL;
	}
	sp->func = trim_dup(s + 1, open - s - 1);
	for (close = open; close < end; close++) {
		if (*close == '(')
			depth++;
		else if (*close == ')' && !--depth)
			break;
	}
	if (close >= end) {
		snprintf(err, errlen, "malformed specifier '%s': unbalanced parentheses", text);
		return -EINVAL;
	}
	ret = parse_sig(sp, open + 1, close - open - 1, err, errlen);
	if (ret)
		return ret;
	ret = -EINVAL;
	s = close + 1;
	if (s == end) {
		/* bcc: count calls at entry, return values at return. */
		sp->default_expr = true;
		sp->nexprs = 1;
		sp->types[0] = strdup(sp->kind == PROBE_URETPROBE ? "long" : "u64");
		sp->exprs[0] = strdup(sp->kind == PROBE_URETPROBE ? "$retval" : "1");
		sp->cexprs[0] = strdup(sp->exprs[0]);
		return sp->types[0] && sp->exprs[0] && sp->cexprs[0] ? 0 : -ENOMEM;
	}
	if (*s != ':') {
		snprintf(err, errlen, "malformed specifier '%s': expected ':' after the signature",
			 text);
		return -EINVAL;
	}
	body = strndup(s + 1, end - s - 1);
	if (!body)
		return -ENOMEM;
	s = field_end(body);
	if (!s) {
		snprintf(err, errlen, "malformed specifier '%s': expected :TYPE:EXPR after the "
			 "signature", text);
		goto out;
	}
	types = strndup(body, s - body);
	exprs = strdup(s + 1);
	if (!types || !exprs) {
		ret = -ENOMEM;
		goto out;
	}
	s = field_end(exprs);
	if (s) {
		sp->filter = trim_dup(s + 1, strlen(s + 1));
		exprs[s - exprs] = 0;
		if (!sp->filter || !*sp->filter) {
			snprintf(err, errlen, "empty filter in '%s'", text);
			goto out;
		}
	}
	if (split_list(types, sp->types, MAX_EXPRS, &ntypes, "types", text, err, errlen) ||
	    split_list(exprs, sp->exprs, MAX_EXPRS, &sp->nexprs, "expressions", text, err, errlen))
		goto out;
	if (ntypes != sp->nexprs) {
		snprintf(err, errlen, "'%s' has %d type%s for %d expression%s", text, ntypes,
			 ntypes == 1 ? "" : "s", sp->nexprs, sp->nexprs == 1 ? "" : "s");
		goto out;
	}
	if (hist && sp->nexprs != 1) {
		snprintf(err, errlen, "a histogram takes one expression, '%s' has %d", text,
			 sp->nexprs);
		goto out;
	}
	for (int i = 0; i < sp->nexprs; i++) {
		struct fetch_type t;

		if (fetch_type__parse(sp->types[i], FETCH_STR_DEFAULT, &t)) {
			snprintf(err, errlen, "unknown type '%s' in '%s'", sp->types[i], text);
			goto out;
		}
		if (hist && t.vtype == FETCH_T_STRING) {
			snprintf(err, errlen, "a histogram needs a number, not the string '%s' in "
				 "'%s'", sp->exprs[i], text);
			goto out;
		}
		sp->cexprs[i] = rewrite(sp, sp->exprs[i], err, errlen);
		if (!sp->cexprs[i])
			goto out;
	}
	if (sp->filter && !(sp->cfilter = rewrite(sp, sp->filter, err, errlen)))
		goto out;
	if ((sp->latency || sp->nentry) && sp->kind != PROBE_URETPROBE) {
		snprintf(err, errlen, "%s is only available in return probes (r:), not in '%s'",
			 sp->latency ? "$latency" : "$entry()", text);
		goto out;
	}
	for (int j = 0; j < sp->nentry; j++) {
		bool found = false;

		/* A kernel function's names may come from its BTF, known only
		 * once the sites are: compile_entry() checks them. */
		for (int i = 0; i < sp->nsig && !found; i++)
			found = !strcmp(sp->sig[i].name, sp->entry[j]);
		if (!found && !sp->kernel) {
			snprintf(err, errlen, "$entry(%s): '%s' is not a parameter of the signature "
				 "in '%s'", sp->entry[j], sp->entry[j], text);
			goto out;
		}
	}
	ret = 0;
out:
	free(body);
	free(types);
	free(exprs);
	return ret;
}

static void spec__fini(struct spec *sp)
{
	free(sp->lib);
	free(sp->func);
	for (int i = 0; i < sp->nsig; i++) {
		free(sp->sig[i].type);
		free(sp->sig[i].name);
	}
	for (int i = 0; i < MAX_EXPRS; i++) {
		free(sp->types[i]);
		free(sp->exprs[i]);
		free(sp->cexprs[i]);
	}
	free(sp->filter);
	free(sp->cfilter);
	free(sp->label);
	for (int i = 0; i < sp->nentry; i++)
		free(sp->entry[i]);
}

static const char *spec__title(const struct spec *sp)
{
	return sp->label ? sp->label : sp->text;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	char err[512];
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "C:H:p:t:i:d:n:cT:z:jvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'C':
		case 'H':
			if (o->nspecs >= MAX_SPECS)
				return usage_error("too many specifiers (at most %s)", "32");
			o->specs[o->nspecs++].text = optarg;
			o->specs[o->nspecs - 1].hist = c == 'H';
			break;
		case 't':
			if (cli__parse_pid(optarg, &o->tid))
				return usage_error("invalid thread id '%s'", optarg);
			break;
		case 'n':
			if (cli__parse_ulong(optarg, 1, ~0UL, &o->count))
				return usage_error("invalid number of intervals '%s'", optarg);
			break;
		/* bcc's letter: the command is --cmd here (CLI_OPT_CMD). */
		case 'c': o->cumulative = true; break;
		case 'T':
			if (cli__parse_ulong(optarg, 1, ~0UL, &o->top))
				return usage_error("invalid number of values '%s'", optarg);
			break;
		case 'z':
			if (cli__parse_ulong(optarg, 1, ARGDIST_KEY_MAX, &o->str_size))
				return usage_error("invalid string size '%s' (1..512)", optarg);
			break;
		case 'j': o->json = true; break;
		default:
			ret = cli__common_option("argdist", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s': give specifiers with -C or -H",
				   argv[optind]);
	if (!o->nspecs)
		return usage_error("%s", "no specifier given: use -C or -H");
	ret = cli_common__check("argdist", &o->cli);
	if (ret >= 0)
		return ret;
	for (int i = 0; i < o->nspecs; i++) {
		struct spec *sp = &o->specs[i];

		ret = spec__parse(sp, sp->text, sp->hist, err, sizeof(err));

		if (ret) {
			fprintf(stderr, "argdist: %s\n", ret == -ENOMEM ? "out of memory" : err);
			return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		}
	}
	return -1;
}

/* ---- plan: sites and their fetch programs ------------------------------------------ */

/* struct pt_regs word indexes of the SysV integer argument registers
 * (rdi, rsi, rdx, rcx, r8, r9; arch/x86/include/uapi/asm/ptrace.h). */
static const int arg_regs[MAX_SIG] = { 14, 13, 12, 11, 9, 8 };

struct site_info {
	int spec;
	unsigned flags;
	uint32_t pair;
	struct fetch_plan plan;
	unsigned key_off, key_len;
	int key_first;			/* index of the first key value in the plan */
};

struct plan {
	struct site_set set;
	struct site_info *info;		/* per site */
	unsigned key_bytes;		/* of the counts map's keys, after the spec */
	int first_site[MAX_SPECS];	/* a main site of each spec, for decoding */
};

/* Move the sites of @from to the end of @to, as @spec's. */
static int append_sites(struct site_set *to, struct site_set *from, int spec)
{
	size_t n = to->count + from->count;

	if (n > to->cap) {
		void *p = realloc(to->sites, n * sizeof(*to->sites));

		if (!p)
			return -ENOMEM;
		to->sites = p;
		to->cap = n;
	}
	for (size_t i = 0; i < from->count; i++) {
		from->sites[i].spec = spec;
		to->sites[to->count++] = from->sites[i];
	}
	free(from->sites);
	memset(from, 0, sizeof(*from));
	return 0;
}

/* Add the sites of @sp's function, as entry or return probes. */
static int add_sites(struct site_set *set, const struct spec *sp, int idx, enum probe_kind kind,
		     pid_t pid, struct attach_features *feat, char *err, size_t errlen)
{
	struct site_set tmp = {};
	struct probe_spec ps;
	char *text;
	int ret;

	if (asprintf(&text, "%c:%s:%s", kind == PROBE_UPROBE ? 'p' : 'r', sp->lib, sp->func) < 0)
		return -ENOMEM;
	ret = probe_spec__parse(text, 0, &ps, err, errlen);
	if (!ret) {
		ret = site_set__add(&tmp, &ps, idx, pid, feat, err, errlen);
		probe_spec__fini(&ps);
	}
	free(text);
	if (ret >= 0)
		ret = append_sites(set, &tmp, idx);
	site_set__fini(&tmp);
	return ret;
}

/* Room for every name of a site: see site_params(). */
#define MAX_NAMES (MAX_SIG + DWARF_MAX_PARAMS + KBTF_MAX_PARAMS + MAX_ENTRY + 1)

/* Where a site's named parameters come from, besides its signature. */
struct site_names {
	const struct dwarf_func *df;	/* a user function's DWARF, or NULL */
	const struct kbtf_func *kf;	/* a kernel function's BTF, or NULL */
};

/*
 * The names a site's expressions may use: the signature's parameters,
 * then the function's parameters from DWARF (user functions) or the
 * kernel's BTF (kernel functions), then $latency and $entry() for return
 * probes. @params must hold MAX_NAMES.
 */
static size_t site_params(const struct spec *sp, const struct site_names *sn, bool ret_site,
			  struct fetch_param *params, char (*names)[64])
{
	const struct dwarf_func *df = sn->df;
	const struct kbtf_func *kf = sn->kf;

	size_t n = 0;

	for (int i = 0; i < sp->nsig; i++)
		params[n++] = (struct fetch_param){ .name = sp->sig[i].name, .reg = arg_regs[i],
						    .type = sp->sig[i].type };
	for (size_t i = 0; df && i < df->nparams; i++) {
		if (dwarf_param__to_fetch(&df->params[i], &params[n]))
			continue;
		n++;
	}
	for (size_t i = 0; kf && i < kf->nparams; i++) {
		if (kbtf_param__to_fetch(&kf->params[i], &params[n]))
			continue;
		n++;
	}
	if (!ret_site)
		return n;
	params[n++] = (struct fetch_param){ .name = "__latency", .reg = -1, .type = "u64",
					    .in_data = true, .data_off = 0 };
	for (int j = 0; j < sp->nentry; j++) {
		const char *type = NULL;

		for (int i = 0; i < sp->nsig; i++)
			if (!strcmp(sp->sig[i].name, sp->entry[j]))
				type = sp->sig[i].type;
		snprintf(names[j], 64, "__entry_%s", sp->entry[j]);
		params[n++] = (struct fetch_param){ .name = names[j], .reg = -1, .type = type,
						    .in_data = true, .data_off = 8 * (j + 1) };
	}
	return n;
}

/* The entry twin's program: the $entry() values after a word for the time. */
static int compile_entry(const struct options *o, const struct spec *sp,
			 const struct site_names *sn, struct site_info *si, char *err,
			 size_t errlen)
{
	struct fetch_param params[MAX_NAMES];
	char names[MAX_ENTRY][64];
	struct fetch_env env = { .kind = FETCH_ENTRY, .params = params,
				 .str_size = o->str_size, .kernel = sp->kernel };

	env.nparams = site_params(sp, sn, false, params, names);
	fetch_plan__init(&si->plan);
	si->plan.prog.data_size = 8;
	for (int j = 0; j < sp->nentry; j++) {
		int ret = fetch_plan__add(&si->plan, sp->entry[j], NULL, &env, err, errlen);

		if (ret < 0)
			return ret;
		if (si->plan.values[ret].type.vtype == FETCH_T_STRING ||
		    si->plan.values[ret].off != 8u * (j + 1)) {
			snprintf(err, errlen, "$entry(%s) must be a number in '%s'", sp->entry[j],
				 sp->text);
			return -EINVAL;
		}
	}
	return 0;
}

/* A main site's program: the filter's operands, then the key values. */
static int compile_main(const struct options *o, const struct spec *sp,
			const struct site_names *sn, struct site_info *si, char *err,
			size_t errlen)
{
	struct fetch_param params[MAX_NAMES];
	char names[MAX_ENTRY][64];
	bool ret_site = sp->kind == PROBE_URETPROBE;
	struct fetch_env env = { .kind = ret_site ? FETCH_RETURN : FETCH_ENTRY,
				 .params = params, .str_size = o->str_size, .kernel = sp->kernel };
	int ret;

	env.nparams = site_params(sp, sn, ret_site, params, names);
	fetch_plan__init(&si->plan);
	if (sp->latency || sp->nentry)
		si->plan.prog.data_size = 8 * (1 + sp->nentry);
	if (sp->cfilter) {
		ret = fetch_plan__set_filter(&si->plan, sp->cfilter, &env, err, errlen);
		if (ret)
			return ret;
	}
	si->key_off = (si->plan.prog.data_size + 7) & ~7u;
	si->key_first = si->plan.nvalues;
	for (int i = 0; i < sp->nexprs; i++) {
		ret = fetch_plan__add(&si->plan, sp->cexprs[i], sp->types[i], &env, err, errlen);
		if (ret < 0)
			return ret;
		if (sp->hist && si->plan.values[ret].type.vtype == FETCH_T_STRING) {
			snprintf(err, errlen, "a histogram needs a number, and '%s' is a string",
				 sp->exprs[i]);
			return -EINVAL;
		}
	}
	si->key_len = si->plan.prog.data_size - si->key_off;
	if (si->key_len > ARGDIST_KEY_MAX) {
		snprintf(err, errlen, "the values of '%s' need %u bytes, more than %d (lower -z)",
			 sp->text, si->key_len, ARGDIST_KEY_MAX);
		return -E2BIG;
	}
	return 0;
}

/* Two sites of one specifier must lay their keys out alike. */
static bool same_layout(const struct site_info *a, const struct site_info *b, int n)
{
	if (a->key_len != b->key_len)
		return false;
	for (int i = 0; i < n; i++) {
		const struct fetch_value *x = &a->plan.values[a->key_first + i];
		const struct fetch_value *y = &b->plan.values[b->key_first + i];

		if (x->off - a->key_off != y->off - b->key_off || x->type.vtype != y->type.vtype ||
		    x->type.size != y->type.size)
			return false;
	}
	return true;
}

/* Kernel function @func's parameters into @kf. Returns 0, or -ENOENT with
 * why in @err. */
static int kernel_names(const char *func, struct kbtf_func *kf, char *err, size_t errlen)
{
	struct btf *btf = kbtf__vmlinux();
	int ret;

	if (!btf) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux) to name the "
			 "parameters of %s: declare them, as in %s(int fd)", func, func);
		return -ENOENT;
	}
	ret = kbtf__func(btf, func, kf);
	if (ret)
		snprintf(err, errlen, "the kernel's BTF does not describe %s: declare its "
			 "parameters, as in %s(int fd)", func, func);
	return ret ? -ENOENT : 0;
}

/*
 * Resolve every specifier's sites (plus entry twins for $entry() and
 * $latency) and compile their programs. Returns 0 or an exit code, having
 * printed one sentence.
 */
static int make_plan(const struct options *o, struct plan *pl, pid_t pid,
		     struct attach_features *feat)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	struct kbtf_func *kf = malloc(sizeof(*kf));
	char msg[1024], dmsg[512] = "";
	int ret = EXIT_RUNTIME, err;

	if (!dc || !kf)
		goto out;
	for (int i = 0; i < o->nspecs; i++) {
		const struct spec *sp = &o->specs[i];
		size_t first = pl->set.count;

		err = add_sites(&pl->set, sp, i, sp->kind, pid, feat, msg, sizeof(msg));
		if (err < 0) {
			fprintf(stderr, "argdist: %s\n", msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : site_error_exit_code(err);
			goto out;
		}
		pl->first_site[i] = first;
		if (!sp->latency && !sp->nentry)
			continue;
		err = add_sites(&pl->set, sp, i, PROBE_UPROBE, pid, feat, msg, sizeof(msg));
		if (err < 0) {
			fprintf(stderr, "argdist: %s\n", msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : site_error_exit_code(err);
			goto out;
		}
	}
	pl->info = calloc(pl->set.count, sizeof(*pl->info));
	if (!pl->info)
		goto out;
	for (size_t i = 0; i < pl->set.count; i++) {
		const struct site *s = &pl->set.sites[i];
		const struct spec *sp = &o->specs[s->spec];
		struct site_info *si = &pl->info[i];
		const struct dwarf_func *df;
		struct site_names sn = {};

		si->spec = s->spec;
		err = s->path ? dwarf_cache__func(dc, s->path, s->vaddr, &df, dmsg, sizeof(dmsg))
			      : -ENOENT;
		if (err && err != -ENOENT && o->cli.verbose)
			fprintf(stderr, "argdist: %s\n", dmsg);
		if (!err)
			sn.df = df;
		if (s->kind == PROBE_KPROBE || s->kind == PROBE_KRETPROBE) {
			err = kernel_names(s->symbol, kf, dmsg, sizeof(dmsg));
			if (!err)
				sn.kf = kf;
		}
		if ((s->kind == PROBE_UPROBE || s->kind == PROBE_KPROBE) &&
		    sp->kind == PROBE_URETPROBE) {
			/* An entry twin: its return site has the same file offset,
			 * or for a kernel function the same name. */
			si->flags = ARGDIST_SAVE_ENTRY;
			si->pair = UINT32_MAX;
			for (size_t j = 0; j < pl->set.count; j++) {
				const struct site *r = &pl->set.sites[j];

				if (r->spec != s->spec)
					continue;
				if (s->kind == PROBE_UPROBE && r->kind == PROBE_URETPROBE &&
				    r->offset == s->offset && !strcmp(r->path, s->path))
					si->pair = j;
				if (s->kind == PROBE_KPROBE && r->kind == PROBE_KRETPROBE &&
				    !strcmp(r->symbol, s->symbol))
					si->pair = j;
			}
			err = compile_entry(o, sp, &sn, si, msg, sizeof(msg));
		} else {
			si->flags = (sp->hist ? ARGDIST_HIST : 0) |
				    (sp->latency || sp->nentry ? ARGDIST_USE_ENTRY : 0);
			err = compile_main(o, sp, &sn, si, msg, sizeof(msg));
			if (!err && i != (size_t)pl->first_site[s->spec] &&
			    !same_layout(si, &pl->info[pl->first_site[s->spec]], sp->nexprs)) {
				snprintf(msg, sizeof(msg), "the values of '%s' have different types in "
					 "%s and %s", sp->text, s->name,
					 pl->set.sites[pl->first_site[s->spec]].name);
				err = -EINVAL;
			}
			if (!err && si->key_len > pl->key_bytes)
				pl->key_bytes = si->key_len;
		}
		if (err) {
			/* Names need DWARF or BTF: say why a name is unknown, or
			 * which names a kernel function has. */
			if (!sn.df && !sn.kf && strstr(msg, "unknown name"))
				fprintf(stderr, "argdist: %s: %s\n", msg, dmsg);
			else if (sn.kf && strstr(msg, "unknown name"))
				fprintf(stderr, "argdist: %s: %s\n", msg,
					kbtf_func__describe(sn.kf, dmsg, sizeof(dmsg)));
			else
				fprintf(stderr, "argdist: %s\n", err == -ENOMEM ? "out of memory" : msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
			goto out;
		}
	}
	pl->key_bytes = (pl->key_bytes + 7) & ~7u;
	if (!pl->key_bytes)
		pl->key_bytes = 8;
	ret = 0;
out:
	free(kf);
	dwarf_cache__free(dc);
	return ret;
}

static void plan__fini(struct plan *pl)
{
	site_set__fini(&pl->set);
	free(pl->info);
}

/* ---- reading and reporting ------------------------------------------------------- */

/* A count of one key, as read from the map. */
struct count_rec {
	uint8_t *key;		/* spec (4 bytes), pad, key bytes */
	uint64_t count;
};

struct counts {
	struct count_rec *recs;
	size_t n, cap;
	size_t key_size;
};

struct state {
	const struct options *o;
	const struct plan *pl;
	struct argdist_bpf *skel;
	struct out *out;
	int ncpus;
	struct argdist_hist *percpu;	/* scratch for one lookup */
	struct argdist_hist *prev;	/* per spec, at the last report */
	struct counts prev_counts;	/* at the last report, sorted by key */
	unsigned interval;
	size_t key_size;
};

static size_t g_cmp_size;	/* qsort has no context argument: the key size */

static int cmp_rec(const void *a, const void *b)
{
	return memcmp(((const struct count_rec *)a)->key, ((const struct count_rec *)b)->key,
		      g_cmp_size);
}

static void counts__fini(struct counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->recs[i].key);
	free(c->recs);
	memset(c, 0, sizeof(*c));
}

/* Read the whole counts map into @c, sorted by key. */
static int read_counts(struct state *st, struct counts *c)
{
	int fd = bpf_map__fd(st->skel->maps.counts);
	uint8_t *key = calloc(2, st->key_size), *next = key + st->key_size;
	int err = 0;
	bool first = true;

	memset(c, 0, sizeof(*c));
	c->key_size = st->key_size;
	if (!key)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		uint64_t v;

		first = false;
		memcpy(key, next, st->key_size);
		if (bpf_map_lookup_elem(fd, key, &v))
			continue;
		if (c->n == c->cap) {
			void *p = realloc(c->recs, (c->cap = c->cap ? c->cap * 2 : 256) *
					  sizeof(*c->recs));

			if (!p) {
				err = -ENOMEM;
				break;
			}
			c->recs = p;
		}
		c->recs[c->n].key = malloc(st->key_size);
		if (!c->recs[c->n].key) {
			err = -ENOMEM;
			break;
		}
		memcpy(c->recs[c->n].key, key, st->key_size);
		c->recs[c->n++].count = v;
	}
	free(key);
	g_cmp_size = st->key_size;
	if (c->n > 1)
		qsort(c->recs, c->n, sizeof(*c->recs), cmp_rec);
	return err;
}

/* The previous count of @key, 0 if it was not there. */
static uint64_t prev_count(const struct counts *prev, const uint8_t *key)
{
	struct count_rec k = { .key = (uint8_t *)key }, *r;

	if (!prev->n)
		return 0;
	g_cmp_size = prev->key_size;
	r = bsearch(&k, prev->recs, prev->n, sizeof(k), cmp_rec);
	return r ? r->count : 0;
}

/* "size = 16, fd = 1" for a key of @si's layout into @buf. */
static void format_key(const struct spec *sp, const struct site_info *si, const uint8_t *data,
		       char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	if (sp->default_expr && sp->kind == PROBE_UPROBE) {
		snprintf(buf, len, "total calls");
		return;
	}
	for (int i = 0; i < sp->nexprs && o < len; i++) {
		struct fetch_value v = si->plan.values[si->key_first + i];
		char val[FETCH_MAX_STR + 32];

		v.off -= si->key_off;
		fetch_value__format(&v, data, si->key_len, false, val, sizeof(val));
		o += snprintf(buf + o, len - o, "%s%s = %s", i ? ", " : "",
			      sp->default_expr ? "retval" : sp->exprs[i], val);
	}
}

/*
 * The JSON key of expression @i of @sp: the expression itself, or
 * "valueN.EXPR" (N counting from 1) where that is one of the record's own
 * keys or an earlier expression's (an expression named count must not
 * hide the count).
 */
static const char *json_key(const struct spec *sp, int i, char *buf, size_t len)
{
	static const char *const reserved[] = { "type", "interval", "probe", "count", "event" };
	const char *e = sp->exprs[i];
	bool clash = false;

	for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
		clash |= !strcmp(e, reserved[k]);
	for (int j = 0; j < i; j++)
		clash |= !strcmp(e, sp->exprs[j]);
	if (!clash)
		return e;
	snprintf(buf, len, "value%d.%s", i + 1, e);
	return buf;
}

static int report_counts(struct state *st, const struct out_ctx *ctx, int spec,
			 const struct counts *cur)
{
	const struct spec *sp = &st->o->specs[spec];
	const struct site_info *si = &st->pl->info[st->pl->first_site[spec]];
	struct out_col cols[3 + MAX_EXPRS] = {
		{ "PROBE", "probe", OUT_STR, 0, .json_only = true },
		{ "COUNT", "count", OUT_U64, -10 },
		{ "EVENT", "event", OUT_STR, 0 },
	};
	size_t ncols = 3;
	struct out_table *t;
	char (*events)[1024] = NULL;
	char (*strs)[MAX_EXPRS][FETCH_MAX_STR + 1] = NULL;
	char keys[MAX_EXPRS][96];
	size_t nrows = 0;
	int err = -ENOMEM;

	if (!sp->default_expr) {
		for (int i = 0; i < sp->nexprs; i++) {
			const struct fetch_value *v = &si->plan.values[si->key_first + i];

			cols[ncols++] = (struct out_col){ sp->exprs[i], json_key(sp, i, keys[i],
										 sizeof(keys[i])),
				v->type.vtype == FETCH_T_STRING ? OUT_STR :
				v->type.vtype == FETCH_T_SIGNED ? OUT_S64 : OUT_U64, 0,
				.json_only = true };
		}
	}
	t = out_table__new(cols, ncols);
	for (size_t i = 0; i < cur->n; i++)
		nrows += *(uint32_t *)cur->recs[i].key == (uint32_t)spec;
	events = calloc(nrows ? nrows : 1, sizeof(*events));
	strs = calloc(nrows ? nrows : 1, sizeof(*strs));
	if (!t || !events || !strs)
		goto out;
	nrows = 0;
	for (size_t i = 0; i < cur->n; i++) {
		const uint8_t *key = cur->recs[i].key, *data = key + 8;
		struct out_val vals[3 + MAX_EXPRS];
		uint64_t n = cur->recs[i].count;

		if (*(const uint32_t *)key != (uint32_t)spec)
			continue;
		if (!st->o->cumulative)
			n -= prev_count(&st->prev_counts, key);
		if (!n)
			continue;
		format_key(sp, si, data, events[nrows], sizeof(events[0]));
		vals[0].s = spec__title(sp);
		vals[1].u = n;
		vals[2].s = events[nrows];
		for (size_t c = 3; c < ncols; c++) {
			struct fetch_value v = si->plan.values[si->key_first + c - 3];

			v.off -= si->key_off;
			if (cols[c].type == OUT_STR)
				vals[c].s = fetch_value__str(&v, data, si->key_len, strs[nrows][c - 3],
							     sizeof(strs[0][0]));
			else
				vals[c].u = fetch_value__u64(&v, data, si->key_len);
		}
		nrows++;
		if (out_table__add(t, vals))
			goto out;
	}
	out_table__sort(t, 1, false);
	if (st->o->top)
		out_table__keep_last(t, st->o->top);
	out__table(st->out, ctx, t);
	err = 0;
out:
	out_table__free(t);
	free(events);
	free(strs);
	return err;
}

static int report_hist(struct state *st, const struct out_ctx *ctx, uint32_t spec)
{
	const struct spec *sp = &st->o->specs[spec];
	struct argdist_hist total = {}, delta;
	struct out_kv kv = { "probe", NULL, OUT_STR, { .s = spec__title(sp) } };
	struct hist h;

	if (bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.hists), &spec, st->percpu))
		return -errno;
	for (int cpu = 0; cpu < st->ncpus; cpu++) {
		for (int i = 0; i < ARGDIST_SLOTS; i++)
			total.slots[i] += st->percpu[cpu].slots[i];
		total.count += st->percpu[cpu].count;
		total.sum += st->percpu[cpu].sum;
	}
	delta = total;
	if (!st->o->cumulative) {
		for (int i = 0; i < ARGDIST_SLOTS; i++)
			delta.slots[i] -= st->prev[spec].slots[i];
		delta.count -= st->prev[spec].count;
		delta.sum -= st->prev[spec].sum;
	}
	st->prev[spec] = total;
	hist__init_log2(&h);
	memcpy(h.slots, delta.slots, sizeof(h.slots));
	h.count = delta.count;
	h.sum = delta.sum;
	/* bcc names the value column after the label or the expression. */
	out__hist_kv(st->out, ctx, &kv, out__format(st->out) == OUT_JSON ? 1 : 0,
		     sp->label ? sp->label : sp->default_expr ? "retval" : sp->exprs[0], &h,
		     false);
	return 0;
}

static int report(struct state *st)
{
	struct out_ctx ctx = { .interval = st->interval, .indent = "\t" };
	bool text = out__format(st->out) == OUT_TEXT;
	struct counts cur = {};
	int err;

	err = read_counts(st, &cur);
	if (err)
		goto out;
	if (text) {
		time_t now = time(NULL);
		struct tm tm;
		char buf[32];

		strftime(buf, sizeof(buf), "[%H:%M:%S]", localtime_r(&now, &tm));
		out__line(st->out, "time", buf);
	}
	for (int i = 0; i < st->o->nspecs; i++) {
		if (text)
			out__line(st->out, "probe", spec__title(&st->o->specs[i]));
		if (st->o->specs[i].hist) {
			ctx.record = "hist";
			err = report_hist(st, &ctx, i);
		} else {
			ctx.record = "count";
			err = report_counts(st, &ctx, i, &cur);
		}
		if (err)
			goto out;
	}
	counts__fini(&st->prev_counts);
	st->prev_counts = cur;
	memset(&cur, 0, sizeof(cur));
out:
	counts__fini(&cur);
	return err;
}

/* ---- main ---------------------------------------------------------------------- */

static int load_and_attach(const struct options *o, struct plan *pl, struct argdist_bpf **skelp,
			   struct attacher **attp, struct site_progs *progs,
			   struct attach_features *feat, pid_t pid, size_t *nskipped)
{
	struct argdist_bpf *skel;
	size_t attached = 0;
	int err;

	skel = *skelp = argdist_bpf__open();
	if (!skel) {
		fprintf(stderr, "argdist: cannot open the BPF object: %s\n", strerror(errno));
		return -1;
	}
	skel->rodata->targ_tgid = pid;
	skel->rodata->targ_tid = o->tid;
	bpf_map__set_max_entries(skel->maps.fetch_progs, pl->set.count);
	bpf_map__set_max_entries(skel->maps.sites, pl->set.count);
	bpf_map__set_max_entries(skel->maps.hists, o->nspecs);
	bpf_map__set_max_entries(skel->maps.counts, cli__map_entries(ARGDIST_COUNT_ENTRIES));
	bpf_map__set_max_entries(skel->maps.entries, cli__map_entries(ARGDIST_CALL_ENTRIES));
	bpf_map__set_key_size(skel->maps.counts, 8 + pl->key_bytes);
	*progs = (struct site_progs){
		.uprobe = skel->progs.argdist_uprobe,
		.uprobe_multi = skel->progs.argdist_uprobe_multi,
		.kprobe = skel->progs.argdist_kprobe,
		.kprobe_multi = skel->progs.argdist_kprobe_multi,
	};
	site_set__prepare_progs(&pl->set, progs, feat, o->cli.mode);
	err = argdist_bpf__load(skel);
	if (err) {
		fprintf(stderr, "argdist: cannot load the BPF program: %s\n", strerror(-err));
		return -1;
	}
	for (uint32_t i = 0; i < pl->set.count; i++) {
		const struct site_info *si = &pl->info[i];
		struct argdist_site v = { .spec = si->spec, .flags = si->flags, .pair = si->pair,
					  .key_off = si->key_off };

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.fetch_progs), &i, &si->plan.prog, 0) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.sites), &i, &v, 0)) {
			fprintf(stderr, "argdist: cannot store the fetch programs: %s\n",
				strerror(errno));
			return -1;
		}
	}
	*attp = attacher__new();
	if (!*attp)
		return -1;
	if (site_set__attach_or_say(&pl->set, *attp, progs, o->cli.mode, pid, "argdist", stderr,
				    &attached))
		return -1;
	attacher__skipped(*attp, nskipped);
	if (o->cli.verbose)
		fprintf(stderr, "attached %zu probes with %zu links\n", attached,
			attacher__link_count(*attp));
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .cli.interval = 1, .str_size = FETCH_STR_DEFAULT };
	struct cli_run run = CLI_RUN_INIT;
	struct attach_features feat;
	struct argdist_bpf *skel = NULL;
	struct attacher *att = NULL;
	struct site_progs progs;
	struct out *out = NULL;
	struct plan pl = {};
	struct state st = {};
	size_t nskipped = 0;
	int ret, err;
	pid_t pid;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		goto out_specs;
	out = out__new(stdout, o.json ? OUT_JSON : OUT_TEXT);
	ret = EXIT_RUNTIME;
	if (!out)
		goto out_specs;
	if (cli__start("argdist", true, o.cli.verbose, &feat))
		goto out;
	if (!feat.bpf_cookie) {
		fprintf(stderr, "argdist: this kernel has no BPF cookies (it needs Linux 5.15 "
			"or later)\n");
		goto out;
	}
	ret = cli_run__init_or_say("argdist", &run, o.cli.pid, o.cli.cmd, o.cli.duration,
				   o.cli.interval);
	if (ret)
		goto out;
	run.out = out;
	pid = cli_run__target(&run, o.cli.pid);
	ret = make_plan(&o, &pl, pid, &feat);
	if (ret)
		goto out;
	if (site_set__check_program_or_say(&pl.set, run.cmd.exe, "argdist", stderr)) {
		ret = EXIT_USAGE;
		goto out;
	}
	ret = EXIT_RUNTIME;
	if (load_and_attach(&o, &pl, &skel, &att, &progs, &feat, pid, &nskipped))
		goto out;

	st = (struct state){ .o = &o, .pl = &pl, .skel = skel, .out = out,
			     .ncpus = libbpf_num_possible_cpus(), .key_size = 8 + pl.key_bytes };
	if (st.ncpus <= 0)
		goto out;
	st.percpu = calloc(st.ncpus, sizeof(*st.percpu));
	st.prev = calloc(o.nspecs, sizeof(*st.prev));
	if (!st.percpu || !st.prev)
		goto out;
	fprintf(stderr, "Tracing %zu %s for %d %s... Hit Ctrl-C to end.\n",
		pl.set.count - nskipped, pl.set.count - nskipped == 1 ? "probe" : "probes",
		o.nspecs, o.nspecs == 1 ? "specifier" : "specifiers");
	if (cli_run__start(&run)) {
		fprintf(stderr, "argdist: cannot start '%s'\n", o.cli.cmd);
		goto out;
	}
	for (;;) {
		enum cli_step step = cli_run__next(&run);

		if (step == CLI_STEP_FAILED)
			goto out;
		if (step == CLI_STEP_EVENT)
			continue;
		err = report(&st);
		if (err) {
			fprintf(stderr, "argdist: cannot read the counts: %s\n", strerror(-err));
			goto out;
		}
		st.interval++;
		if (step == CLI_STEP_LAST || (o.count && st.interval >= o.count))
			break;
		out__separator(out);
	}
	/* The output failed: a summary would only add to the noise. */
	if (out__flush(out))
		goto out;
	{
		struct out_kv kv[] = {
			{ "probes", NULL, OUT_U64, { .u = pl.set.count - nskipped } },
			{ "lost", "%s values not counted: the counts table was full", OUT_U64,
			  { .u = skel->bss->lost } },
			{ "lost_entries", "%s calls not measured: the table of calls in flight "
			  "was full", OUT_U64, { .u = skel->bss->lost_entries } },
			/* A call counted in lost_entries comes back here too. */
			{ "no_entry", "%s returns not measured: their entry was not seen (the "
			  "call began before tracing did, or its entry was lost)", OUT_U64,
			  { .u = skel->bss->no_entry } },
			{ "missed", "%s hits missed by the kernel (BPF recursion)", OUT_U64,
			  { .u = site_progs__misses(&progs) } },
			{ "skipped", "%s sites skipped (the kernel cannot probe them)", OUT_U64,
			  { .u = nskipped } },
		};

		out__summary(out, kv, sizeof(kv) / sizeof(kv[0]));
	}
	if (attacher__slow_detach(att))
		fprintf(stderr, "Detaching %zu probes...\n", attacher__link_count(att));
	ret = EXIT_OK;
out:
	cli_run__fini(&run);
	attacher__free(att);
	argdist_bpf__destroy(skel);
	counts__fini(&st.prev_counts);
	free(st.percpu);
	free(st.prev);
	plan__fini(&pl);
	ret = cli__finish_output("argdist", out, ret);
	out__free(out);
out_specs:
	for (int i = 0; i < o.nspecs; i++)
		spec__fini(&o.specs[i]);
	return ret;
}
