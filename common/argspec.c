// SPDX-License-Identifier: GPL-2.0-only
/* argspec: bcc argdist's specifier language (see argspec.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/argspec.h"
#include "common/fetch.h"
#include "common/spectext.h"

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* A lone ':' (not part of "::") at or after @s, outside parentheses and
 * quotes; NULL if none. */
static const char *field_end(const char *s)
{
	int depth = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth--;
		} else if (*p == ':' && !depth) {
			if (p[1] == ':') {
				p++;
				continue;
			}
			return p;
		}
	}
	return NULL;
}

/* Split @s on commas outside parentheses into @out (malloc'ed, trimmed). */
static int split_list(const char *s, char **out, int max, int *n, const char *what,
		      const char *text, char *err, size_t errlen)
{
	*n = 0;
	for (;;) {
		const char *a = s;

		s = spec_text__item_end(s);
		if (*n >= max) {
			snprintf(err, errlen, "too many %s in '%s' (at most %d)", what, text, max);
			return -EINVAL;
		}
		out[*n] = spec_text__trim_dup(a, s - a);
		if (!out[*n])
			return -ENOMEM;
		if (!*out[(*n)++]) {
			snprintf(err, errlen, "empty item in the %s of '%s'", what, text);
			return -EINVAL;
		}
		if (!*s)
			return 0;
		s++;
	}
}

/*
 * Can type @s be read, or be left for the site's types to say: a type
 * fetch_type__parse() knows, a pointer, or a typedef's name (gfp_t);
 * not a struct or union by value.
 */
static bool type_ok(const char *s)
{
	struct fetch_type t;

	if (!fetch_type__parse(s, FETCH_STR_DEFAULT, &t))
		return true;
	if (!ctype__looks_like_type(s) && !strchr(s, ' ')) {
		for (const char *c = s; *c; c++)
			if (!is_ident_char(*c))
				return false;
		return *s && !isdigit((unsigned char)*s);
	}
	return false;
}

/* "const char *buf" into type "const char *" and name "buf". */
static int parse_sig(struct argspec *sp, const char *s, size_t n, char *err, size_t errlen)
{
	char *list[ARGSPEC_MAX_PARAMS + 1], *all = spec_text__trim_dup(s, n);
	int count = 0, ret = 0;

	if (!all)
		return -ENOMEM;
	if (!*all || !strcmp(all, "void"))
		goto out;
	ret = split_list(all, list, ARGSPEC_MAX_PARAMS, &count, "parameters", sp->text, err, errlen);
	for (int i = 0; i < count; i++) {
		char *p = list[i], *end = p + strlen(p), *name = end;

		if (ret) {
			free(p);
			continue;
		}
		while (name > p && is_ident_char(name[-1]))
			name--;
		if (name == p || name == end || isdigit((unsigned char)*name)) {
			snprintf(err, errlen, "parameter '%s' of '%s' needs a type and a name", p,
				 sp->text);
			ret = -EINVAL;
		} else {
			sp->sig[sp->nsig].name = strdup(name);
			sp->sig[sp->nsig].type = spec_text__trim_dup(p, name - p);
			if (!sp->sig[sp->nsig].name || !sp->sig[sp->nsig].type) {
				ret = -ENOMEM;
			} else if (!type_ok(sp->sig[sp->nsig].type)) {
				snprintf(err, errlen, "unknown type '%s' of parameter '%s' in '%s'",
					 sp->sig[sp->nsig].type, name, sp->text);
				ret = -EINVAL;
			}
			sp->nsig++;
		}
		free(p);
	}
out:
	free(all);
	return ret;
}

/*
 * Rewrite $latency and $entry(NAME) into names the fetch compiler resolves
 * (__latency, __entry_NAME) and record what the entry twin must save.
 */
