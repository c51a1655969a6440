// SPDX-License-Identifier: GPL-2.0-only
/*
 * uprobe-trace: print one line per hit of user probes, USDT probes and
 * tracepoints, with arguments fetched by the generic fetch interpreter
 * and formatted as bcc's trace does, or as ftrace's uprobe_events
 * fetch-args ("name=value ...").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/attach.h"
#include "common/cli.h"
#include "common/fetch.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/sitelist.h"
#include "common/sites.h"
#include "common/tool.h"
#include "common/traceprint.h"
#include "common/traceprobe.h"
#include "common/tracesites.h"
#include "common/syms.h"
#include "common/stackcap.h"
#include "bpf/uprobe_trace.h"
#include "uprobe_trace.skel.h"

#define DEFAULT_PAGES 256
#define POLL_SECONDS 0.1


struct options {
	struct cli_common cli;	/* -p --cmd -d -v --attach */
	pid_t tid;
	const char *comm;
	unsigned long max_events;
	bool timestamp;		/* -t: seconds since start */
	bool unix_time;		/* -u: -t's time as seconds since the epoch */
	bool time_of_day;	/* -T */
	bool print_cpu;		/* -C */
	bool list;
	bool user_stack;
	enum stack_unwind unwind;	/* --unwind, with -U */
	bool unwind_set;
	bool no_python;		/* --no-python */
	bool kernel_stack;	/* -K */
	bool address;
	bool include_self;	/* -S */
	bool aggregate;		/* -A */
	bool bin_cmp;		/* -B: STRCMP on byte lists (the probe language's) */
	long uid;		/* --uid, -1: every user */
	const char *cgroup_path;	/* -c */
	const char *msg_filter;	/* -f */
	unsigned long str_size;
	unsigned long pages;
	struct trace_probe *probes;
	int nprobes;
};

