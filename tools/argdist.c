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

#include "common/argplan.h"
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

struct options {
	struct cli_common cli;		/* -p --cmd -i -d -v --attach */
	pid_t tid;
	unsigned long count;		/* -n: intervals */
	unsigned long top;		/* -T */
	unsigned long str_size;		/* -z */
	bool cumulative;
	bool json;
	bool force;			/* --force: return probes in Go programs */
	struct argspec specs[ARGPLAN_MAX_SPECS];
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
			if (o->nspecs >= ARGPLAN_MAX_SPECS)
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
	const struct argplan *pl;
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
	char *labels[1 + ARGPLAN_MAX_SPECS * ARGSPEC_MAX_EXPRS];	/* "probe", then expressions */
	size_t nlabels;
	int pos[ARGPLAN_MAX_SPECS][ARGSPEC_MAX_EXPRS];	/* an expression's label, -1: none */
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
static void format_key(const struct argspec *sp, const struct argplan_site *si, const uint8_t *data,
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
static int export_count(struct state *st, int spec, const struct argplan_site *si,
			const uint8_t *data, uint64_t delta)
{
	const struct export *x = st->exp;
	const struct argspec *sp = &st->o->specs[spec];
	const char *values[1 + ARGPLAN_MAX_SPECS * ARGSPEC_MAX_EXPRS];
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
	const struct argplan_site *si = &st->pl->info[st->pl->first_site[spec]];
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

static int load(struct tool *t, const struct options *o, struct argplan *pl,
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
		const struct argplan_site *si = &pl->info[i];
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
	const struct argplan *pl = st->pl;
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
	struct argplan pl = { .set = &t.set };
	struct state st = { .o = &o, .pl = &pl };
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		goto out_specs;
	ret = tool__init(&t, "argdist", &o.cli, o.json ? OUT_JSON : OUT_TEXT);
	if (!ret)
		ret = tool__start(&t, TOOL_F_NEED_COOKIE, o.cli.pid, o.cli.interval);
	if (!ret)
		ret = argplan__build(&pl, &(struct argplan_opts){ o.specs, o.nspecs, o.str_size,
							       o.cli.unsafe, o.cli.verbose },
				     t.pid, &t.feat);
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
	argplan__fini(&pl);
out_specs:
	for (int i = 0; i < o.nspecs; i++)
		argspec__fini(&o.specs[i]);
	return ret;
}
