// SPDX-License-Identifier: GPL-2.0-only
/* stacks: counted stacks from BPF maps to symbolized records. */
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <bpf/bpf.h>

#include "bpf/stacks.h"
#include "bpf/python.h"
#include "common/bpfmap.h"
#include "common/python.h"
#include "common/stacks.h"
#include "common/syms.h"
#include "common/unwinder.h"

_Static_assert(sizeof(struct stack_key) == 56, "struct stack_key must match the BPF side");

static void record_fini(struct stack_record *r)
{
	for (size_t i = 0; i < r->nuser; i++)
		free(r->user[i]);
	for (size_t i = 0; i < r->nkernel; i++)
		free(r->kernel[i]);
	free(r->user);
	free(r->kernel);
	free(r->user_frames);
	free(r->kernel_frames);
}

void stack_set__fini(struct stack_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		record_fini(&set->records[i]);
	free(set->records);
	memset(set, 0, sizeof(*set));
}

/* Free what resolve_stack() made of @n frames. */
static void frames_free(char **frames, struct stack_frame *fields, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(frames[k]);
	free(frames);
	free(fields);
}

/* ---- stacks drained by hash ---------------------------------------------------------- */

struct stack_cache {
	uint64_t *hashes;		/* open addressing; 0 is a free slot */
	uint64_t (*frames)[STACK_MAX_DEPTH];
	size_t cap, n;			/* cap: a power of two */
};

struct stack_cache *stack_cache__new(void)
{
	return calloc(1, sizeof(struct stack_cache));
}

void stack_cache__free(struct stack_cache *c)
{
	if (!c)
		return;
	free(c->hashes);
	free(c->frames);
	free(c);
}

static size_t cache_slot(const struct stack_cache *c, uint64_t hash)
{
	size_t i = (size_t)(hash * 0x9e3779b97f4a7c15ULL) & (c->cap - 1);

	while (c->hashes[i] && c->hashes[i] != hash)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int cache_grow(struct stack_cache *c)
{
	struct stack_cache bigger = { .cap = c->cap ? c->cap * 2 : 1024 };

	bigger.hashes = calloc(bigger.cap, sizeof(*bigger.hashes));
	bigger.frames = malloc(bigger.cap * sizeof(*bigger.frames));
	if (!bigger.hashes || !bigger.frames) {
		free(bigger.hashes);
		free(bigger.frames);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c->cap; i++) {
		size_t j;

		if (!c->hashes[i])
			continue;
		j = cache_slot(&bigger, c->hashes[i]);
		bigger.hashes[j] = c->hashes[i];
		memcpy(bigger.frames[j], c->frames[i], sizeof(bigger.frames[j]));
	}
	bigger.n = c->n;
	free(c->hashes);
	free(c->frames);
	*c = bigger;
	return 0;
}

long stack_cache__drain(struct stack_cache *c, int fd)
{
	uint64_t *keys = NULL;
	size_t nkeys = 0;
	long moved = 0;
	int err;

	err = bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &nkeys);
	if (err)
		return err;
	for (size_t k = 0; k < nkeys; k++) {
		uint64_t ips[STACK_MAX_DEPTH];
		size_t i;

		if (bpf_map_lookup_elem(fd, &keys[k], ips))
			continue;
		if ((c->n + 1) * 2 > c->cap && cache_grow(c)) {
			free(keys);
			return -ENOMEM;
		}
		i = cache_slot(c, keys[k]);
		if (!c->hashes[i]) {
			c->hashes[i] = keys[k];
			memcpy(c->frames[i], ips, sizeof(ips));
			c->n++;
		}
		if (!bpf_map_delete_elem(fd, &keys[k]))
			moved++;
	}
	free(keys);
	return moved;
}

const uint64_t *stack_cache__find(const struct stack_cache *c, uint64_t hash)
{
	size_t i;

	if (!c || !c->cap || !hash)
		return NULL;
	i = cache_slot(c, hash);
	return c->hashes[i] ? c->frames[i] : NULL;
}

