// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/stacks.c: merging and sorting stack records, and
 * reading them from maps laid out as the BPF side fills them. The maps
 * are plain hashes created here (a stack-trace map cannot be written from
 * user space, but is read the same way); without the privilege to create
 * maps those tests are skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/types.h>
#include <bpf/bpf.h>

#include "bpf/stacks.h"
#include "common/stacks.h"
#include "common/syms.h"

/* ---- records made by hand --------------------------------------------------- */

/* Append a record of @count with the frames in @frames ("a;b": user frames,
 * innermost first; a '|' starts the kernel frames). */
static void push(struct stack_set *set, const char *comm, uint32_t tgid, uint64_t count,
		 const char *frames)
{
	struct stack_record *r;
	char *copy = strdup(frames), *tok, *save = NULL, *bar;
	char ***where;
	size_t *n;

	assert_non_null(copy);
	if (set->count == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->records = realloc(set->records, set->cap * sizeof(*set->records));
		assert_non_null(set->records);
	}
	r = &set->records[set->count++];
	memset(r, 0, sizeof(*r));
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	r->tgid = tgid;
	r->count = count;
	set->total += count;
	bar = strchr(copy, '|');
	for (int part = 0; part < 2; part++) {
		char *s = part ? (bar ? bar + 1 : NULL) : copy;

		if (!s)
			break;
		if (!part && bar)
			*bar = '\0';
		where = part ? &r->kernel : &r->user;
		n = part ? &r->nkernel : &r->nuser;
		*where = calloc(16, sizeof(char *));
		assert_non_null(*where);
		for (tok = strtok_r(s, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
			(*where)[(*n)++] = strdup(tok);
			assert_non_null((*where)[*n - 1]);
		}
	}
	free(copy);
}

static const struct stack_record *with_count(const struct stack_set *set, uint64_t count)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->records[i].count == count)
			return &set->records[i];
	fail_msg("no record of count %" PRIu64, count);
	return NULL;
}

static void test_merge(void **state)
{
	struct stack_set set = {};

	push(&set, "app", 10, 1, "f;main|k1");
	push(&set, "app", 11, 2, "f;main|k1");	/* another process, same stacks */
	push(&set, "app", 10, 4, "g;main|k1");	/* another user stack */
	push(&set, "app", 10, 8, "f;main|k2");	/* another kernel stack */
	push(&set, "other", 10, 16, "f;main|k1");	/* another comm */
	push(&set, "app", 10, 32, "f;main");	/* no kernel stack */
	push(&set, "app", 10, 64, "f;main|k1");
	assert_int_equal(set.total, 127);

	stack_set__merge(&set, true);
	/* By pid: only the two records of pid 10, app, f;main|k1 become one. */
	assert_int_equal(set.count, 6);
	assert_int_equal(with_count(&set, 65)->tgid, 10);
	assert_int_equal(with_count(&set, 2)->tgid, 11);

	stack_set__merge(&set, false);
	/* Without pids, the two processes' records merge; pids are cleared. */
	assert_int_equal(set.count, 5);
	assert_int_equal(with_count(&set, 67)->tgid, 0);
	assert_int_equal(with_count(&set, 67)->nuser, 2);
	assert_string_equal(with_count(&set, 67)->user[0], "f");
	assert_string_equal(with_count(&set, 67)->kernel[0], "k1");
	with_count(&set, 4);
	with_count(&set, 8);
	with_count(&set, 16);
	with_count(&set, 32);
	/* Merging keeps the total. */
	assert_int_equal(set.total, 127);
	stack_set__fini(&set);
	assert_int_equal(set.count, 0);
	assert_null(set.records);

	/* An empty set merges and sorts to nothing. */
	stack_set__merge(&set, false);
	stack_set__sort(&set, true);
	assert_int_equal(set.count, 0);
	stack_set__fini(&set);
}

