// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/kbtf.c: kernel function parameters from a BTF
 * built here with libbpf's btf__add_*() (no kernel needed).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>

#include "common/fetch.h"
#include "common/kbtf.h"

/* pt_regs word indexes of rdi, rsi, rdx, rcx, r8, r9. */
enum { DI = 14, SI = 13, DX = 12, CX = 11, R8 = 9, R9 = 8 };

struct ids {
	int s32, u32, s64, u64, u8, s16, chr, uchr, boolean, i128;
	int cchar, cchar_p, u8_p, uchar_p, size_t_, size_t_c, void_p, fn_p, fn_proto;
	int small, pair, big, un, en, en_s, en64, flt;
};

/* The base types and a few functions shaped like the kernel's. */
static struct btf *build(struct ids *t)
{
	struct btf *btf = btf__new_empty();
	int proto, sopen, sopen_p, char_p, s64_p, un_p;

	assert_non_null(btf);
	t->s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	t->u32 = btf__add_int(btf, "unsigned int", 4, 0);
	t->s64 = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	t->u64 = btf__add_int(btf, "long unsigned int", 8, 0);
	t->chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	t->uchr = btf__add_int(btf, "unsigned char", 1, 0);
	t->s16 = btf__add_int(btf, "short int", 2, BTF_INT_SIGNED);
	t->boolean = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	t->i128 = btf__add_int(btf, "__int128", 16, BTF_INT_SIGNED);
	t->u8 = btf__add_typedef(btf, "u8", t->uchr);
	t->cchar = btf__add_const(btf, t->chr);
	t->cchar_p = btf__add_ptr(btf, t->cchar);
	t->u8_p = btf__add_ptr(btf, t->u8);
	t->uchar_p = btf__add_ptr(btf, t->uchr);
	t->size_t_ = btf__add_typedef(btf, "size_t", t->u64);
	t->size_t_c = btf__add_const(btf, t->size_t_);
	t->void_p = btf__add_ptr(btf, 0);
	t->fn_proto = btf__add_func_proto(btf, t->s32);
	btf__add_func_param(btf, "x", t->void_p);
	t->fn_p = btf__add_ptr(btf, t->fn_proto);
	/* struct small { int a; }; struct pair { long a, b; };
	 * struct big { long a, b, c; }; union un { int i; long l; }; */
	t->small = btf__add_struct(btf, "small", 4);
	btf__add_field(btf, "a", t->s32, 0, 0);
	t->pair = btf__add_struct(btf, "pair", 16);
	btf__add_field(btf, "a", t->s64, 0, 0);
	btf__add_field(btf, "b", t->s64, 64, 0);
	t->big = btf__add_struct(btf, "big", 24);
	btf__add_field(btf, "a", t->s64, 0, 0);
	btf__add_field(btf, "b", t->s64, 64, 0);
	btf__add_field(btf, "c", t->s64, 128, 0);
	t->un = btf__add_union(btf, "un", 8);
	btf__add_field(btf, "i", t->s32, 0, 0);
	btf__add_field(btf, "l", t->s64, 0, 0);
	t->en = btf__add_enum(btf, "mode", 4);
	btf__add_enum_value(btf, "MODE_A", 0);
	t->en_s = btf__add_enum(btf, "smode", 4);
	btf__add_enum_value(btf, "SMODE_NEG", -1);
	t->en64 = btf__add_enum64(btf, "wide", 8, false);
	btf__add_enum64_value(btf, "WIDE_A", 1ULL << 40);
	t->flt = btf__add_float(btf, "double", 8);

	/* struct open_how; long do_sys_openat2(int dfd, const char *filename,
	 * struct open_how *how); */
	/* Types first: a prototype's parameters follow it directly. */
	sopen = btf__add_struct(btf, "open_how", 24);
	btf__add_field(btf, "flags", t->u64, 0, 0);
	sopen_p = btf__add_ptr(btf, sopen);
	char_p = btf__add_ptr(btf, t->chr);
	s64_p = btf__add_ptr(btf, t->s64);
	un_p = btf__add_ptr(btf, t->un);
	proto = btf__add_func_proto(btf, t->s64);
	btf__add_func_param(btf, "dfd", t->s32);
	btf__add_func_param(btf, "filename", t->cchar_p);
	btf__add_func_param(btf, "how", sopen_p);
	assert_true(btf__add_func(btf, "do_sys_openat2", BTF_FUNC_GLOBAL, proto) > 0);

