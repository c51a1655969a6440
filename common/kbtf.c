// SPDX-License-Identifier: GPL-2.0-only
/*
 * kbtf: kernel function parameters from BTF (see kbtf.h for the ABI
 * rules followed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/regs.h"
#include "common/ctype.h"
#include "common/fetch.h"
#include "common/kbtf.h"

#define MAX_TYPE_DEPTH 32
#define NUM_ARG_REGS REGS_SYSV_NARGS

struct btf *kbtf__vmlinux(void)
{
	/* One per process, by design: the BTF is several MB and the same for
	 * every caller of a run. */
	static struct btf *btf;
	static int err;

	if (!btf && !err) {
		btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(btf)) {
			err = errno ? -errno : -ENOENT;
			btf = NULL;
		}
	}
	if (!btf)
		errno = -err;
	return btf;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* An open-addressing table of the FUNC type ids of @btf by name (0:
 * empty), built in one pass; NULL on ENOMEM. */
static uint32_t *func_table(const struct btf *btf, size_t *mask)
{
	uint32_t n = btf__type_cnt(btf), nfuncs = 0, *slots;
	size_t cap = 16, h;

	for (uint32_t id = 1; id < n; id++)
		nfuncs += btf_is_func(btf__type_by_id(btf, id));
	while (cap < 2 * (size_t)nfuncs)
		cap <<= 1;
	slots = calloc(cap, sizeof(*slots));
	*mask = cap - 1;
	for (uint32_t id = 1; slots && id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_func(t))
			continue;
		h = name_hash(btf__name_by_offset(btf, t->name_off)) & *mask;
		while (slots[h])
			h = (h + 1) & *mask;
		slots[h] = id;
	}
	return slots;
}

int kbtf__func_id(const struct btf *btf, const char *name)
{
	static const struct btf *table_btf;
	static uint32_t *slots;
	static size_t mask;
	int id;

	if (!btf || !name)
		return -ENOENT;
	/* The kernel's BTF is asked about once per function of a wildcard:
	 * a table for it; others (unit tests) are searched. */
	if (btf == kbtf__vmlinux() && table_btf != btf) {
		table_btf = btf;
		slots = func_table(btf, &mask);
	}
	if (btf != table_btf || !slots) {
		id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
		return id > 0 ? id : -ENOENT;
	}
	for (size_t h = name_hash(name) & mask; slots[h]; h = (h + 1) & mask) {
		const struct btf_type *t = btf__type_by_id(btf, slots[h]);

		if (!strcmp(btf__name_by_offset(btf, t->name_off), name))
			return slots[h];
	}
	return -ENOENT;
}

/* @id without typedefs and qualifiers; NULL for void or a loop. */
static const struct btf_type *resolve(const struct btf *btf, unsigned id, unsigned *out_id)
{
	for (int depth = 0; id && depth < MAX_TYPE_DEPTH; depth++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return NULL;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			if (out_id)
				*out_id = id;
			return t;
		}
	}
	return NULL;
}

static const char *int_type(unsigned size, bool is_signed)
{
	static const char *const s[] = { "s8", "s16", "s32", "s64" };
	static const char *const u[] = { "u8", "u16", "u32", "u64" };
	int i = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;

	if (i < 0)
		return NULL;
	return is_signed ? s[i] : u[i];
}

/* Registers a by-value aggregate of @size bytes takes: SysV passes one
 * of up to 16 bytes (integer class: the kernel has no floats) in one or
 * two registers, a larger one in memory. */
static int aggregate_regs(unsigned size)
{
	return size > 16 ? 0 : size > 8 ? 2 : 1;
}

const char *kbtf__fetch_type(const struct btf *btf, unsigned id, int *nregs,
			     const char **why_not)
{
	const struct btf_type *t = resolve(btf, id, NULL), *pt;
	const char *type = NULL;

	*nregs = 1;
	*why_not = NULL;
	if (!t) {
		*nregs = 0;
		*why_not = id ? "its type is not described" : "it has no value (void)";
		return NULL;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint32_t enc = btf_int_encoding(t);

		if (btf_int_bits(t) != t->size * 8) {
			*why_not = "it is a bit-field";
			return NULL;
		}
		if (enc & BTF_INT_BOOL)
			return t->size == 1 ? "bool" : int_type(t->size, false);
		type = int_type(t->size, enc & BTF_INT_SIGNED);
		if (!type) {
			*nregs = aggregate_regs(t->size);
			*why_not = "it is an integer wider than a register";
		}
		return type;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		/* The kind flag marks a signed enum (BTF since Linux 6.0;
		 * older BTF has it clear: unsigned). */
		type = int_type(t->size, btf_kflag(t));
		if (!type)
			*why_not = "it is an enum of an unusual size";
		return type;
	case BTF_KIND_PTR:
		pt = resolve(btf, t->type, NULL);
		/* char only: u8 and unsigned char pointers are buffers. */
		if (pt && btf_is_int(pt) && pt->size == 1) {
			const char *n = btf__name_by_offset(btf, pt->name_off);

			if (n && !strcmp(n, "char"))
				return "char *";
		}
		return "x64";
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		*nregs = aggregate_regs(t->size);
		*why_not = btf_is_struct(t) ? "it is a struct passed by value"
					    : "it is a union passed by value";
		return NULL;
	case BTF_KIND_FLOAT:
		*nregs = 0;	/* an SSE register, not an integer one */
		*why_not = "it is a floating-point value";
		return NULL;
	default:
		*nregs = 0;
		*why_not = "its type cannot be read";
		return NULL;
	}
}