int stack_user_frame__resolve(struct syms *syms, struct python *py, pid_t pid, uint64_t ip,
			      struct sym_frame *f, size_t max, uint64_t *addr)
{
	if (addr)
		*addr = ip & STACK_FRAME_FILE ? stack_user_frame__address(syms, pid, ip) : ip;
	if (ip == STACK_CUT_MARK)
		return 0;
	if (PY_FRAME_IS(ip))
		return python__resolve(py, ip, f);
	if (ip & STACK_FRAME_FILE)
		return syms__resolve_module(syms, (int)STACK_FRAME_ID(ip) - 1, STACK_FRAME_OFF(ip),
					    f, max);
	return syms__resolve_user(syms, pid, ip, f, max);
}

uint64_t stack_user_frame__address(struct syms *syms, pid_t pid, uint64_t ip)
{
	uint64_t addr;

	if (!(ip & STACK_FRAME_FILE))
		return ip;
	if (ip == STACK_CUT_MARK || PY_FRAME_IS(ip) ||
	    syms__module_address(syms, pid, (int)STACK_FRAME_ID(ip) - 1, STACK_FRAME_OFF(ip), &addr))
		return 0;
	return addr;
}

/* Where a stack is: a stack id in the stack-trace map, or the hash of a
 * CFI walk in ustacks or kstacks (or, drained, in the cache). */
struct stack_ref {
	int fd;
	const void *key;
	bool by_hash;
};

/* The text of @ips' frames into a NULL-free array of strings, and their
 * fields into a parallel array. */
static int resolve_stack(struct stack_ref ref, bool kernel, uint32_t pid, struct syms *syms,
			 const struct stack_read_opts *opts, char ***out,
			 struct stack_frame **out_fields, size_t *n)
{
	uint64_t ips[STACK_MAX_DEPTH] = {}, ip;
	struct stack_frame *fields;
	char **frames;
	size_t depth = 0;

	*out = NULL;
	*out_fields = NULL;
	*n = 0;
	if (!ref.key)
		return 0;
	if (ref.fd < 0 || bpf_map_lookup_elem(ref.fd, ref.key, ips)) {
		const uint64_t *cached = ref.by_hash ?
			stack_cache__find(opts->cache, *(const uint64_t *)ref.key) : NULL;

		if (!cached)
			return ref.fd < 0 ? -ENOENT : -errno;
		memcpy(ips, cached, sizeof(ips));
	}
	while (depth < STACK_MAX_DEPTH && ips[depth])
		depth++;
	/* Inline frames may add entries: leave room for a few per address. */
	frames = calloc(depth * 4 + 1, sizeof(*frames));
	fields = calloc(depth * 4 + 1, sizeof(*fields));
	if (!frames || !fields) {
		frames_free(frames, fields, 0);
		return -ENOMEM;
	}
	for (size_t i = 0; i < depth; i++) {
		struct sym_frame f[4];
		char buf[1024], addr[32] = "";
		int nf = 0;

		if (!kernel && ips[i] == STACK_CUT_MARK) {
			/* The walk stopped here: say so as the outermost frame. */
			fields[*n] = (struct stack_frame){ .func = STACK_CUT_TEXT };
			frames[(*n)++] = strdup(STACK_CUT_TEXT);
			continue;
		}
		if (syms && kernel)
			nf = syms__resolve_kernel(syms, ips[i], f);
		else if (syms)
			nf = stack_user_frame__resolve(syms, opts->py, pid, ips[i], f, 4, NULL);
		/* A trampoline program's stack starts in the probe itself: the
		 * program, then its trampoline. The traced function is next. */
		if (kernel && opts->skip_probe_frames && !*n && nf > 0 && f[0].name &&
		    (!strncmp(f[0].name, "bpf_prog_", 9) || !strncmp(f[0].name, "bpf_trampoline_", 15)))
			continue;
		/* A frame identified at the event has no address, only its
		 * file offset: shown as "+0x1a2b". */
		/*
		 * A frame identified at the event has its file offset; its
		 * address is where the process's last snapshot maps it, else
		 * it is shown as "+0x1a2b" (the process was never read).
		 */
		ip = ips[i];
		if (!kernel && (ips[i] & STACK_FRAME_FILE))
			ip = syms ? stack_user_frame__address(syms, pid, ips[i]) : 0;
		/* A Python frame has no address of its own. */
		if (opts->addresses && !kernel && PY_FRAME_IS(ips[i]))
			addr[0] = 0;
		else if (opts->addresses && !kernel && !ip)
			snprintf(addr, sizeof(addr), "+%#" PRIx64 " ", (uint64_t)STACK_FRAME_OFF(ips[i]));
		else if (opts->addresses)
			snprintf(addr, sizeof(addr), "%#" PRIx64 " ", ip);
		if (nf <= 0) {
			snprintf(buf, sizeof(buf), "%s[unknown]", addr);
			fields[*n].addr = ip;
			frames[(*n)++] = strdup(buf);
			continue;
		}
		for (int k = 0; k < nf; k++) {
			sym_frame__format(&f[k], opts->offsets, buf + strlen(addr),
					  sizeof(buf) - strlen(addr));
			memcpy(buf, addr, strlen(addr));
			fields[*n] = (struct stack_frame){
				.addr = ip,
				.func = f[k].name, .symbol = f[k].symbol, .offset = f[k].offset,
				.module = f[k].module, .module_offset = f[k].module_offset,
				.build_id = f[k].build_id, .file = f[k].file, .line = f[k].line, .inlined = f[k].inlined,
			};
			frames[(*n)++] = strdup(buf);
		}
	}
	for (size_t i = 0; i < *n; i++) {
		if (!frames[i]) {
			frames_free(frames, fields, *n);
			*n = 0;
			return -ENOMEM;
		}
	}
	*out = frames;
	*out_fields = fields;
	return 0;
}

