// SPDX-License-Identifier: GPL-2.0-only
/*
 * insn: raw offsets checked against the file's segments, sections,
 * function symbols and x86-64 instructions before a breakpoint is written
 * there.
 *
 * The file is untrusted: a symbol's start and size come from it, so the
 * bytes decoded are bounded (INSN_SCAN_MAX), read through
 * elf_file__read() (short at the end of the file), and the decoder is told
 * how many bytes it has. A linear decode from a function's start finds its
 * instruction boundaries in compiled code, which keeps no data between the
 * instructions of a function on x86-64 (jump tables live in .rodata).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>

#include "common/elf.h"
#include "common/demangle.h"
#include "common/insn.h"

int insn__check_boundary(const uint8_t *code, size_t len, uint64_t addr, uint64_t target,
			 uint64_t *start, size_t *size)
{
	const uint8_t *p = code;
	uint64_t pc = addr;
	size_t left = len;
	cs_insn *insn;
	csh h;
	int ret = 0;

	if (target < addr || target - addr > len)
		return -ERANGE;
	if (target == addr)
		return 0;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -ENOMEM;
	insn = cs_malloc(h);
	if (!insn) {
		ret = -ENOMEM;
		goto out_close;
	}
	/* Every step advances pc by at least one byte: at most len steps. */
	while (pc < target) {
		uint64_t at = pc;

		if (!cs_disasm_iter(h, &p, &left, &pc, insn)) {
			*start = at;
			*size = 0;
			ret = -EILSEQ;
			break;
		}
		if (pc > target) {
			*start = at;
			*size = insn->size;
			ret = -EINVAL;
			break;
		}
	}
	cs_free(insn, 1);
out_close:
	cs_close(&h);
	return ret;
}

/* The function symbol that holds @vaddr, nearest start first; NULL if none.
 * One that starts at @vaddr is returned even with size 0. */
static const struct elf_sym *enclosing_func(const struct elf_sym *syms, size_t n, uint64_t vaddr)
{
	const struct elf_sym *best = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct elf_sym *s = &syms[i];

		if (s->vaddr > vaddr)
			break;	/* sorted by vaddr */
		if (s->vaddr != vaddr && vaddr - s->vaddr >= s->size)
			continue;
		if (!best || s->vaddr > best->vaddr)
			best = s;
	}
	return best;
}

/* @sym's name for messages: demangled when it is a C++ name. */
static void func_name(const struct elf_sym *sym, char *buf, size_t len)
{
	char *d = NULL;

	if (sym->name[0] == '_' && sym->name[1] == 'Z')
		d = demangle__cxx(sym->name);
	snprintf(buf, len, "%s", d ? d : sym->name);
	free(d);
}

/* Not in code: outside loaded or executable segments, or in a section of data. */
static int check_code(const struct elf_file *ef, uint64_t offset, const char *display,
		      char *err, size_t errlen)
{
	const char *sec;
	uint64_t vaddr;
	bool code;
	int ret;

	if (elf_file__offset_to_vaddr(ef, offset, &vaddr)) {
		snprintf(err, errlen, "offset 0x%" PRIx64 " is not in a loaded segment of %s",
			 offset, display);
		return -ENOENT;
	}
	if (!elf_file__is_exec_offset(ef, offset)) {
		snprintf(err, errlen, "offset 0x%" PRIx64 " of %s is not in an executable segment: "
			 "a breakpoint there would corrupt data", offset, display);
		return -ENOEXEC;
	}
	ret = elf_file__section_at_offset(ef, offset, &sec, &code);
	if (ret == -ENODATA || (!ret && code))
		return 0;	/* no section headers: the segment is all we know */
	if (!ret)
		snprintf(err, errlen, "offset 0x%" PRIx64 " of %s is in section %s, which is not "
			 "code: a breakpoint there would corrupt data", offset, display, sec);
	else if (ret == -ENOENT)
		snprintf(err, errlen, "offset 0x%" PRIx64 " of %s is in no section of code: a "
			 "breakpoint there would corrupt data", offset, display);
	else
		snprintf(err, errlen, "'%s' has corrupt section headers", display);
	return ret == -EINVAL ? -EINVAL : -ENOEXEC;
}

