/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctype: C types for the expression compiler (common/fetch.c): what a
 * cast, a signature or a parameter names, so that values are read with
 * their size and sign and members are reached through typed pointers
 * (ts->tv_nsec, task->mm->owner). Where bcc compiles C headers, types
 * come from sources instead:
 *
 *   the C builtins      char, int, unsigned long, size_t, u32, ... (always)
 *   a file's DWARF      its own or its debug file's (common/dwarf.c)
 *   the kernel's BTF    /sys/kernel/btf/vmlinux (common/kbtf.c)
 *
 * A type is a small value: its kind, size and sign, and for pointers,
 * arrays and records a handle (source, id) that the source turns into
 * the type pointed to, the element, or a member. Nothing is allocated: a
 * struct ctype is valid as long as its source is.
 */
#ifndef COTRACE_CTYPE_H
#define COTRACE_CTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctype_kind {
	CTYPE_VOID,
	CTYPE_INT,		/* integers, bool, char */
	CTYPE_ENUM,
	CTYPE_FLOAT,
	CTYPE_PTR,
	CTYPE_ARRAY,
	CTYPE_STRUCT,		/* struct or class */
	CTYPE_UNION,
	CTYPE_FUNC,
};

struct ctype_src;

#define CTYPE_NAME_LEN 96

struct ctype {
	enum ctype_kind kind;
	unsigned size;		/* bytes; 0 for void, functions and incomplete records */
	bool is_signed;		/* INT, ENUM */
	bool is_char;		/* INT: char, signed char or unsigned char */
	const struct ctype_src *src;	/* where @id is (borrowed) */
	/*
	 * PTR, ARRAY: the type pointed to or the element, @depth pointers
	 * away (0: @id itself; 1: a pointer to @id...). Other kinds: the type
	 * itself (records are looked into through it). 0 means void.
	 */
	uint64_t id;
	unsigned depth;
	unsigned nelems;	/* ARRAY; 0 when unknown (a flexible array) */
	char name[CTYPE_NAME_LEN];	/* as C spells it, for messages */
};

struct ctype_member {
	unsigned off;		/* bytes from the start of the record */
	unsigned bit_off;	/* bit-fields: bits from @off (little-endian), else 0 */
	unsigned bit_size;	/* bit-fields: width in bits, else 0 */
	struct ctype type;
};

/* What a source does; every function returns 0 or a negative errno. */
struct ctype_src_ops {
	/* The type named @name: "struct timespec", "union u", "enum e", or
	 * a typedef or base type name ("size_t", "long"); -ENOENT if none. */
	int (*lookup)(const struct ctype_src *src, const char *name, struct ctype *out);
	/* The type with id @id (never 0), typedefs and qualifiers stripped. */
	int (*get)(const struct ctype_src *src, uint64_t id, struct ctype *out);
	/* Member @name of the record with id @rec, looking into anonymous
	 * members and base classes; -ENOENT if it has none of that name. */
	int (*member)(const struct ctype_src *src, uint64_t rec, const char *name,
		      struct ctype_member *out);
};

struct ctype_src {
	const struct ctype_src_ops *ops;
	void *ctx;
	const char *what;	/* "the DWARF of /lib/x/libc.so.6", for messages */
};

/* The C builtin types: a static source (never freed). */
const struct ctype_src *ctype__builtin(void);

/*
 * Parse the type spelled @s ("struct timespec *", "unsigned long",
 * "const char*", "gfp_t") into @out: builtin names from the builtins,
 * other names from @srcs tried in order (@n of them, may be 0). Returns
 * 0, -EINVAL when @s is not a type, or -ENOENT when no source knows the
 * name; one sentence in @err either way.
 */
int ctype__parse(const char *s, const struct ctype_src *const *srcs, size_t n,
		 struct ctype *out, char *err, size_t errlen);

/* True if @s could be spelling a type (for telling casts from parenthesized
 * names): a builtin name, qualifiers or struct/union/enum, or a trailing '*'. */
bool ctype__looks_like_type(const char *s);

/* The type @t points to (PTR) or holds (ARRAY) into @out. 0 or -errno. */
int ctype__target(const struct ctype *t, struct ctype *out);

/* A pointer to @t into @out. 0, or -EINVAL for a type that has no id. */
int ctype__pointer_to(const struct ctype *t, struct ctype *out);

/* Member @name of the record @t (a struct or union) into @out. 0,
 * -EINVAL when @t is not a record, -ENOENT when it has no such member. */
int ctype__member(const struct ctype *t, const char *name, struct ctype_member *out);

/* The size of what @t points to (PTR) or holds (ARRAY), for indexing;
 * 0 when unknown (void, incomplete). */
unsigned ctype__target_size(const struct ctype *t);

/* True if @t is a pointer to or an array of char: a C string. */
bool ctype__is_string(const struct ctype *t);

/* True for integers, enums and pointers: a value that fits one register. */
bool ctype__is_scalar(const struct ctype *t);

/* A builtin integer of @size bytes (1, 2, 4, 8) and sign into @out. */
void ctype__int(unsigned size, bool is_signed, struct ctype *out);

#endif
