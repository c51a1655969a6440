// SPDX-License-Identifier: GPL-2.0-only
/*
 * profile: sample stacks on every CPU at a fixed rate and count them, as
 * bcc's profile does; folded output and a self-contained SVG flame graph.
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
#include "common/flamegraph.h"
#include "common/output.h"
#include "common/pprof.h"
#include "common/stackcap.h"
#include "common/tool.h"
#include "common/stacks.h"
#include "common/syms.h"
#include "common/unwinder.h"
#include "bpf/stacks.h"
#include "profile.skel.h"

#define MAX_PIDS 1024
#define DEFAULT_STACK_STORAGE 16384
/*
 * The loop's tick: a drain request whose note found the ring buffer full
 * waits at most this, and system-wide the notes of new processes are read
 * at it (batch_notes).
 */
#define DRAIN_CHECK_SECS 0.1

struct options {
	struct cli_common cli;	/* --cmd --duration -v */
	pid_t pids[MAX_PIDS];	/* -p: a list here */
	int npids;
	pid_t tids[MAX_PIDS];	/* -L: a list too */
	int ntids;
	const char *cgroupmap;	/* --cgroupmap: a pinned map of cgroup ids */
	const char *mntnsmap;	/* --mntnsmap: a pinned map of mount namespace ids */
	bool delimited;		/* -d */
	unsigned long freq;
	unsigned long period;
	long cpu;
	bool user_only;
	bool kernel_only;
	bool idle;
	bool folded;
	bool offsets;
	bool lines;
	bool per_pid;
	const char *svg;
	unsigned long storage;
	enum stack_unwind unwind;
	bool no_python;		/* --no-python */
};

static const char usage[] =
"Usage: profile [OPTIONS] [DURATION]\n"
"Sample the stacks running on every CPU at a fixed rate and count them.\n"
"\n"
"Options:\n"
"  -F, --frequency HZ     samples per second per CPU (default 49)\n"
"  -c, --count N          sample every N events instead (CPU cycles where the\n"
"                         machine counts them, else nanoseconds of cpu-clock)\n"
"  -p, --pid PID[,PID]    only these processes; with one, stop when it exits\n"
"  -L, --tid TID[,TID]    only these threads\n"
"      --cmd CMD          run CMD and profile only it\n"
"  -C, --cpu CPU          only this CPU\n"
"      --duration SECS    stop after SECS seconds (as the DURATION argument)\n"
"  -U, --user-stacks-only   user stacks only\n"
"  -K, --kernel-stacks-only kernel stacks only\n"
"  -d, --delimited        a \"--\" line (folded: a \"-\" frame) between the kernel\n"
"                         and the user stack\n"
"  -a, --annotations      kernel frames end in _[k] in folded output (always so)\n"
"  -I, --include-idle     include the idle task (pid 0)\n"
"  -P, --perpid           keep processes apart (comm-PID in folded output)\n"
"  -f, --folded           folded output: comm;outer;...;inner COUNT\n"
"      --svg FILE         write an SVG flame graph to FILE\n"
"      --pprof FILE       write a gzipped pprof profile to FILE (go tool pprof)\n"
"  -s, --offsets          show sym+0xoffset\n"
"      --lines            add source file:line and inlined frames (debug info)\n"
"  -j, --json             JSON lines output\n"
"  -v, --verbose          show libbpf diagnostics\n"
"      --stack-storage-size N   stacks the kernel can keep (default 16384)\n"
STACK_UNWIND_HELP
PYTHON_HELP
"      --cgroupmap PATH   only cgroups whose id is a key of the pinned BPF hash\n"
"                         map PATH (u64 keys, as bcc's special_filtering.md)\n"
"      --mntnsmap PATH    only mount namespaces whose id is a key of the pinned\n"
"                         BPF hash map PATH (u64 keys)\n"
CLI_HELP_END
"\n"
"Examples:\n"
"  profile 10                       all CPUs for 10 seconds\n"
"  profile -F 99 -p 181 5           one process at 99 Hz\n"
"  profile -f 30 > out.folded       folded stacks for flame graph tools\n"
"  profile -adf -p 181 10           folded, kernel and user stacks delimited\n"
"  profile -L 185                   one thread only\n"
"  profile --svg cpu.svg --cmd './app'   a flame graph of a command\n"
"  profile --pprof cpu.pb.gz 30     a profile for go tool pprof\n";

enum { OPT_LINES = CLI_OPT_TOOL, OPT_SVG, OPT_DURATION, OPT_CGROUPMAP, OPT_MNTNSMAP,
       OPT_NO_PYTHON };