int stack_record__push_user(struct stack_record *r, const char *text)
{
	char **user = realloc(r->user, (r->nuser + 1) * sizeof(*user));
	struct stack_frame *fields;
	char *dup;

	if (!user)
		return -ENOMEM;
	r->user = user;
	fields = realloc(r->user_frames, (r->nuser + 1) * sizeof(*fields));
	if (!fields)
		return -ENOMEM;
	r->user_frames = fields;
	dup = strdup(text);
	if (!dup)
		return -ENOMEM;
	memmove(user + 1, user, r->nuser * sizeof(*user));
	memmove(fields + 1, fields, r->nuser * sizeof(*fields));
	user[0] = dup;
	fields[0] = (struct stack_frame){ .func = dup };
	r->nuser++;
	return 0;
}

int stack_set__add(struct stack_set *set, const struct stack_key *k, uint64_t count,
		   const struct stack_maps *m, struct syms *syms, const struct stack_read_opts *opts)
{
	struct stack_ref user, kernel;
	struct stack_record *r;
	int err;

	if (set->count == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 64;
		void *p = realloc(set->records, ncap * sizeof(*set->records));

		if (!p)
			return -ENOMEM;
		set->records = p;
		set->cap = ncap;
	}
	r = &set->records[set->count];
	memset(r, 0, sizeof(*r));
	r->tgid = k->tgid;
	r->tid = k->tid;
	r->extra = k->extra;
	memcpy(r->comm, k->comm, sizeof(r->comm));
	r->comm[sizeof(r->comm) - 1] = 0;
	r->count = count;
	/* -1: not asked for; -EFAULT: no such stack; others: capture failed. */
	r->user_lost = k->user_stack < -1 && k->user_stack != -EFAULT;
	r->kernel_lost = k->kernel_stack < -1 && k->kernel_stack != -EFAULT;
	user = k->user_hash ? (struct stack_ref){ m->ustacks, &k->user_hash, true } :
	       (struct stack_ref){ m->traces, k->user_stack >= 0 ? &k->user_stack : NULL };
	kernel = k->kernel_hash ? (struct stack_ref){ m->kstacks, &k->kernel_hash, true } :
		 (struct stack_ref){ m->traces, k->kernel_stack >= 0 ? &k->kernel_stack : NULL };
	err = resolve_stack(user, false, k->tgid, syms, opts, &r->user, &r->user_frames,
			    &r->nuser);
	if (!err)
		err = resolve_stack(kernel, true, 0, syms, opts, &r->kernel, &r->kernel_frames,
				    &r->nkernel);
	if (err) {
		record_fini(r);
		return err;
	}
	set->count++;
	set->total += count;
	return 0;
}

