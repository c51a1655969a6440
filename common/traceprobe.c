// SPDX-License-Identifier: GPL-2.0-only
/* traceprobe: uprobe-trace's probe language (see traceprobe.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/spectext.h"
#include "common/traceprobe.h"

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
static int parse_format(struct trace_probe *p, char *err, size_t errlen)
{
	for (const char *s = p->fmt; *s; s++) {
		struct trace_conv *c;
		size_t n = 0;

		if (*s != '%')
			continue;
		if (s[1] == '%') {
			s++;
			continue;
		}
		if (p->nconvs >= TRACE_PROBE_MAX_ARGS) {
			snprintf(err, errlen, "too many conversions in format \"%s\" (at most %d)",
				 p->fmt, TRACE_PROBE_MAX_ARGS);
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
		if (!*s || !strchr("diuxXocspKU", *s)) {
			snprintf(err, errlen, "bad conversion '%%%s%s%.1s' in format \"%s\"", c->flags,
				 c->len, *s ? s : "", p->fmt);
			return -EINVAL;
		}
		c->c = *s;
		/* A width of 999999999 would pad every event's line to a gigabyte
		 * (found by tests/fuzz/fuzz_trace_probe): at most TRACE_PROBE_MAX_WIDTH. */
		for (const char *d = c->flags; *d; d++) {
			if (isdigit((unsigned char)*d) && strtoul(d, NULL, 10) > TRACE_PROBE_MAX_WIDTH) {
				snprintf(err, errlen, "width or precision over %d in conversion "
					 "'%%%s%s%c' in format \"%s\"", TRACE_PROBE_MAX_WIDTH, c->flags, c->len,
					 c->c, p->fmt);
				return -EINVAL;
			}
		}
		p->nconvs++;
	}
	return 0;
}

/* The fetch type a conversion asks for. */
static const char *conv_type(const struct trace_conv *c)
{
	bool wide = c->len[0] == 'l' || c->len[0] == 'z' || c->len[0] == 'j';
	bool sign = c->c == 'd' || c->c == 'i';

	switch (c->c) {
	case 's':
		return "string";
	case 'c':
		return "u8";
	case 'p':
	case 'K':
	case 'U':
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

/*
 * The name of an unnamed fetch-arg that is a register, "%ax" or
 * "%ax:u32": the register's own ("ax"), never argN, which in a Go
 * function is another register. NULL for any other argument.
 */
static char *reg_arg_name(const char *a, size_t n)
{
	size_t k = 1;

	if (n < 2 || a[0] != '%')
		return NULL;
	while (k < n && (isalnum((unsigned char)a[k]) || a[k] == '_'))
		k++;
	if (k == 1 || (k < n && a[k] != ':'))
		return NULL;
	return strndup(a + 1, k - 1);
}

/*
 * bcc's signature "char *filename, int flags" (@n bytes at @s) into
 * @p->sig: 0, 1 when it is not one (a C++ parameter list, "(int)", that
 * belongs to the function's name), or -EINVAL / -ENOMEM with @err.
 */
static int parse_sig(struct trace_probe *p, const char *s, size_t n, char *err, size_t errlen)
{
	const char *end = s + n;
	struct trace_param sig[TRACE_PROBE_MAX_SIG];
	int count = 0, ret = 0;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	if (!n || (n == 4 && !strncmp(s, "void", 4)))
		return 0;
	while (s < end) {
		const char *comma = memchr(s, ',', end - s), *e = comma ? comma : end, *name;
		const char *b = s;

		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		while (b < e && isspace((unsigned char)*b))
			b++;
		for (const char *c = b; c < e; c++)
			if (!isalnum((unsigned char)*c) && *c != '_' && *c != '*' && !isspace((unsigned char)*c))
				goto not_sig;
		for (name = e; name > b && (isalnum((unsigned char)name[-1]) || name[-1] == '_');)
			name--;
		if (name == b || name == e || isdigit((unsigned char)*name))
			goto not_sig;
		if (count == TRACE_PROBE_MAX_SIG) {
			snprintf(err, errlen, "too many parameters in the signature of '%s' (at most %d)",
				 p->text, TRACE_PROBE_MAX_SIG);
			ret = -EINVAL;
			goto out;
		}
		sig[count].name = strndup(name, e - name);
		sig[count].type = spec_text__trim_dup(b, name - b);
		count++;
		if (!sig[count - 1].name || !sig[count - 1].type) {
			ret = -ENOMEM;
			goto out;
		}
		s = comma ? comma + 1 : end;
	}
	memcpy(p->sig, sig, count * sizeof(sig[0]));
	p->nsig = count;
	return 0;
not_sig:
	ret = 1;
out:
	for (int i = 0; i < count; i++) {
		free(sig[i].name);
		free(sig[i].type);
	}
	return ret;
}

/* Split @text into @p. Returns 0 or -EINVAL with one sentence in @err. */
int trace_probe__parse(struct trace_probe *p, const char *text, char *err, size_t errlen)
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
		/* bcc: a signature right after the function, "p:c:open(char *f)". */
		const char *open = memchr(tok, '(', n), *end;
		int ret;

		if (open && open > tok && (end = skip_group(open))) {
			ret = parse_sig(p, open + 1, end - open - 2, err, errlen);
			if (ret < 0)
				return ret;
			if (!ret) {
				n = open - tok;
				s = end;
			}
		}
		p->spec = strndup(tok, n);
		if (!p->spec)
			return -ENOMEM;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '(') {
		const char *end = skip_group(s);

		if (!end) {
			snprintf(err, errlen, "unbalanced parentheses in the filter of '%s'", text);
			return -EINVAL;
		}
		p->filter = spec_text__trim_dup(s + 1, end - s - 2);
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

			if (*s != ',') {
				snprintf(err, errlen, "expected ',' before '%s' in '%s'", s, text);
				return -EINVAL;
			}
			a = ++s;
			s = spec_text__item_end(s);
			if (p->nargs >= TRACE_PROBE_MAX_ARGS) {
				snprintf(err, errlen, "too many arguments in '%s' (at most %d)", text,
					 TRACE_PROBE_MAX_ARGS);
				return -EINVAL;
			}
			p->args[p->nargs++] = spec_text__trim_dup(a, s - a);
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
		if (p->nargs >= TRACE_PROBE_MAX_ARGS) {
			snprintf(err, errlen, "too many arguments in '%s' (at most %d)", text, TRACE_PROBE_MAX_ARGS);
			return -EINVAL;
		}
		eq = memchr(a, '=', s - a);
		if (eq && eq > a && eq[1] != '=') {
			p->names[p->nargs] = strndup(a, eq - a);
			a = eq + 1;
		} else if (!(p->names[p->nargs] = reg_arg_name(a, s - a)) &&
			   asprintf(&p->names[p->nargs], "arg%d", p->nargs + 1) < 0) {
			return -ENOMEM;
		}
		p->args[p->nargs++] = strndup(a, s - a);
		while (isspace((unsigned char)*s))
			s++;
	}
	p->ftrace = true;
	return 0;
}