/* ---- types as a source for the expression compiler ------------------------------ */

/* The C spelling of BTF type @id into @buf (bounded depth; cut if long). */
static void btf_type_name(const struct btf *btf, unsigned id, char *buf, size_t len, int depth)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	const char *n;
	char sub[CTYPE_NAME_LEN];

	if (!id) {
		snprintf(buf, len, "void");
		return;
	}
	if (!t || depth > MAX_TYPE_DEPTH) {
		snprintf(buf, len, "?");
		return;
	}
	n = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		btf_type_name(btf, t->type, sub, sizeof(sub), depth + 1);
		if (snprintf(buf, len, "%s%s", sub, sub[0] && sub[strlen(sub) - 1] == '*' ? "*" : " *")
		    >= (int)len)
			buf[len - 1] = 0;
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		btf_type_name(btf, t->type, buf, len, depth + 1);
		return;
	case BTF_KIND_ARRAY:
		btf_type_name(btf, btf_array(t)->type, sub, sizeof(sub), depth + 1);
		if (snprintf(buf, len, "%s[%u]", sub, btf_array(t)->nelems) >= (int)len)
			buf[len - 1] = 0;
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
		snprintf(buf, len, "%s %s", btf_is_union(t) ? "union" : btf_is_any_enum(t) ? "enum" :
			 btf_is_fwd(t) && btf_kflag(t) ? "union" : "struct",
			 n && *n ? n : "(anonymous)");
		return;
	case BTF_KIND_FUNC_PROTO:
		snprintf(buf, len, "function");
		return;
	default:
		snprintf(buf, len, "%s", n && *n ? n : "?");
	}
}

static int btf_lookup(const struct ctype_src *src, const char *name, struct ctype *out);

/* The BTF of @src: its own, or (kbtf__types()) the kernel's, loaded on
 * the first lookup so that a run that needs no type never reads it. */
static const struct btf *src_btf(const struct ctype_src *src)
{
	return src->ctx ? src->ctx : kbtf__vmlinux();
}

