// SPDX-License-Identifier: GPL-2.0-only
/* cli: options, privileges, signals and traced commands shared by tools. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <getopt.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>

#include "common/cli.h"
#include "common/output.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int cli__usage_error(const char *tool, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s --help')\n", tool);
	return EXIT_USAGE;
}

/*
 * The option getopt stopped at, as the user typed it, into @buf. A short
 * option is named by optopt: inside a cluster ("-adf") argv[optind - 1]
 * is still the word before it, argv[0] for the first. A long option has
 * a word of its own, which names it ("--pid" without its "=VALUE").
 */
static const char *failed_option(char **argv, bool missing, char *buf, size_t len)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";

	/* Unknown long options leave optopt 0; a long option missing its
	 * argument is always the last word. */
	if ((!missing && optopt == 0) || (missing && !strncmp(word, "--", 2))) {
		snprintf(buf, len, "%.*s", (int)strcspn(word, "="), word);
		return buf;
	}
	if (optopt > 0 && optopt < 256)
		snprintf(buf, len, "-%c", optopt);
	else
		snprintf(buf, len, "%s", word);
	return buf;
}

int cli__last_option(const char *tool, const char *usage, const char *version, int c,
		     char **argv)
{
	char name[128];

	switch (c) {
	case 'h':
		/* A usage longer than stdio's buffer is written inside fputs(),
		 * and the reason of a failed write is only in errno then. */
		errno = 0;
		if (fputs(usage, stdout) == EOF && errno > 0 && errno != EPIPE) {
			fprintf(stderr, "%s: cannot write output: %s\n", tool, strerror(errno));
			return EXIT_RUNTIME;
		}
		return cli__finish_output(tool, NULL, EXIT_OK);
	case CLI_OPT_VERSION:
		printf("%s (cotrace) %s\n", tool, version);
		return cli__finish_output(tool, NULL, EXIT_OK);
	case ':':
		return cli__usage_error(tool, "option '%s' needs an argument",
					failed_option(argv, true, name, sizeof(name)));
	default:
		return cli__usage_error(tool, "unknown option '%s'",
					failed_option(argv, false, name, sizeof(name)));
	}
}

int cli__common_option(const char *tool, const char *usage, const char *version, int c,
		       char **argv, struct cli_common *o)
{
	switch (c) {
	case 'p':
		if (cli__parse_pid(optarg, &o->pid))
			return cli__usage_error(tool, "invalid pid '%s'", optarg);
		return -1;
	case 'c':
	case CLI_OPT_CMD:
		o->cmd = optarg;
		o->cmd_opt = c == 'c' ? "-c" : "--cmd";
		return -1;
	case 'i':
		if (cli__parse_seconds(optarg, &o->interval))
			return cli__usage_error(tool, "invalid interval '%s' (seconds, a decimal "
						"number)", optarg);
		return -1;
	case 'd':
		if (cli__parse_seconds(optarg, &o->duration))
			return cli__usage_error(tool, "invalid duration '%s' (seconds, a decimal "
						"number)", optarg);
		return -1;
	case 'v':
		o->verbose = true;
		return -1;
	case 'j':
		o->json = true;
		return -1;
	case CLI_OPT_FORCE:
		o->force = true;
		return -1;
	case CLI_OPT_UNSAFE:
		o->unsafe = true;
		return -1;
	case CLI_OPT_PROM:
	case CLI_OPT_PPROF:
		if (!*optarg)
			return cli__usage_error(tool, "%s needs a file name",
						c == CLI_OPT_PROM ? "--prom" : "--pprof");
		*(c == CLI_OPT_PROM ? &o->prom : &o->pprof) = optarg;
		return -1;
	case CLI_OPT_ATTACH:
		if (attach_mode__parse(optarg, &o->mode))
			return cli__usage_error(tool, "invalid attach mode '%s': use auto, multi or "
						"single", optarg);
		return -1;
	default:
		return cli__last_option(tool, usage, version, c, argv);
	}
}

