// SPDX-License-Identifier: GPL-2.0-only
/*
 * proclife: process lifetime histograms per command name, exit codes and
 * fatal signals, or one line per exit.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
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
#include "common/tool.h"
#include "common/probe.h"
#include "common/prom.h"
#include "common/sites.h"
#include "common/target.h"
#include "bpf/proclife.h"
#include "proclife.skel.h"

/* The ABI with bpf/proclife.bpf.c: no implicit padding anywhere. */
_Static_assert(sizeof(struct proclife_key) == 16, "proclife_key layout");
_Static_assert(sizeof(struct proclife_exit_key) == 24, "proclife_exit_key layout");
_Static_assert(sizeof(struct proclife_event) == 48, "proclife_event layout");

#define MAX_COMMS_DEFAULT	4096
#define LIBC_PENDING		65536
#define RINGBUF_SIZE		(8u << 20)
#define LOG_POLL_NS		50000000ULL	/* -l: how often the ring buffer is drained */

struct options {
	struct cli_common cli;	/* -i -d -v */
	enum hist_unit unit;
	const char *comm;
	pid_t ppid;
	bool timestamp;
	bool exits;
	bool log;
	bool threads;
	bool libc;
	unsigned long max_comms;
};

static const char usage[] =
"Usage: proclife [OPTIONS]\n"
"Process lifetime histograms per command name, taken at process exit from the\n"
"start time the kernel keeps, so processes started before tracing count too.\n"
"\n"
"Options:\n"
"  -m, --msecs            lifetimes in milliseconds (default)\n"
"  -u, --usecs            lifetimes in microseconds\n"
"  -s, --secs             lifetimes in seconds\n"
"  -c, --comm COMM        only processes whose command name is COMM\n"
"      --ppid PID         only children of process PID\n"
"  -e, --exits            also count exit codes and fatal signals per command\n"
"  -l, --log              print one line per exit instead of histograms\n"
"      --threads          measure every thread, not only whole processes\n"
"      --libc             measure from __libc_start_main() to exit() with uprobes on\n"
"                         libc, as the classic bpftrace script does (processes that\n"
"                         die by a signal or _exit() are not seen)\n"
"  -i, --interval SECS    print and clear the histograms every SECS seconds\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -T, --timestamp        print a timestamp with each interval (wall clock with -l)\n"
"  -j, --json             JSON lines output\n"
"      --prom FILE        also write the histograms (and exits with -e) to FILE\n"
"                         as Prometheus metrics (node_exporter's textfile\n"
"                         collector), at each interval\n"
"      --max-comms N      distinct command names kept (default 4096)\n"
"  -v, --verbose          libbpf messages and attach details\n"
CLI_HELP_END
"\n"
"Examples:\n"
"  proclife                     lifetimes of every process, per command, in ms\n"
"  proclife -u -c sh            only 'sh' processes, in microseconds\n"
"  proclife -e -d 10            ten seconds, with exit codes and signals\n"
"  proclife --ppid 1234         children of process 1234\n"
"  proclife -l                  one line per exit\n"
"  proclife -i 5 -T             every five seconds, with a timestamp\n"
"  proclife --libc              __libc_start_main() to exit(), for comparison\n"
"  proclife -e -i 15 --prom /var/lib/node_exporter/proclife.prom\n";

enum { OPT_PPID = CLI_OPT_TOOL, OPT_THREADS, OPT_LIBC, OPT_MAX_COMMS };

static const struct option long_opts[] = {
	{ "msecs", no_argument, NULL, 'm' },
	{ "usecs", no_argument, NULL, 'u' },
	{ "secs", no_argument, NULL, 's' },
	{ "comm", required_argument, NULL, 'c' },
	{ "ppid", required_argument, NULL, OPT_PPID },
	{ "exits", no_argument, NULL, 'e' },
	{ "log", no_argument, NULL, 'l' },
	{ "threads", no_argument, NULL, OPT_THREADS },
	{ "libc", no_argument, NULL, OPT_LIBC },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "prom", required_argument, NULL, CLI_OPT_PROM },
	{ "max-comms", required_argument, NULL, OPT_MAX_COMMS },
	CLI_LONG_OPTS_END
};

