// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/fetch.c: expressions, types, filters, tracepoint formats. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bpf/regs.h"
#include "common/dwarf.h"
#include "common/fetch.h"

static const struct fetch_env entry = { .kind = FETCH_ENTRY };
static const struct fetch_env ret = { .kind = FETCH_RETURN };
static const struct fetch_env usdt = { .kind = FETCH_USDT };

/* Compile @expr alone; returns the plan (static) or NULL with the error. */
static struct fetch_plan plan;
static char err[2048];

static int add1(const char *expr, const char *type, const struct fetch_env *env)
{
	fetch_plan__init(&plan);
	err[0] = 0;
	return fetch_plan__add(&plan, expr, type, env, err, sizeof(err));
}

#define OP(i) (plan.prog.ops[i])

static void test_registers(void **state)
{
	assert_int_equal(add1("arg1", NULL, &entry), 0);
	assert_int_equal(plan.prog.nops, 2);
	assert_int_equal(OP(0).code, FOP_REG);
	assert_int_equal(OP(0).imm, 14);	/* rdi */
	assert_int_equal(OP(1).code, FOP_STORE);
	assert_int_equal(plan.values[0].type.vtype, FETCH_T_SIGNED);

	assert_int_equal(add1("arg4", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, 11);	/* rcx */
	assert_int_equal(add1("$arg6", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, 8);		/* r9 */
	assert_int_equal(add1("%di", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, 14);
	assert_int_equal(add1("%rsp", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, 19);
	assert_int_equal(add1("%r12", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, 3);
	assert_int_equal(add1("%ax", NULL, &ret), 0);
	assert_int_equal(OP(0).imm, 10);
	assert_int_equal(add1("retval", NULL, &ret), 0);
	assert_int_equal(OP(0).imm, 10);
	assert_int_equal(add1("$retval", NULL, &ret), 0);
	assert_int_equal(OP(0).imm, 10);
}

static void test_usdt_args(void **state)
{
	assert_int_equal(add1("arg2", NULL, &usdt), 0);
	assert_int_equal(OP(0).code, FOP_USDT);
	assert_int_equal(OP(0).imm, 1);
}

static void test_deref(void **state)
{
	/* +8(%di):u32 loads 4 bytes at rdi + 8, zero-extended. */
	assert_int_equal(add1("+8(%di):u32", NULL, &entry), 0);
	assert_int_equal(plan.prog.nops, 5);
	assert_int_equal(OP(0).code, FOP_REG);
	assert_int_equal(OP(1).code, FOP_ADD);
	assert_int_equal(OP(1).imm, 8);
	assert_int_equal(OP(2).code, FOP_DEREF);
	assert_int_equal(OP(2).size, 4);
	assert_int_equal(OP(3).code, FOP_ZEXT);
	assert_int_equal(OP(4).code, FOP_STORE);

	assert_int_equal(add1("-4(%sp):s32", NULL, &entry), 0);
	assert_int_equal(OP(1).imm, -4);
	assert_int_equal(OP(3).code, FOP_SEXT);

	/* Nested: +0(+8(%di)): two loads, no zero add. */
	assert_int_equal(add1("+0(+8(%di))", NULL, &entry), 0);
	assert_int_equal(plan.prog.nops, 5);
	assert_int_equal(OP(2).code, FOP_DEREF);
	assert_int_equal(OP(3).code, FOP_DEREF);

	/* C form. */
	assert_int_equal(add1("*(arg2+16)", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, 13);
	assert_int_equal(OP(1).imm, 16);
	assert_int_equal(OP(2).code, FOP_DEREF);
	assert_int_equal(add1("*arg2", "int", &entry), 0);
	assert_int_equal(OP(1).code, FOP_DEREF);
	assert_int_equal(OP(1).size, 4);
	assert_int_equal(OP(2).code, FOP_SEXT);

	/* $stack2: rsp + 16, loaded. */
	assert_int_equal(add1("$stack2", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, 19);
	assert_int_equal(OP(1).imm, 16);
	assert_int_equal(OP(2).code, FOP_DEREF);
}

static void test_strings(void **state)
{
	/* ftrace: +0(%si):string reads the string at rsi. */
	assert_int_equal(add1("+0(%si):string", NULL, &entry), 0);
	assert_int_equal(plan.prog.nops, 2);
	assert_int_equal(OP(1).code, FOP_STR);
	assert_int_equal(OP(1).len, 80);
	/* bcc: arg1 as char * reads the string arg1 points to. */
	assert_int_equal(add1("arg1", "char *", &entry), 0);
	assert_int_equal(OP(1).code, FOP_STR);
	assert_int_equal(plan.values[0].type.vtype, FETCH_T_STRING);
	/* A pointer stored in memory: *(arg1+8) as a string loads it first. */
	assert_int_equal(add1("*(arg1+8)", "const char *", &entry), 0);
	assert_int_equal(OP(2).code, FOP_DEREF);
	assert_int_equal(OP(3).code, FOP_STR);
	/* -Z */
	struct fetch_env z = { .kind = FETCH_RETURN, .str_size = 200 };

	assert_int_equal(add1("+0($retval):string", NULL, &z), 0);
	assert_int_equal(OP(1).len, 200);
	assert_int_equal(add1("$comm", NULL, &entry), 0);
	assert_int_equal(OP(0).code, FOP_COMM);
	assert_int_equal(plan.values[0].type.size, 16);
}

static void test_slots(void **state)
{
	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__add(&plan, "arg1", NULL, &entry, err, sizeof(err)), 0);
	assert_int_equal(fetch_plan__add(&plan, "arg2:string", NULL, &entry, err, sizeof(err)), 1);
	assert_int_equal(fetch_plan__add(&plan, "$pid", NULL, &entry, err, sizeof(err)), 2);
	assert_int_equal(plan.values[0].off, 0);
	assert_int_equal(plan.values[1].off, 8);
	assert_int_equal(plan.values[2].off, 88);
	assert_int_equal(plan.prog.data_size, 96);
}

static void test_types(void **state)
{
	struct fetch_type t;

	assert_int_equal(fetch_type__parse("u16", 80, &t), 0);
	assert_true(t.vtype == FETCH_T_UNSIGNED && t.size == 2);
	assert_int_equal(fetch_type__parse("x32", 80, &t), 0);
	assert_true(t.vtype == FETCH_T_HEX && t.size == 4);
	assert_int_equal(fetch_type__parse("const  char *", 80, &t), 0);
	assert_true(t.vtype == FETCH_T_STRING && t.size == 80);
	assert_int_equal(fetch_type__parse("unsigned long", 80, &t), 0);
	assert_true(t.vtype == FETCH_T_UNSIGNED && t.size == 8);
	assert_int_equal(fetch_type__parse("struct foo *", 80, &t), 0);
	assert_true(t.vtype == FETCH_T_HEX);
	assert_int_equal(fetch_type__parse("const std::string &", 80, &t), 0);
	assert_true(t.vtype == FETCH_T_STRING);
	assert_int_equal(fetch_type__parse("u7", 80, &t), -EINVAL);
	assert_int_equal(fetch_type__parse("", 80, &t), -EINVAL);
}

static void expect_error(const char *expr, const struct fetch_env *env, const char *msg)
{
	assert_true(add1(expr, NULL, env) < 0);
	if (!strstr(err, msg))
		fail_msg("'%s': error '%s' lacks '%s'", expr, err, msg);
	assert_int_equal(plan.prog.nops, 0);
	assert_int_equal(plan.nvalues, 0);
}

static void test_errors(void **state)
{
	expect_error("retval", &entry, "only available in return probes");
	expect_error("+0($retval):string", &entry, "only available in return probes");
	expect_error("%xx", &entry, "unknown register '%xx'");
	expect_error("arg1:u7", &entry, "bad type 'u7'");
	expect_error("+8(%di", &entry, "unbalanced parentheses");
	expect_error("+8(%di))", &entry, "unbalanced parentheses");
	expect_error("arg7", &entry, "out of range");
	expect_error("arg0", &entry, "out of range");
	expect_error("", &entry, "empty");
	expect_error("$nope", &entry, "unknown variable");
	expect_error("frob", &entry, "unknown name 'frob'");
	expect_error("arg1 arg2", &entry, "syntax error");
	expect_error("$comm:u32", &entry, "$comm is a string");
	expect_error("arg1", &(struct fetch_env){ .kind = FETCH_TRACEPOINT }, "args->FIELD");
	expect_error("99999999999999999999999", &entry, "bad number");
}

static void test_nesting_bound(void **state)
{
	char buf[600];
	size_t n = 0;

	for (int i = 0; i < 100; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "+0(");
	snprintf(buf + n, sizeof(buf) - n, "%%di");
	assert_true(add1(buf, NULL, &entry) < 0);
	if (!strstr(err, "nested too deeply"))
		fail_msg("%s", err);
}

/* Garbage in, one error out: every prefix of tricky inputs. */
static void test_no_crash(void **state)
{
	static const char *inputs[] = {
		"+0(+8(%di)):string", "*(arg2+16):u32", "STRCMP(\"abc\", arg1) && retval < 0",
		"((((arg1))))", "-", "+", "*", "(", ")", ":", "%", "$", "args->", "\"", "1(2(3",
		"arg1 == == 2", "!!!!arg1", "~-~-arg1", "0x", "-0x10(%sp):x8",
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		size_t len = strlen(inputs[i]);

		for (size_t n = 0; n <= len; n++) {
			memcpy(buf, inputs[i], n);
			buf[n] = 0;
			fetch_plan__init(&plan);
			fetch_plan__add(&plan, buf, NULL, &ret, err, sizeof(err));
			fetch_plan__init(&plan);
			fetch_plan__set_filter(&plan, buf, &ret, err, sizeof(err));
		}
	}
}

/* Compile a filter on arg1 (value 0) and retval (value 1), then run it. */
static bool filter(const char *expr, int64_t a1, int64_t rv, const char *str)
{
	uint8_t data[512] = {};
	int e;

	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__add(&plan, "arg1", NULL, &ret, err, sizeof(err)), 0);
	assert_int_equal(fetch_plan__add(&plan, "retval", NULL, &ret, err, sizeof(err)), 1);
	e = fetch_plan__set_filter(&plan, expr, &ret, err, sizeof(err));
	if (e)
		fail_msg("filter '%s': %s", expr, err);
	/* Hidden operands repeat arg1/retval; fill each from its expression. */
	for (size_t i = 0; i < plan.nvalues; i++) {
		const struct fetch_value *v = &plan.values[i];
		const struct fetch_op *store = NULL;

		for (unsigned j = 0; j < plan.prog.nops; j++)
			if ((plan.prog.ops[j].code == FOP_STORE || plan.prog.ops[j].code == FOP_STR) &&
			    plan.prog.ops[j].off == v->off)
				store = &plan.prog.ops[j];
		assert_non_null(store);
		if (v->type.vtype == FETCH_T_STRING) {
			strcpy((char *)data + v->off, str);
			continue;
		}
		/* The op before the stores' chain says which register. */
		for (const struct fetch_op *o = store; o >= plan.prog.ops; o--) {
			if (o->code == FOP_REG) {
				int64_t x = o->imm == 14 ? a1 : rv;

				memcpy(data + v->off, &x, 8);
				break;
			}
		}
	}
	return fetch_prog__pred(&plan.prog, data, sizeof(data));
}

static void test_filters(void **state)
{
	assert_true(filter("arg1 == 1", 1, 0, ""));
	assert_false(filter("arg1 == 1", 2, 0, ""));
	assert_true(filter("(arg1 == 1 && retval < 0)", 1, -5, ""));
	assert_false(filter("(arg1 == 1 && retval < 0)", 1, 5, ""));
	assert_true(filter("arg1 == 1 || retval == 7", 0, 7, ""));
	assert_true(filter("!(arg1 > 3)", 2, 0, ""));
	assert_true(filter("arg1 + 2 * 3 == 10", 4, 0, ""));
	assert_true(filter("(arg1 & 0xf0) != 0", 0x10, 0, ""));
	assert_true(filter("arg1 >= -2", -1, 0, ""));
	assert_true(filter("arg1 << 2 == 8", 2, 0, ""));
	assert_true(filter("-arg1 == 3", -3, 0, ""));
	assert_true(filter("STRCMP(\"bash\", arg1)", 0, 0, "bash"));
	assert_false(filter("STRCMP(\"bash\", arg1)", 0, 0, "bashful"));
	assert_false(filter("STRCMP(\"bash\", arg1)", 0, 0, "bas"));
	/* The string slot holds one byte more than the literal and its NUL. */
	assert_int_equal(plan.values[2].type.size, 6);
	assert_true(filter("STRCMP(\"x\", arg1) && retval == 1", 0, 1, "x"));
	/* Unsigned operands compare unsigned. */
	assert_false(filter("arg1:u64 < 0", -1, 0, ""));
	assert_true(filter("arg1:u32 == 0xffffffff", 0xffffffff, 0, ""));
}

static void test_filter_errors(void **state)
{
	static const struct { const char *f, *msg; } cases[] = {
		{ "arg1 == 1)", "unbalanced parentheses" },
		{ "(arg1 == 1", "unbalanced parentheses" },
		{ "arg1 ==", "missing value" },
		{ "arg1 == \"x\"", "STRCMP" },
		{ "STRCMP(arg1, \"x\")", "first argument" },
		{ "%zz > 0", "unknown register" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fetch_plan__init(&plan);
		assert_true(fetch_plan__set_filter(&plan, cases[i].f, &ret, err, sizeof(err)) < 0);
		if (!strstr(err, cases[i].msg))
			fail_msg("'%s': error '%s' lacks '%s'", cases[i].f, err, cases[i].msg);
		assert_int_equal(plan.prog.npred, 0);
		assert_int_equal(plan.nvalues, 0);
	}
	fetch_plan__init(&plan);
	assert_true(fetch_plan__set_filter(&plan, "retval < 0", &entry, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "return probes"));
}

static const char openat_fmt[] =
	"name: sys_enter_openat\n"
	"ID: 700\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:char comm[16];\toffset:32;\tsize:16;\tsigned:0;\n"
	"\tfield:__data_loc char[] name;\toffset:48;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"dfd: 0x%08lx\", ((unsigned long)(REC->dfd))\n";

static void test_tracepoint(void **state)
{
	struct tp_format f;
	struct fetch_env env = { .kind = FETCH_TRACEPOINT, .tp = &f };
	const struct tp_field *fl;

	assert_int_equal(tp_format__parse(&f, openat_fmt, err, sizeof(err)), 0);
	assert_int_equal(f.count, 7);
	fl = tp_format__find(&f, "filename");
	assert_non_null(fl);
	assert_int_equal(fl->offset, 24);
	assert_true(fl->is_pointer);
	fl = tp_format__find(&f, "comm");
	assert_true(fl && fl->is_string && fl->size == 16);
	assert_true(tp_format__find(&f, "name")->data_loc);

	assert_int_equal(add1("args->__syscall_nr", NULL, &env), 0);
	assert_int_equal(OP(0).code, FOP_CTX);
	assert_int_equal(OP(0).imm, 8);
	assert_int_equal(OP(0).size, 4);
	assert_int_equal(plan.values[0].type.vtype, FETCH_T_SIGNED);
	assert_int_equal(add1("args->filename", "char *", &env), 0);
	assert_int_equal(OP(1).code, FOP_STR);
	/* A syscall's user pointer, another tracepoint's kernel one: by the address. */
	assert_int_equal(OP(1).flags, FETCH_F_ANY);
	assert_int_equal(add1("args->comm", NULL, &env), 0);
	assert_int_equal(OP(0).code, FOP_IMM);
	assert_int_equal(OP(1).code, FOP_DATALOC);
	assert_int_equal(OP(2).code, FOP_STR);
	assert_int_equal(OP(2).flags, FETCH_F_KERNEL);
	assert_int_equal(add1("args->name", NULL, &env), 0);
	assert_int_equal(OP(0).code, FOP_CTX);
	assert_int_equal(OP(0).size, 4);
	assert_true(add1("args->nope", NULL, &env) < 0);
	assert_non_null(strstr(err, "no field 'nope'"));
	/* A field by its bare name, as bcc's argdist man page writes them. */
	assert_int_equal(add1("__syscall_nr * 2", NULL, &env), 0);
	assert_int_equal(OP(0).code, FOP_CTX);
	assert_int_equal(OP(0).imm, 8);
	assert_true(add1("nope", NULL, &env) < 0);
	assert_non_null(strstr(err, "unknown name 'nope'"));
	tp_format__fini(&f);

	assert_int_equal(tp_format__parse(&f, "garbage\n", err, sizeof(err)), -EINVAL);
	assert_int_equal(tp_format__parse(&f, "\tfield:int;\n", err, sizeof(err)), -EINVAL);
	/* A ']' without its '[' (found by tests/fuzz/fuzz_fetch: NULL store). */
	assert_int_equal(tp_format__parse(&f, "\tfield:int x];\toffset:0;\tsize:4;\tsigned:1;\n",
					  err, sizeof(err)), -EINVAL);
}

static void test_params(void **state)
{
	static const struct fetch_param params[] = {
		{ .name = "fd", .reg = 14, .type = "int" },
		{ .name = "buf", .reg = 13, .type = "const char *" },
	};
	struct fetch_env env = { .kind = FETCH_ENTRY, .params = params, .nparams = 2 };

	assert_int_equal(add1("fd", NULL, &env), 0);
	assert_int_equal(OP(0).imm, 14);
	assert_int_equal(plan.values[0].type.size, 4);
	assert_int_equal(add1("buf", NULL, &env), 0);
	assert_int_equal(plan.values[0].type.vtype, FETCH_T_STRING);
}

static void test_format(void **state)
{
	uint8_t data[64] = {};
	int64_t neg = -3;
	char buf[64];

	fetch_plan__init(&plan);
	fetch_plan__add(&plan, "arg1", NULL, &entry, err, sizeof(err));
	fetch_plan__add(&plan, "arg2:x16", NULL, &entry, err, sizeof(err));
	fetch_plan__add(&plan, "arg3:string", NULL, &entry, err, sizeof(err));
	memcpy(data, &neg, 8);
	data[8] = 0xab;
	strcpy((char *)data + 16, "hi");
	fetch_value__format(&plan.values[0], data, sizeof(data), true, buf, sizeof(buf));
	assert_string_equal(buf, "-3");
	fetch_value__format(&plan.values[1], data, sizeof(data), true, buf, sizeof(buf));
	assert_string_equal(buf, "0xab");
	fetch_value__format(&plan.values[2], data, sizeof(data), true, buf, sizeof(buf));
	assert_string_equal(buf, "\"hi\"");
	/* Out of range reads give zero, not garbage. */
	assert_int_equal(fetch_value__u64(&plan.values[1], data, 8), 0);
}

/* argN and retval in each calling convention (common/callconv.h). */
static void test_conventions(void **state)
{
	static const struct fetch_env go = { .kind = FETCH_ENTRY, .conv = CALLCONV_GO_REGS };
	static const struct fetch_env go_ret = { .kind = FETCH_RETURN,
						 .conv = CALLCONV_GO_REGS };
	static const struct fetch_env old = { .kind = FETCH_RETURN, .conv = CALLCONV_GO_STACK };
	static const struct fetch_env unknown = { .kind = FETCH_ENTRY,
						  .conv = CALLCONV_GO_UNKNOWN };
	static const struct fetch_env later = { .kind = FETCH_ENTRY, .names_later = true };
	static const struct fetch_env kernel = { .kind = FETCH_ENTRY, .kernel = true,
						 .conv = CALLCONV_GO_REGS };
	static const struct { const char *expr; int reg; } go_args[] = {
		{ "arg1", 10 }, { "arg2", 5 }, { "$arg3", 11 }, { "arg4", 14 }, { "arg5", 13 },
		{ "arg6", 9 }, { "arg7", 8 }, { "arg8", 7 }, { "arg9", 6 },
	};

	for (size_t i = 0; i < sizeof(go_args) / sizeof(go_args[0]); i++) {
		assert_int_equal(add1(go_args[i].expr, NULL, &go), 0);
		assert_int_equal(OP(0).code, FOP_REG);
		assert_int_equal(OP(0).imm, go_args[i].reg);
	}
	assert_int_equal(add1("arg10", NULL, &go), -EINVAL);
	assert_non_null(strstr(err, "arg1..arg9, Go's register ABI"));
	assert_int_equal(add1("arg7", NULL, &entry), -EINVAL);
	assert_non_null(strstr(err, "arg1..arg6"));
	/* The first result is in %rax in both. */
	assert_int_equal(add1("retval", NULL, &go_ret), 0);
	assert_int_equal(OP(0).imm, 10);
	/* Before Go 1.17, or not known: refused, naming what to use. */
	assert_int_equal(add1("arg1", NULL, &unknown), -EINVAL);
	assert_non_null(strstr(err, "arg1 in 'arg1' cannot be read"));
	assert_non_null(strstr(err, "%ax"));
	assert_int_equal(add1("$retval", NULL, &old), -EINVAL);
	assert_non_null(strstr(err, "+8(%sp)"));
	assert_int_equal(add1("arg2", NULL, &old), -EINVAL);
	/* Registers by name and DWARF parameters are not affected. */
	assert_int_equal(add1("%bx", NULL, &unknown), 0);
	assert_int_equal(OP(0).imm, 5);
	/* The syntax check before the sites are known takes Go's nine. */
	assert_int_equal(add1("arg9", NULL, &later), 0);
	assert_int_equal(add1("arg10", NULL, &later), -EINVAL);
	/* Kernel functions are System V, whatever the convention says. */
	assert_int_equal(add1("arg1", NULL, &kernel), 0);
	assert_int_equal(OP(0).imm, 14);
	assert_int_equal(add1("arg7", NULL, &kernel), -EINVAL);
}


/* ---- typed and computed values, run as the BPF interpreter runs them ---- */

#define TYPED "build/tests/targets/typed"

#include "tests/targets/typed.h"

static uint8_t area[FETCH_BUF_SIZE];

/*
 * Run @p's fetch operations as bpf/lib/fetch.bpf.h does, with @regs as
 * the saved registers and this process's memory as the traced one's,
 * then its pred operations (computed values, the filter's verdict).
 */
static bool run_plan(const struct fetch_plan *p, const uint64_t *regs)
{
	uint64_t acc = 0;

	memset(area, 0, sizeof(area));
	for (unsigned i = 0; i < p->prog.nops; i++) {
		const struct fetch_op *op = &p->prog.ops[i];
		uint64_t v = 0;

		switch (op->code) {
		case FOP_REG: acc = regs[op->imm]; break;
		case FOP_IMM: acc = op->imm; break;
		case FOP_ADD: acc += op->imm; break;
		case FOP_SPECIAL: acc = op->imm == FETCH_PID ? 4242 : 77; break;
		case FOP_DEREF:
			if (acc >= 4096)
				memcpy(&v, (const void *)acc, op->size > 8 ? 8 : op->size);
			acc = v;
			break;
		case FOP_SEXT:
			acc = op->size == 1 ? (uint64_t)(int8_t)acc : op->size == 2 ?
			      (uint64_t)(int16_t)acc : op->size == 4 ? (uint64_t)(int32_t)acc : acc;
			break;
		case FOP_ZEXT:
			acc = op->size == 1 ? (uint8_t)acc : op->size == 2 ? (uint16_t)acc :
			      op->size == 4 ? (uint32_t)acc : acc;
			break;
		case FOP_SHL: acc <<= op->imm; break;
		case FOP_SHR: acc >>= op->imm; break;
		case FOP_SAR: acc = (uint64_t)((int64_t)acc >> op->imm); break;
		case FOP_STORE: memcpy(area + op->off, &acc, 8); break;
		case FOP_SLOT: memcpy(&acc, area + op->off, 8); break;
		case FOP_STR:
			if (acc < 4096)
				break;
			if (op->flags & FETCH_F_RAW)
				memcpy(area + op->off, (const void *)acc, op->len);
			else
				snprintf((char *)area + op->off, op->len, "%s", (const char *)acc);
			break;
		case FOP_COMM: strcpy((char *)area + op->off, "comm"); break;
		default: fail_msg("operation %u not simulated", op->code);
		}
	}
	return fetch_prog__pred(&p->prog, area, sizeof(area));
}

static int64_t val(int i)
{
	return fetch_value__s64(&plan.values[i], area, sizeof(area));
}

static const char *str(int i)
{
	static char buf[256];

	return fetch_value__str(&plan.values[i], area, sizeof(area), buf, sizeof(buf));
}

static struct dwarf_cache *dc;
static struct fetch_env typed_env;
static const struct ctype_src *typed_srcs[1];
static struct fetch_param typed_params[2];
static struct rec recs[2];

static int typed_setup(void **state)
{
	dc = dwarf_cache__new();
	typed_srcs[0] = dwarf_cache__types(dc, TYPED);
	if (!typed_srcs[0])
		fail_msg("no DWARF in %s: run make targets", TYPED);
	typed_params[0] = (struct fetch_param){ .name = "r", .reg = PT_DI, .type = "struct rec *" };
	typed_params[1] = (struct fetch_param){ .name = "depth", .reg = PT_SI, .type = "int" };
	typed_env = (struct fetch_env){ .kind = FETCH_ENTRY, .params = typed_params, .nparams = 2,
					.types = typed_srcs, .ntypes = 1 };
	recs[0] = (struct rec){ .id = 7, .name = "seven", .tag = "t7", .pos = { 70, -7 },
				.next = &recs[1], .flags = 5, .delta = -9, .arr = { 1, -2, 3, 4 },
				.color = BLUE, .word = 0x11223344 };
	recs[1] = (struct rec){ .id = 8, .name = "eight", .tag = "t8" };
	return 0;
}

static int typed_teardown(void **state)
{
	dwarf_cache__free(dc);
	return 0;
}

static void add_ok(const char *expr, const char *type, const struct fetch_env *env)
{
	if (fetch_plan__add(&plan, expr, type, env, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", expr, err);
}

static void test_typed_members(void **state)
{
	uint64_t regs[PT_NREGS] = {};

	regs[PT_DI] = (uintptr_t)&recs[0];
	regs[PT_SI] = 1;
	fetch_plan__init(&plan);
	add_ok("r->id", NULL, &typed_env);
	add_ok("r->name", NULL, &typed_env);
	add_ok("r->tag", NULL, &typed_env);
	add_ok("r->pos.y", NULL, &typed_env);
	add_ok("r->next->id", NULL, &typed_env);
	add_ok("r->flags", NULL, &typed_env);
	add_ok("r->delta", NULL, &typed_env);
	add_ok("r->arr[1]", NULL, &typed_env);
	add_ok("r->color", NULL, &typed_env);
	assert_true(run_plan(&plan, regs));
	assert_int_equal(val(0), 7);
	assert_string_equal(str(1), "seven");
	assert_string_equal(str(2), "t7");
	assert_int_equal(val(3), -7);
	assert_int_equal(plan.values[3].type.vtype, FETCH_T_SIGNED);
	assert_int_equal(val(4), 8);
	assert_int_equal(val(5), 5);
	assert_int_equal(plan.values[5].type.vtype, FETCH_T_UNSIGNED);
	assert_int_equal(val(6), -9);
	assert_int_equal(val(7), -2);
	assert_int_equal(val(8), -3);

	fetch_plan__init(&plan);
	add_ok("r->bytes[0]", NULL, &typed_env);
	add_ok("*r->name", NULL, &typed_env);
	add_ok("&r->pos", NULL, &typed_env);
	add_ok("r->next->tag", NULL, &typed_env);
	add_ok("(*r).id", NULL, &typed_env);
	add_ok("r[1].id", NULL, &typed_env);
	add_ok("(r + 1)->name", NULL, &typed_env);
	assert_true(run_plan(&plan, regs));
	assert_int_equal(val(0), 0x44);
	assert_int_equal(val(1), 's');
	assert_int_equal(val(2), (int64_t)(uintptr_t)&recs[0].pos);
	assert_int_equal(plan.values[2].type.vtype, FETCH_T_HEX);
	assert_string_equal(str(3), "t8");
	assert_int_equal(val(4), 7);
	assert_int_equal(val(5), 8);
	assert_string_equal(str(6), "eight");
}

static void test_casts(void **state)
{
	uint64_t regs[PT_NREGS] = {};

	regs[PT_DI] = (uintptr_t)&recs[0];
	regs[PT_SI] = 0xfffffffffffffffeULL;
	regs[PT_AX] = 0xffffffffULL;
	fetch_plan__init(&plan);
	add_ok("((struct rec *)arg1)->pos.x", NULL, &typed_env);
	add_ok("(int)arg2", NULL, &typed_env);
	add_ok("(unsigned char)arg2", NULL, &typed_env);
	add_ok("(char *)((struct rec *)arg1)->name", NULL, &typed_env);
	add_ok("(long)(short)arg2", NULL, &typed_env);
	assert_true(run_plan(&plan, regs));
	assert_int_equal(val(0), 70);
	assert_int_equal(val(1), -2);
	assert_int_equal(val(2), 254);
	assert_string_equal(str(3), "seven");
	assert_int_equal(val(4), -2);

	/* In a filter, (int)retval < 0 sees the low 32 bits' sign. */
	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__set_filter(&plan, "(int)retval < 0", &ret, err, sizeof(err)),
			 0);
	assert_true(run_plan(&plan, regs));
	regs[PT_AX] = 0x100000001ULL;
	assert_false(run_plan(&plan, regs));
	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__set_filter(&plan, "(int)(retval + 1) == 0", &ret, err,
						sizeof(err)), 0);
	regs[PT_AX] = 0xffffffffULL;
	assert_true(run_plan(&plan, regs));
}

static void test_computed(void **state)
{
	static const struct {
		const char *expr;
		int64_t a, b, want;
	} cases[] = {
		{ "arg1*2+1", 20, 0, 41 },
		{ "arg1 - arg2", 5, 8, -3 },
		{ "arg1 / arg2", -7, 2, -3 },		/* C: toward zero */
		{ "arg1 % arg2", -7, 2, -1 },		/* the dividend's sign */
		{ "arg1 / arg2", 7, 0, 0 },		/* BPF: x / 0 is 0 */
		{ "arg1 % arg2", 7, 0, 7 },		/* BPF: x % 0 is x */
		{ "arg1:u64 / 2", -2, 0, 0x7fffffffffffffffLL },
		{ "arg1 >> 1", -8, 0, -4 },
		{ "arg1:u64 >> 60", -8, 0, 15 },
		{ "(arg1 & 0xff) | (arg2 << 8)", 0x1234, 1, 0x134 },
		{ "-arg1 * ~arg2", 3, 0, 3 },
		{ "arg1 > arg2 && arg2 != 0", 3, 2, 1 },
		{ "(int)(arg1 * 2)", 0x80000000LL, 0, 0 },
		{ "$pid + 1", 0, 0, 4243 },
	};
	uint64_t regs[PT_NREGS] = {};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		regs[PT_DI] = cases[i].a;
		regs[PT_SI] = cases[i].b;
		fetch_plan__init(&plan);
		add_ok(cases[i].expr, NULL, &entry);
		assert_true(run_plan(&plan, regs));
		if (val(0) != cases[i].want)
			fail_msg("'%s' of %" PRId64 ", %" PRId64 ": %" PRId64 ", expected %" PRId64,
				 cases[i].expr, cases[i].a, cases[i].b, val(0), cases[i].want);
	}
	/* A type narrows the result: argdist's u8, a %d conversion's s32. */
	regs[PT_DI] = 200;
	fetch_plan__init(&plan);
	add_ok("arg1 + 100", "u8", &entry);
	add_ok("arg1 * -1", "s32", &entry);
	assert_true(run_plan(&plan, regs));
	assert_int_equal(val(0), 44);
	assert_int_equal(val(1), -200);
}

/* Computed values keep the values' indexes and run; their operands stay
 * out of the data area's values (argdist's keys). */
static void test_computed_layout(void **state)
{
	uint64_t regs[PT_NREGS] = {};

	regs[PT_DI] = 6;
	regs[PT_SI] = 4;
	regs[PT_DX] = 5;
	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__add(&plan, "arg1", NULL, &entry, err, sizeof(err)), 0);
	assert_int_equal(fetch_plan__set_filter(&plan, "arg3 == 5", &entry, err, sizeof(err)), 0);
	assert_int_equal(fetch_plan__add(&plan, "arg1 * arg2", NULL, &entry, err, sizeof(err)), 2);
	assert_int_equal(fetch_plan__add(&plan, "arg3", NULL, &entry, err, sizeof(err)), 3);
	assert_int_equal(plan.nvalues, 4);	/* arg1, the filter's arg3, arg1 * arg2, arg3 */
	assert_int_equal(plan.prog.data_size, 32);
	assert_true(plan.scratch >= plan.prog.data_size);
	assert_true(run_plan(&plan, regs));
	assert_int_equal(val(2), 24);
	assert_int_equal(val(3), 5);
	regs[PT_DX] = 6;
	assert_false(run_plan(&plan, regs));
	assert_int_equal(val(2), 24);	/* computed before the filter says no */
	/* A second filter is refused; a failed value leaves the plan as it was. */
	assert_true(fetch_plan__set_filter(&plan, "arg1", &entry, err, sizeof(err)) < 0);
	assert_true(fetch_plan__add(&plan, "arg1 * nope", NULL, &entry, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "unknown name 'nope'"));
	assert_int_equal(plan.nvalues, 4);
}

static void test_names(void **state)
{
	static const struct fetch_env kernel = { .kind = FETCH_ENTRY, .kernel = true };

	assert_int_equal(add1("$PID", NULL, &entry), 0);
	assert_int_equal(OP(0).code, FOP_SPECIAL);
	assert_int_equal(OP(0).imm, FETCH_PID);
	assert_int_equal(add1("$tgid", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, FETCH_PID);
	assert_int_equal(add1("$TID", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, FETCH_TID);
	assert_int_equal(add1("$COMM", NULL, &entry), 0);
	assert_int_equal(OP(0).code, FOP_COMM);
	assert_true(add1("$Pid", NULL, &entry) < 0);	/* capitals or none */
	assert_int_equal(add1("ctx->dx", NULL, &entry), 0);
	assert_int_equal(OP(0).code, FOP_REG);
	assert_int_equal(OP(0).imm, PT_DX);
	assert_int_equal(add1("ctx->rip", NULL, &entry), 0);
	assert_int_equal(OP(0).imm, PT_IP);
	assert_true(add1("ctx->nope", NULL, &entry) < 0);
	/* arg2@user: a kernel function's pointer into user memory. */
	assert_int_equal(add1("*arg2", NULL, &kernel), 0);
	assert_int_equal(OP(1).flags, FETCH_F_ANY);
	assert_int_equal(add1("*arg2@user", NULL, &kernel), 0);
	assert_int_equal(OP(1).flags, 0);
	/* $task needs the kernel's BTF to be typed. */
	assert_true(add1("$task->pid", NULL, &entry) < 0);
	assert_non_null(strstr(err, "kernel's BTF"));
}

static void test_bin_cmp(void **state)
{
	struct fetch_env env = { .kind = FETCH_ENTRY, .bin_cmp = true };
	static const char bytes[] = { 0x6c, 0x00, 0x01, 0x00 };
	uint64_t regs[PT_NREGS] = {};
	const struct pred_op *eq;

	regs[PT_DI] = (uintptr_t)bytes;
	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__set_filter(&plan, "STRCMP(\"{0x6C, 0x00, 0x01}\", arg1)",
						&env, err, sizeof(err)), 0);
	eq = &plan.prog.pred[plan.prog.npred - 1];
	assert_int_equal(eq->code, POP_STREQ);
	assert_int_equal(eq->len, 3);
	assert_memory_equal(plan.prog.lits + eq->imm, bytes, 3);
	assert_true(plan.prog.ops[plan.prog.nops - 1].flags & FETCH_F_RAW);
	assert_true(run_plan(&plan, regs));
	/* Without -B the braces are text. */
	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__set_filter(&plan, "STRCMP(\"{0x6C}\", arg1)", &entry, err,
						sizeof(err)), 0);
	assert_false(run_plan(&plan, regs));
}

static void test_typed_errors(void **state)
{
	static const struct {
		const char *expr, *msg;
	} cases[] = {
		{ "r->nope", "'struct rec' has no member 'nope'" },
		{ "r->pos", "is a struct: name one of its members" },
		{ "r.id", "'.id' in 'r.id': 'struct rec *' is not a struct or union (use '->')" },
		{ "depth->x", "'->x' in 'depth->x': 'int' is not a pointer" },
		{ "arg1->x", "needs a typed pointer" },
		{ "(struct nosuch *)arg1", "unknown type 'struct nosuch'" },
		{ "(struct rec)arg1", "only to integers and pointers" },
		{ "r->arr[arg2]", "an index must be a number" },
		{ "&arg1", "'&' needs a member or an element" },
		{ "r->flags->x", "a bit-field has no members" },
		{ "r->id->x", "'->x' in 'r->id->x': 'long int' is not a pointer" },
		{ "&r->flags", "not a bit-field" },
		{ "*r->cb", "cannot be dereferenced" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fetch_plan__init(&plan);
		if (fetch_plan__add(&plan, cases[i].expr, NULL, &typed_env, err, sizeof(err)) >= 0)
			fail_msg("'%s' compiled", cases[i].expr);
		if (!strstr(err, cases[i].msg))
			fail_msg("'%s': error '%s' lacks '%s'", cases[i].expr, err, cases[i].msg);
		assert_int_equal(plan.nvalues, 0);
	}
	/* Before the sites are known (names_later), the shape alone is checked. */
	{
		struct fetch_env later = { .kind = FETCH_ENTRY, .names_later = true };

		fetch_plan__init(&plan);
		add_ok("ts->tv_nsec", NULL, &later);
		add_ok("((struct timespec *)arg1)->tv_nsec / 1000", NULL, &later);
		add_ok("(gfp_t)flags", NULL, &later);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_usdt_args),
		cmocka_unit_test(test_deref),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nesting_bound),
		cmocka_unit_test(test_no_crash),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_tracepoint),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_conventions),
		cmocka_unit_test(test_computed),
		cmocka_unit_test(test_computed_layout),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bin_cmp),
		cmocka_unit_test_setup_teardown(test_typed_members, typed_setup, typed_teardown),
		cmocka_unit_test_setup_teardown(test_casts, typed_setup, typed_teardown),
		cmocka_unit_test_setup_teardown(test_typed_errors, typed_setup, typed_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
