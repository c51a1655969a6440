/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dwarf: a function's parameters (names, types, locations at the
 * function's entry) from DWARF through libdw, for -l -v listings and for
 * named arguments in fetch expressions (struct fetch_param).
 *
 * Locations are those valid at the entry address, where uprobes fire:
 * DW_OP_reg*, DW_OP_breg7 (%rsp) and DW_OP_fbreg with a frame base of
 * DW_OP_call_frame_cfa (at entry the CFA is %rsp + 8). A location that
 * only holds after the prologue (a spill slot below the CFA, a frame
 * base in %rbp, as -O0 code has) falls back to the SysV register the
 * parameter arrives in, when it is an integer or a pointer: the System V
 * register, or Go's register ABI's for a compile unit of Go's compiler
 * (whose results, listed as parameters, are left out).
 */
#ifndef COTRACE_DWARF_H
#define COTRACE_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ctype.h"

#define DWARF_MAX_PARAMS 16

enum dwarf_loc {
	DWARF_LOC_NONE,		/* not readable at entry (floats, structs by value) */
	DWARF_LOC_REG,		/* in a register */
	DWARF_LOC_STACK,	/* in memory at %rsp + stack_off */
};

struct dwarf_param {
	char *name;
	char *type;		/* as a C declaration: "const char *", "const std::string &" */
	char *fetch_type;	/* for fetch_type__parse(): "s32", "char *", "std::string&" */
	enum dwarf_loc loc;
	int reg;		/* struct pt_regs word index */
	int64_t stack_off;
	bool string_object;	/* a std::string, by reference, pointer or (invisible) value */
	bool has_ctype;
	struct ctype ctype;	/* its type, for members (ptr->field); valid with the cache */
};

struct dwarf_func {
	char *name;
	uint64_t vaddr;
	struct dwarf_param params[DWARF_MAX_PARAMS];
	size_t nparams;		/* parameters beyond DWARF_MAX_PARAMS are left out */
};

/* Open debug information, by file; functions found are kept. */
struct dwarf_cache;

/* NULL and errno on failure. */
struct dwarf_cache *dwarf_cache__new(void);
void dwarf_cache__free(struct dwarf_cache *dc);

/*
 * The function at link-time address @vaddr of ELF file @path, from the
 * file's DWARF or its separate debug file (build-id or .gnu_debuglink,
 * see elf_file__debug_path()). *@func is borrowed from @dc. Returns 0,
 * -ENOENT with one sentence in @err when the file has no debug
 * information or none for that address, or another negative errno.
 */
int dwarf_cache__func(struct dwarf_cache *dc, const char *path, uint64_t vaddr,
		      const struct dwarf_func **func, char *err, size_t errlen);

/* How Go's compiler starts the producer of its compile units. */
#define DWARF_GO_PRODUCER "Go cmd/compile"

/*
 * The DW_AT_producer of the compile unit of @path that holds link-time
 * address @vaddr ("GNU C17 12.2.0 -mtune=generic ...", "Go cmd/compile
 * go1.19.8; regabi"), borrowed from @dc. Returns 0, -ENOENT when there
 * is no such unit or producer, or another negative errno.
 */
int dwarf_cache__producer(struct dwarf_cache *dc, const char *path, uint64_t vaddr,
			  const char **producer);

/* The producer of the first compile unit of @path whose producer starts
 * with @prefix (borrowed from @dc). 0, -ENOENT or a negative errno. */
int dwarf_cache__producer_prefix(struct dwarf_cache *dc, const char *path, const char *prefix,
				 const char **producer);

/*
 * The types of @path's debug information (its own DWARF or its debug
 * file's), as a source for the expression compiler (common/ctype.h):
 * casts, signatures, members. Borrowed from @dc. NULL with errno set
 * (ENOENT: @path has no debug information).
 */
const struct ctype_src *dwarf_cache__types(struct dwarf_cache *dc, const char *path);

struct fetch_param;

/* Fill @fp to name @p in fetch expressions (@fp borrows @p's strings).
 * Returns 0, or -ENOENT when @p has no location at entry. */
int dwarf_param__to_fetch(const struct dwarf_param *p, struct fetch_param *fp);

#endif