#define usage_error(...) cli__usage_error("proclife", __VA_ARGS__)

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int c, ret;

	opterr = 0;	/* our own messages, without the program's path */
	while ((c = getopt_long(argc, argv, ":musc:eli:d:Tjvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'm': o->unit = UNIT_MSEC; break;
		case 'u': o->unit = UNIT_USEC; break;
		case 's': o->unit = UNIT_SEC; break;
		/* -c is a command name here: there is no command to run. */
		case 'c':
			if (!*optarg)
				return usage_error("%s", "empty command name");
			if (strlen(optarg) >= PROCLIFE_COMM_LEN)
				return usage_error("command name '%s' is longer than 15 characters, "
						   "the most the kernel keeps", optarg);
			o->comm = optarg;
			break;
		case OPT_PPID:
			if (cli__parse_pid(optarg, &o->ppid))
				return usage_error("invalid pid '%s'", optarg);
			break;
		case 'e': o->exits = true; break;
		case 'l': o->log = true; break;
		case OPT_THREADS: o->threads = true; break;
		case OPT_LIBC: o->libc = true; break;
		case 'T': o->timestamp = true; break;
		case OPT_MAX_COMMS:
			if (cli__parse_ulong(optarg, 1, 1UL << 20, &o->max_comms))
				return usage_error("invalid --max-comms '%s': give 1 to 1048576",
						   optarg);
			break;
		default:
			ret = cli__common_option("proclife", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o->log && o->cli.interval)
		return usage_error("%s", "-l prints every exit as it happens: -i does not apply");
	if (o->log && o->cli.prom)
		return usage_error("%s", "--prom exports the histograms: -l does not apply");
	if (o->libc && o->threads)
		return usage_error("%s", "--libc measures processes: --threads does not apply");
	return -1;
}

/* ---- exit statuses --------------------------------------------------------------- */

/* @status as wait(2) encodes it: "3", "SIGKILL", "SIGSEGV (core dumped)". */
static void status_text(uint32_t status, char *buf, size_t len, int64_t *code, uint64_t *sig)
{
	unsigned s = status & 0x7f;
	const char *name;

	if (!s) {
		*code = (status >> 8) & 0xff;
		*sig = 0;
		snprintf(buf, len, "%" PRId64, *code);
		return;
	}
	*code = -1;
	*sig = s;
	name = sigabbrev_np(s);
	if (name)
		snprintf(buf, len, "SIG%s%s", name, status & 0x80 ? " (core dumped)" : "");
	else
		snprintf(buf, len, "signal %u%s", s, status & 0x80 ? " (core dumped)" : "");
}

/* ---- reading the maps ------------------------------------------------------------ */

static int cmp_comm(const void *a, const void *b)
{
	return strncmp(a, b, PROCLIFE_COMM_LEN);
}

static int cmp_exit_key(const void *a, const void *b)
{
	const struct proclife_exit_key *x = a, *y = b;
	int r = strncmp(x->comm, y->comm, PROCLIFE_COMM_LEN);
	uint32_t sx, sy;

	if (r)
		return r;
	/* Exit codes in order, then fatal signals in order. */
	sx = x->status & 0x7f ? 0x10000 | (x->status & 0xff) : x->status >> 8;
	sy = y->status & 0x7f ? 0x10000 | (y->status & 0xff) : y->status >> 8;
	return sx < sy ? -1 : sx > sy;
}

/*
 * Read (and with @clear, drain) a map. Lookup-and-delete per key, so an
 * exit racing with the drain is reported in the next interval.
 */
static int read_map(int fd, size_t key_size, void *val, bool clear, const void *key)
{
	if (clear)
		return bpf_map_lookup_and_delete_elem(fd, key, val) ? -errno : 0;
	return bpf_map_lookup_elem(fd, key, val) ? -errno : 0;
}

/* ---- --prom ------------------------------------------------------------------------ */

/* What --prom exports: the lifetimes, and the exits with -e. */
struct export {
	struct prom *prom;	/* borrowed from the tool, or NULL */
	int life, exits;	/* families */
};

static const char *const exit_labels[] = { "comm", "exit" };

static int declare_metrics(struct export *x, const struct options *o)
{
	x->life = prom__add_family(x->prom, &(struct prom_family){
		.name = "cotrace_proclife_lifetime_seconds",
		.help = o->threads ? "Lifetimes of threads, from start to exit, by command name."
				   : "Lifetimes of processes, from start to exit, by command name.",
		.type = PROM_HISTOGRAM, .labels = exit_labels, .nlabels = 1,
		.unit_ns = hist_unit_div(o->unit) });
	x->exits = !o->exits ? 0 : prom__add_family(x->prom, &(struct prom_family){
		.name = "cotrace_proclife_exits_total",
		.help = "Exits by command name and exit code or fatal signal.",
		.type = PROM_COUNTER, .labels = exit_labels, .nlabels = 2 });
	return x->life < 0 ? x->life : x->exits < 0 ? x->exits : 0;
}

static int report_hists(struct out *out, const struct options *o, struct proclife_bpf *skel,
			unsigned interval, bool clear, const struct export *x)
{
	struct out_ctx ctx = { .timestamp = o->timestamp, .interval = interval,
			       .record = "hist" };
	int fd = bpf_map__fd(skel->maps.hists);
	struct proclife_key *keys;
	size_t n;
	int err;

	err = bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &n);
	if (err)
		return err;
	if (n > 1)
		qsort(keys, n, sizeof(*keys), cmp_comm);
	if (o->timestamp && out__format(out) == OUT_TEXT) {
		time_t now = time(NULL);
		struct tm tm;
		char buf[16];

		localtime_r(&now, &tm);
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		out__line(out, "time", buf);
	}
	for (size_t i = 0; i < n; i++) {
		struct log2_hist v;
		struct hist h;
		char comm[PROCLIFE_COMM_LEN + 1];

		if (read_map(fd, sizeof(keys[i]), &v, clear, &keys[i]))
			continue;
		if (!v.count)
			continue;
		hist__from_log2(&h, &v);
		memcpy(comm, keys[i].comm, PROCLIFE_COMM_LEN);
		comm[PROCLIFE_COMM_LEN] = '\0';
		/* Without -i the map is read once, at the end: the whole run. */
		err = x->prom ? prom__hist_add(x->prom, x->life, (const char *[]){ comm }, &h) : 0;
		if (err)
			break;
		out__hist(out, &ctx, "comm", comm, hist_unit_name(o->unit), &h);
	}
	free(keys);
	return err;
}

static const struct out_col exit_cols[] = {
	{ "COMM", "comm", OUT_STR, -16 },
	{ "EXIT", "exit", OUT_STR, -24 },
	{ "COUNT", "count", OUT_U64, 8 },
	{ "CODE", "code", OUT_S64, 0, .json_only = true },
	{ "SIGNAL", "signal", OUT_U64, 0, .json_only = true },
};

static int report_exits(struct out *out, const struct options *o, struct proclife_bpf *skel,
			unsigned interval, bool clear, const struct export *x)
{
	struct out_ctx ctx = { .timestamp = o->timestamp && out__format(out) == OUT_JSON,
			       .interval = interval,
			       .record = "exits" };
	int fd = bpf_map__fd(skel->maps.exits);
	struct proclife_exit_key *keys;
	struct out_table *t;
	size_t n;
	int err;

	err = bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &n);
	if (err)
		return err;
	t = out_table__new(exit_cols, 5);
	if (!t) {
		free(keys);
		return -ENOMEM;
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), cmp_exit_key);
	for (size_t i = 0; i < n; i++) {
		char comm[PROCLIFE_COMM_LEN + 1], text[64];
		struct out_val v[5];
		uint64_t count;

		if (read_map(fd, sizeof(keys[i]), &count, clear, &keys[i]) || !count)
			continue;
		memcpy(comm, keys[i].comm, PROCLIFE_COMM_LEN);
		comm[PROCLIFE_COMM_LEN] = '\0';
		status_text(keys[i].status, text, sizeof(text), &v[3].i, &v[4].u);
		v[0].s = comm;
		v[1].s = text;
		v[2].u = count;
		err = x->prom ? prom__counter_add(x->prom, x->exits, (const char *[]){ comm, text },
						  count) : 0;
		if (!err)
			err = out_table__add(t, v);
		if (err)
			goto out;
	}
	if (out_table__rows(t)) {
		if (out__format(out) == OUT_TEXT)
			out__line(out, "exits", "");
		out__table(out, &ctx, t);
	}
