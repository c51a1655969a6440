// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/dwarf.c against the programs of tests/targets/
 * (run from the top of the tree after `make targets`): the C++ address
 * book with its DWARF inline, in a .gnu_debuglink file, at -O0, and
 * without DWARF; and tracee's C functions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/unit_util.h"

#include "common/dwarf.h"
#include "common/elf.h"
#include "common/fetch.h"

#define T "build/tests/targets/"

/* The address of the first function of target @file whose name contains @part. */
#define FUNC(file, part) elf_sym_addr(T file, part, true)

/* pt_regs word indexes of rdi, rsi, rdx, rcx. */
enum { DI = 14, SI = 13, DX = 12, CX = 11 };

static void check_addressbook(const char *path)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	const struct dwarf_func *f, *again;
	uint64_t addr = elf_sym_addr(path, "AddContact", true);
	char err[512];

	assert_non_null(dc);
	assert_int_equal(dwarf_cache__func(dc, path, addr, &f, err, sizeof(err)), 0);
	assert_string_equal(f->name, "AddContact");
	assert_int_equal(f->nparams, 4);
	assert_string_equal(f->params[0].name, "this");
	assert_string_equal(f->params[0].type, "AddressBook *const");
	assert_string_equal(f->params[0].fetch_type, "x64");
	assert_string_equal(f->params[1].name, "name");
	assert_string_equal(f->params[1].type, "const std::string &");
	assert_true(f->params[1].string_object);
	assert_string_equal(f->params[1].fetch_type, "std::string&");
	assert_string_equal(f->params[2].name, "email");
	assert_true(f->params[2].string_object);
	assert_string_equal(f->params[3].name, "age");
	assert_string_equal(f->params[3].type, "int");
	assert_string_equal(f->params[3].fetch_type, "s32");
	assert_false(f->params[3].string_object);
	for (int i = 0; i < 4; i++)
		assert_int_equal(f->params[i].loc, DWARF_LOC_REG);
	assert_int_equal(f->params[0].reg, DI);
	assert_int_equal(f->params[1].reg, SI);
	assert_int_equal(f->params[2].reg, DX);
	assert_int_equal(f->params[3].reg, CX);
	/* Cached: the same record. */
	assert_int_equal(dwarf_cache__func(dc, path, addr, &again, err, sizeof(err)), 0);
	assert_ptr_equal(f, again);
	dwarf_cache__free(dc);
}

static void test_addressbook(void **state)
{
	check_addressbook(T "addressbook");
}

static void test_debuglink(void **state)
{
	check_addressbook(T "addressbook_stripped");
}

/* -O0 locations are stack slots valid after the prologue: the argument
 * registers are used at entry instead. */
static void test_O0(void **state)
{
	check_addressbook(T "addressbook_O0");
}

static void test_no_dwarf(void **state)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	const struct dwarf_func *f;
	uint64_t addr = FUNC("addressbook_nodwarf", "AddContact");
	char err[512];

	assert_int_equal(dwarf_cache__func(dc, T "addressbook_nodwarf", addr, &f, err,
					   sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no debug information"));
	assert_int_equal(dwarf_cache__func(dc, T "nosuchfile", 0x1000, &f, err, sizeof(err)),
			 -ENOENT);
	dwarf_cache__free(dc);
}

static void test_no_function(void **state)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	const struct dwarf_func *f;
	char err[512];

	assert_int_equal(dwarf_cache__func(dc, T "tracee", 0x1, &f, err, sizeof(err)), -ENOENT);
	dwarf_cache__free(dc);
	dwarf_cache__free(NULL);
}

/* C parameters, and their use in fetch expressions. */
static void test_fetch(void **state)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	const struct dwarf_func *f;
	struct fetch_param params[2];
	struct fetch_env env = { .kind = FETCH_ENTRY, .params = params, .nparams = 2 };
	struct fetch_plan plan;
	char err[512];
	int idx;

	assert_int_equal(dwarf_cache__func(dc, T "tracee", FUNC("tracee", "label"), &f, err,
					   sizeof(err)), 0);
	assert_int_equal(f->nparams, 2);
	assert_string_equal(f->params[0].type, "const char *");
	assert_string_equal(f->params[0].fetch_type, "char *");
	assert_string_equal(f->params[1].fetch_type, "s32");
	assert_int_equal(dwarf_param__to_fetch(&f->params[0], &params[0]), 0);
	assert_int_equal(dwarf_param__to_fetch(&f->params[1], &params[1]), 0);
	fetch_plan__init(&plan);
	idx = fetch_plan__add(&plan, "text", NULL, &env, err, sizeof(err));
	assert_int_equal(idx, 0);
	assert_int_equal(plan.values[0].type.vtype, FETCH_T_STRING);
	assert_int_equal(plan.prog.ops[0].code, FOP_REG);
	assert_int_equal(plan.prog.ops[0].imm, DI);
	assert_int_equal(plan.prog.ops[1].code, FOP_STR);
	idx = fetch_plan__add(&plan, "n", NULL, &env, err, sizeof(err));
	assert_int_equal(plan.values[idx].type.vtype, FETCH_T_SIGNED);
	assert_int_equal(plan.values[idx].type.size, 4);
	dwarf_cache__free(dc);
}

