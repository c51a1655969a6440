// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/prom.c: the text Prometheus and node_exporter parse. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/hist.h"
#include "common/prom.h"

static char *render(const struct prom *p)
{
	char *buf;
	size_t len;

	assert_int_equal(prom__render(p, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static const char *const fl[] = { "function", "binary" };

/* Counters add up across intervals; series come out sorted by their labels. */
static void test_counters(void **state)
{
	struct prom *p = prom__new();
	struct prom_family f = { "cotrace_test_calls_total", "Calls.", PROM_COUNTER, fl, 2, 0 };
	int fam;
	char *text;

	assert_non_null(p);
	fam = prom__add_family(p, &f);
	assert_int_equal(fam, 0);
	assert_int_equal(prom__counter_add(p, fam, (const char *[]){ "foo", "/bin/a" }, 3), 0);
	assert_int_equal(prom__counter_add(p, fam, (const char *[]){ "bar", "/bin/a" }, 1), 0);
	assert_int_equal(prom__counter_add(p, fam, (const char *[]){ "foo", "/bin/a" }, 4), 0);
	/* A kernel function has no binary: the label is left out. */
	assert_int_equal(prom__counter_add(p, fam, (const char *[]){ "vfs_read", "" }, 2), 0);
	text = render(p);
	assert_string_equal(text,
		"# HELP cotrace_test_calls_total Calls.\n"
		"# TYPE cotrace_test_calls_total counter\n"
		"cotrace_test_calls_total{function=\"bar\",binary=\"/bin/a\"} 1\n"
		"cotrace_test_calls_total{function=\"foo\",binary=\"/bin/a\"} 7\n"
		"cotrace_test_calls_total{function=\"vfs_read\"} 2\n");
	free(text);
	prom__free(p);
	prom__free(NULL);
}

/* Label values escape backslash, double quote and newline; HELP backslash and newline. */
static void test_escaping(void **state)
{
	static const char *const l[] = { "comm" };
	struct prom *p = prom__new();
	struct prom_family f = { "cotrace_x_total", "a \\ b\nc \"q\"", PROM_COUNTER, l, 1, 0 };
	struct prom_family none = { "cotrace_y_total", "No labels.", PROM_COUNTER, NULL, 0, 0 };
	struct prom_family empty = { "cotrace_z_total", "Never added.", PROM_COUNTER, NULL, 0, 0 };
	char *text;

	assert_non_null(p);
	assert_int_equal(prom__add_family(p, &f), 0);
	assert_int_equal(prom__add_family(p, &none), 1);
	assert_int_equal(prom__add_family(p, &empty), 2);
	assert_int_equal(prom__counter_add(p, 0, (const char *[]){ "a\\b\"c\nd" }, 5), 0);
	assert_int_equal(prom__counter_add(p, 1, NULL, 9), 0);
	text = render(p);
	assert_string_equal(text,
		"# HELP cotrace_x_total a \\\\ b\\nc \"q\"\n"
		"# TYPE cotrace_x_total counter\n"
		"cotrace_x_total{comm=\"a\\\\b\\\"c\\nd\"} 5\n"
		"# HELP cotrace_y_total No labels.\n"
		"# TYPE cotrace_y_total counter\n"
		"cotrace_y_total 9\n");
	free(text);
	prom__free(p);
}

/* Nanosecond counters come out in seconds, exactly. */
/* Prometheus reads UTF-8 only: a byte that is not becomes U+FFFD; UTF-8 passes. */
static void test_utf8(void **state)
{
	static const char *const l[] = { "w" };
	struct prom *p = prom__new();
	struct prom_family f = { "cotrace_u_total", "U.", PROM_COUNTER, l, 1, 0 };
	char *text;

	assert_non_null(p);
	assert_int_equal(prom__add_family(p, &f), 0);
	assert_int_equal(prom__counter_add(p, 0, (const char *[]){ "caf\xc3\xa9" }, 1), 0);
	assert_int_equal(prom__counter_add(p, 0, (const char *[]){ "a\xff" "b\xc3" }, 2), 0);
	/* An overlong '/', a surrogate, a 4-byte sequence cut short. */
	assert_int_equal(prom__counter_add(p, 0, (const char *[]){ "\xc0\xaf\xed\xa0\x80\xf0\x9f" },
					   3), 0);
	assert_int_equal(prom__counter_add(p, 0, (const char *[]){ "\xf0\x9f\x98\x80" }, 4), 0);
	text = render(p);
	assert_string_equal(text,
		"# HELP cotrace_u_total U.\n"
		"# TYPE cotrace_u_total counter\n"
		"cotrace_u_total{w=\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"} 2\n"
		"cotrace_u_total{w=\"caf\xc3\xa9\"} 1\n"
		"cotrace_u_total{w=\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		"\xef\xbf\xbd\xef\xbf\xbd\"} 3\n"
		"cotrace_u_total{w=\"\xf0\x9f\x98\x80\"} 4\n");
	free(text);
	prom__free(p);
}

static void test_seconds(void **state)
{
	struct prom *p = prom__new();
	struct prom_family f = { "cotrace_t_seconds_total", "T.", PROM_COUNTER, NULL, 0, 1 };
	char *text;

	assert_non_null(p);
	assert_int_equal(prom__add_family(p, &f), 0);
	assert_int_equal(prom__counter_add(p, 0, NULL, 1500000001ULL), 0);
	text = render(p);
	assert_non_null(strstr(text, "\ncotrace_t_seconds_total 1.500000001\n"));
	free(text);
	assert_int_equal(prom__counter_add(p, 0, NULL, 499999999ULL), 0);
	text = render(p);
	assert_non_null(strstr(text, "\ncotrace_t_seconds_total 2\n"));
	free(text);
	prom__free(p);
}

static void test_histograms(void **state)
{
	static const char *const l[] = { "comm" };
	struct prom *p = prom__new();
	struct prom_family ns = { "cotrace_ns_seconds", "ns.", PROM_HISTOGRAM, l, 1, 1 };
	struct prom_family us = { "cotrace_us_seconds", "us.", PROM_HISTOGRAM, l, 1, 1000 };
	struct prom_family plain = { "cotrace_v", "values.", PROM_HISTOGRAM, NULL, 0, 0 };
	struct prom_family lin = { "cotrace_lin", "linear.", PROM_HISTOGRAM, NULL, 0, 0 };
	struct hist h, lh;
	char *text;

	assert_non_null(p);
	assert_int_equal(prom__add_family(p, &ns), 0);
	assert_int_equal(prom__add_family(p, &us), 1);
	assert_int_equal(prom__add_family(p, &plain), 2);
	assert_int_equal(prom__add_family(p, &lin), 3);
	hist__init_log2(&h);
	hist__add(&h, 1);	/* slot 0: 0..1 */
	hist__add(&h, 5);	/* slot 2: 4..7 */
	hist__add(&h, 6);
	assert_int_equal(prom__hist_add(p, 0, (const char *[]){ "sh" }, &h), 0);
	assert_int_equal(prom__hist_add(p, 1, (const char *[]){ "sh" }, &h), 0);
	assert_int_equal(prom__hist_add(p, 2, NULL, &h), 0);
	/* A second interval adds to the first. */
	assert_int_equal(prom__hist_add(p, 2, NULL, &h), 0);
	assert_int_equal(hist__init_linear(&lh, 10, 10, 3), 0);
	hist__add(&lh, 12);
	hist__add(&lh, 99);	/* clamped into the last slot: only +Inf holds it */
	assert_int_equal(prom__hist_add(p, 3, NULL, &lh), 0);
	/* Another shape for the same series is refused. */
	assert_int_equal(prom__hist_add(p, 3, NULL, &h), -EINVAL);
	assert_int_equal(prom__counter_add(p, 3, NULL, 1), -EINVAL);
	text = render(p);
	assert_string_equal(text,
		/* Nanoseconds are exact: the slots' inclusive upper bounds. */
		"# HELP cotrace_ns_seconds ns.\n"
		"# TYPE cotrace_ns_seconds histogram\n"
		"cotrace_ns_seconds_bucket{comm=\"sh\",le=\"0.000000001\"} 1\n"
		"cotrace_ns_seconds_bucket{comm=\"sh\",le=\"0.000000003\"} 1\n"
		"cotrace_ns_seconds_bucket{comm=\"sh\",le=\"0.000000007\"} 3\n"
		"cotrace_ns_seconds_bucket{comm=\"sh\",le=\"+Inf\"} 3\n"
		"cotrace_ns_seconds_sum{comm=\"sh\"} 0.000000012\n"
		"cotrace_ns_seconds_count{comm=\"sh\"} 3\n"
		/* Truncated microseconds: a value counted as 7 was below 8. */
		"# HELP cotrace_us_seconds us.\n"
		"# TYPE cotrace_us_seconds histogram\n"
		"cotrace_us_seconds_bucket{comm=\"sh\",le=\"0.000002\"} 1\n"
		"cotrace_us_seconds_bucket{comm=\"sh\",le=\"0.000004\"} 1\n"
		"cotrace_us_seconds_bucket{comm=\"sh\",le=\"0.000008\"} 3\n"
		"cotrace_us_seconds_bucket{comm=\"sh\",le=\"+Inf\"} 3\n"
		"cotrace_us_seconds_sum{comm=\"sh\"} 0.000012\n"
		"cotrace_us_seconds_count{comm=\"sh\"} 3\n"
		"# HELP cotrace_v values.\n"
		"# TYPE cotrace_v histogram\n"
		"cotrace_v_bucket{le=\"1\"} 2\n"
		"cotrace_v_bucket{le=\"3\"} 2\n"
		"cotrace_v_bucket{le=\"7\"} 6\n"
		"cotrace_v_bucket{le=\"+Inf\"} 6\n"
		"cotrace_v_sum 24\n"
		"cotrace_v_count 6\n"
		"# HELP cotrace_lin linear.\n"
		"# TYPE cotrace_lin histogram\n"
		"cotrace_lin_bucket{le=\"19\"} 1\n"
		"cotrace_lin_bucket{le=\"29\"} 1\n"
		"cotrace_lin_bucket{le=\"+Inf\"} 2\n"
		"cotrace_lin_sum 111\n"
		"cotrace_lin_count 2\n");
	free(text);
	prom__free(p);
}

static void test_bad_families(void **state)
{
	static const char *const le[] = { "le" };
	static const char *const bad[] = { "9x" };
	static const char *const reserved[] = { "__name__" };
	struct prom *p = prom__new();

	assert_non_null(p);
	assert_int_equal(prom__add_family(p, &(struct prom_family){ "cotrace-x", "", PROM_COUNTER }),
			 -EINVAL);
	assert_int_equal(prom__add_family(p, &(struct prom_family){ "", "", PROM_COUNTER }), -EINVAL);
	assert_int_equal(prom__add_family(p, &(struct prom_family){ "a", "", PROM_HISTOGRAM, le, 1 }),
			 -EINVAL);
	/* "le" is only the histograms' own. */
	assert_int_equal(prom__add_family(p, &(struct prom_family){ "a", "", PROM_COUNTER, le, 1 }),
			 0);
	assert_int_equal(prom__add_family(p, &(struct prom_family){ "a", "", PROM_COUNTER }), -EINVAL);
	assert_int_equal(prom__add_family(p, &(struct prom_family){ "b", "", PROM_COUNTER, bad, 1 }),
			 -EINVAL);
	assert_int_equal(prom__add_family(p, &(struct prom_family){ "b", "", PROM_COUNTER,
					 reserved, 1 }), -EINVAL);
	assert_int_equal(prom__counter_add(p, 7, NULL, 1), -EINVAL);
	assert_int_equal(prom__counter_add(p, -1, NULL, 1), -EINVAL);
	prom__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_histograms),
		cmocka_unit_test(test_bad_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