out:
	out_table__free(t);
	free(keys);
	return err;
}

/* ---- -l: one line per exit ------------------------------------------------------- */

struct log_state {
	struct out *out;
	const struct options *o;
	uint64_t start_ns;	/* CLOCK_MONOTONIC when tracing began */
	uint64_t count;
};

static const struct out_col log_cols[] = {
	{ "TIME(s)", "time_s", OUT_F64, -9 },
	{ "PID", "pid", OUT_U64, 7 },
	{ "PPID", "ppid", OUT_U64, 7 },
	{ "COMM", "comm", OUT_STR, -16 },
	{ "LIFETIME", "lifetime", OUT_F64, 12 },
	{ "EXIT", "exit", OUT_STR, 0 },
	{ "UNIT", "unit", OUT_STR, 0, .json_only = true },
	{ "LIFETIME_NS", "lifetime_ns", OUT_U64, 0, .json_only = true },
	{ "CODE", "code", OUT_S64, 0, .json_only = true },
	{ "SIGNAL", "signal", OUT_U64, 0, .json_only = true },
	{ "TGID", "tgid", OUT_U64, 0, .json_only = true },
};
#define LOG_NCOLS (sizeof(log_cols) / sizeof(log_cols[0]))

static void log_header(const struct log_state *s)
{
	char line[128];

	if (out__format(s->out) != OUT_TEXT)
		return;
	snprintf(line, sizeof(line), "%-12s %7s %7s %-16s %12s %s",
		 s->o->timestamp ? "TIME" : "TIME(s)", "PID", "PPID", "COMM",
		 s->o->unit == UNIT_USEC ? "LIFE(us)" : s->o->unit == UNIT_SEC ? "LIFE(s)" :
		 "LIFE(ms)", "EXIT");
	out__line(s->out, "header", line);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct log_state *s = ctx;
	const struct proclife_event *e = data;
	double rel = e->ts_ns >= s->start_ns ? (e->ts_ns - s->start_ns) / 1e9 : 0;
	double life = (double)e->lifetime_ns / hist_unit_div(s->o->unit);
	char comm[PROCLIFE_COMM_LEN + 1], text[64], when[32], line[256];
	int64_t code;
	uint64_t sig;

	if (size < sizeof(*e))
		return 0;
	s->count++;
	memcpy(comm, e->comm, PROCLIFE_COMM_LEN);
	comm[PROCLIFE_COMM_LEN] = '\0';
	status_text(e->status, text, sizeof(text), &code, &sig);
	if (out__format(s->out) == OUT_JSON) {
		struct out_ctx octx = { .timestamp = s->o->timestamp, .record = "exit" };
		struct out_table *t = out_table__new(log_cols, LOG_NCOLS);
		struct out_val v[LOG_NCOLS];

		if (!t)
			return -ENOMEM;
		v[0].f = rel;
		v[1].u = e->pid;
		v[2].u = e->ppid;
		v[3].s = comm;
		v[4].f = life;
		v[5].s = text;
		v[6].s = hist_unit_name(s->o->unit);
		v[7].u = e->lifetime_ns;
		v[8].i = code;
		v[9].u = sig;
		v[10].u = e->tgid;
		out_table__add(t, v);
		out__table(s->out, &octx, t);
		out_table__free(t);
		return 0;
	}
	if (s->o->timestamp) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ld",
			 ts.tv_nsec / 1000000);
	} else {
		snprintf(when, sizeof(when), "%.3f", rel);
	}
	snprintf(line, sizeof(line), "%-12s %7u %7u %-16s %12.3f %s", when, e->pid, e->ppid, comm,
		 life, text);
	out__line(s->out, "exit", line);
	return 0;
}

