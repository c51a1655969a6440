// SPDX-License-Identifier: GPL-2.0-only
/* argreport: argdist's reports and metrics (see argreport.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/argreport.h"
#include "common/hist.h"
#include "common/prom.h"
#include "bpf/hist.h"

/* ---- --prom ------------------------------------------------------------------------ */

/*
 * The metrics: a counter of each -C specifier's values, labelled with the
 * specifier ("probe") and one label per expression, and a histogram of
 * each -H specifier's values. The expressions' labels are shared by the
 * specifiers that have an expression of the same name.
 */
struct argexport {
	struct prom *prom;		/* borrowed from the tool */
	int counts, hists;		/* families */
	char *labels[1 + ARGPLAN_MAX_SPECS * ARGSPEC_MAX_EXPRS];	/* "probe", then expressions */
	size_t nlabels;
	int pos[ARGPLAN_MAX_SPECS][ARGSPEC_MAX_EXPRS];	/* an expression's label, -1: none */
};

/*
 * A label name for expression @e: what Prometheus allows of it ("$retval"
 * retval, "$entry(count)" entry_count, "*(p+8)" p_8), "value_" before a
 * name that would start with a digit or take "probe" or "le".
 */
static void label_name(const char *e, char *buf, size_t len)
{
	size_t n = 0;

	for (; *e && n + 8 < len; e++) {
		if (isalnum((unsigned char)*e))
			buf[n++] = *e;
		else if (n && buf[n - 1] != '_')
			buf[n++] = '_';
	}
	while (n && buf[n - 1] == '_')
		n--;
	buf[n] = 0;
	if (!n || isdigit((unsigned char)buf[0]) || !strcmp(buf, "probe") || !strcmp(buf, "le")) {
		memmove(buf + 6, buf, n + 1);
		memcpy(buf, "value_", 6);
	}
}

/* The position of label @name in @x, added if new; -ENOMEM. */
static int label_pos(struct argexport *x, const char *name)
{
	for (size_t i = 0; i < x->nlabels; i++)
		if (!strcmp(x->labels[i], name))
			return i;
	x->labels[x->nlabels] = strdup(name);
	return x->labels[x->nlabels] ? (int)x->nlabels++ : -ENOMEM;
}

/* Whether one of the first @n expressions of specifier @spec has label @name. */
static bool spec_has_label(const struct argexport *x, int spec, int n, const char *name)
{
	for (int k = 0; k < n; k++)
		if (!strcmp(x->labels[x->pos[spec][k]], name))
			return true;
	return false;
}

static void export__free(struct argexport *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nlabels; i++)
		free(x->labels[i]);
	free(x);
}

/* The families of @o's specifiers in @prom. NULL on failure (errno). */
static struct argexport *export__new(struct prom *prom, const struct argreport_opts *o)
{
	struct argexport *x = calloc(1, sizeof(*x));
	bool counts = false, hists = false;
	char base[80], name[96];
	int err = -ENOMEM;

	if (!x || label_pos(x, "probe") < 0)
		goto fail;
	x->prom = prom;
	for (int i = 0; i < o->nspecs; i++) {
		const struct argspec *sp = &o->specs[i];

		hists |= sp->hist;
		counts |= !sp->hist;
		for (int e = 0; e < ARGSPEC_MAX_EXPRS; e++)
			x->pos[i][e] = -1;
		/* A -H specifier is labelled by its probe; a count of calls has one value. */
		if (sp->hist || (sp->default_expr && sp->kind == PROBE_UPROBE))
			continue;
		for (int e = 0; e < sp->nexprs; e++) {
			label_name(sp->exprs[e], base, sizeof(base));
			snprintf(name, sizeof(name), "%s", base);
			/* Two expressions of one specifier reading the same: a suffix. */
			for (int d = 2; spec_has_label(x, i, e, name); d++)
				snprintf(name, sizeof(name), "%s_%d", base, d);
			x->pos[i][e] = label_pos(x, name);
			if (x->pos[i][e] < 0)
				goto fail;
		}
	}
	x->counts = x->hists = -1;
	if (counts)
		x->counts = prom__add_family(prom, &(struct prom_family){
			.name = "cotrace_argdist_values_total",
			.help = "Values of the expressions of argdist -C, counted by value.",
			.type = PROM_COUNTER, .labels = (const char *const *)x->labels,
			.nlabels = x->nlabels });
	if (hists)
		x->hists = prom__add_family(prom, &(struct prom_family){
			.name = "cotrace_argdist_values",
			.help = "Values of the expression of argdist -H.",
			.type = PROM_HISTOGRAM, .labels = (const char *const *)x->labels,
			.nlabels = 1 });
	if ((counts && x->counts < 0) || (hists && x->hists < 0)) {
		err = counts && x->counts < 0 ? x->counts : x->hists;
		goto fail;
	}
	return x;
fail:
	export__free(x);
	errno = -err;
	return NULL;
}

