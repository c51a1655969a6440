// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/sites.c without BPF: probe specs to sites on the
 * programs of tests/targets/ (run make targets first), deduplication,
 * return twins, the error sentences and their exit codes.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/attach.h"
#include "common/elf.h"
#include "common/insn.h"
#include "common/sites.h"

#define T "build/tests/targets/"

/* Add @n specs; returns what site_set__add_specs() does, sentence in @err. */
static int add(struct site_set *set, unsigned flags, pid_t pid, char *err, size_t errlen, int n,
	       ...)
{
	char *texts[8];
	va_list ap;

	assert_true(n <= 8);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		texts[i] = va_arg(ap, char *);
	va_end(ap);
	err[0] = '\0';
	return site_set__add_specs(set, texts, n, flags, pid, NULL, err, errlen);
}

/* Add specs that must succeed. */
#define ADD_OK(set, flags, ...) do {							\
		char e_[512];								\
		int r_ = add(set, flags, 0, e_, sizeof(e_),				\
			     sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *), __VA_ARGS__); \
		if (r_)									\
			fail_msg("add failed (%d): %s", r_, e_);			\
	} while (0)

/* The link-time address and file offset of function @name in @path. */
static void sym_of(const char *path, const char *name, uint64_t *vaddr, uint64_t *offset)
{
	struct elf_file *ef = elf_file__open(path);
	const struct elf_sym *syms;
	size_t n;

	assert_non_null(ef);
	assert_int_equal(elf_file__load_symbols(ef, NULL), 0);
	syms = elf_file__symbols(ef, &n);
	*vaddr = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(syms[i].name, name))
			*vaddr = syms[i].vaddr;
	if (!*vaddr)
		fail_msg("no symbol %s in %s", name, path);
	assert_int_equal(elf_file__vaddr_to_offset(ef, *vaddr, offset), 0);
	elf_file__free(ef);
}

static const struct site *find(const struct site_set *set, enum probe_kind kind,
			       const char *name)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->sites[i].kind == kind && !strcmp(set->sites[i].name, name))
			return &set->sites[i];
	return NULL;
}

static void test_uprobes(void **state)
{
	struct site_set set = {};
	const struct site *s;
	char calls[PATH_MAX];
	uint64_t vaddr, offset;

	assert_non_null(realpath(T "calls", calls));
	sym_of(calls, "foo", &vaddr, &offset);
	ADD_OK(&set, 0, T "calls:foo", "p:" T "calls:ba?", "r:" T "calls:foo");
	assert_int_equal(set.count, 3);

	s = find(&set, PROBE_UPROBE, "foo");
	assert_non_null(s);
	assert_string_equal(s->symbol, "foo");
	assert_string_equal(s->path, calls);
	assert_string_equal(s->display_path, calls);
	assert_int_equal(s->vaddr, vaddr);
	assert_int_equal(s->offset, offset);
	assert_int_equal(s->spec, 0);
	assert_null(s->provider);

	s = find(&set, PROBE_UPROBE, "bar");
	assert_non_null(s);
	assert_int_equal(s->spec, 1);

	/* A return probe of the same function is another site. */
	s = find(&set, PROBE_URETPROBE, "foo");
	assert_non_null(s);
	assert_int_equal(s->offset, offset);
	assert_int_equal(s->spec, 2);
	assert_true(site_set__single_file(&set));
	site_set__fini(&set);
	assert_int_equal(set.count, 0);
	assert_null(set.sites);
}

/* FUNC+OFFSET: foo+0 is foo's site; foo+LEN (its first instruction's
 * length, decoded here) the next instruction, named foo+0xLEN; foo+1..LEN-1
 * are inside that instruction, said in foo's terms. */
