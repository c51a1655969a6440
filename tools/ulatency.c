// SPDX-License-Identifier: GPL-2.0-only
/*
 * ulatency: latency histograms of user functions, timed from entry
 * (uprobe) to return (uretprobe), per function or per process. Nested and
 * recursive calls are each timed from their own entry.
 */
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
#include "common/bpfmap.h"
#include "common/cli.h"
#include "common/hist.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/prom.h"
#include "common/sites.h"
#include "common/tool.h"
#include "bpf/ulatency.h"
#include "ulatency.skel.h"

#define STR_(x) #x
#define STR(x) STR_(x)

_Static_assert(sizeof(struct ulatency_key) == 8, "ulatency_key ABI");

struct options {
	struct cli_common cli;	/* -p -c -i -d -v --attach */
	bool timestamp;
	bool regex;
	bool per_func;
	bool per_pid;
	unsigned long level;	/* -l: nested calls timed per thread, 0: all */
	enum hist_unit unit;
	char **patterns;
	int npatterns;
};

static const char usage[] =
"Usage: ulatency [OPTIONS] PATTERN...\n"
"Time functions from entry to return and show latency histograms.\n"
"\n"
"Patterns:\n"
"  lib:func | p:lib:func | uprobe:PATH:FUNC   user functions; lib is a path,\n"
"                         a library name (c, libc, libc.so.6) or a program\n"
"  func | p::func | kprobe:func               kernel functions (kprobes)\n"
"  Names take * and ? wildcards; C++ names match demangled or mangled.\n"
"\n"
"Options:\n"
"  -p, --pid PID          trace only process PID; stop when it exits\n"
"  -c, --cmd CMD          run CMD and trace only it; stop when it exits\n"
"  -i, --interval SECS    print histograms every SECS seconds\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -T, --timestamp        print a timestamp with each interval\n"
"  -u, --microseconds     microsecond histograms\n"
"  -m, --milliseconds     millisecond histograms (default: nanoseconds)\n"
"  -F, --function         one histogram per function\n"
"  -P, --pids             one histogram per process\n"
"  -r, --regexp           patterns are POSIX extended regular expressions,\n"
"                         matched from the start of the name (as bcc's)\n"
"  -l, --level LEVEL      time only the outermost LEVEL nested or recursive\n"
"                         calls of a thread (1 to 32; default: all, up to 32)\n"
"  -j, --json             JSON lines output\n"
"      --prom FILE        also write the histograms to FILE as Prometheus metrics\n"
"                         (node_exporter's textfile collector), at each interval\n"
"  -v, --verbose          verbose: kernel features, attach times, libbpf errors\n"
"      --force            trace Go binaries too (return probes can crash them)\n"
CLI_HELP_ATTACH
CLI_HELP_UNSAFE
CLI_HELP_END
"\n"
"Examples:\n"
"  ulatency 'c:read'                    time libc read() system-wide, in ns\n"
"  ulatency -u -p 181 'c:read'          in microseconds, process 181 only\n"
"  ulatency -m -i 5 'c:*sleep'          every five seconds, in milliseconds\n"
"  ulatency -F 'c:str*'                 one histogram per str* function\n"
"  ulatency -P -F './app:handle_*'      per process and per function\n"
"  ulatency -c './app arg' './app:work' run ./app and time its work()\n"
"  ulatency -i 15 --prom /var/lib/node_exporter/ulatency.prom 'c:read'\n";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "cmd", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "microseconds", no_argument, NULL, 'u' },
	{ "milliseconds", no_argument, NULL, 'm' },
	{ "function", no_argument, NULL, 'F' },
	{ "pids", no_argument, NULL, 'P' },
	{ "regexp", no_argument, NULL, 'r' },
	{ "level", required_argument, NULL, 'l' },
	{ "prom", required_argument, NULL, CLI_OPT_PROM },
	CLI_LONG_OPTS_SITES_END
};

#define usage_error(...) cli__usage_error("ulatency", __VA_ARGS__)

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	bool units = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:c:i:d:TumFPrl:jvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'u':
		case 'm':
			if (units && o->unit != (c == 'u' ? UNIT_USEC : UNIT_MSEC))
				return usage_error("%s", "-u and -m cannot be used together");
			units = true;
			o->unit = c == 'u' ? UNIT_USEC : UNIT_MSEC;
			break;
		case 'T': o->timestamp = true; break;
		case 'F': o->per_func = true; break;
		case 'P': o->per_pid = true; break;
		case 'r': o->regex = true; break;
		case 'l':
			if (cli__parse_ulong(optarg, 1, ULATENCY_MAX_DEPTH, &o->level))
				return usage_error("invalid level '%s' (1 to %d)", optarg,
						   ULATENCY_MAX_DEPTH);
			break;
		default:
			ret = cli__common_option("ulatency", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no pattern given");
	ret = cli_common__check("ulatency", &o->cli);
	if (ret >= 0)
		return ret;
	o->patterns = &argv[optind];
	o->npatterns = argc - optind;
	return -1;
}