void trace_probe__fini(struct trace_probe *p)
{
	for (int i = 0; i < p->nsig; i++) {
		free(p->sig[i].name);
		free(p->sig[i].type);
	}
	free(p->spec);
	free(p->event);
	free(p->filter);
	free(p->fmt);
	for (int i = 0; i < p->nargs; i++) {
		free(p->args[i]);
		free(p->names[i]);
	}
}

bool trace_probe__is_kernel(enum probe_kind k)
{
	return k == PROBE_KPROBE || k == PROBE_KRETPROBE;
}

enum fetch_kind trace_probe__fetch_kind(enum probe_kind k)
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

/* Why a signature's parameter @i has no register under @conv, or NULL. */
static const char *sig_unavailable(enum callconv conv, int i)
{
	if (callconv__arg_reg(conv, i + 1) >= 0)
		return NULL;
	if (conv == CALLCONV_SYSV || conv == CALLCONV_GO_REGS)
		return "it is passed on the stack, after the argument registers";
	return "this calling convention passes no arguments in registers: name a parameter "
	       "from DWARF instead";
}

/* Compile probe @p for one site into @plan. */
int trace_probe__compile(const struct trace_probe *p, const struct fetch_env *site_env,
			 struct fetch_plan *plan, char *err, size_t errlen)
{
	struct fetch_param *params = NULL;
	struct fetch_env envbuf, *env = &envbuf;
	enum callconv conv = site_env->kernel ? CALLCONV_SYSV : site_env->conv;
	int ret = 0;

	fetch_plan__init(plan);
	*env = *site_env;
	if (p->nsig) {
		if (env->kind == FETCH_USDT || env->kind == FETCH_TRACEPOINT) {
			snprintf(err, errlen, "'%s': USDT probes and tracepoints take no signature: use "
				 "arg1, arg2... or args->FIELD", p->text);
			return -EINVAL;
		}
		/* The signature's names first: they win over DWARF's. */
		params = calloc(p->nsig + env->nparams, sizeof(*params));
		if (!params) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		for (int i = 0; i < p->nsig; i++)
			params[i] = (struct fetch_param){ .name = p->sig[i].name,
							  .reg = callconv__arg_reg(conv, i + 1),
							  .type = p->sig[i].type,
							  .unavailable = sig_unavailable(conv, i) };
		if (env->nparams)
			memcpy(params + p->nsig, env->params, env->nparams * sizeof(*params));
		env->params = params;
		env->nparams += p->nsig;
	}
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
			goto out;
		v = &plan->values[ret];
		ret = 0;
		if (p->fmt) {
			bool str = v->type.vtype == FETCH_T_STRING;

			if (str != (p->convs[i].c == 's')) {
				snprintf(err, errlen, "argument %d ('%s') %s but its conversion is "
					 "'%%%c'", i + 1, p->args[i], str ? "is a string" :
					 "is a number", p->convs[i].c);
				ret = -EINVAL;
				goto out;
			}
		}
	}
	if (p->filter)
		ret = fetch_plan__set_filter(plan, p->filter, env, err, errlen);