static const char usage[] =
"Usage: uprobe-trace [OPTIONS] PROBE...\n"
"Print one line per hit of user functions, USDT probes, tracepoints and kernel\n"
"functions, with arguments.\n"
"\n"
"Probes (bcc trace syntax):\n"
"  [p:]lib:func[(SIG)] [(FILTER)] [\"FORMAT\"[, ARG...]]\n"
"                                                  function entry; SIG: bcc's\n"
"                                                  signature, as (char *path)\n"
"  r:lib:func ...                                  function return (retval)\n"
"  u:lib:[provider:]name ...                       USDT probe (arg1..argN)\n"
"  t:category:event ...                            tracepoint (args->FIELD)\n"
"  lib:0xOFFSET ...                                raw file offset\n"
"  func | p::func | r::func ...                    kernel function (kprobes)\n"
"uprobe_events syntax:\n"
"  p[:[GRP/]EVENT] PATH:OFFSET [NAME=]FETCHARG ... r[:[GRP/]EVENT] PATH:OFFSET ...\n"
"  p:lib:func FETCHARG ...                         bcc probe, ftrace arguments\n"
"Arguments: arg1..arg6 (Go: arg1..arg9, its registers) retval %di +8(%di)\n"
"  *(arg2+16) $comm $pid $tid $uid $cpu\n"
"  $stackN args->FIELD, with :u8..u64 :s8..s64 :x8..x64 :string; FILTER is a C\n"
"  expression over them, with STRCMP(\"text\", arg). Parameters by name: from\n"
"  DWARF for user functions, from the kernel's BTF for kernel functions (-l -v\n"
"  lists them). ARGs are C expressions too: arithmetic, casts ((int)retval),\n"
"  members of typed values (ts->tv_nsec; types from DWARF, debug files and the\n"
"  kernel's BTF), $task->FIELD. FORMAT's %U and %K print symbols.\n"
"\n"
"Options:\n"
"  -p, --pid PID          trace only process PID; stop when it exits\n"
"  -L, --tid TID          trace only thread TID\n"
"      --uid UID          trace only processes of user UID\n"
"  -c, --cgroup-path PATH   trace only tasks of the cgroup (v2) at PATH and its\n"
"                         descendants\n"
"      --cmd CMD          run CMD and trace it and its children; stop when it exits\n"
"  -S, --include-self     trace this tool's own process too (default: left out)\n"
"  -n, --name NAME        print only processes whose name contains NAME\n"
"  -f, --msg-filter TEXT  print only events whose message contains TEXT\n"
"  -M, --max-events N     stop after N events\n"
"  -A, --aggregate        count identical events, print each once with its count\n"
"                         (at -M or at the end)\n"
"  -t, --timestamp        print seconds since the start\n"
"  -u, --unix-timestamp   print the time (of -t) as seconds since the epoch\n"
"  -T, --time             print the time of day\n"
"  -C, --print-cpu        print the CPU of each event\n"
"  -Z, --string-size N    bytes of string arguments (default 80)\n"
"  -b, --buffer-pages N   ring buffer pages (default 256, rounded up to a power of 2)\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -U, --user-stack       print the user stack of each event\n"
STACK_UNWIND_HELP
PYTHON_HELP
"  -K, --kernel-stack     print the kernel stack of each event (tracepoints and\n"
"                         kernel functions: a uprobe has none)\n"
"  -a, --address          with -U or -K, print each frame's address too\n"
"  -s, --sym-file-list FILES  bcc's symbol files (comma-separated): checked to\n"
"                         exist; frames are symbolized from the mapped files\n"
"  -B, --bin-cmp          STRCMP may compare byte lists ({0x6c, 0x00})\n"
"  -I, --include HEADER   accepted for bcc's command lines: types come from\n"
"                         debug information (DWARF) and the kernel's BTF instead\n"
"  -l, --list             list the matching probe sites and exit\n"
"  -j, --json             JSON lines output\n"
"  -v, --verbose          verbose: libbpf errors, kernel features\n"
"      --force            return probes (r:) in Go programs too: they can crash them\n"
"      --attach MODE      auto (default), multi or single\n"
CLI_HELP_UNSAFE
CLI_HELP_END
"\n"
"Examples:\n"
"  uprobe-trace 'p:c:write (arg1 == 1) \"wrote %d bytes\", arg3'\n"
"  uprobe-trace 'r:bash:readline \"%s\", retval'\n"
"  uprobe-trace 'r:c:malloc (retval == 0) \"malloc failed\"'\n"
"  uprobe-trace 'u:/usr/bin/python3:function__entry \"%s\", arg2'\n"
"  uprobe-trace 't:syscalls:sys_enter_openat \"%s\", args->filename'\n"
"  uprobe-trace 'p:mygrp/myevent /bin/app:0x2794c0 %di +0(%si):string $comm'\n"
"  uprobe-trace 'r:bash:readline +0($retval):string'\n"
"  uprobe-trace 'do_sys_openat2 \"%s\", filename'\n"
"  uprobe-trace -l -v vfs_read\n"
"  uprobe-trace --cmd './app' 'p:c:exit \"%s exited with code %d\", $comm, arg1'\n"
"  uprobe-trace -C -f tmp 'p:c:open \"%s\", arg1'   CPU column; messages with tmp\n"
"  uprobe-trace -A -M 100 'p:c:write \"%d\", arg1'   counts of each message\n"
"  uprobe-trace -K 't:sched:sched_process_exit'   with kernel stacks\n";

enum { OPT_UID = CLI_OPT_TOOL, OPT_NO_PYTHON };