/* ---- plan: functions to time --------------------------------------------------- */

/*
 * Add the functions of every pattern as uprobe or kprobe sites. Only
 * function entries can be timed: return probes, USDT probes and
 * tracepoints are refused here with the reason. A bare name is a kernel
 * function, as in bcc's funclatency. Returns 0 or an exit code.
 */
static int add_functions(struct site_set *set, const struct options *o, pid_t pid,
			 struct attach_features *feat)
{
	char msg[512];

	for (int i = 0; i < o->npatterns; i++) {
		const char *why = NULL;
		struct probe_spec spec;
		int err;

		/* Every entry gets a return probe: a raw offset must start a function. */
		err = probe_spec__parse(o->patterns[i], PROBE_F_BARE_KERNEL | PROBE_F_WITH_RETURN |
					(o->regex ? PROBE_F_REGEX : 0) |
					(o->cli.unsafe ? PROBE_F_UNSAFE : 0), &spec, msg, sizeof(msg));
		if (err) {
			fprintf(stderr, "ulatency: %s\n", msg);
			return EXIT_USAGE;
		}
		switch (spec.kind) {
		case PROBE_UPROBE:
		case PROBE_KPROBE:
			break;
		case PROBE_URETPROBE:
		case PROBE_KRETPROBE:
			why = "is a return probe: give the function itself (lib:func or func), "
			      "ulatency probes both its entry and its return";
			break;
		case PROBE_USDT:
			why = "is a USDT probe, which has no return to time";
			break;
		case PROBE_TRACEPOINT:
			why = "is a tracepoint, which has no return to time";
			break;
		}
		if (why) {
			fprintf(stderr, "ulatency: '%s' %s\n", o->patterns[i], why);
			probe_spec__fini(&spec);
			return EXIT_USAGE;
		}
		err = site_set__add(set, &spec, i, pid, feat, msg, sizeof(msg));
		probe_spec__fini(&spec);
		if (err < 0) {
			fprintf(stderr, "ulatency: %s\n", msg);
			return site_error_exit_code(err);
		}
	}
	return 0;
}

/* "name", or "lib:name" when the functions come from several files. */
static void func_label(const struct site *s, bool single_file, char *buf, size_t len)
{
	const char *base = s->display_path ? strrchr(s->display_path, '/') : NULL;

	if (single_file || !s->display_path)
		snprintf(buf, len, "%s", s->name);
	else
		snprintf(buf, len, "%s:%s", base ? base + 1 : s->display_path, s->name);
}

/* ---- reading and reporting ------------------------------------------------------ */

struct state {
	const struct options *o;
	const struct site_set *set;	/* the functions are its first nfuncs sites */
	size_t nfuncs;
	bool single_file;
	struct ulatency_bpf *skel;
	struct out *out;
	int ncpus;
	struct log2_hist *percpu;	/* scratch for one lookup */
	struct log2_hist *total;	/* per function, since start */
	struct log2_hist *prev;		/* per function, at the last report */
	unsigned interval;
	struct prom *prom;		/* --prom, borrowed from the tool */
	int fam;			/* its histogram family */
};

/* ---- --prom ------------------------------------------------------------------------ */

static const char *const metric_labels[] = { "pid", "function", "binary" };

/* The histogram family: per function always (Prometheus sums them), per process with -P. */
static int declare_metrics(struct state *s)
{
	struct prom_family f = {
		.name = "cotrace_ulatency_call_duration_seconds",
		.help = "Time from the entry of the function to its return, measured by ulatency.",
		.type = PROM_HISTOGRAM,
		.labels = metric_labels + !s->o->per_pid,
		.nlabels = s->o->per_pid ? 3 : 2,
		.unit_ns = hist_unit_div(s->o->unit),
	};

	s->fam = prom__add_family(s->prom, &f);
	return s->fam < 0 ? s->fam : 0;
}