static int btf_to_ctype(const struct ctype_src *src, unsigned id, struct ctype *out)
{
	const struct btf *btf = src_btf(src);
	const struct btf_type *t;
	unsigned rid = 0;
	const char *n;

	memset(out, 0, sizeof(*out));
	out->src = src;
	btf_type_name(btf, id, out->name, sizeof(out->name), 0);
	t = resolve(btf, id, &rid);
	if (!t) {
		out->kind = CTYPE_VOID;
		return id ? -ENOENT : 0;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		out->kind = CTYPE_INT;
		out->size = t->size;
		out->is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
		n = btf__name_by_offset(btf, t->name_off);
		out->is_char = t->size == 1 && n && strstr(n, "char");
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->kind = CTYPE_ENUM;
		out->size = t->size;
		out->is_signed = btf_kflag(t);
		break;
	case BTF_KIND_FLOAT:
		out->kind = CTYPE_FLOAT;
		out->size = t->size;
		out->is_signed = true;
		break;
	case BTF_KIND_PTR:
		out->kind = CTYPE_PTR;
		out->size = 8;
		out->id = t->type;
		return 0;
	case BTF_KIND_ARRAY: {
		long sz = btf__resolve_size(btf, btf_array(t)->type);

		out->kind = CTYPE_ARRAY;
		out->id = btf_array(t)->type;
		out->nelems = btf_array(t)->nelems;
		out->size = sz > 0 ? (unsigned)sz * out->nelems : 0;
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		out->kind = btf_is_union(t) ? CTYPE_UNION : CTYPE_STRUCT;
		out->size = t->size;
		break;
	case BTF_KIND_FWD: {
		/* Declared only: its definition, if the BTF has one. */
		char full[160];
		struct ctype def;

		n = btf__name_by_offset(btf, t->name_off);
		snprintf(full, sizeof(full), "%s %s", btf_kflag(t) ? "union" : "struct", n ? n : "");
		if (n && *n && !btf_lookup(src, full, &def)) {
			snprintf(def.name, sizeof(def.name), "%s", out->name);
			*out = def;
			return 0;
		}
		out->kind = btf_kflag(t) ? CTYPE_UNION : CTYPE_STRUCT;
		break;
	}
	case BTF_KIND_FUNC_PROTO:
		out->kind = CTYPE_FUNC;
		return 0;
	default:
		return -EINVAL;
	}
	out->id = rid;
	return 0;
}

static int btf_lookup(const struct ctype_src *src, const char *name, struct ctype *out)
{
	static const int plain[] = { BTF_KIND_TYPEDEF, BTF_KIND_INT, BTF_KIND_STRUCT,
				     BTF_KIND_UNION, BTF_KIND_ENUM };
	const struct btf *btf = src_btf(src);
	int id = -ENOENT;

	if (!btf)
		return -ENOENT;
	if (!strncmp(name, "struct ", 7)) {
		id = btf__find_by_name_kind(btf, name + 7, BTF_KIND_STRUCT);
	} else if (!strncmp(name, "union ", 6)) {
		id = btf__find_by_name_kind(btf, name + 6, BTF_KIND_UNION);
	} else if (!strncmp(name, "enum ", 5)) {
		id = btf__find_by_name_kind(btf, name + 5, BTF_KIND_ENUM);
		if (id <= 0)
			id = btf__find_by_name_kind(btf, name + 5, BTF_KIND_ENUM64);
	} else {
		for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) && id <= 0; i++)
			id = btf__find_by_name_kind(btf, name, plain[i]);
	}
	if (id <= 0)
		return -ENOENT;
	return btf_to_ctype(src, id, out);
}

static int btf_get(const struct ctype_src *src, uint64_t id, struct ctype *out)
{
	const struct btf *btf = src_btf(src);

	if (!btf || !id || id >= btf__type_cnt(btf))
		return -ENOENT;
	return btf_to_ctype(src, id, out);
}

/* Member @name of record @rec at byte @base, through anonymous members. */
static int btf_find_member(const struct ctype_src *src, unsigned rec, const char *name,
			   unsigned base, struct ctype_member *out, int depth)
{
	const struct btf *btf = src_btf(src);
	const struct btf_type *t;
	const struct btf_member *m;

	if (!btf || !(t = btf__type_by_id(btf, rec)) || depth > MAX_TYPE_DEPTH ||
	    !btf_is_composite(t))
		return -ENOENT;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		unsigned bit = btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);
		unsigned rid;
		int ret;

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			ret = btf_to_ctype(src, m->type, &out->type);
			if (ret)
				return ret;
			out->off = base + bit / 8;
			out->bit_off = out->bit_size = 0;
			if (bits && out->type.size) {
				unsigned unit = out->type.size * 8;

				out->off = base + (bit / unit) * out->type.size;
				out->bit_off = bit % unit;
				out->bit_size = bits;
			}
			return 0;
		}
		if (resolve(btf, m->type, &rid) && btf_is_composite(btf__type_by_id(btf, rid))) {
			ret = btf_find_member(src, rid, name, base + bit / 8, out, depth + 1);
			if (ret != -ENOENT)
				return ret;
		}
	}
	return -ENOENT;
}

static int btf_member_of(const struct ctype_src *src, uint64_t rec, const char *name,
			 struct ctype_member *out)
{
	return btf_find_member(src, rec, name, 0, out, 0);
}

static const struct ctype_src_ops btf_type_ops = {
	.lookup = btf_lookup,
	.get = btf_get,
	.member = btf_member_of,
};

void kbtf__types_init(struct ctype_src *src, const struct btf *btf, const char *what)
{
	*src = (struct ctype_src){ .ops = &btf_type_ops, .ctx = (void *)btf, .what = what };
}

const struct ctype_src *kbtf__types(void)
{
	/* As the BTF itself: one per process, read on the first lookup. */
	static const struct ctype_src src = { .ops = &btf_type_ops, .what = "the kernel's BTF" };

	return &src;
}

struct decl_buf {
	char *buf;
	size_t len, used;
};

static void decl_printf(void *ctx, const char *fmt, va_list ap)
{
	struct decl_buf *d = ctx;
	int n;

	if (d->used >= d->len)
		return;
	n = vsnprintf(d->buf + d->used, d->len - d->used, fmt, ap);
	if (n > 0)
		d->used += (size_t)n < d->len - d->used ? (size_t)n : d->len - d->used - 1;
}

