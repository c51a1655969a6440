/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Python frames in user stacks: after the CFI walk, each native frame of
 * CPython 3.11's evaluation loop (_PyEval_EvalFrameDefault) is replaced by
 * the Python frames it was running, read from the interpreter at the
 * event.
 *
 * The thread's PyThreadState is found in the interpreter's list of
 * threads by native thread id (PyThreadState.native_thread_id), and
 * cached per thread: unlike _PyRuntime.gilstate.tstate_current it holds
 * for a thread that released the GIL (a syscall in open() or read()), and
 * unlike the TLS key of PyGILState it needs no knowledge of libc's
 * pthread layout. From it: cframe->current_frame, the innermost
 * _PyInterpreterFrame, and the chain by ->previous. One evaluation loop
 * runs the frames from the innermost down to the first marked is_entry
 * (the frame it was entered with from C): those replace its native frame,
 * and the next native evaluation frame takes the next group. Native
 * frames in between (C functions, callbacks, json's encoder) stay.
 *
 * Code objects are named once: their qualified name, module, file name,
 * first line and line table are copied into py_codes the first time a
 * process's code object is met, and frames carry only the code's id and
 * the instruction index; user space turns that into a line.
 */
#ifndef COTRACE_BPF_PYTHON_BPF_H
#define COTRACE_BPF_PYTHON_BPF_H

#include "bpf/python.h"
#include "bpf/lib/unwind.bpf.h"

/* Python frames in place of the evaluation loop's (set before load). */
const volatile bool python_frames = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, __u32);
	__type(value, struct py_proc);
} py_procs SEC(".maps");

/* Preallocated: a sample in interrupt context must find room for a new
 * entry (allocating one there failed for about one code object in ten). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, struct py_code_key);
	__type(value, struct py_code);
} py_codes SEC(".maps");

/* The thread state of each thread met (by tid), checked at each use. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);	/* sized before load */
	__type(key, __u32);
	__type(value, __u64);
} py_threads SEC(".maps");

struct py_stats py_stats = {};

/* The walk's state, per CPU. */
struct py_walk {
	__u64 in[STACK_MAX_DEPTH];	/* the native frames */
	__u64 pyf;			/* the next interpreter frame */
	__u32 nin, i;
	__u32 tgid;
	__u32 gen;			/* STACK_GEN() of the process */
	__u32 frames;			/* Python frames put in */
	__u32 seq;			/* code ids given on this CPU */
	__u32 pad2;
	__u8 in_group;			/* emitting the frames of one evaluation loop */
	__u8 pad[7];
	struct py_proc proc;
	__u8 win[PY_FRAME_WINDOW];
	struct py_code code;		/* an entry being filled */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct py_walk);
} py_scratch SEC(".maps");

static __always_inline __u64 py_read(__u64 addr)
{
	__u64 v = 0;

	if (!addr || bpf_probe_read_user(&v, sizeof(v), (const void *)addr))
		return 0;
	return v;
}

/* A word of the frame window at offset @off (0 when out of it). */
static __always_inline __u64 py_win(struct py_walk *w, __u32 off)
{
	__u64 v;

	off &= PY_FRAME_WINDOW - 1;
	if (off > PY_FRAME_WINDOW - 8)
		return 0;
	__builtin_memcpy(&v, &w->win[off], 8);
	return v;
}

/*
 * The str object at @obj into @dst (NUL-terminated, @len bytes): a
 * compact ASCII string's bytes follow its header; another has its UTF-8
 * form cached at str_utf8 once something asked for it (names of code
 * objects nearly always are ASCII).
 */
static __always_inline void py_str(struct py_walk *w, __u64 obj, char *dst, __u32 len)
{
	__u32 state = 0;
	__u64 p;

	dst[0] = 0;
	if (!obj || bpf_probe_read_user(&state, sizeof(state), (void *)(obj + w->proc.off.str_state)))
		return;
	/* state: interned:2 kind:3 compact:1 ascii:1 ready:1 */
	if ((state & 0x60) == 0x60) {
		bpf_probe_read_user_str(dst, len, (void *)(obj + w->proc.off.str_ascii_data));
		return;
	}
	p = py_read(obj + w->proc.off.str_utf8);
	if (p)
		bpf_probe_read_user_str(dst, len, (void *)p);
}

/*
 * co_qualname and co_filename of @code: one read when they are near each
 * other (3.11: 16 bytes apart), else two.
 */
static __always_inline void py_read2(struct py_walk *w, __u64 code, __u64 *name, __u64 *file)
{
	__u64 buf[3] = {};
	__u32 qn = w->proc.off.code_qualname, fn = w->proc.off.code_filename;

	if (fn < qn && qn - fn <= 16 && !((qn - fn) & 7) &&
	    !bpf_probe_read_user(buf, sizeof(buf), (void *)(code + fn))) {
		*file = buf[0];
		*name = qn - fn == 8 ? buf[1] : buf[2];
		return;
	}
	*name = py_read(code + qn);
	*file = py_read(code + fn);
}

