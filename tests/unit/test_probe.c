// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for common/probe.c: spec parsing, globs, regex, C++ matching. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "common/demangle.h"
#include "common/probe.h"

#define F_BARE PROBE_F_BARE_KERNEL
#define F_RE PROBE_F_REGEX

struct spec_case {
	const char *text;
	unsigned flags;
	enum probe_kind kind;
	const char *target;
	const char *provider;
	const char *pattern;
	bool is_offset;
	uint64_t offset;
	bool cpp;
};

static const struct spec_case good[] = {
	/* bcc */
	{ "c:malloc", 0, PROBE_UPROBE, "c", NULL, "malloc" },
	{ "/usr/lib/libc.so.6:mall*", 0, PROBE_UPROBE, "/usr/lib/libc.so.6", NULL, "mall*" },
	{ "p:c:malloc", 0, PROBE_UPROBE, "c", NULL, "malloc" },
	{ "r:c:malloc", 0, PROBE_URETPROBE, "c", NULL, "malloc" },
	{ "p::do_sys_open", 0, PROBE_KPROBE, NULL, NULL, "do_sys_open" },
	{ "r::vfs_*", 0, PROBE_KRETPROBE, NULL, NULL, "vfs_*" },
	{ "u:./usdt:probe1", 0, PROBE_USDT, "./usdt", NULL, "probe1" },
	{ "u:/bin/x:prov:pr*", 0, PROBE_USDT, "/bin/x", "prov", "pr*" },
	{ "t:sched:sched_switch", 0, PROBE_TRACEPOINT, NULL, "sched", "sched_switch" },
	{ "t:sched:*", 0, PROBE_TRACEPOINT, NULL, "sched", "*" },
	{ "t:sys*:sys_enter_?pen", 0, PROBE_TRACEPOINT, NULL, "sys*", "sys_enter_?pen" },
	{ "vfs_read", F_BARE, PROBE_KPROBE, NULL, NULL, "vfs_read" },
	{ "vfs_*", F_BARE, PROBE_KPROBE, NULL, NULL, "vfs_*" },
	/* bpftrace */
	{ "uprobe:/bin/bash:readline", 0, PROBE_UPROBE, "/bin/bash", NULL, "readline" },
	{ "uretprobe:/bin/bash:readline", 0, PROBE_URETPROBE, "/bin/bash", NULL, "readline" },
	{ "ur:bash:readline", 0, PROBE_URETPROBE, "bash", NULL, "readline" },
	{ "uprobe:./cxx:cpp:\"shapes::*::area\"", 0, PROBE_UPROBE, "./cxx", NULL,
	  "shapes::*::area", false, 0, true },
	{ "uprobe:./cxx:cpp:shapes::Circle::area", 0, PROBE_UPROBE, "./cxx", NULL,
	  "shapes::Circle::area", false, 0, true },
	{ "uprobe:./cxx:cpp:\"shapes::scale(int)\"", 0, PROBE_UPROBE, "./cxx", NULL,
	  "shapes::scale(int)", false, 0, true },
	/* bpftrace's cpp: qualifier in the bcc forms too */
	{ "libstdc++.so.6:cpp:std::*", 0, PROBE_UPROBE, "libstdc++.so.6", NULL, "std::*",
	  false, 0, true },
	{ "c:cpp:mall*", 0, PROBE_UPROBE, "c", NULL, "mall*", false, 0, true },
	{ "p:./cxx:cpp:\"shapes::*\"", 0, PROBE_UPROBE, "./cxx", NULL, "shapes::*",
	  false, 0, true },
	{ "r:./cxx:cpp:shapes::Circle::area", 0, PROBE_URETPROBE, "./cxx", NULL,
	  "shapes::Circle::area", false, 0, true },
	{ "/path/bin:ns::f*", 0, PROBE_UPROBE, "/path/bin", NULL, "ns::f*" },
	{ "uprobe:/path/bin:ns::A::f", 0, PROBE_UPROBE, "/path/bin", NULL, "ns::A::f" },
	{ "usdt:/bin/x:probe1", 0, PROBE_USDT, "/bin/x", NULL, "probe1" },
	{ "usdt:/bin/x:prov:probe1", 0, PROBE_USDT, "/bin/x", "prov", "probe1" },
	{ "U:/bin/x:prov:*", 0, PROBE_USDT, "/bin/x", "prov", "*" },
	{ "tracepoint:syscalls:sys_enter_*", 0, PROBE_TRACEPOINT, NULL, "syscalls",
	  "sys_enter_*" },
	{ "kprobe:vfs_read", 0, PROBE_KPROBE, NULL, NULL, "vfs_read" },
	{ "kretprobe:vfs_read", 0, PROBE_KRETPROBE, NULL, NULL, "vfs_read" },
	{ "k:vfs_*", 0, PROBE_KPROBE, NULL, NULL, "vfs_*" },
	{ "kr:vfs_*", 0, PROBE_KRETPROBE, NULL, NULL, "vfs_*" },
	/* quoted target with a ':' inside */
	{ "uprobe:\"/tmp/a:b/bin\":main", 0, PROBE_UPROBE, "/tmp/a:b/bin", NULL, "main" },
	/* raw offsets */
	{ "/lib/libc.so.6:0x2794c0", 0, PROBE_UPROBE, "/lib/libc.so.6", NULL, "0x2794c0",
	  true, 0x2794c0 },
	{ "uprobe:/bin/x:0XABCdef", 0, PROBE_UPROBE, "/bin/x", NULL, "0XABCdef", true, 0xabcdef },
	{ "r:/bin/x:1234", 0, PROBE_URETPROBE, "/bin/x", NULL, "1234", true, 1234 },
	{ "/bin/x:0xffffffffffffffff", 0, PROBE_UPROBE, "/bin/x", NULL, "0xffffffffffffffff",
	  true, UINT64_MAX },
	{ "/bin/x:0x0000000000000000001", 0, PROBE_UPROBE, "/bin/x", NULL,
	  "0x0000000000000000001", true, 1 },
	{ "/bin/x:0x", 0, PROBE_UPROBE, "/bin/x", NULL, "0x" },
	{ "/bin/x:0x12g", 0, PROBE_UPROBE, "/bin/x", NULL, "0x12g" },
	/* regex */
	{ "c:^mall(oc)?$", F_RE, PROBE_UPROBE, "c", NULL, "^mall(oc)?$" },
	/* bcc trace's empty probe type is p */
	{ ":c:malloc", 0, PROBE_UPROBE, "c", NULL, "malloc" },
	{ "::vfs_read", 0, PROBE_KPROBE, NULL, NULL, "vfs_read" },
};