static int cmp_rec(const void *a, const void *b, void *size)
{
	return memcmp(((const struct argcount *)a)->key, ((const struct argcount *)b)->key,
		      *(const size_t *)size);
}

int argcounts__add(struct argcounts *c, const uint8_t *key, uint64_t count)
{
	if (c->n == c->cap) {
		void *p = realloc(c->recs, (c->cap = c->cap ? c->cap * 2 : 256) *
				  sizeof(*c->recs));

		if (!p)
			return -ENOMEM;
		c->recs = p;
	}
	c->recs[c->n].key = malloc(c->key_size);
	if (!c->recs[c->n].key)
		return -ENOMEM;
	memcpy(c->recs[c->n].key, key, c->key_size);
	c->recs[c->n++].count = count;
	return 0;
}

void argcounts__sort(struct argcounts *c)
{
	if (c->n > 1)
		qsort_r(c->recs, c->n, sizeof(*c->recs), cmp_rec, &c->key_size);
}

void argcounts__fini(struct argcounts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->recs[i].key);
	free(c->recs);
	memset(c, 0, sizeof(*c));
}

/* Read the whole counts map into @c, sorted by key. */
static int read_counts(struct argreport *st, struct argcounts *c)
{
	int fd = st->counts_fd;
	uint8_t *key = calloc(2, st->key_size), *next = key + st->key_size;
	int err = 0;
	bool first = true;

	memset(c, 0, sizeof(*c));
	c->key_size = st->key_size;
	if (!key)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		uint64_t v;

		first = false;
		memcpy(key, next, st->key_size);
		if (bpf_map_lookup_elem(fd, key, &v))
			continue;
		err = argcounts__add(c, key, v);
		if (err)
			break;
	}
	free(key);
	argcounts__sort(c);
	return err;
}