static const struct option long_opts[] = {
	{ "frequency", required_argument, NULL, 'F' },
	{ "count", required_argument, NULL, 'c' },
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, 'L' },
	{ "cmd", required_argument, NULL, CLI_OPT_CMD },
	{ "cpu", required_argument, NULL, 'C' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "user-stacks-only", no_argument, NULL, 'U' },
	{ "kernel-stacks-only", no_argument, NULL, 'K' },
	{ "delimited", no_argument, NULL, 'd' },
	{ "annotations", no_argument, NULL, 'a' },
	{ "cgroupmap", required_argument, NULL, OPT_CGROUPMAP },
	{ "mntnsmap", required_argument, NULL, OPT_MNTNSMAP },
	{ "include-idle", no_argument, NULL, 'I' },
	{ "perpid", no_argument, NULL, 'P' },
	{ "folded", no_argument, NULL, 'f' },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "pprof", required_argument, NULL, CLI_OPT_PPROF },
	{ "offsets", no_argument, NULL, 's' },
	{ "lines", no_argument, NULL, OPT_LINES },
	{ "stack-storage-size", required_argument, NULL, STACK_OPT_STORAGE },
	{ "unwind", required_argument, NULL, STACK_OPT_UNWIND },
	{ "no-python", no_argument, NULL, OPT_NO_PYTHON },
	CLI_LONG_OPTS_END
};

#define usage_error(...) cli__usage_error("profile", __VA_ARGS__)

/* A comma-separated list of ids (-p, -L) appended to @ids (*@n of MAX_PIDS). */
static int parse_pids(const char *s, pid_t *ids, int *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		if (*n == MAX_PIDS || cli__parse_pid(tok, &ids[*n]))
			err = -EINVAL;
		else
			(*n)++;
	}
	free(copy);
	return err || !*n ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	unsigned long cpu;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:c:p:L:C:UKdaIPfsjvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (cli__parse_ulong(optarg, 1, 100000, &o->freq))
				return usage_error("invalid frequency '%s' (1 to 100000 Hz)", optarg);
			break;
		/* -c is a sample period and -p a list of pids here. */
		case 'c':
			if (cli__parse_ulong(optarg, 1, ~0UL, &o->period))
				return usage_error("invalid sample period '%s'", optarg);
			break;
		case 'p':
			if (parse_pids(optarg, o->pids, &o->npids))
				return usage_error("invalid pid list '%s'", optarg);
			break;
		case 'L':
			if (parse_pids(optarg, o->tids, &o->ntids))
				return usage_error("invalid thread id list '%s'", optarg);
			break;
		/* bcc's -d is the delimiter: the duration is the argument (or --duration). */
		case 'd': o->delimited = true; break;
		/* Folded kernel frames always carry _[k] (docs/bcc-differences.md). */
		case 'a': break;
		case OPT_DURATION:
			ret = cli__common_option("profile", usage, COTRACE_VERSION, 'd', argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
			break;
		case OPT_CGROUPMAP: o->cgroupmap = optarg; break;
		case OPT_MNTNSMAP: o->mntnsmap = optarg; break;
		case 'C':
			if (cli__parse_ulong(optarg, 0, 65535, &cpu))
				return usage_error("invalid CPU '%s'", optarg);
			o->cpu = cpu;
			break;
		case 'U': o->user_only = true; break;
		case 'K': o->kernel_only = true; break;
		case 'I': o->idle = true; break;
		case 'P': o->per_pid = true; break;
		case 'f': o->folded = true; break;
		case OPT_SVG: o->svg = optarg; break;
		case 's': o->offsets = true; break;
		case OPT_LINES: o->lines = true; break;
		case OPT_NO_PYTHON: o->no_python = true; break;
		case STACK_OPT_STORAGE:
		case STACK_OPT_UNWIND:
			ret = stack_capture__option("profile", c, optarg, &o->storage, &o->unwind);
			if (ret)
				return ret;
			break;
		default:
			ret = cli__common_option("profile", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	/* bcc's positional DURATION; --duration is ours. Both at once is a
	 * mistake: an option's value taken for a duration, as in
	 * "-I 0x10 --duration 1". */
	if (optind < argc && o->cli.duration)
		return usage_error("the duration argument '%s' and --duration cannot be used "
				   "together", argv[optind]);
	if (optind < argc && cli__parse_seconds(argv[optind++], &o->cli.duration))
		return usage_error("invalid duration '%s' (seconds, a decimal number)",
				   argv[optind - 1]);
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o->npids && o->cli.cmd)
		return usage_error("%s", "-p and --cmd cannot be used together");
	if (o->ntids && (o->npids || o->cli.cmd))
		return usage_error("%s", o->npids ? "-p and -L cannot be used together" :
				   "-L and --cmd cannot be used together");
	if (o->user_only && o->kernel_only)
		return usage_error("%s", "-U and -K cannot be used together");
	if (o->folded && o->cli.json)
		return usage_error("%s", "-f and -j cannot be used together");
	if (o->freq && o->period)
		return usage_error("%s", "-F and -c cannot be used together");
	if (!o->freq && !o->period)
		o->freq = 49;
	return -1;
}