int stack_set__read(struct stack_set *set, const struct stack_maps *m, struct syms *syms,
		    const struct stack_read_opts *opts)
{
	int counts_fd = m->counts;
	struct stack_key *keys = NULL;
	size_t nkeys = 0;
	int err;

	err = bpfmap__keys(counts_fd, sizeof(*keys), (void **)&keys, &nkeys);
	if (err)
		return err;
	for (size_t i = 0; i < nkeys && !err; i++) {
		uint64_t count;
		int ret;

		ret = opts->delete ? bpf_map_lookup_and_delete_elem(counts_fd, &keys[i], &count)
				   : bpf_map_lookup_elem(counts_fd, &keys[i], &count);
		if (!ret)
			err = stack_set__add(set, &keys[i], count, m, syms, opts);
	}
	free(keys);
	return err;
}

static int cmp_frames(char *const *a, size_t na, char *const *b, size_t nb)
{
	for (size_t i = 0; i < na && i < nb; i++) {
		int c = strcmp(a[i], b[i]);

		if (c)
			return c;
	}
	return na < nb ? -1 : na > nb;
}

/* Order by what a reader sees: comm, pid, then frames. */
static int cmp_content(const void *a, const void *b)
{
	const struct stack_record *x = a, *y = b;
	int c = strcmp(x->comm, y->comm);

	if (c)
		return c;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->extra != y->extra)
		return x->extra < y->extra ? -1 : 1;
	if (x->user_lost != y->user_lost || x->kernel_lost != y->kernel_lost)
		return x->user_lost - y->user_lost + 2 * (x->kernel_lost - y->kernel_lost);
	c = cmp_frames(x->user, x->nuser, y->user, y->nuser);
	return c ? c : cmp_frames(x->kernel, x->nkernel, y->kernel, y->nkernel);
}

void stack_set__merge(struct stack_set *set, bool by_pid)
{
	size_t w = 0;

	if (!by_pid)
		for (size_t i = 0; i < set->count; i++)
			set->records[i].tgid = 0;
	if (set->count > 1)	/* qsort(NULL, 0, ...) is undefined (UBSan) */
		qsort(set->records, set->count, sizeof(*set->records), cmp_content);
	for (size_t i = 0; i < set->count; i++) {
		if (w && !cmp_content(&set->records[w - 1], &set->records[i])) {
			set->records[w - 1].count += set->records[i].count;
			record_fini(&set->records[i]);
			continue;
		}
		set->records[w++] = set->records[i];
	}
	set->count = w;
}

static int cmp_desc(const void *a, const void *b)
{
	const struct stack_record *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	c = strcmp(x->comm, y->comm);
	if (c)
		return c;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cmp_asc(const void *a, const void *b)
{
	const struct stack_record *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return -cmp_desc(a, b);
}

void stack_set__sort(struct stack_set *set, bool desc)
{
	if (set->count > 1)
		qsort(set->records, set->count, sizeof(*set->records), desc ? cmp_desc : cmp_asc);
}

int stack_pid_notes__on_event(void *ctx, void *data, size_t size)
{
	struct stack_pid_notes *n = ctx;
	struct stack_note note;

	if (size < sizeof(note))
		return 0;
	memcpy(&note, data, sizeof(note));
	if (n->closing) {
		if (n->resume && note.tgid)
			kill(note.tgid, SIGCONT);
		return 0;
	}
	/* A late table asked for (its file's id in the generation's bits). */
	if (!note.tgid && STACK_NOTE_KIND(&note) == STACK_NOTE_REFRESH) {
		if (n->unwinder)
			unwinder__build_late(n->unwinder, STACK_NOTE_GEN(&note));
		return 0;
	}
	/* A drain request: drained now, from whichever loop consumes the notes. */
	if (!note.tgid) {
		if (n->drain)
			n->drain(n->drain_ctx);
		return 0;
	}
	/* The unwinder's read of the maps is the symbolizer's too. */
	if (n->unwinder) {
		unwinder__add_process(n->unwinder, note.tgid, STACK_NOTE_GEN(&note));
		unwinder__sweep(n->unwinder);
	} else {
		syms__snapshot(n->syms, note.tgid);
	}
	if (n->resume)
		kill(note.tgid, SIGCONT);
	return 0;
}
