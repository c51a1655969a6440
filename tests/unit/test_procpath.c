// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for common/procpath.c: paths under /proc/PID/root and
 * /proc/PID/cwd stay inside that directory. The tests use
 * /proc/self/cwd, a scratch directory standing for a container's root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/procpath.h"

static void test_is_rooted(void **state)
{
	(void)state;
	assert_true(procpath__is_rooted("/proc/12/root"));
	assert_true(procpath__is_rooted("/proc/12/root/usr/lib/libc.so.6"));
	assert_true(procpath__is_rooted("/proc/self/root/x"));
	assert_true(procpath__is_rooted("/proc/7/cwd/a.out"));
	assert_false(procpath__is_rooted("/proc/12/rootx/y"));
	assert_false(procpath__is_rooted("/proc/12/map_files/1-2"));
	assert_false(procpath__is_rooted("/proc/12/exe"));
	assert_false(procpath__is_rooted("/proc//root/x"));
	assert_false(procpath__is_rooted("/proc/12345678901/root/x"));
	assert_false(procpath__is_rooted("/usr/lib/libc.so.6"));
	assert_false(procpath__is_rooted("proc/1/root/x"));
	assert_false(procpath__is_rooted(NULL));
}

static ino_t ino_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static void test_open_in_root(void **state)
{
	char dir[] = "/tmp/cotrace-procpath.XXXXXX", old[PATH_MAX], cmd[PATH_MAX + 16];
	struct stat st, host;
	int fd;

	(void)state;
	assert_non_null(getcwd(old, sizeof(old)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir("etc", 0755), 0);
	fd = open("etc/passwd", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat("etc/passwd", &st), 0);
	assert_int_equal(stat("/etc/passwd", &host), 0);
	assert_int_equal(mkdir("lib", 0755), 0);
	assert_int_equal(symlink("/etc/passwd", "lib/abs"), 0);		/* absolute */
	assert_int_equal(symlink("/", "lib/up"), 0);			/* directory */
	assert_int_equal(symlink("../../../../etc/passwd", "lib/dots"), 0);
	assert_int_equal(symlink("/nonexistent-host-file", "lib/gone"), 0);
	assert_int_equal(symlink("/proc/self/root/etc/passwd", "lib/magic"), 0);

	/* Each leads to the scratch etc/passwd, never the host's. */
	fd = procpath__open("/proc/self/cwd/lib/abs", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ino_of(fd), st.st_ino);
	close(fd);
	fd = procpath__open("/proc/self/cwd/lib/up/etc/passwd", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ino_of(fd), st.st_ino);
	close(fd);
	fd = procpath__open("/proc/self/cwd/lib/dots", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ino_of(fd), st.st_ino);
	close(fd);
	fd = procpath__open("/proc/self/cwd/../../../etc/passwd", O_PATH);
	assert_true(fd >= 0);
	assert_int_equal(ino_of(fd), st.st_ino);
	close(fd);
	assert_int_equal(procpath__open("/proc/self/cwd/lib/gone", O_RDONLY), -ENOENT);
	/* No /proc inside this root; inside our own, a magic link is refused. */
	assert_int_equal(procpath__open("/proc/self/cwd/lib/magic", O_RDONLY), -ENOENT);
	assert_int_equal(procpath__open("/proc/self/root/proc/self/exe", O_RDONLY), -ELOOP);
	assert_int_equal(procpath__open("/proc/self/root/proc/self/root/etc/passwd", O_RDONLY),
			 -ELOOP);

	/* procpath__stat agrees; a path that is not rooted is opened as it is. */
	assert_int_equal(procpath__stat("/proc/self/cwd/lib/abs", &host), 0);
	assert_int_equal(host.st_ino, st.st_ino);
	fd = procpath__open("lib/abs", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_not_equal(ino_of(fd), st.st_ino);
	close(fd);

	assert_int_equal(chdir(old), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_rooted),
		cmocka_unit_test(test_open_in_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