static int write_svg(const struct options *o, const struct stack_set *stacks)
{
	struct flamegraph *fg = flamegraph__new();
	bool made = false;
	FILE *f;
	int err = -ENOMEM;

	if (!fg)
		goto out;
	for (size_t i = 0; i < stacks->count; i++) {
		char *line = out_stack_folded(&stacks->records[i], o->per_pid, o->delimited);

		err = line ? flamegraph__add(fg, line, stacks->records[i].count) : -ENOMEM;
		free(line);
		if (err)
			goto out;
	}
	made = true;
	f = fopen(o->svg, "we");
	if (!f) {
		err = -errno;
		goto out;
	}
	err = flamegraph__write_svg(fg, f, "CPU profile (cotrace profile)");
	/* On a full disk, fclose() may be where the write fails. */
	if (fclose(f) && !err)
		err = -errno;
out:
	if (err && made)
		fprintf(stderr, "profile: cannot write '%s': %s\n", o->svg, strerror(-err));
	else if (err)
		fprintf(stderr, "profile: cannot make the flame graph: %s\n", strerror(-err));
	flamegraph__free(fg);
	return err;
}

static int report(struct out *out, const struct options *o, struct stack_capture *sc)
{
	struct stack_read_opts ro = { .offsets = o->offsets };
	struct out_ctx ctx = { .record = "stack", .delimit = o->delimited };
	struct stack_set stacks = {};
	int err;

	err = stack_capture__read(sc, &ro, o->per_pid, false, &stacks);
	if (err) {
		fprintf(stderr, "profile: cannot read the stacks: %s\n", strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < stacks.count; i++)
		out__stack(out, &ctx, &stacks.records[i], o->per_pid, NULL, NULL);
	out__flush(out);
	if (o->svg)
		err = write_svg(o, &stacks);
out:
	stack_set__fini(&stacks);
	return err;
}

/*
 * --cgroupmap, --mntnsmap: put the user's map pinned at @path (NULL: none)
 * in place of @map before load, as bcc does with its pinned
 * BPF_TABLE_PINNED sets: a hash map whose u64 keys are the ids to sample.
 * Returns 0 or an exit code, after saying why on stderr.
 */
static int use_pinned_set(struct bpf_map *map, const char *path, const char *opt,
			  const char *what)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	if (!path)
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "profile: %s: cannot open the pinned BPF map '%s': %s\n", opt, path,
			strerror(errno));
		return errno == ENOENT || errno == EINVAL || errno == EPERM ? EXIT_USAGE :
		       EXIT_RUNTIME;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    (info.type != BPF_MAP_TYPE_HASH && info.type != BPF_MAP_TYPE_LRU_HASH) ||
	    info.key_size != sizeof(__u64)) {
		fprintf(stderr, "profile: %s: '%s' is not a BPF hash map with 8-byte keys (%s)\n",
			opt, path, what);
		err = EXIT_USAGE;
	} else if (bpf_map__reuse_fd(map, fd)) {
		fprintf(stderr, "profile: %s: cannot use the map '%s': %s\n", opt, path,
			strerror(errno));
		err = EXIT_RUNTIME;
	}
	/* reuse_fd() keeps a duplicate. */
	close(fd);
	return err;
}