/* A std::string reads through its data pointer as a string, and stays
 * the object's address as a number. */
static void test_string_object(void **state)
{
	struct fetch_param p = { .name = "name", .reg = SI, .type = "std::string&",
				 .string_object = true };
	struct fetch_env env = { .kind = FETCH_ENTRY, .params = &p, .nparams = 1 };
	struct fetch_plan plan;
	char err[512];

	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__add(&plan, "name", NULL, &env, err, sizeof(err)), 0);
	assert_int_equal(plan.prog.nops, 3);
	assert_int_equal(plan.prog.ops[0].code, FOP_REG);
	assert_int_equal(plan.prog.ops[1].code, FOP_DEREF);
	assert_int_equal(plan.prog.ops[2].code, FOP_STR);
	fetch_plan__init(&plan);
	assert_int_equal(fetch_plan__add(&plan, "*(name+8)", "u64", &env, err, sizeof(err)), 0);
	assert_int_equal(plan.prog.ops[0].code, FOP_REG);
	assert_int_equal(plan.prog.ops[1].code, FOP_ADD);
	assert_int_equal(plan.prog.ops[2].code, FOP_DEREF);
	assert_int_equal(plan.prog.ops[3].code, FOP_STORE);
}

/* $entry() values: slots the tool fills before the fetch runs. */
static void test_in_data(void **state)
{
	struct fetch_param p = { .name = "__latency", .reg = -1, .type = "u64", .in_data = true,
				 .data_off = 0 };
	struct fetch_env env = { .kind = FETCH_RETURN, .params = &p, .nparams = 1 };
	struct fetch_plan plan;
	char err[512];

	fetch_plan__init(&plan);
	plan.prog.data_size = 8;
	assert_int_equal(fetch_plan__add(&plan, "__latency", NULL, &env, err, sizeof(err)), 0);
	assert_int_equal(plan.prog.ops[0].code, FOP_SLOT);
	assert_int_equal(plan.prog.ops[0].off, 0);
	assert_int_equal(plan.values[0].off, 8);
	env.names_later = true;
	assert_true(fetch_plan__add(&plan, "unknown", NULL, &env, err, sizeof(err)) >= 0);
	env.names_later = false;
	assert_int_equal(fetch_plan__add(&plan, "unknown", NULL, &env, err, sizeof(err)), -EINVAL);
}

/*
 * Go: parameters in the registers of Go's register ABI, from location
 * lists; its results, listed as parameters marked variable, left out.
 */
static void test_go(void **state)
{
	static const int go_regs[] = { 10, 5, 11, 14, 13, 9, 8, 7, 6 };	/* rax rbx rcx ... r11 */
	struct dwarf_cache *dc = dwarf_cache__new();
	const struct dwarf_func *f;
	const char *producer;
	char err[512];

	assert_int_equal(dwarf_cache__func(dc, T "goprog", FUNC("goprog", "main.alpha"), &f,
					   err, sizeof(err)), 0);
	assert_string_equal(f->name, "main.alpha");
	assert_int_equal(f->nparams, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(f->params[i].name[0], "abc"[i]);
		assert_string_equal(f->params[i].type, "int");
		assert_string_equal(f->params[i].fetch_type, "s64");
		assert_int_equal(f->params[i].loc, DWARF_LOC_REG);
		assert_int_equal(f->params[i].reg, go_regs[i]);
	}
	assert_int_equal(dwarf_cache__func(dc, T "goprog", FUNC("goprog", "main.nine"), &f,
					   err, sizeof(err)), 0);
	assert_int_equal(f->nparams, 9);
	for (int i = 0; i < 9; i++)
		assert_int_equal(f->params[i].reg, go_regs[i]);

	assert_int_equal(dwarf_cache__producer(dc, T "goprog", FUNC("goprog", "main.nine"),
					       &producer), 0);
	assert_non_null(strstr(producer, DWARF_GO_PRODUCER " go1."));
	assert_int_equal(dwarf_cache__producer(dc, T "goprog", 0x10, &producer), -ENOENT);
	assert_int_equal(dwarf_cache__producer_prefix(dc, T "goprog", DWARF_GO_PRODUCER,
						      &producer), 0);
	assert_int_equal(dwarf_cache__producer(dc, T "tracee", FUNC("tracee", "main"),
					       &producer), 0);
	assert_non_null(strstr(producer, "GNU C"));
	assert_int_equal(dwarf_cache__producer_prefix(dc, T "tracee", DWARF_GO_PRODUCER,
						      &producer), -ENOENT);
	assert_int_equal(dwarf_cache__producer_prefix(dc, T "addressbook_nodwarf",
						      DWARF_GO_PRODUCER, &producer), -ENOENT);
	dwarf_cache__free(dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addressbook),
		cmocka_unit_test(test_debuglink),
		cmocka_unit_test(test_O0),
		cmocka_unit_test(test_no_dwarf),
		cmocka_unit_test(test_no_function),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_string_object),
		cmocka_unit_test(test_in_data),
		cmocka_unit_test(test_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
