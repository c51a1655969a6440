/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * callconv: which calling convention a user function follows, so that
 * argN, retval and declared signatures read the right registers.
 *
 * C, C++ and the rest follow the System V AMD64 ABI: integer arguments in
 * rdi, rsi, rdx, rcx, r8, r9, the result in rax. Go 1.17 and later
 * (ABIInternal) pass integer arguments in rax, rbx, rcx, rdi, rsi, r8,
 * r9, r10, r11 and return results in the same registers; Go before 1.17
 * (ABI0) passes everything on the stack. A Go binary says which through
 * its toolchain version (.go.buildinfo) or its compile units' DWARF
 * producer ("Go cmd/compile go1.19.8; regabi"); a compile unit of another
 * compiler in it (cgo's C code) follows System V.
 */
#ifndef COTRACE_CALLCONV_H
#define COTRACE_CALLCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum callconv {
	CALLCONV_SYSV,		/* System V AMD64 (0: the default everywhere) */
	CALLCONV_GO_REGS,	/* Go's register ABI, Go 1.17 and later */
	CALLCONV_GO_STACK,	/* Go before 1.17: arguments and results on the stack */
	CALLCONV_GO_UNKNOWN,	/* a Go program that does not say which */
};

/* A short name for messages: "System V", "Go register ABI"... (static). */
const char *callconv__name(enum callconv conv);

/* How many integer arguments @conv passes in registers (0 for the Go
 * conventions without registers). */
unsigned callconv__nargs(enum callconv conv);

/* The struct pt_regs word (bpf/regs.h) of integer argument @n (from 1)
 * under @conv, or -1 when it is not in a register. */
int callconv__arg_reg(enum callconv conv, unsigned n);

/* The struct pt_regs word of the first integer result, or -1. */
int callconv__ret_reg(enum callconv conv);

/*
 * Parse a Go version ("go1.19.8", "go1.21rc2", "devel go1.22-abc...")
 * into *@conv: CALLCONV_GO_REGS from 1.17 on, else CALLCONV_GO_STACK.
 * Returns 0 or -EINVAL when @version names no Go 1.x release.
 */
int callconv__from_go_version(const char *version, enum callconv *conv);

/*
 * The convention of a compile unit from its DWARF producer: Go's
 * compiler with "regabi" gives CALLCONV_GO_REGS, Go's compiler of a
 * version before 1.17 CALLCONV_GO_STACK, another compiler
 * CALLCONV_SYSV. Returns 0, or -ENOENT when the producer does not
 * establish it (a Go producer of 1.17 or later without "regabi").
 */
int callconv__from_producer(const char *producer, enum callconv *conv);

struct dwarf_cache;
struct callconv_cache;

/* Conventions of files and functions, remembered by file. @dc (borrowed,
 * may be NULL: then no DWARF is read) reads the producers. NULL and errno
 * on failure. */
struct callconv_cache *callconv_cache__new(struct dwarf_cache *dc);
void callconv_cache__free(struct callconv_cache *cc);

struct callconv_info {
	enum callconv conv;
	bool go;		/* the file is a Go program */
	char why[160];		/* what established it, for -v; "" for a non-Go file */
};

/*
 * The convention of the function at link-time address @vaddr of ELF
 * file @path into @ci: a file that is not a Go program follows System V.
 * In a Go program: the producer of the compile unit holding @vaddr,
 * else the version in .go.buildinfo, else the producer of any Go
 * compile unit, else CALLCONV_GO_UNKNOWN. Returns 0, or a negative errno
 * when @path cannot be read (then @ci says System V).
 */
int callconv_cache__get(struct callconv_cache *cc, const char *path, uint64_t vaddr,
			struct callconv_info *ci);

/*
 * One sentence for -v: "PATH: Go register ABI (go1.19.8 in .go.buildinfo):
 * arg1..arg9 are %ax, %bx, ...; retval is %ax" into @buf. Returns @buf.
 */
char *callconv_info__describe(const struct callconv_info *ci, const char *path, char *buf,
			      size_t len);

#endif