static void streq_or_null(const char *want, const char *got, const char *text)
{
	if (!want) {
		if (got)
			fail_msg("%s: expected NULL, got '%s'", text, got);
		return;
	}
	if (!got)
		fail_msg("%s: expected '%s', got NULL", text, want);
	if (strcmp(want, got))
		fail_msg("%s: expected '%s', got '%s'", text, want, got);
}

static void test_parse_good(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct spec_case *c = &good[i];
		struct probe_spec s;
		char err[256];
		int ret;

		ret = probe_spec__parse(c->text, c->flags, &s, err, sizeof(err));
		if (ret)
			fail_msg("%s: parse failed %d: %s", c->text, ret, err);
		if (s.kind != c->kind)
			fail_msg("%s: kind %d, expected %d", c->text, s.kind, c->kind);
		streq_or_null(c->target, s.target, c->text);
		streq_or_null(c->provider, s.provider, c->text);
		streq_or_null(c->pattern, s.pattern, c->text);
		if (s.is_offset != c->is_offset || (c->is_offset && s.offset != c->offset))
			fail_msg("%s: offset %d/%#llx", c->text, s.is_offset,
				 (unsigned long long)s.offset);
		if (s.cpp != c->cpp)
			fail_msg("%s: cpp %d", c->text, s.cpp);
		assert_int_equal(s.regex, !!(c->flags & F_RE));
		assert_ptr_equal(s.text, c->text);
		probe_spec__fini(&s);
		assert_null(s.pattern);
	}
}