/* ---- --libc ------------------------------------------------------------------------ */

/* Resolve the libc processes map (that of --ppid's process, when given)
 * and attach to __libc_start_main() and exit(). */
static int attach_libc(struct proclife_bpf *skel, struct attacher *a, const struct options *o)
{
	static const char *const funcs[] = { "__libc_start_main", "exit" };
	struct uprobe_site us[2];
	struct site_set set = {};
	struct target t;
	size_t got = 0, n = 0;
	char err_msg[512];
	int err;

	err = target__resolve("libc.so.6", o->ppid, &t);
	if (err) {
		fprintf(stderr, "proclife: cannot find libc: %s\n", strerror(-err));
		return err;
	}
	for (size_t i = 0; i < 2; i++) {
		struct probe_spec spec;

		/* The path as the process names it: site_set__add() resolves it
		 * again inside --ppid's root (t.path, already below
		 * /proc/PID/root, would be looked up below it a second time). */
		err = probe_spec__init_func(&spec, PROBE_UPROBE, t.display, funcs[i], funcs[i],
					    0);
		if (!err) {
			err = site_set__add(&set, &spec, i, o->ppid, false, err_msg,
					    sizeof(err_msg));
			probe_spec__fini(&spec);
		} else {
			snprintf(err_msg, sizeof(err_msg), "%s", strerror(-err));
		}
		if (err < 0) {
			fprintf(stderr, "proclife: %s\n", err_msg);
			goto out;
		}
	}
	/* One site per function, the first one found (versioned aliases share it). */
	for (size_t f = 0; f < 2; f++) {
		for (size_t i = 0; i < set.count; i++) {
			if (set.sites[i].spec != f)
				continue;
			us[n++] = (struct uprobe_site){ .name = set.sites[i].name,
							.offset = set.sites[i].offset,
							.cookie = f == 0 ? PROCLIFE_LIBC_START
									 : PROCLIFE_LIBC_EXIT };
			break;
		}
	}
	if (n != 2) {
		fprintf(stderr, "proclife: %s has no __libc_start_main or exit\n", t.display);
		err = -ENOENT;
		goto out;
	}
	err = attacher__uprobes(a, skel->progs.libc_uprobe_multi, skel->progs.libc_uprobe,
				ATTACH_AUTO, set.sites[0].path, -1, false, us, n, &got);
	if (!err && got != n)
		err = -EOPNOTSUPP;
	if (err)
		fprintf(stderr, "proclife: cannot attach to %s: %s\n", t.display,
			err == -EOPNOTSUPP ? "the kernel cannot probe its __libc_start_main or exit"
					   : strerror(-err));
	else if (o->cli.verbose)
		fprintf(stderr, "attached to %s at 0x%" PRIx64 " and 0x%" PRIx64 "\n", t.display,
			us[0].offset, us[1].offset);
out:
	site_set__fini(&set);
	return err;
}