int cli_common__check(const char *tool, const struct cli_common *o)
{
	if (o->pid && o->cmd)
		return cli__usage_error(tool, "-p and %s cannot be used together", o->cmd_opt);
	return -1;
}

int cli__parse_pid(const char *s, pid_t *pid)
{
	unsigned long v;

	if (cli__parse_ulong(s, 1, INT_MAX, &v))
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

int cli__parse_seconds(const char *s, double *secs)
{
	size_t digits = strspn(s, "0123456789");
	char *end;
	double v;

	/* Plain decimal only: strtod() would also take "0x10" (16), "1e3",
	 * "inf" and leading blanks, which nobody means as seconds. */
	if (s[digits] == '.')
		digits += 1 + strspn(s + digits + 1, "0123456789");
	if (!digits || s[digits] || !strcmp(s, "."))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 366 * 86400.0)
		return -EINVAL;
	*secs = v;
	return 0;
}

int cli__parse_cpu(const char *s, int *cpu)
{
	unsigned long v;
	int n;

	if (cli__parse_ulong(s, 0, 65535, &v))
		return -EINVAL;
	n = libbpf_num_possible_cpus();
	if (n > 0 && v >= (unsigned long)n)
		return -ENODEV;
	*cpu = (int)v;
	return 0;
}

int cli__cpu_option(const char *tool, const char *arg, int *cpu)
{
	int err = cli__parse_cpu(arg, cpu);

	if (!err)
		return -1;
	return cli__usage_error(tool, err == -ENODEV ? "CPU %s does not exist" :
				"invalid CPU '%s'", arg);
}

int cli__parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool cap_has(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

int cli__check_privilege(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(err, errlen, "cannot read this process's capabilities: %s",
			 strerror(errno));
		return -EPERM;
	}
	if (cap_has(data, CAP_SYS_ADMIN))
		return 0;
	if (cap_has(data, CAP_BPF) && cap_has(data, CAP_PERFMON))
		return 0;
	snprintf(err, errlen,
		 "this tool needs root, or CAP_BPF and CAP_PERFMON (missing: %s%s%s)",
		 cap_has(data, CAP_BPF) ? "" : "CAP_BPF",
		 !cap_has(data, CAP_BPF) && !cap_has(data, CAP_PERFMON) ? ", " : "",
		 cap_has(data, CAP_PERFMON) ? "" : "CAP_PERFMON");
	return -EPERM;
}

int cli__pid_exists(pid_t pid)
{
	if (kill(pid, 0) && errno == ESRCH)
		return -ESRCH;
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void cli__setup_libbpf(bool verbose)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	setrlimit(RLIMIT_MEMLOCK, &rl);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	libbpf_set_print(verbose ? libbpf_verbose : libbpf_quiet);
}

