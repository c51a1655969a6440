/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fetch: compile argument expressions and filters into the fetch
 * operations that bpf/lib/fetch.bpf.h interprets (ABI in bpf/fetch.h).
 *
 * Expressions (x86-64):
 *   arg1..arg6 $arg1..$arg6     integer argument registers of the function's calling
 *                               convention (struct fetch_env's conv): System V, or
 *                               arg1..arg9 in Go's register ABI (USDT: bpf_usdt_arg())
 *   retval $retval              return value (return probes only)
 *   %di %si %ax %rsp %r8 ...    registers, ftrace names (with or without 'r')
 *   $stack $stackN              stack pointer, Nth word on the stack
 *   $comm $pid $tid $uid $gid $cpu $ktime   (also $tgid, and in capitals: $PID)
 *   $task                       the current task_struct (kernel BTF): $task->tgid
 *   args->FIELD                 tracepoint field (from its format file)
 *   ctx->REG                    a register by its struct pt_regs name (ctx->dx)
 *   +8(%di) -4(%sp) +0(+8(arg1)) *(arg2+16) *arg2    memory (user space)
 *   argN@user                   a kernel function's pointer into user memory
 *   123 0x1f -5                 immediates
 * Typed values (parameters with DWARF or BTF types, signatures, casts)
 * follow C: p->member, s.member, p[3], *p, &p->member, (struct x *)arg1,
 * (int)retval, p + 1 moving by elements; types come from the sources of
 * struct fetch_env (common/ctype.h). Each may end with :TYPE, where TYPE
 * is u8..u64, s8..s64, x8..x64, string/ustring, or a C type (int, long,
 * size_t, char *...). A string of "+OFF(...)" is read at that address,
 * ftrace's rule; a char array is read where it is; any other string
 * expression is a pointer to the string.
 *
 * Arithmetic and filters: C expressions over such values: == != < <= >
 * >= && || ! & | ^ + - * / % << >> ~, casts, parentheses, and
 * STRCMP("literal", expr).
 */
#ifndef COTRACE_FETCH_H
#define COTRACE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/fetch.h"
#include "common/callconv.h"
#include "common/ctype.h"

#define FETCH_MAX_VALUES 16	/* expressions per site, filter operands included */
#define FETCH_STR_DEFAULT 80	/* bcc trace's default string size */

/* A tracepoint's field, from events/CAT/EVENT/format. */
struct tp_field {
	char *name;
	char *type;		/* as declared: "const char * filename", "char comm[16]" */
	unsigned offset, size;
	bool is_signed;
	bool data_loc;		/* __data_loc: a u32 (length << 16 | offset) */
	bool is_string;		/* char[N] or __data_loc char[] */
	bool is_pointer;
};

struct tp_format {
	struct tp_field *fields;
	size_t count;
};

/* Parse the text of a tracepoint format file. Returns 0, or -EINVAL /
 * -ENOMEM with one sentence in @err. Free with tp_format__fini(). */
int tp_format__parse(struct tp_format *f, const char *text, char *err, size_t errlen);
/* Read @tracefs/events/@cat/@event/format and parse it; -ENOENT if absent. */
int tp_format__load(struct tp_format *f, const char *tracefs, const char *cat, const char *event,
		    char *err, size_t errlen);
/* The field named @name or NULL (borrowed). */
const struct tp_field *tp_format__find(const struct tp_format *f, const char *name);
void tp_format__fini(struct tp_format *f);

enum fetch_kind {
	FETCH_ENTRY,		/* uprobe at a function's entry (or a raw offset) */
	FETCH_RETURN,		/* uretprobe */
	FETCH_USDT,
	FETCH_TRACEPOINT,
};

/* A named value the compiler can resolve (DWARF or kernel BTF parameters). */
struct fetch_param {
	const char *name;
	int reg;		/* pt_regs word index, or -1 */
	bool on_stack;		/* at (%sp + stack_off) instead (call frame address based) */
	int64_t stack_off;
	const char *type;	/* a C type for fetch_type__parse(), may be NULL */
	/* A value the tool stores at @data_off of the data area before the
	 * fetch operations run (argdist's $entry() and $latency). */
	bool in_data;
	unsigned data_off;
	/* A C++ std::string (libstdc++): the location holds the object's
	 * address; read as a string, it is read through its data pointer
	 * (offset 0); as a number it stays the object's address. */
	bool string_object;
	/* A parameter that exists but cannot be read (a struct passed by
	 * value, an argument on the stack): using the name fails with this
	 * reason, a sentence fragment ("it is a struct passed by value"). */
	const char *unavailable;
	/* Its C type (borrowed, may be NULL): with it, members are reached
	 * through it (ts->tv_nsec) and *it reads what it points to. */
	const struct ctype *ctype;
};

struct fetch_env {
	enum fetch_kind kind;
	const struct tp_format *tp;		/* tracepoints (borrowed), may be NULL */
	const struct fetch_param *params;	/* named parameters (borrowed) */
	size_t nparams;
	unsigned str_size;			/* default string size; 0: 80 */
	/* A kernel function (kprobe): pointers may address kernel memory
	 * or, as __user arguments do, the current process's. */
	bool kernel;
	/* Unknown names compile as a placeholder register: a syntax check
	 * made before the DWARF parameters of the sites are known (argN is
	 * then checked against the largest convention, Go's nine). */
	bool names_later;
	/* Where argN and retval of a user function are (0: System V). In a
	 * Go convention without registers, argN and retval are refused with
	 * one sentence naming what to use instead. */
	enum callconv conv;
	/* Where the type names of casts are looked up, in order, the C
	 * builtins first (borrowed, may be NULL): the site's DWARF, the
	 * kernel's BTF. */
	const struct ctype_src *const *types;
	size_t ntypes;
	/* bcc trace -B: STRCMP's literal may be a byte list, "{0x6c, 0x00}",
	 * compared byte for byte. */
	bool bin_cmp;
};

enum fetch_vtype {
	FETCH_T_SIGNED,
	FETCH_T_UNSIGNED,
	FETCH_T_HEX,
	FETCH_T_STRING,
};

struct fetch_type {
	enum fetch_vtype vtype;
	unsigned size;		/* integers: 1, 2, 4, 8; strings: the slot size */
};

/*
 * Parse a type: ftrace's (u8..u64, s8..s64, x8..x64, string, ustring) or
 * a C type (char *, int, unsigned long, size_t, u32, void *...). @str_size
 * is the size of a string slot. Returns 0 or -EINVAL.
 */
int fetch_type__parse(const char *s, unsigned str_size, struct fetch_type *t);

/* A compiled value: where it lands in the event and how to read it. */
struct fetch_value {
	struct fetch_type type;
	unsigned off;		/* byte offset in the data area */
	bool hidden;		/* a filter operand, not asked for by the user */
};

/* A site's program being built: the ABI struct plus the value table. */
struct fetch_plan {
	struct fetch_prog prog;
	struct fetch_value values[FETCH_MAX_VALUES];
	size_t nvalues;
	bool has_filter;
	unsigned nlits;		/* bytes of prog.lits used */
	unsigned scratch;	/* lowest scratch slot (computed values' operands); 0: none */
};

void fetch_plan__init(struct fetch_plan *p);

/*
 * Compile @expr and append a store of its value. @type (may be NULL)
 * overrides the type: a ":TYPE" suffix of @expr wins over it, and with
 * neither the type is s64 (u64 for pointers, the field's own for
 * tracepoint fields, the C type's for typed values). An expression that
 * is not one fetched value (arithmetic over several: $latency/1000,
 * arg1*2+1) is computed after the fetch, its operands in scratch slots
 * not listed in @p's values. Returns the value's index (>= 0), or
 * -EINVAL / -E2BIG with one sentence in @err (then @p is unchanged).
 */
int fetch_plan__add(struct fetch_plan *p, const char *expr, const char *type,
		    const struct fetch_env *env, char *err, size_t errlen);

/*
 * Compile the filter @expr (its operands become hidden values). Returns 0,
 * or -EINVAL / -E2BIG with one sentence in @err.
 */
int fetch_plan__set_filter(struct fetch_plan *p, const char *expr, const struct fetch_env *env,
			   char *err, size_t errlen);

/* Read value @v from a data area of @len bytes; 0 / "" when out of range. */
int64_t fetch_value__s64(const struct fetch_value *v, const void *data, size_t len);
uint64_t fetch_value__u64(const struct fetch_value *v, const void *data, size_t len);
/* A string value, NUL-terminated into @buf of @buflen bytes; returns @buf. */
const char *fetch_value__str(const struct fetch_value *v, const void *data, size_t len,
			     char *buf, size_t buflen);
/* Format @v as ftrace does: decimal, 0x hex, or "string" (quoted with @quote). */
int fetch_value__format(const struct fetch_value *v, const void *data, size_t len, bool quote,
			char *buf, size_t buflen);

/*
 * The pred operations run in user space, exactly as the BPF interpreter
 * runs them (for tests and tools that filter events after the fact):
 * computed values stored into @data, then the filter's verdict.
 */
bool fetch_prog__pred(const struct fetch_prog *p, void *data, size_t len);

#endif