/* bcc trace's long options, with its spellings (--print_cpu) kept as aliases. */
static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, 'L' },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "cgroup-path", required_argument, NULL, 'c' },
	{ "cmd", required_argument, NULL, CLI_OPT_CMD },
	{ "include-self", no_argument, NULL, 'S' },
	{ "name", required_argument, NULL, 'n' },
	{ "msg-filter", required_argument, NULL, 'f' },
	{ "max-events", required_argument, NULL, 'M' },
	{ "aggregate", no_argument, NULL, 'A' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "unix-timestamp", no_argument, NULL, 'u' },
	{ "time", no_argument, NULL, 'T' },
	{ "print-cpu", no_argument, NULL, 'C' },
	{ "print_cpu", no_argument, NULL, 'C' },
	{ "string-size", required_argument, NULL, 'Z' },
	{ "buffer-pages", required_argument, NULL, 'b' },
	{ "duration", required_argument, NULL, 'd' },
	{ "user-stack", no_argument, NULL, 'U' },
	{ "kernel-stack", no_argument, NULL, 'K' },
	{ "address", no_argument, NULL, 'a' },
	{ "sym-file-list", required_argument, NULL, 's' },
	{ "sym_file_list", required_argument, NULL, 's' },
	{ "bin-cmp", no_argument, NULL, 'B' },
	{ "bin_cmp", no_argument, NULL, 'B' },
	{ "include", required_argument, NULL, 'I' },
	{ "list", no_argument, NULL, 'l' },
	{ "unwind", required_argument, NULL, STACK_OPT_UNWIND },
	{ "no-python", no_argument, NULL, OPT_NO_PYTHON },
	CLI_LONG_OPTS_SITES_END
};

#define usage_error(...) cli__usage_error("uprobe-trace", __VA_ARGS__)

/*
 * -s FILES, bcc's list of files to symbolize stacks with (by build id):
 * frames here are symbolized from the files each process maps, so the
 * list is only checked, for the typo bcc would have stopped at. Returns
 * 0, or EXIT_USAGE after the usage error.
 */