/* Add @v, the calls of function @func (of @pid with -P) since the last report. */
static int export_hist(struct state *s, long pid, size_t func, const struct log2_hist *v)
{
	const struct site *site = &s->set->sites[func];
	char pidbuf[16];
	const char *values[3] = { pidbuf, site->name,
				  site->display_path ? site->display_path : "" };
	struct hist h;

	if (!s->prom || !v->count)
		return 0;
	snprintf(pidbuf, sizeof(pidbuf), "%ld", pid);
	hist__from_log2(&h, v);
	return prom__hist_add(s->prom, s->fam, values + !s->o->per_pid, &h);
}

static void print_hist(struct state *s, const struct out_ctx *ctx, long pid, long func,
		       const struct log2_hist *v)
{
	struct out_kv kv[2];
	size_t n = 0;
	char label[1024];
	struct hist h;

	if (func >= 0) {
		func_label(&s->set->sites[func], s->single_file, label, sizeof(label));
		kv[n++] = (struct out_kv){ "func", NULL, OUT_STR, { .s = label } };
	}
	if (pid >= 0)
		kv[n++] = (struct out_kv){ "pid", NULL, OUT_U64, { .u = pid } };
	hist__from_log2(&h, v);
	out__hist_kv(s->out, ctx, kv, n, hist_unit_name(s->o->unit), &h, true);
}

/* The function to label a histogram with: with -F each, else the only one. */
static long label_func(const struct state *s, size_t f)
{
	if (s->o->per_func)
		return f;
	return s->nfuncs == 1 ? 0 : -1;
}

static int report_funcs(struct state *s, const struct out_ctx *ctx)
{
	int fd = bpf_map__fd(s->skel->maps.hists);
	struct log2_hist merged = {};
	int err;

	for (uint32_t f = 0; f < s->nfuncs; f++) {
		struct log2_hist delta;

		memset(&s->total[f], 0, sizeof(s->total[f]));
		if (bpf_map_lookup_elem(fd, &f, s->percpu))
			return -errno;
		log2_hist__add(&s->total[f], s->percpu, s->ncpus);
		delta = s->total[f];
		log2_hist__sub(&delta, &s->prev[f]);
		s->prev[f] = s->total[f];
		err = export_hist(s, -1, f, &delta);
		if (err)
			return err;
		if (s->o->per_func) {
			if (delta.count)
				print_hist(s, ctx, -1, f, &delta);
			continue;
		}
		log2_hist__add(&merged, &delta, 1);
	}
	if (!s->o->per_func)
		print_hist(s, ctx, -1, label_func(s, 0), &merged);
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct ulatency_key *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

/* -P: the hash is drained at each report, one histogram per pid (and function). */
static int report_pids(struct state *s, const struct out_ctx *ctx)
{
	int fd = bpf_map__fd(s->skel->maps.pid_hists);
	struct ulatency_key *keys = NULL;
	struct log2_hist merged = {};
	size_t nkeys = 0;
	int err;

	/* Collect the keys first: deleting while iterating restarts the walk. */
	err = bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &nkeys);
	if (err)
		return err;
	if (nkeys > 1)
		qsort(keys, nkeys, sizeof(*keys), cmp_key);
	for (size_t i = 0; i < nkeys; i++) {
		struct log2_hist v;
		bool last_of_pid = i + 1 == nkeys || keys[i + 1].tgid != keys[i].tgid;

		/* A call returning meanwhile makes a new entry, reported next time. */
		if (bpf_map_lookup_and_delete_elem(fd, &keys[i], &v) || keys[i].func >= s->nfuncs)
			continue;
		err = export_hist(s, keys[i].tgid, keys[i].func, &v);
		if (err)
			goto out;
		if (s->o->per_func) {
			if (v.count)
				print_hist(s, ctx, keys[i].tgid, keys[i].func, &v);
			continue;
		}
		log2_hist__add(&merged, &v, 1);
		if (last_of_pid) {
			if (merged.count)
				print_hist(s, ctx, keys[i].tgid, label_func(s, 0), &merged);
			memset(&merged, 0, sizeof(merged));
		}
	}
out:
	free(keys);
	return err;
}

static int report(struct state *s)
{
	struct out_ctx ctx = { .timestamp = s->o->timestamp, .interval = s->interval,
			       .record = "hist" };

	if (s->o->timestamp && out__format(s->out) == OUT_TEXT) {
		time_t now = time(NULL);
		struct tm tm;
		char buf[16];

		localtime_r(&now, &tm);
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		out__line(s->out, "time", buf);
	}
	return s->o->per_pid ? report_pids(s, &ctx) : report_funcs(s, &ctx);
}

/* ---- main ---------------------------------------------------------------------- */

static int report_step(void *ctx, bool last)
{
	struct state *s = ctx;
	int err = report(s);

	s->interval++;
	return err;
}