int cli__check_fds(unsigned int need, char *err, size_t errlen)
{
	struct rlimit rl;
	unsigned int open = 0;

	/*
	 * The limit is not raised to the hard one, as perf does: a command
	 * run with -c would inherit it, and programs that close every
	 * descriptor up to the limit slow down with a million of them.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	/* Thousands of descriptors: plenty, without counting them. */
	if (rl.rlim_cur >= 4096)
		return 0;
	for (int fd = 0; fd < (int)rl.rlim_cur; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			open++;
	if (rl.rlim_cur - open >= need)
		return 0;
	snprintf(err, errlen, "only %u file descriptors are free (ulimit -n is %llu, %u are "
		 "open); tracing needs at least %u: raise the limit with ulimit -n",
		 (unsigned int)(rl.rlim_cur - open), (unsigned long long)rl.rlim_cur, open, need);
	return -EMFILE;
}

/*
 * The BPF part of cli__start(). @strict: the tool is going to load BPF,
 * so a feature probe that could not ask the kernel (no descriptor or
 * memory left) ends the run; a listing (-l) only reads files and carries
 * on.
 */
static int start_bpf(const char *tool, bool verbose, struct attach_features *feat, bool strict)
{
	struct attach_features own;
	char msg[512];
	int err;

	cli__setup_libbpf(verbose);
	if (strict && cli__check_fds(CLI_MIN_FREE_FDS, msg, sizeof(msg))) {
		fprintf(stderr, "%s: %s\n", tool, msg);
		return EXIT_RUNTIME;
	}
	if (!feat && !verbose)
		return 0;
	err = attach_features__probe(feat ? feat : &own);
	if (err && strict) {
		fprintf(stderr, "%s: cannot probe the kernel's features: %s\n", tool, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (verbose)
		attach_features__report(feat ? feat : &own, stderr);
	return 0;
}

int cli__start(const char *tool, bool check_privilege, bool verbose, struct attach_features *feat)
{
	if (check_privilege && cli__start_privilege(tool))
		return EXIT_RUNTIME;
	return start_bpf(tool, verbose, feat, check_privilege);
}

int cli__start_privilege(const char *tool)
{
	char msg[512];

	if (!cli__check_privilege(msg, sizeof(msg)))
		return 0;
	fprintf(stderr, "%s: %s\n", tool, msg);
	return EXIT_RUNTIME;
}

int cli__start_bpf(const char *tool, bool verbose, struct attach_features *feat)
{
	return start_bpf(tool, verbose, feat, true);
}

int cli__signals_open(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int cli__finish_output(const char *tool, struct out *out, int status)
{
	int err = out ? out__flush(out) : out_stream__flush(stdout);

	if (!err)
		return status;
	if (err != -EPIPE)
		fprintf(stderr, "%s: cannot write output: %s\n", tool, strerror(-err));
	return EXIT_RUNTIME;
}

/* Has stdout's reader gone? Only pipes and sockets say so (POLLERR,
 * POLLHUP); files, terminals and /dev/null report nothing asked for. */
static bool stdout_closed(const struct pollfd *pfd)
{
	return pfd->revents & (POLLERR | POLLHUP);
}

uint64_t cli__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int cli__pidfd_open(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

enum cli_wake cli__wait(int sigfd, int pidfd, uint64_t deadline_ns, pid_t child, int *status)
{
	return cli__wait_ex(sigfd, pidfd, -1, deadline_ns, child, status);
}

enum cli_wake cli__wait_ex(int sigfd, int pidfd, int event_fd, uint64_t deadline_ns, pid_t child,
			   int *status)
{
	for (;;) {
		/* Negative fds are ignored by poll(). No event is asked of
		 * stdout: POLLERR and POLLHUP come unasked. */
		struct pollfd pfd[4] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = event_fd, .events = POLLIN },
			{ .fd = STDOUT_FILENO },
		};
		struct signalfd_siginfo si;
		int timeout = -1;

		if (deadline_ns) {
			uint64_t now = cli__now_ns();

			if (now >= deadline_ns)
				return CLI_WAKE_TIMEOUT;
			timeout = (deadline_ns - now + 999999) / 1000000;
		}
		if (poll(pfd, 4, timeout) < 0 && errno != EINTR)
			return CLI_WAKE_STOP;
		if (stdout_closed(&pfd[3]))
			return CLI_WAKE_OUTPUT;
		if (pidfd >= 0 && (pfd[1].revents & POLLIN))
			return CLI_WAKE_CHILD;
		if (event_fd >= 0 && (pfd[2].revents & POLLIN) && !(pfd[0].revents & POLLIN))
			return CLI_WAKE_EVENT;
		while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGCHLD)
				return CLI_WAKE_STOP;
			/* Several children may have exited; reap only ours. */
			if (child > 0 && waitpid(child, status, WNOHANG) == child)
				return CLI_WAKE_CHILD;
		}
	}
}

int cli__split_words(const char *s, char ***argvp)
{
	size_t n = 0, cap = 8, len = strlen(s);
	char **argv = calloc(cap, sizeof(*argv));
	char *word = malloc(len + 1);
	int err = -ENOMEM;

	if (!argv || !word)
		goto out_fail;
	for (const char *p = s; *p;) {
		size_t w = 0;
		char quote = 0;
		bool have = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			have = true;
			if (quote) {
				if (*p == quote)
					quote = 0;
				else
					word[w++] = *p;
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else {
				word[w++] = *p;
			}
		}
		if (quote) {
			err = -EINVAL;
			goto out_fail;
		}
		if (!have)
			continue;
		if (n + 2 > cap) {
			char **p2 = realloc(argv, cap * 2 * sizeof(*argv));

			if (!p2)
				goto out_fail;
			argv = p2;
			cap *= 2;
		}
		word[w] = 0;
		argv[n] = strdup(word);
		if (!argv[n])
			goto out_fail;
		argv[++n] = NULL;
	}
	if (!n) {
		err = -EINVAL;
		goto out_fail;
	}
	free(word);
	*argvp = argv;
	return 0;
out_fail:
	free(word);
	cli__free_words(argv);
	return err;
}

void cli__free_words(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

unsigned long cli__map_entries(unsigned long n)
{
	const char *s = getenv("COTRACE_TEST_MAP_ENTRIES");
	unsigned long cap;

	if (s && !cli__parse_ulong(s, 1, ULONG_MAX, &cap) && cap < n)
		n = cap;
	return n ? n : 1;
}

unsigned long cli__test_knob(const char *env, unsigned long n)
{
	const char *s = getenv(env);
	unsigned long v;

	if (!s || cli__parse_ulong(s, 1, n, &v))
		return n;
	return v;
}

void cli__test_detach_delay(void)
{
	const char *s = getenv("COTRACE_TEST_DETACH_DELAY_MS");
	unsigned long ms;

	if (s && !cli__parse_ulong(s, 1, 60000, &ms))
		nanosleep(&(struct timespec){ ms / 1000, ms % 1000 * 1000000L }, NULL);
}

unsigned long cli__ringbuf_bytes(unsigned long n)
{
	const char *s = getenv("COTRACE_TEST_RINGBUF_BYTES");
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE), cap, p2 = 1;

	if (!s || cli__parse_ulong(s, 1, ULONG_MAX, &cap) || cap >= n)
		return n;
	while (p2 <= cap / 2)
		p2 *= 2;
	if (p2 < page)
		p2 = page;
	return p2 < n ? p2 : n;
}

/* 0 if @path is a file we may execute, else why not (-ENOENT, -EISDIR, -EACCES). */
static int runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	/* access() says X_OK of any file to root: a mode bit must be set. */
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) || access(path, X_OK))
		return -EACCES;
	return 0;
}

