// SPDX-License-Identifier: GPL-2.0-only
/*
 * uprobe-trace: print one line per hit of user probes, USDT probes and
 * tracepoints, with arguments fetched by the generic fetch interpreter
 * and formatted as bcc's trace does, or as ftrace's uprobe_events
 * fetch-args ("name=value ...").
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/attach.h"
#include "common/cli.h"
#include "common/dwarf.h"
#include "common/kbtf.h"
#include "common/fetch.h"
#include "common/output.h"
#include "common/probe.h"
#include "common/sites.h"
#include "common/syms.h"
#include "bpf/uprobe_trace.h"
#include "uprobe_trace.skel.h"

#define MAX_ARGS 12
#define MAX_WIDTH 4096		/* of a format's conversion, and its precision */
#define DEFAULT_PAGES 256
#define POLL_SECONDS 0.1

/* A printf conversion of a format string. */
struct conv {
	char flags[24];		/* flags, width and precision as written */
	char len[3];		/* length modifier: "", h, hh, l, ll, z, j */
	char c;			/* d i u x X o c s p */
};

/* One probe as given on the command line. */
struct probe {
	const char *text;
	char *spec;		/* for site resolution: "p:c:write", "/bin/app:0x2794c0" */
	char *event;		/* uprobe_events EVENT name, or NULL */
	char *filter;
	char *fmt;		/* bcc format string, unescaped, or NULL */
	bool ftrace;		/* fetch-args: "name=value" output */
	char *args[MAX_ARGS];
	char *names[MAX_ARGS];	/* ftrace names of the args */
	int nargs;
	struct conv convs[MAX_ARGS];
	int nconvs;
	enum probe_kind kind;
};

struct options {
	struct cli_common cli;	/* -p -c -d -v --attach */
	pid_t tid;
	const char *comm;
	unsigned long max_events;
	bool timestamp;		/* -t: seconds since start */
	bool time_of_day;	/* -T */
	bool json;
	bool list;
	bool user_stack;
	bool address;
	unsigned long str_size;
	unsigned long pages;
	struct probe *probes;
	int nprobes;
};

static const char usage[] =
"Usage: uprobe-trace [OPTIONS] PROBE...\n"
"Print one line per hit of user functions, USDT probes, tracepoints and kernel\n"
"functions, with arguments.\n"
"\n"
"Probes (bcc trace syntax):\n"
"  [p:]lib:func [(FILTER)] [\"FORMAT\"[, ARG...]]   function entry\n"
"  r:lib:func ...                                  function return (retval)\n"
"  u:lib:[provider:]name ...                       USDT probe (arg1..argN)\n"
"  t:category:event ...                            tracepoint (args->FIELD)\n"
"  lib:0xOFFSET ...                                raw file offset\n"
"  func | p::func | r::func ...                    kernel function (kprobes)\n"
"uprobe_events syntax:\n"
"  p[:[GRP/]EVENT] PATH:OFFSET [NAME=]FETCHARG ... r[:[GRP/]EVENT] PATH:OFFSET ...\n"
"  p:lib:func FETCHARG ...                         bcc probe, ftrace arguments\n"
"Arguments: arg1..arg6 retval %di +8(%di) *(arg2+16) $comm $pid $tid $uid $cpu\n"
"  $stackN args->FIELD, with :u8..u64 :s8..s64 :x8..x64 :string; FILTER is a C\n"
"  expression over them, with STRCMP(\"text\", arg). Parameters by name: from\n"
"  DWARF for user functions, from the kernel's BTF for kernel functions (-l -v\n"
"  lists them).\n"
"\n"
"Options:\n"
"  -p, --pid PID          trace only process PID; stop when it exits\n"
"  -L, --tid TID          trace only thread TID\n"
"  -c, --cmd CMD          run CMD and trace it and its children; stop when it exits\n"
"  -n, --name NAME        print only processes whose name contains NAME\n"
"  -M, --max-events N     stop after N events\n"
"  -t, --timestamp        print seconds since the start\n"
"  -T, --time             print the time of day\n"
"  -Z, --string-size N    bytes of string arguments (default 80)\n"
"  -b, --buffer-pages N   ring buffer pages (default 256, rounded up to a power of 2)\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -U, --user-stack       print the user stack of each event\n"
"  -a, --address          with -U, print each frame's address too\n"
"  -l, --list             list the matching probe sites and exit\n"
"  -j, --json             JSON lines output\n"
"  -v, --verbose          verbose: libbpf errors, kernel features\n"
"      --attach MODE      auto (default), multi or single\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"\n"
"Examples:\n"
"  uprobe-trace 'p:c:write (arg1 == 1) \"wrote %d bytes\", arg3'\n"
"  uprobe-trace 'r:bash:readline \"%s\", retval'\n"
"  uprobe-trace 'r:c:malloc (retval == 0) \"malloc failed\"'\n"
"  uprobe-trace 'u:/usr/bin/python3:function__entry \"%s\", arg2'\n"
"  uprobe-trace 't:syscalls:sys_enter_openat \"%s\", args->filename'\n"
"  uprobe-trace 'p:mygrp/myevent /bin/app:0x2794c0 %di +0(%si):string $comm'\n"
"  uprobe-trace 'r:bash:readline +0($retval):string'\n"
"  uprobe-trace 'do_sys_openat2 \"%s\", filename'\n"
"  uprobe-trace -l -v vfs_read\n"
"  uprobe-trace -c './app' 'p:c:exit \"%s exited with code %d\", $comm, arg1'\n";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, 'L' },
	{ "cmd", required_argument, NULL, 'c' },
	{ "name", required_argument, NULL, 'n' },
	{ "max-events", required_argument, NULL, 'M' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "time", no_argument, NULL, 'T' },
	{ "string-size", required_argument, NULL, 'Z' },
	{ "buffer-pages", required_argument, NULL, 'b' },
	{ "duration", required_argument, NULL, 'd' },
	{ "user-stack", no_argument, NULL, 'U' },
	{ "address", no_argument, NULL, 'a' },
	{ "list", no_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "attach", required_argument, NULL, CLI_OPT_ATTACH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CLI_OPT_VERSION },
	{}
};

