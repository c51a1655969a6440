// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/ctype.c and its sources: the C builtins, the DWARF
 * of tests/targets/typed (common/dwarf.c; run from the top of the tree
 * after `make targets`) and a BTF built here (common/kbtf.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>

#include "common/ctype.h"
#include "common/dwarf.h"
#include "common/kbtf.h"

#define TYPED "build/tests/targets/typed"

static char err[512];

static void parse_ok(const char *s, const struct ctype_src *const *srcs, size_t n,
		     struct ctype *out)
{
	if (ctype__parse(s, srcs, n, out, err, sizeof(err)))
		fail_msg("'%s': %s", s, err);
}

static void test_builtins(void **state)
{
	struct ctype t, p, q;

	parse_ok("unsigned long", NULL, 0, &t);
	assert_int_equal(t.kind, CTYPE_INT);
	assert_int_equal(t.size, 8);
	assert_false(t.is_signed);
	parse_ok("long unsigned int", NULL, 0, &p);
	assert_string_equal(p.name, "unsigned long");
	parse_ok("const signed  char", NULL, 0, &t);
	assert_true(t.is_char && t.is_signed && t.size == 1);
	parse_ok("short", NULL, 0, &t);
	assert_int_equal(t.size, 2);
	parse_ok("unsigned", NULL, 0, &t);
	assert_string_equal(t.name, "unsigned int");
	parse_ok("u16", NULL, 0, &t);
	assert_true(t.size == 2 && !t.is_signed);
	parse_ok("size_t", NULL, 0, &t);
	assert_true(t.size == 8 && !t.is_signed);

	parse_ok("const char *", NULL, 0, &p);
	assert_int_equal(p.kind, CTYPE_PTR);
	assert_string_equal(p.name, "char *");
	assert_true(ctype__is_string(&p));
	assert_int_equal(ctype__target(&p, &t), 0);
	assert_true(t.kind == CTYPE_INT && t.is_char);
	parse_ok("char**", NULL, 0, &p);
	assert_false(ctype__is_string(&p));
	assert_int_equal(ctype__target(&p, &q), 0);
	assert_int_equal(q.kind, CTYPE_PTR);
	assert_true(ctype__is_string(&q));
	assert_string_equal(q.name, "char *");
	assert_int_equal(ctype__target_size(&p), 8);
	parse_ok("void *", NULL, 0, &p);
	assert_int_equal(ctype__target(&p, &t), 0);
	assert_int_equal(t.kind, CTYPE_VOID);
	assert_int_equal(ctype__target_size(&p), 0);
	assert_int_equal(ctype__pointer_to(&t, &q), 0);
	assert_int_equal(q.kind, CTYPE_PTR);

	ctype__int(4, true, &t);
	assert_string_equal(t.name, "int");
	assert_true(ctype__is_scalar(&t));
}

static void test_bad_spellings(void **state)
{
	static const char *const bad[] = { "", "*", "int int", "short long", "struct", "struct a b",
					   "long char", "a b", "int *x", "char[4]", "3", "int (*)" };
	struct ctype t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (ctype__parse(bad[i], NULL, 0, &t, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
		assert_true(err[0] != 0);
	}
	assert_int_equal(ctype__parse("struct timespec *", NULL, 0, &t, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "'struct timespec'"));
	assert_int_equal(ctype__parse("gfp_t", NULL, 0, &t, err, sizeof(err)), -ENOENT);
}

static void test_looks_like_type(void **state)
{
	assert_true(ctype__looks_like_type("int"));
	assert_true(ctype__looks_like_type("unsigned"));
	assert_true(ctype__looks_like_type("struct x *"));
	assert_true(ctype__looks_like_type("char*"));
	assert_true(ctype__looks_like_type("gfp_t *"));
	assert_true(ctype__looks_like_type("u32"));
	assert_false(ctype__looks_like_type("gfp_t"));	/* a name: the sources say */
	assert_false(ctype__looks_like_type("size + 1"));
	assert_false(ctype__looks_like_type("x y"));
	assert_false(ctype__looks_like_type("arg1"));
}

#include "tests/targets/typed.h"

static void member_ok(const struct ctype *rec, const char *name, struct ctype_member *m)
{
	if (ctype__member(rec, name, m))
		fail_msg("no member '%s' in '%s'", name, rec->name);
}

static void test_dwarf(void **state)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	const struct ctype_src *src = dwarf_cache__types(dc, TYPED);
	struct ctype rec, p, t;
	struct ctype_member m;

	if (!src)
		fail_msg("no DWARF in %s: run make targets", TYPED);
	assert_non_null(strstr(src->what, "typed"));
	parse_ok("struct rec *", &src, 1, &p);
	assert_int_equal(p.kind, CTYPE_PTR);
	assert_int_equal(ctype__target(&p, &rec), 0);
	assert_int_equal(rec.kind, CTYPE_STRUCT);
	assert_int_equal(rec.size, sizeof(struct rec));
	assert_string_equal(rec.name, "struct rec");

	member_ok(&rec, "id", &m);
	assert_int_equal(m.off, offsetof(struct rec, id));
	assert_true(m.type.kind == CTYPE_INT && m.type.size == 8 && m.type.is_signed);
	member_ok(&rec, "name", &m);
	assert_true(ctype__is_string(&m.type));
	member_ok(&rec, "tag", &m);
	assert_int_equal(m.off, offsetof(struct rec, tag));
	assert_int_equal(m.type.kind, CTYPE_ARRAY);
	assert_int_equal(m.type.nelems, 8);
	assert_true(ctype__is_string(&m.type));
	member_ok(&rec, "pos", &m);
	assert_int_equal(m.off, offsetof(struct rec, pos));
	assert_int_equal(m.type.kind, CTYPE_STRUCT);
	member_ok(&m.type, "y", &m);
	assert_int_equal(m.off, offsetof(struct point, y));
	member_ok(&rec, "next", &m);
	assert_int_equal(ctype__target(&m.type, &t), 0);
	assert_int_equal(t.id, rec.id);		/* the same record */
	member_ok(&rec, "flags", &m);
	assert_int_equal(m.bit_size, 3);
	assert_false(m.type.is_signed);
	member_ok(&rec, "delta", &m);
	assert_int_equal(m.bit_size, 5);
	assert_int_equal(m.off * 8 + m.bit_off, m.off * 8 + 3);	/* after flags' 3 bits */
	assert_true(m.type.is_signed);
	member_ok(&rec, "arr", &m);
	assert_int_equal(m.off, offsetof(struct rec, arr));
	assert_int_equal(m.type.size, 8);
	assert_int_equal(ctype__target_size(&m.type), 2);
	member_ok(&rec, "color", &m);
	assert_int_equal(m.type.kind, CTYPE_ENUM);
	assert_true(m.type.is_signed);		/* BLUE is -3 */
	member_ok(&rec, "cb", &m);
	assert_int_equal(ctype__target(&m.type, &t), 0);
	assert_int_equal(t.kind, CTYPE_FUNC);
	member_ok(&rec, "bytes", &m);		/* in an anonymous union */
	assert_int_equal(m.off, offsetof(struct rec, bytes));
	assert_int_equal(ctype__member(&rec, "nope", &m), -ENOENT);
	assert_int_equal(ctype__member(&p, "id", &m), -EINVAL);	/* not a record */

	parse_ok("enum color", &src, 1, &t);
	assert_int_equal(t.kind, CTYPE_ENUM);
	assert_int_equal(ctype__parse("struct nosuch", &src, 1, &t, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "not in the debug information of"));
	dwarf_cache__free(dc);
}

/* A BTF with struct s { int a; struct s *next; char name[4]; unsigned f:3;
 * union { long u; }; } (next through a forward declaration) and typedef
 * int myint. */
static struct btf *make_btf(void)
{
	struct btf *btf = btf__new_empty();
	int i_int, i_uint, i_char, i_long, i_fwd, i_ptr, i_arr, i_union, i_s;

	assert_non_null(btf);
	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i_uint = btf__add_int(btf, "unsigned int", 4, 0);
	i_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED | BTF_INT_CHAR);
	i_long = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	i_fwd = btf__add_fwd(btf, "s", BTF_FWD_STRUCT);
	i_ptr = btf__add_ptr(btf, i_fwd);
	i_arr = btf__add_array(btf, i_int, i_char, 4);
	/* Fields go to the struct or union added last. */
	i_union = btf__add_union(btf, NULL, 8);
	assert_int_equal(btf__add_field(btf, "u", i_long, 0, 0), 0);
	i_s = btf__add_struct(btf, "s", 32);
	assert_int_equal(btf__add_field(btf, "a", i_int, 0, 0), 0);
	assert_int_equal(btf__add_field(btf, "next", i_ptr, 64, 0), 0);
	assert_int_equal(btf__add_field(btf, "name", i_arr, 128, 0), 0);
	assert_int_equal(btf__add_field(btf, "f", i_uint, 160, 3), 0);
	assert_int_equal(btf__add_field(btf, NULL, i_union, 192, 0), 0);
	assert_true(btf__add_typedef(btf, "myint", i_int) > 0);
	assert_true(i_s > 0);
	return btf;
}

