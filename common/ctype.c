// SPDX-License-Identifier: GPL-2.0-only
/* ctype: C types for the expression compiler (see ctype.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctype.h"

#define MAX_TOKENS 16
#define MAX_DEPTH 8	/* pointer levels a spelling may have */

static const struct builtin {
	const char *name;
	enum ctype_kind kind;
	unsigned size;
	bool is_signed, is_char;
} builtins[] = {
	{ "char", CTYPE_INT, 1, true, true },
	{ "signed char", CTYPE_INT, 1, true, true },
	{ "unsigned char", CTYPE_INT, 1, false, true },
	{ "bool", CTYPE_INT, 1, false, false },
	{ "_Bool", CTYPE_INT, 1, false, false },
	{ "short", CTYPE_INT, 2, true, false },
	{ "unsigned short", CTYPE_INT, 2, false, false },
	{ "int", CTYPE_INT, 4, true, false },
	{ "unsigned int", CTYPE_INT, 4, false, false },
	{ "long", CTYPE_INT, 8, true, false },
	{ "unsigned long", CTYPE_INT, 8, false, false },
	{ "long long", CTYPE_INT, 8, true, false },
	{ "unsigned long long", CTYPE_INT, 8, false, false },
	{ "float", CTYPE_FLOAT, 4, true, false },
	{ "double", CTYPE_FLOAT, 8, true, false },
	{ "size_t", CTYPE_INT, 8, false, false },
	{ "ssize_t", CTYPE_INT, 8, true, false },
	{ "off_t", CTYPE_INT, 8, true, false },
	{ "loff_t", CTYPE_INT, 8, true, false },
	{ "pid_t", CTYPE_INT, 4, true, false },
	{ "uid_t", CTYPE_INT, 4, false, false },
	{ "gid_t", CTYPE_INT, 4, false, false },
	{ "time_t", CTYPE_INT, 8, true, false },
	{ "uintptr_t", CTYPE_INT, 8, false, false },
	{ "intptr_t", CTYPE_INT, 8, true, false },
	{ "u8", CTYPE_INT, 1, false, false }, { "u16", CTYPE_INT, 2, false, false },
	{ "u32", CTYPE_INT, 4, false, false }, { "u64", CTYPE_INT, 8, false, false },
	{ "s8", CTYPE_INT, 1, true, false }, { "s16", CTYPE_INT, 2, true, false },
	{ "s32", CTYPE_INT, 4, true, false }, { "s64", CTYPE_INT, 8, true, false },
	{ "__u8", CTYPE_INT, 1, false, false }, { "__u16", CTYPE_INT, 2, false, false },
	{ "__u32", CTYPE_INT, 4, false, false }, { "__u64", CTYPE_INT, 8, false, false },
	{ "__s8", CTYPE_INT, 1, true, false }, { "__s16", CTYPE_INT, 2, true, false },
	{ "__s32", CTYPE_INT, 4, true, false }, { "__s64", CTYPE_INT, 8, true, false },
	{ "uint8_t", CTYPE_INT, 1, false, false }, { "uint16_t", CTYPE_INT, 2, false, false },
	{ "uint32_t", CTYPE_INT, 4, false, false }, { "uint64_t", CTYPE_INT, 8, false, false },
	{ "int8_t", CTYPE_INT, 1, true, false }, { "int16_t", CTYPE_INT, 2, true, false },
	{ "int32_t", CTYPE_INT, 4, true, false }, { "int64_t", CTYPE_INT, 8, true, false },
};

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

/* Builtin ids: the index in builtins[] plus one; 0 is void. */
static void builtin_type(uint64_t id, struct ctype *out)
{
	const struct builtin *b = &builtins[id - 1];

	memset(out, 0, sizeof(*out));
	out->kind = b->kind;
	out->size = b->size;
	out->is_signed = b->is_signed;
	out->is_char = b->is_char;
	out->src = ctype__builtin();
	out->id = id;
	snprintf(out->name, sizeof(out->name), "%s", b->name);
}

static int builtin_lookup(const struct ctype_src *src, const char *name, struct ctype *out)
{
	for (size_t i = 0; i < NBUILTINS; i++) {
		if (!strcmp(builtins[i].name, name)) {
			builtin_type(i + 1, out);
			return 0;
		}
	}
	return -ENOENT;
}

static int builtin_get(const struct ctype_src *src, uint64_t id, struct ctype *out)
{
	if (!id || id > NBUILTINS)
		return -ENOENT;
	builtin_type(id, out);
	return 0;
}

static int builtin_member(const struct ctype_src *src, uint64_t rec, const char *name,
			  struct ctype_member *out)
{
	return -EINVAL;
}

static const struct ctype_src_ops builtin_ops = {
	.lookup = builtin_lookup,
	.get = builtin_get,
	.member = builtin_member,
};

static const struct ctype_src builtin_src = {
	.ops = &builtin_ops,
	.what = "the C builtin types",
};

const struct ctype_src *ctype__builtin(void)
{
	return &builtin_src;
}

