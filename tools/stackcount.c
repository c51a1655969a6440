// SPDX-License-Identifier: GPL-2.0-only
/*
 * stackcount: count the distinct stacks (user and kernel) that reach the
 * probe sites matched by a pattern, as bcc's stackcount does.
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
#include <linux/types.h>

#include "common/attach.h"
#include "common/cli.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/sites.h"
#include "common/stacks.h"
#include "common/syms.h"
#include "bpf/stacks.h"
#include "stackcount.skel.h"

#define DEFAULT_STACK_STORAGE 16384

struct options {
	struct cli_common cli;	/* -p -c -i -d -v --attach */
	bool user_only;
	bool kernel_only;
	bool per_pid;
	bool per_site;
	bool folded;
	bool offsets;
	bool lines;
	bool addresses;
	bool timestamp;
	bool regex;
	bool json;
	unsigned long storage;
	char **patterns;
	int npatterns;
};

static const char usage[] =
"Usage: stackcount [OPTIONS] PATTERN...\n"
"Count the distinct stacks that reach user functions, USDT probes,\n"
"tracepoints or kernel functions. Patterns are those of funccount.\n"
"\n"
"Options:\n"
"  -p, --pid PID          only process PID; stop when it exits\n"
"  -c, --cmd CMD          run CMD and count only in it\n"
"  -i, --interval SECS    print and clear the stacks every SECS seconds\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -U, --user-stacks-only   user stacks only\n"
"  -K, --kernel-stacks-only kernel stacks only\n"
"  -P, --perpid           one stack per process (comm [pid] shown)\n"
"  -S, --per-site         separate the stacks of each matched site\n"
"  -f, --folded           folded output: comm;outer;...;inner COUNT\n"
"  -s, --offsets          show sym+0xoffset\n"
"      --lines            add source file:line and inlined frames (debug info)\n"
"  -v, --verbose          show addresses; kernel features\n"
"  -T, --timestamp        timestamp each interval\n"
"  -r, --regexp           patterns are regular expressions\n"
"  -j, --json             JSON lines output\n"
"      --stack-storage-size N   stacks the kernel can keep (default 16384)\n"
"      --attach MODE      auto, multi or single (see funccount)\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"\n"
"Examples:\n"
"  stackcount 'c:malloc'                  stacks calling malloc\n"
"  stackcount -P -p 181 'c:close'         per process, one process\n"
"  stackcount -f -c './app' './app:gamma' folded, for flame graphs\n"
"  stackcount 't:syscalls:sys_enter_openat'   user and kernel stacks\n";

enum { OPT_LINES = CLI_OPT_TOOL, OPT_STORAGE };

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "cmd", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "user-stacks-only", no_argument, NULL, 'U' },
	{ "kernel-stacks-only", no_argument, NULL, 'K' },
	{ "perpid", no_argument, NULL, 'P' },
	{ "per-site", no_argument, NULL, 'S' },
	{ "folded", no_argument, NULL, 'f' },
	{ "offsets", no_argument, NULL, 's' },
	{ "lines", no_argument, NULL, OPT_LINES },
	{ "verbose", no_argument, NULL, 'v' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "regexp", no_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'j' },
	{ "stack-storage-size", required_argument, NULL, OPT_STORAGE },
	{ "attach", required_argument, NULL, CLI_OPT_ATTACH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CLI_OPT_VERSION },
	{}
};

#define usage_error(...) cli__usage_error("stackcount", __VA_ARGS__)

static int parse_args(int argc, char **argv, struct options *o)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:c:i:d:UKPSfsvTrjh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'U': o->user_only = true; break;
		case 'K': o->kernel_only = true; break;
		case 'P': o->per_pid = true; break;
		case 'S': o->per_site = true; break;
		case 'f': o->folded = true; break;
		case 's': o->offsets = true; break;
		case OPT_LINES: o->lines = true; break;
		case 'v': o->cli.verbose = o->addresses = true; break;
		case 'T': o->timestamp = true; break;
		case 'r': o->regex = true; break;
		case 'j': o->json = true; break;
		case OPT_STORAGE:
			if (cli__parse_ulong(optarg, 16, 1UL << 24, &o->storage))
				return usage_error("invalid stack storage size '%s' (16 to 16777216)",
						   optarg);
			break;
		default:
			ret = cli__common_option("stackcount", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no pattern given");
	ret = cli_common__check("stackcount", &o->cli);
	if (ret >= 0)
		return ret;
	if (o->user_only && o->kernel_only)
		return usage_error("%s", "-U and -K cannot be used together");
	if (o->folded && o->json)
		return usage_error("%s", "-f and -j cannot be used together");
	o->patterns = &argv[optind];
	o->npatterns = argc - optind;
	return -1;
}

