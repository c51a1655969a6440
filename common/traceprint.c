// SPDX-License-Identifier: GPL-2.0-only
/* traceprint: uprobe-trace's events to the output module (see traceprint.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/sites.h"
#include "common/stacks.h"
#include "common/syms.h"
#include "common/traceprint.h"
#include "bpf/python.h"
#include "bpf/stacks.h"
#include "bpf/uprobe_trace.h"

static void func_name(const struct trace_printer *t, const struct site *s, const struct trace_probe *p,
		      char *buf, size_t len)
{
	if (p->event)
		snprintf(buf, len, "%s", p->event);
	else
		snprintf(buf, len, "%s", s->name);
}

/*
 * One user frame of @pid as text: "func+0x1a" (with -a, "0xADDR func+0x1a").
 * A frame of a CFI walk that no snapshot of its process maps shows its
 * file offset; a Python frame has no address of its own.
 */
static void format_frame(struct trace_printer *t, pid_t pid, uint64_t addr, char *buf, size_t len)
{
	struct sym_frame f;
	uint64_t ip = addr;
	int n = 0, off = 0;

	if (addr == STACK_CUT_MARK) {
		snprintf(buf, len, "%s", STACK_CUT_TEXT);
		return;
	}
	if (t->syms)
		n = stack_user_frame__resolve(t->syms, t->py, pid, addr, &f, 1, &ip);
	else if (addr & STACK_FRAME_FILE)
		ip = 0;
	if (t->o.address && PY_FRAME_IS(addr))
		off = 0;
	else if (t->o.address && !ip)
		off = snprintf(buf, len, "+%#" PRIx64 " ", (uint64_t)STACK_FRAME_OFF(addr));
	else if (t->o.address)
		off = snprintf(buf, len, "0x%" PRIx64 " ", ip);
	if (n > 0)
		sym_frame__format(&f, true, buf + off, len - off);
	else
		snprintf(buf + off, len - off, "[unknown]");
}

/* One kernel frame as text, as format_frame(). */
static void format_kframe(struct trace_printer *t, uint64_t addr, char *buf, size_t len)
{
	struct sym_frame f;
	int n = 0, off = 0;

	if (t->o.address)
		off = snprintf(buf, len, "0x%" PRIx64 " ", addr);
	if (t->syms)
		n = syms__resolve_kernel(t->syms, addr, &f);
	if (n > 0)
		sym_frame__format(&f, true, buf + off, len - off);
	else
		snprintf(buf + off, len - off, "[unknown]");
}

/* An event's stacks, innermost frame first (-U, -K). */
struct event_stacks {
	const uint64_t *user, *kernel;
	size_t nuser, nkernel;
};

/* An event's frames, symbolized as the output module asks for them. */
struct event_frames {
	struct trace_printer *t;
	pid_t pid;
	const struct event_stacks *st;
};

static const char *event_frame(void *ctx, bool kernel, size_t i, char *buf, size_t len)
{
	const struct event_frames *ef = ctx;

	if (kernel)
		format_kframe(ef->t, ef->st->kernel[i], buf, len);
	else
		format_frame(ef->t, ef->pid, ef->st->user[i], buf, len);
	return buf;
}

/* -A: the event's text counted instead of printed. */
static void aggregate_event(struct trace_printer *t, const struct out_event *ev)
{
	char *text = out_event__text(&t->layout, ev);

	if (!text || eventagg__add(&t->agg, text))
		t->agg_err = -ENOMEM;
}

/* JSON's "args": each value as its type says. */
static void event_args(const struct trace_probe *p, const struct fetch_plan *plan, const void *d,
		       size_t dlen, enum out_type *types, struct out_val *vals,
		       char (*strs)[FETCH_MAX_STR + 1])
{
	for (int i = 0; i < p->nargs; i++) {
		const struct fetch_value *v = &plan->values[i];

		if (v->type.vtype == FETCH_T_STRING) {
			types[i] = OUT_STR;
			vals[i].s = fetch_value__str(v, d, dlen, strs[i], sizeof(strs[i]));
		} else if (v->type.vtype == FETCH_T_SIGNED) {
			types[i] = OUT_S64;
			vals[i].i = fetch_value__s64(v, d, dlen);
		} else {
			types[i] = OUT_U64;
			vals[i].u = fetch_value__u64(v, d, dlen);
		}
	}
}

/* %K and %U: a symbol of the kernel (@pid -1) or of process @pid. */
static int resolve_sym(void *ctx, int pid, uint64_t addr, struct trace_sym *out)
{
	struct trace_printer *t = ctx;
	struct sym_frame f;
	int n;

	if (!t->syms)
		return -ENOENT;
	n = pid < 0 ? syms__resolve_kernel(t->syms, addr, &f) :
		      syms__resolve_user(t->syms, pid, addr, &f, 1);
	if (n <= 0)
		return -ENOENT;
	*out = (struct trace_sym){ f.name, f.offset,
				   f.module && f.module[0] != '[' ? f.module : NULL };
	return 0;
}