/*
 * The id of code object @code of the process (its strings copied into
 * py_codes the first time), @func the frame's function (for its module).
 * 0 when the table has no room. A global function: checked once.
 */
__noinline __u32 py_code_id(__u64 code, __u64 func)
{
	struct py_code_key key = {};
	struct py_code *c;
	struct py_walk *w;
	__u64 name = 0, file = 0, mod, lt, n, flags;
	__u32 zero = 0;
	long err;

	/* The scratch looked up here, not passed: 6.1's verifier takes a
	 * map's value (the entry to insert) from a map value, not from the
	 * memory a global function's pointer argument is. */
	w = bpf_map_lookup_elem(&py_scratch, &zero);
	if (!w)
		return 0;
	key.tgid = w->tgid;
	key.gen = w->gen;
	key.code = code;
	py_read2(w, code, &name, &file);
	c = bpf_map_lookup_elem(&py_codes, &key);
	if (c && c->qualname_ptr == name && c->filename_ptr == file)
		return c->id;
	/* Unknown, or another code object at a freed one's address: named (again). */
	flags = c ? BPF_EXIST : BPF_NOEXIST;
	c = &w->code;
	/* Unique without an atomic's result (clang 14 cannot use it for
	 * BPF v1): a per-CPU sequence number and the CPU. */
	if (w->seq >= (PY_MAX_CODE_ID >> 8))
		return 0;
	w->seq++;
	c->id = w->seq << 8 | (bpf_get_smp_processor_id() & 0xff);
	c->qualname_ptr = name;
	c->filename_ptr = file;
	py_str(w, name, c->qualname, sizeof(c->qualname));
	py_str(w, file, c->filename, sizeof(c->filename));
	c->firstlineno = (__s32)py_read(code + w->proc.off.code_firstlineno);
	c->module[0] = 0;
	mod = func ? py_read(func + w->proc.off.func_module) : 0;
	/* __module__ may be any object: only a str (the type of the name) is read. */
	if (mod && name && py_read(mod + w->proc.off.obj_type) == py_read(name + w->proc.off.obj_type))
		py_str(w, mod, c->module, sizeof(c->module));
	lt = py_read(code + w->proc.off.code_linetable);
	n = (__u32)py_read(lt + w->proc.off.bytes_size);
	c->linetable_full = n;
	c->linetable_ptr = lt ? lt + w->proc.off.bytes_data : 0;
	if (n > PY_LINETABLE_LEN)
		n = PY_LINETABLE_LEN;
	/* The verifier must see the bound on the register the call takes. */
	asm volatile("%[n] &= 1023" : [n] "+r"(n));
	c->linetable_len = 0;
	if (lt && n >= 1 && n <= PY_LINETABLE_LEN &&
	    !bpf_probe_read_user(c->linetable, n, (void *)(lt + w->proc.off.bytes_data)))
		c->linetable_len = n;
	err = bpf_map_update_elem(&py_codes, &key, c, flags);
	if (err == -17 /* EEXIST: another CPU named it */) {
		c = bpf_map_lookup_elem(&py_codes, &key);
		return c ? c->id : 0;
	}
	if (err) {
		__sync_fetch_and_add(&py_stats.lost_codes, 1);
		return 0;
	}
	return w->code.id;
}

/* The thread state of thread @tid, or 0. A global function. */
__noinline __u64 py_tstate(struct py_walk *w, __u32 tid)
{
	__u64 *cached, ts, interp;

	if (!w)
		return 0;
	cached = bpf_map_lookup_elem(&py_threads, &tid);
	if (cached && *cached && py_read(*cached + w->proc.off.tstate_native_tid) == tid)
		return *cached;
	interp = py_read(w->proc.runtime + w->proc.off.runtime_interp_head);
	ts = py_read(interp + w->proc.off.interp_threads_head);
	for (int i = 0; i < 256 && ts; i++) {
		if (py_read(ts + w->proc.off.tstate_native_tid) == tid) {
			bpf_map_update_elem(&py_threads, &tid, &ts, BPF_ANY);
			return ts;
		}
		ts = py_read(ts + w->proc.off.tstate_next);
	}
	return 0;
}

static __always_inline int py_push(struct uw_state *st, __u64 ip)
{
	__u32 n = st->n;

	if (n >= STACK_MAX_DEPTH)
		return 1;
	st->ips[uw_idx(n)] = ip;
	st->n = n + 1;
	return 0;
}

