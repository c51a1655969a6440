// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the raw-offset check of common/insn.c. The input is
 * a flag byte, an 8-byte file offset and the rest; the rest goes to the
 * decoder as bytes (insn__check_boundary(), the target taken from the
 * offset), and as an ELF image to insn__check_raw_offset() at the offset
 * given and at the first bytes of every function symbol, with the flags
 * of the first byte (--unsafe, return probe). Every refusal must come
 * with its sentence.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/elf.h"
#include "common/insn.h"

static void check(struct elf_file *ef, uint64_t off, unsigned flags)
{
	char err[512];
	int r;

	err[0] = '\0';
	r = insn__check_raw_offset(ef, off, "fuzz", flags, err, sizeof(err));
	if (r > 0 || (r < 0 && !err[0]))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct elf_sym *syms;
	const uint8_t *rest;
	struct elf_file *ef;
	uint64_t off, start, voff;
	unsigned flags;
	size_t n = 0, len, isize;

	if (size < 9)
		return 0;
	flags = data[0] & (INSN_F_UNSAFE | INSN_F_FUNC_START);
	memcpy(&off, data + 1, 8);
	rest = data + 9;
	len = size - 9;

	insn__check_boundary(rest, len, 0x1000, 0x1000 + off % (len + 1), &start, &isize);

	ef = elf_file__open_mem(rest, len, "/nonexistent/cotrace-fuzz/a.out");
	if (!ef)
		return 0;
	check(ef, off, flags);
	check(ef, off % (len + 1), flags);
	if (!elf_file__load_symbols(ef, "/nonexistent/cotrace-fuzz")) {
		syms = elf_file__symbols(ef, &n);
		for (size_t i = 0; i < n && i < 64; i++) {
			if (elf_file__vaddr_to_offset(ef, syms[i].vaddr, &voff))
				continue;
			for (uint64_t k = 0; k < 4; k++)
				check(ef, voff + k, flags);
		}
	}
	elf_file__free(ef);
	return 0;
}
