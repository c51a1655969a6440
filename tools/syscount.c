// SPDX-License-Identifier: GPL-2.0-only
/*
 * syscount: count syscalls per syscall or per process, with their time
 * (-L), their failures (-x, -e), or the user stacks that make them
 * (--stack), from the raw syscall tracepoints.
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
#include "common/cli.h"
#include "common/output.h"
#include "common/pprof.h"
#include "common/prom.h"
#include "common/stackcap.h"
#include "common/stacks.h"
#include "common/tool.h"
#include "common/syms.h"
#include "common/syscalls.h"
#include "common/sysreport.h"
#include "bpf/stacks.h"
#include "bpf/syscount.h"
#include "syscount.skel.h"

#define PROC_ENTRIES 65536
#define START_ENTRIES (1 << 18)	/* a power of two */
#define STACK_TRACES 16384
#define STACK_KEYS 65536

struct options {
	struct cli_common cli;	/* -p --cmd -i -d -v */
	pid_t tid;
	pid_t ppid;		/* -c PPID, bcc's: only children of PPID */
	unsigned long top;
	bool failures;
	int err;		/* -e: errno value, 0 for any */
	bool latency;
	bool msecs;
	bool per_process;
	bool list;
	long nr;		/* --syscall, -1: every syscall */
	const char *comm;
	bool stack;
	bool folded;
	bool offsets;
	enum stack_unwind unwind;
	bool unwind_set;
	bool no_python;		/* --no-python */
};

static const char usage[] =
"Usage: syscount [OPTIONS]\n"
"Count syscalls, by syscall or by process, with their time, failures or user stacks.\n"
"\n"
"Options:\n"
"  -p, --pid PID          count only in process PID\n"
"  -t, --tid TID          count only in thread TID\n"
"  -c, --ppid PPID        count only in children of process PPID\n"
"      --cmd CMD          run CMD and count only in it; stop when it exits\n"
"  -i, --interval SECS    print counts every SECS seconds\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -T, --top N            print only the N most frequent (default 10; 0: all)\n"
"  -x, --failures         count only failed syscalls\n"
"  -e, --errno ERRNO      count only syscalls failing with ERRNO (EBADF or 9)\n"
"  -L, --latency          show the total and average time of the syscalls\n"
"  -m, --milliseconds     times in milliseconds (default: microseconds)\n"
"  -P, --process          count by process (PID and COMM), not by syscall\n"
"  -l, --list             list the syscalls this build knows and exit\n"
"      --syscall NAME     count only syscall NAME (or its number)\n"
"      --comm NAME        count only in processes whose comm is exactly NAME\n"
"      --stack            count the distinct user stacks making the syscalls\n"
"                         (needs --syscall and/or --comm)\n"
"  -f, --folded           with --stack: folded output (comm;outer;...;inner N)\n"
"      --offsets          with --stack: show function offsets (func+0x1a)\n"
STACK_UNWIND_HELP
PYTHON_HELP
"  -j, --json             JSON lines output\n"
"      --prom FILE        also write the counts to FILE as Prometheus metrics\n"
"                         (node_exporter's textfile collector), at each interval\n"
"      --pprof FILE       with --stack: also write the stacks to FILE as a\n"
"                         gzipped pprof profile (go tool pprof)\n"
"  -v, --verbose          verbose: libbpf messages\n"
CLI_HELP_END
"\n"
"Examples:\n"
"  syscount                       top 10 syscalls, system-wide, until Ctrl-C\n"
"  syscount -p 181 -L             syscalls of pid 181 with their total and average time\n"
"  syscount -i 1 -T 5             top 5 every second\n"
"  syscount -x                    failed syscalls only\n"
"  syscount -e ENOENT -P          processes whose syscalls fail with ENOENT\n"
"  syscount --cmd 'ls -l' -L -m   syscalls of a command, times in milliseconds\n"
"  syscount -c 1 -P               per process, only children of init\n"
"  syscount --comm nginx -P       per process, only processes named nginx\n"
"  syscount --stack --syscall close --comm app -f\n"
"                                 user stacks of close() in app, folded\n"
"  syscount -i 15 -T 0 --prom /var/lib/node_exporter/syscount.prom\n"
"                                 metrics for Prometheus every 15 seconds\n";

