/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli: what every tool's front end shares: number parsing for options,
 * privilege checks, signals (through a signalfd, so no global flags), the
 * main wait loop, running a command to trace (-c CMD), and the start-up
 * steps every tool takes (the *_or_say and cli__start* functions tell the
 * user on stderr, as "TOOL: ...", what went wrong: cli speaks for the
 * shared options and steps, never for results).
 */
#ifndef COTRACE_CLI_H
#define COTRACE_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/attach.h"

struct out;

/* Exit codes shared by all tools. */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
};

/*
 * The getopt values of the long-only options the tools share; a tool's own
 * long-only options start at CLI_OPT_TOOL.
 */
#define CLI_OPT_VERSION 256	/* --version */
#define CLI_OPT_ATTACH 257	/* --attach MODE */
#define CLI_OPT_CMD 258		/* --cmd CMD, in tools whose -c means something else */
#define CLI_OPT_UNSAFE 259	/* --unsafe: raw offsets that cannot be checked (common/insn.h) */
#define CLI_OPT_PROM 260	/* --prom FILE: Prometheus metrics (common/prom.h) */
#define CLI_OPT_PPROF 261	/* --pprof FILE: a pprof profile (common/pprof.h) */
#define CLI_OPT_FORCE 262	/* --force: return probes in Go programs (tool__check_sites()) */
#define CLI_OPT_TOOL 300

/* The end of every tool's long options: -j and -v, which every tool has,
 * --help, --version, the terminator. */
#define CLI_LONG_OPTS_END \
	{ "json", no_argument, NULL, 'j' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, CLI_OPT_VERSION }, \
	{ NULL, 0, NULL, 0 }

/* The end of the long options of the tools that attach probe specs. */
#define CLI_LONG_OPTS_SITES_END \
	{ "attach", required_argument, NULL, CLI_OPT_ATTACH }, \
	{ "unsafe", no_argument, NULL, CLI_OPT_UNSAFE }, \
	{ "force", no_argument, NULL, CLI_OPT_FORCE }, \
	CLI_LONG_OPTS_END

/* The --help lines of the shared options, as every tool words them. */
#define CLI_HELP_ATTACH \
"      --attach MODE      auto (default), multi (one multi-uprobe link per binary)\n" \
"                         or single (one perf-event uprobe per site)\n"
#define CLI_HELP_UNSAFE \
"      --unsafe           probe a raw offset (PATH:0xOFFSET) that no function\n" \
"                         symbol covers, so that it cannot be checked to start\n" \
"                         an instruction; offsets in data are refused anyway\n"
#define CLI_HELP_END \
"  -h, --help             show this help\n" \
"      --version          show the version\n"

/*
 * Print the one-line usage error every tool gives, "TOOL: MESSAGE (try
 * 'TOOL --help')", on stderr. Returns EXIT_USAGE. (cli is where the shared
 * options live, so it speaks for them; results never go through here.)
 */