#define usage_error(...) cli__usage_error("uprobe-trace", __VA_ARGS__)

/* ---- probe text ------------------------------------------------------------------ */

static char *strndup_trim(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/* Skip a balanced (...) group starting at @s; NULL if unbalanced. Quotes
 * inside are skipped whole. */
static const char *skip_group(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				if (*s == '\\' && s[1])
					s++;
			if (!*s)
				return NULL;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')' && --depth == 0) {
			return s + 1;
		}
	}
	return NULL;
}

/* Parse a format string's conversions into @p. One sentence in @err. */
static int parse_format(struct probe *p, char *err, size_t errlen)
{
	for (const char *s = p->fmt; *s; s++) {
		struct conv *c;
		size_t n = 0;

		if (*s != '%')
			continue;
		if (s[1] == '%') {
			s++;
			continue;
		}
		if (p->nconvs >= MAX_ARGS) {
			snprintf(err, errlen, "too many conversions in format \"%s\" (at most %d)",
				 p->fmt, MAX_ARGS);
			return -EINVAL;
		}
		c = &p->convs[p->nconvs];
		s++;
		while (*s && strchr("-+ #0123456789.", *s) && n + 1 < sizeof(c->flags))
			c->flags[n++] = *s++;
		c->flags[n] = 0;
		n = 0;
		while (*s && strchr("hlzj", *s) && n < 2)
			c->len[n++] = *s++;
		c->len[n] = 0;
		if (!*s || !strchr("diuxXocsp", *s)) {
			snprintf(err, errlen, "bad conversion '%%%s%s%.1s' in format \"%s\"", c->flags,
				 c->len, *s ? s : "", p->fmt);
			return -EINVAL;
		}
		c->c = *s;
		/* A width of 999999999 would pad every event's line to a gigabyte
		 * (found by tests/fuzz/fuzz_trace_probe): at most MAX_WIDTH. */
		for (const char *d = c->flags; *d; d++) {
			if (isdigit((unsigned char)*d) && strtoul(d, NULL, 10) > MAX_WIDTH) {
				snprintf(err, errlen, "width or precision over %d in conversion "
					 "'%%%s%s%c' in format \"%s\"", MAX_WIDTH, c->flags, c->len,
					 c->c, p->fmt);
				return -EINVAL;
			}
		}
		p->nconvs++;
	}
	return 0;
}

/* The fetch type a conversion asks for. */
static const char *conv_type(const struct conv *c)
{
	bool wide = c->len[0] == 'l' || c->len[0] == 'z' || c->len[0] == 'j';
	bool sign = c->c == 'd' || c->c == 'i';

	switch (c->c) {
	case 's':
		return "string";
	case 'c':
		return "u8";
	case 'p':
		return "x64";
	}
	if (!strcmp(c->len, "hh"))
		return sign ? "s8" : "u8";
	if (c->len[0] == 'h')
		return sign ? "s16" : "u16";
	if (wide)
		return sign ? "s64" : "u64";
	return sign ? "s32" : "u32";
}

