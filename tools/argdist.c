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

#include "common/argspec.h"
#include "common/attach.h"
#include "common/callconv.h"
#include "common/cli.h"
#include "common/dwarf.h"
#include "common/kbtf.h"
#include "common/fetch.h"
#include "common/hist.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/prom.h"
#include "common/sites.h"
#include "common/tool.h"
#include "bpf/argdist.h"
#include "bpf/regs.h"
#include "argdist.skel.h"

_Static_assert(sizeof(struct argdist_site) == 16, "argdist_site ABI");
_Static_assert(sizeof(struct argdist_key) == 8 + ARGDIST_KEY_MAX, "argdist_key ABI");

#define MAX_SPECS 32


struct options {
	struct cli_common cli;		/* -p --cmd -i -d -v --attach */
	pid_t tid;
	unsigned long count;		/* -n: intervals */
	unsigned long top;		/* -T */
	unsigned long str_size;		/* -z */
	bool cumulative;
	bool json;
	bool force;			/* --force: return probes in Go programs */
	struct argspec specs[MAX_SPECS];
	int nspecs;
};

static const char usage[] =
"Usage: argdist [OPTIONS] {-C|-H} SPECIFIER...\n"
"Count (-C) or histogram (-H) the values of function arguments and return\n"
"values, as bcc's argdist does.\n"
"\n"
"Specifier:\n"
"  {p,r}:LIB:FUNC(SIGNATURE)[:TYPE[,TYPE...]:EXPR[,EXPR...][:FILTER]][#LABEL]\n"
"  t:CATEGORY:EVENT()[...], u:LIB:PROBE()[...]   tracepoints, USDT probes\n"
"  p, r        probe the function's entry or its return\n"
"  LIB         library name (c, libc), path of a library or program;\n"
"              empty for a kernel function (p::vfs_read)\n"
"  SIGNATURE   the parameters used, C style: size_t size, const char *buf;\n"
"              with debug information (user functions) or the kernel's BTF\n"
"              (kernel functions), parameters may be used by name without\n"
"              being declared (FUNC())\n"
"  TYPE        the type of each expression: int, u64, size_t, char * ...\n"
"  EXPR        parameter names, arg1..arg6 (arg1..arg9 in Go), $retval,\n"
"              $entry(param) and $latency (return probes), *(ptr+8), $PID,\n"
"              $TID, $COMM, $cpu, args->FIELD (tracepoints), and C over them:\n"
"              $latency/1000, casts, members (req->tv_nsec, from DWARF/BTF)\n"
"  FILTER      a C expression over the same values, STRCMP(\"text\", str)\n"
"  LABEL       printed instead of the specifier (after # or ;)\n"
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
"      --prom FILE        also write the counts and histograms to FILE as\n"
"                         Prometheus metrics (node_exporter's textfile\n"
"                         collector), at each interval\n"
"  -v, --verbose          verbose: libbpf errors, kernel features\n"
"  -I, --include HEADER   accepted for bcc's command lines: types come from\n"
"                         debug information (DWARF) and the kernel's BTF instead\n"
"      --force            return probes (r:) in Go programs too: they can crash them\n"
"      --attach MODE      auto (default), multi or single\n"
"      --unsafe           probe a raw offset (PATH:0xOFFSET) that no function\n"
"                         symbol covers, so that it cannot be checked to start\n"
"                         an instruction; offsets in data are refused anyway\n"
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
"  argdist -C 'p::do_sys_openat2():char *:filename' -T 10\n"
"  argdist -i 15 --prom /var/lib/node_exporter/argdist.prom \\\n"
"          -H 'p:c:malloc(size_t size):size_t:size'\n";

enum { OPT_FORCE = CLI_OPT_TOOL };

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
	{ "prom", required_argument, NULL, CLI_OPT_PROM },
	{ "verbose", no_argument, NULL, 'v' },
	{ "include", required_argument, NULL, 'I' },
	{ "force", no_argument, NULL, OPT_FORCE },
	CLI_LONG_OPTS_SITES_END
};

#define usage_error(...) cli__usage_error("argdist", __VA_ARGS__)