/* A lost stack is not the same as an empty one. */
static void test_merge_lost(void **state)
{
	struct stack_set set = {};

	push(&set, "app", 1, 1, "f");
	push(&set, "app", 1, 2, "f");
	set.records[1].kernel_lost = true;
	push(&set, "app", 1, 4, "f");
	set.records[2].user_lost = true;
	stack_set__merge(&set, true);
	assert_int_equal(set.count, 3);
	stack_set__fini(&set);
}

static void test_sort(void **state)
{
	struct stack_set set = {};

	push(&set, "b", 2, 5, "x");
	push(&set, "a", 3, 5, "y");
	push(&set, "a", 1, 5, "z");
	push(&set, "c", 1, 9, "w");
	push(&set, "c", 1, 1, "v");

	stack_set__sort(&set, true);
	/* By count, descending; ties by comm, then pid. */
	assert_int_equal(set.records[0].count, 9);
	assert_string_equal(set.records[1].comm, "a");
	assert_int_equal(set.records[1].tgid, 1);
	assert_string_equal(set.records[2].comm, "a");
	assert_int_equal(set.records[2].tgid, 3);
	assert_string_equal(set.records[3].comm, "b");
	assert_int_equal(set.records[4].count, 1);

	stack_set__sort(&set, false);
	/* Ascending: the exact reverse. */
	assert_int_equal(set.records[0].count, 1);
	assert_string_equal(set.records[1].comm, "b");
	assert_string_equal(set.records[2].comm, "a");
	assert_int_equal(set.records[2].tgid, 3);
	assert_int_equal(set.records[3].tgid, 1);
	assert_int_equal(set.records[4].count, 9);
	stack_set__fini(&set);
}

/* ---- records read from maps ------------------------------------------------- */

__attribute__((noinline)) static int leaf(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

__attribute__((noinline)) static int caller(int x)
{
	__asm__ volatile("" ::: "memory");
	return leaf(x) * 2;
}

struct maps {
	int counts;
	int traces;
};

static int maps_setup(void **state)
{
	struct maps *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->counts = bpf_map_create(BPF_MAP_TYPE_HASH, "test_counts", sizeof(struct stack_key),
				   sizeof(__u64), 64, NULL);
	m->traces = bpf_map_create(BPF_MAP_TYPE_HASH, "test_traces", sizeof(__u32),
				   STACK_MAX_DEPTH * sizeof(__u64), 64, NULL);
	*state = m;
	return 0;
}

static int maps_teardown(void **state)
{
	struct maps *m = *state;

	if (m->counts >= 0)
		close(m->counts);
	if (m->traces >= 0)
		close(m->traces);
	free(m);
	return 0;
}

static void put_count(int fd, int32_t user, int32_t kernel, uint32_t extra, uint64_t count)
{
	struct stack_key k = {
		.tgid = getpid(),
		.tid = 0,
		.user_stack = user,
		.kernel_stack = kernel,
		.extra = extra,
	};

	snprintf(k.comm, sizeof(k.comm), "test_stacks");
	assert_int_equal(bpf_map_update_elem(fd, &k, &count, BPF_ANY), 0);
}

static void put_trace(int fd, uint32_t id, uint64_t inner, uint64_t outer)
{
	uint64_t ips[STACK_MAX_DEPTH] = { inner, outer };

	assert_int_equal(bpf_map_update_elem(fd, &id, ips, BPF_ANY), 0);
}

static size_t map_size(int fd)
{
	struct stack_key k, *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		n++;
		prev = &k;
	}
	return n;
}

