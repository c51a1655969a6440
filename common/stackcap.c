// SPDX-License-Identifier: GPL-2.0-only
/* stackcap: stack capture around bpf/lib/stacks.bpf.h's maps (see stackcap.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "common/cli.h"
#include "common/pprof.h"
#include "common/stackcap.h"
#include "common/syms.h"
#include "bpf/stacks.h"

static int set_entries(struct bpf_object *obj, const char *name, unsigned long n)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__set_max_entries(m, n) : -ENOENT;
}

int stack_capture__size(struct bpf_object *obj, unsigned long traces, unsigned long counts)
{
	bool on = traces > 1;
	int err;

	err = set_entries(obj, "stack_traces", cli__map_entries(traces));
	if (!err)
		err = set_entries(obj, "stack_counts", cli__map_entries(counts));
	if (!err)
		err = set_entries(obj, "seen_pids", cli__map_entries(on ? SEEN_PIDS_ENTRIES : 1));
	if (!err)
		err = set_entries(obj, "new_pids", cli__ringbuf_bytes(NEW_PIDS_RINGBUF_BYTES));
	return err;
}

int stack_capture__open(struct stack_capture *sc, const char *tool, struct bpf_object *obj,
			unsigned syms_flags, pid_t pid, bool resume, struct cli_run *run)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "new_pids");

	sc->obj = obj;
	sc->syms = syms__new(syms_flags);
	if (!sc->syms) {
		fprintf(stderr, "%s: cannot create the symbolizer: %s\n", tool, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (pid > 0)
		syms__snapshot(sc->syms, pid);
	sc->notes.syms = sc->syms;
	sc->notes.resume = resume;
	sc->rb = m ? ring_buffer__new(bpf_map__fd(m), stack_pid_notes__on_event, &sc->notes, NULL)
		   : NULL;
	if (!sc->rb) {
		fprintf(stderr, "%s: cannot open the ring buffer: %s\n", tool,
			strerror(m ? errno : ENOENT));
		return EXIT_RUNTIME;
	}
	run->event_fd = ring_buffer__epoll_fd(sc->rb);
	return 0;
}

void stack_capture__export(struct stack_capture *sc, struct pprof *pp, const char *extra_key,
			   stack_extra_name_fn fn, void *ctx)
{
	sc->pprof = pp;
	sc->extra_key = fn ? extra_key : NULL;
	sc->extra_name = fn;
	sc->extra_ctx = ctx;
}

/* Every record of @set into the profile, with its labels. */
static int add_to_pprof(struct stack_capture *sc, const struct stack_set *set, bool by_pid)
{
	for (size_t i = 0; i < set->count; i++) {
		const struct stack_record *r = &set->records[i];
		struct pprof_label l[3] = { { "comm", r->comm } };
		size_t n = 1;
		char buf[128];
		int err;

		if (by_pid)
			l[n++] = (struct pprof_label){ "pid", NULL, r->tgid };
		if (sc->extra_key)
			l[n++] = (struct pprof_label){ sc->extra_key,
				sc->extra_name(sc->extra_ctx, r->extra, buf, sizeof(buf)) };
		err = pprof__add_stack(sc->pprof, r, l, n);
		if (err)
			return err;
	}
	return 0;
}

int stack_capture__read(struct stack_capture *sc, const struct stack_read_opts *ro, bool by_pid,
			bool desc, struct stack_set *set)
{
	struct bpf_map *counts = bpf_object__find_map_by_name(sc->obj, "stack_counts");
	struct bpf_map *traces = bpf_object__find_map_by_name(sc->obj, "stack_traces");
	int err;

	if (!counts || !traces)
		return -ENOENT;
	err = stack_set__read(set, bpf_map__fd(counts), bpf_map__fd(traces), sc->syms, ro);
	if (err)
		return err;
	stack_set__merge(set, by_pid);
	stack_set__sort(set, desc);
	return sc->pprof ? add_to_pprof(sc, set, by_pid) : 0;
}

void stack_capture__losses(const struct stack_stats *st, const char *what, struct out_kv *kv,
			   char *buf, size_t buflen)
{
	size_t half = buflen / 2;

	/* The two texts that name what was counted. */
	snprintf(buf, half, "%%s %s lost: the stack table was full (raise --stack-storage-size)",
		 what);
	snprintf(buf + half, buflen - half, "%%s %s of processes not announced: the table of "
		 "processes was full; their stacks may not resolve", what);
	kv[0] = (struct out_kv){ "lost_user_stacks", "%s user stacks could not be captured",
				 OUT_U64, { .u = st->lost_user_stacks } };
	kv[1] = (struct out_kv){ "lost_kernel_stacks", "%s kernel stacks could not be captured",
				 OUT_U64, { .u = st->lost_kernel_stacks } };
	kv[2] = (struct out_kv){ "lost_counts", buf, OUT_U64, { .u = st->lost_counts } };
	kv[3] = (struct out_kv){ "lost_pid_notes", "%s new processes not announced in time: "
				 "their stacks may not resolve", OUT_U64,
				 { .u = st->lost_pid_notes } };
	kv[4] = (struct out_kv){ "unannounced", buf + half, OUT_U64, { .u = st->unannounced } };
}

void stack_capture__fini(struct stack_capture *sc)
{
	ring_buffer__free(sc->rb);
	sc->rb = NULL;
	syms__free(sc->syms);
	sc->syms = NULL;
}