struct bad_case {
	const char *text;
	unsigned flags;
	const char *msg;	/* a substring of the error sentence */
};

static const struct bad_case bad[] = {
	{ "", 0, "empty" },
	{ "malloc", 0, "names no library" },
	{ "x:lib:f", 0, "unknown probe type 'x'" },
	{ "t:sched", 0, "'t:sched' is not a valid tracepoint spec: expected t:CATEGORY:EVENT" },
	{ "t:a:b:c", 0, "tracepoint spec" },
	{ "t::sched_switch", 0, "empty tracepoint category" },
	{ "t:sched:", 0, "empty event" },
	{ "tracepoint:sched", 0, "tracepoint spec" },
	{ "p:c:", 0, "empty function" },
	{ "p::", 0, "empty function" },
	{ "p:c", 0, "p:LIB:FUNC" },
	{ "p::a:b", 0, "too many fields" },
	{ "r:c:a:b", 0, "too many fields" },
	/* A lone ':' in a C++ name: the message names the forms that work. */
	{ "libstdc++.so.6:std:foo", 0, "too many fields: expected LIB:FUNC, or for C++ names "
	  "libstdc++.so.6:cpp:\"NS::*\" (bpftrace's uprobe:libstdc++.so.6:cpp:\"NS::*\")" },
	{ "r:c:std:f", 0, "or for C++ names r:c:cpp:\"NS::*\" (bpftrace's uretprobe:c:cpp:" },
	{ "uprobe:c:std:f", 0, "or for C++ names uprobe:c:cpp:\"NS::*\"" },
	{ ":malloc", 0, "names no library" },
	{ "c:", 0, "empty function" },
	{ "uprobe:/bin/bash", 0, "uprobe:PATH:FUNC" },
	{ "uprobe::readline", 0, "names no library" },
	{ "uprobe:/bin/bash:", 0, "empty function" },
	{ "uprobe:/bin/bash:cpp:", 0, "empty function" },
	{ "uprobe:/bin/bash:cpp:\"A::B*", 0, "unbalanced" },
	{ "\"c:malloc", 0, "unbalanced" },
	{ "u:lib", 0, "USDT spec" },
	{ "u:lib:a:b:c", 0, "USDT spec" },
	{ "u::probe", 0, "names no library" },
	{ "u:lib:prov:", 0, "empty probe" },
	{ "u:lib::name", 0, "empty USDT provider" },
	{ "usdt:/bin/x", 0, "usdt:PATH" },
	{ "kprobe:", 0, "empty function" },
	{ "kprobe:a:b", 0, "too many fields" },
	{ "/bin/x:0x10000000000000000", 0, "64 bits" },
	{ "/bin/x:99999999999999999999", 0, "64 bits" },
	{ "c:mal(loc", F_RE, "regular expression" },
	{ "c:a+++++++++++++++++++++++++++++++++++", F_RE, "too complex" },
	{ "c:mal\nloc", 0, "control character" },
};

static void test_parse_bad(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *c = &bad[i];
		struct probe_spec s;
		char err[256];
		int ret;

		memset(err, 'x', sizeof(err));
		ret = probe_spec__parse(c->text, c->flags, &s, err, sizeof(err));
		if (ret != -EINVAL)
			fail_msg("'%s': expected -EINVAL, got %d", c->text, ret);
		if (!memchr(err, '\0', sizeof(err)) || !strstr(err, c->msg))
			fail_msg("'%s': error '%.*s' lacks '%s'", c->text, (int)sizeof(err), err,
				 c->msg);
		assert_null(s.target);
		assert_null(s.provider);
		assert_null(s.pattern);
		probe_spec__fini(&s);
	}
}

