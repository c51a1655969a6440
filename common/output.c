// SPDX-License-Identifier: GPL-2.0-only
/* output: text tables and JSON lines through one sink. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hist.h"
#include "common/stacks.h"
#include "common/output.h"

/* ---- JSON writer ---------------------------------------------------------- */

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

struct json *json__new(FILE *f)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->f = f;
	return j;
}

void json__free(struct json *j)
{
	free(j);
}

size_t json_escape(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char tmp[8];
		const char *e = tmp;
		size_t elen;

		switch (*p) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				snprintf(tmp, sizeof(tmp), "\\u%04x", *p);
			else {
				tmp[0] = *p;
				tmp[1] = 0;
			}
		}
		elen = strlen(e);
		if (n + elen < len)
			memcpy(buf + n, e, elen);
		n += elen;
	}
	if (len)
		buf[n < len ? n : len - 1] = 0;
	return n;
}

static void json_put_string(struct json *j, const char *s)
{
	char small[256];
	size_t n = json_escape(small, sizeof(small), s);
	char *buf = small;

	if (n >= sizeof(small)) {
		buf = malloc(n + 1);
		if (!buf) {
			fputs("\"\"", j->f);
			return;
		}
		json_escape(buf, n + 1, s);
	}
	fputc('"', j->f);
	fputs(buf, j->f);
	fputc('"', j->f);
	if (buf != small)
		free(buf);
}

/* Comma and key before a value at the current depth. */
static void json_prefix(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			fputc(',', j->f);
		j->need_comma[j->depth] = true;
	}
	if (key) {
		json_put_string(j, key);
		fputc(':', j->f);
	}
}

void json__key(struct json *j, const char *key)
{
	json_prefix(j, key);
}

