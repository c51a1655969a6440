// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for common/procmaps.c: one line of /proc/PID/maps, and the
 * iterator over the file, a saved copy or text in memory (bounds of
 * lines, malformed lines skipped, the text of each line kept).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/procmaps.h"

/* ---- one line ---------------------------------------------------- */

static void test_maps_line(void **state)
{
	struct procmap_entry e;

	assert_int_equal(procmaps__parse_line("7f3d0c04e000-7f3d0c1a4000 r-xp 00026000 fe:00 332835"
					      "                     /usr/lib/x86_64-linux-gnu/libc.so.6\n",
					      &e), 0);
	assert_int_equal(e.start, 0x7f3d0c04e000ULL);
	assert_int_equal(e.end, 0x7f3d0c1a4000ULL);
	assert_int_equal(e.offset, 0x26000);
	assert_int_equal(e.dev_major, 0xfe);
	assert_int_equal(e.dev_minor, 0);
	assert_int_equal(e.inode, 332835);
	assert_string_equal(e.perms, "r-xp");
	assert_string_equal(e.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_false(e.deleted);

	/* Anonymous: no path, with or without trailing spaces or newline. */
	assert_int_equal(procmaps__parse_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0", &e), 0);
	assert_string_equal(e.path, "");
	assert_int_equal(procmaps__parse_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 \n", &e), 0);
	assert_string_equal(e.path, "");

	assert_int_equal(procmaps__parse_line("55d0a000-55d0b000 rw-p 00000000 00:00 0  [heap]\n",
					      &e), 0);
	assert_string_equal(e.path, "[heap]");

	/* Spaces inside the path are kept. */
	assert_int_equal(procmaps__parse_line("1000-2000 r-xp 00001000 08:01 42 /opt/my app/lib x.so\n",
					      &e), 0);
	assert_string_equal(e.path, "/opt/my app/lib x.so");
	assert_int_equal(e.dev_major, 8);
	assert_int_equal(e.dev_minor, 1);

	/* " (deleted)" is stripped and flagged. */
	assert_int_equal(procmaps__parse_line("1000-2000 r-xp 00000000 08:01 42 /tmp/a b.so (deleted)\n",
					      &e), 0);
	assert_string_equal(e.path, "/tmp/a b.so");
	assert_true(e.deleted);

	/* Large device numbers, 64-bit addresses. */
	assert_int_equal(procmaps__parse_line("ffffffffff600000-ffffffffff601000 --xp 00000000 103:0a 1 [vsyscall]",
					      &e), 0);
	assert_int_equal(e.start, 0xffffffffff600000ULL);
	assert_int_equal(e.dev_major, 0x103);
	assert_int_equal(e.dev_minor, 0xa);
}

static void test_maps_line_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"garbage",
		"1000",
		"1000-",
		"1000-2000",
		"1000-2000 ",
		"1000-2000 r-x",
		"1000-2000 r-xp",
		"1000-2000 r-xp 0",
		"1000-2000 r-xp 0 08",
		"1000-2000 r-xp 0 08:01",
		"1000-2000 r-xp 0 08:01 x",
		"1000-2000 r-xp 0 08:01 42x /a",
		"2000-1000 r-xp 0 08:01 42 /a",
		"1000-2000 r-xp zz 08:01 42 /a",
		"1000 2000 r-xp 0 08:01 42 /a",
		"10000000000000000-2 r-xp 0 08:01 42 /a",
		"1000-2000 r-xp 0 08:01 99999999999999999999999 /a",
	};
	struct procmap_entry e;
	char *line;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (procmaps__parse_line(bad[i], &e) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(procmaps__parse_line(NULL, &e), -EINVAL);
	assert_int_equal(procmaps__parse_line("1000-2000 r-xp 0 08:01 42 /a", NULL), -EINVAL);

	/* A path of PATH_MAX bytes does not fit. */
	line = malloc(PATH_MAX + 64);
	assert_non_null(line);
	strcpy(line, "1000-2000 r-xp 0 08:01 42 /");
	memset(line + strlen(line), 'a', PATH_MAX);
	line[27 + PATH_MAX - 1] = '\0';
	assert_int_equal(procmaps__parse_line(line, &e), -ENAMETOOLONG);
	line[27 + PATH_MAX - 2] = '\0';
	assert_int_equal(procmaps__parse_line(line, &e), 0);
	assert_int_equal(strlen(e.path), PATH_MAX - 1);
	free(line);
}

/* ---- the iterator ---------------------------------------------------------- */

/* A heap copy of @s without its NUL, so a read past the end is caught (ASan). */
static char *exact_copy(const char *s, size_t *len)
{
	char *p;

	*len = strlen(s);
	p = malloc(*len ? *len : 1);
	assert_non_null(p);
	memcpy(p, s, *len);
	return p;
}

static void test_iter_buf(void **state)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 42 /bin/a\n"
		"this line is garbage\n"
		"\n"
		"2000-3000 rw-p 00001000 08:01 42 /bin/a\n"
		"3000-4000 r-xp 00000000 00:00 0\n"
		"4000-5000 r-xp 00000000 08:01 7 /lib/b.so (deleted)";	/* no newline */
	const struct procmap_entry *e;
	struct procmaps *m;
	const char *line;
	size_t len, n;
	char *buf = exact_copy(text, &n);

	m = procmaps__from_buf(buf, n);
	assert_non_null(m);
	assert_null(procmaps__line(m, &len));

	assert_int_equal(procmaps__next(m, &e), 1);
	assert_int_equal(e->start, 0x1000);
	assert_string_equal(e->path, "/bin/a");
	assert_true(procmap_entry__is_exec(e));
	line = procmaps__line(m, &len);
	assert_string_equal(line, "1000-2000 r-xp 00000000 08:01 42 /bin/a\n");
	assert_int_equal(len, strlen(line));

	/* The garbage and the empty line are skipped. */
	assert_int_equal(procmaps__next(m, &e), 1);
	assert_int_equal(e->start, 0x2000);
	assert_int_equal(e->offset, 0x1000);
	assert_false(procmap_entry__is_exec(e));

	assert_int_equal(procmaps__next(m, &e), 1);
	assert_string_equal(e->path, "");

	assert_int_equal(procmaps__next(m, &e), 1);
	assert_string_equal(e->path, "/lib/b.so");
	assert_true(e->deleted);
	line = procmaps__line(m, &len);
	assert_string_equal(line, "4000-5000 r-xp 00000000 08:01 7 /lib/b.so (deleted)");

	assert_int_equal(procmaps__next(m, &e), 0);
	assert_null(procmaps__line(m, &len));
	assert_int_equal(procmaps__next(m, &e), 0);
	procmaps__free(m);
	free(buf);

	/* Nothing to read. */
	m = procmaps__from_buf(NULL, 0);
	assert_non_null(m);
	assert_int_equal(procmaps__next(m, &e), 0);
	procmaps__free(m);
	procmaps__free(NULL);
	errno = 0;
	assert_null(procmaps__from_buf(NULL, 1));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(procmaps__next(NULL, &e), -EINVAL);
}

/*
 * "1000-2000 r-xp 0 08:01 42", spaces (as the kernel pads), "/p" and a
 * newline: a valid line of exactly @len bytes.
 */
static char *padded_line(size_t len)
{
	static const char head[] = "1000-2000 r-xp 0 08:01 42";
	static const char tail[] = "/p\n";
	char *s = malloc(len + 1);

	assert_non_null(s);
	assert_true(len >= sizeof(head) + sizeof(tail));
	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, ' ', len - (sizeof(head) - 1) - (sizeof(tail) - 1));
	memcpy(s + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	s[len] = '\0';
	return s;
}

/* Lines of PROCMAPS_LINE_MAX bytes are read, longer ones skipped whole. */
static void check_line_bounds(struct procmaps *m)
{
	const struct procmap_entry *e;
	size_t len;

	assert_int_equal(procmaps__next(m, &e), 1);
	assert_string_equal(e->path, "/p");
	assert_non_null(procmaps__line(m, &len));
	assert_int_equal(len, PROCMAPS_LINE_MAX);
	/* The overlong line is skipped, and nothing of it read as a line. */
	assert_int_equal(procmaps__next(m, &e), 1);
	assert_string_equal(e->path, "/last");
	assert_int_equal(procmaps__next(m, &e), 0);
}

static void test_iter_line_bounds(void **state)
{
	char *fit = padded_line(PROCMAPS_LINE_MAX);
	char *over = padded_line(PROCMAPS_LINE_MAX + 1);
	char *huge = padded_line(3 * PROCMAPS_LINE_MAX);
	static const char last[] = "5000-6000 r-xp 0 08:01 43 /last\n";
	char path[] = "/tmp/cotrace-procmaps.XXXXXX";
	struct procmaps *m;
	char *text;
	size_t n;
	FILE *f;
	int fd;

	n = strlen(fit) + strlen(over) + strlen(huge) + strlen(last);
	text = malloc(n + 1);
	assert_non_null(text);
	snprintf(text, n + 1, "%s%s%s%s", fit, over, huge, last);

	m = procmaps__from_buf(text, n);
	assert_non_null(m);
	check_line_bounds(m);
	procmaps__free(m);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	m = procmaps__open_file(path);
	assert_non_null(m);
	check_line_bounds(m);
	procmaps__free(m);
	unlink(path);

	free(text);
	free(fit);
	free(over);
	free(huge);
}

/* The last line of a file, without a newline, at the bound. */
static void test_iter_file_last_line(void **state)
{
	char path[] = "/tmp/cotrace-procmaps.XXXXXX";
	const struct procmap_entry *e;
	char *line = padded_line(PROCMAPS_LINE_MAX + 1);
	struct procmaps *m;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	/* PROCMAPS_LINE_MAX bytes: the line without its newline. */
	assert_int_equal(fwrite(line, 1, PROCMAPS_LINE_MAX, f), PROCMAPS_LINE_MAX);
	assert_int_equal(fclose(f), 0);
	m = procmaps__open_file(path);
	assert_non_null(m);
	assert_int_equal(procmaps__next(m, &e), 1);
	assert_string_equal(e->path, "/p");
	assert_int_equal(procmaps__next(m, &e), 0);
	procmaps__free(m);
	unlink(path);
	free(line);

	errno = 0;
	assert_null(procmaps__open_file("/nonexistent/maps"));
	assert_int_equal(errno, ENOENT);
}

static void here(void)
{
}

/* This process's own maps: the code of this function is in an executable
 * mapping of this test's binary. */
static void test_iter_self(void **state)
{
	const struct procmap_entry *e;
	uint64_t addr = (uint64_t)(uintptr_t)&here;
	char exe[PATH_MAX];
	ssize_t n;
	struct procmaps *m;
	int found = 0, ret;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	m = procmaps__open(getpid());
	assert_non_null(m);
	while ((ret = procmaps__next(m, &e)) > 0) {
		if (addr < e->start || addr >= e->end)
			continue;
		assert_true(procmap_entry__is_exec(e));
		assert_string_equal(e->path, exe);
		found++;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(found, 1);
	procmaps__free(m);

	/* A process that does not exist. */
	errno = 0;
	assert_null(procmaps__open(INT_MAX));
	assert_int_equal(errno, ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_line),
		cmocka_unit_test(test_maps_line_bad),
		cmocka_unit_test(test_iter_buf),
		cmocka_unit_test(test_iter_line_bounds),
		cmocka_unit_test(test_iter_file_last_line),
		cmocka_unit_test(test_iter_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
