// SPDX-License-Identifier: GPL-2.0-only
/*
 * funccount: count calls of functions, USDT probes and tracepoints matched
 * by wildcard patterns, per interval, optionally per process.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/attach.h"
#include "common/bpfmap.h"
#include "common/cli.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/sites.h"
#include "bpf/funccount.h"
#include "funccount.skel.h"

#define MAX_PIDS_DEFAULT 1024

struct options {
	struct cli_common cli;	/* -p -c -i -d -v --attach */
	bool timestamp;
	bool regex;
	bool json;
	bool list;
	bool per_pid;
	char **patterns;
	int npatterns;
};

static const char usage[] =
"Usage: funccount [OPTIONS] PATTERN...\n"
"Count calls of user functions, USDT probes, tracepoints and kernel functions.\n"
"\n"
"Patterns:\n"
"  [lib:]func | p:lib:func         user function (uprobe); lib is a path, a\n"
"                                  library name (c, libc, libc.so.6) or a program\n"
"  r:lib:func                      function returns (uretprobe)\n"
"  u:lib:[provider:]name           USDT probe\n"
"  t:category:event                tracepoint\n"
"  func | p::func                  kernel function (needs kprobes or fentry)\n"
"  uprobe:PATH:FUNC  uprobe:PATH:cpp:\"NS::Class::*\"  usdt:PATH:PROVIDER:NAME\n"
"  tracepoint:CAT:NAME  PATH:0xOFFSET (file offset, as in uprobe_events)\n"
"  Names take * and ? wildcards; C++ names match demangled or mangled,\n"
"  demangled only after cpp: (LIB:cpp:\"NS::*\", p:LIB:cpp:..., r:LIB:cpp:...).\n"
"\n"
"Options:\n"
"  -p, --pid PID          count only in process PID\n"
"  -c, --cmd CMD          run CMD and count only in it; stop when it exits\n"
"  -i, --interval SECS    print counts every SECS seconds\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -T, --timestamp        print a timestamp with each interval\n"
"  -r, --regexp           patterns are POSIX extended regular expressions\n"
"  -P, --per-pid          count per process (PID column)\n"
"  -l, --list             list the matching probe sites and exit\n"
"  -j, --json             JSON lines output\n"
"  -v, --verbose          verbose: addresses in listings, kernel features, libbpf errors\n"
"      --attach MODE      auto (default), multi (one multi-uprobe link per binary)\n"
"                         or single (one perf-event uprobe per site)\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"\n"
"Examples:\n"
"  funccount 'c:malloc'                 count libc malloc() calls\n"
"  funccount -p 181 'c:str*'            count str* calls of process 181\n"
"  funccount -i 1 'c:*'                 every libc function, per second\n"
"  funccount './app:*Contact*'          functions of a binary, by wildcard\n"
"  funccount 'uprobe:./app:cpp:\"AddressBook::*\"'   C++ methods\n"
"  funccount 'u:/usr/bin/python3:*'     USDT probes of python3\n"
"  funccount 't:syscalls:sys_enter_*'   syscall entry tracepoints\n"
"  funccount -c './calls 10 20' './calls:foo' './calls:bar'\n";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "cmd", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "regexp", no_argument, NULL, 'r' },
	{ "per-pid", no_argument, NULL, 'P' },
	{ "list", no_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "attach", required_argument, NULL, CLI_OPT_ATTACH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CLI_OPT_VERSION },
	{}
};

#define usage_error(...) cli__usage_error("funccount", __VA_ARGS__)

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:c:i:d:TrPljvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'T': o->timestamp = true; break;
		case 'r': o->regex = true; break;
		case 'P': o->per_pid = true; break;
		case 'l': o->list = true; break;
		case 'j': o->json = true; break;
		default:
			ret = cli__common_option("funccount", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no pattern given");
	ret = cli_common__check("funccount", &o->cli);
	if (ret >= 0)
		return ret;
	o->patterns = &argv[optind];
	o->npatterns = argc - optind;
	return -1;
}

static const char *kind_prefix(enum probe_kind k)
{
	switch (k) {
	case PROBE_UPROBE: return "uprobe";
	case PROBE_URETPROBE: return "uretprobe";
	case PROBE_USDT: return "usdt";
	case PROBE_TRACEPOINT: return "tracepoint";
	case PROBE_KPROBE: return "kprobe";
	case PROBE_KRETPROBE: return "kretprobe";
	}
	return "?";
}