/* One step: one Python frame of the group, or one native frame. 1: done. */
__noinline int py_step(struct uw_state *st, struct py_walk *w)
{
	__u64 ip, off, code, prev, instr, first;
	__u32 id, lasti = 0;

	if (!st || !w)
		return 1;
	if (w->in_group && w->pyf) {
		__u32 len = w->proc.frame_read;

		if (len < 8 || len > PY_FRAME_WINDOW)
			len = PY_FRAME_WINDOW;
		/* The frame's head only: the frame may end a page before the next. */
		if (bpf_probe_read_user(w->win, len, (void *)w->pyf)) {
			__sync_fetch_and_add(&py_stats.bad_reads, 1);
			w->pyf = 0;
			w->in_group = 0;
			return 0;
		}
		code = py_win(w, w->proc.off.frame_code);
		prev = py_win(w, w->proc.off.frame_previous);
		instr = py_win(w, w->proc.off.frame_prev_instr);
		id = code ? py_code_id(code, py_win(w, w->proc.off.frame_func)) : 0;
		/* prev_instr: the code unit before the next one (2 bytes each). */
		first = code + w->proc.off.code_adaptive;
		if (code && instr >= first && instr - first < (1ULL << 31))
			lasti = (__u32)((instr - first) / 2) + 1;
		if (py_push(st, PY_FRAME_TAG | (__u64)id << 32 | lasti))
			return 1;
		w->frames++;
		w->pyf = prev;
		if (w->win[w->proc.off.frame_is_entry & (PY_FRAME_WINDOW - 1)])
			w->in_group = 0;
		return 0;
	}
	w->in_group = 0;
	if (w->i >= w->nin || w->i >= STACK_MAX_DEPTH)
		return 1;
	ip = w->in[uw_idx(w->i)];
	w->i++;
	off = STACK_FRAME_OFF(ip);
	if (w->pyf && (ip & STACK_FRAME_FILE) && ip != STACK_CUT_MARK &&
	    STACK_FRAME_ID(ip) == w->proc.file_id &&
	    off >= w->proc.eval_start && off <= w->proc.eval_end) {
		w->in_group = 1;
		return 0;
	}
	return py_push(st, ip);
}

struct py_ctx {
	struct uw_state *st;
	struct py_walk *w;
};

static long py_loop_step(__u32 index, void *data)
{
	struct py_ctx *c = data;

	return py_step(c->st, c->w) ? 1 : 0;
}

/* The hash of the stack of @st, as unwind_user() computes it. A global function. */
__noinline __u64 py_rehash(struct uw_state *st)
{
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 n;

	if (!st)
		return 1;
	n = st->n;
	for (__u32 i = 0; i < STACK_MAX_DEPTH && i < n; i++)
		h = (h ^ st->ips[uw_idx(i)]) * 0x100000001b3ULL;
	h ^= n;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

/*
 * Put the Python frames of the current thread into the walk @st of
 * process @tgid, in place of its evaluation-loop frames. Nothing for a
 * process user space has not described (py_procs).
 */
static __always_inline void python_frames_in(struct uw_state *st, __u32 tgid, __u32 tid)
{
	struct py_proc *proc;
	struct py_walk *w;
	struct py_ctx c;
	__u32 zero = 0, n;
	__u64 ts;

	if (!python_frames)
		return;
	proc = bpf_map_lookup_elem(&py_procs, &tgid);
	if (!proc)
		return;
	w = bpf_map_lookup_elem(&py_scratch, &zero);
	if (!w)
		return;
	w->proc = *proc;
	w->tgid = tgid;
	w->gen = STACK_GEN(bpf_get_current_task_btf()->group_leader->self_exec_id);
	ts = py_tstate(w, tid);
	if (!ts) {
		__sync_fetch_and_add(&py_stats.no_thread, 1);
		return;
	}
	w->pyf = py_read(py_read(ts + w->proc.off.tstate_cframe) + w->proc.off.cframe_current);
	if (!w->pyf)
		return;
	n = st->n;
	if (n > STACK_MAX_DEPTH)
		return;
	if (bpf_probe_read_kernel(w->in, sizeof(w->in), st->ips))
		return;
	w->nin = n;
	w->i = 0;
	w->frames = 0;
	w->in_group = 0;
	st->n = 0;
	c.st = st;
	c.w = w;
	bpf_loop(2 * STACK_MAX_DEPTH, py_loop_step, &c, 0);
	/* Full before the outermost frame: the stack says it was cut. */
	if (st->n >= STACK_MAX_DEPTH && (w->i < w->nin || (w->in_group && w->pyf)))
		st->ips[STACK_MAX_DEPTH - 1] = STACK_CUT_MARK;
	if (st->n < STACK_MAX_DEPTH)
		st->ips[uw_idx(st->n)] = 0;
	if (w->frames) {
		__sync_fetch_and_add(&py_stats.stacks, 1);
		__sync_fetch_and_add(&py_stats.frames, w->frames);
	}
	st->hash = py_rehash(st);
}

#endif