/* Unescape \n \t \\ \" of a format string in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

static bool is_ftrace_head(const char *tok, size_t n)
{
	const char *colon;

	if (n == 1 && (tok[0] == 'p' || tok[0] == 'r'))
		return true;
	if (n < 3 || (tok[0] != 'p' && tok[0] != 'r') || tok[1] != ':')
		return false;
	colon = memchr(tok + 2, ':', n - 2);
	return !colon;
}

/* Split @text into @p. Returns 0 or -EINVAL with one sentence in @err. */
static int probe__parse(struct probe *p, const char *text, char *err, size_t errlen)
{
	const char *s = text, *tok;
	size_t n;

	memset(p, 0, sizeof(*p));
	p->text = text;
	while (isspace((unsigned char)*s))
		s++;
	tok = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	n = s - tok;
	if (!n) {
		snprintf(err, errlen, "empty probe");
		return -EINVAL;
	}
	if (is_ftrace_head(tok, n)) {
		const char *loc;

		if (n > 2) {
			const char *slash = memchr(tok, '/', n);
			const char *name = slash ? slash + 1 : tok + 2;

			p->event = strndup(name, tok + n - name);
		}
		while (isspace((unsigned char)*s))
			s++;
		loc = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (s == loc || !memchr(loc, ':', s - loc)) {
			snprintf(err, errlen, "missing PATH:OFFSET in uprobe_events probe '%s'", text);
			return -EINVAL;
		}
		if (asprintf(&p->spec, "%c:%.*s", tok[0], (int)(s - loc), loc) < 0)
			return -ENOMEM;
		p->ftrace = true;
	} else {
		p->spec = strndup(tok, n);
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '(') {
		const char *end = skip_group(s);

		if (!end) {
			snprintf(err, errlen, "unbalanced parentheses in the filter of '%s'", text);
			return -EINVAL;
		}
		p->filter = strndup_trim(s + 1, end - s - 2);
		s = end;
		while (isspace((unsigned char)*s))
			s++;
	}
	if (*s == '"' && !p->ftrace) {
		const char *q = s + 1;

		for (; *q && *q != '"'; q++)
			if (*q == '\\' && q[1])
				q++;
		if (!*q) {
			snprintf(err, errlen, "unterminated format string in '%s'", text);
			return -EINVAL;
		}
		p->fmt = strndup(s + 1, q - s - 1);
		unescape(p->fmt);
		if (parse_format(p, err, errlen))
			return -EINVAL;
		s = q + 1;
		/* , arg, arg... split on commas outside parentheses and quotes. */
		while (isspace((unsigned char)*s))
			s++;
		while (*s) {
			const char *a;
			int depth = 0;

			if (*s != ',') {
				snprintf(err, errlen, "expected ',' before '%s' in '%s'", s, text);
				return -EINVAL;
			}
			a = ++s;
			for (; *s && (depth || *s != ','); s++) {
				if (*s == '(')
					depth++;
				else if (*s == ')')
					depth--;
			}
			if (p->nargs >= MAX_ARGS) {
				snprintf(err, errlen, "too many arguments in '%s' (at most %d)", text,
					 MAX_ARGS);
				return -EINVAL;
			}
			p->args[p->nargs++] = strndup_trim(a, s - a);
			if (!*p->args[p->nargs - 1]) {
				snprintf(err, errlen, "empty argument in '%s'", text);
				return -EINVAL;
			}
		}
		if (p->nargs != p->nconvs) {
			snprintf(err, errlen, "the format \"%s\" has %d conversion%s but %d argument%s "
				 "%s given", p->fmt, p->nconvs, p->nconvs == 1 ? "" : "s", p->nargs,
				 p->nargs == 1 ? "" : "s", p->nargs == 1 ? "was" : "were");
			return -EINVAL;
		}
		return 0;
	}
	/* ftrace fetch-args: [NAME=]FETCHARG separated by blanks. */
	while (*s) {
		const char *a = s, *eq;

		while (*s && !isspace((unsigned char)*s))
			s++;
		if (p->nargs >= MAX_ARGS) {
			snprintf(err, errlen, "too many arguments in '%s' (at most %d)", text, MAX_ARGS);
			return -EINVAL;
		}
		eq = memchr(a, '=', s - a);
		if (eq && eq > a && eq[1] != '=') {
			p->names[p->nargs] = strndup(a, eq - a);
			a = eq + 1;
		} else if (asprintf(&p->names[p->nargs], "arg%d", p->nargs + 1) < 0) {
			return -ENOMEM;
		}
		p->args[p->nargs++] = strndup(a, s - a);
		while (isspace((unsigned char)*s))
			s++;
	}
	p->ftrace = true;
	return 0;
}

static void probe__fini(struct probe *p)
{
	free(p->spec);
	free(p->event);
	free(p->filter);
	free(p->fmt);
	for (int i = 0; i < p->nargs; i++) {
		free(p->args[i]);
		free(p->names[i]);
	}
}

static bool is_kernel(enum probe_kind k)
{
	return k == PROBE_KPROBE || k == PROBE_KRETPROBE;
}

static enum fetch_kind fetch_kind_of(enum probe_kind k)
{
	switch (k) {
	case PROBE_URETPROBE:
	case PROBE_KRETPROBE:
		return FETCH_RETURN;
	case PROBE_USDT:
		return FETCH_USDT;
	case PROBE_TRACEPOINT:
		return FETCH_TRACEPOINT;
	default:
		return FETCH_ENTRY;
	}
}

/* Compile probe @p for one site into @plan. */
static int probe__compile(const struct probe *p, const struct fetch_env *env,
			  struct fetch_plan *plan, char *err, size_t errlen)
{
	int ret;