static void test_parse_null(void **state)
{
	struct probe_spec s;
	char err[8];

	assert_int_equal(probe_spec__parse(NULL, 0, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(probe_spec__parse("c:f", 0, NULL, err, sizeof(err)), -EINVAL);
	/* A tiny error buffer is truncated, not overrun. */
	assert_int_equal(probe_spec__parse("t:x", 0, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(probe_spec__parse("t:x", 0, &s, NULL, 0), -EINVAL);
	probe_spec__fini(NULL);
}

static void test_is_wild(void **state)
{
	assert_true(probe_pattern__is_wild("a*"));
	assert_true(probe_pattern__is_wild("a?c"));
	assert_false(probe_pattern__is_wild("malloc"));
	assert_false(probe_pattern__is_wild(""));
	assert_false(probe_pattern__is_wild(NULL));
}

static void test_glob(void **state)
{
	assert_true(glob_match("malloc", "malloc"));
	assert_false(glob_match("malloc", "malloc2"));
	assert_false(glob_match("malloc", "xmalloc"));
	assert_true(glob_match("*", ""));
	assert_true(glob_match("*", "anything"));
	assert_true(glob_match("", ""));
	assert_false(glob_match("", "a"));
	assert_false(glob_match("?", ""));
	assert_true(glob_match("?", "a"));
	assert_true(glob_match("mall*", "malloc"));
	assert_true(glob_match("*alloc", "malloc"));
	assert_true(glob_match("*all*", "malloc"));
	assert_true(glob_match("m?ll?c", "malloc"));
	assert_false(glob_match("m?ll?c", "mallooc"));
	assert_true(glob_match("a*b*c", "aXXbYYc"));
	assert_true(glob_match("a*b*c", "abbbc"));
	assert_false(glob_match("a*b*c", "abbbcd"));
	assert_true(glob_match("a**b", "ab"));
	assert_true(glob_match("*a", "aaaa"));
	assert_true(glob_match("*ab", "aab"));
	assert_false(glob_match("*ab", "aba"));
	assert_true(glob_match("shapes::*::area", "shapes::Circle::area"));
	assert_false(glob_match(NULL, "a"));
	assert_false(glob_match("a", NULL));
}

static void test_glob_no_blowup(void **state)
{
	char s[4097];
	clock_t t0;
	int i;

	for (i = 0; i < 4096; i++)
		s[i] = 'a';
	s[4096] = '\0';
	t0 = clock();
	for (i = 0; i < 10; i++)
		assert_false(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
	/* Exponential backtracking would take forever; this is well under 1 s. */
	assert_true(clock() - t0 < 2 * CLOCKS_PER_SEC);
}

static void test_regex(void **state)
{
	struct name_matcher *m;

	m = name_matcher__new("^mall(oc)?$", true, false);
	assert_non_null(m);
	assert_true(name_matcher__match_plain(m, "malloc"));
	assert_true(name_matcher__match_plain(m, "mall"));
	assert_false(name_matcher__match_plain(m, "xmalloc"));
	name_matcher__free(m);

	/* Anchored at the start only, as bcc's -r (Python's re.match()). */
	m = name_matcher__new("alloc", true, false);
	assert_non_null(m);
	assert_true(name_matcher__match(m, "alloc_impl", NULL));
	assert_false(name_matcher__match(m, "malloc", NULL));
	assert_false(name_matcher__match(m, "calloc_impl", NULL));
	assert_false(name_matcher__match(m, "free", NULL));
	name_matcher__free(m);
	m = name_matcher__new("(write|read)$", true, false);
	assert_non_null(m);
	assert_true(name_matcher__match_plain(m, "write"));
	assert_true(name_matcher__match_plain(m, "read"));
	assert_false(name_matcher__match_plain(m, "pwrite"));
	assert_false(name_matcher__match_plain(m, "__read"));
	assert_false(name_matcher__match_plain(m, "readv"));
	name_matcher__free(m);
	/* An alternative that matches later does not hide one at the start. */
	m = name_matcher__new("x|mal", true, false);
	assert_non_null(m);
	assert_true(name_matcher__match_plain(m, "malloc_x"));
	assert_false(name_matcher__match_plain(m, "amalloc"));
	name_matcher__free(m);

	/* Patterns that glibc's regcomp() would expand exponentially are refused. */
	errno = 0;
	assert_null(name_matcher__new("a++++++++++++++++++++++++++++++", true, false));
	assert_int_equal(errno, EINVAL);
	/* Stacked '?' between '+' (found by tests/fuzz/fuzz_probe: 9 s in regcomp). */
	assert_null(name_matcher__new("a???????????????+???????????????+???????????????+"
				      "???????????????+", true, false));
	assert_null(name_matcher__new("a?????????????????????????", true, false));
	/* Quantifiers on separate atoms add up, they do not multiply. */
	m = name_matcher__new("^a?b?c?d*e*f?g?h?i?j?k?l?m?n?o?p?q?r?s?t?u?v?w?x?y?z?$", true, false);
	assert_non_null(m);
	name_matcher__free(m);
	assert_null(name_matcher__new("((((((((((((((((((((((((a)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+",
				      true, false));
	assert_null(name_matcher__new("((a{100}){100}){100}", true, false));
	assert_null(name_matcher__new("x{99999999999999999999}", true, false));
	m = name_matcher__new("^(do_|sys_)+[a-z]{2,8}(at)?$|\\+|[]+{]+|x{1000}", true, false);
	assert_non_null(m);
	assert_true(name_matcher__match_plain(m, "sys_openat"));
	assert_true(name_matcher__match_plain(m, "+{"));
	assert_false(name_matcher__match_plain(m, "sys_open2"));
	name_matcher__free(m);

	errno = 0;
	assert_null(name_matcher__new("a(b", true, false));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(name_matcher__new(NULL, false, false));
	assert_int_equal(errno, EINVAL);
	name_matcher__free(NULL);
}

static const char *const shapes_syms[] = {
	"_ZNK6shapes6Circle4areaEv",	/* shapes::Circle::area() const */
	"_ZNK6shapes6Square4areaEv",	/* shapes::Square::area() const */
	"_ZN6shapes5scaleEi",		/* shapes::scale(int) */
	"_ZN6shapes5scaleEd",		/* shapes::scale(double) */
	"_ZN6shapes6CircleD2Ev",	/* shapes::Circle::~Circle() */
	"main",
};

/* Bit i set when shapes_syms[i] matches @pattern. */
static unsigned match_mask(const char *pattern, bool regex, bool cpp_only)
{
	struct name_matcher *m = name_matcher__new(pattern, regex, cpp_only);
	unsigned mask = 0;
	size_t i;

	assert_non_null(m);
	for (i = 0; i < sizeof(shapes_syms) / sizeof(shapes_syms[0]); i++) {
		bool a = name_matcher__match(m, shapes_syms[i], NULL);
		char *d = demangle__cxx(shapes_syms[i]);
		bool b = name_matcher__match(m, shapes_syms[i], d);

		/* A demangled string given by the caller gives the same answer. */
		assert_int_equal(a, b);
		free(d);
		if (a)
			mask |= 1u << i;
	}
	name_matcher__free(m);
	return mask;
}

static void test_cpp_match(void **state)
{
	assert_int_equal(match_mask("shapes::Circle::area", false, false), 0x01);
	assert_int_equal(match_mask("shapes::Circle::area", false, true), 0x01);
	assert_int_equal(match_mask("shapes::*::area", false, false), 0x03);
	assert_int_equal(match_mask("shapes::*::area", false, true), 0x03);
	assert_int_equal(match_mask("shapes::scale(int)", false, true), 0x04);
	assert_int_equal(match_mask("shapes::scale", false, true), 0x0c);
	assert_int_equal(match_mask("shapes::scale(*)", false, false), 0x0c);
	assert_int_equal(match_mask("shapes::Circle::area() const", false, false), 0x01);
	assert_int_equal(match_mask("shapes::*", false, false), 0x1f);
	assert_int_equal(match_mask("shapes::Circle::*", false, false), 0x11);
	assert_int_equal(match_mask("*area*", false, false), 0x03);
	/* Mangled names match unless cpp_only. */
	assert_int_equal(match_mask("_ZN6shapes5scale*", false, false), 0x0c);
	assert_int_equal(match_mask("_ZN6shapes5scale*", false, true), 0x00);
	/* C names match themselves either way. */
	assert_int_equal(match_mask("main", false, false), 0x20);
	assert_int_equal(match_mask("main", false, true), 0x20);
	/* Regex over demangled forms, from their start as bcc's -r. */
	assert_int_equal(match_mask("^shapes::scale$", true, true), 0x0c);
	assert_int_equal(match_mask("shapes::scale", true, true), 0x0c);
	assert_int_equal(match_mask(".*area\\(\\) const$", true, true), 0x03);
	assert_int_equal(match_mask("area\\(\\) const$", true, true), 0x00);
	assert_int_equal(match_mask(".*~", true, false), 0x10);
	assert_int_equal(match_mask("~", true, false), 0x00);
}

static bool match1(const char *pattern, const char *sym)
{
	struct name_matcher *m = name_matcher__new(pattern, false, true);
	bool ok;

	assert_non_null(m);
	ok = name_matcher__match(m, sym, NULL);
	name_matcher__free(m);
	return ok;
}

static void test_cpp_strip(void **state)
{
	/* ns::A::operator()(int) const */
	assert_true(match1("ns::A::operator()", "_ZNK2ns1AclEi"));
	assert_true(match1("ns::A::operator()(int) const", "_ZNK2ns1AclEi"));
	/* void f<int>(int): return type printed for templates */
	assert_true(match1("f<int>", "_Z1fIiEvT_"));
	assert_true(match1("f<int>(int)", "_Z1fIiEvT_"));
	assert_true(match1("void f<int>(int)", "_Z1fIiEvT_"));
	assert_true(match1("f<*>", "_Z1fIiEvT_"));
	/* ns::B::g() && and volatile qualifiers */
	assert_true(match1("ns::B::g", "_ZNO2ns1B1gEv"));
	assert_true(match1("ns::B::g", "_ZNVR2ns1B1gEv"));
	/* a function-pointer parameter keeps its parentheses balanced */
	assert_true(match1("h", "_Z1hPFviE"));
	assert_false(match1("h(", "_Z1hPFviE"));
	/* operator< and operator new */
	assert_true(match1("ns::A::operator<", "_ZN2ns1AltERKS0_"));
	assert_true(match1("ns::A::operator new", "_ZN2ns1AnwEm"));
	/* vtables and thunks are not their class or function */
	assert_false(match1("shapes::Circle", "_ZTVN6shapes6CircleE"));
	assert_false(match1("shapes::Circle::area", "_ZThn8_NK6shapes6Circle4areaEv"));
}

static void test_matcher_plain(void **state)
{
	struct name_matcher *m = name_matcher__new("sys_enter_*", false, false);

	assert_non_null(m);
	assert_true(name_matcher__match_plain(m, "sys_enter_openat"));
	assert_false(name_matcher__match_plain(m, "sys_exit_openat"));
	assert_false(name_matcher__match_plain(m, NULL));
	assert_false(name_matcher__match(m, NULL, NULL));
	assert_false(name_matcher__match_plain(NULL, "x"));
	name_matcher__free(m);
}

/* The constructor gives what the parser gives for the same probe. */
static void test_init_func(void **state)
{
	struct probe_spec a, b;
	char err[256];

	assert_int_equal(probe_spec__init_func(&a, PROBE_URETPROBE, "c", "mall*", "x", 0), 0);
	assert_int_equal(probe_spec__parse("r:c:mall*", 0, &b, err, sizeof(err)), 0);
	assert_int_equal(a.kind, b.kind);
	assert_string_equal(a.target, b.target);
	assert_string_equal(a.pattern, b.pattern);
	assert_false(a.is_offset || a.regex || a.cpp);
	assert_string_equal(a.text, "x");
	probe_spec__fini(&a);
	probe_spec__fini(&b);
	assert_int_equal(probe_spec__init_func(&a, PROBE_KPROBE, NULL, "vfs_read", "k", 0), 0);
	assert_null(a.target);
	probe_spec__fini(&a);
	assert_int_equal(probe_spec__init_func(&a, PROBE_UPROBE, "c", "0x1139", "o",
					       PROBE_F_UNSAFE), 0);
	assert_true(a.is_offset && a.unsafe);
	assert_int_equal(a.offset, 0x1139);
	probe_spec__fini(&a);
	assert_int_equal(probe_spec__init_func(&a, PROBE_KPROBE, "c", "f", "k", 0), -EINVAL);
	assert_int_equal(probe_spec__init_func(&a, PROBE_UPROBE, NULL, "f", "k", 0), -EINVAL);
	assert_int_equal(probe_spec__init_func(&a, PROBE_USDT, "c", "f", "k", 0), -EINVAL);
}

/* bcc's FUNC+OFFSET: the pattern loses the offset; operators, regexes,
 * raw offsets and non-numbers keep their '+'. */
static void test_func_offset(void **state)
{
	static const struct {
		const char *text;
		unsigned flags;
		const char *pattern;
		bool has;
		uint64_t off;
	} cases[] = {
		{ "p:/tmp/a.out:main+0xd", 0, "main", true, 0xd },
		{ "c:free+0x12", 0, "free", true, 0x12 },
		{ "c:free+18", 0, "free", true, 18 },
		{ "r:c:free+0", 0, "free", true, 0 },
		{ "uprobe:./cxx:cpp:\"ns::A::f\"+0x4", 0, "ns::A::f", true, 4 },
		{ "kfree_skb+0x12", F_BARE, "kfree_skb", true, 0x12 },
		{ "p::kfree_skb+0x12", 0, "kfree_skb", true, 0x12 },
		{ "./cxx:cpp:\"ns::operator+\"", 0, "ns::operator+", false, 0 },
		{ "./cxx:cpp:\"ns::operator++\"", 0, "ns::operator++", false, 0 },
		{ "c:x+y", 0, "x+y", false, 0 },
		{ "c:+0x12", 0, "+0x12", false, 0 },
		{ "c:f+0x", 0, "f+0x", false, 0 },
		{ "c:a+1", F_RE, "a+1", false, 0 },
		{ "u:./usdt:prov:p+1", 0, "p+1", false, 0 },
	};
	struct probe_spec s;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (probe_spec__parse(cases[i].text, cases[i].flags, &s, err, sizeof(err)))
			fail_msg("%s: %s", cases[i].text, err);
		streq_or_null(cases[i].pattern, s.pattern, cases[i].text);
		if (s.has_func_off != cases[i].has || s.func_off != cases[i].off || s.is_offset)
			fail_msg("%s: func_off %d/%#llx", cases[i].text, s.has_func_off,
				 (unsigned long long)s.func_off);
		probe_spec__fini(&s);
	}
	assert_int_equal(probe_spec__parse("c:f+0x10000000000000000", 0, &s, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "does not fit in 64 bits"));
	/* The constructor splits it too (argdist's FUNC). */
	assert_int_equal(probe_spec__init_func(&s, PROBE_UPROBE, "c", "main+0xd", "t", 0), 0);
	assert_string_equal(s.pattern, "main");
	assert_true(s.has_func_off && s.func_off == 0xd);
	probe_spec__fini(&s);
	assert_int_equal(probe_spec__init_func(&s, PROBE_UPROBE, "c", "m+99999999999999999999",
					       "t", 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_init_func),
		cmocka_unit_test(test_func_offset),
		cmocka_unit_test(test_is_wild),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_no_blowup),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_cpp_match),
		cmocka_unit_test(test_cpp_strip),
		cmocka_unit_test(test_matcher_plain),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
