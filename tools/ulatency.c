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
#include "common/cli.h"
#include "common/elf.h"
#include "common/hist.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/sites.h"
#include "bpf/ulatency.h"
#include "ulatency.skel.h"

#define STR_(x) #x
#define STR(x) STR_(x)

_Static_assert(sizeof(struct ulatency_hist) == (ULATENCY_SLOTS + 2) * 8, "ulatency_hist ABI");
_Static_assert(sizeof(struct ulatency_key) == 8, "ulatency_key ABI");
_Static_assert(ULATENCY_SLOTS == HIST_LOG2_SLOTS, "one slot per log2 bucket");

struct options {
	struct cli_common cli;	/* -p -c -i -d -v --attach */
	bool timestamp;
	bool regex;
	bool json;
	bool per_func;
	bool per_pid;
	bool force;
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
"  -r, --regexp           patterns are POSIX extended regular expressions\n"
"  -j, --json             JSON lines output\n"
"  -v, --verbose          verbose: kernel features, attach times, libbpf errors\n"
"      --force            trace Go binaries too (return probes can crash them)\n"
"      --attach MODE      auto (default), multi (one multi-uprobe link per binary)\n"
"                         or single (one perf-event uprobe per site)\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"\n"
"Examples:\n"
"  ulatency 'c:read'                    time libc read() system-wide, in ns\n"
"  ulatency -u -p 181 'c:read'          in microseconds, process 181 only\n"
"  ulatency -m -i 5 'c:*sleep'          every five seconds, in milliseconds\n"
"  ulatency -F 'c:str*'                 one histogram per str* function\n"
"  ulatency -P -F './app:handle_*'      per process and per function\n"
"  ulatency -c './app arg' './app:work' run ./app and time its work()\n";

enum { OPT_FORCE = CLI_OPT_TOOL };

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
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "attach", required_argument, NULL, CLI_OPT_ATTACH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CLI_OPT_VERSION },
	{}
};

#define usage_error(...) cli__usage_error("ulatency", __VA_ARGS__)

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	bool units = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:c:i:d:TumFPrjvh", long_opts, NULL)) != -1) {
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
		case 'j': o->json = true; break;
		case OPT_FORCE: o->force = true; break;
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

		err = probe_spec__parse(o->patterns[i], PROBE_F_BARE_KERNEL |
					(o->regex ? PROBE_F_REGEX : 0), &spec, msg, sizeof(msg));
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

/*
 * Go moves goroutine stacks and walks them expecting real return
 * addresses; a uretprobe replaces one with its trampoline's, which makes
 * the Go runtime crash ("unexpected return pc"). Returns 0 or an exit code.
 */