/* ---- main ------------------------------------------------------------------------ */

struct run {
	const struct options *o;
	struct tool *t;
	struct proclife_bpf *skel;
	struct ring_buffer *rb;		/* -l */
	unsigned interval;
	struct export x;		/* --prom */
};

/* At each interval and at the end; with -l, at each poll of the ring buffer. */
static int report(void *ctx, bool last)
{
	struct run *r = ctx;
	const struct options *o = r->o;
	int err;

	if (o->log) {
		err = ring_buffer__consume(r->rb);
		return err < 0 ? err : 0;
	}
	err = report_hists(r->t->out, o, r->skel, r->interval, o->cli.interval > 0, &r->x);
	if (!err && o->exits)
		err = report_exits(r->t->out, o, r->skel, r->interval, o->cli.interval > 0, &r->x);
	r->interval++;
	return err;
}

static void set_knobs(struct proclife_bpf *skel, const struct options *o,
		      const struct attach_features *feat)
{
	skel->rodata->unit_div = hist_unit_div(o->unit);
	skel->rodata->source = o->libc ? PROCLIFE_SRC_LIBC : PROCLIFE_SRC_TASK;
	skel->rodata->targ_threads = o->threads;
	skel->rodata->targ_ppid = o->ppid;
	if (o->comm) {
		skel->rodata->targ_comm_set = true;
		strncpy((char *)skel->rodata->targ_comm, o->comm, PROCLIFE_COMM_LEN - 1);
	}
	skel->rodata->want_hist = !o->log;
	skel->rodata->want_exits = o->exits && !o->log;
	skel->rodata->want_log = o->log;
	bpf_map__set_max_entries(skel->maps.hists, cli__map_entries(o->log ? 1 : o->max_comms));
	bpf_map__set_max_entries(skel->maps.exits,
				 cli__map_entries(o->exits && !o->log ? o->max_comms * 4 : 1));
	bpf_map__set_max_entries(skel->maps.libc_start,
				 cli__map_entries(o->libc ? LIBC_PENDING : 1));
	if (o->log)
		bpf_map__set_max_entries(skel->maps.events, RINGBUF_SIZE);
	else if (!feat->ringbuf)
		bpf_map__set_autocreate(skel->maps.events, false);
	attach__prepare_uprobe_multi(skel->progs.libc_uprobe_multi, o->libc && feat->uprobe_multi);
	bpf_program__set_autoload(skel->progs.libc_uprobe, o->libc && !feat->uprobe_multi);
}