static char *rewrite(struct argspec *sp, const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(len * 2 + 16);

	if (!out)
		return NULL;
	while (*s) {
		if (!strncmp(s, "$latency", 8) && !is_ident_char(s[8])) {
			o += sprintf(out + o, "__latency");
			sp->latency = true;
			s += 8;
		} else if (!strncmp(s, "$entry(", 7)) {
			const char *a = s + 7, *b = a;
			int j;

			while (is_ident_char(*b))
				b++;
			if (b == a || *b != ')') {
				snprintf(err, errlen, "$entry() takes a parameter name in '%s'",
					 sp->text);
				free(out);
				return NULL;
			}
			for (j = 0; j < sp->nentry; j++)
				if (strlen(sp->entry[j]) == (size_t)(b - a) &&
				    !strncmp(sp->entry[j], a, b - a))
					break;
			if (j == sp->nentry) {
				if (j == ARGSPEC_MAX_ENTRY) {
					snprintf(err, errlen, "too many $entry() values in '%s' "
						 "(at most %d)", sp->text, ARGSPEC_MAX_ENTRY);
					free(out);
					return NULL;
				}
				sp->entry[sp->nentry++] = strndup(a, b - a);
			}
			o += sprintf(out + o, "__entry_%.*s", (int)(b - a), a);
			s = b + 1;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = 0;
	return out;
}

/* Parse {p,r}:LIB:FUNC(SIG)[:TYPES:EXPRS[:FILTER]][#LABEL]. */
int argspec__parse(struct argspec *sp, const char *text, bool hist, char *err, size_t errlen)
{
	const char *s, *lib, *open, *close, *hash = NULL, *semi = NULL, *end;
	char *body = NULL, *types = NULL, *exprs = NULL;
	int ntypes = 0, ret = -EINVAL, depth = 0;

	memset(sp, 0, sizeof(*sp));
	sp->text = text;
	sp->hist = hist;
	/* The label: after the last '#' outside quotes, or the last ';' as in
	 * bcc's older examples ("$PID;write per process"). */
	for (s = text; *s; s++) {
		if (*s == '"')
			for (s++; *s && *s != '"'; s++)
				;
		if (!*s)
			break;
		if (*s == '#')
			hash = s;
		else if (*s == ';')
			semi = s;
	}
	if (!hash)
		hash = semi;
	end = hash ? hash : text + strlen(text);
	if (hash && !(sp->label = spec_text__trim_dup(hash + 1, strlen(hash + 1))))
		return -ENOMEM;
	if (!text[0] || !strchr("prtu", text[0]) || text[1] != ':') {
		snprintf(err, errlen, "malformed specifier '%s': it must start with p:, r:, t: or u:",
			 text);
		return -EINVAL;
	}
	sp->kind = text[0] == 'p' ? PROBE_UPROBE : text[0] == 'r' ? PROBE_URETPROBE :
		   text[0] == 't' ? PROBE_TRACEPOINT : PROBE_USDT;
	lib = text + 2;
	s = strchr(lib, ':');
	if (!s || s > end) {
		snprintf(err, errlen, "malformed specifier '%s': expected %s", text,
			 sp->kind == PROBE_TRACEPOINT ? "t:CATEGORY:EVENT()" :
			 sp->kind == PROBE_USDT ? "u:LIB:PROBE()" : "{p,r}:LIB:FUNC(SIGNATURE)");
		return -EINVAL;
	}
	sp->lib = strndup(lib, s - lib);
	if (!sp->lib)
		return -ENOMEM;
	sp->kernel = s == lib && (sp->kind == PROBE_UPROBE || sp->kind == PROBE_URETPROBE);
	if (s == lib && !sp->kernel) {
		snprintf(err, errlen, "malformed specifier '%s': %s", text,
			 sp->kind == PROBE_TRACEPOINT ? "a tracepoint needs its category, as in "
			 "t:sched:sched_switch()" : "a USDT probe needs its library or program, as in "
			 "u:pthread:pthread_start()");
		return -EINVAL;
	}
	open = memchr(s + 1, '(', end - s - 1);
	if (!open || open == s + 1) {
		snprintf(err, errlen, "malformed specifier '%s': expected a function and its "
			 "signature in parentheses, as in malloc(size_t size)", text);
		return -EINVAL;
	}
	sp->func = spec_text__trim_dup(s + 1, open - s - 1);
	for (close = open; close < end; close++) {
		if (*close == '(')
			depth++;
		else if (*close == ')' && !--depth)
			break;
	}
	if (close >= end) {
		snprintf(err, errlen, "malformed specifier '%s': unbalanced parentheses", text);
		return -EINVAL;
	}
	ret = parse_sig(sp, open + 1, close - open - 1, err, errlen);
	if (ret)
		return ret;
	if (sp->nsig && (sp->kind == PROBE_TRACEPOINT || sp->kind == PROBE_USDT)) {
		snprintf(err, errlen, "'%s': %s take no signature: use %s", text,
			 sp->kind == PROBE_TRACEPOINT ? "tracepoints" : "USDT probes",
			 sp->kind == PROBE_TRACEPOINT ? "args->FIELD" : "arg1, arg2...");
		return -EINVAL;
	}
	ret = -EINVAL;
	s = close + 1;
	if (s == end) {
		/* bcc: count calls at entry, return values at return. */
		sp->default_expr = true;
		sp->nexprs = 1;
		sp->types[0] = strdup(sp->kind == PROBE_URETPROBE ? "long" : "u64");
		sp->exprs[0] = strdup(sp->kind == PROBE_URETPROBE ? "$retval" : "1");
		sp->cexprs[0] = strdup(sp->exprs[0]);
		return sp->types[0] && sp->exprs[0] && sp->cexprs[0] ? 0 : -ENOMEM;
	}
	if (*s != ':') {
		snprintf(err, errlen, "malformed specifier '%s': expected ':' after the signature",
			 text);
		return -EINVAL;
	}
	body = strndup(s + 1, end - s - 1);
	if (!body)
		return -ENOMEM;
	s = field_end(body);
	if (!s) {
		snprintf(err, errlen, "malformed specifier '%s': expected :TYPE:EXPR after the "
			 "signature", text);
		goto out;
	}
	types = strndup(body, s - body);
	exprs = strdup(s + 1);
	if (!types || !exprs) {
		ret = -ENOMEM;
		goto out;
	}
	s = field_end(exprs);
	if (s) {
		sp->filter = spec_text__trim_dup(s + 1, strlen(s + 1));
		exprs[s - exprs] = 0;
		if (!sp->filter || !*sp->filter) {
			snprintf(err, errlen, "empty filter in '%s'", text);
			goto out;
		}
	}
	if (split_list(types, sp->types, ARGSPEC_MAX_EXPRS, &ntypes, "types", text, err, errlen) ||
	    split_list(exprs, sp->exprs, ARGSPEC_MAX_EXPRS, &sp->nexprs, "expressions", text, err, errlen))
		goto out;
	if (ntypes != sp->nexprs) {
		snprintf(err, errlen, "'%s' has %d type%s for %d expression%s", text, ntypes,
			 ntypes == 1 ? "" : "s", sp->nexprs, sp->nexprs == 1 ? "" : "s");
		goto out;
	}
	if (hist && sp->nexprs != 1) {
		snprintf(err, errlen, "a histogram takes one expression, '%s' has %d", text,
			 sp->nexprs);
		goto out;
	}
	for (int i = 0; i < sp->nexprs; i++) {
		struct fetch_type t = { FETCH_T_SIGNED, 8 };

		/* A typedef's name is left for the site's types to say. */
		if (fetch_type__parse(sp->types[i], FETCH_STR_DEFAULT, &t) && !type_ok(sp->types[i])) {
			snprintf(err, errlen, "unknown type '%s' in '%s'", sp->types[i], text);
			goto out;
		}
		if (hist && t.vtype == FETCH_T_STRING) {
			snprintf(err, errlen, "a histogram needs a number, not the string '%s' in "
				 "'%s'", sp->exprs[i], text);
			goto out;
		}
		sp->cexprs[i] = rewrite(sp, sp->exprs[i], err, errlen);
		if (!sp->cexprs[i])
			goto out;
	}
	if (sp->filter && !(sp->cfilter = rewrite(sp, sp->filter, err, errlen)))
		goto out;
	if ((sp->latency || sp->nentry) && sp->kind != PROBE_URETPROBE) {
		snprintf(err, errlen, "%s is only available in return probes (r:), not in '%s'",
			 sp->latency ? "$latency" : "$entry()", text);
		goto out;
	}
	for (int j = 0; j < sp->nentry; j++) {
		bool found = false;

		/* A kernel function's names may come from its BTF, known only
		 * once the sites are: compile_entry() checks them. */
		for (int i = 0; i < sp->nsig && !found; i++)
			found = !strcmp(sp->sig[i].name, sp->entry[j]);
		if (!found && !sp->kernel) {
			snprintf(err, errlen, "$entry(%s): '%s' is not a parameter of the signature "
				 "in '%s'", sp->entry[j], sp->entry[j], text);
			goto out;
		}
	}
	ret = 0;
out:
	free(body);
	free(types);
	free(exprs);
	return ret;
}

void argspec__fini(struct argspec *sp)
{
	free(sp->lib);
	free(sp->func);
	for (int i = 0; i < sp->nsig; i++) {
		free(sp->sig[i].type);
		free(sp->sig[i].name);
	}
	for (int i = 0; i < ARGSPEC_MAX_EXPRS; i++) {
		free(sp->types[i]);
		free(sp->exprs[i]);
		free(sp->cexprs[i]);
	}
	free(sp->filter);
	free(sp->cfilter);
	free(sp->label);
	for (int i = 0; i < sp->nentry; i++)
		free(sp->entry[i]);
}

const char *argspec__title(const struct argspec *sp)
{
	return sp->label ? sp->label : sp->text;
}