static int check_sym_files(const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return usage_error("%s", "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save))
		if (access(tok, R_OK))
			ret = usage_error("-s: cannot read '%s': %s", tok, strerror(errno));
	free(copy);
	return ret;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	char err[512];
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:L:c:Sn:f:M:AtuTCZ:b:d:aUKs:BI:ljvh", long_opts,
				NULL)) != -1) {
		switch (c) {
		/* bcc trace's -c is a cgroup; the command is --cmd. */
		case 'c': o->cgroup_path = optarg; break;
		case 'S': o->include_self = true; break;
		case 'f': o->msg_filter = optarg; break;
		case 'A': o->aggregate = true; break;
		case 'u': o->unix_time = o->timestamp = true; break;
		case 'C': o->print_cpu = true; break;
		case 'K': o->kernel_stack = true; break;
		case 'B': o->bin_cmp = true; break;
		case 's':
			if (check_sym_files(optarg))
				return EXIT_USAGE;
			break;
		case 'I':
			fprintf(stderr, "uprobe-trace: -I %s is not needed: types come from debug "
				"information (DWARF) and the kernel's BTF, not from C headers\n",
				optarg);
			break;
		case OPT_UID: {
			unsigned long uid;

			if (cli__parse_ulong(optarg, 0, 0xfffffffeUL, &uid))
				return usage_error("invalid user id '%s'", optarg);
			o->uid = (long)uid;
			break;
		}
		case 'L':
			if (cli__parse_pid(optarg, &o->tid))
				return usage_error("invalid thread id '%s'", optarg);
			break;
		case 'n': o->comm = optarg; break;
		case 'M':
			if (cli__parse_ulong(optarg, 1, ~0UL, &o->max_events))
				return usage_error("invalid number of events '%s'", optarg);
			break;
		case 't': o->timestamp = true; break;
		case 'T': o->time_of_day = true; break;
		case 'Z':
			if (cli__parse_ulong(optarg, 1, FETCH_MAX_STR, &o->str_size))
				return usage_error("invalid string size '%s' (1..1024)", optarg);
			break;
		case 'b':
			if (cli__parse_ulong(optarg, 1, 1 << 18, &o->pages))
				return usage_error("invalid number of pages '%s'", optarg);
			break;
		case 'a': o->address = true; break;
		case 'U': o->user_stack = true; break;
		case 'l': o->list = true; break;
		case OPT_NO_PYTHON: o->no_python = true; break;
		case STACK_OPT_UNWIND:
			ret = stack_capture__option("uprobe-trace", c, optarg, NULL, &o->unwind);
			if (ret)
				return ret;
			o->unwind_set = true;
			break;
		default:
			ret = cli__common_option("uprobe-trace", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no probe given");
	ret = cli_common__check("uprobe-trace", &o->cli);
	if (ret >= 0)
		return ret;
	if (o->aggregate && o->cli.json)
		return usage_error("%s", "-A and -j cannot be used together");
	if (o->unwind_set && !o->user_stack)
		return usage_error("%s", "--unwind needs -U");
	o->nprobes = argc - optind;
	o->probes = calloc(o->nprobes, sizeof(*o->probes));
	if (!o->probes)
		return EXIT_RUNTIME;
	for (int i = 0; i < o->nprobes; i++) {
		struct probe_spec spec;
		struct trace_probe *p = &o->probes[i];

		if (trace_probe__parse(p, argv[optind + i], err, sizeof(err)) ||
		    probe_spec__parse(p->spec, PROBE_F_BARE_KERNEL, &spec, err, sizeof(err))) {
			fprintf(stderr, "uprobe-trace: %s\n", err);
			return EXIT_USAGE;
		}
		p->kind = spec.kind;
		probe_spec__fini(&spec);
		/* Check the expressions now, before any file is read; a
		 * tracepoint's fields are known only once its format is read. */
		if (p->kind != PROBE_TRACEPOINT) {
			struct fetch_env env = { .kind = trace_probe__fetch_kind(p->kind),
						 .str_size = o->str_size, .names_later = true,
						 .kernel = trace_probe__is_kernel(p->kind),
						 .bin_cmp = o->bin_cmp };
			struct fetch_plan *plan = malloc(sizeof(*plan));

			ret = plan ? trace_probe__compile(p, &env, plan, err, sizeof(err)) : -ENOMEM;

			free(plan);
			if (ret) {
				fprintf(stderr, "uprobe-trace: %s\n", ret == -ENOMEM ? "out of memory" : err);
				return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
			}
		}
	}
	return -1;
}

/* ---- events ------------------------------------------------------------------ */

/* Print one event; a process the BPF side stopped is continued after. */
static int on_event(void *ctx, void *data, size_t size)
{
	struct trace_printer *t = ctx;
	const struct trace_event *e = data;
	bool stopped = size >= sizeof(*e) && (e->flags & TRACE_F_STOPPED);
	int ret;

	/* Its maps are read while it is stopped, even when this event is not
	 * printed (-n, -f): its later events may be. Then it may go on. Not
	 * once the run is over (*done): nothing more is printed. */
	if (stopped && t->syms && !*t->done)
		syms__snapshot(t->syms, e->pid);
	ret = trace_printer__event(t, data, size);
	if (stopped)
		kill(e->pid, SIGCONT);
	return ret;
}

/* ---- loading ------------------------------------------------------------------- */

/* Offset of child_pid in sched_process_fork's record, from its format. */
static int fork_child_offset(unsigned *off, char *err, size_t errlen)
{
	const char *root = tracefs__root();
	const struct tp_field *f;
	struct tp_format fmt;
	int ret;

	if (!root) {
		snprintf(err, errlen, "cannot mount tracefs: %s", strerror(errno));
		return -errno;
	}
	ret = tp_format__load(&fmt, root, "sched", "sched_process_fork", err, errlen);
	if (ret)
		return ret;
	f = tp_format__find(&fmt, "child_pid");
	if (!f || f->size != 4) {
		snprintf(err, errlen, "sched_process_fork has no 4-byte child_pid field");
		ret = -ENOENT;
	} else {
		*off = f->offset;
	}
	tp_format__fini(&fmt);
	return ret;
}

/*
 * -c PATH: the cgroup the BPF side tests tasks against (with their
 * descendants, as bcc's BPF_CGROUP_ARRAY). Returns 0 or an exit code,
 * after saying why on stderr.
 */
static int set_cgroup(struct uprobe_trace_bpf *skel, const char *path)
{
	uint32_t key = 0;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0) {
		fprintf(stderr, "uprobe-trace: -c: cannot open the cgroup '%s': %s\n", path,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup), &key, &fd, BPF_ANY)) {
		err = errno;
		fprintf(stderr, "uprobe-trace: -c: '%s' is not a cgroup (version 2): %s\n", path,
			strerror(err));
	}
	/* The map holds its own reference to the cgroup. */
	close(fd);
	return err ? (err == EBADF || err == EINVAL ? EXIT_USAGE : EXIT_RUNTIME) : 0;
}

