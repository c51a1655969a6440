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
#include "common/pprof.h"
#include "common/probe.h"
#include "common/sites.h"
#include "common/stackcap.h"
#include "common/tool.h"
#include "common/stacks.h"
#include "common/syms.h"
#include "bpf/stacks.h"
#include "stackcount.skel.h"

#define DEFAULT_STACK_STORAGE 16384

struct options {
	struct cli_common cli;	/* -p --cmd -i -D -v --attach */
	int cpu;		/* -c CPU, bcc's; -1: every CPU */
	bool delimited;		/* -d: "--" between kernel and user stacks */
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
	unsigned long storage;
	enum stack_unwind unwind;
	bool no_python;		/* --no-python */
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
"      --cmd CMD          run CMD and count only in it\n"
"  -c, --cpu CPU          count only on CPU\n"
"  -i, --interval SECS    print and clear the stacks every SECS seconds\n"
"  -D, --duration SECS    stop after SECS seconds\n"
"  -U, --user-stacks-only   user stacks only\n"
"  -K, --kernel-stacks-only kernel stacks only\n"
"  -d, --delimited        a \"--\" line (folded: a \"-\" frame) between the kernel\n"
"                         and the user stack\n"
"  -P, --perpid           one stack per process (comm [pid] shown)\n"
"  -S, --per-site         separate the stacks of each matched site\n"
"  -f, --folded           folded output: comm;outer;...;inner COUNT\n"
"  -s, --offsets          show sym+0xoffset\n"
"      --lines            add source file:line and inlined frames (debug info)\n"
"  -v, --verbose          show addresses; kernel features\n"
"  -T, --timestamp        timestamp each interval\n"
"  -r, --regexp           patterns are regular expressions, matched from the\n"
"                         start of the name (as bcc's)\n"
"  -j, --json             JSON lines output\n"
"      --pprof FILE       also write the stacks to FILE as a gzipped pprof\n"
"                         profile (go tool pprof), rewritten at each interval\n"
"      --debug            as -v (bcc prints its BPF program; cotrace has none)\n"
"      --force            return probes (r:) in Go programs too: they can crash them\n"
"      --stack-storage-size N   stacks the kernel can keep (default 16384)\n"
STACK_UNWIND_HELP
PYTHON_HELP
"      --attach MODE      auto, multi or single (see funccount)\n"
CLI_HELP_UNSAFE
CLI_HELP_END
"\n"
"Examples:\n"
"  stackcount 'c:malloc'                  stacks calling malloc\n"
"  stackcount -P -p 181 'c:close'         per process, one process\n"
"  stackcount -f --cmd './app' './app:gamma'   folded, for flame graphs\n"
"  stackcount -d t:syscalls:sys_enter_openat   kernel and user stacks, delimited\n"
"  stackcount -c 1 -D 5 'c:malloc'       stacks calling malloc on CPU 1, for 5 s\n"
"  stackcount --pprof gamma.pb.gz --cmd './app' './app:gamma'\n"
"                                         a profile for go tool pprof\n";

enum { OPT_LINES = CLI_OPT_TOOL, OPT_DEBUG, OPT_NO_PYTHON };

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "cmd", required_argument, NULL, CLI_OPT_CMD },
	{ "cpu", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'D' },
	{ "delimited", no_argument, NULL, 'd' },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "user-stacks-only", no_argument, NULL, 'U' },
	{ "kernel-stacks-only", no_argument, NULL, 'K' },
	{ "perpid", no_argument, NULL, 'P' },
	{ "per-site", no_argument, NULL, 'S' },
	{ "folded", no_argument, NULL, 'f' },
	{ "offsets", no_argument, NULL, 's' },
	{ "lines", no_argument, NULL, OPT_LINES },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "regexp", no_argument, NULL, 'r' },
	{ "pprof", required_argument, NULL, CLI_OPT_PPROF },
	{ "stack-storage-size", required_argument, NULL, STACK_OPT_STORAGE },
	{ "unwind", required_argument, NULL, STACK_OPT_UNWIND },
	{ "no-python", no_argument, NULL, OPT_NO_PYTHON },
	CLI_LONG_OPTS_SITES_END
};