static void test_read(void **state)
{
	struct maps *m = *state;
	struct stack_read_opts opts = {};
	struct stack_set set = {};
	const struct stack_record *r;
	uint64_t in = (uint64_t)(uintptr_t)&leaf, out = (uint64_t)(uintptr_t)&caller;
	struct syms *syms;
	char want[64];

	if (m->counts < 0 || m->traces < 0)
		skip();	/* no privilege to create BPF maps */
	assert_int_equal(caller(1), 4);
	syms = syms__new(0);
	assert_non_null(syms);

	/* Stacks 1 and 2: the same functions, at other offsets. */
	put_trace(m->traces, 1, in + 1, out + 2);
	put_trace(m->traces, 2, in + 2, out + 4);
	put_count(m->counts, 1, -1, 0, 5);
	put_count(m->counts, 2, -1, 0, 6);
	put_count(m->counts, -EFAULT, -1, 0, 7);	/* no user stack: not lost */
	put_count(m->counts, -ENOMEM, -ENOENT, 3, 8);	/* both captures failed */

	assert_int_equal(stack_set__read(&set, &(struct stack_maps){ m->counts, m->traces, -1, -1 }, syms, &opts), 0);
	assert_int_equal(set.count, 4);
	assert_int_equal(set.total, 26);
	r = with_count(&set, 5);
	assert_int_equal(r->tgid, getpid());
	assert_string_equal(r->comm, "test_stacks");
	assert_int_equal(r->nuser, 2);
	assert_string_equal(r->user[0], "leaf");
	assert_string_equal(r->user[1], "caller");
	assert_int_equal(r->nkernel, 0);
	assert_false(r->user_lost);
	r = with_count(&set, 7);
	assert_int_equal(r->nuser, 0);
	assert_false(r->user_lost);
	assert_false(r->kernel_lost);
	r = with_count(&set, 8);
	assert_true(r->user_lost);
	assert_true(r->kernel_lost);
	assert_int_equal(r->extra, 3);
	/* Without offsets, stacks 1 and 2 read the same and merge. */
	stack_set__merge(&set, true);
	assert_int_equal(set.count, 3);
	with_count(&set, 11);
	stack_set__fini(&set);
	/* Reading does not drain the map unless asked. */
	assert_int_equal(map_size(m->counts), 4);

	/* With offsets (and addresses) they stay apart; delete drains the map. */
	opts.offsets = true;
	opts.addresses = true;
	opts.delete = true;
	assert_int_equal(stack_set__read(&set, &(struct stack_maps){ m->counts, m->traces, -1, -1 }, syms, &opts), 0);
	assert_int_equal(set.count, 4);
	stack_set__merge(&set, true);
	assert_int_equal(set.count, 4);
	r = with_count(&set, 6);
	snprintf(want, sizeof(want), "%#" PRIx64 " leaf+0x2", in + 2);
	assert_string_equal(r->user[0], want);
	snprintf(want, sizeof(want), "%#" PRIx64 " caller+0x4", out + 4);
	assert_string_equal(r->user[1], want);
	stack_set__fini(&set);
	assert_int_equal(map_size(m->counts), 0);

	/* Without a symbolizer: addresses only. */
	put_count(m->counts, 1, -1, 0, 5);
	opts = (struct stack_read_opts){ .delete = true };
	assert_int_equal(stack_set__read(&set, &(struct stack_maps){ m->counts, m->traces, -1, -1 }, NULL, &opts), 0);
	assert_int_equal(set.count, 1);
	assert_int_equal(set.records[0].nuser, 2);
	assert_string_equal(set.records[0].user[0], "[unknown]");
	stack_set__fini(&set);

	/* A stack id the traces map does not have is an error. */
	put_count(m->counts, 99, -1, 0, 1);
	opts = (struct stack_read_opts){ .delete = true };
	assert_int_equal(stack_set__read(&set, &(struct stack_maps){ m->counts, m->traces, -1, -1 }, NULL, &opts), -ENOENT);
	stack_set__fini(&set);
	syms__free(syms);
}

/*
 * Stacks by hash (CFI walks): the user stack from ustacks with the cut
 * mark as "[truncated]", the kernel stack from kstacks; drained into a
 * stack_cache, deleted from the maps, and still resolved from the cache.
 */