int cli__usage_error(const char *tool, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The end of every tool's getopt switch: -h prints @usage on stdout and
 * --version @version (COTRACE_VERSION, from the tool's build), both returning EXIT_OK
 * (EXIT_RUNTIME when stdout cannot be written, see cli__finish_output()); anything else (':' for a
 * missing argument when the optstring starts with ':', '?' otherwise) is a
 * one-line usage error naming the option, returning EXIT_USAGE. opterr
 * must be 0. @argv is the tool's.
 */
int cli__last_option(const char *tool, const char *usage, const char *version, int c,
		     char **argv);

/*
 * The options most tools share, filled by cli__common_option(). Zeroed, it
 * holds the defaults (ATTACH_AUTO is 0).
 */
struct cli_common {
	pid_t pid;		/* -p PID */
	const char *cmd;	/* -c CMD, or --cmd CMD */
	const char *cmd_opt;	/* how the command was given, "-c" or "--cmd", for messages */
	double interval;	/* -i SECS */
	double duration;	/* -d SECS */
	bool verbose;		/* -v */
	bool json;		/* -j: JSON lines */
	bool force;		/* --force: return probes in Go programs too */
	enum attach_mode mode;	/* --attach MODE */
	bool unsafe;		/* --unsafe, as PROBE_F_UNSAFE for the probe specs */
	const char *prom;	/* --prom FILE, or NULL */
	const char *pprof;	/* --pprof FILE, or NULL */
};

/*
 * The default branch of a tool's getopt switch: the options of struct
 * cli_common (-p, -c, --cmd as CLI_OPT_CMD, -i, -d, -v, -j, --attach as
 * CLI_OPT_ATTACH, --unsafe as CLI_OPT_UNSAFE, --force as CLI_OPT_FORCE,
 * --prom as CLI_OPT_PROM,
 * --pprof as CLI_OPT_PPROF) into @o, with the usage
 * errors they share, else what cli__last_option() does. Only options in the tool's optstring and long
 * options reach it; a tool whose letter means something else (argdist's
 * -c, profile's -p) has its own case for it. @usage, @version and @argv
 * as for cli__last_option(). Returns -1 to go on, or an exit code.
 */
int cli__common_option(const char *tool, const char *usage, const char *version, int c,
		       char **argv, struct cli_common *o);

/*
 * The check of the shared options after getopt: a pid and a command
 * cannot go together. Returns -1 to go on, or EXIT_USAGE after the usage
 * error.
 */
int cli_common__check(const char *tool, const struct cli_common *o);

/* Parse a positive pid; 0 or -EINVAL. */
int cli__parse_pid(const char *s, pid_t *pid);
/* Parse seconds: a plain decimal number ("2", "0.5"; no sign, exponent
 * or hex), > 0, at most a year. 0 or -EINVAL. */
int cli__parse_seconds(const char *s, double *secs);
/* Parse a CPU number (bcc's -c CPU, profile's -C): 0, -EINVAL when @s is
 * not a number, -ENODEV when this machine has no such CPU. */
int cli__parse_cpu(const char *s, int *cpu);
/* cli__parse_cpu() of an option's @arg, with the usage error it gives as
 * "TOOL: ...". Returns -1 to go on, or EXIT_USAGE. */
int cli__cpu_option(const char *tool, const char *arg, int *cpu);
/* Parse an unsigned number within [min, max]; 0 or -EINVAL. */
int cli__parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/*
 * The size to give a table that can fill (a BPF hash or stack-trace map):
 * @n, or less when the environment variable COTRACE_TEST_MAP_ENTRIES
 * holds a smaller positive number. It exists so that tests can fill every
 * table with little work and check the losses reported; it can only lower
 * a size, never raise it. Never below 1.
 */
unsigned long cli__map_entries(unsigned long n);

/*
 * The size in bytes to give a BPF ring buffer of @n bytes (a power of two,
 * a multiple of the page size): @n, or less when COTRACE_TEST_RINGBUF_BYTES
 * holds a smaller positive number, rounded down to a power of two and
 * never below one page. Like cli__map_entries(), for tests: it can only
 * lower a size, never raise it.
 */
unsigned long cli__ringbuf_bytes(unsigned long n);

/*
 * For tests: @n, or fewer when the environment variable @env holds a
 * number from 1 to @n (one table's size, one threshold); never more.
 */
unsigned long cli__test_knob(const char *env, unsigned long n);

/*
 * For tests: sleep the milliseconds COTRACE_TEST_DETACH_DELAY_MS holds, if
 * any, so that a test can make hits land after a run's last read and
 * before the tool detaches (as a slow final report would).
 */
void cli__test_detach_delay(void);

/*
 * Check that the process may load BPF programs and open perf events:
 * CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON. Returns 0, or -EPERM with a
 * sentence naming what is missing in @err.
 */
int cli__check_privilege(char *err, size_t errlen);

/* Ensure pid @pid exists; -ESRCH if not. */
int cli__pid_exists(pid_t pid);

/*
 * Raise RLIMIT_MEMLOCK (kernels before 5.11 charge BPF maps to it) and
 * silence libbpf unless @verbose.
 */
void cli__setup_libbpf(bool verbose);

/*
 * Check that @need file descriptors are free below the limit on open
 * files: the BPF object and the feature probes of libbpf and attach.c
 * need them, and a probe that runs out is easily taken for a kernel that
 * lacks the feature (libbpf 1.1.2 then fails the load with "map '.rodata'
 * is referenced but wasn't created"). Returns 0, or -EMFILE with one
 * sentence in @err.
 */
int cli__check_fds(unsigned int need, char *err, size_t errlen);

/* What the tools need free at start: the object, libbpf's probes and ours. */
#define CLI_MIN_FREE_FDS 32

/*
 * What every tool does before it opens its BPF object:
 * cli__start_privilege() then cli__start_bpf(); funccount and
 * uprobe-trace skip the privilege check when they only list sites (-l),
 * with @check_privilege false (then the descriptors are not counted and
 * a feature probe that fails for want of them or of privilege does not
 * end the run). Returns 0, or EXIT_RUNTIME after saying why on stderr.
 */
int cli__start(const char *tool, bool check_privilege, bool verbose, struct attach_features *feat);

/*
 * cli__check_privilege(), saying what is missing on stderr as
 * "TOOL: ...". Returns 0 or EXIT_RUNTIME. For tools with a check of their
 * own between it and cli__start_bpf().
 */
int cli__start_privilege(const char *tool);

/*
 * cli__setup_libbpf(@verbose), cli__check_fds(CLI_MIN_FREE_FDS), then
 * probe the kernel's features into @feat and, with @verbose, report them
 * on stderr. Tools that attach no site (@feat NULL) probe them only for
 * the report. Returns 0, or EXIT_RUNTIME after saying on stderr, as
 * "TOOL: ...", that descriptors are short or a probe could not ask the
 * kernel (attach_features.error).
 */
int cli__start_bpf(const char *tool, bool verbose, struct attach_features *feat);

/*
 * Block SIGINT, SIGTERM, SIGHUP and SIGCHLD and return a signalfd that
 * receives them; ignore SIGPIPE (a closed output is seen as EPIPE, so the
 * tool detaches and exits 1 instead of dying). Returns the fd or a
 * negative errno.
 */
int cli__signals_open(void);

/*
 * The end of a tool's results on stdout, on every path after @out was
 * made (NULL: stdout itself, for --help and --version): flush @out and,
 * if a write failed, then or before, say "TOOL: cannot write output:
 * REASON" on stderr and return EXIT_RUNTIME; else return @status. A pipe
 * whose reader has gone (EPIPE) is not reported: as with other Unix
 * tools in a pipeline, it is not an error worth a message, only a
 * non-zero exit.
 */
int cli__finish_output(const char *tool, struct out *out, int status);

enum cli_wake {
	CLI_WAKE_TIMEOUT,	/* the interval elapsed */
	CLI_WAKE_STOP,		/* SIGINT, SIGTERM or SIGHUP: finish and report */
	CLI_WAKE_CHILD,		/* the traced command (or traced pid) exited */
	CLI_WAKE_EVENT,		/* the extra fd of cli__wait_ex() is readable */
	CLI_WAKE_OUTPUT,	/* stdout's reader has gone: stop, report nothing */
};

/*
 * Wait until @deadline_ns (CLOCK_MONOTONIC, 0: forever) or a signal on
 * @sigfd. With @child > 0, a SIGCHLD for it that reaps it returns
 * CLI_WAKE_CHILD and stores its wait status in *status. Other SIGCHLDs
 * are ignored. With @pidfd >= 0 (from cli__pidfd_open), the exit of that
 * process returns CLI_WAKE_CHILD too. When stdout is a pipe or socket
 * whose reader has gone (POLLERR or POLLHUP), CLI_WAKE_OUTPUT: a tool
 * with nothing to print would otherwise learn it only at its next write.
 */
enum cli_wake cli__wait(int sigfd, int pidfd, uint64_t deadline_ns, pid_t child, int *status);

/* cli__wait() that also returns CLI_WAKE_EVENT when @event_fd (>= 0; a
 * ring buffer's epoll fd, say) is readable. */
enum cli_wake cli__wait_ex(int sigfd, int pidfd, int event_fd, uint64_t deadline_ns, pid_t child,
			   int *status);

/* A pidfd for @pid, readable when it exits; a negative errno on kernels
 * without pidfd_open (5.3+). */
int cli__pidfd_open(pid_t pid);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t cli__now_ns(void);

/*
 * A command to trace: forked at once, held before exec until
 * cli_cmd__start(), so probes can be attached to its pid first.
 */
struct cli_cmd {
	pid_t pid;
	int go_fd;	/* write end of the pipe the child waits on */
	int status_fd;	/* read end of the pipe the child's exec failure comes through */
	char exe[PATH_MAX];	/* the program, found through $PATH as execvp() would */
};

/*
 * Fork @cmdline (split on blank space; single and double quotes group
 * words; no other shell syntax) held before exec. The program is found
 * now, through $PATH as execvp() would, and the child execs that path
 * itself: the traced command makes one execve(). The child gets SIGKILL
 * if the tracer dies. Returns 0 or a negative errno: -EINVAL for an empty
 * command or an unbalanced quote, -ENOENT for no such program, -EISDIR or
 * -EACCES for one that cannot run.
 */
int cli_cmd__spawn(const char *cmdline, struct cli_cmd *cmd);
/*
 * Let the child exec, and wait until it has: returns 0, or the negative
 * errno of an exec that failed (the child is then reaped and cmd->pid
 * is 0), or of the write that lets it go.
 */
int cli_cmd__start(struct cli_cmd *cmd);
/* Kill and reap a child that is still there (on error paths). */
void cli_cmd__kill(struct cli_cmd *cmd);

/* Is @err (negative) an exec failure that is the user's to fix: no such
 * program, a directory, no permission, not an executable? */
bool cli__is_exec_error(int err);

/*
 * The life of a tracing run shared by the tools: signals, the traced
 * command (-c) or process (-p, ending when it exits), the duration (-d)
 * and the report interval (-i).
 */
struct cli_run {
	int sigfd;
	int pidfd;		/* -p: readable when the process exits */
	int event_fd;		/* optional: a ring buffer's epoll fd */
	struct cli_cmd cmd;	/* -c */
	uint64_t deadline;	/* 0: none */
	uint64_t interval;	/* ns, 0: report only at the end */
	uint64_t next_report;
	int status;		/* wait status of the command once it exited */
	struct out *out;	/* optional, borrowed: the results, flushed at each step */
};

/* A struct cli_run that cli_run__fini() may be given before cli_run__init(). */
#define CLI_RUN_INIT { .sigfd = -1, .pidfd = -1, .event_fd = -1, .cmd.go_fd = -1, \
			.cmd.status_fd = -1 }

/*
 * Set up signals, fork @cmd held before exec (if not NULL) and open a
 * pidfd for @pid (if > 0). Returns 0, or a negative errno with one
 * sentence in @err (-EINVAL: a malformed command).
 */
int cli_run__init(struct cli_run *r, pid_t pid, const char *cmd, double duration, double interval,
		  char *err, size_t errlen);
/*
 * cli_run__init(), saying what went wrong on stderr as "TOOL: ...".
 * Returns 0, or the exit code: EXIT_USAGE for a command that cannot run
 * or a process that does not exist, else EXIT_RUNTIME.
 */
int cli_run__init_or_say(const char *tool, struct cli_run *r, pid_t pid, const char *cmd,
			 double duration, double interval);
/* The process to trace: @pid of init, or the command's pid, or 0. */
pid_t cli_run__target(const struct cli_run *r, pid_t pid);
/* Start the clock (and the command). Returns 0 or a negative errno: that
 * of cli_cmd__start() when the command could not be run. */
int cli_run__start(struct cli_run *r);

enum cli_step {
	CLI_STEP_EVENT,		/* event_fd is readable: consume it and call again */
	CLI_STEP_REPORT,	/* an interval ended: report and call again */
	CLI_STEP_LAST,		/* the run is over: report one last time */
	CLI_STEP_FAILED,	/* the output failed: stop at once, report nothing, exit 1 */
};
/*
 * Wait for the next thing to do. First, what the last step printed is
 * flushed (with r->out set, after cli_run__init()): a write that failed
 * ends the run with CLI_STEP_FAILED, as does a closed stdout (see
 * cli__wait()). The tool then detaches and ends with cli__finish_output(),
 * which tells why.
 */
enum cli_step cli_run__next(struct cli_run *r);
/* Kill a command still running, close fds. */
void cli_run__fini(struct cli_run *r);

/* Split @s into argv (malloc'ed array and strings, NULL-terminated);
 * -EINVAL for an unbalanced quote or an empty command. */
int cli__split_words(const char *s, char ***argv);
void cli__free_words(char **argv);

#endif