static void test_func_offset(void **state)
{
	struct site_set set = {};
	char calls[PATH_MAX], spec[PATH_MAX + 64], err[512];
	const struct site *s;
	uint64_t vaddr, offset, start;
	uint8_t code[INSN_MAX_LEN];
	struct elf_file *ef;
	unsigned len = 1;
	size_t size;

	assert_non_null(realpath(T "calls", calls));
	sym_of(calls, "foo", &vaddr, &offset);
	ef = elf_file__open(calls);
	assert_non_null(ef);
	assert_int_equal(elf_file__read(ef, offset, code, sizeof(code)), sizeof(code));
	elf_file__free(ef);
	while (insn__check_boundary(code, sizeof(code), offset, offset + len, &start, &size))
		len++;

	ADD_OK(&set, 0, T "calls:foo+0");
	s = find(&set, PROBE_UPROBE, "foo");
	assert_non_null(s);
	assert_int_equal(s->offset, offset);
	assert_int_equal(s->vaddr, vaddr);
	snprintf(spec, sizeof(spec), T "calls:foo+%u", len);
	ADD_OK(&set, 0, spec);
	assert_int_equal(set.count, 2);
	snprintf(spec, sizeof(spec), "foo+0x%x", len);
	s = find(&set, PROBE_UPROBE, spec);
	assert_non_null(s);
	assert_string_equal(s->symbol, "foo");
	assert_int_equal(s->offset, offset + len);
	assert_int_equal(s->vaddr, vaddr + len);
	site_set__fini(&set);

	for (unsigned k = 1; k < len; k++) {
		char want[128];

		snprintf(spec, sizeof(spec), T "calls:foo+%u", k);
		assert_int_equal(add(&set, 0, 0, err, sizeof(err), 1, spec), -EINVAL);
		snprintf(want, sizeof(want), "foo+0x%x is inside an instruction (foo+0x0 to foo+0x%x)",
			 k, len);
		if (!strstr(err, want))
			fail_msg("'%s' does not say '%s'", err, want);
		assert_int_equal(set.count, 0);
	}
}

static void test_dedup(void **state)
{
	struct site_set set = {};
	char raw[PATH_MAX + 32], calls[PATH_MAX];
	uint64_t vaddr, offset;

	assert_non_null(realpath(T "calls", calls));
	sym_of(calls, "foo", &vaddr, &offset);

	/* foo, then f* adds only what foo did not: frame_dummy. */
	ADD_OK(&set, 0, T "calls:foo", T "calls:f*");
	assert_int_equal(set.count, 2);
	assert_int_equal(find(&set, PROBE_UPROBE, "foo")->spec, 0);
	assert_int_equal(find(&set, PROBE_UPROBE, "frame_dummy")->spec, 1);

	/* The same spec again matches, and adds nothing. */
	ADD_OK(&set, 0, T "calls:foo");
	assert_int_equal(set.count, 2);

	/* foo's offset is foo's site. */
	snprintf(raw, sizeof(raw), "%s:0x%" PRIx64, calls, offset);
	ADD_OK(&set, 0, raw);
	assert_int_equal(set.count, 2);
	site_set__fini(&set);

	/* Alone, the offset is a site named after it. */
	ADD_OK(&set, 0, raw);
	assert_int_equal(set.count, 1);
	assert_int_equal(set.sites[0].offset, offset);
	assert_int_equal(set.sites[0].vaddr, vaddr);
	snprintf(raw, sizeof(raw), "0x%" PRIx64, offset);
	assert_string_equal(set.sites[0].name, raw);
	site_set__fini(&set);

	/* PROBE_F_EACH_SPEC: one site per spec that matches it, in the order
	 * of the specs. */
	ADD_OK(&set, PROBE_F_EACH_SPEC, T "calls:foo", T "calls:f*");
	assert_int_equal(set.count, 3);
	assert_string_equal(set.sites[0].name, "foo");
	assert_int_equal(set.sites[0].spec, 0);
	for (size_t i = 1; i < 3; i++) {
		assert_int_equal(set.sites[i].spec, 1);
		assert_true(!strcmp(set.sites[i].name, "foo") ||
			    !strcmp(set.sites[i].name, "frame_dummy"));
	}
	assert_string_not_equal(set.sites[1].name, set.sites[2].name);
	site_set__fini(&set);
}