/* "TYPE NAME" as C declares it into @buf, through @dump, which prints
 * into @db; "? NAME" if it cannot be printed. */
static void format_decl(struct btf_dump *dump, struct decl_buf *db, unsigned id,
			const char *name, char *buf, size_t len)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = name);

	*db = (struct decl_buf){ buf, len, 0 };
	buf[0] = 0;
	if (!dump || btf_dump__emit_type_decl(dump, id, &opts))
		snprintf(buf, len, "? %s", name);
}

int kbtf__func(const struct btf *btf, const char *name, struct kbtf_func *f)
{
	const struct btf_type *fn, *proto;
	const struct btf_param *params;
	struct decl_buf db = {};
	struct btf_dump *dump;
	int id, used = 0, vlen;

	memset(f, 0, sizeof(*f));
	if (!btf || !name)
		return -ENOENT;
	id = kbtf__func_id(btf, name);
	if (id < 0)
		return -ENOENT;
	fn = btf__type_by_id(btf, id);
	proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return -EINVAL;
	f->name = btf__name_by_offset(btf, fn->name_off);
	/* Declarations are printed through btf_dump into the buffer db
	 * points at; without it (no memory) they read "? NAME". */
	dump = btf_dump__new(btf, decl_printf, &db, NULL);
	if (libbpf_get_error(dump))
		dump = NULL;

	if (proto->type) {
		int nregs;
		const char *why;

		format_decl(dump, &db, proto->type, "retval", f->ret_decl, sizeof(f->ret_decl));
		f->ret_fetch_type = kbtf__fetch_type(btf, proto->type, &nregs, &why);
	} else {
		snprintf(f->ret_decl, sizeof(f->ret_decl), "void");
	}

	params = btf_params(proto);
	vlen = btf_vlen(proto);
	for (int i = 0; i < vlen; i++) {
		struct kbtf_param *p;
		const char *type, *why;
		int nregs;

		/* A last parameter of type void: "...". */
		if (!params[i].type && i == vlen - 1) {
			f->varargs = true;
			break;
		}
		type = kbtf__fetch_type(btf, params[i].type, &nregs, &why);
		if (f->nparams >= KBTF_MAX_PARAMS) {
			used += nregs;
			continue;
		}
		p = &f->params[f->nparams++];
		p->name = btf__name_by_offset(btf, params[i].name_off);
		if (!p->name)
			p->name = "";
		p->reg = -1;
		format_decl(dump, &db, params[i].type, p->name, p->decl, sizeof(p->decl));
		if (btf == kbtf__vmlinux() && kbtf__types())
			p->has_ctype = !btf_to_ctype(kbtf__types(), params[i].type, &p->ctype);
		if (!nregs) {
			p->why_not = why ? why : "it is passed in memory";
			continue;
		}
		if (used + nregs > NUM_ARG_REGS) {
			/* On the stack, whole; the registers left stay free. */
			p->why_not = "it is passed on the stack, after the six argument registers";
			continue;
		}
		if (type) {
			p->fetch_type = type;
			p->reg = regs_sysv_args[used];
		} else {
			p->why_not = why;
		}
		used += nregs;
	}
	btf_dump__free(dump);
	return 0;
}

/* snprintf() at @*o of @buf, keeping @*o inside @buf when it is cut. */
static void append(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, len - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o = *o + n < len ? *o + n : len - 1;
}

char *kbtf_func__describe(const struct kbtf_func *f, char *buf, size_t len)
{
	size_t o = 0, named = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < f->nparams; i++)
		named += f->params[i].name[0] != 0;
	if (!named) {
		append(buf, len, &o, "%s has no named parameters", f->name);
		return buf;
	}
	append(buf, len, &o, "%s's parameter%s ", f->name, named == 1 ? " is" : "s are");
	for (size_t i = 0, k = 0; i < f->nparams; i++)
		if (f->params[i].name[0])
			append(buf, len, &o, "%s%s", k++ ? ", " : "", f->params[i].name);
	return buf;
}

int kbtf_param__to_fetch(const struct kbtf_param *p, struct fetch_param *fp)
{
	if (!p->name || !p->name[0])
		return -ENOENT;
	memset(fp, 0, sizeof(*fp));
	fp->name = p->name;
	fp->reg = p->reg;
	fp->type = p->fetch_type;
	fp->ctype = p->has_ctype ? &p->ctype : NULL;
	if (!p->fetch_type)
		fp->unavailable = p->why_not ? p->why_not : "its value cannot be read";
	return 0;
}
