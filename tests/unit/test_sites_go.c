// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of site_set__check_go_returns() (common/sites.c): return
 * probes in Go programs refused, or allowed with a warning by --force. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/sites.h"

#define T "build/tests/targets/"

static struct site site_of(enum probe_kind kind, char *path)
{
	return (struct site){ .kind = kind, .name = "f", .symbol = "f", .path = path,
			      .display_path = path };
}

/* Run the check on @sites; its messages into @msg. */
static int check(struct site *sites, size_t n, bool force, char *msg, size_t len)
{
	struct site_set set = { .sites = sites, .count = n, .cap = n };
	FILE *f = fmemopen(msg, len, "w");
	int ret;

	assert_non_null(f);
	ret = site_set__check_go_returns(&set, force, "tool", f);
	fclose(f);
	return ret;
}

static void test_go_returns(void **state)
{
	struct site sites[4];
	char msg[4096];

	/* Entries in a Go program, returns in a C one: nothing to say. */
	sites[0] = site_of(PROBE_UPROBE, T "goprog");
	sites[1] = site_of(PROBE_URETPROBE, T "calls");
	sites[2] = site_of(PROBE_USDT, T "goprog");
	memset(msg, 0, sizeof(msg));
	assert_int_equal(check(sites, 3, false, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");

	/* A return probe in a Go program (the real one, or one that only has
	 * a .gopclntab section): one sentence naming --force, once a file. */
	sites[2] = site_of(PROBE_URETPROBE, T "goprog");
	sites[3] = site_of(PROBE_URETPROBE, T "goprog");
	memset(msg, 0, sizeof(msg));
	assert_int_equal(check(sites, 4, false, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "tool: " T "goprog is a Go program, and return probes corrupt "
			    "Go stacks (the Go runtime crashes when a goroutine's stack grows); use "
			    "--force to place them anyway\n");
	assert_int_equal(site_error_exit_code(-EINVAL), 2);
	sites[2] = site_of(PROBE_URETPROBE, T "fakego");
	memset(msg, 0, sizeof(msg));
	assert_int_equal(check(sites, 3, false, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "fakego is a Go program"));

	/* --force: a warning for each Go file, and go on. */
	sites[3] = site_of(PROBE_URETPROBE, T "goprog");
	memset(msg, 0, sizeof(msg));
	assert_int_equal(check(sites, 4, true, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "tool: warning: " T "fakego is a Go program: return probes may "
			    "crash it (--force)\ntool: warning: " T "goprog is a Go program: return "
			    "probes may crash it (--force)\n");

	/* A file gone since its sites were found. */
	sites[0] = site_of(PROBE_URETPROBE, T "no_such_file");
	memset(msg, 0, sizeof(msg));
	assert_int_equal(check(sites, 1, false, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "cannot read"));
	/* No site at all. */
	assert_int_equal(check(NULL, 0, false, msg, sizeof(msg)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_returns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