	fetch_plan__init(plan);
	for (int i = 0; i < p->nargs; i++) {
		const char *type = p->fmt ? conv_type(&p->convs[i]) : NULL;
		const struct fetch_value *v;

		/* An explicit ":type" wins; with ftrace args the default is x64 for
		 * registers and memory, as uprobe_events prints them. */
		if (!type && !strchr(p->args[i], ':') && strcmp(p->args[i], "$comm") &&
		    env->kind != FETCH_TRACEPOINT)
			type = "x64";
		ret = fetch_plan__add(plan, p->args[i], type, env, err, errlen);
		if (ret < 0)
			return ret;
		v = &plan->values[ret];
		if (p->fmt) {
			bool str = v->type.vtype == FETCH_T_STRING;

			if (str != (p->convs[i].c == 's')) {
				snprintf(err, errlen, "argument %d ('%s') %s but its conversion is "
					 "'%%%c'", i + 1, p->args[i], str ? "is a string" :
					 "is a number", p->convs[i].c);
				return -EINVAL;
			}
		}
	}
	if (p->filter) {
		ret = fetch_plan__set_filter(plan, p->filter, env, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	char err[512];
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:L:c:n:M:tTZ:b:d:aUljvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'L':
			if (cli__parse_pid(optarg, &o->tid))
				return usage_error("invalid thread id '%s'", optarg);
			break;
		case 'n': o->comm = optarg; break;
		case 'M':
			if (cli__parse_ulong(optarg, 1, ~0UL, &o->max_events))
				return usage_error("invalid number of events '%s'", optarg);
			break;
		case 't': o->timestamp = true; break;
		case 'T': o->time_of_day = true; break;
		case 'Z':
			if (cli__parse_ulong(optarg, 1, FETCH_MAX_STR, &o->str_size))
				return usage_error("invalid string size '%s' (1..1024)", optarg);
			break;
		case 'b':
			if (cli__parse_ulong(optarg, 1, 1 << 18, &o->pages))
				return usage_error("invalid number of pages '%s'", optarg);
			break;
		case 'a': o->address = true; break;
		case 'U': o->user_stack = true; break;
		case 'l': o->list = true; break;
		case 'j': o->json = true; break;
		default:
			ret = cli__common_option("uprobe-trace", usage, COTRACE_VERSION, c, argv,
						 &o->cli);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no probe given");
	ret = cli_common__check("uprobe-trace", &o->cli);
	if (ret >= 0)
		return ret;
	o->nprobes = argc - optind;
	o->probes = calloc(o->nprobes, sizeof(*o->probes));
	if (!o->probes)
		return EXIT_RUNTIME;
	for (int i = 0; i < o->nprobes; i++) {
		struct probe_spec spec;
		struct probe *p = &o->probes[i];

		if (probe__parse(p, argv[optind + i], err, sizeof(err)) ||
		    probe_spec__parse(p->spec, PROBE_F_BARE_KERNEL, &spec, err, sizeof(err))) {
			fprintf(stderr, "uprobe-trace: %s\n", err);
			return EXIT_USAGE;
		}
		p->kind = spec.kind;
		probe_spec__fini(&spec);
		/* Check the expressions now, before any file is read; a
		 * tracepoint's fields are known only once its format is read. */
		if (p->kind != PROBE_TRACEPOINT) {
			struct fetch_env env = { .kind = fetch_kind_of(p->kind),
						 .str_size = o->str_size, .names_later = true,
						 .kernel = is_kernel(p->kind) };
			struct fetch_plan *plan = malloc(sizeof(*plan));

			ret = plan ? probe__compile(p, &env, plan, err, sizeof(err)) : -ENOMEM;

			free(plan);
			if (ret) {
				fprintf(stderr, "uprobe-trace: %s\n", ret == -ENOMEM ? "out of memory" : err);
				return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
			}
		}
	}
	return -1;
}

/* ---- events ------------------------------------------------------------------ */

struct tracer {
	const struct options *o;
	struct syms *syms;		/* -U */
	const struct site_set *set;
	struct fetch_plan *plans;	/* per site */
	struct out *out;
	struct json *json;
	uint64_t start_ns;
	uint64_t printed;
	bool done;			/* -M reached */
	char *line;
	size_t line_cap;
};

/* Append to the tracer's line buffer. */
static void line_add(struct tracer *t, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > t->line_cap) {
		size_t cap = (*len + n + 1) * 2;
		char *p = realloc(t->line, cap);

		if (!p)
			return;
		t->line = p;
		t->line_cap = cap;
	}
	memcpy(t->line + *len, s, n);
	*len += n;
	t->line[*len] = 0;
}

/* The message of one event: the format filled in, or ftrace's name=value. */
static const char *render(struct tracer *t, const struct probe *p, const struct fetch_plan *plan,
			  const void *data, size_t dlen)
{
	char buf[FETCH_MAX_STR + 64], spec[48];
	size_t len = 0;
	int ci = 0;

	line_add(t, &len, "", 0);
	if (!p->fmt) {
		for (int i = 0; i < p->nargs; i++) {
			int n = snprintf(buf, sizeof(buf), "%s%s=", i ? " " : "", p->names[i]);

			line_add(t, &len, buf, n);
			n = fetch_value__format(&plan->values[i], data, dlen, true, buf, sizeof(buf));
			line_add(t, &len, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
		}
		return t->line;
	}
	for (const char *s = p->fmt; *s; s++) {
		const struct conv *c;
		const struct fetch_value *v;
		int n;

		if (*s != '%') {
			const char *e = strchr(s, '%');
			size_t k = e ? (size_t)(e - s) : strlen(s);

			line_add(t, &len, s, k);
			s += k - 1;
			continue;
		}
		if (s[1] == '%') {
			line_add(t, &len, "%", 1);
			s++;
			continue;
		}
		/* Skip the conversion's text; it was parsed into convs[ci]. */
		s++;
		while (*s && !strchr("diuxXocsp", *s))
			s++;
		if (ci >= p->nconvs)
			break;
		c = &p->convs[ci];
		v = &plan->values[ci++];
		switch (c->c) {
		case 's': {
			char str[FETCH_MAX_STR + 1];

			fetch_value__str(v, data, dlen, str, sizeof(str));
			snprintf(spec, sizeof(spec), "%%%ss", c->flags);
			n = snprintf(buf, sizeof(buf), spec, str);
			break;
		}
		case 'c':
			snprintf(spec, sizeof(spec), "%%%sc", c->flags);
			n = snprintf(buf, sizeof(buf), spec, (int)fetch_value__u64(v, data, dlen));
			break;
		case 'p':
			n = snprintf(buf, sizeof(buf), "0x%" PRIx64, fetch_value__u64(v, data, dlen));
			break;
		default:
			snprintf(spec, sizeof(spec), "%%%sll%c", c->flags, c->c);
			n = snprintf(buf, sizeof(buf), spec, (long long)fetch_value__u64(v, data, dlen));
			break;
		}
		if (n > 0)
			line_add(t, &len, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	}
	return t->line;
}

static void func_name(const struct tracer *t, const struct site *s, const struct probe *p,
		      char *buf, size_t len)
{
	if (p->event)
		snprintf(buf, len, "%s", p->event);
	else
		snprintf(buf, len, "%s", s->name);
}

/* One user frame of @pid as text: "func+0x1a" (with -a, "0xADDR func+0x1a"). */
static void format_frame(struct tracer *t, pid_t pid, uint64_t addr, char *buf, size_t len)
{
	struct sym_frame f;
	int n = 0, off = 0;

	if (t->o->address)
		off = snprintf(buf, len, "0x%" PRIx64 " ", addr);
	if (t->syms)
		n = syms__resolve_user(t->syms, pid, addr, &f, 1);
	if (n > 0)
		sym_frame__format(&f, true, buf + off, len - off);
	else
		snprintf(buf + off, len - off, "[unknown]");
}

static int print_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct trace_event *e = data;
	const struct options *o = t->o;
	const struct site *s;
	const struct probe *p;
	const void *d;
	const uint64_t *stack;
	size_t dlen, nframes;
	char comm[17], func[128], tbuf[32] = "", frame[1024];
	const char *msg;

	/* Once stdout failed, the events are only drained (on_event()). */
	if (t->done || ferror(stdout) || size < sizeof(*e) || e->site >= t->set->count)
		return 0;
	s = &t->set->sites[e->site];
	p = &o->probes[s->spec];
	memcpy(comm, e->comm, 16);
	comm[16] = 0;
	if (o->comm && !strstr(comm, o->comm))
		return 0;
	if (e->stack_bytes > size - sizeof(*e))
		return 0;
	d = (const char *)data + sizeof(*e);
	dlen = size - sizeof(*e) - e->stack_bytes;
	nframes = e->stack_bytes / sizeof(uint64_t);
	stack = (const uint64_t *)((const char *)d + dlen);
	msg = render(t, p, &t->plans[e->site], d, dlen);
	func_name(t, s, p, func, sizeof(func));
	if (o->time_of_day) {
		time_t now = time(NULL);
		struct tm tm;

		strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime_r(&now, &tm));
	} else if (o->timestamp) {
		snprintf(tbuf, sizeof(tbuf), "%.6f",
			 e->ts > t->start_ns ? (e->ts - t->start_ns) / 1e9 : 0.0);
	}
	if (t->json) {
		struct json *j = t->json;
		const struct fetch_plan *plan = &t->plans[e->site];

		json__begin_object(j);
		json__str(j, "type", "event");
		if (o->timestamp || o->time_of_day)
			json__f64(j, "ts", e->ts > t->start_ns ? (e->ts - t->start_ns) / 1e9 : 0.0);
		json__u64(j, "pid", e->pid);
		json__u64(j, "tid", e->tid);
		json__u64(j, "cpu", e->cpu);
		json__str(j, "comm", comm);
		json__str(j, "func", func);
		json__str(j, "message", msg ? msg : "");
		json__begin_array(j, "args");
		for (int i = 0; i < p->nargs; i++) {
			const struct fetch_value *v = &plan->values[i];
			char str[FETCH_MAX_STR + 1];

			if (v->type.vtype == FETCH_T_STRING)
				json__str(j, NULL, fetch_value__str(v, d, dlen, str, sizeof(str)));
			else if (v->type.vtype == FETCH_T_SIGNED)
				json__s64(j, NULL, fetch_value__s64(v, d, dlen));
			else
				json__u64(j, NULL, fetch_value__u64(v, d, dlen));
		}
		json__end_array(j);
		if (o->user_stack) {
			json__begin_array(j, "user_stack");
			for (size_t i = 0; i < nframes; i++) {
				format_frame(t, e->pid, stack[i], frame, sizeof(frame));
				json__str(j, NULL, frame);
			}
			json__end_array(j);
		}
		json__end_object(j);
		json__newline(j);
	} else {
		if (tbuf[0])
			printf("%-14s ", tbuf);
		printf("%-7u %-7u %-15s %-16s %s\n", e->pid, e->tid, comm, func, msg ? msg : "");
		for (size_t i = 0; i < nframes; i++) {
			format_frame(t, e->pid, stack[i], frame, sizeof(frame));
			printf("        %s\n", frame);
		}
	}

	t->printed++;
	if (o->max_events && t->printed >= o->max_events) {
		t->done = true;
		return -ECANCELED;
	}
	return 0;
}

/* Print one event; a process the BPF side stopped is continued after. */
static int on_event(void *ctx, void *data, size_t size)
{
	const struct trace_event *e = data;
	int ret = print_event(ctx, data, size);

	/* Its maps were read while it was stopped (format_frame): let it go on. */
	if (size >= sizeof(*e) && (e->flags & TRACE_F_STOPPED))
		kill(e->pid, SIGCONT);
	return ret;
}

/* ---- listing ------------------------------------------------------------------- */

static const char *kind_prefix(enum probe_kind k)
{
	switch (k) {
	case PROBE_UPROBE: return "uprobe";
	case PROBE_URETPROBE: return "uretprobe";
	case PROBE_USDT: return "usdt";
	case PROBE_TRACEPOINT: return "tracepoint";
	case PROBE_KPROBE: return "kprobe";
	case PROBE_KRETPROBE: return "kretprobe";
	}
	return "?";
}

/* -l -v: a kernel function's parameters from the kernel's BTF, then its
 * return value, as bpftrace -lv lists a kfunc's. */
static void list_kernel_params(struct kbtf_func *kf, const struct site *s, struct out *out)
{
	char line[KBTF_DECL_LEN + 8];

	if (kbtf__func(kbtf__vmlinux(), s->symbol, kf))
		return;
	for (size_t i = 0; i < kf->nparams; i++) {
		snprintf(line, sizeof(line), "    %s", kf->params[i].decl);
		out__line(out, "param", line);
	}
	if (kf->varargs)
		out__line(out, "param", "    ...");
	if (kf->ret_fetch_type || strcmp(kf->ret_decl, "void")) {
		snprintf(line, sizeof(line), "    %s", kf->ret_decl);
		out__line(out, "param", line);
	}
}

/* -l -v: a function's parameters from DWARF, "    TYPE NAME" as bpftrace -lv. */
static void list_params(struct dwarf_cache *dc, const struct site *s, struct out *out)
{
	const struct dwarf_func *df;
	char line[1024], err[512];

	if ((s->kind != PROBE_UPROBE && s->kind != PROBE_URETPROBE) ||
	    dwarf_cache__func(dc, s->path, s->vaddr, &df, err, sizeof(err)))
		return;
	for (size_t i = 0; i < df->nparams; i++) {
		const struct dwarf_param *p = &df->params[i];
		size_t n = strlen(p->type);

		snprintf(line, sizeof(line), "    %s%s%s", p->type,
			 n && (p->type[n - 1] == '*' || p->type[n - 1] == '&') ? "" : " ", p->name);
		out__line(out, "param", line);
	}
}

static void list_sites(const struct options *o, const struct site_set *set, struct out *out)
{
	struct dwarf_cache *dc = o->cli.verbose ? dwarf_cache__new() : NULL;
	struct kbtf_func *kf = o->cli.verbose ? malloc(sizeof(*kf)) : NULL;
	char line[8192];

	for (size_t i = 0; i < set->count; i++) {
		const struct site *s = &set->sites[i];
		size_t n;

		n = snprintf(line, sizeof(line), "%s:%s%s%s", kind_prefix(s->kind),
			     s->display_path ? s->display_path : "", s->display_path ? ":" : "",
			     s->name);
		if (o->cli.verbose && n < sizeof(line) && s->usdt_args)
			snprintf(line + n, sizeof(line) - n, "  args: %s", s->usdt_args);
		out__line(out, "probe", line);
		if (dc)
			list_params(dc, s, out);
		if (kf && is_kernel(s->kind))
			list_kernel_params(kf, s, out);
	}
	free(kf);
	dwarf_cache__free(dc);
}

/* Offset of child_pid in sched_process_fork's record, from its format. */
static int fork_child_offset(unsigned *off, char *err, size_t errlen)
{
	const char *root = tracefs__root();
	const struct tp_field *f;
	struct tp_format fmt;
	int ret;

	if (!root) {
		snprintf(err, errlen, "cannot mount tracefs: %s", strerror(errno));
		return -errno;
	}
	ret = tp_format__load(&fmt, root, "sched", "sched_process_fork", err, errlen);
	if (ret)
		return ret;
	f = tp_format__find(&fmt, "child_pid");
	if (!f || f->size != 4) {
		snprintf(err, errlen, "sched_process_fork has no 4-byte child_pid field");
		ret = -ENOENT;
	} else {
		*off = f->offset;
	}
	tp_format__fini(&fmt);
	return ret;
}

/* Kernel function @func's parameters into @kf. Returns 0, or -ENOENT with
 * why in @err. */
static int kernel_names(const char *func, struct kbtf_func *kf, char *err, size_t errlen)
{
	struct btf *btf = kbtf__vmlinux();

	if (!btf) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux) to name "
			 "the parameters of %s: use arg1..arg6", func);
		return -ENOENT;
	}
	if (kbtf__func(btf, func, kf)) {
		snprintf(err, errlen, "the kernel's BTF does not describe %s: use arg1..arg6",
			 func);
		return -ENOENT;
	}
	return 0;
}