	/* ssize_t-like return; vfs_read(void *file, char *buf, size_t count,
	 * long *pos): a non-const char pointer is a string too. */
	proto = btf__add_func_proto(btf, t->s64);
	btf__add_func_param(btf, "file", t->void_p);
	btf__add_func_param(btf, "buf", char_p);
	btf__add_func_param(btf, "count", t->size_t_);
	btf__add_func_param(btf, "pos", s64_p);
	assert_true(btf__add_func(btf, "vfs_read", BTF_FUNC_GLOBAL, proto) > 0);

	/* void many(int a, struct pair p, struct big b, int c, int d, int e,
	 *           int f, int g); a: rdi, p: rsi+rdx, b: memory, c: rcx,
	 * d: r8, e: r9, f and g: stack. */
	proto = btf__add_func_proto(btf, 0);
	btf__add_func_param(btf, "a", t->s32);
	btf__add_func_param(btf, "p", t->pair);
	btf__add_func_param(btf, "b", t->big);
	btf__add_func_param(btf, "c", t->s32);
	btf__add_func_param(btf, "d", t->s32);
	btf__add_func_param(btf, "e", t->s32);
	btf__add_func_param(btf, "f", t->s32);
	btf__add_func_param(btf, "g", t->s32);
	assert_true(btf__add_func(btf, "many", BTF_FUNC_STATIC, proto) > 0);

	/* int spill(long a, long b, long c, long d, long e, struct pair p, long f):
	 * p does not fit in r9 alone: it goes to the stack whole and f takes r9. */
	proto = btf__add_func_proto(btf, t->s32);
	btf__add_func_param(btf, "a", t->s64);
	btf__add_func_param(btf, "b", t->s64);
	btf__add_func_param(btf, "c", t->s64);
	btf__add_func_param(btf, "d", t->s64);
	btf__add_func_param(btf, "e", t->s64);
	btf__add_func_param(btf, "p", t->pair);
	btf__add_func_param(btf, "f", t->s64);
	assert_true(btf__add_func(btf, "spill", BTF_FUNC_STATIC, proto) > 0);

	/* int printk(const char *fmt, ...) */
	proto = btf__add_func_proto(btf, t->s32);
	btf__add_func_param(btf, "fmt", t->cchar_p);
	btf__add_func_param(btf, NULL, 0);
	assert_true(btf__add_func(btf, "_printk", BTF_FUNC_GLOBAL, proto) > 0);

	/* struct small by value in rdi, then a pointer in rsi; returns a
	 * struct. struct pair get(struct small s, struct un *u, union un v) */
	proto = btf__add_func_proto(btf, t->pair);
	btf__add_func_param(btf, "s", t->small);
	btf__add_func_param(btf, "u", un_p);
	btf__add_func_param(btf, "v", t->un);
	btf__add_func_param(btf, "cb", t->fn_p);
	assert_true(btf__add_func(btf, "get", BTF_FUNC_STATIC, proto) > 0);

	/* Not a function: a variable's name is not found as one. */
	assert_true(btf__add_var(btf, "jiffies", BTF_VAR_GLOBAL_ALLOCATED, t->u64) > 0);
	return btf;
}

static const char *ftype(const struct btf *btf, int id, int *nregs)
{
	const char *why;

	return kbtf__fetch_type(btf, id, nregs, &why);
}