static void test_usdt(void **state)
{
	struct site_set set = {};
	const struct site *s;
	size_t n;

	ADD_OK(&set, 0, "u:" T "usdt:cotrace:tick");
	n = set.count;
	assert_true(n >= 1);
	s = &set.sites[0];
	assert_int_equal(s->kind, PROBE_USDT);
	assert_string_equal(s->name, "cotrace:tick");
	assert_string_equal(s->provider, "cotrace");
	assert_string_equal(s->symbol, "tick");
	assert_non_null(s->usdt_args);
	assert_true(s->offset > 0);

	/* bpftrace's form, wildcard: the three probes; tick once. */
	ADD_OK(&set, 0, "usdt:" T "usdt:cotrace:*");
	assert_non_null(find(&set, PROBE_USDT, "cotrace:tock"));
	assert_non_null(find(&set, PROBE_USDT, "cotrace:guarded"));
	for (size_t i = 0; i < set.count; i++)
		if (!strcmp(set.sites[i].name, "cotrace:tick"))
			assert_int_equal(set.sites[i].spec, 0);
	/* The same probe again: matched, nothing added, no error. */
	n = set.count;
	ADD_OK(&set, 0, "u:" T "usdt:cotrace:tick");
	assert_int_equal(set.count, n);
	site_set__fini(&set);
}

static void test_cxx(void **state)
{
	struct site_set set = {};
	const struct site *s;

	ADD_OK(&set, 0, "uprobe:" T "cxx:cpp:\"shapes::scale*\"");
	assert_int_equal(set.count, 2);
	s = find(&set, PROBE_UPROBE, "shapes::scale(int)");
	assert_non_null(s);
	assert_string_equal(s->symbol, "_ZN6shapes5scaleEi");
	s = find(&set, PROBE_UPROBE, "shapes::scale(double)");
	assert_non_null(s);
	assert_string_equal(s->symbol, "_ZN6shapes5scaleEd");
	site_set__fini(&set);
}

static void test_returns_and_files(void **state)
{
	struct site_set set = {};

	ADD_OK(&set, 0, T "calls:foo", "u:" T "usdt:cotrace:tock", T "calls:bar");
	assert_true(!site_set__single_file(&set));
	site_set__fini(&set);

	ADD_OK(&set, 0, T "calls:foo", T "calls:bar", "r:" T "calls:local_helper");
	assert_int_equal(site_set__add_returns(&set), 2);
	assert_int_equal(set.count, 5);
	/* The k-th entry site's twin is the k-th appended, with its offset. */
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(set.sites[3 + i].kind, PROBE_URETPROBE);
		assert_string_equal(set.sites[3 + i].name, set.sites[i].name);
		assert_int_equal(set.sites[3 + i].offset, set.sites[i].offset);
		assert_int_equal(set.sites[3 + i].spec, set.sites[i].spec);
	}
	assert_true(site_set__single_file(&set));
	ADD_OK(&set, 0, T "libcotarget.so:cot_*");
	assert_false(site_set__single_file(&set));
	assert_non_null(find(&set, PROBE_UPROBE, "cot_add"));
	assert_non_null(find(&set, PROBE_UPROBE, "cot_mul"));
	site_set__fini(&set);
}

/* A library the test process maps, found through its maps with a pid. */
static void test_pid_library(void **state)
{
	struct site_set set = {};
	char err[512], prefix[64];
	const struct site *s;

	assert_int_equal(add(&set, 0, getpid(), err, sizeof(err), 1, "c:malloc"), 0);
	s = find(&set, PROBE_UPROBE, "malloc");
	assert_non_null(s);
	assert_non_null(strstr(s->display_path, "/libc.so.6"));
	assert_true(s->display_path[0] == '/');
	snprintf(prefix, sizeof(prefix), "/proc/%d/", (int)getpid());
	assert_true(!strncmp(s->path, prefix, strlen(prefix)));
	site_set__fini(&set);
}

static void test_tracepoints(void **state)
{
	struct site_set set = {};

	if (access("/sys/kernel/tracing/events/sched/sched_process_exit", F_OK) &&
	    access("/sys/kernel/debug/tracing/events/sched/sched_process_exit", F_OK))
		skip();
	ADD_OK(&set, 0, "t:sched:sched_process_exi?", "tracepoint:sched:sched_process_fork");
	assert_int_equal(set.count, 2);
	assert_non_null(find(&set, PROBE_TRACEPOINT, "sched:sched_process_fork"));
	/* Matched again by a later spec: no new site, and no error. */
	ADD_OK(&set, 0, "tracepoint:sched:sched_process_exit");
	assert_int_equal(set.count, 2);
	assert_int_equal(set.sites[0].kind, PROBE_TRACEPOINT);
	assert_string_equal(set.sites[0].name, "sched:sched_process_exit");
	assert_string_equal(set.sites[0].provider, "sched");
	assert_string_equal(set.sites[0].symbol, "sched_process_exit");
	assert_null(set.sites[0].path);
	site_set__fini(&set);
}