#define usage_error(...) cli__usage_error("stackcount", __VA_ARGS__)

static int parse_args(int argc, char **argv, struct options *o)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:c:i:D:dUKPSfsvTrjh", long_opts, NULL)) != -1) {
		switch (c) {
		/* bcc's letters: -c is a CPU, -D the duration, -d the delimiter. */
		case 'c':
			ret = cli__cpu_option("stackcount", optarg, &o->cpu);
			if (ret >= 0)
				return ret;
			break;
		case 'D':
			ret = cli__common_option("stackcount", usage, COTRACE_VERSION, 'd', argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
			break;
		case 'd': o->delimited = true; break;
		case OPT_DEBUG: o->cli.verbose = true; break;
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
		case OPT_NO_PYTHON: o->no_python = true; break;
		case STACK_OPT_STORAGE:
		case STACK_OPT_UNWIND:
			ret = stack_capture__option("stackcount", c, optarg, &o->storage, &o->unwind);
			if (ret)
				return ret;
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
	if (o->folded && o->cli.json)
		return usage_error("%s", "-f and -j cannot be used together");
	o->patterns = &argv[optind];
	o->npatterns = argc - optind;
	return -1;
}

struct run {
	const struct options *o;
	struct tool *t;
	struct stack_capture sc;
	unsigned interval;
};

static int report(void *ctx, bool last)
{
	struct run *r = ctx;
	const struct options *o = r->o;
	const struct site_set *set = &r->t->set;
	struct stack_read_opts ro = { .offsets = o->offsets, .addresses = o->addresses,
				      .delete = o->cli.interval > 0, .skip_probe_frames = true };
	struct out_ctx ctx_ = { .timestamp = o->timestamp, .interval = r->interval++,
				.record = "stack", .delimit = o->delimited };
	struct stack_set stacks = {};
	int err;

	err = stack_capture__read(&r->sc, &ro, o->per_pid, false, &stacks);
	if (err)
		goto out;
	for (size_t i = 0; i < stacks.count; i++) {
		const struct stack_record *rec = &stacks.records[i];
		const char *site = o->per_site && rec->extra < set->count ?
				   set->sites[rec->extra].name : NULL;

		out__stack(r->t->out, &ctx_, rec, o->per_pid, site ? "site" : NULL, site);
	}
	out__flush(r->t->out);
out:
	stack_set__fini(&stacks);
	return err;
}

static bool any_kernel_site(const struct site_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		enum probe_kind k = set->sites[i].kind;

		if (k == PROBE_TRACEPOINT || k == PROBE_KPROBE || k == PROBE_KRETPROBE)
			return true;
	}
	return false;
}

/* The pprof label of a stack's site (-S). */
static const char *site_name(void *ctx, uint32_t extra, char *buf, size_t len)
{
	const struct site_set *set = ctx;

	return extra < set->count ? set->sites[extra].name : "";
}