static void test_fetch_types(void **state)
{
	struct ids t;
	struct btf *btf = build(&t);
	const char *why;
	int n;

	assert_string_equal(ftype(btf, t.s32, &n), "s32");
	assert_int_equal(n, 1);
	assert_string_equal(ftype(btf, t.u32, &n), "u32");
	assert_string_equal(ftype(btf, t.s64, &n), "s64");
	assert_string_equal(ftype(btf, t.u64, &n), "u64");
	assert_string_equal(ftype(btf, t.s16, &n), "s16");
	assert_string_equal(ftype(btf, t.u8, &n), "u8");		/* typedef resolved */
	assert_string_equal(ftype(btf, t.size_t_c, &n), "u64");	/* const typedef */
	assert_string_equal(ftype(btf, t.boolean, &n), "bool");
	assert_string_equal(ftype(btf, t.en, &n), "u32");
	assert_string_equal(ftype(btf, t.en64, &n), "u64");
	/* Pointers: char is a string, anything else an address. */
	assert_string_equal(ftype(btf, t.cchar_p, &n), "char *");
	assert_string_equal(ftype(btf, t.u8_p, &n), "x64");
	assert_string_equal(ftype(btf, t.uchar_p, &n), "x64");
	assert_string_equal(ftype(btf, t.void_p, &n), "x64");
	assert_string_equal(ftype(btf, t.fn_p, &n), "x64");
	/* Every type given back parses. */
	{
		struct fetch_type ft;
		int ids[] = { t.s32, t.u8, t.boolean, t.en, t.cchar_p, t.void_p };

		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			assert_int_equal(fetch_type__parse(ftype(btf, ids[i], &n), 0, &ft), 0);
		assert_int_equal(fetch_type__parse("char *", 0, &ft), 0);
		assert_int_equal(ft.vtype, FETCH_T_STRING);
	}
	/* Not readable, with the registers they take. */
	assert_null(kbtf__fetch_type(btf, t.small, &n, &why));
	assert_int_equal(n, 1);
	assert_non_null(strstr(why, "struct passed by value"));
	assert_null(kbtf__fetch_type(btf, t.pair, &n, &why));
	assert_int_equal(n, 2);
	assert_null(kbtf__fetch_type(btf, t.big, &n, &why));
	assert_int_equal(n, 0);
	assert_null(kbtf__fetch_type(btf, t.un, &n, &why));
	assert_non_null(strstr(why, "union"));
	assert_null(kbtf__fetch_type(btf, t.i128, &n, &why));
	assert_int_equal(n, 2);
	assert_null(kbtf__fetch_type(btf, t.flt, &n, &why));
	assert_int_equal(n, 0);
	assert_null(kbtf__fetch_type(btf, 0, &n, &why));
	assert_null(kbtf__fetch_type(btf, 99999, &n, &why));
	btf__free(btf);
}

static void test_signed_enum(void **state)
{
	struct btf *btf = btf__new_empty();
	int id, n;
	const char *why;

	/* A signed enum: kind flag set (BTF of Linux 6.0+). */
	id = btf__add_enum(btf, "smode", 4);
	btf__add_enum_value(btf, "NEG", -1);
	assert_true(id > 0);
	assert_string_equal(kbtf__fetch_type(btf, id, &n, &why), "s32");
	btf__free(btf);
}

static void test_openat2(void **state)
{
	struct ids t;
	struct btf *btf = build(&t);
	struct kbtf_func f;

	assert_int_equal(kbtf__func(btf, "do_sys_openat2", &f), 0);
	assert_string_equal(f.name, "do_sys_openat2");
	assert_int_equal(f.nparams, 3);
	assert_false(f.varargs);
	assert_string_equal(f.params[0].name, "dfd");
	assert_string_equal(f.params[0].fetch_type, "s32");
	assert_int_equal(f.params[0].reg, DI);
	assert_string_equal(f.params[0].decl, "int dfd");
	assert_string_equal(f.params[1].name, "filename");
	assert_string_equal(f.params[1].fetch_type, "char *");
	assert_int_equal(f.params[1].reg, SI);
	assert_string_equal(f.params[1].decl, "const char *filename");
	assert_string_equal(f.params[2].fetch_type, "x64");
	assert_int_equal(f.params[2].reg, DX);
	assert_string_equal(f.params[2].decl, "struct open_how *how");
	assert_string_equal(f.ret_decl, "long retval");
	assert_string_equal(f.ret_fetch_type, "s64");

	assert_int_equal(kbtf__func(btf, "vfs_read", &f), 0);
	assert_int_equal(f.nparams, 4);
	assert_string_equal(f.params[1].fetch_type, "char *");
	assert_string_equal(f.params[2].name, "count");
	assert_string_equal(f.params[2].fetch_type, "u64");
	assert_int_equal(f.params[2].reg, DX);
	assert_string_equal(f.params[2].decl, "size_t count");
	assert_string_equal(f.params[3].fetch_type, "x64");
	assert_int_equal(f.params[3].reg, CX);
	btf__free(btf);
}