static int report(struct out *out, const struct options *o, struct stackcount_bpf *skel,
		  struct syms *syms, const struct site_set *set, unsigned interval)
{
	struct stack_read_opts ro = { .offsets = o->offsets, .addresses = o->addresses,
				      .delete = o->cli.interval > 0, .skip_probe_frames = true };
	struct out_ctx ctx = { .timestamp = o->timestamp, .interval = interval,
			       .record = "stack" };
	struct stack_set stacks = {};
	int err;

	err = stack_set__read(&stacks, bpf_map__fd(skel->maps.stack_counts),
			      bpf_map__fd(skel->maps.stack_traces), syms, &ro);
	if (err)
		goto out;
	stack_set__merge(&stacks, o->per_pid);
	stack_set__sort(&stacks, false);
	for (size_t i = 0; i < stacks.count; i++) {
		const struct stack_record *r = &stacks.records[i];
		const char *site = o->per_site && r->extra < set->count ?
				   set->sites[r->extra].name : NULL;

		out__stack(out, &ctx, r, o->per_pid, site ? "site" : NULL, site);
	}
	out__flush(out);
out:
	stack_set__fini(&stacks);
	return err;
}

int main(int argc, char **argv)
{
	struct options o = { .storage = DEFAULT_STACK_STORAGE };
	struct cli_run run = CLI_RUN_INIT;
	struct site_set set = {};
	struct attach_features feat;
	struct stackcount_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct attacher *att = NULL;
	struct syms *syms = NULL;
	struct out *out = NULL;
	struct site_progs progs;
	struct stack_pid_notes notes = {};
	size_t attached = 0, nskipped = 0;
	bool any_kernel_site = false;
	unsigned interval = 0;
	int ret, err;
	pid_t pid;
	char msg[512];

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	out = out__new(stdout, o.json ? OUT_JSON : o.folded ? OUT_FOLDED : OUT_TEXT);
	if (!out)
		return EXIT_RUNTIME;
	ret = EXIT_RUNTIME;
	if (cli__start("stackcount", true, o.cli.verbose, &feat))
		goto out;
	ret = cli_run__init_or_say("stackcount", &run, o.cli.pid, o.cli.cmd, o.cli.duration,
				   o.cli.interval);
	if (ret)
		goto out;
	run.out = out;
	ret = EXIT_RUNTIME;
	pid = cli_run__target(&run, o.cli.pid);
	err = site_set__add_specs(&set, o.patterns, o.npatterns, PROBE_F_BARE_KERNEL |
				  (o.regex ? PROBE_F_REGEX : 0), pid, &feat,
				  msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "stackcount: %s\n", msg);
		ret = site_error_exit_code(err);
		goto out;
	}
	if (site_set__check_program_or_say(&set, run.cmd.exe, "stackcount", stderr)) {
		ret = EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < set.count; i++) {
		enum probe_kind k = set.sites[i].kind;

		any_kernel_site |= k == PROBE_TRACEPOINT || k == PROBE_KPROBE || k == PROBE_KRETPROBE;
	}
	syms = syms__new(SYMS_F_DEMANGLE | (o.lines ? SYMS_F_LINES : 0));
	if (!syms) {
		fprintf(stderr, "stackcount: cannot create the symbolizer: %s\n", strerror(errno));
		goto out;
	}

	skel = stackcount_bpf__open();
	if (!skel) {
		fprintf(stderr, "stackcount: cannot open the BPF object: %s\n", strerror(errno));
		goto out;
	}
	skel->rodata->targ_tgid = pid;
	skel->rodata->want_user = !o.kernel_only;
	/* A uprobe's registers are the user's: there is no kernel stack to take. */
	skel->rodata->want_kernel = !o.user_only && (o.kernel_only || any_kernel_site);
	skel->rodata->per_site = o.per_site;
	skel->rodata->stop_new = o.cli.cmd != NULL;
	bpf_map__set_max_entries(skel->maps.stack_traces, cli__map_entries(o.storage));
	bpf_map__set_max_entries(skel->maps.stack_counts, cli__map_entries(o.storage));
	bpf_map__set_max_entries(skel->maps.seen_pids, cli__map_entries(SEEN_PIDS_ENTRIES));
	bpf_map__set_max_entries(skel->maps.new_pids, cli__ringbuf_bytes(NEW_PIDS_RINGBUF_BYTES));
	progs = (struct site_progs){
		.uprobe = skel->progs.stack_uprobe,
		.uprobe_multi = skel->progs.stack_uprobe_multi,
		.usdt = skel->progs.stack_usdt,
		.tracepoint = skel->progs.stack_tracepoint,
		.kprobe = skel->progs.stack_kprobe,
		.kprobe_multi = skel->progs.stack_kprobe_multi,
		.fentry = skel->progs.stack_fentry,
		.fexit = skel->progs.stack_fexit,
	};
	site_set__prepare_progs(&set, &progs, &feat, o.cli.mode);
	err = stackcount_bpf__load(skel);
	if (err) {
		fprintf(stderr, "stackcount: cannot load the BPF program: %s\n", strerror(-err));
		goto out;
	}
	notes.syms = syms;
	notes.resume = o.cli.cmd != NULL;
	/* A process traced with -p is read now, before it can exit. */
	if (o.cli.pid)
		syms__snapshot(syms, o.cli.pid);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.new_pids), stack_pid_notes__on_event, &notes, NULL);
	if (!rb) {
		fprintf(stderr, "stackcount: cannot open the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	run.event_fd = ring_buffer__epoll_fd(rb);

	att = attacher__new();
	if (!att)
		goto out;
	if (site_set__attach_or_say(&set, att, &progs, o.cli.mode, pid, "stackcount", stderr,
				    &attached))
		goto out;
	attacher__skipped(att, &nskipped);
	fprintf(stderr, "Tracing %zu %s for \"%s%s\"... Hit Ctrl-C to end.\n", attached,
		attached == 1 ? "function" : "functions", o.patterns[0],
		o.npatterns > 1 ? ", ..." : "");
	if (cli_run__start(&run)) {
		fprintf(stderr, "stackcount: cannot start '%s'\n", o.cli.cmd);
		goto out;
	}
	for (;;) {
		enum cli_step step = cli_run__next(&run);

		/* Also after a failed write: stopped processes must go on. */
		ring_buffer__consume(rb);
		if (step == CLI_STEP_FAILED)
			goto out;
		if (step == CLI_STEP_EVENT)
			continue;
		err = report(out, &o, skel, syms, &set, interval++);
		if (err) {
			fprintf(stderr, "stackcount: cannot read the stacks: %s\n", strerror(-err));
			goto out;
		}
		if (step == CLI_STEP_LAST)
			break;
	}
	/* The output failed: a summary would only add to the noise. */
	if (out__flush(out))
		goto out;
	{
		struct out_kv kv[] = {
			{ "sites", NULL, OUT_U64, { .u = attached } },
			{ "skipped", "%s sites skipped (the kernel cannot probe them)", OUT_U64,
			  { .u = nskipped } },
			{ "lost_user_stacks", "%s user stacks could not be captured", OUT_U64,
			  { .u = skel->bss->stats.lost_user_stacks } },
			{ "lost_kernel_stacks", "%s kernel stacks could not be captured", OUT_U64,
			  { .u = skel->bss->stats.lost_kernel_stacks } },
			{ "lost_counts", "%s hits lost: the stack table was full "
			  "(raise --stack-storage-size)", OUT_U64,
			  { .u = skel->bss->stats.lost_counts } },
			{ "lost_pid_notes", "%s new processes not announced in time: their stacks "
			  "may not resolve", OUT_U64, { .u = skel->bss->stats.lost_pid_notes } },
			{ "unannounced", "%s hits of processes not announced: the table of "
			  "processes was full; their stacks may not resolve", OUT_U64,
			  { .u = skel->bss->stats.unannounced } },
			{ "missed", "%s hits missed: the kernel skipped the program while another "
			  "BPF program or map call was active on the CPU", OUT_U64,
			  { .u = site_progs__misses(&progs) } },
		};

		out__summary(out, kv, sizeof(kv) / sizeof(kv[0]));
	}
	if (attacher__slow_detach(att))
		fprintf(stderr, "Detaching %zu probes...\n", attacher__link_count(att));
	ret = EXIT_OK;
out:
	cli_run__fini(&run);
	attacher__free(att);
	ring_buffer__free(rb);
	stackcount_bpf__destroy(skel);
	syms__free(syms);
	site_set__fini(&set);
	ret = cli__finish_output("stackcount", out, ret);
	out__free(out);
	return ret;
}