static int list_sites(const struct options *o, const struct site_set *set, struct out *out)
{
	static const struct out_col cols[] = {
		{ "PROBE", "probe", OUT_STR, 0 },
		{ "ADDRESS", "address", OUT_U64, 0 },
		{ "OFFSET", "offset", OUT_U64, 0 },
		{ "ARGS", "args", OUT_STR, 0 },
	};
	char line[8192];

	for (size_t i = 0; i < set->count; i++) {
		const struct site *s = &set->sites[i];

		if (out__format(out) == OUT_JSON) {
			struct out_table *t = out_table__new(cols, 4);
			struct out_ctx ctx = { .record = "site" };
			struct out_val v[4];

			if (!t)
				return EXIT_RUNTIME;
			snprintf(line, sizeof(line), "%s:%s%s%s", kind_prefix(s->kind),
				 s->display_path ? s->display_path : "", s->display_path ? ":" : "",
				 s->name);
			v[0].s = line;
			v[1].u = s->vaddr;
			v[2].u = s->offset;
			v[3].s = s->usdt_args ? s->usdt_args : "";
			out_table__add(t, v);
			out__table(out, &ctx, t);
			out_table__free(t);
			continue;
		}
		snprintf(line, sizeof(line), "%s:%s%s%s", kind_prefix(s->kind),
			 s->display_path ? s->display_path : "", s->display_path ? ":" : "",
			 s->name);
		if (o->cli.verbose && (s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE))
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 "  address 0x%" PRIx64 " offset 0x%" PRIx64, s->vaddr, s->offset);
		if (o->cli.verbose && s->usdt_args)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "  args: %s",
				 s->usdt_args);
		out__line(out, "probe", line);
	}
	return EXIT_OK;
}

/* ---- attaching ------------------------------------------------------------------ */

/* ---- reading counts ------------------------------------------------------------- */

struct counts {
	uint64_t *total;	/* per site, since start */
	uint64_t *prev;		/* per site, at the last report */
	int ncpus;
	uint64_t *percpu;	/* scratch for one lookup */
};

static int counts__read(struct counts *c, struct funccount_bpf *skel, size_t nsites)
{
	int fd = bpf_map__fd(skel->maps.counts);

	for (uint32_t i = 0; i < nsites; i++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(fd, &i, c->percpu))
			return -errno;
		for (int cpu = 0; cpu < c->ncpus; cpu++)
			sum += c->percpu[cpu];
		c->total[i] = sum;
	}
	return 0;
}

/*
 * Text names a site by function, prefixed with its binary when several are
 * traced; JSON keeps the function name and the binary apart.
 */
static const struct out_col count_cols[] = {
	{ "FUNC", "label", OUT_STR, -36, .text_only = true },
	{ "COUNT", "count", OUT_U64, 8 },
	{ "", "func", OUT_STR, 0, .json_only = true },
	{ "", "target", OUT_STR, 0, .json_only = true },
};
static const struct out_col pid_cols[] = {
	{ "PID", "pid", OUT_U64, 7 },
	{ "FUNC", "label", OUT_STR, -36, .text_only = true },
	{ "COUNT", "count", OUT_U64, 8 },
	{ "", "func", OUT_STR, 0, .json_only = true },
	{ "", "target", OUT_STR, 0, .json_only = true },
};

static void site_label(const struct site_set *set, const struct site *s, bool single_file,
		       char *buf, size_t len)
{
	const char *base;

	if (single_file || !s->display_path) {
		snprintf(buf, len, "%s", s->name);
		return;
	}
	base = strrchr(s->display_path, '/');
	snprintf(buf, len, "%s:%s", base ? base + 1 : s->display_path, s->name);
}

static int report_sites(struct out *out, const struct options *o, struct counts *c,
			const struct site_set *set, unsigned interval)
{
	struct out_ctx ctx = { .timestamp = o->timestamp, .interval = interval,
			       .record = "count" };
	bool single = site_set__single_file(set);
	struct out_table *t = out_table__new(count_cols, 4);
	char label[1024];

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < set->count; i++) {
		uint64_t delta = c->total[i] - c->prev[i];
		struct out_val v[4];

		c->prev[i] = c->total[i];
		if (!delta)
			continue;
		site_label(set, &set->sites[i], single, label, sizeof(label));
		v[0].s = label;
		v[1].u = delta;
		v[2].s = set->sites[i].name;
		v[3].s = set->sites[i].display_path ? set->sites[i].display_path : "";
		if (out_table__add(t, v)) {
			out_table__free(t);
			return -ENOMEM;
		}
	}
	out_table__sort(t, 1, false);
	out__table(out, &ctx, t);
	out_table__free(t);
	return 0;
}