void ctype__int(unsigned size, bool is_signed, struct ctype *out)
{
	const char *name = size == 1 ? (is_signed ? "s8" : "u8") :
			   size == 2 ? (is_signed ? "s16" : "u16") :
			   size == 4 ? (is_signed ? "int" : "unsigned int") :
			   is_signed ? "long" : "unsigned long";

	builtin_lookup(&builtin_src, name, out);
}

static void set_void(struct ctype *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = CTYPE_VOID;
	out->src = ctype__builtin();
	snprintf(out->name, sizeof(out->name), "void");
}

/* ---- spellings ---------------------------------------------------------------- */

struct tokens {
	char tok[MAX_TOKENS][64];
	int n;
	int stars;
};

static bool is_qualifier(const char *t)
{
	static const char *const q[] = { "const", "volatile", "restrict", "__restrict",
					 "__user", "__kernel", "__force", "__iomem", "__rcu" };

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if (!strcmp(t, q[i]))
			return true;
	return false;
}

static bool is_base_word(const char *t)
{
	return !strcmp(t, "unsigned") || !strcmp(t, "signed") || !strcmp(t, "short") ||
	       !strcmp(t, "long") || !strcmp(t, "int") || !strcmp(t, "char");
}

static bool is_tag(const char *t)
{
	return !strcmp(t, "struct") || !strcmp(t, "union") || !strcmp(t, "enum") ||
	       !strcmp(t, "class");
}

/* Split @s into identifiers (qualifiers left out) and count the trailing
 * stars. -EINVAL for anything else, or a star before a word. */
static int tokenize(const char *s, struct tokens *t)
{
	memset(t, 0, sizeof(*t));
	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
		} else if (*s == '*') {
			if (++t->stars > MAX_DEPTH)
				return -EINVAL;
			s++;
		} else if (isalpha((unsigned char)*s) || *s == '_') {
			const char *w = s;
			size_t n;

			while (isalnum((unsigned char)*s) || *s == '_')
				s++;
			n = s - w;
			if (t->stars || n >= sizeof(t->tok[0]))
				return -EINVAL;
			if (n < sizeof(t->tok[0]) && t->n < MAX_TOKENS) {
				memcpy(t->tok[t->n], w, n);
				t->tok[t->n][n] = 0;
				if (is_qualifier(t->tok[t->n]))
					continue;
				t->n++;
			} else {
				return -EINVAL;
			}
		} else {
			return -EINVAL;
		}
	}
	return t->n ? 0 : -EINVAL;
}

/* The canonical name of a combination of C's base words ("long unsigned
 * int" is "unsigned long") into @buf; -EINVAL if they do not combine. */
static int base_words(const struct tokens *t, char *buf, size_t len)
{
	int uns = 0, sig = 0, shrt = 0, lng = 0, in = 0, chr = 0;

	for (int i = 0; i < t->n; i++) {
		const char *w = t->tok[i];

		if (!is_base_word(w))
			return -EINVAL;
		uns += !strcmp(w, "unsigned");
		sig += !strcmp(w, "signed");
		shrt += !strcmp(w, "short");
		lng += !strcmp(w, "long");
		in += !strcmp(w, "int");
		chr += !strcmp(w, "char");
	}
	if (uns + sig > 1 || in > 1 || chr > 1 || shrt > 1 || lng > 2 || (shrt && lng) ||
	    (chr && (shrt || lng || in)))
		return -EINVAL;
	if (chr)
		snprintf(buf, len, "%schar", uns ? "unsigned " : sig ? "signed " : "");
	else if (shrt)
		snprintf(buf, len, "%sshort", uns ? "unsigned " : "");
	else if (lng)
		snprintf(buf, len, "%s%s", uns ? "unsigned " : "", lng == 2 ? "long long" : "long");
	else
		snprintf(buf, len, "%s", uns ? "unsigned int" : "int");
	return 0;
}

bool ctype__looks_like_type(const char *s)
{
	struct tokens t;
	char buf[64];
	struct ctype c;

	if (tokenize(s, &t))
		return false;
	if (is_tag(t.tok[0]))
		return t.n == 2;
	if (!base_words(&t, buf, sizeof(buf)))
		return true;
	if (t.n != 1)
		return false;
	return t.stars || !strcmp(t.tok[0], "void") || !builtin_lookup(&builtin_src, t.tok[0], &c);
}

/* The sources' descriptions, for a message: "X, Y or Z". */
static void list_sources(const struct ctype_src *const *srcs, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		int k = snprintf(buf + o, len - o, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 srcs[i]->what);

		if (k > 0)
			o += (size_t)k < len - o ? (size_t)k : len - o - 1;
	}
}

int ctype__parse(const char *s, const struct ctype_src *const *srcs, size_t n,
		 struct ctype *out, char *err, size_t errlen)
{
	struct tokens t;
	char name[160], where[512];
	int ret = -ENOENT;