static int trace(struct tool *t, const struct options *o, struct ulatency_bpf *skel,
		 size_t nfuncs)
{
	struct state st = { .o = o, .set = &t->set, .nfuncs = nfuncs,
			    .single_file = site_set__single_file(&t->set), .skel = skel,
			    .out = t->out, .ncpus = libbpf_num_possible_cpus(), .prom = t->prom };
	size_t ntraced;
	int ret = EXIT_RUNTIME;

	if (st.ncpus <= 0)
		goto out;
	st.percpu = calloc(st.ncpus, sizeof(*st.percpu));
	st.total = calloc(nfuncs, sizeof(*st.total));
	st.prev = calloc(nfuncs, sizeof(*st.prev));
	if (!st.percpu || !st.total || !st.prev || (st.prom && declare_metrics(&st)))
		goto out;
	ntraced = nfuncs - t->nskipped;
	tool__say_tracing(t, ntraced, "function", o->patterns, o->npatterns);
	ret = tool__begin(t);
	if (!ret)
		ret = tool__loop(t, NULL, report_step, &st, true, "read the histograms");
	if (!ret) {
		struct out_kv head = { "functions", NULL, OUT_U64, { .u = ntraced } };
		struct out_kv losses[] = {
			{ "too_deep", "%s calls not timed: nested more than "
			  STR(ULATENCY_MAX_DEPTH) " deep in one thread", OUT_U64,
			  { .u = skel->bss->too_deep } },
			{ "no_entry", "%s returns not timed: their calls began before tracing did",
			  OUT_U64, { .u = skel->bss->no_entry } },
			{ "abandoned", "%s calls not timed: they never returned (longjmp or an "
			  "exception)", OUT_U64, { .u = skel->bss->abandoned } },
			{ "no_stack", "%s calls not timed: no memory for a thread's call stack",
			  OUT_U64, { .u = skel->bss->no_stack } },
			{ "lost", "%s calls not counted: the per-process table was full", OUT_U64,
			  { .u = skel->bss->lost_keys } },
		};

		tool__summary(t, &head, 1, losses, sizeof(losses) / sizeof(losses[0]), true);
	}
out:
	free(st.percpu);
	free(st.total);
	free(st.prev);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .unit = UNIT_NSEC };
	struct tool t = TOOL_INIT;
	struct ulatency_bpf *skel = NULL;
	size_t nfuncs;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = tool__init(&t, "ulatency", &o.cli, o.cli.json ? OUT_JSON : OUT_TEXT);
	if (!ret)
		ret = tool__start(&t, TOOL_F_NEED_COOKIE, o.cli.pid, o.cli.interval);
	if (!ret)
		ret = add_functions(&t.set, &o, t.pid, &t.feat);
	if (ret)
		goto out;
	nfuncs = t.set.count;
	if (site_set__add_returns(&t.set) != (int)nfuncs) {
		fprintf(stderr, "ulatency: out of memory\n");
		ret = EXIT_RUNTIME;
		goto out;
	}
	ret = tool__check_sites(&t, o.cli.force);
	if (ret)
		goto out;
	skel = ulatency_bpf__open();
	if (!skel) {
		fprintf(stderr, "ulatency: cannot open the BPF object: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	skel->rodata->targ_tgid = t.pid;
	skel->rodata->nfuncs = nfuncs;
	skel->rodata->unit_div = hist_unit_div(o.unit);
	skel->rodata->per_pid = o.per_pid;
	skel->rodata->max_level = o.level ? o.level : ULATENCY_MAX_DEPTH;
	bpf_map__set_max_entries(skel->maps.hists, nfuncs);
	/* Room for every function in 1024 processes, at least 16,384 entries. */
	bpf_map__set_max_entries(skel->maps.pid_hists, cli__map_entries(
				 !o.per_pid ? 1 : nfuncs * 1024 > 16384 ? nfuncs * 1024 : 16384));
	ret = tool__load(&t, skel->skeleton, &(struct site_progs){
		.uprobe = skel->progs.ulat_uprobe,
		.uprobe_multi = skel->progs.ulat_uprobe_multi,
		/* Not kprobe-multi: its return registers' %rsp is not known to
		 * follow the kretprobe rule the match relies on. */
		.kprobe = skel->progs.ulat_kprobe,
		.fentry = skel->progs.ulat_fentry,
		.fexit = skel->progs.ulat_fexit,
	});
	if (!ret)
		ret = tool__attach(&t, t.pid);
	if (!ret)
		ret = trace(&t, &o, skel, nfuncs);
out:
	ret = tool__fini(&t, ret);
	ulatency_bpf__destroy(skel);
	return ret;
}