static void test_read_hashed(void **state)
{
	struct maps *m = *state;
	int ustacks, kstacks;
	uint64_t in = (uint64_t)(uintptr_t)&leaf, out = (uint64_t)(uintptr_t)&caller;
	uint64_t ips[STACK_MAX_DEPTH] = { in + 1, out + 2, STACK_CUT_MARK };
	uint64_t kips[STACK_MAX_DEPTH] = { 0 };
	uint64_t uh = 0x1234, kh = 0x5678, count = 9;
	struct stack_key k = { .tgid = getpid(), .user_stack = -1, .kernel_stack = -1,
			       .user_hash = uh, .kernel_hash = kh };
	struct stack_read_opts opts = {};
	struct stack_cache *cache;
	struct stack_set set = {};
	struct syms *syms;

	if (m->counts < 0)
		skip();	/* no privilege to create BPF maps */
	assert_int_equal(caller(1), 4);
	ustacks = bpf_map_create(BPF_MAP_TYPE_HASH, "test_ustacks", sizeof(__u64),
				 STACK_MAX_DEPTH * sizeof(__u64), 16, NULL);
	kstacks = bpf_map_create(BPF_MAP_TYPE_HASH, "test_kstacks", sizeof(__u64),
				 STACK_MAX_DEPTH * sizeof(__u64), 16, NULL);
	assert_true(ustacks >= 0 && kstacks >= 0);
	snprintf(k.comm, sizeof(k.comm), "hashed");
	assert_int_equal(bpf_map_update_elem(ustacks, &uh, ips, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(kstacks, &kh, kips, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(m->counts, &k, &count, BPF_ANY), 0);
	syms = syms__new(0);
	cache = stack_cache__new();
	assert_non_null(syms);
	assert_non_null(cache);

	for (int round = 0; round < 2; round++) {
		struct stack_maps sm = { m->counts, m->traces, ustacks, kstacks };

		opts.cache = cache;
		assert_int_equal(stack_set__read(&set, &sm, syms, &opts), 0);
		assert_int_equal(set.count, 1);
		assert_int_equal(set.records[0].count, 9);
		assert_int_equal(set.records[0].nuser, 3);
		assert_string_equal(set.records[0].user[0], "leaf");
		assert_string_equal(set.records[0].user[1], "caller");
		assert_string_equal(set.records[0].user[2], STACK_CUT_TEXT);
		assert_int_equal(set.records[0].nkernel, 0);
		stack_set__fini(&set);
		/* Drained: the maps are empty, the cache answers. */
		if (!round) {
			assert_int_equal(stack_cache__drain(cache, ustacks), 1);
			assert_int_equal(stack_cache__drain(cache, kstacks), 1);
			assert_true(bpf_map_lookup_elem(ustacks, &uh, ips) < 0);
			assert_non_null(stack_cache__find(cache, uh));
		}
	}
	assert_null(stack_cache__find(cache, 0x9999));
	/* Without the cache, a drained stack is an error, not a silent loss. */
	opts.cache = NULL;
	assert_int_equal(stack_set__read(&set, &(struct stack_maps){ m->counts, m->traces, ustacks,
								      kstacks }, syms, &opts), -ENOENT);
	stack_set__fini(&set);
	bpf_map_delete_elem(m->counts, &k);
	stack_cache__free(cache);
	syms__free(syms);
	close(ustacks);
	close(kstacks);
}

/* A new-process note takes a snapshot of the process's maps. */
static void test_pid_notes(void **state)
{
	struct stack_pid_notes n = { .resume = false };
	struct sym_frame f;
	struct stack_note note = { .tgid = getpid(), .gen_kind = STACK_NOTE_NEW << 31 };

	n.syms = syms__new(0);
	assert_non_null(n.syms);
	/* Too short: ignored. */
	assert_int_equal(stack_pid_notes__on_event(&n, &note, 2), 0);
	assert_int_equal(stack_pid_notes__on_event(&n, &note, sizeof(note)), 0);
	assert_int_equal(syms__resolve_user(n.syms, getpid(), (uint64_t)(uintptr_t)&leaf + 1, &f,
					    1), 1);
	assert_string_equal(f.name, "leaf");
	syms__free(n.syms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_lost),
		cmocka_unit_test(test_sort),
		cmocka_unit_test_setup_teardown(test_read, maps_setup, maps_teardown),
		cmocka_unit_test_setup_teardown(test_read_hashed, maps_setup, maps_teardown),
		cmocka_unit_test(test_pid_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
