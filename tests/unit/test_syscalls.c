// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/syscalls.c: generated syscall and errno tables. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "common/syscalls.h"

static void test_tables_present(void **state)
{
	assert_true(syscalls_have_tables());
	/* x86_64 has well over 300 syscalls; every arch has more than 200. */
	assert_true(syscall_table_size() > 200);
}

static void test_syscall_names(void **state)
{
	char buf[32];

	/* Checked against the C library's own numbers, not literals. */
	assert_string_equal(syscall_name(SYS_read), "read");
	assert_string_equal(syscall_name(SYS_close), "close");
	assert_string_equal(syscall_name(SYS_getppid), "getppid");
	assert_string_equal(syscall_name(SYS_nanosleep), "nanosleep");
	assert_string_equal(syscall_name(SYS_exit_group), "exit_group");
	assert_null(syscall_name(-1));
	assert_null(syscall_name(100000));
	assert_int_equal(syscall_format(SYS_close, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "close");
	syscall_format(100000, buf, sizeof(buf));
	assert_string_equal(buf, "syscall_100000");
	syscall_format(-1, buf, sizeof(buf));
	assert_string_equal(buf, "syscall_-1");
}

static void test_syscall_numbers(void **state)
{
	assert_int_equal(syscall_number("read"), SYS_read);
	assert_int_equal(syscall_number("sys_close"), SYS_close);
	assert_int_equal(syscall_number("getppid"), SYS_getppid);
	assert_int_equal(syscall_number("syscall_1234"), 1234);
	assert_int_equal(syscall_number("3"), 3);
	assert_int_equal(syscall_number("no_such_call"), -ENOENT);
	assert_int_equal(syscall_number("syscall_"), -ENOENT);
	assert_int_equal(syscall_number("syscall_x"), -ENOENT);
	assert_int_equal(syscall_number("-3"), -ENOENT);
	assert_int_equal(syscall_number(""), -ENOENT);
	assert_int_equal(syscall_number(NULL), -ENOENT);
	/* Every name round-trips. */
	for (long nr = 0; nr < syscall_table_size(); nr++) {
		const char *name = syscall_name(nr);

		if (name)
			assert_int_equal(syscall_number(name), nr);
	}
}

static void test_errno(void **state)
{
	char buf[16];

	assert_string_equal(errno_name(EBADF), "EBADF");
	assert_string_equal(errno_name(EPERM), "EPERM");
	assert_string_equal(errno_name(ENOENT), "ENOENT");
	assert_string_equal(errno_name(EAGAIN), "EAGAIN");
	assert_string_equal(errno_name(EHWPOISON), "EHWPOISON");
	assert_null(errno_name(0));
	assert_null(errno_name(-9));
	assert_null(errno_name(4000));
	errno_format(4000, buf, sizeof(buf));
	assert_string_equal(buf, "4000");
	errno_format(EINTR, buf, sizeof(buf));
	assert_string_equal(buf, "EINTR");

	assert_int_equal(errno_number("EBADF"), EBADF);
	assert_int_equal(errno_number("ebadf"), EBADF);
	assert_int_equal(errno_number("-EBADF"), EBADF);
	assert_int_equal(errno_number("9"), 9);
	assert_int_equal(errno_number("-9"), 9);
	assert_int_equal(errno_number("EWOULDBLOCK"), EAGAIN);
	assert_int_equal(errno_number("EDEADLOCK"), EDEADLK);
	assert_int_equal(errno_number("ENOTSUP"), EOPNOTSUPP);
	assert_int_equal(errno_number("0"), -ENOENT);
	assert_int_equal(errno_number("EFOO"), -ENOENT);
	assert_int_equal(errno_number("99999"), -ENOENT);
	assert_int_equal(errno_number(""), -ENOENT);
	for (int e = 1; e < 200; e++) {
		const char *name = errno_name(e);

		if (name)
			assert_int_equal(errno_number(name), e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_present),
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_syscall_numbers),
		cmocka_unit_test(test_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