enum { OPT_SYSCALL = CLI_OPT_TOOL, OPT_COMM, OPT_STACK, OPT_OFFSETS, OPT_NO_PYTHON };

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, 't' },
	{ "ppid", required_argument, NULL, 'c' },
	{ "cmd", required_argument, NULL, CLI_OPT_CMD },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "top", required_argument, NULL, 'T' },
	{ "failures", no_argument, NULL, 'x' },
	{ "errno", required_argument, NULL, 'e' },
	{ "latency", no_argument, NULL, 'L' },
	{ "milliseconds", no_argument, NULL, 'm' },
	{ "process", no_argument, NULL, 'P' },
	{ "list", no_argument, NULL, 'l' },
	{ "syscall", required_argument, NULL, OPT_SYSCALL },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "stack", no_argument, NULL, OPT_STACK },
	{ "folded", no_argument, NULL, 'f' },
	{ "offsets", no_argument, NULL, OPT_OFFSETS },
	{ "unwind", required_argument, NULL, STACK_OPT_UNWIND },
	{ "no-python", no_argument, NULL, OPT_NO_PYTHON },
	{ "prom", required_argument, NULL, CLI_OPT_PROM },
	{ "pprof", required_argument, NULL, CLI_OPT_PPROF },
	CLI_LONG_OPTS_END
};

#define usage_error(...) cli__usage_error("syscount", __VA_ARGS__)

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	long nr;
	int c, e, ret;

	/* Our own messages: getopt's would name the program by its path. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:t:c:i:d:T:xe:LmPlfjvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli__parse_pid(optarg, &o->tid))
				return usage_error("invalid thread id '%s'", optarg);
			break;
		/* bcc's -c: a parent process; the command is --cmd. */
		case 'c':
			if (cli__parse_pid(optarg, &o->ppid))
				return usage_error("invalid parent pid '%s'", optarg);
			break;
		case 'T':
			if (cli__parse_ulong(optarg, 0, 100000, &o->top))
				return usage_error("invalid count for -T '%s'", optarg);
			break;
		case 'x':
			o->failures = true;
			break;
		case 'e':
			e = errno_number(optarg);
			if (e < 0)
				return usage_error("unknown errno '%s': use a name such as EBADF or "
						   "a number", optarg);
			o->err = e;
			o->failures = true;
			break;
		case 'L': o->latency = true; break;
		case 'm': o->msecs = true; break;
		case 'P': o->per_process = true; break;
		case 'l': o->list = true; break;
		case 'f': o->folded = true; break;
		case OPT_SYSCALL:
			nr = syscall_number(optarg);
			if (nr < 0)
				return usage_error("unknown syscall '%s' (syscount -l lists them)",
						   optarg);
			o->nr = nr;
			break;
		case OPT_COMM:
			if (!*optarg || strlen(optarg) > 15)
				return usage_error("invalid comm '%s': a comm has 1 to 15 characters",
						   optarg);
			o->comm = optarg;
			break;
		case OPT_STACK: o->stack = true; break;
		case OPT_OFFSETS: o->offsets = true; break;
		case OPT_NO_PYTHON: o->no_python = true; break;
		case STACK_OPT_UNWIND:
			ret = stack_capture__option("syscount", c, optarg, NULL, &o->unwind);
			if (ret)
				return ret;
			o->unwind_set = true;
			break;
		default:
			ret = cli__common_option("syscount", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	ret = cli_common__check("syscount", &o->cli);
	if (ret >= 0)
		return ret;
	if (o->tid && o->cli.cmd)
		return usage_error("%s", "-t and --cmd cannot be used together");
	if (o->ppid && o->cli.cmd)
		return usage_error("%s", "-c and --cmd cannot be used together");
	if (o->stack && o->nr < 0 && !o->comm)
		return usage_error("%s", "--stack needs --syscall or --comm");
	if (o->stack && (o->latency || o->failures || o->per_process))
		return usage_error("%s", "--stack cannot be combined with -L, -x, -e or -P");
	if ((o->folded || o->offsets || o->unwind_set) && !o->stack)
		return usage_error("%s", "-f, --offsets and --unwind need --stack");
	if (o->folded && o->cli.json)
		return usage_error("%s", "-f and -j cannot be used together");
	if (o->cli.pprof && !o->stack)
		return usage_error("%s", "--pprof needs --stack");
	if (o->cli.prom && o->stack)
		return usage_error("%s", "--prom exports counts: with --stack, use --pprof");
	if ((o->cli.prom || o->cli.pprof) && o->list)
		return usage_error("%s", "-l only lists syscalls: --prom and --pprof do not apply");
	return -1;
}

