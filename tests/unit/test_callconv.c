// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/callconv.c: versions, producers, registers, and the
 * convention of real files (a Go program, a C program, a fake Go one). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/unit_util.h"

#include "bpf/regs.h"
#include "common/callconv.h"
#include "common/dwarf.h"
#include "common/elf.h"

#define T "build/tests/targets/"

/* The address of the symbol @name of target @file. */
#define SYM(file, name) elf_sym_addr(T file, name, false)

static void test_versions(void **state)
{
	static const struct { const char *v; int ret; enum callconv conv; } cases[] = {
		{ "go1.19.8", 0, CALLCONV_GO_REGS },
		{ "go1.17", 0, CALLCONV_GO_REGS },
		{ "go1.21rc2", 0, CALLCONV_GO_REGS },
		{ "go1.18beta1", 0, CALLCONV_GO_REGS },
		{ "devel go1.22-4c08c12 Mon Jan 1", 0, CALLCONV_GO_REGS },
		{ "go1.16.15", 0, CALLCONV_GO_STACK },
		{ "go1.9", 0, CALLCONV_GO_STACK },
		{ "go1.", -EINVAL, 0 },
		{ "go1.x", -EINVAL, 0 },
		{ "go1.19x", -EINVAL, 0 },
		{ "ergo1.19", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ NULL, -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum callconv c = CALLCONV_GO_UNKNOWN;

		assert_int_equal(callconv__from_go_version(cases[i].v, &c), cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(c, cases[i].conv);
	}
}

static void test_producers(void **state)
{
	enum callconv c;

	assert_int_equal(callconv__from_producer("Go cmd/compile go1.19.8; regabi", &c), 0);
	assert_int_equal(c, CALLCONV_GO_REGS);
	assert_int_equal(callconv__from_producer("Go cmd/compile go1.16.2", &c), 0);
	assert_int_equal(c, CALLCONV_GO_STACK);
	assert_int_equal(callconv__from_producer("GNU C17 12.2.0 -mtune=generic -O1", &c), 0);
	assert_int_equal(c, CALLCONV_SYSV);
	/* Go 1.17 or later without the register ABI: not established. */
	assert_int_equal(callconv__from_producer("Go cmd/compile go1.19.8", &c), -ENOENT);
	assert_int_equal(callconv__from_producer("Go cmd/compile", &c), -ENOENT);
}

static void test_registers(void **state)
{
	static const int sysv[] = { PT_DI, PT_SI, PT_DX, PT_CX, PT_R8, PT_R9 };
	static const int go[] = { PT_AX, PT_BX, PT_CX, PT_DI, PT_SI, PT_R8, PT_R9, PT_R10,
				  PT_R11 };

	assert_int_equal(callconv__nargs(CALLCONV_SYSV), 6);
	assert_int_equal(callconv__nargs(CALLCONV_GO_REGS), 9);
	assert_int_equal(callconv__nargs(CALLCONV_GO_STACK), 0);
	assert_int_equal(callconv__nargs(CALLCONV_GO_UNKNOWN), 0);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(callconv__arg_reg(CALLCONV_SYSV, i + 1), sysv[i]);
	for (unsigned i = 0; i < 9; i++)
		assert_int_equal(callconv__arg_reg(CALLCONV_GO_REGS, i + 1), go[i]);
	assert_int_equal(callconv__arg_reg(CALLCONV_SYSV, 0), -1);
	assert_int_equal(callconv__arg_reg(CALLCONV_SYSV, 7), -1);
	assert_int_equal(callconv__arg_reg(CALLCONV_GO_REGS, 10), -1);
	assert_int_equal(callconv__arg_reg(CALLCONV_GO_STACK, 1), -1);
	assert_int_equal(callconv__ret_reg(CALLCONV_SYSV), PT_AX);
	assert_int_equal(callconv__ret_reg(CALLCONV_GO_REGS), PT_AX);
	assert_int_equal(callconv__ret_reg(CALLCONV_GO_UNKNOWN), -1);
	/* The pt_regs words are the UAPI's (arch/x86/include/uapi/asm/ptrace.h). */
	assert_int_equal(PT_AX, 10);
	assert_int_equal(PT_DI, 14);
	assert_int_equal(PT_SP, 19);
	assert_int_equal(PT_NREGS, 21);
	assert_string_equal(regs_names[PT_R11], "r11");
}

static void test_files(void **state)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	struct callconv_cache *cc = callconv_cache__new(dc), *nodw = callconv_cache__new(NULL);
	struct callconv_info ci;
	char line[512];

	assert_non_null(cc);
	/* Go 1.19 (the toolchain here): its version, then its functions' units. */
	assert_int_equal(callconv_cache__get(cc, T "goprog", SYM("goprog", "main.alpha"),
					     &ci), 0);
	assert_true(ci.go);
	assert_int_equal(ci.conv, CALLCONV_GO_REGS);
	assert_non_null(strstr(ci.why, "in .go.buildinfo"));
	callconv_info__describe(&ci, "goprog", line, sizeof(line));
	assert_non_null(strstr(line, "goprog: a Go program, Go register ABI (go1."));
	assert_non_null(strstr(line, "arg1..arg9 are %ax %bx %cx %di %si %r8 %r9 %r10 %r11, "
				     "retval is %ax"));
	/* A C program. */
	assert_int_equal(callconv_cache__get(cc, T "calls", SYM("calls", "foo"), &ci), 0);
	assert_false(ci.go);
	assert_int_equal(ci.conv, CALLCONV_SYSV);
	/*
	 * fakego: a C program with a .gopclntab section. It names no Go
	 * version, and no unit of Go's compiler: the convention is unknown,
	 * except in its C compile units, which are System V (as cgo's are).
	 */
	assert_int_equal(callconv_cache__get(cc, T "fakego", 0x1, &ci), 0);
	assert_true(ci.go);
	assert_int_equal(ci.conv, CALLCONV_GO_UNKNOWN);
	callconv_info__describe(&ci, "fakego", line, sizeof(line));
	assert_non_null(strstr(line, "argN and retval cannot be read"));
	assert_int_equal(callconv_cache__get(cc, T "fakego", SYM("fakego", "sleep_ms"),
					     &ci), 0);
	assert_int_equal(ci.conv, CALLCONV_SYSV);
	assert_non_null(strstr(ci.why, "DWARF producer 'GNU C"));
	/* Without DWARF, the file's word only. */
	assert_int_equal(callconv_cache__get(nodw, T "fakego", SYM("fakego", "sleep_ms"),
					     &ci), 0);
	assert_int_equal(ci.conv, CALLCONV_GO_UNKNOWN);
	assert_int_equal(callconv_cache__get(cc, T "nosuchfile", 0x1000, &ci), -ENOENT);
	assert_int_equal(ci.conv, CALLCONV_SYSV);
	callconv_cache__free(nodw);
	callconv_cache__free(cc);
	callconv_cache__free(NULL);
	dwarf_cache__free(dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_producers),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