/*
 * The file execvp() would run for @name: @name itself when it holds a
 * '/', else the first runnable file of that name in $PATH (an empty entry
 * is the current directory). Its path goes to @exe (@len bytes). Returns
 * 0, or why it cannot run: -ENOENT, or -EISDIR or -EACCES for what was
 * found instead.
 */
static int find_program(const char *name, char *exe, size_t len)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	int err = -ENOENT;

	if (strchr(name, '/')) {
		snprintf(exe, len, "%s", name);
		return runnable(name);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", name) <
		    (int)sizeof(buf)) {
			int e = runnable(buf);

			if (!e) {
				snprintf(exe, len, "%s", buf);
				return 0;
			}
			/* As execvp(): a file found but not runnable is the reason
			 * given when nothing else is found. */
			if (e != -ENOENT && e != -ENOTDIR)
				err = e;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return err;
}

/*
 * The child's side of cli_cmd__spawn() after the tracer's go: run @exe,
 * the path found before fork, so that the traced command makes one
 * execve() (execvp() would try each $PATH entry, and those failed calls
 * would be counted as the command's). A file the kernel cannot execute
 * (no "#!" line) is run by /bin/sh, as execvp() does. On failure, the
 * errno goes to @status_fd (close-on-exec: the tracer reads EOF when the
 * exec worked).
 */
static void __attribute__((noreturn)) exec_child(const char *exe, char **argv, int status_fd)
{
	int err;

	execv(exe, argv);
	err = errno;
	if (err == ENOEXEC) {
		size_t n = 0;
		char **sh;

		while (argv[n])
			n++;
		sh = calloc(n + 2, sizeof(*sh));
		if (sh) {
			sh[0] = "sh";
			sh[1] = (char *)exe;
			memcpy(sh + 2, argv + 1, n * sizeof(*sh));
			execv("/bin/sh", sh);
		}
	}
	if (write(status_fd, &err, sizeof(err)) != sizeof(err))
		err = 0;
	_exit(127);
}