static void json_open(struct json *j, const char *key, char c)
{
	json_prefix(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

void json__begin_object(struct json *j)
{
	json_open(j, NULL, '{');
}

void json__end_object(struct json *j)
{
	fputc('}', j->f);
	if (j->depth > 0)
		j->depth--;
}

void json__begin_array(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json__end_array(struct json *j)
{
	fputc(']', j->f);
	if (j->depth > 0)
		j->depth--;
}

void json__str(struct json *j, const char *key, const char *s)
{
	json_prefix(j, key);
	if (s)
		json_put_string(j, s);
	else
		fputs("null", j->f);
}

void json__u64(struct json *j, const char *key, uint64_t v)
{
	json_prefix(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json__s64(struct json *j, const char *key, int64_t v)
{
	json_prefix(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json__f64(struct json *j, const char *key, double v)
{
	json_prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.17g", v);
	else
		fputs("null", j->f);
}

void json__bool(struct json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json__newline(struct json *j)
{
	fputc('\n', j->f);
	j->depth = 0;
	j->need_comma[0] = false;
}

/* ---- tables ---------------------------------------------------------------- */

struct out_table {
	const struct out_col *cols;
	size_t ncols;
	struct out_val *vals;	/* rows * ncols */
	size_t rows, cap;
	size_t sort_col;	/* for the comparator */
	bool sort_desc;
};

struct out_table *out_table__new(const struct out_col *cols, size_t ncols)
{
	struct out_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cols = cols;
	t->ncols = ncols;
	return t;
}

static void free_rows(struct out_table *t, size_t from, size_t to)
{
	for (size_t r = from; r < to; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (t->cols[c].type == OUT_STR)
				free((char *)t->vals[r * t->ncols + c].s);
}

void out_table__free(struct out_table *t)
{
	if (!t)
		return;
	free_rows(t, 0, t->rows);
	free(t->vals);
	free(t);
}

int out_table__add(struct out_table *t, const struct out_val *vals)
{
	struct out_val *row;

	if (t->rows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct out_val *p = realloc(t->vals, ncap * t->ncols * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->vals = p;
		t->cap = ncap;
	}
	row = &t->vals[t->rows * t->ncols];
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = vals[c];
		if (t->cols[c].type == OUT_STR) {
			row[c].s = strdup(vals[c].s ? vals[c].s : "");
			if (!row[c].s) {
				free_rows(t, t->rows, t->rows + 1);
				return -ENOMEM;
			}
		}
	}
	t->rows++;
	return 0;
}

size_t out_table__rows(const struct out_table *t)
{
	return t->rows;
}

static int cmp_val(enum out_type type, const struct out_val *a, const struct out_val *b)
{
	switch (type) {
	case OUT_STR: return strcmp(a->s, b->s);
	case OUT_U64: return a->u < b->u ? -1 : a->u > b->u;
	case OUT_S64: return a->i < b->i ? -1 : a->i > b->i;
	case OUT_F64: return a->f < b->f ? -1 : a->f > b->f;
	}
	return 0;
}

void out_table__sort(struct out_table *t, size_t col, bool descending)
{
	/* Insertion sort by runs would do; a stable merge via index array is
	 * simpler to get right for wide rows. */
	size_t n = t->rows, w = t->ncols;
	struct out_val *tmp;

	if (n < 2 || col >= w)
		return;
	tmp = malloc(n * w * sizeof(*tmp));
	if (!tmp)
		return;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid || j < hi) {
				bool take_left;

				if (i >= mid)
					take_left = false;
				else if (j >= hi)
					take_left = true;
				else {
					int c = cmp_val(t->cols[col].type, &t->vals[j * w + col],
							&t->vals[i * w + col]);

					take_left = descending ? c <= 0 : c >= 0;
				}
				memcpy(&tmp[k++ * w], &t->vals[(take_left ? i++ : j++) * w],
				       w * sizeof(*tmp));
			}
		}
		memcpy(t->vals, tmp, n * w * sizeof(*tmp));
	}
	free(tmp);
}

void out_table__truncate(struct out_table *t, size_t n)
{
	if (n >= t->rows)
		return;
	free_rows(t, n, t->rows);
	t->rows = n;
}

void out_table__keep_last(struct out_table *t, size_t n)
{
	size_t drop;

	if (n >= t->rows)
		return;
	drop = t->rows - n;
	free_rows(t, 0, drop);
	memmove(t->vals, &t->vals[drop * t->ncols], n * t->ncols * sizeof(*t->vals));
	t->rows = n;
}

/* ---- the sink ---------------------------------------------------------------- */

struct out {
	FILE *f;
	enum out_format fmt;
	struct json *json;
	int err;		/* the first failed write: a negative errno, or 0 */
};

struct out *out__new(FILE *f, enum out_format fmt)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->f = f;
	o->fmt = fmt;
	if (fmt == OUT_JSON) {
		o->json = json__new(f);
		if (!o->json) {
			free(o);
			return NULL;
		}
	}
	return o;
}

/*
 * Why writes to @fd failed when stdio no longer says: a pipe or socket
 * whose reader has gone reports POLLERR or POLLHUP (EPIPE to a write);
 * anything else is an I/O error.
 */
static int lost_write_reason(int fd)
{
	struct pollfd pfd = { .fd = fd };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)))
		return -EPIPE;
	return -EIO;
}

int out_stream__flush(FILE *f)
{
	/* glibc drops the buffered data of a failed write and keeps only the
	 * error flag: a later fflush() of the emptied buffer returns 0. */
	if (fflush(f))
		return errno > 0 ? -errno : -EIO;
	return ferror(f) ? lost_write_reason(fileno(f)) : 0;
}

/* Flush, keeping the first write error: later ones may say less. */
static int out_flush(struct out *o)
{
	int err = out_stream__flush(o->f);

	if (!o->err)
		o->err = err;
	return o->err;
}

void out__free(struct out *o)
{
	if (!o)
		return;
	out_flush(o);
	json__free(o->json);
	free(o);
}

enum out_format out__format(const struct out *o)
{
	return o->fmt;
}

static void json_val(struct json *j, const char *key, enum out_type type, const struct out_val *v)
{
	switch (type) {
	case OUT_STR: json__str(j, key, v->s); break;
	case OUT_U64: json__u64(j, key, v->u); break;
	case OUT_S64: json__s64(j, key, v->i); break;
	case OUT_F64: json__f64(j, key, v->f); break;
	}
}

static void text_val(FILE *f, int width, enum out_type type, const struct out_val *v)
{
	switch (type) {
	case OUT_STR: fprintf(f, "%*s", width, v->s); break;
	case OUT_U64: fprintf(f, "%*" PRIu64, width, v->u); break;
	case OUT_S64: fprintf(f, "%*" PRId64, width, v->i); break;
	case OUT_F64: fprintf(f, "%*.2f", width, v->f); break;
	}
}

static void json_ctx(struct json *j, const struct out_ctx *ctx)
{
	struct timespec ts;

	if (ctx->record)
		json__str(j, "type", ctx->record);
	if (ctx->timestamp) {
		clock_gettime(CLOCK_REALTIME, &ts);
		json__f64(j, "time", ts.tv_sec + ts.tv_nsec / 1e9);
	}
	json__u64(j, "interval", ctx->interval);
}

void out__table(struct out *o, const struct out_ctx *ctx, const struct out_table *t)
{
	if (o->fmt == OUT_JSON) {
		for (size_t r = 0; r < t->rows; r++) {
			json__begin_object(o->json);
			json_ctx(o->json, ctx);
			for (size_t c = 0; c < t->ncols; c++)
				if (!t->cols[c].text_only)
					json_val(o->json, t->cols[c].key, t->cols[c].type,
						 &t->vals[r * t->ncols + c]);
			json__end_object(o->json);
			json__newline(o->json);
		}
		out_flush(o);
		return;
	}
	if (ctx->timestamp) {
		time_t now = time(NULL);
		struct tm tm;
		char buf[16];

		localtime_r(&now, &tm);
		strftime(buf, sizeof(buf), ctx->bracket_time ? "[%H:%M:%S]" : "%H:%M:%S", &tm);
		fprintf(o->f, "%s\n", buf);
	}
	fputs(ctx->indent ? ctx->indent : "", o->f);
	for (size_t c = 0, shown = 0; c < t->ncols; c++)
		if (!t->cols[c].json_only)
			fprintf(o->f, "%s%*s", shown++ ? " " : "", t->cols[c].width,
				t->cols[c].header);
	fputc('\n', o->f);
	for (size_t r = 0; r < t->rows; r++) {
		fputs(ctx->indent ? ctx->indent : "", o->f);
		for (size_t c = 0, shown = 0; c < t->ncols; c++) {
			if (t->cols[c].json_only)
				continue;
			if (shown++)
				fputc(' ', o->f);
			text_val(o->f, t->cols[c].width, t->cols[c].type,
				 &t->vals[r * t->ncols + c]);
		}
		fputc('\n', o->f);
	}
	out_flush(o);
}

void out__summary(struct out *o, const struct out_kv *kvs, size_t n)
{
	if (o->fmt == OUT_JSON) {
		json__begin_object(o->json);
		json__str(o->json, "type", "summary");
		for (size_t i = 0; i < n; i++)
			json_val(o->json, kvs[i].key, kvs[i].type, &kvs[i].val);
		json__end_object(o->json);
		json__newline(o->json);
		out_flush(o);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char val[64];

		if (!kvs[i].text)
			continue;
		switch (kvs[i].type) {
		case OUT_U64:
			if (!kvs[i].val.u)
				continue;
			snprintf(val, sizeof(val), "%" PRIu64, kvs[i].val.u);
			break;
		case OUT_S64:
			if (!kvs[i].val.i)
				continue;
			snprintf(val, sizeof(val), "%" PRId64, kvs[i].val.i);
			break;
		default:
			continue;
		}
		fprintf(stderr, "warning: ");
		fprintf(stderr, kvs[i].text, val);
		fputc('\n', stderr);
	}
}

void out__list(struct out *o, const char *key, const char *header, const char *const *items,
	       size_t n)
{
	if (o->fmt == OUT_JSON) {
		json__begin_object(o->json);
		json__str(o->json, "type", key);
		json__begin_array(o->json, "items");
		for (size_t i = 0; i < n; i++)
			json__str(o->json, NULL, items[i]);
		json__end_array(o->json);
		json__end_object(o->json);
		json__newline(o->json);
		out_flush(o);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s: %s\n", header, items[i]);
}

void out__hist(struct out *o, const struct out_ctx *ctx, const char *label_key,
	       const char *label, const char *unit, const struct hist *h)
{
	struct out_kv kv = { label_key ? label_key : "label", NULL, OUT_STR, { .s = label } };

	out__hist_kv(o, ctx, &kv, label ? 1 : 0, unit, h, false);
}

void out__hist_kv(struct out *o, const struct out_ctx *ctx, const struct out_kv *labels,
		  size_t nlabels, const char *unit, const struct hist *h, bool stats)
{
	size_t used = hist__used(h);
	uint64_t max = 0, low, high;
	int width, hwidth;

	if (o->fmt == OUT_JSON) {
		json__begin_object(o->json);
		json_ctx(o->json, ctx);
		for (size_t i = 0; i < nlabels; i++)
			json_val(o->json, labels[i].key, labels[i].type, &labels[i].val);
		json__str(o->json, "unit", unit);
		json__begin_array(o->json, "buckets");
		for (size_t i = 0; i < used; i++) {
			hist_slot_bounds(h, i, &low, &high);
			json__begin_object(o->json);
			json__u64(o->json, "low", low);
			json__u64(o->json, "high", high);
			json__u64(o->json, "count", h->slots[i]);
			json__end_object(o->json);
		}
		json__end_array(o->json);
		json__u64(o->json, "count", h->count);
		json__u64(o->json, "sum", h->sum);
		json__end_object(o->json);
		json__newline(o->json);
		out_flush(o);
		return;
	}
	if (nlabels)
		fputc('\n', o->f);
	for (size_t i = 0; i < nlabels; i++) {
		fprintf(o->f, "%s%s = ", i ? ", " : "", labels[i].key);
		text_val(o->f, 0, labels[i].type, &labels[i].val);
	}
	if (nlabels)
		fputc('\n', o->f);
	for (size_t i = 0; i < used; i++)
		if (h->slots[i] > max)
			max = h->slots[i];
	/* bcc's widths: wider columns once bounds pass 2^32. */
	width = used <= 32 ? 10 : 20;
	hwidth = used <= 32 ? 5 : 15;
	fprintf(o->f, "%*s%-*s : count    distribution\n", hwidth, "", width * 2 - 1, unit);
	for (size_t i = 0; i < used; i++) {
		int stars = max ? (int)(h->slots[i] * 40 / max) : 0;

		hist_slot_bounds(h, i, &low, &high);
		fprintf(o->f, "%*" PRIu64 " -> %-*" PRIu64 " : %-8" PRIu64 " |%.*s%*s|\n", width, low,
			width, high, h->slots[i], stars,
			"****************************************", 40 - stars, "");
	}
	if (stats && h->count)
		fprintf(o->f, "\navg = %" PRIu64 " %s, total: %" PRIu64 " %s, count: %" PRIu64 "\n",
			h->sum / h->count, unit, h->sum, unit, h->count);
	out_flush(o);
}

char *out_stack_folded(const struct stack_record *r, bool with_pid, bool delimit)
{
	size_t len = strlen(r->comm) + 34;
	char *s, *p;

	for (size_t i = 0; i < r->nuser; i++)
		len += strlen(r->user[i]) + 1;
	for (size_t i = 0; i < r->nkernel; i++)
		len += strlen(r->kernel[i]) + 5;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	p += with_pid ? sprintf(p, "%s-%u", r->comm, r->tgid) : sprintf(p, "%s", r->comm);
	/* Folded stacks go from the root: outermost frame first. Semicolons
	 * inside names (rare, C++ templates) would split frames: replace them. */
	for (size_t i = r->nuser; i-- > 0;) {
		*p++ = ';';
		for (const char *c = r->user[i]; *c; c++)
			*p++ = *c == ';' ? ':' : *c;
	}
	if (delimit && r->nuser && r->nkernel)
		p += sprintf(p, ";-");
	for (size_t i = r->nkernel; i-- > 0;) {
		*p++ = ';';
		for (const char *c = r->kernel[i]; *c; c++)
			*p++ = *c == ';' ? ':' : *c;
		p += sprintf(p, "_[k]");
	}
	*p = 0;
	return s;
}

/* Frames as fields: what the text form says, for consumers to take apart. */
static void json_frames(struct json *j, const char *key, const struct stack_frame *f, size_t n)
{
	json__begin_array(j, key);
	for (size_t i = 0; f && i < n; i++) {
		json__begin_object(j);
		if (f[i].addr)
			json__u64(j, "addr", f[i].addr);
		if (f[i].func)
			json__str(j, "func", f[i].func);
		/* No address and no module: a frame a tool added ("[close]"). */
		if (f[i].func && (f[i].addr || f[i].module))
			json__u64(j, "offset", f[i].offset);
		if (f[i].module) {
			json__str(j, "module", f[i].module);
			json__u64(j, "module_offset", f[i].module_offset);
		}
		if (f[i].file) {
			json__str(j, "file", f[i].file);
			json__u64(j, "line", f[i].line);
		}
		if (f[i].inlined)
			json__bool(j, "inlined", true);
		json__end_object(j);
	}
	json__end_array(j);
}

void out__stack(struct out *o, const struct out_ctx *ctx, const struct stack_record *r,
		bool show_pid, const char *extra_key, const char *extra_val)
{
	if (o->fmt == OUT_JSON) {
		json__begin_object(o->json);
		json_ctx(o->json, ctx);
		json__u64(o->json, "pid", r->tgid);
		json__str(o->json, "comm", r->comm);
		if (extra_key)
			json__str(o->json, extra_key, extra_val);
		json__u64(o->json, "count", r->count);
		json__begin_array(o->json, "user");
		for (size_t i = 0; i < r->nuser; i++)
			json__str(o->json, NULL, r->user[i]);
		json__end_array(o->json);
		json__begin_array(o->json, "kernel");
		for (size_t i = 0; i < r->nkernel; i++)
			json__str(o->json, NULL, r->kernel[i]);
		json__end_array(o->json);
		json_frames(o->json, "user_frames", r->user_frames, r->nuser);
		json_frames(o->json, "kernel_frames", r->kernel_frames, r->nkernel);
		if (r->user_lost)
			json__bool(o->json, "user_lost", true);
		if (r->kernel_lost)
			json__bool(o->json, "kernel_lost", true);
		json__end_object(o->json);
		json__newline(o->json);
		return;
	}
	if (o->fmt == OUT_FOLDED) {
		char *line = out_stack_folded(r, show_pid, ctx->delimit);

		if (line) {
			fprintf(o->f, "%s %" PRIu64 "\n", line, r->count);
			free(line);
		}
		return;
	}
	if (extra_key)
		fprintf(o->f, "  %s\n", extra_val);
	for (size_t i = 0; i < r->nkernel; i++)
		fprintf(o->f, "  %s\n", r->kernel[i]);
	if (r->kernel_lost)
		fprintf(o->f, "  [kernel stack lost]\n");
	if (ctx->delimit && (r->nkernel || r->kernel_lost) && (r->nuser || r->user_lost))
		fprintf(o->f, "    --\n");
	for (size_t i = 0; i < r->nuser; i++)
		fprintf(o->f, "  %s\n", r->user[i]);
	if (r->user_lost)
		fprintf(o->f, "  [user stack lost]\n");
	if (show_pid)
		fprintf(o->f, "    %s [%u]\n", r->comm, r->tgid);
	fprintf(o->f, "    %" PRIu64 "\n\n", r->count);
}

/* ---- events ------------------------------------------------------------------ */

void out__event_header(struct out *o, const struct out_event_layout *l)
{
	if (o->fmt == OUT_JSON)
		return;
	if (l->time)
		fprintf(o->f, l->wide_time ? "%-17s " : "%-14s ", "TIME");
	if (l->cpu)
		fprintf(o->f, "%-3s ", "CPU");
	fprintf(o->f, "%-7s %-7s %-15s %-16s %s\n", "PID", "TID", "COMM", "FUNC", "-");
}

static void event_text(FILE *f, const struct out_event_layout *l, const struct out_event *e)
{
	char frame[1024];

	if (l->time)
		fprintf(f, l->wide_time ? "%-17s " : "%-14s ", e->time);
	if (l->cpu)
		fprintf(f, "%-3u ", e->cpu);
	fprintf(f, "%-7u %-7u %-15s %-16s %s\n", e->pid, e->tid, e->comm, e->func, e->msg);
	for (size_t i = 0; i < e->nkernel; i++)
		fprintf(f, "        %s\n", e->frame(e->frame_ctx, true, i, frame, sizeof(frame)));
	for (size_t i = 0; i < e->nuser; i++)
		fprintf(f, "        %s\n", e->frame(e->frame_ctx, false, i, frame, sizeof(frame)));
}

static void event_stack(struct json *j, const char *key, const struct out_event *e, bool kernel)
{
	char frame[1024];

	json__begin_array(j, key);
	for (size_t i = 0; i < (kernel ? e->nkernel : e->nuser); i++)
		json__str(j, NULL, e->frame(e->frame_ctx, kernel, i, frame, sizeof(frame)));
	json__end_array(j);
}

void out__event(struct out *o, const struct out_event_layout *l, const struct out_event *e)
{
	struct json *j = o->json;

	if (o->fmt != OUT_JSON) {
		event_text(o->f, l, e);
		return;
	}
	json__begin_object(j);
	json__str(j, "type", "event");
	if (l->time)
		json__f64(j, "ts", e->ts);
	json__u64(j, "pid", e->pid);
	json__u64(j, "tid", e->tid);
	json__u64(j, "cpu", e->cpu);
	json__str(j, "comm", e->comm);
	json__str(j, "func", e->func);
	json__str(j, "message", e->msg);
	json__begin_array(j, "args");
	for (size_t i = 0; i < e->nargs; i++)
		json_val(j, NULL, e->arg_types[i], &e->args[i]);
	json__end_array(j);
	if (l->kernel_stack)
		event_stack(j, "kernel_stack", e, true);
	if (l->user_stack)
		event_stack(j, "user_stack", e, false);
	json__end_object(j);
	json__newline(j);
}

char *out_event__text(const struct out_event_layout *l, const struct out_event *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	event_text(f, l, e);
	if (fclose(f) || !text) {
		free(text);
		return NULL;
	}
	return text;
}

void out__event_count(struct out *o, const char *text, uint64_t count)
{
	fprintf(o->f, "%s-->COUNT %" PRIu64 "\n\n", text, count);
}

bool out__failed(const struct out *o)
{
	return o->err || ferror(o->f);
}

void out__separator(struct out *o)
{
	if (o->fmt != OUT_JSON)
		fputc('\n', o->f);
}

void out__line(struct out *o, const char *key, const char *line)
{
	if (o->fmt == OUT_JSON) {
		json__begin_object(o->json);
		json__str(o->json, key, line);
		json__end_object(o->json);
		json__newline(o->json);
		return;
	}
	fprintf(o->f, "%s\n", line);
}

int out__flush(struct out *o)
{
	return out_flush(o);
}