/* ---- listing ------------------------------------------------------------------- */

static int list_syscalls(struct out *out)
{
	static const struct out_col cols[] = {
		{ "NR", "nr", OUT_U64, 4 },
		{ "SYSCALL", "syscall", OUT_STR, 0 },
	};
	struct out_ctx ctx = { .record = "syscall" };
	struct out_table *t = out_table__new(cols, 2);
	int ret = EXIT_OK;

	if (!t)
		return EXIT_RUNTIME;
	for (long nr = 0; nr < syscall_table_size(); nr++) {
		struct out_val v[2];

		if (!syscall_name(nr))
			continue;
		v[0].u = nr;
		v[1].s = syscall_name(nr);
		if (out_table__add(t, v)) {
			ret = EXIT_RUNTIME;
			goto out;
		}
	}
	out__table(out, &ctx, t);
out:
	out_table__free(t);
	return ret;
}

/* ---- reporting ---------------------------------------------------------------- */

struct state {
	const struct options *o;
	struct syscount_bpf *skel;
	struct out *out;
	struct stack_capture sc;	/* --stack */
	unsigned interval;
	struct sysreport rep;		/* the tables of counts */
};

/* --stack: one record per distinct (process, syscall, user stack). */
static int report_stacks(struct state *st)
{
	const struct options *o = st->o;
	struct out_ctx ctx = { .timestamp = o->cli.interval > 0, .interval = st->interval,
			       .record = "stack" };
	struct stack_read_opts ropts = { .offsets = o->offsets, .delete = o->cli.interval > 0 };
	struct stack_set set = {};
	bool one_syscall = o->nr >= 0;
	int err;

	err = stack_capture__read(&st->sc, &ropts, true, out__format(st->out) != OUT_TEXT, &set);
	if (err)
		goto out;
	if (o->top && set.count > o->top && out__format(st->out) == OUT_TEXT) {
		/* Ascending in text (the most frequent last, as bcc's
		 * stackcount): keep the last @top. */
		for (size_t i = 0; i < set.count - o->top; i++)
			set.records[i].count = 0;
	} else if (o->top && set.count > o->top) {
		for (size_t i = o->top; i < set.count; i++)
			set.records[i].count = 0;
	}
	for (size_t i = 0; i < set.count; i++) {
		struct stack_record *r = &set.records[i];
		char name[32];

		if (!r->count)
			continue;
		syscall_format((int32_t)r->extra, name, sizeof(name));
		/*
		 * Folded lines have no field for the syscall: with several
		 * syscalls traced, it becomes the innermost frame, "[close]".
		 */
		if (o->folded && !one_syscall) {
			char frame[40];

			snprintf(frame, sizeof(frame), "[%s]", name);
			err = stack_record__push_user(r, frame);
			if (err)
				goto out;
		}
		out__stack(st->out, &ctx, r, true, "syscall", name);
	}
out:
	stack_set__fini(&set);
	return err;
}

static int report(void *ctx, bool last)
{
	struct state *st = ctx;
	int err = st->o->stack ? report_stacks(st) : sysreport__report(&st->rep, st->interval);

	st->interval++;
	return err;
}

/* ---- run ------------------------------------------------------------------------- */

static void summary(struct state *st)
{
	struct syscount_bpf *skel = st->skel;
	uint64_t misses = 0;
	struct bpf_program *prog;
	struct out_kv kv[4 + STACK_CAPTURE_NLOSSES + STACK_CAPTURE_NPYTHON] = {
		{ "missed", "%s syscalls missed: the kernel skipped a nested BPF run", OUT_U64 },
		{ "lost_other", "%s syscalls lost: the table of unusual syscall numbers was full",
		  OUT_U64, { .u = skel->bss->lost_other } },
		{ "lost_proc", "%s syscalls lost: the per-process table was full", OUT_U64,
		  { .u = skel->bss->lost_proc } },
		{ "lost_start", "%s syscalls not timed: two threads shared an entry-time slot",
		  OUT_U64, { .u = skel->bss->lost_start } },
	};
	struct out_kv *stk = kv + 4;
	char buf[512];

	/* The output failed: a summary would only add to the noise. */
	if (out__flush(st->out))
		return;
	bpf_object__for_each_program(prog, skel->obj)
		if (bpf_program__autoload(prog))
			misses += attach__prog_misses(prog);
	kv[0].val.u = misses;
	stack_capture__losses(&skel->bss->stats, "syscalls", stk, buf, sizeof(buf));
	/* No kernel stacks here; the key of lost stack counts is syscount's own. */
	stk[0].text = "%s user stacks could not be captured (counted as [user stack lost])";
	stk[1] = stk[2];
	stk[1].key = "lost_stack_counts";
	stk[2] = stk[3];
	for (int i = 3; i < STACK_CAPTURE_NLOSSES - 1; i++)
		stk[i] = stk[i + 1];
	/* A syscall's stack resolves to its caller even then: "less". */
	stk[2].text = "%s new processes not announced in time: their stacks may resolve less";
	stk[3].text = "%s syscalls of processes not announced: the table of processes was full; "
		      "their stacks may resolve less";
	/* The slot the shift freed; Python's entries come after the stack's. */
	stack_capture__pool_loss(&st->sc, &stk[STACK_CAPTURE_NLOSSES - 1]);
	out__summary(st->out, kv, 4 + STACK_CAPTURE_NLOSSES +
		     stack_capture__python_losses(&st->sc, &skel->bss->py_stats,
						  kv + 4 + STACK_CAPTURE_NLOSSES));
}

