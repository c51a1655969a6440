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
#include "common/prom.h"
#include "common/sitelist.h"
#include "common/sites.h"
#include "common/tool.h"
#include "bpf/funccount.h"
#include "funccount.skel.h"

#define MAX_PIDS_DEFAULT 1024

struct options {
	struct cli_common cli;	/* -p --cmd -i -d -v --attach */
	int cpu;		/* -c CPU, bcc's; -1: every CPU */
	bool timestamp;
	bool regex;
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
"      --cmd CMD          run CMD and count only in it; stop when it exits\n"
"  -c, --cpu CPU          count only on CPU\n"
"  -i, --interval SECS    print counts every SECS seconds\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -T, --timestamp        print a timestamp with each interval\n"
"  -r, --regexp           patterns are POSIX extended regular expressions,\n"
"                         matched from the start of the name (as bcc's)\n"
"  -P, --per-pid          count per process (PID column)\n"
"  -l, --list             list the matching probe sites and exit\n"
"  -j, --json             JSON lines output\n"
"      --prom FILE        also write the counts to FILE as Prometheus metrics\n"
"                         (node_exporter's textfile collector), at each interval\n"
"  -v, --verbose          verbose: addresses in listings, kernel features, libbpf errors\n"
"  -D, --debug            as -v (bcc prints its BPF program; cotrace has none)\n"
"      --force            return probes (r:) in Go programs too: they can crash them\n"
CLI_HELP_ATTACH
CLI_HELP_UNSAFE
CLI_HELP_END
"\n"
"Examples:\n"
"  funccount 'c:malloc'                 count libc malloc() calls\n"
"  funccount -p 181 'c:str*'            count str* calls of process 181\n"
"  funccount -i 1 'c:*'                 every libc function, per second\n"
"  funccount './app:*Contact*'          functions of a binary, by wildcard\n"
"  funccount 'uprobe:./app:cpp:\"AddressBook::*\"'   C++ methods\n"
"  funccount 'u:/usr/bin/python3:*'     USDT probes of python3\n"
"  funccount 't:syscalls:sys_enter_*'   syscall entry tracepoints\n"
"  funccount -c 1 -d 5 'c:malloc'       malloc() calls on CPU 1, for 5 seconds\n"
"  funccount -r 'c:(read|write)$'       read() and write() (anchored at the start)\n"
"  funccount --cmd './calls 10 20' './calls:foo' './calls:bar'\n"
"  funccount -i 15 --prom /var/lib/node_exporter/funccount.prom 'c:malloc'\n";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "cmd", required_argument, NULL, CLI_OPT_CMD },
	{ "cpu", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "regexp", no_argument, NULL, 'r' },
	{ "debug", no_argument, NULL, 'D' },
	{ "per-pid", no_argument, NULL, 'P' },
	{ "list", no_argument, NULL, 'l' },
	{ "prom", required_argument, NULL, CLI_OPT_PROM },
	CLI_LONG_OPTS_SITES_END
};

#define usage_error(...) cli__usage_error("funccount", __VA_ARGS__)

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:c:i:d:TrDPljvh", long_opts, NULL)) != -1) {
		switch (c) {
		/* bcc's -c is a CPU; the command is --cmd. */
		case 'c':
			ret = cli__cpu_option("funccount", optarg, &o->cpu);
			if (ret >= 0)
				return ret;
			break;
		case 'D': o->cli.verbose = true; break;
		case 'T': o->timestamp = true; break;
		case 'r': o->regex = true; break;
		case 'P': o->per_pid = true; break;
		case 'l': o->list = true; break;
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
	if (o->list && o->cli.prom)
		return usage_error("%s", "-l only lists sites: --prom does not apply");
	o->patterns = &argv[optind];
	o->npatterns = argc - optind;
	return -1;
}

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

/* ---- --prom ------------------------------------------------------------------------ */

static const char *const metric_labels[] = { "pid", "function", "binary" };

/* Declare the metric family: calls per site, and per process with -P. Returns its index. */
static int declare_metrics(struct prom *prom, const struct options *o)
{
	struct prom_family f = {
		.name = "cotrace_funccount_calls_total",
		.help = "Calls of the function (hits of the USDT probe or tracepoint), "
			"counted by funccount.",
		.type = PROM_COUNTER,
		.labels = metric_labels + !o->per_pid,
		.nlabels = o->per_pid ? 3 : 2,
	};

	return prom__add_family(prom, &f);
}

/* Add @delta calls of site @s (of process @pid with -P) to the metrics. */
static int export_count(struct prom *prom, int fam, const struct site *s, uint32_t pid,
			uint64_t delta, bool per_pid)
{
	char pidbuf[16];
	const char *values[3] = { pidbuf, s->name, s->display_path ? s->display_path : "" };

	snprintf(pidbuf, sizeof(pidbuf), "%u", pid);
	return prom__counter_add(prom, fam, values + !per_pid, delta);
}

