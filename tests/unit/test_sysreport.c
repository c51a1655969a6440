// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/sysreport.c on maps made here as the BPF side
 * fills them (skipped without the privilege to create BPF maps): the
 * array reported as its change since the last report, the hash of
 * unusual numbers drained at intervals, -P's processes, -L's times, -T,
 * and the --prom counters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "common/output.h"
#include "common/prom.h"
#include "common/syscalls.h"
#include "common/sysreport.h"
#include "bpf/syscount.h"

struct fixture {
	int counts, other, procs;
	int ncpus;
	struct sysreport rep;
	struct out *out;
	FILE *f;
	char *buf;
	size_t len;
};

static int setup(struct fixture *x, const struct sysreport_opts *o)
{
	memset(x, 0, sizeof(*x));
	x->ncpus = libbpf_num_possible_cpus();
	x->counts = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "t_counts", 4,
				   sizeof(struct syscount_val), SYSCOUNT_NR_SLOTS, NULL);
	x->other = bpf_map_create(BPF_MAP_TYPE_HASH, "t_other", 4, sizeof(struct syscount_val),
				  64, NULL);
	x->procs = bpf_map_create(BPF_MAP_TYPE_HASH, "t_procs", 4, sizeof(struct syscount_proc),
				  64, NULL);
	if (x->counts < 0 || x->other < 0 || x->procs < 0)
		return -1;
	x->f = open_memstream(&x->buf, &x->len);
	x->out = out__new(x->f, OUT_JSON);
	sysreport__init(&x->rep, o, x->out);
	assert_int_equal(sysreport__open(&x->rep, x->counts, x->other, x->procs), 0);
	return 0;
}

static void fixture_fini(struct fixture *x)
{
	sysreport__fini(&x->rep);
	out__free(x->out);
	if (x->f)
		fclose(x->f);
	free(x->buf);
	close(x->counts);
	close(x->other);
	close(x->procs);
}

/* Syscall @nr counted @count times in all, on the first CPU. */
static void set_count(struct fixture *x, uint32_t nr, uint64_t count, uint64_t ns)
{
	struct syscount_val *v = calloc(x->ncpus, sizeof(*v));

	v[0] = (struct syscount_val){ count, ns };
	assert_int_equal(bpf_map_update_elem(x->counts, &nr, v, BPF_ANY), 0);
	free(v);
}

/* What the report wrote, without the wall-clock "time" keys of -i. */
static const char *report(struct fixture *x, unsigned interval)
{
	static char text[4096];
	size_t before, n = 0;

	fflush(x->f);
	before = x->len;
	assert_int_equal(sysreport__report(&x->rep, interval), 0);
	fflush(x->f);
	for (const char *p = x->buf + before; *p && n + 1 < sizeof(text); p++) {
		if (!strncmp(p, "\"time\":", 7)) {
			p = strchr(p, ',');
			assert_non_null(p);
			continue;
		}
		text[n++] = *p;
	}
	text[n] = 0;
	return text;
}

static void test_counts_delta(void **state)
{
	struct fixture x;
	uint32_t big = 5000;
	struct syscount_val v = { 3, 0 };
	char line[256];
	int nr_read = syscall_number("read"), nr_write = syscall_number("write");

	if (setup(&x, &(struct sysreport_opts){ .intervals = true, .top = 10 })) {
		fixture_fini(&x);
		skip();
	}
	set_count(&x, nr_read, 5, 0);
	set_count(&x, nr_write, 2, 0);
	assert_int_equal(bpf_map_update_elem(x.other, &big, &v, BPF_ANY), 0);
	snprintf(line, sizeof(line),
		 "{\"type\":\"count\",\"interval\":0,\"syscall\":\"read\",\"count\":5,\"nr\":%d}\n"
		 "{\"type\":\"count\",\"interval\":0,\"syscall\":\"syscall_5000\",\"count\":3,\"nr\":5000}\n"
		 "{\"type\":\"count\",\"interval\":0,\"syscall\":\"write\",\"count\":2,\"nr\":%d}\n",
		 nr_read, nr_write);
	assert_string_equal(report(&x, 0), line);
	/* The array is cumulative: the next report has what came since;
	 * the hash was drained. */
	set_count(&x, nr_read, 6, 0);
	snprintf(line, sizeof(line),
		 "{\"type\":\"count\",\"interval\":1,\"syscall\":\"read\",\"count\":1,\"nr\":%d}\n",
		 nr_read);
	assert_string_equal(report(&x, 1), line);
	fixture_fini(&x);
}

static void test_processes_latency_top(void **state)
{
	struct fixture x;
	struct syscount_proc p = { 4, 8000000, "app" }, q = { 1, 1000, "other" };
	uint32_t pid = 42, pid2 = 43;
	struct prom *prom = prom__new();
	char *text;
	size_t len;

	if (setup(&x, &(struct sysreport_opts){ .per_process = true, .latency = true,
						 .msecs = true, .top = 1 })) {
		fixture_fini(&x);
		prom__free(prom);
		skip();
	}
	assert_int_equal(sysreport__declare_metrics(&x.rep, prom), 0);
	assert_int_equal(bpf_map_update_elem(x.procs, &pid, &p, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(x.procs, &pid2, &q, BPF_ANY), 0);
	/* The slowest first; -T 1 keeps it alone; every row is exported. */
	assert_string_equal(report(&x, 0),
		"{\"type\":\"count\",\"interval\":0,\"pid\":42,\"comm\":\"app\",\"count\":4,"
		"\"total_ms\":8,\"avg_ms\":2}\n");
	assert_int_equal(prom__render(prom, &text, &len), 0);
	assert_non_null(strstr(text, "cotrace_syscount_syscalls_total{pid=\"42\",comm=\"app\"} 4\n"));
	assert_non_null(strstr(text, "cotrace_syscount_syscalls_total{pid=\"43\",comm=\"other\"} 1\n"));
	free(text);
	fixture_fini(&x);
	prom__free(prom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_delta),
		cmocka_unit_test(test_processes_latency_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