static void test_errors(void **state)
{
	static const struct {
		const char *spec;
		unsigned flags;
		int err;
		const char *msg;	/* a part of the sentence */
		int exit_code;
	} cases[] = {
		{ "nosuchfile_xyz:foo", 0, -ENOENT,
		  "cannot find 'nosuchfile_xyz': no such file, library in ld.so.cache, or program "
		  "in PATH", 2 },
		{ T "notelf:foo", 0, -ENOEXEC, "/notelf' is not an ELF file", 2 },
		{ T "truncated:foo", 0, -EINVAL, "/truncated' is a truncated or corrupt ELF file", 2 },
		{ T "calls:zzz*", 0, -ENOENT, "no function matches 'zzz*' in /", 2 },
		{ T "calls:0x10000000", 0, -ENOENT,
		  "offset 0x10000000 is not in a loaded segment of /", 2 },
		{ "u:" T "usdt:cotrace:nosuch", 0, -ENOENT,
		  "no USDT probe matches 'cotrace:nosuch' in /", 2 },
		{ T "calls:a(b", PROBE_F_REGEX, -EINVAL, "'a(b' is not a valid regular expression",
		  2 },
		{ "x:y:z:w:v", 0, -EINVAL, "", 2 },
		{ T "calls:foo+0x100000", 0, -EINVAL, "offset 0x100000 is past the end of foo", 2 },
		{ "r:" T "calls:foo+1", 0, -EINVAL,
		  "a return probe must be at the function's start, not 0x1 bytes into it", 2 },
		{ T "calls:fo*+1", 0, -EINVAL, "an offset needs one function, not a pattern", 2 },
		{ T "calls:zzz+1", 0, -ENOENT, "no function matches 'zzz' in /", 2 },
		{ "p::vfs_read+4", 0, -EINVAL, "offsets into kernel functions are not supported",
		  2 },
	};
	struct site_set set = {};
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = add(&set, cases[i].flags, 0, err, sizeof(err), 1, cases[i].spec);

		if (ret != cases[i].err)
			fail_msg("%s: returned %d, want %d (%s)", cases[i].spec, ret, cases[i].err,
				 err);
		if (!err[0] || !strstr(err, cases[i].msg))
			fail_msg("%s: '%s' does not say '%s'", cases[i].spec, err, cases[i].msg);
		assert_int_equal(site_error_exit_code(ret), cases[i].exit_code);
		assert_int_equal(set.count, 0);
	}
	site_set__fini(&set);
}

/* A kernel that can probe no kernel function: one sentence, exit 1. */
static void test_no_kernel_functions(void **state)
{
	struct attach_features feat = { .kprobe = false, .trampoline_probed = true };
	struct site_set set = {};
	char *texts[] = { "p::vfs_read" };
	char err[512];

	assert_int_equal(site_set__add_specs(&set, texts, 1, 0, 0, &feat, err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_string_equal(err, "cannot probe kernel function 'vfs_read': this kernel has "
			    "neither kprobes nor BPF trampolines");
	assert_int_equal(site_error_exit_code(-EOPNOTSUPP), 1);
	assert_int_equal(set.count, 0);
	site_set__fini(&set);
}

static void test_exit_codes(void **state)
{
	/* The machine or the kernel failed: 1. */
	assert_int_equal(site_error_exit_code(-EOPNOTSUPP), 1);
	assert_int_equal(site_error_exit_code(-ENOMEM), 1);
	assert_int_equal(site_error_exit_code(-EPERM), 1);
	assert_int_equal(site_error_exit_code(-EACCES), 1);
	/* The user's input was wrong: 2. */
	assert_int_equal(site_error_exit_code(-ENOENT), 2);
	assert_int_equal(site_error_exit_code(-EINVAL), 2);
	assert_int_equal(site_error_exit_code(-ENOEXEC), 2);
	assert_int_equal(site_error_exit_code(-ESRCH), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uprobes),
		cmocka_unit_test(test_func_offset),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_usdt),
		cmocka_unit_test(test_cxx),
		cmocka_unit_test(test_returns_and_files),
		cmocka_unit_test(test_pid_library),
		cmocka_unit_test(test_tracepoints),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_no_kernel_functions),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