static void set_sizes(struct syscount_bpf *skel, const struct options *o)
{
	bpf_map__set_max_entries(skel->maps.other_counts, cli__map_entries(SYSCOUNT_OTHER_ENTRIES));
	bpf_map__set_max_entries(skel->maps.proc_counts,
				 cli__map_entries(o->per_process ? PROC_ENTRIES : 1));
	bpf_map__set_max_entries(skel->maps.starts, o->latency ? START_ENTRIES : 1);
}

static const char *mode_text(const struct options *o)
{
	if (o->stack)
		return "user stacks of syscalls";
	if (o->failures)
		return "failed syscalls";
	return "syscalls";
}

static void set_knobs(struct syscount_bpf *skel, const struct options *o, pid_t pid)
{
	skel->rodata->targ_tgid = pid;
	skel->rodata->targ_tid = o->tid;
	skel->rodata->targ_ppid = o->ppid;
	if (o->comm) {
		skel->rodata->filter_comm = true;
		memcpy((char *)skel->rodata->targ_comm, o->comm, strlen(o->comm));
	}
	skel->rodata->filter_nr = o->nr >= 0;
	skel->rodata->targ_nr = o->nr;
	skel->rodata->failures = o->failures;
	skel->rodata->targ_errno = o->err;
	skel->rodata->latency = o->latency;
	skel->rodata->per_process = o->per_process;
	skel->rodata->starts_mask = o->latency ? START_ENTRIES - 1 : 0;
	skel->rodata->nr_exit = syscall_number("exit");
	skel->rodata->nr_exit_group = syscall_number("exit_group");
	skel->rodata->want_user = true;
	skel->rodata->want_kernel = false;
	/* Plain counts need only the entry; return values and times the exit. */
	bpf_program__set_autoload(skel->progs.sc_enter_count,
				  !o->stack && !o->latency && !o->failures);
	bpf_program__set_autoload(skel->progs.sc_enter_time, o->latency);
	bpf_program__set_autoload(skel->progs.sc_exit, o->latency || o->failures);
	bpf_program__set_autoload(skel->progs.sc_enter_stack, o->stack);
}

/* The pprof label of a stack's syscall. */
static const char *syscall_label(void *ctx, uint32_t extra, char *buf, size_t len)
{
	syscall_format((int32_t)extra, buf, len);
	return buf;
}

static int trace(struct tool *t, struct state *st)
{
	const struct options *o = st->o;
	struct syscount_bpf *skel = st->skel;
	int ret = EXIT_RUNTIME, err;

	if (sysreport__open(&st->rep, bpf_map__fd(skel->maps.counts),
			    bpf_map__fd(skel->maps.other_counts), bpf_map__fd(skel->maps.proc_counts)))
		return ret;
	if (o->stack) {
		/* With -c, the command is stopped at its first syscall (and at a
		 * dlopen()) until its maps and unwind tables are read. */
		st->sc.verbose = o->cli.verbose;
		ret = stack_capture__open(&st->sc, "syscount", skel->obj, SYMS_F_DEMANGLE,
					  o->cli.pid, o->cli.cmd != NULL, &t->run);
		if (ret)
			return ret;
		stack_capture__drain_on_notes(&st->sc, &skel->bss->drain);
		if (!o->cli.pid && !o->cli.cmd)
			stack_capture__scan(&st->sc, o->comm);
		stack_capture__export(&st->sc, t->pprof, "syscall", syscall_label, NULL);
	}
	/* Raw tracepoints: fd-based links, gone with the process even on SIGKILL. */
	err = syscount_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "syscount: cannot attach to the raw syscall tracepoints: %s\n",
			strerror(-err));
		return EXIT_RUNTIME;
	}
	if (o->top && !o->stack)
		fprintf(stderr, "Tracing %s, printing top %lu... Hit Ctrl-C to end.\n",
			mode_text(o), o->top);
	else
		fprintf(stderr, "Tracing %s... Hit Ctrl-C to end.\n", mode_text(o));
	ret = tool__begin(t);
	if (!ret)
		ret = tool__loop(t, st->sc.rb, report, st, true, "read counts");
	if (!ret && o->cli.verbose)
		stack_capture__report_tables(&st->sc);
	if (!ret)
		summary(st);
	return ret;
}