out:
	free(params);
	return ret < 0 ? ret : 0;
}

bool trace_probe__wants_symbols(const struct trace_probe *p)
{
	for (int i = 0; p->fmt && i < p->nconvs; i++)
		if (p->convs[i].c == 'K' || p->convs[i].c == 'U')
			return true;
	return false;
}

/* %K or %U of @addr as bcc prints them, into @buf. */
static void format_sym(const struct trace_conv *c, uint64_t addr, int pid,
		       const struct trace_symbolizer *sym, char *buf, size_t len)
{
	struct trace_sym s = {};
	bool kernel = c->c == 'K';
	const char *base;
	size_t n = 0;

	if (!sym || !sym->resolve || sym->resolve(sym->ctx, kernel ? -1 : pid, addr, &s))
		memset(&s, 0, sizeof(s));
	if (s.name)
		n = snprintf(buf, len, "%s+0x%" PRIx64, s.name, s.offset);
	else if (kernel)
		n = snprintf(buf, len, "0x%" PRIx64, addr);
	else
		n = snprintf(buf, len, "[unknown]");
	if (!kernel && s.module && n < len) {
		base = strrchr(s.module, '/');
		snprintf(buf + n, len - n, " [%s]", base ? base + 1 : s.module);
	}
}

/* Append to the line buffer; what does not fit in memory is left out. */
static void line_add(struct trace_line *l, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > l->cap) {
		size_t cap = (*len + n + 1) * 2;
		char *p = realloc(l->buf, cap);

		if (!p)
			return;
		l->buf = p;
		l->cap = cap;
	}
	memcpy(l->buf + *len, s, n);
	*len += n;
	l->buf[*len] = 0;
}

const char *trace_probe__render(const struct trace_probe *p, const struct fetch_plan *plan,
				const void *data, size_t dlen, struct trace_line *l)
{
	return trace_probe__render_event(p, plan, data, dlen, 0, NULL, l);
}

const char *trace_probe__render_event(const struct trace_probe *p, const struct fetch_plan *plan,
				      const void *data, size_t dlen, int pid,
				      const struct trace_symbolizer *sym, struct trace_line *l)
{
	char buf[FETCH_MAX_STR + 64], spec[48];
	size_t len = 0;
	int ci = 0;

	line_add(l, &len, "", 0);
	if (!p->fmt) {
		for (int i = 0; i < p->nargs; i++) {
			int n = snprintf(buf, sizeof(buf), "%s%s=", i ? " " : "", p->names[i]);

			line_add(l, &len, buf, n);
			n = fetch_value__format(&plan->values[i], data, dlen, true, buf, sizeof(buf));
			line_add(l, &len, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
		}
		return l->buf ? l->buf : "";
	}
	for (const char *s = p->fmt; *s; s++) {
		const struct trace_conv *c;
		const struct fetch_value *v;
		int n;

		if (*s != '%') {
			const char *e = strchr(s, '%');
			size_t k = e ? (size_t)(e - s) : strlen(s);

			line_add(l, &len, s, k);
			s += k - 1;
			continue;
		}
		if (s[1] == '%') {
			line_add(l, &len, "%", 1);
			s++;
			continue;
		}
		/* Skip the conversion's text; it was parsed into convs[ci]. */
		s++;
		while (*s && !strchr("diuxXocspKU", *s))
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
		case 'K':
		case 'U': {
			char name[1024];

			format_sym(c, fetch_value__u64(v, data, dlen), pid, sym, name, sizeof(name));
			snprintf(spec, sizeof(spec), "%%%ss", c->flags);
			n = snprintf(buf, sizeof(buf), spec, name);
			break;
		}
		default:
			snprintf(spec, sizeof(spec), "%%%sll%c", c->flags, c->c);
			n = snprintf(buf, sizeof(buf), spec, (long long)fetch_value__u64(v, data, dlen));
			break;
		}
		if (n > 0)
			line_add(l, &len, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	}
	return l->buf ? l->buf : "";
}

void trace_line__fini(struct trace_line *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = 0;
}