static void test_btf(void **state)
{
	struct btf *btf = make_btf();
	struct ctype_src src;
	const struct ctype_src *srcs[1] = { &src };
	struct ctype s, t;
	struct ctype_member m;

	kbtf__types_init(&src, btf, "a test BTF");
	parse_ok("myint", srcs, 1, &t);
	assert_true(t.kind == CTYPE_INT && t.size == 4 && t.is_signed);
	assert_string_equal(t.name, "myint");
	parse_ok("struct s", srcs, 1, &s);
	assert_int_equal(s.kind, CTYPE_STRUCT);
	member_ok(&s, "a", &m);
	assert_int_equal(m.off, 0);
	member_ok(&s, "name", &m);
	assert_int_equal(m.off, 16);
	assert_true(ctype__is_string(&m.type));
	member_ok(&s, "f", &m);
	assert_int_equal(m.off, 20);
	assert_int_equal(m.bit_size, 3);
	member_ok(&s, "u", &m);		/* through the anonymous union */
	assert_int_equal(m.off, 24);
	assert_int_equal(m.type.size, 8);
	member_ok(&s, "next", &m);
	assert_int_equal(m.type.kind, CTYPE_PTR);
	assert_int_equal(ctype__target(&m.type, &t), 0);
	/* The forward declaration leads to the definition. */
	assert_int_equal(t.kind, CTYPE_STRUCT);
	assert_int_equal(t.id, s.id);
	assert_int_equal(ctype__parse("struct nosuch", srcs, 1, &t, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "a test BTF"));
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_bad_spellings),
		cmocka_unit_test(test_looks_like_type),
		cmocka_unit_test(test_dwarf),
		cmocka_unit_test(test_btf),
	};

	return cmocka_run_group_tests_name("ctype", tests, NULL, NULL);
}
