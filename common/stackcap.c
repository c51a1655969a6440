// SPDX-License-Identifier: GPL-2.0-only
/* stackcap: stack capture around bpf/lib/stacks.bpf.h's maps (see stackcap.h). */
#include <errno.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "common/attach.h"
#include "common/bpfmap.h"
#include "common/cli.h"
#include "common/pprof.h"
#include "common/python.h"
#include "common/stackcap.h"
#include "common/syms.h"
#include "common/unwinder.h"
#include "bpf/unwind.h"
#include "bpf/stacks.h"

int stack_unwind__parse(const char *s, enum stack_unwind *mode)
{
	static const char *const names[] = { "auto", "fp", "cfi" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*mode = (enum stack_unwind)i;
			return 0;
		}
	}
	return -EINVAL;
}

int stack_capture__option(const char *tool, int c, const char *arg, unsigned long *storage,
			  enum stack_unwind *unwind)
{
	if (c == STACK_OPT_STORAGE && cli__parse_ulong(arg, 16, 1UL << 24, storage))
		return cli__usage_error(tool, "invalid stack storage size '%s' (16 to 16777216)",
					arg);
	if (c == STACK_OPT_UNWIND && stack_unwind__parse(arg, unwind))
		return cli__usage_error(tool, "invalid unwind mode '%s' (auto, fp or cfi)", arg);
	return 0;
}

/* The helpers of the walk: bpf_loop() and bpf_find_vma() (5.17), bpf_task_pt_regs() (5.15). */
static bool cfi_supported(void)
{
	static const enum bpf_func_id helpers[] = {
		BPF_FUNC_loop, BPF_FUNC_find_vma, BPF_FUNC_task_pt_regs,
		BPF_FUNC_get_current_task_btf,
	};

	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT, helpers[i], NULL) != 1)
			return false;
	return true;
}

int stack_unwind__choose(enum stack_unwind mode, const char *tool, bool verbose, bool *cfi)
{
	bool can = mode != STACK_UNWIND_FP && cfi_supported();

	if (mode == STACK_UNWIND_CFI && !can) {
		fprintf(stderr, "%s: --unwind cfi needs bpf_loop(), bpf_find_vma() and "
			"bpf_task_pt_regs() (Linux 5.17 or later)\n", tool);
		return -EOPNOTSUPP;
	}
	*cfi = can;
	if (verbose)
		fprintf(stderr, "%s: user stacks: %s\n", tool,
			can ? "call-frame information (.eh_frame tables walked in BPF; "
			      "frame pointers where no table covers)" :
			mode == STACK_UNWIND_FP ? "frame pointers (--unwind fp)" :
			"frame pointers (this kernel cannot run the CFI walk)");
	return 0;
}

/* The programs that note changed mappings and new images (CFI only). */
static const char *const maps_progs[] = { "stack_maps_changed", "stack_exec" };

/* The maps, with @on: this run captures stacks. */
static int size_maps(struct bpf_object *obj, unsigned long traces, unsigned long counts,
		     bool cfi, bool on)
{
	int err;

	err = bpfmap__set_entries(obj, "stack_traces", cli__map_entries(traces));
	if (!err)
		err = bpfmap__set_entries(obj, "stack_counts", cli__map_entries(counts));
	/* The second half is sized by stack_capture__size_counting(). */
	if (!err)
		err = bpfmap__set_entries(obj, "stack_counts2", 1);
	if (!err)
		err = bpfmap__set_entries(obj, "ustacks", cli__map_entries(cfi && on ? counts : 1));
	if (!err)
		err = bpfmap__set_entries(obj, "kstacks", cli__map_entries(cfi && on ? counts : 1));
	if (!err)
		err = bpfmap__set_entries(obj, "seen_pids", cli__map_entries(on ? SEEN_PIDS_ENTRIES : 1));
	if (!err)
		err = bpfmap__set_entries(obj, "new_pids", cli__ringbuf_bytes(NEW_PIDS_RINGBUF_BYTES));
	if (!err)
		err = unwinder__size(obj, cfi && on);
	for (size_t i = 0; !err && i < sizeof(maps_progs) / sizeof(maps_progs[0]); i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, maps_progs[i]);

		err = p ? bpf_program__set_autoload(p, cfi && on) : -ENOENT;
		/* Attached by stack_capture__open() alone: a skeleton's attach
		 * (syscount's) must not attach them twice. */
		if (!err)
			bpf_program__set_autoattach(p, false);
	}
	return err;
}