	if (tokenize(s, &t) || (is_tag(t.tok[0]) && t.n != 2)) {
		snprintf(err, errlen, "'%s' is not a C type", s);
		return -EINVAL;
	}
	if (is_tag(t.tok[0])) {
		snprintf(name, sizeof(name), "%s %s", strcmp(t.tok[0], "class") ? t.tok[0] : "struct",
			 t.tok[1]);
	} else if (!base_words(&t, name, sizeof(name))) {
		ret = builtin_lookup(&builtin_src, name, out);
	} else if (t.n == 1) {
		snprintf(name, sizeof(name), "%s", t.tok[0]);
		if (!strcmp(name, "void")) {
			set_void(out);
			ret = 0;
		} else {
			ret = builtin_lookup(&builtin_src, name, out);
		}
	} else {
		snprintf(err, errlen, "'%s' is not a C type", s);
		return -EINVAL;
	}
	for (size_t i = 0; ret && i < n; i++)
		if (srcs[i] && srcs[i]->ops->lookup(srcs[i], name, out) == 0)
			ret = 0;
	if (ret) {
		if (!n) {
			snprintf(err, errlen, "no debug information (DWARF) or BTF describes '%s'",
				 name);
		} else {
			list_sources(srcs, n, where, sizeof(where));
			snprintf(err, errlen, "unknown type '%s': not in %s", name, where);
		}
		return -ENOENT;
	}
	for (int i = 0; i < t.stars; i++) {
		struct ctype p;

		if (ctype__pointer_to(out, &p)) {
			snprintf(err, errlen, "cannot make a pointer to '%s'", out->name);
			return -EINVAL;
		}
		*out = p;
	}
	return 0;
}

/* ---- navigation ------------------------------------------------------------------ */

/* @name without its last '*' (and the blank before it). */
static void drop_star(char *name)
{
	size_t n = strlen(name);

	if (n && name[n - 1] == '*')
		name[--n] = 0;
	while (n && name[n - 1] == ' ')
		name[--n] = 0;
}

int ctype__target(const struct ctype *t, struct ctype *out)
{
	int ret;

	if (t->kind != CTYPE_PTR && t->kind != CTYPE_ARRAY)
		return -EINVAL;
	if (t->depth) {
		char name[CTYPE_NAME_LEN];

		snprintf(name, sizeof(name), "%s", t->name);
		if (t->kind == CTYPE_ARRAY) {
			/* "T *[4]" holds "T *". */
			char *b = strrchr(name, '[');

			if (b)
				*b = 0;
		}
		*out = *t;
		out->kind = CTYPE_PTR;
		out->size = 8;
		out->nelems = 0;
		out->depth--;
		if (t->kind == CTYPE_PTR)
			drop_star(name);
		snprintf(out->name, sizeof(out->name), "%s", name);
		return 0;
	}
	if (!t->id || !t->src) {
		set_void(out);
		return 0;
	}
	ret = t->src->ops->get(t->src, t->id, out);
	return ret;
}

int ctype__pointer_to(const struct ctype *t, struct ctype *out)
{
	char name[CTYPE_NAME_LEN];
	size_t n = strlen(t->name);
	const char *star = n && t->name[n - 1] == '*' ? "*" : " *";

	/* A name too long for the buffer is cut: it is only for messages. */
	if (n > sizeof(name) - 3)
		n = sizeof(name) - 3;
	memcpy(name, t->name, n);
	strcpy(name + n, star);
	switch (t->kind) {
	case CTYPE_PTR:
		if (t->depth >= MAX_DEPTH * 2)
			return -EINVAL;
		*out = *t;
		out->depth++;
		break;
	case CTYPE_ARRAY:
		return -EINVAL;
	case CTYPE_VOID:
		memset(out, 0, sizeof(*out));
		out->src = ctype__builtin();
		break;
	default:
		if (!t->id || !t->src)
			return -EINVAL;
		memset(out, 0, sizeof(*out));
		out->src = t->src;
		out->id = t->id;
		break;
	}
	out->kind = CTYPE_PTR;
	out->size = 8;
	out->is_signed = false;
	out->is_char = false;
	out->nelems = 0;
	snprintf(out->name, sizeof(out->name), "%s", name);
	return 0;
}

int ctype__member(const struct ctype *t, const char *name, struct ctype_member *out)
{
	if ((t->kind != CTYPE_STRUCT && t->kind != CTYPE_UNION) || !t->src || !t->id)
		return -EINVAL;
	return t->src->ops->member(t->src, t->id, name, out);
}

unsigned ctype__target_size(const struct ctype *t)
{
	struct ctype x;

	if (ctype__target(t, &x))
		return 0;
	return x.size;
}

bool ctype__is_string(const struct ctype *t)
{
	struct ctype x;

	if ((t->kind != CTYPE_PTR && t->kind != CTYPE_ARRAY) || t->depth)
		return false;
	return !ctype__target(t, &x) && x.kind == CTYPE_INT && x.is_char;
}

bool ctype__is_scalar(const struct ctype *t)
{
	return t->kind == CTYPE_INT || t->kind == CTYPE_ENUM || t->kind == CTYPE_PTR;
}