static int trace(struct tool *t, const struct options *o, struct stackcount_bpf *skel)
{
	struct run r = { .o = o, .t = t };
	char buf[512];
	int ret;

	/* A traced process (-p) is read now, before it can exit. */
	r.sc.verbose = o->cli.verbose;
	ret = stack_capture__open(&r.sc, "stackcount", skel->obj,
				  SYMS_F_DEMANGLE | (o->lines ? SYMS_F_LINES : 0), o->cli.pid,
				  o->cli.cmd != NULL, &t->run);
	if (!ret)
		stack_capture__drain_on_notes(&r.sc, &skel->bss->drain);
	if (!ret && !o->cli.pid && !o->cli.cmd)
		stack_capture__scan(&r.sc, NULL);
	/* The probed files' tables, for hits met before their process is read. */
	for (size_t i = 0; !ret && i < t->set.count; i++)
		if (t->set.sites[i].path)
			stack_capture__preload(&r.sc, t->set.sites[i].path);
	stack_capture__export(&r.sc, t->pprof, "site", o->per_site ? site_name : NULL, &t->set);
	if (!ret)
		ret = tool__attach(t, t->pid);
	if (!ret) {
		tool__say_tracing(t, t->attached, "function", o->patterns, o->npatterns);
		ret = tool__begin(t);
	}
	if (!ret)
		ret = tool__loop(t, r.sc.rb, report, &r, false, "read the stacks");
	if (!ret) {
		struct out_kv head = { "sites", NULL, OUT_U64, { .u = t->attached } };
		struct out_kv losses[STACK_CAPTURE_NLOSSES + 1 + STACK_CAPTURE_NPYTHON];
		size_t n = STACK_CAPTURE_NLOSSES;

		if (o->cli.verbose)
			stack_capture__report_tables(&r.sc);
		stack_capture__losses(&skel->bss->stats, "hits", losses, buf, sizeof(buf));
		stack_capture__pool_loss(&r.sc, &losses[n++]);
		n += stack_capture__python_losses(&r.sc, &skel->bss->py_stats, losses + n);
		tool__summary(t, &head, 1, losses, n, false);
	}
	/* Nothing may fire into the ring buffer once it is gone. */
	tool__detach(t);
	stack_capture__fini(&r.sc);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .storage = DEFAULT_STACK_STORAGE, .cpu = -1 };
	struct tool t = TOOL_INIT;
	struct stackcount_bpf *skel = NULL;
	bool cfi = false;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = tool__init(&t, "stackcount", &o.cli,
			 o.cli.json ? OUT_JSON : o.folded ? OUT_FOLDED : OUT_TEXT);
	/* Each stack is a count of hits. */
	if (!ret && t.pprof && (pprof__add_sample_type(t.pprof, "hits", "count", 1) ||
				pprof__set_period(t.pprof, "hits", "count", 1)))
		ret = EXIT_RUNTIME;
	if (!ret)
		ret = tool__start(&t, 0, o.cli.pid, o.cli.interval);
	if (!ret)
		ret = tool__add_specs(&t, o.patterns, o.npatterns,
				      PROBE_F_BARE_KERNEL | (o.regex ? PROBE_F_REGEX : 0));
	if (!ret)
		ret = tool__check_sites(&t, o.cli.force);
	if (!ret && !o.kernel_only &&
	    stack_unwind__choose(o.unwind, "stackcount", o.cli.verbose, &cfi))
		ret = EXIT_USAGE;
	if (ret)
		goto out;
	skel = stackcount_bpf__open();
	if (!skel) {
		fprintf(stderr, "stackcount: cannot open the BPF object: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	skel->rodata->targ_tgid = t.pid;
	skel->rodata->targ_cpu = o.cpu;
	skel->rodata->want_user = !o.kernel_only;
	/* A uprobe's registers are the user's: there is no kernel stack to take. */
	skel->rodata->want_kernel = !o.user_only && (o.kernel_only || any_kernel_site(&t.set));
	skel->rodata->per_site = o.per_site;
	skel->rodata->stop_new = o.cli.cmd != NULL;
	skel->rodata->unwind_cfi = cfi;
	skel->rodata->python_frames = cfi && !o.kernel_only && !o.no_python;
	/* With CFI, user stacks are kept by hash: the stack-trace map is for
	 * kernel stacks; the tables are drained as they fill. */
	ret = stack_capture__size_counting(skel->obj,
					   skel->rodata->want_kernel || !cfi ? o.storage : 1,
					   o.storage, cfi, skel->rodata->python_frames,
					   &skel->rodata->drain_counts_at,
					   &skel->rodata->drain_stacks_at) ? EXIT_RUNTIME : 0;
	if (!ret)
		ret = tool__load(&t, skel->skeleton, &(struct site_progs){
			SITE_PROGS_INIT(skel, stack),
			.fentry = skel->progs.stack_fentry,
			.fexit = skel->progs.stack_fexit,
		});
	if (!ret)
		ret = trace(&t, &o, skel);
out:
	ret = tool__fini(&t, ret);
	stackcount_bpf__destroy(skel);
	return ret;
}