/*
 * --stack: the walk chosen (CFI or frame pointers) and the stack maps
 * sized; without it they stay at their least. Returns 0 or an exit code.
 */
static int set_stacks(struct syscount_bpf *skel, const struct options *o)
{
	bool cfi = false;

	if (o->stack && stack_unwind__choose(o->unwind, "syscount", o->cli.verbose, &cfi))
		return EXIT_USAGE;
	skel->rodata->unwind_cfi = cfi;
	skel->rodata->python_frames = cfi && !o->no_python;
	skel->rodata->stop_new = o->stack && o->cli.cmd != NULL;
	/* With CFI, user stacks are in ustacks: the stack-trace map is not
	 * used; the tables are drained as they fill. */
	return stack_capture__size_counting(skel->obj, o->stack && !cfi ? STACK_TRACES : 1,
					    o->stack ? STACK_KEYS : 1, cfi,
					    skel->rodata->python_frames,
					    &skel->rodata->drain_counts_at,
					    &skel->rodata->drain_stacks_at) ? EXIT_RUNTIME : 0;
}

int main(int argc, char **argv)
{
	struct options o = { .top = 10, .nr = -1 };
	struct state st = { .o = &o };
	struct tool t = TOOL_INIT;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = tool__init(&t, "syscount", &o.cli,
			 o.cli.json ? OUT_JSON : o.folded ? OUT_FOLDED : OUT_TEXT);
	if (ret)
		goto out;
	st.out = t.out;
	sysreport__init(&st.rep, &(struct sysreport_opts){
		.per_process = o.per_process, .latency = o.latency, .msecs = o.msecs,
		.failures = o.failures, .err = o.err, .intervals = o.cli.interval > 0,
		.top = o.top }, t.out);
	if (t.prom)
		ret = sysreport__declare_metrics(&st.rep, t.prom);
	/* Each stack is a count of syscalls. */
	if (!ret && t.pprof && (pprof__add_sample_type(t.pprof, "syscalls", "count", 1) ||
				pprof__set_period(t.pprof, "syscalls", "count", 1)))
		ret = EXIT_RUNTIME;
	if (ret)
		goto out;
	if (o.list) {
		ret = list_syscalls(st.out);
		goto out;
	}
	/* Raw syscall tracepoints: the features are probed only for -v. */
	ret = tool__start(&t, TOOL_F_NO_FEATURES, o.cli.pid, o.cli.interval);
	if (ret)
		goto out;
	if (o.tid && cli__pid_exists(o.tid)) {
		fprintf(stderr, "syscount: thread %d does not exist\n", o.tid);
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.ppid && cli__pid_exists(o.ppid)) {
		fprintf(stderr, "syscount: process %d does not exist\n", o.ppid);
		ret = EXIT_USAGE;
		goto out;
	}
	st.skel = syscount_bpf__open();
	if (!st.skel) {
		fprintf(stderr, "syscount: cannot open the BPF object: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	set_knobs(st.skel, &o, t.pid);
	set_sizes(st.skel, &o);
	ret = set_stacks(st.skel, &o);
	if (!ret)
		ret = tool__load_object(&t, st.skel->skeleton);
	if (!ret)
		ret = trace(&t, &st);
out:
	ret = tool__fini(&t, ret);
	/* The tracepoints first: no note may come once the capture is gone. */
	if (st.skel)
		syscount_bpf__detach(st.skel);
	stack_capture__fini(&st.sc);
	syscount_bpf__destroy(st.skel);
	sysreport__fini(&st.rep);
	return ret;
}