/*
 * Compile every site's program and write it into the fetch_progs map.
 * Functions' parameters may be named: from DWARF for user functions, from
 * the kernel's BTF for kernel functions.
 */
static int compile_sites(const struct options *o, const struct site_set *set,
			 struct fetch_plan *plans, char *err, size_t errlen)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	struct kbtf_func *kf = malloc(sizeof(*kf));
	const char *root = NULL;
	int ret = 0;

	_Static_assert(KBTF_MAX_PARAMS <= DWARF_MAX_PARAMS, "params[] holds either");
	for (size_t i = 0; dc && kf && i < set->count; i++) {
		const struct site *s = &set->sites[i];
		const struct probe *p = &o->probes[s->spec];
		struct fetch_env env = { .kind = fetch_kind_of(s->kind), .str_size = o->str_size,
					 .kernel = is_kernel(s->kind) };
		struct fetch_param params[DWARF_MAX_PARAMS];
		const struct dwarf_func *df = NULL;
		bool named = false;
		struct tp_format fmt = {};
		char dmsg[512] = "";

		if (s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE) {
			if (dwarf_cache__func(dc, s->path, s->vaddr, &df, dmsg, sizeof(dmsg)))
				df = NULL;
			for (size_t k = 0; df && k < df->nparams; k++)
				if (!dwarf_param__to_fetch(&df->params[k], &params[env.nparams]))
					env.nparams++;
			env.params = params;
			named = df;
		}
		if (is_kernel(s->kind) && !kernel_names(s->symbol, kf, dmsg, sizeof(dmsg))) {
			for (size_t k = 0; k < kf->nparams; k++)
				if (!kbtf_param__to_fetch(&kf->params[k], &params[env.nparams]))
					env.nparams++;
			env.params = params;
			named = true;
		}

		if (s->kind == PROBE_TRACEPOINT) {
			if (!root && !(root = tracefs__root())) {
				snprintf(err, errlen, "cannot mount tracefs: %s", strerror(errno));
				ret = -EIO;
				break;
			}
			ret = tp_format__load(&fmt, root, s->provider, s->symbol, err, errlen);
			if (ret) {
				ret = -EIO;
				break;
			}
			env.tp = &fmt;
		}
		ret = probe__compile(p, &env, &plans[i], err, errlen);
		tp_format__fini(&fmt);
		if (ret) {
			/* Names need DWARF or BTF: say why a name is unknown. */
			if (!named && dmsg[0] && strstr(err, "unknown name")) {
				size_t n = strlen(err);

				snprintf(err + n, errlen - n, ": %s", dmsg);
			} else if (is_kernel(s->kind) && named && strstr(err, "unknown name")) {
				size_t n = strlen(err);

				snprintf(err + n, errlen - n, ": %s",
					 kbtf_func__describe(kf, dmsg, sizeof(dmsg)));
			}
			break;
		}
	}
	if (!dc || !kf) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
	free(kf);
	dwarf_cache__free(dc);
	return ret;
}