/* The previous count of @key, 0 if it was not there. */
static uint64_t prev_count(const struct argcounts *prev, const uint8_t *key)
{
	size_t lo = 0, hi = prev->n;

	/* bsearch() has no context argument for the key size. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(key, prev->recs[mid].key, prev->key_size);

		if (!c)
			return prev->recs[mid].count;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* "size = 16, fd = 1" for a key of @si's layout into @buf. */
static void format_key(const struct argspec *sp, const struct argplan_site *si, const uint8_t *data,
		       char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	if (sp->default_expr && sp->kind != PROBE_URETPROBE) {
		snprintf(buf, len, "total calls");
		return;
	}
	for (int i = 0; i < sp->nexprs && o < len; i++) {
		struct fetch_value v = si->plan.values[si->key_first + i];
		char val[FETCH_MAX_STR + 32];

		v.off -= si->key_off;
		fetch_value__format(&v, data, si->key_len, false, val, sizeof(val));
		o += snprintf(buf + o, len - o, "%s%s = %s", i ? ", " : "",
			      sp->default_expr ? "retval" : sp->exprs[i], val);
	}
}

/*
 * The JSON key of expression @i of @sp: the expression itself, or
 * "valueN.EXPR" (N counting from 1) where that is one of the record's own
 * keys or an earlier expression's (an expression named count must not
 * hide the count).
 */
static const char *json_key(const struct argspec *sp, int i, char *buf, size_t len)
{
	static const char *const reserved[] = { "type", "interval", "probe", "count", "event" };
	const char *e = sp->exprs[i];
	bool clash = false;

	for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
		clash |= !strcmp(e, reserved[k]);
	for (int j = 0; j < i; j++)
		clash |= !strcmp(e, sp->exprs[j]);
	if (!clash)
		return e;
	snprintf(buf, len, "value%d.%s", i + 1, e);
	return buf;
}

/* Add @delta counts of the key @data of specifier @spec to the metrics. */
static int export_count(struct argreport *st, int spec, const struct argplan_site *si,
			const uint8_t *data, uint64_t delta)
{
	const struct argexport *x = st->exp;
	const struct argspec *sp = &st->o.specs[spec];
	const char *values[1 + ARGPLAN_MAX_SPECS * ARGSPEC_MAX_EXPRS];
	char vals[ARGSPEC_MAX_EXPRS][FETCH_MAX_STR + 32];

	values[0] = argspec__title(sp);
	for (size_t k = 1; k < x->nlabels; k++)
		values[k] = "";
	for (int e = 0; e < sp->nexprs; e++) {
		struct fetch_value v = si->plan.values[si->key_first + e];

		if (x->pos[spec][e] < 0)
			continue;
		v.off -= si->key_off;
		fetch_value__format(&v, data, si->key_len, false, vals[e], sizeof(vals[e]));
		values[x->pos[spec][e]] = vals[e];
	}
	return prom__counter_add(x->prom, x->counts, values, delta);
}

int argreport__counts(struct argreport *st, const struct out_ctx *ctx, int spec,
		      const struct argcounts *cur)
{
	const struct argspec *sp = &st->o.specs[spec];
	const struct argplan_site *si = &st->pl->info[st->pl->first_site[spec]];
	struct out_col cols[3 + ARGSPEC_MAX_EXPRS] = {
		{ "PROBE", "probe", OUT_STR, 0, .json_only = true },
		{ "COUNT", "count", OUT_U64, -10 },
		{ "EVENT", "event", OUT_STR, 0 },
	};
	size_t ncols = 3;
	struct out_table *t;
	char (*events)[1024] = NULL;
	char (*strs)[ARGSPEC_MAX_EXPRS][FETCH_MAX_STR + 1] = NULL;
	char keys[ARGSPEC_MAX_EXPRS][96];
	size_t nrows = 0;
	int err = -ENOMEM;

	if (!sp->default_expr) {
		for (int i = 0; i < sp->nexprs; i++) {
			const struct fetch_value *v = &si->plan.values[si->key_first + i];

			cols[ncols++] = (struct out_col){ sp->exprs[i], json_key(sp, i, keys[i],
										 sizeof(keys[i])),
				v->type.vtype == FETCH_T_STRING ? OUT_STR :
				v->type.vtype == FETCH_T_SIGNED ? OUT_S64 : OUT_U64, 0,
				.json_only = true };
		}
	}
	t = out_table__new(cols, ncols);
	for (size_t i = 0; i < cur->n; i++)
		nrows += *(uint32_t *)cur->recs[i].key == (uint32_t)spec;
	events = calloc(nrows ? nrows : 1, sizeof(*events));
	strs = calloc(nrows ? nrows : 1, sizeof(*strs));
	if (!t || !events || !strs)
		goto out;
	nrows = 0;
	for (size_t i = 0; i < cur->n; i++) {
		const uint8_t *key = cur->recs[i].key, *data = key + 8;
		struct out_val vals[3 + ARGSPEC_MAX_EXPRS];
		uint64_t n = cur->recs[i].count, delta;

		if (*(const uint32_t *)key != (uint32_t)spec)
			continue;
		/* The map is never cleared: what this interval brought is the change. */
		delta = n - prev_count(&st->prev_counts, key);
		if (delta && st->exp && export_count(st, spec, si, data, delta))
			goto out;
		if (!st->o.cumulative)
			n = delta;
		if (!n)
			continue;
		format_key(sp, si, data, events[nrows], sizeof(events[0]));
		vals[0].s = argspec__title(sp);
		vals[1].u = n;
		vals[2].s = events[nrows];
		for (size_t c = 3; c < ncols; c++) {
			struct fetch_value v = si->plan.values[si->key_first + c - 3];

			v.off -= si->key_off;
			if (cols[c].type == OUT_STR)
				vals[c].s = fetch_value__str(&v, data, si->key_len, strs[nrows][c - 3],
							     sizeof(strs[0][0]));
			else
				vals[c].u = fetch_value__u64(&v, data, si->key_len);
		}
		nrows++;
		if (out_table__add(t, vals))
			goto out;
	}
	out_table__sort(t, 1, false);
	if (st->o.top)
		out_table__keep_last(t, st->o.top);
	out__table(st->out, ctx, t);
	err = 0;
out:
	out_table__free(t);
	free(events);
	free(strs);
	return err;
}

static int report_hist(struct argreport *st, const struct out_ctx *ctx, uint32_t spec)
{
	const struct argspec *sp = &st->o.specs[spec];
	struct log2_hist total = {}, delta;
	struct out_kv kv = { "probe", NULL, OUT_STR, { .s = argspec__title(sp) } };
	struct hist h;

	if (bpf_map_lookup_elem(st->hists_fd, &spec, st->percpu))
		return -errno;
	log2_hist__add(&total, st->percpu, st->ncpus);
	delta = total;
	log2_hist__sub(&delta, &st->prev[spec]);
	if (st->exp) {
		const char *probe = argspec__title(sp);
		int err;

		hist__from_log2(&h, &delta);
		err = prom__hist_add(st->exp->prom, st->exp->hists, &probe, &h);
		if (err)
			return err;
	}
	if (st->o.cumulative)
		delta = total;
	st->prev[spec] = total;
	hist__from_log2(&h, &delta);
	/* bcc names the value column after the label or the expression. */
	out__hist_kv(st->out, ctx, &kv, out__format(st->out) == OUT_JSON ? 1 : 0,
		     sp->label ? sp->label : sp->default_expr ? "retval" : sp->exprs[0], &h,
		     false);
	return 0;
}

int argreport__report(struct argreport *st)
{
	struct out_ctx ctx = { .interval = st->interval, .indent = "\t" };
	bool text = out__format(st->out) == OUT_TEXT;
	struct argcounts cur = {};
	int err;

	err = read_counts(st, &cur);
	if (err)
		goto out;
	if (text) {
		time_t now = time(NULL);
		struct tm tm;
		char buf[32];

		strftime(buf, sizeof(buf), "[%H:%M:%S]", localtime_r(&now, &tm));
		out__line(st->out, "time", buf);
	}
	for (int i = 0; i < st->o.nspecs; i++) {
		if (text)
			out__line(st->out, "probe", argspec__title(&st->o.specs[i]));
		if (st->o.specs[i].hist) {
			ctx.record = "hist";
			err = report_hist(st, &ctx, i);
		} else {
			ctx.record = "count";
			err = argreport__counts(st, &ctx, i, &cur);
		}
		if (err)
			goto out;
	}
	argcounts__fini(&st->prev_counts);
	st->prev_counts = cur;
	memset(&cur, 0, sizeof(cur));
out:
	argcounts__fini(&cur);
	return err;
}


int argreport__init(struct argreport *r, const struct argreport_opts *o, const struct argplan *pl,
		    struct out *out, int counts_fd, int hists_fd)
{
	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->pl = pl;
	r->out = out;
	r->counts_fd = counts_fd;
	r->hists_fd = hists_fd;
	r->key_size = 8 + pl->key_bytes;
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0)
		return r->ncpus ? r->ncpus : -EINVAL;
	r->percpu = calloc(r->ncpus, sizeof(*r->percpu));
	r->prev = calloc(o->nspecs, sizeof(*r->prev));
	return r->percpu && r->prev ? 0 : -ENOMEM;
}

int argreport__declare_metrics(struct argreport *r, struct prom *prom)
{
	r->exp = export__new(prom, &r->o);
	return r->exp ? 0 : -errno;
}

void argreport__fini(struct argreport *r)
{
	argcounts__fini(&r->prev_counts);
	export__free(r->exp);
	free(r->percpu);
	free(r->prev);
	memset(r, 0, sizeof(*r));
}
