/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sysreport: syscount's tables of counts. The maps of bpf/syscount.bpf.c
 * read at each report (the array of syscall numbers, cumulative in the
 * kernel, as the change since the last report; the hashes of unusual
 * numbers and of processes drained at each interval), bcc syscount's
 * tables through the output module (-L's times, -P's processes, -T's
 * top), and with --prom the metrics.
 */
#ifndef COTRACE_SYSREPORT_H
#define COTRACE_SYSREPORT_H

#include <stdbool.h>

struct out;
struct prom;
struct syscount_val;

/* What the tables show. */
struct sysreport_opts {
	bool per_process;	/* -P: by process instead of by syscall */
	bool latency;		/* -L: with the time spent */
	bool msecs;		/* -m: that time in ms, not us */
	bool failures;		/* -x: failed syscalls */
	int err;		/* -e: their errno, 0 for any */
	bool intervals;		/* -i: reports at intervals (the hashes are drained) */
	unsigned long top;	/* -T: the N first rows, 0: all */
};

struct sysreport {
	struct sysreport_opts o;
	struct out *out;		/* borrowed */
	int counts_fd, other_fd, proc_fd;	/* the maps counts, other_counts, proc_counts */
	int ncpus;
	struct syscount_val *percpu;	/* scratch: one array lookup */
	struct syscount_val *prev;	/* per array slot, at the last report */
	struct prom *prom;		/* --prom (borrowed), or NULL */
	int prom_count, prom_time;	/* its families: counts, and times with -L */
};

/* Set @r up to report to @out (borrowed); the maps come with sysreport__open(). */
void sysreport__init(struct sysreport *r, const struct sysreport_opts *o, struct out *out);

/*
 * --prom: declare the families in @prom (borrowed): syscalls (or failed
 * ones) counted, and with -L their time, labelled by syscall or by
 * process, and errno with -e. Returns 0, or EXIT_RUNTIME after saying
 * why on stderr.
 */
int sysreport__declare_metrics(struct sysreport *r, struct prom *prom);

/* Read from the maps @counts_fd, @other_fd and @proc_fd. 0 or a negative errno. */
int sysreport__open(struct sysreport *r, int counts_fd, int other_fd, int proc_fd);

/* One table: what came since the last report, as record @interval. 0 or
 * a negative errno. */
int sysreport__report(struct sysreport *r, unsigned interval);

void sysreport__fini(struct sysreport *r);

#endif