static void test_registers(void **state)
{
	struct ids t;
	struct btf *btf = build(&t);
	struct kbtf_func f;

	assert_int_equal(kbtf__func(btf, "many", &f), 0);
	assert_int_equal(f.nparams, 8);
	assert_string_equal(f.ret_decl, "void");
	assert_null(f.ret_fetch_type);
	assert_int_equal(f.params[0].reg, DI);
	assert_int_equal(f.params[1].reg, -1);		/* pair: rsi and rdx */
	assert_null(f.params[1].fetch_type);
	assert_non_null(strstr(f.params[1].why_not, "struct"));
	assert_string_equal(f.params[1].decl, "struct pair p");
	assert_int_equal(f.params[2].reg, -1);		/* big: memory */
	assert_int_equal(f.params[3].reg, CX);
	assert_int_equal(f.params[4].reg, R8);
	assert_int_equal(f.params[5].reg, R9);
	assert_int_equal(f.params[6].reg, -1);
	assert_non_null(strstr(f.params[6].why_not, "stack"));
	assert_int_equal(f.params[7].reg, -1);

	/* A two-register struct that does not fit goes to the stack whole;
	 * the register left is the next argument's. */
	assert_int_equal(kbtf__func(btf, "spill", &f), 0);
	assert_int_equal(f.nparams, 7);
	assert_int_equal(f.params[4].reg, R8);
	assert_int_equal(f.params[5].reg, -1);
	assert_int_equal(f.params[6].reg, R9);
	assert_string_equal(f.params[6].fetch_type, "s64");

	assert_int_equal(kbtf__func(btf, "get", &f), 0);
	assert_int_equal(f.nparams, 4);
	assert_int_equal(f.params[0].reg, -1);		/* small: rdi */
	assert_int_equal(f.params[1].reg, SI);
	assert_string_equal(f.params[1].decl, "union un *u");
	assert_int_equal(f.params[2].reg, -1);		/* un: rdx */
	assert_int_equal(f.params[3].reg, CX);
	assert_string_equal(f.params[3].fetch_type, "x64");
	assert_string_equal(f.params[3].decl, "int (*cb)(void *x)");
	assert_null(f.ret_fetch_type);			/* a struct in rax:rdx */

	assert_int_equal(kbtf__func(btf, "_printk", &f), 0);
	assert_int_equal(f.nparams, 1);
	assert_true(f.varargs);
	assert_string_equal(f.params[0].fetch_type, "char *");
	btf__free(btf);
}

static void test_lookup_errors(void **state)
{
	struct ids t;
	struct btf *btf = build(&t);
	struct kbtf_func f;

	assert_int_equal(kbtf__func(btf, "no_such_function", &f), -ENOENT);
	assert_int_equal(kbtf__func(btf, "jiffies", &f), -ENOENT);
	assert_int_equal(kbtf__func(btf, "open_how", &f), -ENOENT);
	assert_int_equal(kbtf__func(NULL, "vfs_read", &f), -ENOENT);
	assert_int_equal(kbtf__func(btf, NULL, &f), -ENOENT);
	btf__free(btf);
}

