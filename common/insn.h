/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * insn: is a raw file offset a safe place for a breakpoint? A uprobe
 * writes int3 over the byte at its offset in every process that maps the
 * file: in data it corrupts what programs read (the ELF header, strings),
 * in the middle of an instruction it changes the instruction and the
 * program crashes. So an offset must lie in an executable segment, and on
 * the first byte of an instruction, found by decoding the x86-64
 * instructions (capstone) from the start of the function that holds it.
 */
#ifndef COTRACE_INSN_H
#define COTRACE_INSN_H

#include <stddef.h>
#include <stdint.h>

struct elf_file;

/* The longest x86-64 instruction, in bytes. */
#define INSN_MAX_LEN 15

/*
 * The most bytes decoded from a function's start to reach an offset: the
 * bytes come from an untrusted file, and the work must stay bounded.
 * Farther offsets cannot be checked.
 */
#define INSN_SCAN_MAX (4u << 20)

/*
 * Decode the instructions of @code (@len bytes; the first one at address
 * @addr) one after the other up to address @target. Returns 0 when an
 * instruction starts at @target; -EINVAL when @target is inside one, whose
 * address and length are stored in *@start and *@size; -EILSEQ when the
 * bytes before @target do not decode (*@start: the first that does not,
 * *@size 0); -ERANGE when @target is outside [@addr, @addr + @len]; -ENOMEM.
 * Reads nothing outside @code.
 */
int insn__check_boundary(const uint8_t *code, size_t len, uint64_t addr, uint64_t target,
			 uint64_t *start, size_t *size);

enum {
	/* --unsafe: skip the checks that cannot be done (no symbol covers
	 * the offset, or its function does not decode); the segment and
	 * section checks are never skipped. */
	INSN_F_UNSAFE = 1 << 0,
	/* A return probe: the offset must be the start of a function (a
	 * uretprobe replaces the word on top of the stack with its
	 * trampoline's address, and only at a function's start is that word
	 * surely the return address). */
	INSN_F_FUNC_START = 1 << 1,
};

/*
 * Check that a uprobe at file @offset of @ef is safe: in the file part of
 * an executable PT_LOAD segment, in a section of code where the file has
 * section headers, and at the start of an instruction (or, with
 * INSN_F_FUNC_START, of a function), decoded from the start of the
 * function symbol that holds it (elf_file__load_symbols(): .symtab, debug
 * file, MiniDebugInfo, .dynsym). @display names the file in messages.
 * Returns 0, or a negative errno with one sentence in @err:
 *   -ENOEXEC   not in code (outside executable segments, or a data section)
 *   -EINVAL    inside an instruction, or not a function's start
 *   -ENODATA   cannot be checked (no symbol covers it, its function does not
 *              decode or is too large) and INSN_F_UNSAFE is not set
 *   -ENOMEM, or the error of reading the file or its symbols.
 */
int insn__check_raw_offset(struct elf_file *ef, uint64_t offset, const char *display,
			   unsigned flags, char *err, size_t errlen);

#endif