/* Event @e of probe @p: printed, or counted with -A. */
static void write_event(struct trace_printer *t, const struct trace_event *e,
			const struct trace_probe *p, const void *d, size_t dlen,
			const struct event_stacks *st, const char *tbuf, const char *comm,
			const char *func, const char *msg)
{
	const struct trace_print_opts *o = &t->o;
	struct event_frames ef = { t, e->pid, st };
	struct out_event ev = {
		.time = tbuf, .pid = e->pid, .tid = e->tid, .cpu = e->cpu, .comm = comm,
		.func = func, .msg = msg, .nkernel = st->nkernel, .nuser = st->nuser,
		.frame = event_frame, .frame_ctx = &ef,
	};
	enum out_type types[TRACE_PROBE_MAX_ARGS];
	struct out_val vals[TRACE_PROBE_MAX_ARGS];
	char strs[TRACE_PROBE_MAX_ARGS][FETCH_MAX_STR + 1];

	if (out__format(t->out) == OUT_JSON) {
		ev.ts = o->unix_time ? t->epoch_offset + e->ts / 1e9 :
			e->ts > t->start_ns ? (e->ts - t->start_ns) / 1e9 : 0.0;
		event_args(p, &t->plans[e->site], d, dlen, types, vals, strs);
		ev.arg_types = types;
		ev.args = vals;
		ev.nargs = p->nargs;
		out__event(t->out, &t->layout, &ev);
	} else if (o->aggregate) {
		aggregate_event(t, &ev);
	} else {
		out__event(t->out, &t->layout, &ev);
	}
}

int trace_printer__event(struct trace_printer *t, const void *data, size_t size)
{
	const struct trace_event *e = data;
	const struct trace_print_opts *o = &t->o;
	const struct site *s;
	const struct trace_probe *p;
	const void *d;
	struct event_stacks st;
	size_t dlen;
	char comm[17], func[128], tbuf[32] = "";
	const char *msg;

	/* Once stdout failed, the events are only drained. */
	if (*t->done || out__failed(t->out) || size < sizeof(*e) || e->site >= t->set->count)
		return 0;
	s = &t->set->sites[e->site];
	p = &o->probes[s->spec];
	memcpy(comm, e->comm, 16);
	comm[16] = 0;
	if (o->comm && !strstr(comm, o->comm))
		return 0;
	if (e->stack_bytes > size - sizeof(*e) ||
	    e->kstack_bytes > size - sizeof(*e) - e->stack_bytes)
		return 0;
	d = (const char *)data + sizeof(*e);
	dlen = size - sizeof(*e) - e->stack_bytes - e->kstack_bytes;
	st.nuser = e->stack_bytes / sizeof(uint64_t);
	st.user = (const uint64_t *)((const char *)d + dlen);
	st.nkernel = e->kstack_bytes / sizeof(uint64_t);
	st.kernel = st.user + st.nuser;
	msg = trace_probe__render_event(p, &t->plans[e->site], d, dlen, e->pid,
					&(struct trace_symbolizer){ resolve_sym, t }, &t->line);
	/* bcc's -f: a substring of the message, before -M counts the event. */
	if (o->msg_filter && !strstr(msg ? msg : "", o->msg_filter))
		return 0;
	func_name(t, s, p, func, sizeof(func));
	if (o->time_of_day) {
		time_t now = time(NULL);
		struct tm tm;

		strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime_r(&now, &tm));
	} else if (o->unix_time) {
		snprintf(tbuf, sizeof(tbuf), "%.6f", t->epoch_offset + e->ts / 1e9);
	} else if (o->timestamp) {
		snprintf(tbuf, sizeof(tbuf), "%.6f",
			 e->ts > t->start_ns ? (e->ts - t->start_ns) / 1e9 : 0.0);
	}
	write_event(t, e, p, d, dlen, &st, tbuf, comm, func, msg ? msg : "");
	t->printed++;
	if (o->max_events && t->printed >= o->max_events) {
		*t->done = true;
		return -ECANCELED;
	}
	return 0;
}

void trace_printer__init(struct trace_printer *t, const struct trace_print_opts *o,
			 const struct site_set *set, const struct fetch_plan *plans,
			 struct syms *syms, struct out *out, bool *done)
{
	*t = (struct trace_printer){
		.o = *o, .syms = syms, .set = set, .plans = plans, .out = out, .done = done,
		.layout = { .time = o->timestamp || o->time_of_day,
			    .wide_time = o->unix_time && !o->time_of_day,
			    .cpu = o->print_cpu, .kernel_stack = o->kernel_stack,
			    .user_stack = o->user_stack },
	};
}

void trace_printer__start(struct trace_printer *t)
{
	struct timespec rt;

	t->start_ns = cli__now_ns();
	clock_gettime(CLOCK_REALTIME, &rt);
	t->epoch_offset = rt.tv_sec + rt.tv_nsec / 1e9 - t->start_ns / 1e9;
}

void trace_printer__aggregate_report(struct trace_printer *t)
{
	eventagg__sort(&t->agg);
	/* bcc trace's -A report: each event, then "-->COUNT N" and a blank line. */
	for (size_t i = 0; i < t->agg.n; i++)
		out__event_count(t->out, t->agg.items[i].text, t->agg.items[i].count);
}

void trace_printer__fini(struct trace_printer *t)
{
	trace_line__fini(&t->line);
	eventagg__fini(&t->agg);
}