static int parse_args(int argc, char **argv, struct options *o)
{
	char err[512];
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":C:H:p:t:i:d:n:cT:z:I:jvh", long_opts, NULL)) != -1) {
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
		case 'I':
			fprintf(stderr, "argdist: -I %s is not needed: types come from debug "
				"information (DWARF) and the kernel's BTF, not from C headers\n",
				optarg);
			break;
		case OPT_FORCE: o->force = true; break;
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
		struct argspec *sp = &o->specs[i];

		ret = argspec__parse(sp, sp->text, sp->hist, err, sizeof(err));

		if (ret) {
			fprintf(stderr, "argdist: %s\n", ret == -ENOMEM ? "out of memory" : err);
			return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		}
	}
	return -1;
}

/* ---- plan: sites and their fetch programs ------------------------------------------ */

struct site_info {
	int spec;
	enum callconv conv;		/* of a user function: where argN are */
	unsigned flags;
	uint32_t pair;
	struct fetch_plan plan;
	unsigned key_off, key_len;
	int key_first;			/* index of the first key value in the plan */
};

struct plan {
	struct site_set *set;		/* the tool's (borrowed) */
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

/* Add the sites of @sp's function, as entry or return probes; @flags as
 * for probe_spec__init_func() (PROBE_F_UNSAFE). */
static int add_sites(struct site_set *set, const struct argspec *sp, int idx, enum probe_kind kind,
		     unsigned flags, pid_t pid, struct attach_features *feat, char *err,
		     size_t errlen)
{
	struct site_set tmp = {};
	struct probe_spec ps;
	char *text = NULL;
	int ret;

	if (kind == PROBE_TRACEPOINT || kind == PROBE_USDT) {
		/* t:CATEGORY:EVENT, u:LIB:PROBE as the other tools take them. */
		if (asprintf(&text, "%c:%s:%s", kind == PROBE_USDT ? 'u' : 't', sp->lib,
			     sp->func) < 0) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		ret = probe_spec__parse(text, 0, &ps, err, errlen);
		if (ret) {
			free(text);
			return ret;
		}
	} else {
		if (sp->kernel)
			kind = kind == PROBE_UPROBE ? PROBE_KPROBE : PROBE_KRETPROBE;
		ret = probe_spec__init_func(&ps, kind, sp->kernel ? NULL : sp->lib, sp->func,
					    sp->text, flags);
		if (ret) {
			snprintf(err, errlen, ret == -ENOMEM ? "out of memory" :
				 "'%s' has an offset that does not fit in 64 bits", sp->text);
			return ret;
		}
	}
	ret = site_set__add(&tmp, &ps, idx, pid, feat, err, errlen);
	probe_spec__fini(&ps);
	free(text);
	if (ret >= 0)
		ret = append_sites(set, &tmp, idx);
	site_set__fini(&tmp);
	return ret;
}

/* Room for every name of a site: see site_params(). */
#define MAX_NAMES (ARGSPEC_MAX_PARAMS + DWARF_MAX_PARAMS + KBTF_MAX_PARAMS + ARGSPEC_MAX_ENTRY + 1)

/* Where a site's named parameters and types come from, besides its
 * signature. */
struct site_names {
	const struct dwarf_func *df;	/* a user function's DWARF, or NULL */
	const struct kbtf_func *kf;	/* a kernel function's BTF, or NULL */
	enum callconv conv;		/* where its signature's parameters are */
	enum fetch_kind kind;		/* of the main site: entry, return, USDT, tracepoint */
	const struct tp_format *tp;	/* a tracepoint's fields */
	const struct ctype_src *types[2];	/* casts' types: DWARF, kernel BTF */
	size_t ntypes;
};

/* Why a declared parameter cannot be read under @conv (NULL: it can). */
static const char *sig_unavailable(enum callconv conv, int i)
{
	if (callconv__arg_reg(conv, i + 1) >= 0)
		return NULL;
	switch (conv) {
	case CALLCONV_SYSV:
		return "it is passed on the stack, after the six argument registers";
	case CALLCONV_GO_REGS:
		return "it is passed on the stack, after Go's nine argument registers";
	case CALLCONV_GO_STACK:
		return "this Go function was built before Go 1.17 and takes its arguments on "
		       "the stack: name a parameter from DWARF (FUNC()) or read the stack at "
		       "entry, as +8(%sp)";
	default:
		return "the calling convention of this Go program is unknown (it names no Go "
		       "version or register ABI): name a parameter from DWARF (FUNC()) or "
		       "read a register, as %ax";
	}
}

/*
 * The names a site's expressions may use: the signature's parameters,
 * then the function's parameters from DWARF (user functions) or the
 * kernel's BTF (kernel functions), then $latency and $entry() for return
 * probes. @params must hold MAX_NAMES.
 */
static size_t site_params(const struct argspec *sp, const struct site_names *sn, bool ret_site,
			  struct fetch_param *params, char (*names)[64])
{
	const struct dwarf_func *df = sn->df;
	const struct kbtf_func *kf = sn->kf;