static void print_header(const struct options *o)
{
	if (o->json)
		return;
	if (o->timestamp || o->time_of_day)
		printf("%-14s ", "TIME");
	printf("%-7s %-7s %-15s %-16s %s\n", "PID", "TID", "COMM", "FUNC", "-");
}

int main(int argc, char **argv)
{
	struct options o = { .str_size = FETCH_STR_DEFAULT,
			     .pages = DEFAULT_PAGES };
	struct cli_run run = CLI_RUN_INIT;
	struct site_set set = {};
	struct attach_features feat;
	struct uprobe_trace_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct attacher *att = NULL;
	struct out *out = NULL;
	struct tracer t = {};
	struct fetch_plan *plans = NULL;
	const struct skipped_site *skipped;
	struct site_progs progs;
	size_t attached = 0, nskipped = 0;
	char **specs = NULL;
	unsigned fork_off = 0;
	unsigned long pages;
	int ret, err;
	pid_t pid;
	char msg[1024];

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		goto out_probes;
	out = out__new(stdout, o.json ? OUT_JSON : OUT_TEXT);
	if (!out) {
		ret = EXIT_RUNTIME;
		goto out_probes;
	}
	ret = EXIT_RUNTIME;
	/* -l only reads files: it needs no privilege. */
	if (cli__start("uprobe-trace", !o.list, o.cli.verbose, &feat))
		goto out;
	/* The interval is the reader's poll: the BPF side wakes it per batch. */
	ret = cli_run__init_or_say("uprobe-trace", &run, o.cli.pid, o.cli.cmd, o.cli.duration,
				   POLL_SECONDS);
	if (ret)
		goto out;
	/* Flushed after each batch of events: a closed pipe is seen at once. */
	run.out = out;
	ret = EXIT_RUNTIME;
	pid = cli_run__target(&run, o.cli.pid);

	specs = calloc(o.nprobes, sizeof(*specs));
	if (!specs)
		goto out;
	for (int i = 0; i < o.nprobes; i++)
		specs[i] = o.probes[i].spec;
	err = site_set__add_specs(&set, specs, o.nprobes, PROBE_F_BARE_KERNEL | PROBE_F_EACH_SPEC,
				  pid, &feat, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "uprobe-trace: %s\n", msg);
		ret = site_error_exit_code(err);
		goto out;
	}
	if (o.list) {
		list_sites(&o, &set, out);
		ret = EXIT_OK;
		goto out;
	}
	if (site_set__check_program_or_say(&set, run.cmd.exe, "uprobe-trace", stderr)) {
		ret = EXIT_USAGE;
		goto out;
	}
	plans = calloc(set.count, sizeof(*plans));
	if (!plans)
		goto out;
	err = compile_sites(&o, &set, plans, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "uprobe-trace: %s\n", msg);
		ret = err == -EIO ? EXIT_RUNTIME : EXIT_USAGE;
		goto out;
	}
	if (o.cli.cmd) {
		err = fork_child_offset(&fork_off, msg, sizeof(msg));
		if (err) {
			fprintf(stderr, "uprobe-trace: %s\n", msg);
			goto out;
		}
	}

	skel = uprobe_trace_bpf__open();
	if (!skel) {
		fprintf(stderr, "uprobe-trace: cannot open the BPF object: %s\n", strerror(errno));
		goto out;
	}
	skel->rodata->targ_tgid = o.cli.cmd ? 0 : pid;
	skel->rodata->targ_tid = o.tid;
	skel->rodata->follow_children = o.cli.cmd != NULL;
	skel->rodata->fork_child_off = fork_off;
	for (pages = 1; pages < o.pages; pages <<= 1)
		;
	bpf_map__set_max_entries(skel->maps.events, pages * getpagesize());
	skel->rodata->wakeup_bytes = pages * getpagesize() / 8;
	skel->rodata->user_stack = o.user_stack;
	bpf_map__set_max_entries(skel->maps.fetch_progs, set.count);
	bpf_map__set_max_entries(skel->maps.traced, cli__map_entries(TRACE_TRACED_ENTRIES));
	bpf_map__set_max_entries(skel->maps.stopped, cli__map_entries(TRACE_TRACED_ENTRIES));
	bpf_program__set_autoload(skel->progs.trace_fork, o.cli.cmd != NULL);
	progs = (struct site_progs){
		.uprobe = skel->progs.trace_uprobe,
		.uprobe_multi = skel->progs.trace_uprobe_multi,
		.usdt = skel->progs.trace_usdt,
		.tracepoint = skel->progs.trace_tracepoint,
		.kprobe = skel->progs.trace_kprobe,
		.kprobe_multi = skel->progs.trace_kprobe_multi,
	};
	site_set__prepare_progs(&set, &progs, &feat, o.cli.mode);
	err = uprobe_trace_bpf__load(skel);
	if (err) {
		fprintf(stderr, "uprobe-trace: cannot load the BPF program: %s\n", strerror(-err));
		goto out;
	}
	for (uint32_t i = 0; i < set.count; i++) {
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.fetch_progs), &i, &plans[i].prog, 0)) {
			fprintf(stderr, "uprobe-trace: cannot store the fetch programs: %s\n",
				strerror(errno));
			goto out;
		}
	}
	if (o.cli.cmd) {
		uint32_t key = pid;
		uint8_t one = 1;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.traced), &key, &one, 0) ||
		    !(skel->links.trace_fork = bpf_program__attach(skel->progs.trace_fork))) {
			fprintf(stderr, "uprobe-trace: cannot follow the children of '%s': %s\n",
				o.cli.cmd, strerror(errno));
			goto out;
		}
	}

	t.o = &o;
	if (o.user_stack) {
		t.syms = syms__new(SYMS_F_DEMANGLE);
		if (!t.syms) {
			fprintf(stderr, "uprobe-trace: cannot create the symbolizer: %s\n",
				strerror(errno));
			goto out;
		}
		/* A traced process is read now, before it can exit. */
		if (o.cli.pid)
			syms__snapshot(t.syms, o.cli.pid);
	}
	t.set = &set;
	t.plans = plans;
	t.out = out;
	if (o.json) {
		t.json = json__new(stdout);
		if (!t.json)
			goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &t, NULL);
	if (!rb) {
		fprintf(stderr, "uprobe-trace: cannot open the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	run.event_fd = ring_buffer__epoll_fd(rb);

	att = attacher__new();
	if (!att)
		goto out;
	/* -c follows the command's children: attach for every process and
	 * let the BPF side filter on the traced set. */
	if (site_set__attach_or_say(&set, att, &progs, o.cli.mode, o.cli.cmd ? 0 : pid,
				    "uprobe-trace", stderr, &attached))
		goto out;
	skipped = attacher__skipped(att, &nskipped);
	fprintf(stderr, "Tracing %zu %s for \"%s%s\"... Hit Ctrl-C to end.\n", attached,
		attached == 1 ? "probe" : "probes", o.probes[0].spec, o.nprobes > 1 ? ", ..." : "");
	print_header(&o);
	out__flush(out);
	t.start_ns = cli__now_ns();
	if (cli_run__start(&run)) {
		fprintf(stderr, "uprobe-trace: cannot start '%s'\n", o.cli.cmd);
		goto out;
	}
	while (!t.done) {
		enum cli_step step = cli_run__next(&run);

		/* Also after a failed write: stopped processes must go on. */
		ring_buffer__consume(rb);
		if (step == CLI_STEP_FAILED)
			goto out;
		if (step == CLI_STEP_LAST)
			break;
	}
	/* What arrived between the last wake-up and the end. */
	if (!t.done)
		ring_buffer__consume(rb);
	/* The output failed: a summary would only add to the noise. */
	if (out__flush(out))
		goto out;
	{
		const char **names = calloc(nskipped ? nskipped : 1, sizeof(*names));
		struct out_kv kv[] = {
			{ "events", NULL, OUT_U64, { .u = t.printed } },
			{ "lost", "%s events lost: the ring buffer was full (raise -b)", OUT_U64,
			  { .u = skel->bss->lost } },
			{ "lost_children", "%s child processes not followed: the table was full",
			  OUT_U64, { .u = skel->bss->lost_children } },
			{ "missed", "%s hits missed by the kernel (BPF recursion)", OUT_U64,
			  { .u = site_progs__misses(&progs) } },
			{ "skipped", "%s sites skipped (the kernel cannot probe them)", OUT_U64,
			  { .u = nskipped } },
		};

		if (names && nskipped && o.json) {
			for (size_t i = 0; i < nskipped; i++)
				names[i] = skipped[i].name;
			out__list(out, "skipped", "skipped", names, nskipped);
		}
		free(names);
		out__summary(out, kv, sizeof(kv) / sizeof(kv[0]));
	}
	if (attacher__slow_detach(att))
		fprintf(stderr, "Detaching %zu probes...\n", attacher__link_count(att));
	ret = EXIT_OK;
out:
	cli_run__fini(&run);
	attacher__free(att);
	ring_buffer__free(rb);
	uprobe_trace_bpf__destroy(skel);
	json__free(t.json);
	syms__free(t.syms);
	free(t.line);
	free(plans);
	free(specs);
	site_set__fini(&set);
	ret = cli__finish_output("uprobe-trace", out, ret);
	out__free(out);
out_probes:
	for (int i = 0; o.probes && i < o.nprobes; i++)
		probe__fini(&o.probes[i]);
	free(o.probes);
	return ret;
}
