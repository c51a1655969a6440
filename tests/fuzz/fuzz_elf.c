// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: an ELF image through elf_file__open_mem(), then every
 * reader of it: symbols (all sources), vaddr <-> offset, build-id, file
 * reads and USDT notes. The debug root points nowhere, so no host file
 * is read by build-id.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct elf_sym *syms;
	const struct usdt_note *notes;
	struct elf_file *ef;
	uint8_t bid[64], buf[16];
	size_t n = 0, i;
	uint64_t off, va;

	ef = elf_file__open_mem(data, size, "/nonexistent/cotrace-fuzz/a.out");
	if (!ef)
		return 0;
	elf_file__type(ef);
	elf_file__is_go(ef);
	/* The version must be a NUL-terminated string in bounds when found. */
	if (!elf_file__go_version(ef, (char *)bid, sizeof(bid)) &&
	    strlen((char *)bid) >= sizeof(bid))
		__builtin_trap();
	elf_file__build_id(ef, bid, sizeof(bid));
	if (!elf_file__load_symbols(ef, "/nonexistent/cotrace-fuzz")) {
		syms = elf_file__symbols(ef, &n);
		for (i = 0; i < n; i++) {
			/* Touch every string: it must be NUL-terminated in bounds. */
			if (strlen(syms[i].name) == (size_t)-1)
				__builtin_trap();
			if (!elf_file__vaddr_to_offset(ef, syms[i].vaddr, &off)) {
				elf_file__offset_to_vaddr(ef, off, &va);
				elf_file__read(ef, off, buf, sizeof(buf));
			}
		}
	}
	if (!elf_file__usdt_notes(ef, &notes, &n)) {
		for (i = 0; i < n; i++) {
			if (strlen(notes[i].provider) + strlen(notes[i].name) +
			    strlen(notes[i].args) == (size_t)-1)
				__builtin_trap();
			elf_file__vaddr_to_offset(ef, notes[i].pc, &off);
		}
	}
	/* Offsets taken from the input itself. */
	if (size >= 8) {
		memcpy(&off, data + size - 8, 8);
		if (!elf_file__offset_to_vaddr(ef, off, &va))
			elf_file__vaddr_to_offset(ef, va, &off);
		elf_file__read(ef, off, buf, sizeof(buf));
	}
	elf_file__free(ef);
	return 0;
}