/* Per-process counts: the hash is drained at each report. */
static int report_pids(struct out *out, const struct options *o, struct counts *c,
		       struct funccount_bpf *skel, const struct site_set *set, unsigned interval)
{
	struct out_ctx ctx = { .timestamp = o->timestamp, .interval = interval,
			       .record = "count" };
	int fd = bpf_map__fd(skel->maps.pid_counts);
	bool single = site_set__single_file(set);
	struct funccount_key *keys = NULL;
	size_t nkeys = 0;
	struct out_table *t = out_table__new(pid_cols, 5);
	char label[1024];
	int err = 0;

	if (!t)
		return -ENOMEM;
	err = bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &nkeys);
	if (err)
		goto out;
	/* Lookup-and-delete per key: a hit racing with it lands in a new
	 * entry and is reported next time, never lost. */
	for (size_t i = 0; i < nkeys; i++) {
		uint64_t sum = 0;
		struct out_val v[5];

		if (bpf_map_lookup_and_delete_elem(fd, &keys[i], c->percpu))
			continue;
		for (int cpu = 0; cpu < c->ncpus; cpu++)
			sum += c->percpu[cpu];
		if (!sum || keys[i].site >= set->count)
			continue;
		site_label(set, &set->sites[keys[i].site], single, label, sizeof(label));
		v[0].u = keys[i].tgid;
		v[1].s = label;
		v[2].u = sum;
		v[3].s = set->sites[keys[i].site].name;
		v[4].s = set->sites[keys[i].site].display_path ?
			 set->sites[keys[i].site].display_path : "";
		err = out_table__add(t, v);
		if (err)
			goto out;
	}
	out_table__sort(t, 2, false);
	out__table(out, &ctx, t);
out:
	free(keys);
	out_table__free(t);
	return err;
}