/* Size the maps, load, store the fetch programs, follow --cmd's children. */
static int load(struct tool *t, const struct options *o, struct uprobe_trace_bpf *skel,
		const struct fetch_plan *plans, unsigned fork_off)
{
	const struct site_set *set = &t->set;
	unsigned long pages;
	bool cfi = false;
	int ret;

	if (o->user_stack && stack_unwind__choose(o->unwind, "uprobe-trace", o->cli.verbose, &cfi))
		return EXIT_USAGE;
	/* -U by CFI: the walk of the stack tools (bpf/lib/stacks.bpf.h); a
	 * --cmd command and its children are held at their first event
	 * (and the command at its execve) until their tables are in. */
	skel->rodata->unwind_cfi = cfi;
	skel->rodata->stop_new = cfi && o->cli.cmd;
	skel->rodata->python_frames = cfi && !o->no_python;
	if (stack_capture__size_walk(skel->obj, cfi) ||
	    stack_capture__size_python(skel->obj, skel->rodata->python_frames)) {
		fprintf(stderr, "uprobe-trace: cannot size the stack maps\n");
		return EXIT_RUNTIME;
	}

	skel->rodata->targ_tgid = o->cli.cmd ? 0 : t->pid;
	skel->rodata->targ_tid = o->tid;
	skel->rodata->follow_children = o->cli.cmd != NULL;
	skel->rodata->fork_child_off = fork_off;
	for (pages = 1; pages < o->pages; pages <<= 1)
		;
	bpf_map__set_max_entries(skel->maps.events, pages * getpagesize());
	skel->rodata->wakeup_bytes = pages * getpagesize() / 8;
	skel->rodata->user_stack = o->user_stack;
	skel->rodata->kernel_stack = o->kernel_stack;
	/* bcc leaves its own process out unless -S: our writes to stdout
	 * would otherwise trace themselves with 'c:write'. */
	skel->rodata->self_tgid = o->include_self ? 0 : getpid();
	skel->rodata->targ_uid = o->uid;
	skel->rodata->filter_cgroup = o->cgroup_path != NULL;
	bpf_map__set_max_entries(skel->maps.fetch_progs, set->count);
	bpf_map__set_max_entries(skel->maps.traced, cli__map_entries(TRACE_TRACED_ENTRIES));
	bpf_map__set_max_entries(skel->maps.stopped, cli__map_entries(TRACE_TRACED_ENTRIES));
	bpf_program__set_autoload(skel->progs.trace_fork, o->cli.cmd != NULL);
	ret = tool__load(t, skel->skeleton, &(struct site_progs){
		SITE_PROGS_INIT(skel, trace),
	});
	if (ret)
		return ret;
	for (uint32_t i = 0; i < set->count; i++) {
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.fetch_progs), &i, &plans[i].prog, 0)) {
			fprintf(stderr, "uprobe-trace: cannot store the fetch programs: %s\n",
				strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	if (o->cgroup_path) {
		ret = set_cgroup(skel, o->cgroup_path);
		if (ret)
			return ret;
	}
	if (o->cli.cmd) {
		uint32_t key = t->pid;
		uint8_t one = 1;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.traced), &key, &one, 0) ||
		    !(skel->links.trace_fork = bpf_program__attach(skel->progs.trace_fork))) {
			fprintf(stderr, "uprobe-trace: cannot follow the children of '%s': %s\n",
				o->cli.cmd, strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

/* Events are printed as they come: the report has only the end to mark. */
static int report(void *ctx, bool last)
{
	return 0;
}

/* Do the probes' formats have %K or %U? */
static bool wants_symbols(const struct options *o)
{
	for (int i = 0; i < o->nprobes; i++)
		if (trace_probe__wants_symbols(&o->probes[i]))
			return true;
	return false;
}

static int trace(struct tool *t, const struct options *o, struct uprobe_trace_bpf *skel,
		 struct fetch_plan *plans, char **specs)
{
	struct trace_print_opts po = {
		.probes = o->probes, .comm = o->comm, .msg_filter = o->msg_filter,
		.max_events = o->max_events, .timestamp = o->timestamp, .unix_time = o->unix_time,
		.time_of_day = o->time_of_day, .print_cpu = o->print_cpu, .address = o->address,
		.aggregate = o->aggregate, .user_stack = o->user_stack,
		.kernel_stack = o->kernel_stack,
	};
	struct trace_printer tr;
	struct stack_capture sc = { .verbose = o->cli.verbose };
	struct ring_buffer *rb = NULL;
	int ret = EXIT_RUNTIME;

	trace_printer__init(&tr, &po, &t->set, plans, NULL, t->out, &t->stop);

	if (skel->rodata->unwind_cfi) {
		/* The shared capture: its symbolizer knows the files the walk
		 * names, its ring buffer announces processes; the events are
		 * read from the same ring buffer object. */
		ret = stack_capture__open(&sc, "uprobe-trace", skel->obj, SYMS_F_DEMANGLE,
					  o->cli.pid, o->cli.cmd != NULL, &t->run);
		if (ret)
			goto out;
		ret = EXIT_RUNTIME;
		if (!o->cli.pid && !o->cli.cmd)
			stack_capture__scan(&sc, NULL);
		for (size_t i = 0; i < t->set.count; i++)
			if (t->set.sites[i].path)
				stack_capture__preload(&sc, t->set.sites[i].path);
		tr.syms = sc.syms;
		tr.py = sc.py;
		if (ring_buffer__add(sc.rb, bpf_map__fd(skel->maps.events), on_event, &tr)) {
			fprintf(stderr, "uprobe-trace: cannot open the ring buffer: %s\n",
				strerror(errno));
			goto out;
		}
		rb = sc.rb;
	} else if (o->user_stack || o->kernel_stack || wants_symbols(o)) {
		tr.syms = syms__new(SYMS_F_DEMANGLE);
		if (!tr.syms) {
			fprintf(stderr, "uprobe-trace: cannot create the symbolizer: %s\n",
				strerror(errno));
			goto out;
		}
		/* A traced process is read now, before it can exit. */
		if (o->cli.pid)
			syms__snapshot(tr.syms, o->cli.pid);
	}
	if (!rb)
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &tr, NULL);
	if (!rb) {
		fprintf(stderr, "uprobe-trace: cannot open the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	t->run.event_fd = ring_buffer__epoll_fd(rb);
	/* -c follows the command's children: attach for every process and
	 * let the BPF side filter on the traced set. */
	ret = tool__attach(t, o->cli.cmd ? 0 : t->pid);
	if (ret)
		goto out;
	tool__say_tracing(t, t->attached, "probe", specs, o->nprobes);
	out__event_header(t->out, &tr.layout);
	out__flush(t->out);
	trace_printer__start(&tr);
	ret = tool__begin(t);
	if (!ret)
		ret = tool__loop(t, rb, report, &tr, false, "read the events");
	if (!ret && o->aggregate) {
		if (tr.agg_err) {
			fprintf(stderr, "uprobe-trace: -A: %s\n", strerror(-tr.agg_err));
			ret = EXIT_RUNTIME;
		}
		trace_printer__aggregate_report(&tr);
	}
	if (!ret) {
		struct out_kv head = { "events", NULL, OUT_U64, { .u = tr.printed } };
		struct out_kv losses[3 + STACK_CAPTURE_NLOSSES + STACK_CAPTURE_NPYTHON] = {
			{ "lost", "%s events lost: the ring buffer was full (raise -b)", OUT_U64,
			  { .u = skel->bss->lost } },
			{ "lost_children", "%s child processes not followed: the table was full",
			  OUT_U64, { .u = skel->bss->lost_children } },
		};
		size_t nlosses = 2;
		char buf[512];

		/* -U by CFI: the walks' flaws, as the stack tools give them. */
		if (skel->rodata->unwind_cfi) {
			if (o->cli.verbose)
				stack_capture__report_tables(&sc);
			stack_capture__losses(&skel->bss->stats, "events", losses + 2, buf,
					      sizeof(buf));
			nlosses += STACK_CAPTURE_NLOSSES;
			stack_capture__pool_loss(&sc, &losses[nlosses++]);
			nlosses += stack_capture__python_losses(&sc, &skel->bss->py_stats,
								losses + nlosses);
		}
		tool__summary(t, &head, 1, losses, nlosses, true);
	}
out:
	/* Nothing may fire into the ring buffer once it is gone. */
	tool__detach(t);
	/* The events still unread are not printed (the run is over), but
	 * the processes stopped for them go on. */
	t->stop = true;
	if (rb)
		ring_buffer__consume(rb);
	if (rb != sc.rb)
		ring_buffer__free(rb);
	/* Its own symbolizer, unless the capture's (freed with it). */
	if (tr.syms != sc.syms)
		syms__free(tr.syms);
	stack_capture__fini(&sc);
	trace_printer__fini(&tr);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .str_size = FETCH_STR_DEFAULT, .pages = DEFAULT_PAGES, .uid = -1 };
	struct tool t = TOOL_INIT;
	struct uprobe_trace_bpf *skel = NULL;
	struct fetch_plan *plans = NULL;
	char **specs = NULL;
	unsigned fork_off = 0;
	int ret, err;
	char msg[1024];

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		goto out_probes;
	ret = tool__init(&t, "uprobe-trace", &o.cli, o.cli.json ? OUT_JSON : OUT_TEXT);
	/* -l only reads files: it needs no privilege. The interval is the
	 * reader's poll: the BPF side wakes it per batch. */
	if (!ret)
		ret = tool__start(&t, o.list ? TOOL_F_NO_PRIVILEGE : 0, o.cli.pid, POLL_SECONDS);
	if (ret)
		goto out;
	ret = EXIT_RUNTIME;
	specs = calloc(o.nprobes, sizeof(*specs));
	if (!specs)
		goto out;
	for (int i = 0; i < o.nprobes; i++)
		specs[i] = o.probes[i].spec;
	ret = tool__add_specs(&t, specs, o.nprobes, PROBE_F_BARE_KERNEL | PROBE_F_EACH_SPEC);
	if (ret)
		goto out;
	if (o.list) {
		ret = site_list__write(t.out, &t.set, o.cli.verbose) ? EXIT_RUNTIME : EXIT_OK;
		if (o.cli.verbose)
			trace_sites__say_conventions(&t.set);
		goto out;
	}
	ret = tool__check_sites(&t, o.cli.force);
	if (ret)
		goto out;
	ret = EXIT_RUNTIME;
	plans = calloc(t.set.count, sizeof(*plans));
	if (!plans)
		goto out;
	err = trace_sites__compile(&t.set, &(struct trace_sites_opts){ o.probes, o.str_size,
								       o.bin_cmp, o.cli.verbose },
				   plans, msg, sizeof(msg));
	if (err)
		ret = err == -EIO ? EXIT_RUNTIME : EXIT_USAGE;
	else if (o.cli.cmd && fork_child_offset(&fork_off, msg, sizeof(msg)))
		err = -EIO;	/* the kernel's BTF: a runtime failure */
	if (err) {
		fprintf(stderr, "uprobe-trace: %s\n", msg);
		goto out;
	}
	skel = uprobe_trace_bpf__open();
	if (!skel) {
		fprintf(stderr, "uprobe-trace: cannot open the BPF object: %s\n", strerror(errno));
		goto out;
	}
	ret = load(&t, &o, skel, plans, fork_off);
	if (!ret)
		ret = trace(&t, &o, skel, plans, specs);
out:
	ret = tool__fini(&t, ret);
	uprobe_trace_bpf__destroy(skel);
	free(plans);
	free(specs);
out_probes:
	for (int i = 0; o.probes && i < o.nprobes; i++)
		trace_probe__fini(&o.probes[i]);
	free(o.probes);
	return ret;
}