/* One sampling event per CPU (or on -C's). Returns 0 or an exit code. */
static int attach_cpus(struct tool *t, const struct options *o, struct bpf_program *prog)
{
	int ncpus = libbpf_num_possible_cpus(), nlinks = 0, err;

	t->att = attacher__new();
	if (!t->att || ncpus <= 0)
		return EXIT_RUNTIME;
	if (o->cpu >= ncpus) {
		fprintf(stderr, "profile: CPU %ld does not exist (this machine has %d)\n", o->cpu,
			ncpus);
		return EXIT_USAGE;
	}
	for (int cpu = 0; cpu < ncpus; cpu++) {
		if (o->cpu >= 0 && cpu != o->cpu)
			continue;
		err = attacher__perf_sample(t->att, prog, cpu, o->freq, o->period);
		if (err == -ENODEV)
			continue;	/* offline CPU */
		if (err) {
			fprintf(stderr, "profile: cannot open a sampling event on CPU %d: %s\n", cpu,
				strerror(-err));
			return EXIT_RUNTIME;
		}
		nlinks++;
	}
	if (!nlinks) {
		fprintf(stderr, "profile: no CPU could be sampled\n");
		return EXIT_RUNTIME;
	}
	if (o->period)
		fprintf(stderr, "Sampling stacks every %lu events", o->period);
	else
		fprintf(stderr, "Sampling stacks at %lu Hz", o->freq);
	fprintf(stderr, " on %d CPU%s... Hit Ctrl-C to end.\n", nlinks, nlinks > 1 ? "s" : "");
	return 0;
}

/*
 * The sample types of --pprof: samples, and what each stands for: CPU
 * time at -F's rate, or -c's events (CPU cycles or nanoseconds of
 * cpu-clock, whichever the machine counts). Returns 0 or -ENOMEM.
 */
static int pprof_types(struct pprof *pp, const struct options *o)
{
	const char *type = o->period ? "events" : "cpu";
	const char *unit = o->period ? "count" : "nanoseconds";
	/* -F HZ: the kernel adjusts the period to the rate; this is its mean. */
	int64_t period = o->period ? (int64_t)o->period : (int64_t)(1000000000 / o->freq);

	if (pprof__add_sample_type(pp, "samples", "count", 1) ||
	    pprof__add_sample_type(pp, type, unit, period) ||
	    pprof__set_period(pp, type, unit, period))
		return -ENOMEM;
	return 0;
}

static int trace(struct tool *t, struct options *o, struct profile_bpf *skel)
{
	struct stack_capture sc = {};
	char buf[512];
	int ret, err;

	for (int i = 0; i < o->npids; i++) {
		__u32 key = o->pids[i];
		__u8 one = 1;

		bpf_map_update_elem(bpf_map__fd(skel->maps.pids), &key, &one, BPF_ANY);
	}
	for (int i = 0; i < o->ntids; i++) {
		__u32 key = o->tids[i];
		__u8 one = 1;

		bpf_map_update_elem(bpf_map__fd(skel->maps.tids), &key, &one, BPF_ANY);
	}
	/* The processes of -p are read now, before they can exit; all of
	 * them for a system-wide run. */
	sc.verbose = o->cli.verbose;
	ret = stack_capture__open(&sc, "profile", skel->obj,
				  SYMS_F_DEMANGLE | (o->lines ? SYMS_F_LINES : 0), 0,
				  o->cli.cmd != NULL, &t->run);
	for (int i = 0; !ret && !o->cli.cmd && i < o->npids; i++)
		stack_capture__add_pid(&sc, o->pids[i]);
	/* System-wide, a file's table is built when a sample's walk first
	 * needs it: most files of most processes are never sampled. */
	if (!ret && !o->npids && !o->ntids && sc.unwinder)
		unwinder__set_lazy(sc.unwinder, true);
	if (!ret && !o->npids)
		stack_capture__scan(&sc, NULL);
	if (!ret)
		ret = attach_cpus(t, o, skel->progs.do_sample);
	if (!ret)
		ret = tool__begin(t);
	if (ret)
		goto out;
	for (;;) {
		enum cli_step step = cli_run__next(&t->run);

		/* Also after a failed write: stopped processes must go on. */
		ring_buffer__consume(sc.rb);
		/* A table past half full: its stacks move to user space. */
		err = stack_capture__drain(&sc, &skel->bss->drain);
		if (err) {
			fprintf(stderr, "profile: cannot drain the stack tables: %s\n",
				strerror(-err));
			ret = EXIT_RUNTIME;
			goto out;
		}
		if (step == CLI_STEP_FAILED) {
			ret = EXIT_RUNTIME;
			goto out;
		}
		if (step == CLI_STEP_LAST)
			break;
	}
	/* No more samples while the stacks are read and symbolized. */
	tool__detach(t);
	if (o->cli.verbose)
		stack_capture__report_tables(&sc);
	stack_capture__export(&sc, t->pprof, NULL, NULL, NULL);
	err = report(t->out, o, &sc);
	if (err || tool__export(t)) {
		ret = EXIT_RUNTIME;
		goto out;
	}
	/* The output failed: a summary would only add to the noise. */
	if (out__flush(t->out))
		goto out;
	{
		struct out_kv kv[2 + STACK_CAPTURE_NLOSSES + STACK_CAPTURE_NPYTHON] = {
			{ "samples", NULL, OUT_U64, { .u = skel->bss->samples } },
		};
		size_t n = 1 + STACK_CAPTURE_NLOSSES;

		stack_capture__losses(&skel->bss->stats, "samples", kv + 1, buf, sizeof(buf));
		stack_capture__pool_loss(&sc, &kv[n++]);
		n += stack_capture__python_losses(&sc, &skel->bss->py_stats, kv + n);
		out__summary(t->out, kv, n);
	}
out:
	tool__detach(t);
	stack_capture__fini(&sc);
	return ret;
}

