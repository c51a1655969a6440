// SPDX-License-Identifier: GPL-2.0-only
/*
 * argdist: frequency counts (-C) and log2 histograms (-H) of argument and
 * return-value expressions of user functions, in bcc argdist's specifier
 * syntax and output layout. Expressions compile into fetch programs
 * (common/fetch.c) that one generic BPF program runs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/argplan.h"
#include "common/argreport.h"
#include "common/argspec.h"
#include "common/cli.h"
#include "common/fetch.h"
#include "common/output.h"
#include "common/sites.h"
#include "common/tool.h"
#include "bpf/argdist.h"
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
CLI_HELP_UNSAFE
CLI_HELP_END
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
	{ "prom", required_argument, NULL, CLI_OPT_PROM },
	{ "include", required_argument, NULL, 'I' },
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
		case 'I':
			fprintf(stderr, "argdist: -I %s is not needed: types come from debug "
				"information (DWARF) and the kernel's BTF, not from C headers\n",
				optarg);
			break;
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

/* The run: the reports, and -n's end. */
struct state {
	struct argreport rep;
	unsigned long count;		/* -n */
	struct argdist_bpf *skel;
};

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
		SITE_PROGS_INIT(skel, argdist),
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
	int err = argreport__report(&st->rep);

	st->rep.interval++;
	if (err)
		return err;
	/* -n: that many reports, then the end. */
	return st->count && st->rep.interval >= st->count;
}

static int trace(struct tool *t, const struct options *o, const struct argplan *pl,
		 struct state *st)
{
	struct argdist_bpf *skel = st->skel;
	size_t nprobes = pl->set->count - t->nskipped;
	int ret;

	if (argreport__init(&st->rep, &(struct argreport_opts){ o->specs, o->nspecs, o->cumulative,
								 o->top },
			    pl, t->out, bpf_map__fd(skel->maps.counts),
			    bpf_map__fd(skel->maps.hists)))
		return EXIT_RUNTIME;
	if (t->prom && argreport__declare_metrics(&st->rep, t->prom)) {
		fprintf(stderr, "argdist: cannot declare the metrics: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "Tracing %zu %s for %d %s... Hit Ctrl-C to end.\n",
		nprobes, nprobes == 1 ? "probe" : "probes",
		o->nspecs, o->nspecs == 1 ? "specifier" : "specifiers");
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
	struct state st = {};
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		goto out_specs;
	ret = tool__init(&t, "argdist", &o.cli, o.cli.json ? OUT_JSON : OUT_TEXT);
	if (!ret)
		ret = tool__start(&t, TOOL_F_NEED_COOKIE, o.cli.pid, o.cli.interval);
	if (!ret)
		ret = argplan__build(&pl, &(struct argplan_opts){ o.specs, o.nspecs, o.str_size,
							       o.cli.unsafe, o.cli.verbose },
				     t.pid, &t.feat);
	if (!ret)
		ret = tool__check_sites(&t, o.cli.force);
	if (ret)
		goto out;
	st.count = o.count;
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
		ret = trace(&t, &o, &pl, &st);
out:
	ret = tool__fini(&t, ret);
	argdist_bpf__destroy(st.skel);
	argreport__fini(&st.rep);
	argplan__fini(&pl);
out_specs:
	for (int i = 0; i < o.nspecs; i++)
		argspec__fini(&o.specs[i]);
	return ret;
}