int stack_capture__size(struct bpf_object *obj, unsigned long traces, unsigned long counts,
			bool cfi)
{
	return size_maps(obj, traces, counts, cfi, traces > 1 || counts > 1);
}

int stack_capture__size_python(struct bpf_object *obj, bool on)
{
	return python__size(obj, on);
}

size_t stack_capture__python_losses(const struct stack_capture *sc, const struct py_stats *ps,
				    struct out_kv *kv)
{
	if (!sc->py)
		return 0;
	kv[0] = (struct out_kv){ "python_frames", NULL, OUT_U64, { .u = ps->frames } };
	kv[1] = (struct out_kv){ "python_lost_codes", "%s Python code objects could not be named "
				 "(their table was full): [unknown] frames", OUT_U64, { .u = ps->lost_codes } };
	kv[2] = (struct out_kv){ "python_bad_reads", "%s Python frame chains could not be read",
				 OUT_U64, { .u = ps->bad_reads } };
	return STACK_CAPTURE_NPYTHON;
}

int stack_capture__size_walk(struct bpf_object *obj, bool cfi)
{
	return size_maps(obj, 1, 1, cfi, cfi);
}

/*
 * The programs that tell of changed mappings (stack_maps_changed, at the
 * exit of mmap, mprotect and munmap) and of new images (stack_exec), and
 * the --cmd command announced ahead of its execve: a generation no process
 * has in seen_pids, so that its exec announces it (and stops it) before
 * its first instruction.
 */
static int attach_maps_changed(struct stack_capture *sc, struct cli_run *run)
{
	static const char *const calls[] = { "sys_exit_mmap", "sys_exit_mprotect",
					     "sys_exit_munmap" };
	struct bpf_program *p = bpf_object__find_program_by_name(sc->obj, "stack_maps_changed");
	struct bpf_program *x = bpf_object__find_program_by_name(sc->obj, "stack_exec");
	struct bpf_map *seen = bpf_object__find_map_by_name(sc->obj, "seen_pids");
	size_t n = 0;
	int err;

	if (!p || !x || !seen)
		return -ENOENT;
	if (!tracefs__root())
		return -errno;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		sc->maps_links[n] = bpf_program__attach_tracepoint(p, "syscalls", calls[i]);
		if (!sc->maps_links[n++])
			return -errno;
	}
	sc->maps_links[n] = bpf_program__attach_tracepoint(x, "sched", "sched_process_exec");
	if (!sc->maps_links[n])
		return -errno;
	if (run->cmd.pid > 0) {
		__u32 pid = run->cmd.pid, gen = ~0U;

		err = bpf_map_update_elem(bpf_map__fd(seen), &pid, &gen, BPF_ANY);
		if (err)
			return -errno;
	}
	return 0;
}