static void summary(struct tool *t, const struct options *o, struct proclife_bpf *skel,
		    uint64_t logged)
{
	uint64_t missed = attach__prog_misses(skel->progs.handle_exit);
	struct out_kv kv[] = {
		{ "exits", NULL, OUT_U64, { .u = skel->bss->seen } },
		{ "missed", "%s events missed: the kernel did not run the BPF program "
		  "(recursion)", OUT_U64 },
		{ "logged", NULL, OUT_U64, { .u = logged } },
		{ "lost_hist", "%s exits lost: the histogram table was full "
		  "(raise --max-comms)", OUT_U64, { .u = skel->bss->lost_hist } },
		{ "lost_exits", "%s exit codes lost: the exit-code table was full "
		  "(raise --max-comms)", OUT_U64, { .u = skel->bss->lost_exits } },
		{ "lost_log", "%s exits lost: the ring buffer was full", OUT_U64,
		  { .u = skel->bss->lost_log } },
		{ "lost_start", "%s process starts lost: the table of running "
		  "processes was full", OUT_U64, { .u = skel->bss->lost_start } },
		{ "no_start", NULL, OUT_U64, { .u = skel->bss->no_start } },
	};

	/* The output failed: a summary would only add to the noise. */
	if (out__flush(t->out))
		return;
	if (o->libc)
		missed += attach__prog_misses(skel->progs.libc_uprobe) +
			  attach__prog_misses(skel->progs.libc_uprobe_multi);
	kv[1].val.u = missed;
	out__summary(t->out, kv, sizeof(kv) / sizeof(kv[0]));
	if (o->libc && skel->bss->no_start && !o->cli.json)
		fprintf(stderr, "note: %llu exit() calls of processes whose start was not "
			"seen (started before tracing, forked without exec, or their "
			"start was lost) were not measured\n",
			(unsigned long long)skel->bss->no_start);
}

