// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/argplan.c without BPF: argdist specifiers on
 * tests/targets/distee (run make targets first) to sites, entry twins and
 * the layout of their keys; the errors and their exit codes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/argplan.h"
#include "common/cli.h"
#include "common/sites.h"
#include "bpf/argdist.h"

#define D "build/tests/targets/distee"

struct fixture {
	struct argspec specs[4];
	int nspecs;
	struct site_set set;
	struct argplan pl;
};

/* Parse @n specifiers (a leading 'H' makes one -H) and build their plan. */
static int build(struct fixture *f, int n, ...)
{
	char err[512];
	va_list ap;

	memset(f, 0, sizeof(*f));
	f->pl.set = &f->set;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *text = va_arg(ap, const char *);
		bool hist = text[0] == 'H';

		if (argspec__parse(&f->specs[i], text + hist, hist, err, sizeof(err)))
			fail_msg("%s: %s", text, err);
		f->nspecs++;
	}
	va_end(ap);
	return argplan__build(&f->pl, &(struct argplan_opts){ f->specs, f->nspecs, 80, false,
							      false }, 0, NULL);
}

static void fixture_fini(struct fixture *f)
{
	argplan__fini(&f->pl);
	site_set__fini(&f->set);
	for (int i = 0; i < f->nspecs; i++)
		argspec__fini(&f->specs[i]);
}

static void test_count_one_value(void **state)
{
	struct fixture f;
	const struct argplan_site *si;

	assert_int_equal(build(&f, 1, "p:" D ":alloc(size_t size):size_t:size"), 0);
	assert_int_equal(f.set.count, 1);
	si = &f.pl.info[0];
	assert_int_equal(si->spec, 0);
	assert_int_equal(si->flags, 0);
	assert_int_equal(si->key_off, 0);
	assert_int_equal(si->key_len, 8);
	assert_int_equal(si->key_first, 0);
	assert_int_equal(f.pl.first_site[0], 0);
	assert_int_equal(f.pl.key_bytes, 8);
	fixture_fini(&f);
}

/* A filter's operands come first; the key after them, 8-byte aligned. */
static void test_filter_before_key(void **state)
{
	struct fixture f;
	const struct argplan_site *si;

	assert_int_equal(build(&f, 1, "p:" D ":word(char *w):char *,int:w,w[0]:w[0]==97"), 0);
	si = &f.pl.info[0];
	assert_int_equal(si->key_first, si->plan.nvalues - 2);
	assert_int_equal(si->key_off % 8, 0);
	assert_true(si->key_len > 80);
	assert_int_equal(f.pl.key_bytes % 8, 0);
	assert_true(f.pl.key_bytes >= si->key_len);
	fixture_fini(&f);
}

/* $latency: the return site and its entry twin, paired by file offset. */
static void test_entry_twin(void **state)
{
	struct fixture f;
	size_t ret_site, entry_site;

	assert_int_equal(build(&f, 2, "p:" D ":word(char *w):char *:w",
			       "Hr:" D ":alloc(size_t size):u64:$latency"), 0);
	assert_int_equal(f.set.count, 3);
	assert_int_equal(f.pl.first_site[0], 0);
	assert_int_equal(f.pl.first_site[1], 1);
	ret_site = f.pl.first_site[1];
	entry_site = 2;
	assert_int_equal(f.set.sites[ret_site].kind, PROBE_URETPROBE);
	assert_int_equal(f.set.sites[entry_site].kind, PROBE_UPROBE);
	assert_int_equal(f.pl.info[ret_site].flags, ARGDIST_HIST | ARGDIST_USE_ENTRY);
	assert_int_equal(f.pl.info[entry_site].flags, ARGDIST_SAVE_ENTRY);
	assert_int_equal(f.pl.info[entry_site].pair, ret_site);
	assert_int_equal(f.pl.info[entry_site].spec, 1);
	/* The time saved at entry comes before the key. */
	assert_int_equal(f.pl.info[ret_site].key_off, 8);
	fixture_fini(&f);
}

static void test_errors(void **state)
{
	struct fixture f;

	/* The user's to fix: a name nothing defines, a function or file not there. */
	assert_int_equal(build(&f, 1, "p:" D ":word(char *w):int:nosuchname"), EXIT_USAGE);
	fixture_fini(&f);
	assert_int_equal(build(&f, 1, "p:" D ":nosuchfunc():int:arg1"), EXIT_USAGE);
	fixture_fini(&f);
	assert_int_equal(build(&f, 1, "p:/nonexistent/file:f():int:arg1"), EXIT_USAGE);
	fixture_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_one_value),
		cmocka_unit_test(test_filter_before_key),
		cmocka_unit_test(test_entry_twin),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