int stack_capture__open(struct stack_capture *sc, const char *tool, struct bpf_object *obj,
			unsigned syms_flags, pid_t pid, bool resume, struct cli_run *run)
{
	int err;

	struct bpf_map *m = bpf_object__find_map_by_name(obj, "new_pids");

	struct bpf_map *procs = bpf_object__find_map_by_name(obj, "unwind_procs");

	sc->obj = obj;
	sc->tool = tool;
	sc->syms = syms__new(syms_flags);
	if (!sc->syms) {
		fprintf(stderr, "%s: cannot create the symbolizer: %s\n", tool, strerror(errno));
		return EXIT_RUNTIME;
	}
	/* The tables are on when their maps were sized for them. */
	if (procs && bpf_map__max_entries(procs) > 1) {
		sc->unwinder = unwinder__new(obj, sc->syms);
		if (!sc->unwinder) {
			fprintf(stderr, "%s: cannot map the unwind tables: %s\n", tool,
				strerror(errno));
			return EXIT_RUNTIME;
		}
		/* Interpreters are recognised as their files are met. */
		if (python__sized(obj)) {
			sc->py = python__new(obj, tool, sc->verbose);
			if (!sc->py) {
				fprintf(stderr, "%s: cannot set up Python frames: %s\n", tool,
					strerror(errno));
				return EXIT_RUNTIME;
			}
			unwinder__set_python(sc->unwinder, sc->py);
		}
		/* Nearly every process maps these: built before any is met. */
		stack_capture__preload(sc, "/lib/x86_64-linux-gnu/libc.so.6");
		stack_capture__preload(sc, "/lib64/ld-linux-x86-64.so.2");
		if (run->cmd.pid > 0)
			stack_capture__preload(sc, run->cmd.exe);
		err = attach_maps_changed(sc, run);
		if (err) {
			fprintf(stderr, "%s: cannot attach to the tracepoints of mmap, mprotect, "
				"munmap and exec: %s\n", tool, strerror(-err));
			return EXIT_RUNTIME;
		}
	}
	if (pid > 0)
		stack_capture__add_pid(sc, pid);
	sc->notes.syms = sc->syms;
	sc->notes.unwinder = sc->unwinder;
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

/* ---- counts taken out by drains, by raw key ------------------------------------------ */

struct count_acc {
	struct stack_key *keys;
	uint64_t *counts;		/* 0: a free slot */
	size_t cap, n;			/* cap: a power of two */
};

static size_t acc_slot(const struct count_acc *a, const struct stack_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (size_t b = 0; b < sizeof(*k); b++)
		h = (h ^ p[b]) * 0x100000001b3ULL;
	i = (size_t)h & (a->cap - 1);
	while (a->counts[i] && memcmp(&a->keys[i], k, sizeof(*k)))
		i = (i + 1) & (a->cap - 1);
	return i;
}

static int acc_add(struct count_acc *a, const struct stack_key *k, uint64_t count)
{
	size_t i;

	if (!count)
		return 0;
	if ((a->n + 1) * 2 > a->cap) {
		struct count_acc b = { .cap = a->cap ? a->cap * 2 : 1024 };

		b.keys = malloc(b.cap * sizeof(*b.keys));
		b.counts = calloc(b.cap, sizeof(*b.counts));
		if (!b.keys || !b.counts) {
			free(b.keys);
			free(b.counts);
			return -ENOMEM;
		}
		for (size_t j = 0; j < a->cap; j++) {
			if (!a->counts[j])
				continue;
			i = acc_slot(&b, &a->keys[j]);
			b.keys[i] = a->keys[j];
			b.counts[i] = a->counts[j];
		}
		b.n = a->n;
		free(a->keys);
		free(a->counts);
		*a = b;
	}
	i = acc_slot(a, k);
	if (!a->counts[i]) {
		a->keys[i] = *k;
		a->n++;
	}
	a->counts[i] += count;
	return 0;
}

static void acc_free(struct count_acc *a)
{
	if (!a)
		return;
	free(a->keys);
	free(a->counts);
	free(a);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

static void map_fds(const struct stack_capture *sc, struct stack_maps *m)
{
	m->counts = map_fd(sc->obj, sc->half ? "stack_counts2" : "stack_counts");
	m->traces = map_fd(sc->obj, "stack_traces");
	m->ustacks = map_fd(sc->obj, "ustacks");
	m->kstacks = map_fd(sc->obj, "kstacks");
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
	struct stack_read_opts o = *ro;
	struct stack_maps m;
	int err;

	if (!counts || !traces)
		return -ENOENT;
	map_fds(sc, &m);
	o.cache = sc->cache;
	o.py = sc->py;
	/* What the drains took out first, then what is left in the maps. */
	for (size_t i = 0; sc->acc && i < sc->acc->cap; i++) {
		if (!sc->acc->counts[i])
			continue;
		err = stack_set__add(set, &sc->acc->keys[i], sc->acc->counts[i], &m, sc->syms, &o);
		if (err)
			return err;
	}
	err = stack_set__read(set, &m, sc->syms, &o);
	if (!err && sc->drains) {
		/* Both halves of the double buffer hold counts. */
		sc->half ^= 1;
		map_fds(sc, &m);
		sc->half ^= 1;
		err = stack_set__read(set, &m, sc->syms, &o);
	}
	if (err)
		return err;
	/* An interval's report: the counts drained are reported once. */
	if (o.delete && sc->acc) {
		acc_free(sc->acc);
		sc->acc = calloc(1, sizeof(*sc->acc));
		if (!sc->acc)
			return -ENOMEM;
	}
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
	kv[5] = (struct out_kv){ "cut_user_stacks", "%s user stacks cut short: their walk "
				 "stopped before the outermost frame ([truncated])", OUT_U64,
				 { .u = st->cut_user_stacks } };
	kv[6] = (struct out_kv){ "early_user_stacks", "%s user stacks walked before their "
				 "process's unwind tables were in, by frame pointers in part", OUT_U64,
				 { .u = st->early_user_stacks } };
	kv[7] = (struct out_kv){ "fp_user_stacks", "%s user stacks with frames found by frame "
				 "pointers (code without a table)", OUT_U64,
				 { .u = st->fp_user_stacks } };
}

void stack_capture__pool_loss(const struct stack_capture *sc, struct out_kv *kv)
{
	struct unwinder_stats st = {};

	if (sc->unwinder)
		unwinder__stats(sc->unwinder, &st);
	*kv = (struct out_kv){ "unwind_files_no_room", "%s files had no room in the unwind "
			       "table pool: their frames were walked by frame pointers", OUT_U64,
			       { .u = st.pool_full } };
}

int stack_capture__size_counting(struct bpf_object *obj, unsigned long traces,
				 unsigned long counts, bool cfi, bool python,
				 __u64 *counts_at, __u64 *stacks_at)
{
	struct bpf_map *c = bpf_object__find_map_by_name(obj, "stack_counts");
	struct bpf_map *u = bpf_object__find_map_by_name(obj, "ustacks");
	int err;

	if (!c || !u)
		return -ENOENT;
	err = stack_capture__size(obj, traces, counts, cfi);
	if (!err && cfi) {
		*counts_at = bpf_map__max_entries(c) / 2;
		*stacks_at = bpf_map__max_entries(u) / 2;
		err = bpfmap__set_entries(obj, "stack_counts2", bpf_map__max_entries(c));
	}
	return err ? err : python__size(obj, python);
}

/* A drain request noted on the ring buffer: drained at once. */
static void drain_on_note(void *ctx)
{
	struct stack_capture *sc = ctx;
	int err = stack_capture__drain(sc, sc->drain);

	if (err && !sc->drain_failed) {
		sc->drain_failed = true;
		fprintf(stderr, "%s: cannot drain the stack tables: %s\n", sc->tool,
			strerror(-err));
	}
}

void stack_capture__drain_on_notes(struct stack_capture *sc, struct stack_drain *dr)
{
	if (!sc->unwinder)
		return;
	sc->drain = dr;
	sc->notes.drain = drain_on_note;
	sc->notes.drain_ctx = sc;
}

int stack_capture__drain(struct stack_capture *sc, struct stack_drain *dr)
{
	struct stack_maps m;
	unsigned old;
	long n;
	int err = 0;

	if (!sc->unwinder || !dr->requested)
		return 0;
	if (!sc->cache) {
		sc->cache = stack_cache__new();
		sc->acc = calloc(1, sizeof(*sc->acc));
		if (!sc->cache || !sc->acc)
			return -ENOMEM;
	}
	/* Count into the other half from now on, and wait until nothing
	 * counts into this one (a program runs for microseconds). */
	old = sc->half;
	sc->half ^= 1;
	__atomic_store_n(&dr->active, sc->half, __ATOMIC_SEQ_CST);
	for (int i = 0; __atomic_load_n(&dr->inflight[old], __ATOMIC_SEQ_CST) && i < 100000; i++)
		sched_yield();
	sc->half = old;
	map_fds(sc, &m);
	sc->half = old ^ 1;
	/* The counts first, by raw key; then the stacks, kept in the cache
	 * for the counts that name them. */
	{
		struct stack_key *keys = NULL;
		size_t nkeys = 0;

		err = bpfmap__keys(m.counts, sizeof(*keys), (void **)&keys, &nkeys);
		for (size_t i = 0; !err && i < nkeys; i++) {
			uint64_t count;

			if (!bpf_map_lookup_and_delete_elem(m.counts, &keys[i], &count))
				err = acc_add(sc->acc, &keys[i], count);
		}
		free(keys);
		if (err)
			return err;
		__atomic_add_fetch(&dr->counts_out, nkeys, __ATOMIC_RELAXED);
	}
	n = stack_cache__drain(sc->cache, m.ustacks);
	if (n < 0)
		return (int)n;
	__atomic_add_fetch(&dr->ustacks_out, n, __ATOMIC_RELAXED);
	n = stack_cache__drain(sc->cache, m.kstacks);
	if (n < 0)
		return (int)n;
	__atomic_add_fetch(&dr->kstacks_out, n, __ATOMIC_RELAXED);
	sc->drains++;
	/* The next request may come now. */
	__atomic_store_n(&dr->requested, 0, __ATOMIC_RELEASE);
	return 0;
}

void stack_capture__preload(struct stack_capture *sc, const char *path)
{
	if (sc->unwinder)
		unwinder__add_file(sc->unwinder, path);
}

void stack_capture__add_pid(struct stack_capture *sc, pid_t pid)
{
	/* Its exec generation is unknown here: the BPF side announces it at
	 * its first hit and the table is written again then. The unwinder's
	 * read of the maps is the symbolizer's too. */
	if (sc->unwinder)
		unwinder__add_process(sc->unwinder, pid, UNWIND_GEN_ANY);
	else
		syms__snapshot(sc->syms, pid);
}

void stack_capture__scan(struct stack_capture *sc, const char *comm)
{
	uint64_t t0;
	int n;

	if (!sc->unwinder)
		return;
	t0 = cli__now_ns();
	n = unwinder__add_existing(sc->unwinder, comm, 2.0);
	if (sc->verbose)
		fprintf(stderr, "%s: unwind tables of %d running processes read in %.1f ms\n",
			sc->tool, n, (cli__now_ns() - t0) / 1e6);
}

void stack_capture__report_tables(const struct stack_capture *sc)
{
	struct unwinder_stats st;

	if (!sc->unwinder)
		return;
	unwinder__stats(sc->unwinder, &st);
	fprintf(stderr, "%s: unwind tables: %zu files (%zu without, %zu built when a walk needed "
		"them, %zu not needed), %zu processes; %zu of %zu rows (%.1f of %.1f MiB in %zu of "
		"at most %zu shards); built in %.1f ms, process tables in %.1f ms\n", sc->tool,
		st.tables, st.no_table, st.late, st.waiting, st.procs, st.rows, st.rows_max, st.rows * 8 / 1048576.0,
		st.rows_max * 8 / 1048576.0, st.shards, st.max_shards, st.build_ns / 1e6,
		st.proc_ns / 1e6);
	if (st.pool_full)
		fprintf(stderr, "%s: %zu files had no room in the unwind table pool\n", sc->tool,
			st.pool_full);
	if (st.shard_err)
		fprintf(stderr, "%s: the unwind table pool could not grow: %s: %s\n", sc->tool,
			st.shard_step, strerror(-st.shard_err));
	if (sc->drains)
		fprintf(stderr, "%s: stack tables drained %lu times\n", sc->tool, sc->drains);
}

void stack_capture__fini(struct stack_capture *sc)
{
	for (size_t i = 0; i < STACK_CAPTURE_MAPS_LINKS; i++) {
		bpf_link__destroy(sc->maps_links[i]);
		sc->maps_links[i] = NULL;
	}
	/* No program fires now (the tool detached its own first): a process
	 * stopped for a note still unread goes on. */
	if (sc->rb) {
		sc->notes.closing = true;
		ring_buffer__consume(sc->rb);
	}
	acc_free(sc->acc);
	sc->acc = NULL;
	stack_cache__free(sc->cache);
	sc->cache = NULL;
	unwinder__free(sc->unwinder);
	sc->unwinder = NULL;
	python__free(sc->py);
	sc->py = NULL;
	ring_buffer__free(sc->rb);
	sc->rb = NULL;
	syms__free(sc->syms);
	sc->syms = NULL;
}