int cli_cmd__spawn(const char *cmdline, struct cli_cmd *cmd)
{
	char **argv;
	int go[2], ready[2] = { -1, -1 }, status[2] = { -1, -1 }, err;
	pid_t parent = getpid();
	pid_t pid;
	char c;

	cmd->status_fd = -1;
	err = cli__split_words(cmdline, &argv);
	if (err)
		return err;
	err = find_program(argv[0], cmd->exe, sizeof(cmd->exe));
	if (err)
		goto out_free;
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		goto out_free;
	}
	if (pipe2(ready, O_CLOEXEC) || pipe2(status, O_CLOEXEC)) {
		err = -errno;
		goto out_close;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out_close;
	}
	if (pid == 0) {
		sigset_t set;

		close(go[1]);
		close(ready[0]);
		close(status[0]);
		/*
		 * SIGKILL, as cli_cmd__kill() sends: a command the BPF side
		 * stopped (SIGSTOP, to read its maps) would keep a SIGTERM
		 * pending, stopped for ever, once the tracer died by SIGKILL.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		signal(SIGPIPE, SIG_DFL);
		/*
		 * Everything above happens before the tracer attaches (it waits
		 * for this byte), so none of it is counted as the command's:
		 * after "go" the child makes only the read's return and execve.
		 */
		if (write(ready[1], "r", 1) != 1)
			_exit(127);
		/* Wait for the tracer; EOF without a byte means it gave up. */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		exec_child(cmd->exe, argv, status[1]);
	}
	close(ready[1]);
	ready[1] = -1;
	close(status[1]);
	status[1] = -1;
	if (read(ready[0], &c, 1) != 1) {
		err = -ECHILD;
		waitpid(pid, NULL, 0);
		goto out_close;
	}
	close(go[0]);
	go[0] = -1;
	cmd->pid = pid;
	cmd->go_fd = go[1];
	go[1] = -1;
	cmd->status_fd = status[0];
	status[0] = -1;
	err = 0;
out_close:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (ready[i] >= 0)
			close(ready[i]);
		if (status[i] >= 0)
			close(status[i]);
	}
out_free:
	cli__free_words(argv);
	return err;
}

int cli_cmd__start(struct cli_cmd *cmd)
{
	int err = 0, exec_err;
	ssize_t n;

	if (write(cmd->go_fd, "g", 1) != 1)
		err = -errno;
	close(cmd->go_fd);
	cmd->go_fd = -1;
	if (err || cmd->status_fd < 0)
		goto out;
	/* EOF once the exec has closed the pipe; the errno when it failed. */
	do
		n = read(cmd->status_fd, &exec_err, sizeof(exec_err));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(exec_err) && exec_err > 0) {
		err = -exec_err;
		/* Reaped here: the run must not wait for a command that never ran. */
		waitpid(cmd->pid, NULL, 0);
		cmd->pid = 0;
	}
out:
	if (cmd->status_fd >= 0)
		close(cmd->status_fd);
	cmd->status_fd = -1;
	return err;
}

void cli_cmd__kill(struct cli_cmd *cmd)
{
	if (cmd->status_fd >= 0) {
		close(cmd->status_fd);
		cmd->status_fd = -1;
	}
	if (cmd->pid <= 0)
		return;
	if (cmd->go_fd >= 0) {
		close(cmd->go_fd);
		cmd->go_fd = -1;
	}
	kill(cmd->pid, SIGKILL);
	waitpid(cmd->pid, NULL, 0);
	cmd->pid = 0;
}

bool cli__is_exec_error(int err)
{
	return err == -ENOENT || err == -EACCES || err == -EISDIR || err == -ENOEXEC ||
	       err == -ENOTDIR || err == -ELOOP || err == -ENAMETOOLONG || err == -ETXTBSY;
}