	size_t n = 0;

	for (int i = 0; i < sp->nsig; i++)
		params[n++] = (struct fetch_param){ .name = sp->sig[i].name,
						    .reg = callconv__arg_reg(sn->conv, i + 1),
						    .type = sp->sig[i].type,
						    .unavailable = sig_unavailable(sn->conv, i) };
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
static int compile_entry(const struct options *o, const struct argspec *sp,
			 const struct site_names *sn, struct site_info *si, char *err,
			 size_t errlen)
{
	struct fetch_param params[MAX_NAMES];
	char names[ARGSPEC_MAX_ENTRY][64];
	struct fetch_env env = { .kind = FETCH_ENTRY, .params = params,
				 .str_size = o->str_size, .kernel = sp->kernel, .conv = sn->conv,
				 .types = sn->types, .ntypes = sn->ntypes };

	env.nparams = site_params(sp, sn, false, params, names);
	fetch_plan__init(&si->plan);
	si->plan.prog.data_size = 8;
	for (int j = 0; j < sp->nentry; j++) {
		/* The value itself: a string parameter is saved as its pointer,
		 * and read as a string at the return (STRCMP("x", $entry(f))). */
		int ret = fetch_plan__add(&si->plan, sp->entry[j], "u64", &env, err, errlen);

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
static int compile_main(const struct options *o, const struct argspec *sp,
			const struct site_names *sn, struct site_info *si, char *err,
			size_t errlen)
{
	struct fetch_param params[MAX_NAMES];
	char names[ARGSPEC_MAX_ENTRY][64];
	bool ret_site = sp->kind == PROBE_URETPROBE;
	struct fetch_env env = { .kind = sn->kind, .tp = sn->tp, .params = params,
				 .str_size = o->str_size, .kernel = sp->kernel, .conv = sn->conv,
				 .types = sn->types, .ntypes = sn->ntypes };
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

/* -v: which convention argN and signatures follow in site @i's file, once
 * per Go file and convention (an earlier site of the same file and
 * convention said it). */
static void say_conv(const struct plan *pl, size_t i, const struct callconv_info *ci)
{
	const struct site *s = &pl->set->sites[i];
	char line[512];

	for (size_t j = 0; j < i; j++) {
		const struct site *o = &pl->set->sites[j];

		if (o->path && !strcmp(o->path, s->path) && pl->info[j].conv == ci->conv)
			return;
	}
	fprintf(stderr, "argdist: %s\n",
		callconv_info__describe(ci, s->display_path, line, sizeof(line)));
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
	struct callconv_cache *cc = callconv_cache__new(dc);
	struct kbtf_func *kf = malloc(sizeof(*kf));
	char msg[1024], dmsg[512] = "";
	unsigned flags = o->cli.unsafe ? PROBE_F_UNSAFE : 0;
	struct tp_format fmt = {};
	const char *root = NULL;
	int ret = EXIT_RUNTIME, err;

	if (!dc || !cc || !kf)
		goto out;
	for (int i = 0; i < o->nspecs; i++) {
		const struct argspec *sp = &o->specs[i];
		size_t first = pl->set->count;

		err = add_sites(pl->set, sp, i, sp->kind, flags, pid, feat, msg, sizeof(msg));
		if (err < 0) {
			fprintf(stderr, "argdist: %s\n", msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : site_error_exit_code(err);
			goto out;
		}
		pl->first_site[i] = first;
		if (!sp->latency && !sp->nentry)
			continue;
		err = add_sites(pl->set, sp, i, PROBE_UPROBE, flags, pid, feat, msg, sizeof(msg));
		if (err < 0) {
			fprintf(stderr, "argdist: %s\n", msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : site_error_exit_code(err);
			goto out;
		}
	}
	pl->info = calloc(pl->set->count, sizeof(*pl->info));
	if (!pl->info)
		goto out;
	for (size_t i = 0; i < pl->set->count; i++) {
		const struct site *s = &pl->set->sites[i];
		const struct argspec *sp = &o->specs[s->spec];
		struct site_info *si = &pl->info[i];
		const struct dwarf_func *df;
		struct site_names sn = {};

		si->spec = s->spec;
		sn.kind = s->kind == PROBE_USDT ? FETCH_USDT : s->kind == PROBE_TRACEPOINT ?
			  FETCH_TRACEPOINT : sp->kind == PROBE_URETPROBE ? FETCH_RETURN : FETCH_ENTRY;
		err = s->path && (s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE) ?
		      dwarf_cache__func(dc, s->path, s->vaddr, &df, dmsg, sizeof(dmsg)) : -ENOENT;
		if (err && err != -ENOENT && o->cli.verbose)
			fprintf(stderr, "argdist: %s\n", dmsg);
		if (!err)
			sn.df = df;
		if (s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE) {
			struct callconv_info ci;

			if (!callconv_cache__get(cc, s->path, s->vaddr, &ci)) {
				sn.conv = si->conv = ci.conv;
				if (o->cli.verbose && ci.go)
					say_conv(pl, i, &ci);
			}
			if ((sn.types[sn.ntypes] = dwarf_cache__types(dc, s->path)))
				sn.ntypes++;
		}
		if ((sn.types[sn.ntypes] = kbtf__types()))
			sn.ntypes++;
		if (s->kind == PROBE_TRACEPOINT) {
			if (!root && !(root = tracefs__root())) {
				fprintf(stderr, "argdist: cannot mount tracefs: %s\n", strerror(errno));
				goto out;
			}
			tp_format__fini(&fmt);
			if (tp_format__load(&fmt, root, s->provider, s->symbol, msg, sizeof(msg))) {
				fprintf(stderr, "argdist: %s\n", msg);
				goto out;
			}
			sn.tp = &fmt;
		}
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
			for (size_t j = 0; j < pl->set->count; j++) {
				const struct site *r = &pl->set->sites[j];

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
					 pl->set->sites[pl->first_site[s->spec]].name);
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
	tp_format__fini(&fmt);
	free(kf);
	callconv_cache__free(cc);
	dwarf_cache__free(dc);
	return ret;
}

static void plan__fini(struct plan *pl)
{
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
	struct log2_hist *percpu;	/* scratch for one lookup */
	struct log2_hist *prev;		/* per spec, at the last report */
	struct counts prev_counts;	/* at the last report, sorted by key */
	unsigned interval;
	size_t key_size;
	struct export *exp;		/* --prom, or NULL */
};

/* ---- --prom ------------------------------------------------------------------------ */

/*
 * The metrics: a counter of each -C specifier's values, labelled with the
 * specifier ("probe") and one label per expression, and a histogram of
 * each -H specifier's values. The expressions' labels are shared by the
 * specifiers that have an expression of the same name.
 */
struct export {
	struct prom *prom;		/* borrowed from the tool */
	int counts, hists;		/* families */
	char *labels[1 + MAX_SPECS * ARGSPEC_MAX_EXPRS];	/* "probe", then expressions */
	size_t nlabels;
	int pos[MAX_SPECS][ARGSPEC_MAX_EXPRS];	/* an expression's label, -1: none */
};

/*
 * A label name for expression @e: what Prometheus allows of it ("$retval"
 * retval, "$entry(count)" entry_count, "*(p+8)" p_8), "value_" before a
 * name that would start with a digit or take "probe" or "le".
 */
static void label_name(const char *e, char *buf, size_t len)
{
	size_t n = 0;

	for (; *e && n + 8 < len; e++) {
		if (isalnum((unsigned char)*e))
			buf[n++] = *e;
		else if (n && buf[n - 1] != '_')
			buf[n++] = '_';
	}
	while (n && buf[n - 1] == '_')
		n--;
	buf[n] = 0;
	if (!n || isdigit((unsigned char)buf[0]) || !strcmp(buf, "probe") || !strcmp(buf, "le")) {
		memmove(buf + 6, buf, n + 1);
		memcpy(buf, "value_", 6);
	}
}

/* The position of label @name in @x, added if new; -ENOMEM. */
static int label_pos(struct export *x, const char *name)
{
	for (size_t i = 0; i < x->nlabels; i++)
		if (!strcmp(x->labels[i], name))
			return i;
	x->labels[x->nlabels] = strdup(name);
	return x->labels[x->nlabels] ? (int)x->nlabels++ : -ENOMEM;
}

/* Whether one of the first @n expressions of specifier @spec has label @name. */
static bool spec_has_label(const struct export *x, int spec, int n, const char *name)
{
	for (int k = 0; k < n; k++)
		if (!strcmp(x->labels[x->pos[spec][k]], name))
			return true;
	return false;
}

static void export__free(struct export *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nlabels; i++)
		free(x->labels[i]);
	free(x);
}

/* The families of @o's specifiers in @prom. NULL on failure (errno). */
static struct export *export__new(struct prom *prom, const struct options *o)
{
	struct export *x = calloc(1, sizeof(*x));
	bool counts = false, hists = false;
	char base[80], name[96];
	int err = -ENOMEM;

	if (!x || label_pos(x, "probe") < 0)
		goto fail;
	x->prom = prom;
	for (int i = 0; i < o->nspecs; i++) {
		const struct argspec *sp = &o->specs[i];

		hists |= sp->hist;
		counts |= !sp->hist;
		for (int e = 0; e < ARGSPEC_MAX_EXPRS; e++)
			x->pos[i][e] = -1;
		/* A -H specifier is labelled by its probe; a count of calls has one value. */
		if (sp->hist || (sp->default_expr && sp->kind == PROBE_UPROBE))
			continue;
		for (int e = 0; e < sp->nexprs; e++) {
			label_name(sp->exprs[e], base, sizeof(base));
			snprintf(name, sizeof(name), "%s", base);
			/* Two expressions of one specifier reading the same: a suffix. */
			for (int d = 2; spec_has_label(x, i, e, name); d++)
				snprintf(name, sizeof(name), "%s_%d", base, d);
			x->pos[i][e] = label_pos(x, name);
			if (x->pos[i][e] < 0)
				goto fail;
		}
	}
	x->counts = x->hists = -1;
	if (counts)
		x->counts = prom__add_family(prom, &(struct prom_family){
			.name = "cotrace_argdist_values_total",
			.help = "Values of the expressions of argdist -C, counted by value.",
			.type = PROM_COUNTER, .labels = (const char *const *)x->labels,
			.nlabels = x->nlabels });
	if (hists)
		x->hists = prom__add_family(prom, &(struct prom_family){
			.name = "cotrace_argdist_values",
			.help = "Values of the expression of argdist -H.",
			.type = PROM_HISTOGRAM, .labels = (const char *const *)x->labels,
			.nlabels = 1 });
	if ((counts && x->counts < 0) || (hists && x->hists < 0)) {
		err = counts && x->counts < 0 ? x->counts : x->hists;
		goto fail;
	}
	return x;
fail:
	export__free(x);
	errno = -err;
	return NULL;
}

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
static void format_key(const struct argspec *sp, const struct site_info *si, const uint8_t *data,
		       char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	if (sp->default_expr && sp->kind != PROBE_URETPROBE) {
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
static const char *json_key(const struct argspec *sp, int i, char *buf, size_t len)
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

/* Add @delta counts of the key @data of specifier @spec to the metrics. */
static int export_count(struct state *st, int spec, const struct site_info *si,
			const uint8_t *data, uint64_t delta)
{
	const struct export *x = st->exp;
	const struct argspec *sp = &st->o->specs[spec];
	const char *values[1 + MAX_SPECS * ARGSPEC_MAX_EXPRS];
	char vals[ARGSPEC_MAX_EXPRS][FETCH_MAX_STR + 32];

	values[0] = argspec__title(sp);
	for (size_t k = 1; k < x->nlabels; k++)
		values[k] = "";
	for (int e = 0; e < sp->nexprs; e++) {
		struct fetch_value v = si->plan.values[si->key_first + e];

		if (x->pos[spec][e] < 0)
			continue;
		v.off -= si->key_off;
		fetch_value__format(&v, data, si->key_len, false, vals[e], sizeof(vals[e]));
		values[x->pos[spec][e]] = vals[e];
	}
	return prom__counter_add(x->prom, x->counts, values, delta);
}

static int report_counts(struct state *st, const struct out_ctx *ctx, int spec,
			 const struct counts *cur)
{
	const struct argspec *sp = &st->o->specs[spec];
	const struct site_info *si = &st->pl->info[st->pl->first_site[spec]];
	struct out_col cols[3 + ARGSPEC_MAX_EXPRS] = {
		{ "PROBE", "probe", OUT_STR, 0, .json_only = true },
		{ "COUNT", "count", OUT_U64, -10 },
		{ "EVENT", "event", OUT_STR, 0 },
	};
	size_t ncols = 3;
	struct out_table *t;
	char (*events)[1024] = NULL;
	char (*strs)[ARGSPEC_MAX_EXPRS][FETCH_MAX_STR + 1] = NULL;
	char keys[ARGSPEC_MAX_EXPRS][96];
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
		struct out_val vals[3 + ARGSPEC_MAX_EXPRS];
		uint64_t n = cur->recs[i].count, delta;

		if (*(const uint32_t *)key != (uint32_t)spec)
			continue;
		/* The map is never cleared: what this interval brought is the change. */
		delta = n - prev_count(&st->prev_counts, key);
		if (delta && st->exp && export_count(st, spec, si, data, delta))
			goto out;
		if (!st->o->cumulative)
			n = delta;
		if (!n)
			continue;
		format_key(sp, si, data, events[nrows], sizeof(events[0]));
		vals[0].s = argspec__title(sp);
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
	const struct argspec *sp = &st->o->specs[spec];
	struct log2_hist total = {}, delta;
	struct out_kv kv = { "probe", NULL, OUT_STR, { .s = argspec__title(sp) } };
	struct hist h;

	if (bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.hists), &spec, st->percpu))
		return -errno;
	log2_hist__add(&total, st->percpu, st->ncpus);
	delta = total;
	log2_hist__sub(&delta, &st->prev[spec]);
	if (st->exp) {
		const char *probe = argspec__title(sp);
		int err;

		hist__from_log2(&h, &delta);
		err = prom__hist_add(st->exp->prom, st->exp->hists, &probe, &h);
		if (err)
			return err;
	}
	if (st->o->cumulative)
		delta = total;
	st->prev[spec] = total;
	hist__from_log2(&h, &delta);
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
			out__line(st->out, "probe", argspec__title(&st->o->specs[i]));
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

static int load(struct tool *t, const struct options *o, struct plan *pl,
		struct argdist_bpf *skel)
{
	int ret;

	skel->rodata->targ_tgid = t->pid;
	skel->rodata->targ_tid = o->tid;
	bpf_map__set_max_entries(skel->maps.fetch_progs, pl->set->count);
	bpf_map__set_max_entries(skel->maps.sites, pl->set->count);
	bpf_map__set_max_entries(skel->maps.hists, o->nspecs);
	bpf_map__set_max_entries(skel->maps.counts, cli__map_entries(ARGDIST_COUNT_ENTRIES));
	bpf_map__set_max_entries(skel->maps.entries, cli__map_entries(ARGDIST_CALL_ENTRIES));
	bpf_map__set_key_size(skel->maps.counts, 8 + pl->key_bytes);
	ret = tool__load(t, skel->skeleton, &(struct site_progs){
		.uprobe = skel->progs.argdist_uprobe,
		.uprobe_multi = skel->progs.argdist_uprobe_multi,
		.usdt = skel->progs.argdist_usdt,
		.tracepoint = skel->progs.argdist_tracepoint,
		.kprobe = skel->progs.argdist_kprobe,
		.kprobe_multi = skel->progs.argdist_kprobe_multi,
	});
	if (ret)
		return ret;
	for (uint32_t i = 0; i < pl->set->count; i++) {
		const struct site_info *si = &pl->info[i];
		struct argdist_site v = { .spec = si->spec, .flags = si->flags, .pair = si->pair,
					  .key_off = si->key_off };

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.fetch_progs), &i, &si->plan.prog, 0) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.sites), &i, &v, 0)) {
			fprintf(stderr, "argdist: cannot store the fetch programs: %s\n",
				strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

static int report_step(void *ctx, bool last)
{
	struct state *st = ctx;
	int err = report(st);

	st->interval++;
	if (err)
		return err;
	/* -n: that many reports, then the end. */
	return st->o->count && st->interval >= st->o->count;
}

static int trace(struct tool *t, struct state *st)
{
	const struct plan *pl = st->pl;
	struct argdist_bpf *skel = st->skel;
	size_t nprobes = pl->set->count - t->nskipped;
	int ret;

	st->ncpus = libbpf_num_possible_cpus();
	if (st->ncpus <= 0)
		return EXIT_RUNTIME;
	st->percpu = calloc(st->ncpus, sizeof(*st->percpu));
	st->prev = calloc(st->o->nspecs, sizeof(*st->prev));
	if (!st->percpu || !st->prev)
		return EXIT_RUNTIME;
	if (t->prom && !(st->exp = export__new(t->prom, st->o))) {
		fprintf(stderr, "argdist: cannot declare the metrics: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "Tracing %zu %s for %d %s... Hit Ctrl-C to end.\n",
		nprobes, nprobes == 1 ? "probe" : "probes",
		st->o->nspecs, st->o->nspecs == 1 ? "specifier" : "specifiers");
	ret = tool__begin(t);
	if (!ret)
		ret = tool__loop(t, NULL, report_step, st, true, "read the counts");
	if (!ret) {
		struct out_kv head = { "probes", NULL, OUT_U64, { .u = nprobes } };
		struct out_kv losses[] = {
			{ "lost", "%s values not counted: the counts table was full", OUT_U64,
			  { .u = skel->bss->lost } },
			{ "lost_entries", "%s calls not measured: the table of calls in flight "
			  "was full", OUT_U64, { .u = skel->bss->lost_entries } },
			/* A call counted in lost_entries comes back here too. */
			{ "no_entry", "%s returns not measured: their entry was not seen (the "
			  "call began before tracing did, or its entry was lost)", OUT_U64,
			  { .u = skel->bss->no_entry } },
		};

		tool__summary(t, &head, 1, losses, sizeof(losses) / sizeof(losses[0]), false);
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .cli.interval = 1, .str_size = FETCH_STR_DEFAULT };
	struct tool t = TOOL_INIT;
	struct plan pl = { .set = &t.set };
	struct state st = { .o = &o, .pl = &pl };
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		goto out_specs;
	ret = tool__init(&t, "argdist", &o.cli, o.json ? OUT_JSON : OUT_TEXT);
	if (!ret)
		ret = tool__start(&t, TOOL_F_NEED_COOKIE, o.cli.pid, o.cli.interval);
	if (!ret)
		ret = make_plan(&o, &pl, t.pid, &t.feat);
	if (!ret)
		ret = tool__check_sites(&t, o.force);
	if (ret)
		goto out;
	st.out = t.out;
	st.key_size = 8 + pl.key_bytes;
	st.skel = argdist_bpf__open();
	if (!st.skel) {
		fprintf(stderr, "argdist: cannot open the BPF object: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	ret = load(&t, &o, &pl, st.skel);
	if (!ret)
		ret = tool__attach(&t, t.pid);
	if (!ret)
		ret = trace(&t, &st);
out:
	ret = tool__fini(&t, ret);
	argdist_bpf__destroy(st.skel);
	counts__fini(&st.prev_counts);
	export__free(st.exp);
	free(st.percpu);
	free(st.prev);
	plan__fini(&pl);
out_specs:
	for (int i = 0; i < o.nspecs; i++)
		argspec__fini(&o.specs[i]);
	return ret;
}