/* Named parameters through the fetch compiler, as the tools use them. */
static void test_to_fetch(void **state)
{
	struct ids t;
	struct btf *btf = build(&t);
	struct fetch_param params[KBTF_MAX_PARAMS];
	struct fetch_env env = { .kind = FETCH_ENTRY, .kernel = true, .params = params };
	struct fetch_plan plan;
	struct kbtf_func f;
	char err[512];
	int v;

	assert_int_equal(kbtf__func(btf, "many", &f), 0);
	for (size_t i = 0; i < f.nparams; i++)
		assert_int_equal(kbtf_param__to_fetch(&f.params[i], &params[env.nparams++]), 0);

	fetch_plan__init(&plan);
	v = fetch_plan__add(&plan, "c", NULL, &env, err, sizeof(err));
	assert_true(v >= 0);
	assert_int_equal(plan.values[v].type.vtype, FETCH_T_SIGNED);
	assert_int_equal(plan.values[v].type.size, 4);
	assert_int_equal(plan.prog.ops[0].code, FOP_REG);
	assert_int_equal(plan.prog.ops[0].imm, CX);

	assert_int_equal(fetch_plan__add(&plan, "p", NULL, &env, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "parameter 'p' in 'p' cannot be read: it is a struct passed "
				 "by value");
	assert_int_equal(fetch_plan__add(&plan, "g + 1", NULL, &env, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "parameter 'g' in 'g + 1' cannot be read: it is passed on "
				    "the stack"));
	assert_int_equal(fetch_plan__set_filter(&plan, "b == 0", &env, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'b'"));

	/* A string parameter reads kernel or user memory (kprobe). */
	assert_int_equal(kbtf__func(btf, "do_sys_openat2", &f), 0);
	env.nparams = 0;
	for (size_t i = 0; i < f.nparams; i++)
		assert_int_equal(kbtf_param__to_fetch(&f.params[i], &params[env.nparams++]), 0);
	fetch_plan__init(&plan);
	v = fetch_plan__add(&plan, "filename", NULL, &env, err, sizeof(err));
	assert_true(v >= 0);
	assert_int_equal(plan.values[v].type.vtype, FETCH_T_STRING);
	assert_int_equal(plan.prog.ops[0].imm, SI);
	assert_int_equal(plan.prog.ops[1].code, FOP_STR);
	assert_int_equal(plan.prog.ops[1].flags, FETCH_F_ANY);

	/* An unnamed parameter is no name. */
	{
		struct kbtf_param p = { .name = "", .reg = DI, .fetch_type = "s32" };
		struct fetch_param fp;

		assert_int_equal(kbtf_param__to_fetch(&p, &fp), -ENOENT);
	}
	btf__free(btf);
}

/* Longer declarations than the buffer are cut, not overrun. */
static void test_long_names(void **state)
{
	struct btf *btf = btf__new_empty();
	char name[400];
	struct kbtf_func f;
	int s32, proto;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, s32);
	for (int i = 0; i < KBTF_MAX_PARAMS + 4; i++) {
		name[0] = 'a' + i;
		btf__add_func_param(btf, name, s32);
	}
	assert_true(btf__add_func(btf, "wide", BTF_FUNC_GLOBAL, proto) > 0);
	assert_int_equal(kbtf__func(btf, "wide", &f), 0);
	assert_int_equal(f.nparams, KBTF_MAX_PARAMS);
	assert_int_equal(strlen(f.params[0].decl), KBTF_DECL_LEN - 1);
	assert_int_equal(f.params[5].reg, R9);
	assert_int_equal(f.params[6].reg, -1);
	btf__free(btf);
}

static void test_describe(void **state)
{
	struct ids t;
	struct btf *btf = build(&t);
	struct kbtf_func f;
	char buf[64];

	assert_int_equal(kbtf__func(btf, "vfs_read", &f), 0);
	assert_string_equal(kbtf_func__describe(&f, buf, sizeof(buf)),
			    "vfs_read's parameters are file, buf, count, pos");
	assert_int_equal(kbtf__func(btf, "_printk", &f), 0);
	assert_string_equal(kbtf_func__describe(&f, buf, sizeof(buf)),
			    "_printk's parameter is fmt");
	/* Cut, never overrun. */
	assert_int_equal(kbtf__func(btf, "many", &f), 0);
	assert_string_equal(kbtf_func__describe(&f, buf, 20), "many's parameters a");
	f.nparams = 0;
	assert_string_equal(kbtf_func__describe(&f, buf, sizeof(buf)),
			    "many has no named parameters");
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_types),
		cmocka_unit_test(test_signed_enum),
		cmocka_unit_test(test_openat2),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_lookup_errors),
		cmocka_unit_test(test_to_fetch),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