/* -p with several processes (one is checked by tool__start()), -L: each
 * must exist. Returns 0 or EXIT_USAGE, said on stderr. */
static int check_pids(const struct options *o)
{
	for (int i = 0; o->npids > 1 && i < o->npids; i++) {
		if (cli__pid_exists(o->pids[i])) {
			fprintf(stderr, "profile: process %d does not exist\n", o->pids[i]);
			return EXIT_USAGE;
		}
	}
	for (int i = 0; i < o->ntids; i++) {
		if (cli__pid_exists(o->tids[i])) {
			fprintf(stderr, "profile: thread %d does not exist\n", o->tids[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .cpu = -1, .storage = DEFAULT_STACK_STORAGE };
	struct tool t = TOOL_INIT;
	struct profile_bpf *skel = NULL;
	bool cfi = false;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = tool__init(&t, "profile", &o.cli,
			 o.cli.json ? OUT_JSON : o.folded ? OUT_FOLDED : OUT_TEXT);
	if (!ret && t.pprof && pprof_types(t.pprof, &o))
		ret = EXIT_RUNTIME;
	/* No sites to attach: the features are probed only for -v. With
	 * one pid the run ends when it exits (and tool__start() checks it);
	 * with several, at -d or ^C. */
	if (!ret)
		ret = tool__start(&t, TOOL_F_NO_FEATURES, o.npids == 1 ? o.pids[0] : 0,
				  DRAIN_CHECK_SECS);
	if (!ret)
		ret = check_pids(&o);
	if (ret)
		goto out;
	if (o.cli.cmd)
		o.pids[o.npids++] = t.run.cmd.pid;
	if (!o.kernel_only &&
	    stack_unwind__choose(o.unwind, "profile", o.cli.verbose, &cfi)) {
		ret = EXIT_USAGE;
		goto out;
	}
	skel = profile_bpf__open();
	if (!skel) {
		fprintf(stderr, "profile: cannot open the BPF object: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	skel->rodata->want_user = !o.kernel_only;
	skel->rodata->want_kernel = !o.user_only;
	skel->rodata->include_idle = o.idle;
	skel->rodata->filter_pids = o.npids > 0;
	skel->rodata->filter_tids = o.ntids > 0;
	skel->rodata->stop_new = o.cli.cmd != NULL;
	skel->rodata->unwind_cfi = cfi;
	skel->rodata->python_frames = cfi && !o.no_python;
	skel->rodata->batch_notes = cfi && !o.npids && !o.ntids;
	bpf_map__set_max_entries(skel->maps.pids, o.npids ? o.npids : 1);
	bpf_map__set_max_entries(skel->maps.tids, o.ntids ? o.ntids : 1);
	ret = use_pinned_set(skel->maps.cgroup_set, o.cgroupmap, "--cgroupmap", "cgroup ids");
	if (!ret)
		ret = use_pinned_set(skel->maps.mntns_set, o.mntnsmap, "--mntnsmap",
				     "mount namespace ids");
	skel->rodata->filter_cgroups = o.cgroupmap != NULL;
	skel->rodata->filter_mntns = o.mntnsmap != NULL;
	/* With CFI, user stacks are kept by hash: the stack-trace map is for
	 * kernel stacks; the tables are drained as they fill: no sample is
	 * lost for room at any rate or duration. */
	if (!ret)
		ret = stack_capture__size_counting(skel->obj,
						   !o.user_only || !cfi ? o.storage : 1,
						   o.storage, cfi, skel->rodata->python_frames,
						   &skel->rodata->drain_counts_at,
						   &skel->rodata->drain_stacks_at) ? EXIT_RUNTIME : 0;
	if (!ret)
		ret = tool__load_object(&t, skel->skeleton);
	if (!ret)
		ret = trace(&t, &o, skel);
out:
	ret = tool__fini(&t, ret);
	profile_bpf__destroy(skel);
	return ret;
}
