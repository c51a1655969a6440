// SPDX-License-Identifier: GPL-2.0-only
/* prom: Prometheus counters and histograms in the text format (see prom.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hist.h"
#include "common/keytab.h"
#include "common/prom.h"
#include "common/utf8.h"

struct family {
	char *name;
	char *help;
	enum prom_type type;
	char **labels;
	size_t nlabels;
	uint64_t unit_ns;
	/* Series keyed by their label values, each ended by a NUL. */
	struct keytab *series;
	uint64_t *counts;	/* counters */
	struct hist *hists;	/* histograms */
	size_t cap;
};

struct prom {
	struct family *fams;
	size_t n;
};

struct prom *prom__new(void)
{
	return calloc(1, sizeof(struct prom));
}

static void family_fini(struct family *f)
{
	free(f->name);
	free(f->help);
	for (size_t i = 0; i < f->nlabels; i++)
		free(f->labels[i]);
	free(f->labels);
	keytab__free(f->series);
	free(f->counts);
	free(f->hists);
}

void prom__free(struct prom *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		family_fini(&p->fams[i]);
	free(p->fams);
	free(p);
}

/* [a-zA-Z_][a-zA-Z0-9_]*, and a colon in metric names. */
static bool is_name(const char *s, bool metric)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++) {
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || (metric && *s == ':')))
			return false;
	}
	return true;
}

int prom__add_family(struct prom *p, const struct prom_family *f)
{
	struct family *nf;
	void *v;

	if (!is_name(f->name, true))
		return -EINVAL;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->fams[i].name, f->name))
			return -EINVAL;
	for (size_t i = 0; i < f->nlabels; i++) {
		/* Names starting with __ are Prometheus's own. */
		if (!is_name(f->labels[i], false) || !strncmp(f->labels[i], "__", 2) ||
		    (f->type == PROM_HISTOGRAM && !strcmp(f->labels[i], "le")))
			return -EINVAL;
	}
	v = realloc(p->fams, (p->n + 1) * sizeof(*p->fams));
	if (!v)
		return -ENOMEM;
	p->fams = v;
	nf = &p->fams[p->n];
	memset(nf, 0, sizeof(*nf));
	nf->type = f->type;
	nf->unit_ns = f->unit_ns;
	nf->name = strdup(f->name);
	nf->help = strdup(f->help ? f->help : "");
	nf->labels = calloc(f->nlabels ? f->nlabels : 1, sizeof(*nf->labels));
	nf->series = keytab__new();
	if (!nf->name || !nf->help || !nf->labels || !nf->series)
		goto fail;
	for (; nf->nlabels < f->nlabels; nf->nlabels++) {
		nf->labels[nf->nlabels] = strdup(f->labels[nf->nlabels]);
		if (!nf->labels[nf->nlabels])
			goto fail;
	}
	return p->n++;
fail:
	family_fini(nf);
	return -ENOMEM;
}

/* The series of @values in @f, made (zero) if new. Returns its index or -ENOMEM. */
static int64_t series(struct family *f, const char *const *values)
{
	size_t len = 0, o = 0;
	uint32_t idx;
	char *key;
	int added;

	for (size_t i = 0; i < f->nlabels; i++)
		len += strlen(values[i]) + 1;
	key = malloc(len ? len : 1);
	if (!key)
		return -ENOMEM;
	for (size_t i = 0; i < f->nlabels; i++) {
		size_t l = strlen(values[i]) + 1;

		memcpy(key + o, values[i], l);
		o += l;
	}
	added = keytab__add(f->series, key, len, &idx);
	free(key);
	if (added < 0)
		return added;
	if (idx >= f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;

		if (f->type == PROM_COUNTER) {
			uint64_t *c = realloc(f->counts, cap * sizeof(*c));

			if (!c)
				return -ENOMEM;
			f->counts = c;
		} else {
			struct hist *h = realloc(f->hists, cap * sizeof(*h));

			if (!h)
				return -ENOMEM;
			f->hists = h;
		}
		f->cap = cap;
	}
	if (added && f->type == PROM_COUNTER)
		f->counts[idx] = 0;
	else if (added)
		f->hists[idx].nslots = 0;	/* shaped by the first histogram added */
	return idx;
}

int prom__counter_add(struct prom *p, int fam, const char *const *values, uint64_t delta)
{
	struct family *f;
	int64_t s;

	if (fam < 0 || (size_t)fam >= p->n || p->fams[fam].type != PROM_COUNTER)
		return -EINVAL;
	f = &p->fams[fam];
	s = series(f, values);
	if (s < 0)
		return s;
	f->counts[s] += delta;
	return 0;
}

int prom__hist_add(struct prom *p, int fam, const char *const *values, const struct hist *h)
{
	struct family *f;
	struct hist *to;
	int64_t s;

	if (fam < 0 || (size_t)fam >= p->n || p->fams[fam].type != PROM_HISTOGRAM)
		return -EINVAL;
	f = &p->fams[fam];
	s = series(f, values);
	if (s < 0)
		return s;
	to = &f->hists[s];
	if (!to->nslots) {
		*to = *h;
		return 0;
	}
	if (to->kind != h->kind || to->nslots != h->nslots || to->linear_min != h->linear_min ||
	    to->linear_step != h->linear_step)
		return -EINVAL;
	hist__merge(to, h);
	return 0;
}

/* ---- rendering ------------------------------------------------------------------ */