/* The sentence for a check that cannot be done without --unsafe. */
static int cannot_check(uint64_t offset, const char *display, unsigned flags, const char *why,
			char *err, size_t errlen)
{
	snprintf(err, errlen, "offset 0x%" PRIx64 " of %s cannot be checked to be the start of "
		 "%s (%s): --unsafe probes it anyway", offset, display,
		 flags & INSN_F_FUNC_START ? "a function" : "an instruction", why);
	return -ENODATA;
}

/*
 * Decode @fn (called @name) from its start up to @offset, whose address is
 * @vaddr. Returns 0 at the start of an instruction; -EINVAL inside one,
 * with the sentence in @err; -ENODATA when the decode cannot tell, with
 * the reason in @why; -ENOMEM or the error of reading the file.
 */
static int check_in_func(struct elf_file *ef, const struct elf_sym *fn, const char *name,
			 uint64_t offset, uint64_t vaddr, const char *display, char *why,
			 size_t whylen, char *err, size_t errlen)
{
	uint64_t foff, start = 0;
	size_t span, isize = 0;
	uint8_t *buf;
	ssize_t n;
	int ret;

	/* The function must map to the same file bytes as the offset. */
	if (elf_file__vaddr_to_offset(ef, fn->vaddr, &foff) || foff > offset ||
	    offset - foff != vaddr - fn->vaddr) {
		snprintf(why, whylen, "%s is not in its segment", name);
		return -ENODATA;
	}
	span = offset - foff;
	if (span > INSN_SCAN_MAX) {
		snprintf(why, whylen, "it is more than %u MiB into %s", INSN_SCAN_MAX >> 20, name);
		return -ENODATA;
	}
	buf = malloc(span + INSN_MAX_LEN);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = elf_file__read(ef, foff, buf, span + INSN_MAX_LEN);
	ret = n < 0 ? (int)n : insn__check_boundary(buf, n, foff, offset, &start, &isize);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", display, strerror(-ret));
	} else if (ret == -EINVAL) {
		snprintf(err, errlen, "offset 0x%" PRIx64 " of %s is inside an instruction of %s, "
			 "where a breakpoint would crash the program (the nearest instructions "
			 "start at 0x%" PRIx64 " and 0x%" PRIx64 ")", offset, display, name, start,
			 start + isize);
	} else if (ret == -EILSEQ || ret == -ERANGE) {
		/* -ERANGE: the file ends before the offset's bytes. */
		snprintf(why, whylen, "the code of %s before it does not decode", name);
		ret = -ENODATA;
	} else if (ret == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
	}
	free(buf);
	return ret;
}

int insn__check_raw_offset(struct elf_file *ef, uint64_t offset, const char *display,
			   unsigned flags, char *err, size_t errlen)
{
	const struct elf_sym *syms, *fn;
	char name[256], why[384] = "";
	uint64_t vaddr;
	size_t nsyms;
	int ret;

	ret = check_code(ef, offset, display, err, errlen);
	if (ret)
		return ret;
	elf_file__offset_to_vaddr(ef, offset, &vaddr);	/* cannot fail after check_code() */
	ret = elf_file__load_symbols(ef, NULL);
	if (ret) {
		snprintf(err, errlen, "cannot read the symbols of %s: %s", display, strerror(-ret));
		return ret;
	}
	syms = elf_file__symbols(ef, &nsyms);
	fn = enclosing_func(syms, nsyms, vaddr);
	if (!fn) {
		snprintf(why, sizeof(why), "no function symbol holds it");
		ret = -ENODATA;
	} else if (fn->vaddr != vaddr) {
		func_name(fn, name, sizeof(name));
		if (flags & INSN_F_FUNC_START) {
			snprintf(err, errlen, "offset 0x%" PRIx64 " of %s is inside %s, not at its "
				 "start (0x%" PRIx64 "), and a return probe takes the top of the "
				 "stack for the return address, which only a function's start "
				 "guarantees", offset, display, name, offset - (vaddr - fn->vaddr));
			ret = -EINVAL;
		} else {
			ret = check_in_func(ef, fn, name, offset, vaddr, display, why, sizeof(why),
					    err, errlen);
		}
	}
	/* A check that cannot be done: only --unsafe goes on. */
	if (ret == -ENODATA)
		ret = flags & INSN_F_UNSAFE ? 0 : cannot_check(offset, display, flags, why, err,
							       errlen);
	return ret;
}