static int check_go(const struct site_set *set, bool force)
{
	for (size_t i = 0; i < set->count; i++) {
		const char *path = set->sites[i].path;
		struct elf_file *ef;
		bool seen = !path, go;

		for (size_t j = 0; j < i && !seen; j++)
			seen = set->sites[j].path && !strcmp(set->sites[j].path, path);
		if (seen)
			continue;
		ef = elf_file__open(path);
		if (!ef)
			continue;	/* site_set__add() read it: this cannot fail but on ENOMEM */
		go = elf_file__is_go(ef);
		elf_file__free(ef);
		if (!go)
			continue;
		if (!force) {
			fprintf(stderr, "ulatency: %s is a Go program, and return probes corrupt "
				"Go stacks (the Go runtime crashes); use --force to time it anyway\n",
				set->sites[i].display_path);
			return EXIT_USAGE;
		}
		fprintf(stderr, "ulatency: warning: %s is a Go program: return probes may crash "
			"it (--force)\n", set->sites[i].display_path);
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
	struct ulatency_hist *percpu;	/* scratch for one lookup */
	struct ulatency_hist *total;	/* per function, since start */
	struct ulatency_hist *prev;	/* per function, at the last report */
	unsigned interval;
};

static void hist_from(struct hist *h, const struct ulatency_hist *v)
{
	hist__init_log2(h);
	memcpy(h->slots, v->slots, sizeof(h->slots));
	h->count = v->count;
	h->sum = v->sum;
}

/* Add @n per-CPU copies of @src into @dst. */
static void hist_sum(struct ulatency_hist *dst, const struct ulatency_hist *src, int n)
{
	for (int cpu = 0; cpu < n; cpu++) {
		for (int i = 0; i < ULATENCY_SLOTS; i++)
			dst->slots[i] += src[cpu].slots[i];
		dst->count += src[cpu].count;
		dst->sum += src[cpu].sum;
	}
}

static void print_hist(struct state *s, const struct out_ctx *ctx, long pid, long func,
		       const struct ulatency_hist *v)
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
	hist_from(&h, v);
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
	struct ulatency_hist merged = {};

	for (uint32_t f = 0; f < s->nfuncs; f++) {
		struct ulatency_hist delta = {};

		memset(&s->total[f], 0, sizeof(s->total[f]));
		if (bpf_map_lookup_elem(fd, &f, s->percpu))
			return -errno;
		hist_sum(&s->total[f], s->percpu, s->ncpus);
		for (int i = 0; i < ULATENCY_SLOTS; i++)
			delta.slots[i] = s->total[f].slots[i] - s->prev[f].slots[i];
		delta.count = s->total[f].count - s->prev[f].count;
		delta.sum = s->total[f].sum - s->prev[f].sum;
		s->prev[f] = s->total[f];
		if (s->o->per_func) {
			if (delta.count)
				print_hist(s, ctx, -1, f, &delta);
			continue;
		}
		hist_sum(&merged, &delta, 1);
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
	struct ulatency_key *keys = NULL, next, *prev = NULL;
	struct ulatency_hist merged = {};
	size_t nkeys = 0, cap = 0;
	int err = 0;

	/* Collect the keys first: deleting while iterating restarts the walk. */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (nkeys == cap) {
			void *p = realloc(keys, (cap = cap ? cap * 2 : 256) * sizeof(*keys));

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			keys = p;
		}
		keys[nkeys] = next;
		prev = &keys[nkeys++];
	}
	if (nkeys > 1)
		qsort(keys, nkeys, sizeof(*keys), cmp_key);
	for (size_t i = 0; i < nkeys; i++) {
		struct ulatency_hist v;
		bool last_of_pid = i + 1 == nkeys || keys[i + 1].tgid != keys[i].tgid;

		/* A call returning meanwhile makes a new entry, reported next time. */
		if (bpf_map_lookup_and_delete_elem(fd, &keys[i], &v) || keys[i].func >= s->nfuncs)
			continue;
		if (s->o->per_func) {
			if (v.count)
				print_hist(s, ctx, keys[i].tgid, keys[i].func, &v);
			continue;
		}
		hist_sum(&merged, &v, 1);
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

/*
 * Report refused functions once each: a function's entry and return
 * probes are refused together. Returns the number of functions skipped.
 */
static size_t report_skipped(const struct attacher *att, struct out *out, bool json)
{
	const struct skipped_site *sk;
	const char **names;
	size_t n, nfuncs = 0;

	sk = attacher__skipped(att, &n);
	names = calloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = sk[j].offset == sk[i].offset && !strcmp(sk[j].path, sk[i].path);
		if (dup)
			continue;
		fprintf(stderr, "ulatency: skipped %s (%s+0x%" PRIx64 "): %s\n", sk[i].name,
			sk[i].path, sk[i].offset, skipped_site__reason(&sk[i]));
		if (names)
			names[nfuncs] = sk[i].name;
		nfuncs++;
	}
	if (names && nfuncs && json)
		out__list(out, "skipped", "skipped", names, nfuncs);
	free(names);
	return nfuncs;
}

int main(int argc, char **argv)
{
	struct options o = { .unit = UNIT_NSEC };
	struct site_set set = {};
	struct attach_features feat;
	struct ulatency_bpf *skel = NULL;
	struct attacher *att = NULL;
	struct cli_run run = CLI_RUN_INIT;
	struct state st = {};
	struct out *out = NULL;
	size_t attached = 0, nfuncs, nskipped;
	struct site_progs progs;
	uint64_t start;
	int ret, err;
	pid_t pid;
	char msg[512];

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	out = out__new(stdout, o.json ? OUT_JSON : OUT_TEXT);
	if (!out)
		return EXIT_RUNTIME;
	ret = EXIT_RUNTIME;

	if (cli__start("ulatency", true, o.cli.verbose, &feat))
		goto out;
	if (!feat.bpf_cookie) {
		fprintf(stderr, "ulatency: this kernel has no BPF cookies (it needs Linux 5.15 "
			"or later)\n");
		goto out;
	}

	ret = cli_run__init_or_say("ulatency", &run, o.cli.pid, o.cli.cmd, o.cli.duration,
				   o.cli.interval);
	if (ret)
		goto out;
	run.out = out;
	pid = cli_run__target(&run, o.cli.pid);

	ret = add_functions(&set, &o, pid, &feat);
	if (ret)
		goto out;
	if (site_set__check_program_or_say(&set, run.cmd.exe, "ulatency", stderr)) {
		ret = EXIT_USAGE;
		goto out;
	}
	ret = check_go(&set, o.force);
	if (ret)
		goto out;
	ret = EXIT_RUNTIME;
	nfuncs = set.count;
	if (site_set__add_returns(&set) != (int)nfuncs) {
		fprintf(stderr, "ulatency: out of memory\n");
		goto out;
	}
	if (o.cli.mode == ATTACH_MULTI && !feat.uprobe_multi) {
		fprintf(stderr, "ulatency: --attach multi: this kernel has no multi-uprobe link "
			"(it needs Linux 6.6 or later)\n");
		goto out;
	}

	skel = ulatency_bpf__open();
	if (!skel) {
		fprintf(stderr, "ulatency: cannot open the BPF object: %s\n", strerror(errno));
		goto out;
	}
	skel->rodata->targ_tgid = pid;
	skel->rodata->nfuncs = nfuncs;
	skel->rodata->unit_div = hist_unit_div(o.unit);
	skel->rodata->per_pid = o.per_pid;
	bpf_map__set_max_entries(skel->maps.hists, nfuncs);
	/* Room for every function in 1024 processes, at least 16,384 entries. */
	bpf_map__set_max_entries(skel->maps.pid_hists, cli__map_entries(
				 !o.per_pid ? 1 : nfuncs * 1024 > 16384 ? nfuncs * 1024 : 16384));
	progs = (struct site_progs){
		.uprobe = skel->progs.ulat_uprobe,
		.uprobe_multi = skel->progs.ulat_uprobe_multi,
		/* Not kprobe-multi: its return registers' %rsp is not known to
		 * follow the kretprobe rule the match relies on. */
		.kprobe = skel->progs.ulat_kprobe,
		.fentry = skel->progs.ulat_fentry,
		.fexit = skel->progs.ulat_fexit,
	};
	site_set__prepare_progs(&set, &progs, &feat, o.cli.mode);
	err = ulatency_bpf__load(skel);
	if (err) {
		fprintf(stderr, "ulatency: cannot load the BPF program: %s\n", strerror(-err));
		goto out;
	}

	att = attacher__new();
	if (!att)
		goto out;
	start = cli__now_ns();
	err = site_set__attach(&set, att, &progs, o.cli.mode, pid, &attached, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "ulatency: %s\n", msg);
		goto out;
	}
	nskipped = report_skipped(att, out, o.json);
	if (!attached) {
		fprintf(stderr, "ulatency: no probe could be attached\n");
		goto out;
	}
	if (o.cli.verbose)
		fprintf(stderr, "attached %zu probes with %zu links (%zu through trampolines) "
			"in %.3f s\n", attached, attacher__link_count(att),
			attacher__trampoline_count(att), (cli__now_ns() - start) / 1e9);

	st = (struct state){ .o = &o, .set = &set, .nfuncs = nfuncs,
			     .single_file = site_set__single_file(&set), .skel = skel,
			     .out = out, .ncpus = libbpf_num_possible_cpus() };
	if (st.ncpus <= 0)
		goto out;
	st.percpu = calloc(st.ncpus, sizeof(*st.percpu));
	st.total = calloc(nfuncs, sizeof(*st.total));
	st.prev = calloc(nfuncs, sizeof(*st.prev));
	if (!st.percpu || !st.total || !st.prev)
		goto out;

	fprintf(stderr, "Tracing %zu %s for \"%s%s\"... Hit Ctrl-C to end.\n",
		nfuncs - nskipped, nfuncs - nskipped == 1 ? "function" : "functions",
		o.patterns[0], o.npatterns > 1 ? ", ..." : "");
	if (cli_run__start(&run)) {
		fprintf(stderr, "ulatency: cannot start '%s'\n", o.cli.cmd);
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
			fprintf(stderr, "ulatency: cannot read the histograms: %s\n",
				strerror(-err));
			goto out;
		}
		st.interval++;
		if (step == CLI_STEP_LAST)
			break;
		out__separator(out);
	}

	/* The output failed: a summary would only add to the noise. */
	if (out__flush(out))
		goto out;
	{
		struct out_kv kv[] = {
			{ "functions", NULL, OUT_U64, { .u = nfuncs - nskipped } },
			{ "skipped", "%s functions skipped (the kernel cannot probe them)", OUT_U64,
			  { .u = nskipped } },
			{ "too_deep", "%s calls not timed: nested more than "
			  STR(ULATENCY_MAX_DEPTH) " deep in one thread", OUT_U64, { .u = skel->bss->too_deep } },
			{ "no_entry", "%s returns not timed: their calls began before tracing did",
			  OUT_U64, { .u = skel->bss->no_entry } },
			{ "abandoned", "%s calls not timed: they never returned (longjmp or an "
			  "exception)", OUT_U64, { .u = skel->bss->abandoned } },
			{ "no_stack", "%s calls not timed: no memory for a thread's call stack",
			  OUT_U64, { .u = skel->bss->no_stack } },
			{ "lost", "%s calls not counted: the per-process table was full", OUT_U64,
			  { .u = skel->bss->lost_keys } },
			{ "missed", "%s calls or returns missed: the kernel skipped the program "
			  "while another BPF program was active on the CPU", OUT_U64,
			  { .u = site_progs__misses(&progs) + attacher__trampoline_misses(att) } },
		};

		out__summary(out, kv, sizeof(kv) / sizeof(kv[0]));
	}
	if (attacher__slow_detach(att))
		fprintf(stderr, "Detaching %zu probes...\n", attacher__link_count(att));
	ret = EXIT_OK;
out:
	cli_run__fini(&run);
	attacher__free(att);
	ulatency_bpf__destroy(skel);
	site_set__fini(&set);
	free(st.percpu);
	free(st.total);
	free(st.prev);
	ret = cli__finish_output("ulatency", out, ret);
	out__free(out);
	return ret;
}