static int trace(struct tool *t, const struct options *o, struct proclife_bpf *skel)
{
	struct run r = { .o = o, .t = t, .skel = skel, .x.prom = t->prom };
	struct log_state ls = { .out = t->out, .o = o };
	struct bpf_link *exit_link = NULL;
	int ret = EXIT_RUNTIME;

	if (r.x.prom && declare_metrics(&r.x, o)) {
		fprintf(stderr, "proclife: cannot declare the metrics: %s\n", strerror(ENOMEM));
		goto out;
	}
	t->att = attacher__new();
	if (!t->att)
		goto out;
	/* A raw tracepoint: fd-based, gone with the process even on SIGKILL. */
	if (!tracefs__root()) {
		fprintf(stderr, "proclife: cannot mount tracefs: %s\n", strerror(errno));
		goto out;
	}
	exit_link = bpf_program__attach_raw_tracepoint(skel->progs.handle_exit,
							"sched_process_exit");
	if (!exit_link) {
		fprintf(stderr, "proclife: cannot attach to tracepoint sched:sched_process_exit: %s\n",
			strerror(errno));
		goto out;
	}
	if (o->libc && attach_libc(skel, t->att, o))
		goto out;
	if (o->log) {
		r.rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, &ls, NULL);
		if (!r.rb) {
			fprintf(stderr, "proclife: cannot open the ring buffer: %s\n",
				strerror(errno));
			goto out;
		}
	}
	ls.start_ns = cli__now_ns();
	fprintf(stderr, "Tracing %s%s... Hit Ctrl-C to end.\n",
		o->log ? "process exits" : "process lifetimes",
		o->libc ? " (libc: __libc_start_main to exit)" : "");
	if (o->log)
		log_header(&ls);
	ret = tool__begin(t);
	if (!ret)
		ret = tool__loop(t, NULL, report, &r, !o->log,
				 o->log ? "read the ring buffer" : "read the histograms");
	if (!ret)
		summary(t, o, skel, ls.count);
out:
	tool__detach(t);
	bpf_link__destroy(exit_link);
	ring_buffer__free(r.rb);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .unit = UNIT_MSEC, .max_comms = MAX_COMMS_DEFAULT };
	struct tool t = TOOL_INIT;
	struct proclife_bpf *skel = NULL;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = tool__init(&t, "proclife", &o.cli, o.cli.json ? OUT_JSON : OUT_TEXT);
	/* Every process: no -p or -c. With -l the ring buffer is drained at
	 * each poll interval. */
	if (!ret)
		ret = tool__start(&t, 0, 0, o.log ? LOG_POLL_NS / 1e9 : o.cli.interval);
	if (ret)
		goto out;
	ret = EXIT_RUNTIME;
	if (o.ppid && cli__pid_exists(o.ppid)) {
		fprintf(stderr, "proclife: process %d does not exist\n", o.ppid);
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.log && !t.feat.ringbuf) {
		fprintf(stderr, "proclife: -l needs a BPF ring buffer, which this kernel lacks "
			"(Linux 5.8 or later)\n");
		goto out;
	}
	skel = proclife_bpf__open();
	if (!skel) {
		fprintf(stderr, "proclife: cannot open the BPF object: %s\n", strerror(errno));
		goto out;
	}
	set_knobs(skel, &o, &t.feat);
	ret = tool__load_object(&t, skel->skeleton);
	if (!ret)
		ret = trace(&t, &o, skel);
out:
	ret = tool__fini(&t, ret);
	proclife_bpf__destroy(skel);
	return ret;
}
