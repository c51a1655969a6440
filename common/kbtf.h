/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kbtf: a kernel function's parameters from the kernel's BTF, for named
 * arguments of kprobes in fetch expressions (struct fetch_param) and for
 * -l -v listings.
 *
 * At a kprobe on a function's entry the arguments are where the SysV
 * x86-64 ABI puts them: integers and pointers in rdi, rsi, rdx, rcx, r8,
 * r9 in order; a struct or union passed by value takes one or two of
 * those registers (up to 16 bytes) or none (larger: memory), and an
 * argument that does not fit in the registers left goes to the stack
 * whole, while later ones may still take a register. Only a parameter
 * that sits alone in one register can be named: an integer, an enum,
 * bool or a pointer. Pointers to char read as strings; other pointers
 * are addresses (hex).
 *
 * The BTF describes the function as declared. pahole (1.25+) leaves out
 * functions whose compiled signature differs from the declaration (GCC's
 * .isra/.constprop clones); those have no BTF here, and named parameters
 * are unknown for them. Module functions are not looked up (vmlinux only).
 */
#ifndef COTRACE_KBTF_H
#define COTRACE_KBTF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/ctype.h"

#define KBTF_MAX_PARAMS 16
#define KBTF_DECL_LEN 160

struct btf;
struct fetch_param;

struct kbtf_param {
	const char *name;		/* borrowed from the BTF; "" when unnamed */
	char decl[KBTF_DECL_LEN];	/* C declaration with the name: "const char *filename" */
	const char *fetch_type;		/* for fetch_type__parse(): "char *", "s32", "x64"...;
					 * NULL when the value cannot be read (see @why_not) */
	int reg;			/* struct pt_regs word index, or -1 */
	const char *why_not;		/* when not readable: why, a sentence fragment */
	bool has_ctype;
	struct ctype ctype;		/* its type (the kernel's BTF only), for members */
};

struct kbtf_func {
	const char *name;		/* borrowed from the BTF */
	char ret_decl[KBTF_DECL_LEN];	/* the return type with the name "retval"; "void" */
	const char *ret_fetch_type;	/* NULL for void and values not in %rax alone */
	struct kbtf_param params[KBTF_MAX_PARAMS];
	size_t nparams;			/* parameters beyond KBTF_MAX_PARAMS are left out */
	bool varargs;
};

/*
 * The running kernel's BTF (/sys/kernel/btf/vmlinux), loaded on the first
 * call and kept for the life of the process, so that a run loads it once
 * whoever asks (the tools for names, common/attach.c for trampolines).
 * Borrowed: never free it. NULL with errno set when the kernel has none.
 */
struct btf *kbtf__vmlinux(void);

/* The type id of function @name in @btf, or -ENOENT. For the kernel's
 * BTF, from a table built on the first call (one pass over the types). */
int kbtf__func_id(const struct btf *btf, const char *name);

/*
 * Describe kernel function @name from @btf into @f (@f borrows @btf's
 * strings: keep @btf alive while @f is used). Returns 0, -ENOENT when
 * @btf has no function of that name, or -EINVAL when its type is not a
 * function prototype.
 */
int kbtf__func(const struct btf *btf, const char *name, struct kbtf_func *f);

/*
 * Write into @buf (@len bytes, NUL-terminated, cut if need be) the names
 * @f offers, for an "unknown name" message: "F's parameters are a, b, c"
 * or "F has no named parameters". Returns @buf.
 */
char *kbtf_func__describe(const struct kbtf_func *f, char *buf, size_t len);

/*
 * Map BTF type @id, the type of an argument or a return value, to a
 * fetch_type__parse() type. Sets *@nregs to the argument registers a
 * value of that type takes (0: passed in memory) and returns the type
 * string (static), or NULL with *@why_not set when the value cannot be
 * read as one number or string.
 */
const char *kbtf__fetch_type(const struct btf *btf, unsigned id, int *nregs,
			     const char **why_not);

/*
 * Fill @fp to name @p in fetch expressions (@fp borrows @p's strings). A
 * parameter that cannot be read is still filled, as unavailable, so that
 * using it gives its reason. Returns 0, or -ENOENT when @p has no name.
 */
int kbtf_param__to_fetch(const struct kbtf_param *p, struct fetch_param *fp);

/*
 * The kernel's BTF as a source of types for the expression compiler
 * (common/ctype.h): casts, signatures and members of kernel structures
 * ($task->tgid). One per process, never freed; the BTF is read on the
 * first lookup (kbtf__vmlinux()), and a kernel without BTF knows no type.
 */
const struct ctype_src *kbtf__types(void);

/* Make @src a type source over @btf (borrowed; for tests), named @what. */
void kbtf__types_init(struct ctype_src *src, const struct btf *btf, const char *what);

#endif