/*
 * @s escaped as the text format wants: backslash and newline, and the
 * double quote in a label value (@quote). Prometheus takes UTF-8 only, and
 * one bad byte (a comm, a string argdist read from memory) would make the
 * whole file unreadable to node_exporter: a byte that is not UTF-8 becomes
 * U+FFFD, as Go's strings.ToValidUTF8 would make it.
 */
static void put_escaped(FILE *f, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq_len((const char *)p);

		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (quote && *p == '"')
			fputs("\\\"", f);
		else if (!n)
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(p, 1, n, f);
		p += n ? n : 1;
	}
}

/*
 * @v units of @unit_ns nanoseconds in seconds, exactly ("0.000002048",
 * "3"), or @v itself when @unit_ns is 0, into @buf (at least 48 bytes).
 */
static const char *format_value(char *buf, size_t len, uint64_t v, uint64_t unit_ns)
{
	unsigned __int128 ns = (unsigned __int128)v * unit_ns;
	unsigned __int128 sec = ns / 1000000000u;
	uint64_t frac = ns % 1000000000u;
	int n;

	if (!unit_ns) {
		snprintf(buf, len, "%" PRIu64, v);
		return buf;
	}
	/* Below 2^64 * 1e9 ns: the seconds fit in 64 bits. */
	n = snprintf(buf, len, "%" PRIu64, (uint64_t)sec);
	if (frac && n > 0 && (size_t)n < len) {
		snprintf(buf + n, len - n, ".%09" PRIu64, frac);
		for (n = strlen(buf); buf[n - 1] == '0'; n--)
			buf[n - 1] = 0;
	}
	return buf;
}

/* The labels of a series ({a="x",b="y"), without the closing brace. */
static bool put_labels(FILE *f, const struct family *fam, const char *key)
{
	bool any = false;

	for (size_t i = 0; i < fam->nlabels; i++) {
		/* An empty value is an absent label to Prometheus: leave it out. */
		if (*key) {
			fprintf(f, "%s%s=\"", any ? "," : "{", fam->labels[i]);
			put_escaped(f, key, true);
			fputc('"', f);
			any = true;
		}
		key += strlen(key) + 1;
	}
	return any;
}

/* A sample line up to its value: "name_SUFFIX{a="x",le="1"} ". */
static void put_series(FILE *f, const struct family *fam, const char *suffix, const char *key,
		       const char *le)
{
	bool any;

	fprintf(f, "%s%s", fam->name, suffix);
	any = put_labels(f, fam, key);
	if (le)
		fprintf(f, "%sle=\"%s\"", any ? "," : "{", le);
	fputs(any || le ? "} " : " ", f);
}

static void put_hist(FILE *f, const struct family *fam, const char *key, const struct hist *h)
{
	size_t used = hist__used(h);
	uint64_t cum = 0, total = hist__total(h);
	char v[64];

	for (size_t i = 0; i < used; i++) {
		uint64_t low, high;

		cum += h->slots[i];
		hist_slot_bounds(h, i, &low, &high);
		/* The last slot of a linear histogram holds every value above it,
		 * and the last log2 one reaches UINT64_MAX: +Inf says both. */
		if ((h->kind == HIST_LINEAR && i + 1 == h->nslots) || high == UINT64_MAX)
			break;
		/* Time values were truncated to whole units: a value counted as
		 * @high units was below @high + 1 of them. Nanoseconds are exact. */
		put_series(f, fam, "_bucket", key,
			   format_value(v, sizeof(v), fam->unit_ns > 1 ? high + 1 : high,
					fam->unit_ns));
		fprintf(f, "%" PRIu64 "\n", cum);
	}
	/* +Inf and _count from the slots, so that they always agree. */
	put_series(f, fam, "_bucket", key, "+Inf");
	fprintf(f, "%" PRIu64 "\n", total);
	put_series(f, fam, "_sum", key, NULL);
	fprintf(f, "%s\n", format_value(v, sizeof(v), h->sum, fam->unit_ns));
	put_series(f, fam, "_count", key, NULL);
	fprintf(f, "%" PRIu64 "\n", total);
}

/* A series to sort by its label values. */
struct sorted {
	const char *key;
	size_t len;
	uint32_t idx;
};

static int cmp_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

int prom__render(const struct prom *p, char **buf, size_t *len)
{
	FILE *f;
	int err = 0;

	*buf = NULL;
	*len = 0;
	f = open_memstream(buf, len);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < p->n && !err; i++) {
		const struct family *fam = &p->fams[i];
		size_t n = keytab__count(fam->series);
		struct sorted *order;
		char v[64];

		if (!n)
			continue;
		order = malloc(n * sizeof(*order));
		if (!order) {
			err = -ENOMEM;
			break;
		}
		for (uint32_t s = 0; s < n; s++) {
			order[s].key = keytab__key(fam->series, s, &order[s].len);
			order[s].idx = s;
		}
		qsort(order, n, sizeof(*order), cmp_sorted);
		fprintf(f, "# HELP %s ", fam->name);
		put_escaped(f, fam->help, false);
		fprintf(f, "\n# TYPE %s %s\n", fam->name,
			fam->type == PROM_COUNTER ? "counter" : "histogram");
		for (size_t k = 0; k < n; k++) {
			if (fam->type == PROM_HISTOGRAM) {
				put_hist(f, fam, order[k].key, &fam->hists[order[k].idx]);
				continue;
			}
			put_series(f, fam, "", order[k].key, NULL);
			fprintf(f, "%s\n", format_value(v, sizeof(v), fam->counts[order[k].idx],
							 fam->unit_ns));
		}
		free(order);
	}
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
	return err;
}
