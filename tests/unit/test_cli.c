// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/cli.c and the instruction screen of common/attach.c. */
#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/attach.h"
#include "common/cli.h"

static void test_split_words(void **state)
{
	char **argv;

	assert_int_equal(cli__split_words("  ./calls 10 'a b' \"c'd\"  ", &argv), 0);
	assert_string_equal(argv[0], "./calls");
	assert_string_equal(argv[1], "10");
	assert_string_equal(argv[2], "a b");
	assert_string_equal(argv[3], "c'd");
	assert_null(argv[4]);
	cli__free_words(argv);
	assert_int_equal(cli__split_words("a 'b", &argv), -EINVAL);
	assert_int_equal(cli__split_words("   ", &argv), -EINVAL);
}

static void test_parse_numbers(void **state)
{
	unsigned long v;
	double secs;
	pid_t pid;

	assert_int_equal(cli__parse_pid("42", &pid), 0);
	assert_int_equal(pid, 42);
	assert_int_equal(cli__parse_pid("0", &pid), -EINVAL);
	assert_int_equal(cli__parse_pid("-3", &pid), -EINVAL);
	assert_int_equal(cli__parse_pid("12x", &pid), -EINVAL);
	assert_int_equal(cli__parse_pid("99999999999", &pid), -EINVAL);
	assert_int_equal(cli__parse_seconds("0.5", &secs), 0);
	assert_true(secs == 0.5);
	assert_int_equal(cli__parse_seconds("0", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds("nan", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds("1e99", &secs), -EINVAL);
	/* Plain decimal only: profile read "0x10" as 16 s (issue 12). */
	assert_int_equal(cli__parse_seconds("2", &secs), 0);
	assert_true(secs == 2);
	assert_int_equal(cli__parse_seconds(".5", &secs), 0);
	assert_true(secs == 0.5);
	assert_int_equal(cli__parse_seconds("3.", &secs), 0);
	assert_true(secs == 3);
	assert_int_equal(cli__parse_seconds("0x10", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds("1e1", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds("inf", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds(" 1", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds("+1", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds(".", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds("1.2.3", &secs), -EINVAL);
	assert_int_equal(cli__parse_seconds("", &secs), -EINVAL);
	assert_int_equal(cli__parse_ulong("0x10", 1, 100, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(cli__parse_ulong("", 0, 100, &v), -EINVAL);
}

static void test_cmd_held_until_started(void **state)
{
	struct cli_cmd cmd;
	int status;

	assert_int_equal(cli_cmd__spawn("sh -c 'exit 7'", &cmd), 0);
	/* Held: it has not exited before start. */
	assert_int_equal(waitpid(cmd.pid, &status, WNOHANG), 0);
	assert_int_equal(cli_cmd__start(&cmd), 0);
	assert_int_equal(waitpid(cmd.pid, &status, 0), cmd.pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

/* A file @name in a new temporary directory @dir, with @text and @mode. */
static void make_file(char *dir, const char *name, const char *text, mode_t mode, char *path,
		      size_t len)
{
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void remove_file(const char *dir, const char *path)
{
	unlink(path);
	rmdir(dir);
}

/*
 * Commands that cannot run are refused at spawn, with the reason execvp()
 * would give; one whose exec fails later (made unrunnable in between)
 * makes start fail, reaped, so that the tool ends non-zero.
 */
static void test_cmd_cannot_run(void **state)
{
	char dir[] = "/tmp/cotrace-cli.XXXXXX", path[256], cmdline[300];
	struct cli_cmd cmd;
	int status;

	assert_int_equal(cli_cmd__spawn("/tmp", &cmd), -EISDIR);
	assert_int_equal(cli_cmd__spawn("/nonexistent/prog", &cmd), -ENOENT);
	assert_int_equal(cli_cmd__spawn("cotrace-no-such-program-x", &cmd), -ENOENT);
	assert_int_equal(cli_cmd__spawn("", &cmd), -EINVAL);
	assert_true(cli__is_exec_error(-EISDIR) && cli__is_exec_error(-EACCES));
	assert_false(cli__is_exec_error(-ENOMEM));

	make_file(dir, "prog", "#!/bin/sh\nexit 3\n", 0644, path, sizeof(path));
	assert_int_equal(cli_cmd__spawn(path, &cmd), -EACCES);
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(cli_cmd__spawn(path, &cmd), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cli_cmd__start(&cmd), -EACCES);
	assert_int_equal(cmd.pid, 0);
	remove_file(dir, path);

	/* No "#!": run by /bin/sh, as execvp() does. */
	strcpy(dir, "/tmp/cotrace-cli.XXXXXX");
	make_file(dir, "script", "exit 5\n", 0755, path, sizeof(path));
	snprintf(cmdline, sizeof(cmdline), "%s a b", path);
	assert_int_equal(cli_cmd__spawn(cmdline, &cmd), 0);
	assert_int_equal(cli_cmd__start(&cmd), 0);
	assert_int_equal(waitpid(cmd.pid, &status, 0), cmd.pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 5);
	remove_file(dir, path);
}

/* The program is found in $PATH before the fork: exe is its path. */
static void test_cmd_path_resolved(void **state)
{
	char dir[] = "/tmp/cotrace-cli.XXXXXX", path[256], *old = getenv("PATH");
	char other[] = "/tmp/cotrace-cli.XXXXXX", sub[256];
	char *saved = old ? strdup(old) : NULL, newpath[600];
	struct cli_cmd cmd;
	int status;

	make_file(dir, "cotrace-prog", "#!/bin/sh\nexit 4\n", 0755, path, sizeof(path));
	/* A directory of the same name earlier in $PATH, and a missing
	 * entry, are skipped, as execvp() does. */
	assert_non_null(mkdtemp(other));
	snprintf(sub, sizeof(sub), "%s/cotrace-prog", other);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(newpath, sizeof(newpath), "/tmp/cotrace-nonexistent:%s:%s", other, dir);
	setenv("PATH", newpath, 1);
	assert_int_equal(cli_cmd__spawn("cotrace-prog", &cmd), 0);
	assert_string_equal(cmd.exe, path);
	assert_int_equal(cli_cmd__start(&cmd), 0);
	assert_int_equal(waitpid(cmd.pid, &status, 0), cmd.pid);
	assert_int_equal(WEXITSTATUS(status), 4);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cli_cmd__spawn("cotrace-prog", &cmd), -EACCES);
	rmdir(sub);
	rmdir(other);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	remove_file(dir, path);
}

/* The usage error of @argv (optstring @opts) on stderr, into @buf. */
static void option_error(char **argv, int argc, const char *opts, char *buf, size_t len)
{
	static const struct option long_opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "cmd", required_argument, NULL, CLI_OPT_CMD },
		{}
	};
	FILE *f = tmpfile();
	int saved = dup(2), c, n;

	assert_non_null(f);
	dup2(fileno(f), 2);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, opts, long_opts, NULL)) != -1)
		if (c != 'v' && c != 'p' && c != CLI_OPT_CMD) {
			assert_int_equal(cli__last_option("t", "", "0", c, argv), EXIT_USAGE);
			break;
		}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n > 0 ? n : 0] = 0;
	fclose(f);
}

/* Usage errors name the option as typed, never argv[0] (profile -adf). */
static void test_option_errors(void **state)
{
	char *cluster[] = { "prog", "-vaf", "-p", "1", NULL };
	char *first[] = { "prog", "-adf", NULL };
	char *lng[] = { "prog", "--bogus=1", NULL };
	char *missing[] = { "prog", "-v", "-p", NULL };
	char *missing_long[] = { "prog", "--cmd", NULL };
	char buf[256];

	option_error(first, 2, ":p:v", buf, sizeof(buf));
	assert_string_equal(buf, "t: unknown option '-a' (try 't --help')\n");
	option_error(cluster, 4, ":p:v", buf, sizeof(buf));
	assert_string_equal(buf, "t: unknown option '-a' (try 't --help')\n");
	option_error(lng, 2, ":p:v", buf, sizeof(buf));
	assert_string_equal(buf, "t: unknown option '--bogus' (try 't --help')\n");
	option_error(missing, 3, ":p:v", buf, sizeof(buf));
	assert_string_equal(buf, "t: option '-p' needs an argument (try 't --help')\n");
	option_error(missing_long, 2, ":p:v", buf, sizeof(buf));
	assert_string_equal(buf, "t: option '--cmd' needs an argument (try 't --help')\n");
}

/* Set the limit on open files so that no descriptor is free: the lowest
 * unused one (descriptors inherited above it stay open). */
static void limit_fds_to_none(void)
{
	struct rlimit rl;
	int fd = 0;

	while (fcntl(fd, F_GETFD) >= 0)
		fd++;
	rl.rlim_cur = rl.rlim_max = fd;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		_exit(90);
}

/*
 * With no descriptor to spare, a feature probe cannot ask the kernel:
 * the answer is the error, not "this kernel lacks it" (issue 12: "no
 * multi-uprobe link" with ulimit -n small). In a child: it lowers its
 * limit for good. Without privilege the kernel refuses (EPERM) before it
 * needs a descriptor: only the count of free ones is tested then.
 */
static void test_features_without_fds(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct attach_features f;
		char err[256];
		int ret;

		limit_fds_to_none();
		ret = attach_features__probe(&f);
		if (geteuid() == 0 && (ret != -EMFILE || f.error != ret || f.uprobe_multi ||
				       f.ringbuf))
			_exit(1);
		/* And cli's count of free descriptors says so in a sentence. */
		if (cli__check_fds(1, err, sizeof(err)) != -EMFILE ||
		    !strstr(err, "only 0 file descriptors are free"))
			_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Free descriptors are counted below the limit, holes included. */
static void test_check_fds_counts(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		char err[256], want[160];
		int limit = 0, open = 0, free_fds;

		while (fcntl(limit, F_GETFD) >= 0)
			limit++;
		limit += 10;
		for (int fd = 0; fd < limit; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				open++;
		free_fds = limit - open;
		rl.rlim_cur = rl.rlim_max = limit;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(90);
		if (cli__check_fds(free_fds, err, sizeof(err)))
			_exit(1);
		if (cli__check_fds(free_fds + 1, err, sizeof(err)) != -EMFILE)
			_exit(2);
		snprintf(want, sizeof(want), "only %d file descriptors are free (ulimit -n is %d, "
			 "%d are open); tracing needs at least %d", free_fds, limit, open,
			 free_fds + 1);
		_exit(strstr(err, want) ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_insn_classes(void **state)
{
	static const struct { uint8_t b[6]; enum insn_class c; } cases[] = {
		{ { 0x55, 0x48, 0x89, 0xe5 }, INSN_PLAIN },		/* push %rbp */
		{ { 0xf3, 0x0f, 0x1e, 0xfa }, INSN_PLAIN },		/* endbr64 */
		{ { 0xf0, 0xff, 0x0f }, INSN_BAD_PREFIX },		/* lock decl (%rdi) */
		{ { 0x66, 0xf0, 0x0f, 0xb1 }, INSN_BAD_PREFIX },	/* lock after 66 */
		{ { 0x2e, 0x0f, 0x1f, 0x84 }, INSN_BAD_PREFIX },	/* cs nopw */
		{ { 0xc5, 0xf9, 0x6e, 0xc6 }, INSN_VEX },		/* vmovd */
		{ { 0xc4, 0x41, 0x01, 0xef }, INSN_VEX },		/* vpxor */
		{ { 0x62, 0xe2, 0x7d, 0x28, 0x7a, 0xc6 }, INSN_EVEX },	/* vpbroadcastb */
		{ { 0x48, 0x89, 0xf8 }, INSN_PLAIN },			/* mov %rdi,%rax */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(uprobe_insn_classify(cases[i].b, sizeof(cases[i].b)), cases[i].c);
}

/* COTRACE_TEST_MAP_ENTRIES only ever lowers a table's size. */
static void test_map_entries(void **state)
{
	(void)state;
	unsetenv("COTRACE_TEST_MAP_ENTRIES");
	assert_int_equal(cli__map_entries(65536), 65536);
	assert_int_equal(cli__map_entries(0), 1);
	setenv("COTRACE_TEST_MAP_ENTRIES", "4", 1);
	assert_int_equal(cli__map_entries(65536), 4);
	assert_int_equal(cli__map_entries(2), 2);
	setenv("COTRACE_TEST_MAP_ENTRIES", "0", 1);
	assert_int_equal(cli__map_entries(100), 100);
	setenv("COTRACE_TEST_MAP_ENTRIES", "lots", 1);
	assert_int_equal(cli__map_entries(100), 100);
	setenv("COTRACE_TEST_MAP_ENTRIES", "", 1);
	assert_int_equal(cli__map_entries(100), 100);
	unsetenv("COTRACE_TEST_MAP_ENTRIES");
}

/* COTRACE_TEST_RINGBUF_BYTES only ever lowers a ring buffer, to a power
 * of two of one page or more. */
static void test_ringbuf_bytes(void **state)
{
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);

	(void)state;
	unsetenv("COTRACE_TEST_RINGBUF_BYTES");
	assert_int_equal(cli__ringbuf_bytes(256 * 1024), 256 * 1024);
	setenv("COTRACE_TEST_RINGBUF_BYTES", "1", 1);
	assert_int_equal(cli__ringbuf_bytes(256 * 1024), page);
	setenv("COTRACE_TEST_RINGBUF_BYTES", "100000", 1);
	assert_int_equal(cli__ringbuf_bytes(256 * 1024), 65536);
	assert_int_equal(cli__ringbuf_bytes(32768), 32768);
	setenv("COTRACE_TEST_RINGBUF_BYTES", "16777216", 1);
	assert_int_equal(cli__ringbuf_bytes(256 * 1024), 256 * 1024);
	setenv("COTRACE_TEST_RINGBUF_BYTES", "0", 1);
	assert_int_equal(cli__ringbuf_bytes(4096), 4096);
	setenv("COTRACE_TEST_RINGBUF_BYTES", "x", 1);
	assert_int_equal(cli__ringbuf_bytes(4096), 4096);
	unsetenv("COTRACE_TEST_RINGBUF_BYTES");
}

/* A tool's getopt loop: -c is the tool's own flag when @own_c. */
static int parse_common(int argc, char **argv, bool own_c, struct cli_common *o, bool *c_flag)
{
	static const struct option long_opts[] = {
		{ "cmd", required_argument, NULL, CLI_OPT_CMD },
		{ "attach", required_argument, NULL, CLI_OPT_ATTACH },
		{ "version", no_argument, NULL, CLI_OPT_VERSION },
		{}
	};
	int c, ret;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, own_c ? "p:ci:d:vh" : "p:c:i:d:vh", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			if (own_c) {
				*c_flag = true;
				break;
			}
			/* fall through */
		default:
			ret = cli__common_option("t", "usage\n", "0", c, argv, o);
			if (ret >= 0)
				return ret;
		}
	}
	return cli_common__check("t", o);
}

static void test_common_options(void **state)
{
	char *all[] = { "t", "-p", "7", "-c", "ls", "-i", "2", "-d", "0.5", "-v",
			"--attach", "single", NULL };
	char *cmd[] = { "t", "--cmd", "ls -l", "-c", NULL };
	char *both[] = { "t", "-p", "7", "--cmd", "ls", NULL };
	char *bad_pid[] = { "t", "-p", "0", NULL };
	char *bad_mode[] = { "t", "--attach", "many", NULL };
	char *missing[] = { "t", "-i", NULL };
	struct cli_common o = {};
	bool c_flag = false;

	/* A pid and a command are refused together, after parsing. */
	assert_int_equal(parse_common(12, all, false, &o, &c_flag), EXIT_USAGE);
	assert_int_equal(o.pid, 7);
	assert_string_equal(o.cmd, "ls");
	assert_string_equal(o.cmd_opt, "-c");
	assert_true(o.interval == 2 && o.duration == 0.5 && o.verbose);
	assert_int_equal(o.mode, ATTACH_SINGLE);

	/* A tool's own -c wins; the command is then --cmd. */
	o = (struct cli_common){};
	assert_int_equal(parse_common(4, cmd, true, &o, &c_flag), -1);
	assert_true(c_flag);
	assert_string_equal(o.cmd, "ls -l");
	assert_string_equal(o.cmd_opt, "--cmd");
	assert_int_equal(o.mode, ATTACH_AUTO);

	o = (struct cli_common){};
	assert_int_equal(parse_common(5, both, true, &o, &c_flag), EXIT_USAGE);
	o = (struct cli_common){};
	assert_int_equal(parse_common(3, bad_pid, false, &o, &c_flag), EXIT_USAGE);
	assert_int_equal(parse_common(3, bad_mode, false, &o, &c_flag), EXIT_USAGE);
	assert_int_equal(parse_common(2, missing, false, &o, &c_flag), EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_common_options),
		cmocka_unit_test(test_map_entries),
		cmocka_unit_test(test_ringbuf_bytes),
		cmocka_unit_test(test_cmd_held_until_started),
		cmocka_unit_test(test_cmd_cannot_run),
		cmocka_unit_test(test_cmd_path_resolved),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_insn_classes),
		cmocka_unit_test(test_features_without_fds),
		cmocka_unit_test(test_check_fds_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