/* ---- main ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct options o = {};
	struct site_set set = {};
	struct attach_features feat;
	struct funccount_bpf *skel = NULL;
	struct attacher *att = NULL;
	struct counts cnt = {};
	struct cli_run run = CLI_RUN_INIT;
	struct out *out = NULL;
	size_t attached = 0, nskipped;
	const struct skipped_site *skipped;
	struct site_progs progs;
	unsigned interval = 0;
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

	/* -l only reads files: it needs no privilege. */
	if (cli__start("funccount", !o.list, o.cli.verbose, &feat))
		goto out;
	/* Tracing one process (-p) ends when it exits, as with -c. */
	ret = cli_run__init_or_say("funccount", &run, o.cli.pid, o.cli.cmd, o.cli.duration,
				   o.cli.interval);
	if (ret)
		goto out;
	ret = EXIT_RUNTIME;
	run.out = out;
	pid = cli_run__target(&run, o.cli.pid);

	err = site_set__add_specs(&set, o.patterns, o.npatterns, PROBE_F_BARE_KERNEL |
				  (o.regex ? PROBE_F_REGEX : 0), pid, &feat,
				  msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "funccount: %s\n", msg);
		ret = site_error_exit_code(err);
		goto out;
	}
	if (o.list) {
		ret = list_sites(&o, &set, out);
		goto out;
	}
	/* -c: a library the command cannot load would count nothing. */
	if (site_set__check_program_or_say(&set, run.cmd.exe, "funccount", stderr)) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.cli.mode == ATTACH_MULTI && !feat.uprobe_multi) {
		fprintf(stderr, "funccount: --attach multi: this kernel has no multi-uprobe link "
			"(it needs Linux 6.6 or later)\n");
		goto out;
	}

	skel = funccount_bpf__open();
	if (!skel) {
		fprintf(stderr, "funccount: cannot open the BPF object: %s\n", strerror(errno));
		goto out;
	}
	skel->rodata->targ_tgid = pid;
	skel->rodata->per_pid = o.per_pid;
	bpf_map__set_max_entries(skel->maps.counts, set.count);
	bpf_map__set_max_entries(skel->maps.pid_counts, cli__map_entries(
				 o.per_pid ? set.count * 64 > 65536 ? set.count * 64 : 65536 : 1));
	progs = (struct site_progs){
		.uprobe = skel->progs.count_uprobe,
		.uprobe_multi = skel->progs.count_uprobe_multi,
		.usdt = skel->progs.count_usdt,
		.tracepoint = skel->progs.count_tracepoint,
		.kprobe = skel->progs.count_kprobe,
		.kprobe_multi = skel->progs.count_kprobe_multi,
		.fentry = skel->progs.count_fentry,
		.fexit = skel->progs.count_fexit,
	};
	site_set__prepare_progs(&set, &progs, &feat, o.cli.mode);
	err = funccount_bpf__load(skel);
	if (err) {
		fprintf(stderr, "funccount: cannot load the BPF program: %s\n", strerror(-err));
		goto out;
	}

	att = attacher__new();
	if (!att)
		goto out;
	start = cli__now_ns();
	if (site_set__attach_or_say(&set, att, &progs, o.cli.mode, pid, "funccount", stderr,
				    &attached))
		goto out;
	skipped = attacher__skipped(att, &nskipped);
	if (o.cli.verbose)
		fprintf(stderr, "attached %zu sites with %zu links (%zu through trampolines) "
			"in %.3f s\n", attached, attacher__link_count(att),
			attacher__trampoline_count(att), (cli__now_ns() - start) / 1e9);

	cnt.ncpus = libbpf_num_possible_cpus();
	cnt.total = calloc(set.count, sizeof(uint64_t));
	cnt.prev = calloc(set.count, sizeof(uint64_t));
	cnt.percpu = calloc(cnt.ncpus > 0 ? cnt.ncpus : 1, sizeof(uint64_t));
	if (cnt.ncpus <= 0 || !cnt.total || !cnt.prev || !cnt.percpu)
		goto out;

	fprintf(stderr, "Tracing %zu %s for \"%s%s\"... Hit Ctrl-C to end.\n", attached,
		attached == 1 ? "function" : "functions", o.patterns[0],
		o.npatterns > 1 ? ", ..." : "");
	if (cli_run__start(&run)) {
		fprintf(stderr, "funccount: cannot start '%s'\n", o.cli.cmd);
		goto out;
	}
	for (;;) {
		enum cli_step step = cli_run__next(&run);

		if (step == CLI_STEP_FAILED)
			goto out;
		if (step == CLI_STEP_EVENT)
			continue;
		if (o.per_pid)
			err = report_pids(out, &o, &cnt, skel, &set, interval);
		else if (!(err = counts__read(&cnt, skel, set.count)))
			err = report_sites(out, &o, &cnt, &set, interval);
		if (err) {
			fprintf(stderr, "funccount: cannot read counts: %s\n", strerror(-err));
			goto out;
		}
		interval++;
		if (step == CLI_STEP_LAST)
			break;
		out__separator(out);
	}

	/* The output failed: a summary would only add to the noise. */
	if (out__flush(out))
		goto out;
	{
		const char **names = calloc(nskipped ? nskipped : 1, sizeof(*names));
		struct out_kv kv[] = {
			{ "sites", NULL, OUT_U64, { .u = attached } },
			{ "skipped", "%s sites skipped (the kernel cannot probe them)", OUT_U64,
			  { .u = nskipped } },
			{ "lost", "%s hits lost: the per-process table was full", OUT_U64,
			  { .u = skel->bss->lost_keys } },
			{ "missed", "%s hits missed: the kernel skipped the program while another "
			  "BPF program or map call was active on the CPU", OUT_U64,
			  { .u = site_progs__misses(&progs) + attacher__trampoline_misses(att) } },
		};

		if (names && nskipped && o.json) {
			for (size_t i = 0; i < nskipped; i++)
				names[i] = skipped[i].name;
			out__list(out, "skipped", "skipped", names, nskipped);
		}
		free(names);
		out__summary(out, kv, sizeof(kv) / sizeof(kv[0]));
	}
	if (attacher__slow_detach(att))
		fprintf(stderr, "Detaching %zu probes...\n", attacher__link_count(att));
	ret = EXIT_OK;
out:
	cli_run__fini(&run);
	attacher__free(att);
	funccount_bpf__destroy(skel);
	site_set__fini(&set);
	free(cnt.total);
	free(cnt.prev);
	free(cnt.percpu);
	ret = cli__finish_output("funccount", out, ret);
	out__free(out);
	return ret;
}