int cli_run__init(struct cli_run *r, pid_t pid, const char *cmd, double duration, double interval,
		  char *err, size_t errlen)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->pidfd = r->event_fd = r->cmd.go_fd = r->cmd.status_fd = -1;
	r->deadline = duration > 0 ? (uint64_t)(duration * 1e9) : 0;	/* relative until start */
	r->interval = interval > 0 ? (uint64_t)(interval * 1e9) : 0;
	r->sigfd = cli__signals_open();
	if (r->sigfd < 0) {
		snprintf(err, errlen, "cannot set up signal handling: %s", strerror(-r->sigfd));
		return r->sigfd;
	}
	if (cmd) {
		ret = cli_cmd__spawn(cmd, &r->cmd);
		if (ret) {
			snprintf(err, errlen, "cannot run '%s': %s", cmd,
				 ret == -EINVAL ? "empty command or unbalanced quote" :
				 ret == -ENOENT ? "no such program" : strerror(-ret));
			/* A command that cannot run is the user's mistake: a usage error. */
			return cli__is_exec_error(ret) ? -EINVAL : ret;
		}
	}
	if (pid > 0) {
		if (cli__pid_exists(pid)) {
			snprintf(err, errlen, "process %d does not exist", pid);
			return -ESRCH;
		}
		/* Without pidfd (before 5.3) the run just does not end with the process. */
		r->pidfd = cli__pidfd_open(pid);
		/* It can exit between the two checks: without a pidfd the run would
		 * never end, and the pid could be another process's by now. */
		if (r->pidfd == -ESRCH) {
			snprintf(err, errlen, "process %d does not exist", pid);
			return -ESRCH;
		}
	}
	return 0;
}

int cli_run__init_or_say(const char *tool, struct cli_run *r, pid_t pid, const char *cmd,
			 double duration, double interval)
{
	char msg[1024];
	int err;

	err = cli_run__init(r, pid, cmd, duration, interval, msg, sizeof(msg));
	if (!err)
		return 0;
	fprintf(stderr, "%s: %s\n", tool, msg);
	return err == -EINVAL || err == -ESRCH ? EXIT_USAGE : EXIT_RUNTIME;
}

pid_t cli_run__target(const struct cli_run *r, pid_t pid)
{
	return pid > 0 ? pid : r->cmd.pid;
}

int cli_run__start(struct cli_run *r)
{
	uint64_t now = cli__now_ns();

	if (r->deadline)
		r->deadline += now;
	if (r->interval)
		r->next_report = now + r->interval;
	if (r->cmd.pid > 0 && r->cmd.go_fd >= 0)
		return cli_cmd__start(&r->cmd);
	return 0;
}

enum cli_step cli_run__next(struct cli_run *r)
{
	if (r->out && out__flush(r->out))
		return CLI_STEP_FAILED;
	for (;;) {
		uint64_t wake = r->next_report;
		enum cli_wake why;

		if (r->deadline && (!wake || r->deadline < wake))
			wake = r->deadline;
		why = cli__wait_ex(r->sigfd, r->pidfd, r->event_fd, wake, r->cmd.pid, &r->status);
		switch (why) {
		case CLI_WAKE_EVENT:
			return CLI_STEP_EVENT;
		case CLI_WAKE_CHILD:
			if (r->pidfd < 0)
				r->cmd.pid = 0;	/* reaped by cli__wait */
			return CLI_STEP_LAST;
		case CLI_WAKE_STOP:
			return CLI_STEP_LAST;
		case CLI_WAKE_OUTPUT:
			return CLI_STEP_FAILED;
		case CLI_WAKE_TIMEOUT:
			break;
		}
		if (r->deadline && cli__now_ns() >= r->deadline)
			return CLI_STEP_LAST;
		if (r->next_report && cli__now_ns() >= r->next_report) {
			r->next_report += r->interval;
			return CLI_STEP_REPORT;
		}
	}
}

void cli_run__fini(struct cli_run *r)
{
	cli_cmd__kill(&r->cmd);
	if (r->sigfd > 0)
		close(r->sigfd);
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->sigfd = r->pidfd = -1;
}
