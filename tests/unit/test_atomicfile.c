// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/atomicfile.c: a file replaced whole, never left
 * half-written, and the checks made before a run. A write that fails
 * halfway is made with RLIMIT_FSIZE (EFBIG), as a full disk would fail it.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/atomicfile.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/cotrace-atomicfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static size_t entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void read_back(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

static void test_replace(void **state)
{
	char path[128], buf[64];
	struct stat st;
	mode_t mask = umask(022);

	snprintf(path, sizeof(path), "%s/m.prom", dir);
	assert_int_equal(atomicfile__replace(path, "one\n", 4), 0);
	read_back(path, buf, sizeof(buf));
	assert_string_equal(buf, "one\n");
	assert_int_equal(atomicfile__replace(path, "two\n", 4), 0);
	read_back(path, buf, sizeof(buf));
	assert_string_equal(buf, "two\n");
	/* Readable by node_exporter's user: not mkstemp()'s 0600. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(entries(), 1);
	umask(mask);
}

/* A write that fails halfway leaves the old file whole and no temporary file. */
static void test_failed_write(void **state)
{
	char path[128], buf[64], *big = calloc(1, 1 << 16);
	struct rlimit old, small;

	assert_non_null(big);
	snprintf(path, sizeof(path), "%s/f.prom", dir);
	assert_int_equal(atomicfile__replace(path, "old\n", 4), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = (struct rlimit){ 4096, old.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(atomicfile__replace(path, big, 1 << 16), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	read_back(path, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(entries(), 2);	/* f.prom and m.prom of the test before */
	free(big);
}

static void test_check(void **state)
{
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/ok.pb.gz", dir);
	assert_int_equal(atomicfile__check(path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/nodir/x.prom", dir);
	assert_int_equal(atomicfile__check(path, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot write '"));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(atomicfile__replace(path, "x", 1), -ENOENT);
	assert_int_equal(atomicfile__check(dir, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "it is a directory"));
	snprintf(path, sizeof(path), "%s/", dir);
	assert_int_equal(atomicfile__check(path, err, sizeof(err)), -EISDIR);
	/* Renaming over a device would replace it. */
	assert_int_equal(atomicfile__check("/dev/null", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(atomicfile__check("", err, sizeof(err)), -ENOENT);
	/* Nothing was left behind by the checks. */
	assert_int_equal(entries(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_failed_write),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