static int report_sites(struct out *out, const struct options *o, struct counts *c,
			const struct site_set *set, unsigned interval, struct prom *prom,
			int fam)
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
		if (prom && export_count(prom, fam, &set->sites[i], 0, delta, false)) {
			out_table__free(t);
			return -ENOMEM;
		}
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
		       struct funccount_bpf *skel, const struct site_set *set, unsigned interval,
		       struct prom *prom, int fam)
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
		err = prom ? export_count(prom, fam, &set->sites[keys[i].site], keys[i].tgid, sum,
					  true) : 0;
		if (err)
			goto out;
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

/* The state of a run the reports need. */
struct run {
	const struct options *o;
	struct tool *t;
	struct funccount_bpf *skel;
	struct counts cnt;
	unsigned interval;
	int fam;		/* the metric family of --prom */
};

static int report(void *ctx, bool last)
{
	struct run *r = ctx;
	int err;

	if (r->o->per_pid)
		err = report_pids(r->t->out, r->o, &r->cnt, r->skel, &r->t->set, r->interval,
				  r->t->prom, r->fam);
	else if (!(err = counts__read(&r->cnt, r->skel, r->t->set.count)))
		err = report_sites(r->t->out, r->o, &r->cnt, &r->t->set, r->interval, r->t->prom,
				   r->fam);
	r->interval++;
	return err;
}

static int trace(struct tool *t, const struct options *o, struct funccount_bpf *skel)
{
	struct run r = { .o = o, .t = t, .skel = skel };
	int ret = EXIT_RUNTIME;

	r.cnt.ncpus = libbpf_num_possible_cpus();
	r.cnt.total = calloc(t->set.count, sizeof(uint64_t));
	r.cnt.prev = calloc(t->set.count, sizeof(uint64_t));
	r.cnt.percpu = calloc(r.cnt.ncpus > 0 ? r.cnt.ncpus : 1, sizeof(uint64_t));
	if (r.cnt.ncpus <= 0 || !r.cnt.total || !r.cnt.prev || !r.cnt.percpu)
		goto out;
	r.fam = t->prom ? declare_metrics(t->prom, o) : 0;
	if (r.fam < 0)
		goto out;
	tool__say_tracing(t, t->attached, "function", o->patterns, o->npatterns);
	ret = tool__begin(t);
	if (!ret)
		ret = tool__loop(t, NULL, report, &r, true, "read counts");
	if (!ret) {
		struct out_kv head = { "sites", NULL, OUT_U64, { .u = t->attached } };
		struct out_kv lost = { "lost", "%s hits lost: the per-process table was full",
				       OUT_U64, { .u = skel->bss->lost_keys } };

		tool__summary(t, &head, 1, &lost, 1, true);
	}
out:
	free(r.cnt.total);
	free(r.cnt.prev);
	free(r.cnt.percpu);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .cpu = -1 };
	struct tool t = TOOL_INIT;
	struct funccount_bpf *skel = NULL;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = tool__init(&t, "funccount", &o.cli, o.cli.json ? OUT_JSON : OUT_TEXT);
	/* -l only reads files: it needs no privilege. Tracing one process
	 * (-p) ends when it exits, as with -c. */
	if (!ret)
		ret = tool__start(&t, o.list ? TOOL_F_NO_PRIVILEGE : 0, o.cli.pid, o.cli.interval);
	if (!ret)
		ret = tool__add_specs(&t, o.patterns, o.npatterns,
				      PROBE_F_BARE_KERNEL | (o.regex ? PROBE_F_REGEX : 0));
	if (ret)
		goto out;
	if (o.list) {
		ret = site_list__write(t.out, &t.set, o.cli.verbose) ? EXIT_RUNTIME : EXIT_OK;
		goto out;
	}
	ret = tool__check_sites(&t, o.cli.force);
	if (ret)
		goto out;
	skel = funccount_bpf__open();
	if (!skel) {
		fprintf(stderr, "funccount: cannot open the BPF object: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	skel->rodata->targ_tgid = t.pid;
	skel->rodata->targ_cpu = o.cpu;
	skel->rodata->per_pid = o.per_pid;
	bpf_map__set_max_entries(skel->maps.counts, t.set.count);
	bpf_map__set_max_entries(skel->maps.pid_counts, cli__map_entries(
				 o.per_pid ? t.set.count * 64 > 65536 ? t.set.count * 64 : 65536 : 1));
	ret = tool__load(&t, skel->skeleton, &(struct site_progs){
		SITE_PROGS_INIT(skel, count),
		.fentry = skel->progs.count_fentry,
		.fexit = skel->progs.count_fexit,
	});
	if (!ret)
		ret = tool__attach(&t, t.pid);
	if (!ret)
		ret = trace(&t, &o, skel);
out:
	ret = tool__fini(&t, ret);
	funccount_bpf__destroy(skel);
	return ret;
}
