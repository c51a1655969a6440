// SPDX-License-Identifier: GPL-2.0-only
/* sysreport: syscount's tables of counts and their metrics (see sysreport.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/bpfmap.h"
#include "common/cli.h"
#include "common/output.h"
#include "common/prom.h"
#include "common/syscalls.h"
#include "common/sysreport.h"
#include "bpf/syscount.h"

/* A row: a syscall or a process with its count and time in ns. */
struct row {
	long nr;
	uint32_t pid;
	char comm[16];
	uint64_t count;
	uint64_t ns;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static int rows__add(struct rows *r, const struct row *row)
{
	if (!row->count)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 512;
		void *p = realloc(r->v, cap * sizeof(*r->v));

		if (!p)
			return -ENOMEM;
		r->v = p;
		r->cap = cap;
	}
	r->v[r->n++] = *row;
	return 0;
}

/* The array: cumulative in the kernel, reported as the change since @prev. */
static int read_array(struct sysreport *st, struct rows *rows)
{
	int fd = st->counts_fd;

	for (uint32_t i = 0; i < SYSCOUNT_NR_SLOTS; i++) {
		struct row row = { .nr = i };
		uint64_t count = 0, ns = 0;
		int err;

		if (bpf_map_lookup_elem(fd, &i, st->percpu))
			return -errno;
		for (int cpu = 0; cpu < st->ncpus; cpu++) {
			count += st->percpu[cpu].count;
			ns += st->percpu[cpu].ns;
		}
		row.count = count - st->prev[i].count;
		row.ns = ns - st->prev[i].ns;
		st->prev[i].count = count;
		st->prev[i].ns = ns;
		err = rows__add(rows, &row);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The hashes (numbers beyond the array, processes): drained at each report
 * when there are intervals; read once otherwise, so that no update racing
 * with a delete can be lost from a single final report.
 */
static int read_hash(struct sysreport *st, int fd, bool procs, struct rows *rows)
{
	size_t n = 0;
	uint32_t *keys = NULL;
	bool drain = st->o.intervals;
	int err;

	err = bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &n);
	for (size_t i = 0; i < n && !err; i++) {
		struct row row = {};

		if (procs) {
			struct syscount_proc v;

			if (drain ? bpf_map_lookup_and_delete_elem(fd, &keys[i], &v)
				  : bpf_map_lookup_elem(fd, &keys[i], &v))
				continue;
			row.pid = keys[i];
			memcpy(row.comm, v.comm, sizeof(row.comm));
			row.comm[sizeof(row.comm) - 1] = 0;
			row.count = v.count;
			row.ns = v.ns;
		} else {
			struct syscount_val v;

			if (drain ? bpf_map_lookup_and_delete_elem(fd, &keys[i], &v)
				  : bpf_map_lookup_elem(fd, &keys[i], &v))
				continue;
			row.nr = (int32_t)keys[i];
			row.count = v.count;
			row.ns = v.ns;
		}
		err = rows__add(rows, &row);
	}
	free(keys);
	return err;
}

static const struct out_col sys_cols[] = {
	{ "SYSCALL", "syscall", OUT_STR, -22 },
	{ "COUNT", "count", OUT_U64, 10 },
	{ "NR", "nr", OUT_S64, 0, .json_only = true },
};
static const struct out_col sys_lat_cols[][5] = {
	{
		{ "SYSCALL", "syscall", OUT_STR, -22 },
		{ "COUNT", "count", OUT_U64, 10 },
		{ "TIME (us)", "total_us", OUT_F64, 14 },
		{ "AVG (us)", "avg_us", OUT_F64, 12 },
		{ "NR", "nr", OUT_S64, 0, .json_only = true },
	}, {
		{ "SYSCALL", "syscall", OUT_STR, -22 },
		{ "COUNT", "count", OUT_U64, 10 },
		{ "TIME (ms)", "total_ms", OUT_F64, 14 },
		{ "AVG (ms)", "avg_ms", OUT_F64, 12 },
		{ "NR", "nr", OUT_S64, 0, .json_only = true },
	},
};
static const struct out_col proc_cols[] = {
	{ "PID", "pid", OUT_U64, -7 },
	{ "COMM", "comm", OUT_STR, -16 },
	{ "COUNT", "count", OUT_U64, 10 },
};
static const struct out_col proc_lat_cols[][5] = {
	{
		{ "PID", "pid", OUT_U64, -7 },
		{ "COMM", "comm", OUT_STR, -16 },
		{ "COUNT", "count", OUT_U64, 10 },
		{ "TIME (us)", "total_us", OUT_F64, 14 },
		{ "AVG (us)", "avg_us", OUT_F64, 12 },
	}, {
		{ "PID", "pid", OUT_U64, -7 },
		{ "COMM", "comm", OUT_STR, -16 },
		{ "COUNT", "count", OUT_U64, 10 },
		{ "TIME (ms)", "total_ms", OUT_F64, 14 },
		{ "AVG (ms)", "avg_ms", OUT_F64, 12 },
	},
};

/* ---- --prom ------------------------------------------------------------------------ */

static const char *const syscall_labels[] = { "syscall", "errno" };
static const char *const process_labels[] = { "pid", "comm", "errno" };

/* The metric families: counts, and their time with -L. Returns 0 or an exit code. */
int sysreport__declare_metrics(struct sysreport *st, struct prom *prom)
{
	const struct sysreport_opts *o = &st->o;
	const char *const *labels = o->per_process ? process_labels : syscall_labels;
	size_t nlabels = (o->per_process ? 2 : 1) + (o->err != 0);
	struct prom_family count = {
		.name = o->failures ? "cotrace_syscount_failed_syscalls_total"
				    : "cotrace_syscount_syscalls_total",
		.help = o->failures ? "Syscalls that failed, counted by syscount."
				    : "Syscalls made, counted by syscount.",
		.type = PROM_COUNTER, .labels = labels, .nlabels = nlabels,
	};
	struct prom_family time = {
		.name = o->failures ? "cotrace_syscount_failed_syscall_seconds_total"
				    : "cotrace_syscount_syscall_seconds_total",
		.help = o->failures ? "Time spent in syscalls that failed, measured by syscount -L."
				    : "Time spent in syscalls, measured by syscount -L.",
		.type = PROM_COUNTER, .labels = labels, .nlabels = nlabels, .unit_ns = 1,
	};

	st->prom = prom;
	st->prom_count = prom__add_family(st->prom, &count);
	st->prom_time = o->latency ? prom__add_family(st->prom, &time) : 0;
	if (st->prom_count < 0 || st->prom_time < 0) {
		fprintf(stderr, "syscount: cannot declare the metrics: %s\n", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Add what row @r counted since the last report to the metrics. */
static int export_row(struct sysreport *st, const struct row *r)
{
	const struct sysreport_opts *o = &st->o;
	char name[32], pid[16], err[32] = "";
	const char *values[3];
	size_t n = 0;
	int ret;

	if (o->per_process) {
		snprintf(pid, sizeof(pid), "%u", r->pid);
		values[n++] = pid;
		values[n++] = r->comm;
	} else {
		syscall_format(r->nr, name, sizeof(name));
		values[n++] = name;
	}
	if (o->err)
		errno_format(o->err, err, sizeof(err));
	values[n++] = err;
	ret = prom__counter_add(st->prom, st->prom_count, values, r->count);
	if (!ret && o->latency)
		ret = prom__counter_add(st->prom, st->prom_time, values, r->ns);
	return ret;
}

static int report_counts(struct sysreport *st, unsigned interval)
{
	const struct sysreport_opts *o = &st->o;
	/* bcc's interval header: "[03:11:13]". */
	struct out_ctx ctx = { .timestamp = o->intervals, .interval = interval,
			       .record = "count", .bracket_time = true };
	const struct out_col *cols;
	struct rows rows = {};
	struct out_table *t = NULL;
	double div = o->msecs ? 1e6 : 1e3;
	size_t ncols, sort_col;
	int err;

	if (o->per_process) {
		cols = o->latency ? proc_lat_cols[o->msecs] : proc_cols;
		ncols = o->latency ? 5 : 3;
		sort_col = o->latency ? 3 : 2;
		err = read_hash(st, st->proc_fd, true, &rows);
	} else {
		cols = o->latency ? sys_lat_cols[o->msecs] : sys_cols;
		ncols = o->latency ? 5 : 3;
		sort_col = o->latency ? 2 : 1;
		err = read_array(st, &rows);
		if (!err)
			err = read_hash(st, st->other_fd, false, &rows);
	}
	if (err)
		goto out;
	t = out_table__new(cols, ncols);
	if (!t) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rows.n && !err; i++) {
		const struct row *r = &rows.v[i];
		struct out_val v[5];
		char name[32];
		size_t k = 0;

		/* Every row, before -T keeps the top ones. */
		err = st->prom ? export_row(st, r) : 0;
		if (err)
			break;
		if (o->per_process) {
			v[k++].u = r->pid;
			v[k++].s = r->comm;
		} else {
			syscall_format(r->nr, name, sizeof(name));
			v[k++].s = name;
		}
		v[k++].u = r->count;
		if (o->latency) {
			v[k++].f = r->ns / div;
			v[k++].f = r->ns / div / r->count;
		}
		if (!o->per_process)
			v[k++].i = r->nr;
		err = out_table__add(t, v);
	}
	if (err)
		goto out;
	/* bcc's order: the most frequent (or, with -L, the slowest) first. */
	out_table__sort(t, sort_col, true);
	if (o->top)
		out_table__truncate(t, o->top);
	out__table(st->out, &ctx, t);
out:
	out_table__free(t);
	free(rows.v);
	return err;
}


void sysreport__init(struct sysreport *r, const struct sysreport_opts *o, struct out *out)
{
	*r = (struct sysreport){ .o = *o, .out = out, .counts_fd = -1, .other_fd = -1,
				 .proc_fd = -1 };
}

int sysreport__open(struct sysreport *r, int counts_fd, int other_fd, int proc_fd)
{
	r->counts_fd = counts_fd;
	r->other_fd = other_fd;
	r->proc_fd = proc_fd;
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0)
		return r->ncpus ? r->ncpus : -EINVAL;
	r->percpu = calloc(r->ncpus, sizeof(*r->percpu));
	r->prev = calloc(SYSCOUNT_NR_SLOTS, sizeof(*r->prev));
	return r->percpu && r->prev ? 0 : -ENOMEM;
}

int sysreport__report(struct sysreport *r, unsigned interval)
{
	return report_counts(r, interval);
}

void sysreport__fini(struct sysreport *r)
{
	free(r->percpu);
	free(r->prev);
	r->percpu = r->prev = NULL;
}
