// SPDX-License-Identifier: GPL-2.0-only
/*
 * dwarf: function parameters through libdw. The files are untrusted:
 * type chains and scope nesting are walked to a bounded depth, and every
 * string is copied into a bounded buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dwarf.h>
#include <elfutils/libdw.h>

#include "bpf/regs.h"
#include "common/callconv.h"
#include "common/ctype.h"
#include "common/dwarf.h"
#include "common/elf.h"
#include "common/fetch.h"
#include "common/procpath.h"

#define MAX_TYPE_DEPTH 16
#define MAX_SCOPE_DEPTH 8
#define TYPE_LEN 256

/* A type name looked up, found (id) or not (0). */
struct named_type {
	char *name;
	uint64_t id;
};

struct dwarf_file {
	char *path;
	int fd;
	Dwarf *dw;		/* NULL: no debug information */
	struct dwarf_func *funcs;
	size_t nfuncs;
	/* Types as a source for the expression compiler: the DIEs handed
	 * out, their ids their index plus one. */
	struct ctype_src src;
	char *what;
	Dwarf_Die *types;
	size_t ntypes;
	struct named_type *named;
	size_t nnamed;
};

/* Files are allocated one by one: their type sources are handed out. */
struct dwarf_cache {
	struct dwarf_file **files;
	size_t nfiles;
};

struct dwarf_cache *dwarf_cache__new(void)
{
	return calloc(1, sizeof(struct dwarf_cache));
}

static void func_fini(struct dwarf_func *f)
{
	free(f->name);
	for (size_t i = 0; i < f->nparams; i++) {
		free(f->params[i].name);
		free(f->params[i].type);
		free(f->params[i].fetch_type);
	}
}

void dwarf_cache__free(struct dwarf_cache *dc)
{
	if (!dc)
		return;
	for (size_t i = 0; i < dc->nfiles; i++) {
		struct dwarf_file *f = dc->files[i];

		for (size_t j = 0; j < f->nfuncs; j++)
			func_fini(&f->funcs[j]);
		free(f->funcs);
		for (size_t j = 0; j < f->nnamed; j++)
			free(f->named[j].name);
		free(f->named);
		free(f->types);
		free(f->what);
		if (f->dw)
			dwarf_end(f->dw);
		if (f->fd >= 0)
			close(f->fd);
		free(f->path);
		free(f);
	}
	free(dc->files);
	free(dc);
}

/* ---- types ------------------------------------------------------------------ */

static int die_to_ctype(struct dwarf_file *f, Dwarf_Die *in, struct ctype *out);

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

static bool type_of(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	return dwarf_formref_die(dwarf_attr_integrate(die, DW_AT_type, &a), type) != NULL;
}

/* libstdc++'s std::string: basic_string<char, ...> (or its typedef). */
static bool is_std_string(Dwarf_Die *die)
{
	const char *n = die_name(die);
	int tag = dwarf_tag(die);

	return n && (tag == DW_TAG_class_type || tag == DW_TAG_structure_type) &&
	       !strncmp(n, "basic_string<char,", 18);
}

/* Strip typedefs and qualifiers (bounded). */
static bool strip(Dwarf_Die *die, Dwarf_Die *out)
{
	*out = *die;
	for (int i = 0; i < MAX_TYPE_DEPTH; i++) {
		int tag = dwarf_tag(out);

		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type && tag != DW_TAG_restrict_type)
			return true;
		if (!type_of(out, out))
			return false;	/* const void */
	}
	return false;
}

/* The C spelling of type @die into @buf. */
static void type_name(Dwarf_Die *die, char *buf, size_t len, int depth)
{
	Dwarf_Die inner, s;
	const char *n = die_name(die), *fmt;
	char sub[TYPE_LEN];

	if (depth > MAX_TYPE_DEPTH) {
		snprintf(buf, len, "?");
		return;
	}
	switch (dwarf_tag(die)) {
	case DW_TAG_typedef:
		if (n && !strcmp(n, "string") && type_of(die, &inner) && strip(&inner, &s) &&
		    is_std_string(&s)) {
			snprintf(buf, len, "std::string");
			return;
		}
		/* fallthrough */
	case DW_TAG_base_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		if (is_std_string(die)) {
			snprintf(buf, len, "std::string");
			return;
		}
		fmt = dwarf_tag(die) == DW_TAG_structure_type ? "struct %s" :
		      dwarf_tag(die) == DW_TAG_union_type ? "union %s" :
		      dwarf_tag(die) == DW_TAG_enumeration_type ? "enum %s" : "%s";
		snprintf(buf, len, fmt, n ? n : "(anonymous)");
		return;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
		if (!type_of(die, &inner)) {
			snprintf(buf, len, "const void");
			return;
		}
		type_name(&inner, sub, sizeof(sub), depth + 1);
		fmt = dwarf_tag(die) == DW_TAG_const_type ? "const" : "volatile";
		/* A qualified pointer is "T *const", as C++'s this is. */
		if (dwarf_tag(&inner) == DW_TAG_pointer_type ?
		    snprintf(buf, len, "%s%s", sub, fmt) >= (int)len :
		    snprintf(buf, len, "%s %s", fmt, sub) >= (int)len)
			buf[len - 1] = 0;	/* cut: a listing only */
		return;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		fmt = dwarf_tag(die) == DW_TAG_pointer_type ? "*" :
		      dwarf_tag(die) == DW_TAG_reference_type ? "&" : "&&";
		if (!type_of(die, &inner))
			snprintf(sub, sizeof(sub), "void");
		else if (dwarf_tag(&inner) == DW_TAG_subroutine_type)
			snprintf(sub, sizeof(sub), "void (*)()");
		else
			type_name(&inner, sub, sizeof(sub), depth + 1);
		if (!strcmp(sub, "void (*)()"))
			snprintf(buf, len, "%s", sub);
		else if (snprintf(buf, len, "%s%s%s", sub, sub[strlen(sub) - 1] == '*' ? "" : " ",
				  fmt) >= (int)len)
			buf[len - 1] = 0;
		return;
	case DW_TAG_array_type:
		if (type_of(die, &inner))
			type_name(&inner, sub, sizeof(sub), depth + 1);
		else
			snprintf(sub, sizeof(sub), "?");
		snprintf(buf, len, "%s[]", sub);
		return;
	default:
		snprintf(buf, len, "%s", n ? n : "?");
	}
}

/*
 * The fetch type of a parameter of type @die (NULL: void), and whether
 * it is passed in an integer register at all (false: float, struct).
 */
static bool fetch_type_of(Dwarf_Die *die, struct dwarf_param *p)
{
	Dwarf_Die t, pointee, ps;
	Dwarf_Attribute a;
	Dwarf_Word enc = 0, size = 8;
	char buf[16];

	if (!die || !strip(die, &t))
		return false;
	if (dwarf_attr(&t, DW_AT_byte_size, &a))
		dwarf_formudata(&a, &size);
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		if (dwarf_attr(&t, DW_AT_encoding, &a))
			dwarf_formudata(&a, &enc);
		if (enc == DW_ATE_float || enc == DW_ATE_complex_float ||
		    (size != 1 && size != 2 && size != 4 && size != 8))
			return false;
		snprintf(buf, sizeof(buf), "%c%u", enc == DW_ATE_signed || enc == DW_ATE_signed_char ?
			 's' : 'u', (unsigned)size * 8);
		p->fetch_type = strdup(buf);
		return true;
	case DW_TAG_enumeration_type:
		snprintf(buf, sizeof(buf), "s%u", size == 1 || size == 2 || size == 8 ?
			 (unsigned)size * 8 : 32);
		p->fetch_type = strdup(buf);
		return true;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		if (type_of(&t, &pointee) && strip(&pointee, &ps)) {
			if (is_std_string(&ps)) {
				p->string_object = true;
				p->fetch_type = strdup("std::string&");
				return true;
			}
			if (dwarf_tag(&t) == DW_TAG_pointer_type && dwarf_tag(&ps) == DW_TAG_base_type &&
			    dwarf_attr(&ps, DW_AT_encoding, &a) && !dwarf_formudata(&a, &enc) &&
			    (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char)) {
				p->fetch_type = strdup("char *");
				return true;
			}
		}
		p->fetch_type = strdup("x64");
		return true;
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
		/* A non-trivial class by value travels by invisible reference. */
		if (is_std_string(&t)) {
			p->string_object = true;
			p->fetch_type = strdup("std::string");
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* ---- locations ------------------------------------------------------------------ */

/* Is the function's frame base the CFA (GCC and clang with CFI)? */
static bool frame_base_is_cfa(Dwarf_Die *func, uint64_t pc)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t n;

	if (!dwarf_attr_integrate(func, DW_AT_frame_base, &a))
		return false;
	if (dwarf_getlocation_addr(&a, pc, &expr, &n, 1) != 1 || n != 1)
		return false;
	return expr[0].atom == DW_OP_call_frame_cfa;
}

/* The location of @die at entry address @pc; false when there is none
 * that holds there. */
static bool entry_location(Dwarf_Die *func, Dwarf_Die *die, uint64_t pc, struct dwarf_param *p)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t n;
	int reg;

	if (!dwarf_attr(die, DW_AT_location, &a))
		return false;
	if (dwarf_getlocation_addr(&a, pc, &expr, &n, 1) != 1 || n != 1)
		return false;
	if (expr[0].atom >= DW_OP_reg0 && expr[0].atom <= DW_OP_reg15) {
		reg = expr[0].atom - DW_OP_reg0;
		p->loc = DWARF_LOC_REG;
		p->reg = regs_dwarf[reg];
		return true;
	}
	if (expr[0].atom == DW_OP_regx && expr[0].number < REGS_DWARF_NREGS) {
		p->loc = DWARF_LOC_REG;
		p->reg = regs_dwarf[expr[0].number];
		return true;
	}
	if (expr[0].atom == DW_OP_breg7) {
		p->loc = DWARF_LOC_STACK;
		p->stack_off = (int64_t)expr[0].number;
		return true;
	}
	/* Only the caller's part of the frame (stack arguments) is there yet. */
	if (expr[0].atom == DW_OP_fbreg && (int64_t)expr[0].number >= 0 &&
	    frame_base_is_cfa(func, pc)) {
		p->loc = DWARF_LOC_STACK;
		p->stack_off = 8 + (int64_t)expr[0].number;
		return true;
	}
	return false;
}

/* The producer of compile unit @cu, or NULL. */
static const char *cu_producer(Dwarf_Die *cu)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr(cu, DW_AT_producer, &a));
}

/* DW_AT_variable_parameter set: in Go's DWARF, a result. */
static bool is_variable_parameter(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	bool v = false;

	return dwarf_attr(die, DW_AT_variable_parameter, &a) && !dwarf_formflag(&a, &v) && v;
}

/* Read the parameters of @func (entry address @pc) into @f. */
static int read_params(struct dwarf_file *file, Dwarf_Die *func, uint64_t pc,
		       struct dwarf_func *f)
{
	Dwarf_Die child, type, cu;
	enum callconv conv = CALLCONV_SYSV;
	const char *producer = NULL;
	unsigned nint = 0;
	bool abi_ok = true, go;

	if (dwarf_diecu(func, &cu, NULL, NULL))
		producer = cu_producer(&cu);
	go = producer && !strncmp(producer, DWARF_GO_PRODUCER, strlen(DWARF_GO_PRODUCER));
	if (producer && callconv__from_producer(producer, &conv))
		conv = CALLCONV_GO_UNKNOWN;
	if (dwarf_child(func, &child))
		return 0;
	do {
		struct dwarf_param *p;
		const char *name;
		char tbuf[TYPE_LEN];
		bool has_type, in_int;

		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		/* Go lists its results as parameters marked variable: they are
		 * not there at entry. */
		if (go && is_variable_parameter(&child))
			continue;
		if (f->nparams >= DWARF_MAX_PARAMS)
			break;
		p = &f->params[f->nparams];
		memset(p, 0, sizeof(*p));
		name = die_name(&child);
		has_type = type_of(&child, &type);
		if (has_type)
			type_name(&type, tbuf, sizeof(tbuf), 0);
		else
			snprintf(tbuf, sizeof(tbuf), "void");
		in_int = fetch_type_of(has_type ? &type : NULL, p);
		if (has_type)
			p->has_ctype = !die_to_ctype(file, &type, &p->ctype);
		if (name)
			p->name = strdup(name);
		else if (asprintf(&p->name, "arg%zu", f->nparams + 1) < 0)
			p->name = NULL;
		p->type = strdup(tbuf);
		if (!p->name || !p->type)
			return -ENOMEM;
		f->nparams++;
		/* Where the ABI puts it, used when DWARF says nothing for the entry. */
		if (!in_int) {
			/* Floats go to %xmm, and a struct by value may take registers or
			 * the stack: the registers of the ones after it are unknown. */
			if (!(has_type && strip(&type, &type) && dwarf_tag(&type) == DW_TAG_base_type))
				abi_ok = false;
			p->loc = DWARF_LOC_NONE;
			continue;
		}
		if (entry_location(func, &child, pc, p)) {
			nint++;
			continue;
		}
		if (abi_ok && nint < callconv__nargs(conv)) {
			p->loc = DWARF_LOC_REG;
			p->reg = callconv__arg_reg(conv, nint + 1);
		}
		nint++;
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

/* Find the subprogram whose entry is @pc under @scope (bounded depth). */
static bool find_func(Dwarf_Die *scope, uint64_t pc, Dwarf_Die *out, int depth)
{
	Dwarf_Die child;
	Dwarf_Addr lo;

	if (depth > MAX_SCOPE_DEPTH || dwarf_child(scope, &child))
		return false;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
			if (!dwarf_lowpc(&child, &lo) && lo == pc) {
				*out = child;
				return true;
			}
			break;
		case DW_TAG_namespace:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
			if (find_func(&child, pc, out, depth + 1))
				return true;
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

static bool lookup_die(Dwarf *dw, uint64_t pc, Dwarf_Die *func)
{
	Dwarf_Die cu;
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (dwarf_addrdie(dw, pc, &cu) && find_func(&cu, pc, func, 0))
		return true;
	/* No .debug_aranges for it: walk every unit. */
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, &cu) && find_func(&cu, pc, func, 0))
			return true;
		off = next;
	}
	return false;
}

/* ---- types as a source for the expression compiler ------------------------------ */

/* The id of @die in @f's table, adding it on first use; 0 on ENOMEM. */
static uint64_t die_id(struct dwarf_file *f, Dwarf_Die *die)
{
	Dwarf_Off off = dwarf_dieoffset(die);
	Dwarf *dw = dwarf_cu_getdwarf(die->cu);
	void *p;

	for (size_t i = 0; i < f->ntypes; i++)
		if (dwarf_dieoffset(&f->types[i]) == off &&
		    dwarf_cu_getdwarf(f->types[i].cu) == dw)
			return i + 1;
	p = realloc(f->types, (f->ntypes + 1) * sizeof(*f->types));
	if (!p)
		return 0;
	f->types = p;
	f->types[f->ntypes++] = *die;
	return f->ntypes;
}

static bool is_declaration(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	bool v = false;

	return dwarf_attr(die, DW_AT_declaration, &a) && !dwarf_formflag(&a, &v) && v;
}

static Dwarf_Word die_udata(Dwarf_Die *die, unsigned attr, Dwarf_Word dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word v;

	if (dwarf_attr_integrate(die, attr, &a) && !dwarf_formudata(&a, &v))
		return v;
	return dflt;
}

static int lookup_type(const struct ctype_src *src, const char *name, struct ctype *out);
static int die_to_ctype(struct dwarf_file *f, Dwarf_Die *in, struct ctype *out);

/* The elements of array @die (the product of its dimensions; 0 unknown). */
static unsigned array_elems(Dwarf_Die *die)
{
	Dwarf_Die sub;
	uint64_t n = 1;
	bool any = false;

	if (dwarf_child(die, &sub))
		return 0;
	do {
		Dwarf_Word count;

		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		count = die_udata(&sub, DW_AT_count, 0);
		if (!count) {
			Dwarf_Attribute a;
			Dwarf_Word ub;

			if (!dwarf_attr(&sub, DW_AT_upper_bound, &a) || dwarf_formudata(&a, &ub))
				return 0;
			count = ub + 1;
		}
		n *= count;
		any = true;
		if (n > UINT32_MAX)
			return 0;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return any ? (unsigned)n : 0;
}

static int die_to_ctype(struct dwarf_file *f, Dwarf_Die *in, struct ctype *out)
{
	Dwarf_Die d, inner, base;
	Dwarf_Word enc;
	const char *n;

	memset(out, 0, sizeof(*out));
	out->src = &f->src;
	type_name(in, out->name, sizeof(out->name), 0);
	if (!strip(in, &d)) {
		out->kind = CTYPE_VOID;
		return 0;
	}
	switch (dwarf_tag(&d)) {
	case DW_TAG_base_type:
		enc = die_udata(&d, DW_AT_encoding, 0);
		out->size = die_udata(&d, DW_AT_byte_size, 0);
		out->kind = enc == DW_ATE_float || enc == DW_ATE_complex_float ? CTYPE_FLOAT : CTYPE_INT;
		out->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char ||
				 enc == DW_ATE_float;
		n = die_name(&d);
		out->is_char = out->size == 1 && (enc == DW_ATE_signed_char ||
			       enc == DW_ATE_unsigned_char || (n && strstr(n, "char")));
		break;
	case DW_TAG_enumeration_type:
		out->kind = CTYPE_ENUM;
		out->size = die_udata(&d, DW_AT_byte_size, 4);
		out->is_signed = true;
		if (type_of(&d, &inner) && strip(&inner, &base) && dwarf_tag(&base) == DW_TAG_base_type)
			out->is_signed = die_udata(&base, DW_AT_encoding, DW_ATE_signed) == DW_ATE_signed;
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		out->kind = CTYPE_PTR;
		out->size = 8;
		if (type_of(&d, &inner) && !(out->id = die_id(f, &inner)))
			return -ENOMEM;
		return 0;
	case DW_TAG_array_type:
		out->kind = CTYPE_ARRAY;
		out->nelems = array_elems(&d);
		if (!type_of(&d, &inner))
			return -EINVAL;
		if (!(out->id = die_id(f, &inner)))
			return -ENOMEM;
		out->size = die_udata(&d, DW_AT_byte_size, 0);
		if (!out->size && out->nelems) {
			struct ctype e;

			if (!die_to_ctype(f, &inner, &e))
				out->size = e.size * out->nelems;
		}
		return 0;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		/* A declaration only: its definition, if some unit has it. */
		if (is_declaration(&d) && (n = die_name(&d))) {
			char full[160];
			struct ctype def;

			snprintf(full, sizeof(full), "%s %s", dwarf_tag(&d) == DW_TAG_union_type ?
				 "union" : "struct", n);
			if (!lookup_type(&f->src, full, &def)) {
				snprintf(def.name, sizeof(def.name), "%s", out->name);
				*out = def;
				return 0;
			}
		}
		out->kind = dwarf_tag(&d) == DW_TAG_union_type ? CTYPE_UNION : CTYPE_STRUCT;
		out->size = die_udata(&d, DW_AT_byte_size, 0);
		break;
	case DW_TAG_subroutine_type:
		out->kind = CTYPE_FUNC;
		return 0;
	default:
		return -EINVAL;
	}
	return (out->id = die_id(f, &d)) ? 0 : -ENOMEM;
}

/* Does @die define the type @name ("struct x", "union x", "enum x", "x")? */
static bool defines(Dwarf_Die *die, const char *name)
{
	int tag = dwarf_tag(die);
	const char *n, *want = name;
	bool record = tag == DW_TAG_structure_type || tag == DW_TAG_class_type;

	if (!strncmp(name, "struct ", 7)) {
		if (!record)
			return false;
		want = name + 7;
	} else if (!strncmp(name, "union ", 6)) {
		if (tag != DW_TAG_union_type)
			return false;
		want = name + 6;
	} else if (!strncmp(name, "enum ", 5)) {
		if (tag != DW_TAG_enumeration_type)
			return false;
		want = name + 5;
	} else if (tag != DW_TAG_typedef && tag != DW_TAG_base_type && !record &&
		   tag != DW_TAG_union_type && tag != DW_TAG_enumeration_type) {
		return false;
	}
	n = die_name(die);
	return n && !strcmp(n, want) && !is_declaration(die);
}

/* The first unit of @dw (its top level) that defines @name. */
static bool find_named(Dwarf *dw, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwarf_Die cu, child;

	for (; dw && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; off = next) {
		if (!dwarf_offdie(dw, off + hsize, &cu) || dwarf_child(&cu, &child))
			continue;
		do {
			if (defines(&child, name)) {
				*out = child;
				return true;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	return false;
}

static int lookup_type(const struct ctype_src *src, const char *name, struct ctype *out)
{
	struct dwarf_file *f = src->ctx;
	Dwarf_Die die;
	uint64_t id = 0;
	void *p;

	for (size_t i = 0; i < f->nnamed; i++) {
		if (!strcmp(f->named[i].name, name)) {
			if (!f->named[i].id)
				return -ENOENT;
			return die_to_ctype(f, &f->types[f->named[i].id - 1], out);
		}
	}
	/* dwz: shared types live in the alternate file's partial units. */
	if (find_named(f->dw, name, &die) || find_named(dwarf_getalt(f->dw), name, &die)) {
		id = die_id(f, &die);
		if (!id)
			return -ENOMEM;
	}
	p = realloc(f->named, (f->nnamed + 1) * sizeof(*f->named));
	if (p) {
		f->named = p;
		f->named[f->nnamed].name = strdup(name);
		f->named[f->nnamed].id = id;
		if (f->named[f->nnamed].name)
			f->nnamed++;
	}
	if (!id)
		return -ENOENT;
	return die_to_ctype(f, &die, out);
}

static int get_type(const struct ctype_src *src, uint64_t id, struct ctype *out)
{
	struct dwarf_file *f = src->ctx;

	if (!id || id > f->ntypes)
		return -ENOENT;
	return die_to_ctype(f, &f->types[id - 1], out);
}

/* The byte offset of member @die in its record (0 when unsaid, as in unions). */
static Dwarf_Word member_offset(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Word v;
	Dwarf_Op *expr;
	size_t n;

	if (!dwarf_attr(die, DW_AT_data_member_location, &a))
		return 0;
	if (!dwarf_formudata(&a, &v))
		return v;
	/* DWARF 2's location expression: DW_OP_plus_uconst N. */
	if (!dwarf_getlocation(&a, &expr, &n) && n == 1 && expr[0].atom == DW_OP_plus_uconst)
		return expr[0].number;
	return 0;
}

/* Member @name of record @rec at byte @base, through anonymous members
 * and base classes (bounded depth). */
static int find_member(struct dwarf_file *f, Dwarf_Die *rec, const char *name, unsigned base,
		       struct ctype_member *out, int depth)
{
	Dwarf_Die child, t, s;

	if (depth > MAX_TYPE_DEPTH || dwarf_child(rec, &child))
		return -ENOENT;
	do {
		int tag = dwarf_tag(&child);
		const char *mname = die_name(&child);
		Dwarf_Word off = member_offset(&child);

		if (tag != DW_TAG_member && tag != DW_TAG_inheritance)
			continue;
		if (!type_of(&child, &t))
			continue;
		if (tag == DW_TAG_member && mname && !strcmp(mname, name)) {
			Dwarf_Word bits = die_udata(&child, DW_AT_bit_size, 0);
			int ret = die_to_ctype(f, &t, &out->type);

			if (ret)
				return ret;
			out->off = base + off;
			out->bit_off = out->bit_size = 0;
			if (bits && out->type.size) {
				Dwarf_Attribute a;
				Dwarf_Word dbo, bo, unit = out->type.size * 8;

				if (dwarf_attr(&child, DW_AT_data_bit_offset, &a) &&
				    !dwarf_formudata(&a, &dbo)) {
					/* From the record's start: align to the type's unit. */
					out->off = base + (dbo / unit) * out->type.size;
					out->bit_off = dbo % unit;
				} else if (dwarf_attr(&child, DW_AT_bit_offset, &a) &&
					   !dwarf_formudata(&a, &bo)) {
					/* DWARF 2: from the storage unit's most significant bit. */
					Dwarf_Word bsz = die_udata(&child, DW_AT_byte_size, out->type.size);

					out->bit_off = bsz * 8 - bo - bits;
				}
				out->bit_size = bits;
			}
			return 0;
		}
		if ((tag == DW_TAG_member && !mname) || tag == DW_TAG_inheritance) {
			int ret;

			if (!strip(&t, &s) || (dwarf_tag(&s) != DW_TAG_structure_type &&
					       dwarf_tag(&s) != DW_TAG_class_type &&
					       dwarf_tag(&s) != DW_TAG_union_type))
				continue;
			ret = find_member(f, &s, name, base + off, out, depth + 1);
			if (ret != -ENOENT)
				return ret;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return -ENOENT;
}

static int get_member(const struct ctype_src *src, uint64_t rec, const char *name,
		      struct ctype_member *out)
{
	struct dwarf_file *f = src->ctx;
	Dwarf_Die d;

	if (!rec || rec > f->ntypes || !strip(&f->types[rec - 1], &d))
		return -ENOENT;
	return find_member(f, &d, name, 0, out, 0);
}

static const struct ctype_src_ops dwarf_type_ops = {
	.lookup = lookup_type,
	.get = get_type,
	.member = get_member,
};

/* Open @path's DWARF, or its separate debug file's. */
static int file_open(struct dwarf_file *f, const char *path)
{
	struct elf_file *ef;
	const char *dbg;

	f->fd = procpath__open(path, O_RDONLY);
	if (f->fd < 0)
		return f->fd;
	f->dw = dwarf_begin(f->fd, DWARF_C_READ);
	if (f->dw)
		return 0;
	close(f->fd);
	f->fd = -1;
	ef = elf_file__open(path);
	if (!ef)
		return 0;
	if (!elf_file__load_symbols(ef, NULL) && (dbg = elf_file__debug_path(ef))) {
		f->fd = procpath__open(dbg, O_RDONLY);
		if (f->fd >= 0 && !(f->dw = dwarf_begin(f->fd, DWARF_C_READ))) {
			close(f->fd);
			f->fd = -1;
		}
	}
	elf_file__free(ef);
	return 0;
}

/*
 * @path's entry in @dc, its DWARF opened on first use (f->dw stays NULL
 * when it has none). Returns 0, or a negative errno with one sentence in
 * @err.
 */
static int cache_file(struct dwarf_cache *dc, const char *path, struct dwarf_file **out,
		      char *err, size_t errlen)
{
	struct dwarf_file *f;
	void *p;
	int ret;

	for (size_t i = 0; i < dc->nfiles; i++) {
		if (!strcmp(dc->files[i]->path, path)) {
			*out = dc->files[i];
			return 0;
		}
	}
	p = realloc(dc->files, (dc->nfiles + 1) * sizeof(*dc->files));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	dc->files = p;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->fd = -1;
	f->src = (struct ctype_src){ .ops = &dwarf_type_ops, .ctx = f };
	dc->files[dc->nfiles++] = f;
	ret = file_open(f, path);
	if (ret) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	*out = f;
	return 0;
}

int dwarf_cache__func(struct dwarf_cache *dc, const char *path, uint64_t vaddr,
		      const struct dwarf_func **func, char *err, size_t errlen)
{
	struct dwarf_file *f = NULL;
	struct dwarf_func *fn;
	Dwarf_Die die;
	const char *name;
	void *p;
	int ret;

	ret = cache_file(dc, path, &f, err, errlen);
	if (ret)
		return ret;
	if (!f->dw) {
		snprintf(err, errlen, "%s has no debug information (DWARF)", path);
		return -ENOENT;
	}
	for (size_t i = 0; i < f->nfuncs; i++) {
		if (f->funcs[i].vaddr == vaddr) {
			*func = &f->funcs[i];
			return 0;
		}
	}
	if (!lookup_die(f->dw, vaddr, &die)) {
		snprintf(err, errlen, "%s has no debug information for the function at 0x%llx",
			 path, (unsigned long long)vaddr);
		return -ENOENT;
	}
	p = realloc(f->funcs, (f->nfuncs + 1) * sizeof(*f->funcs));
	if (!p)
		return -ENOMEM;
	f->funcs = p;
	fn = &f->funcs[f->nfuncs];
	memset(fn, 0, sizeof(*fn));
	fn->vaddr = vaddr;
	name = die_name(&die);
	fn->name = strdup(name ? name : "?");
	ret = fn->name ? read_params(f, &die, vaddr, fn) : -ENOMEM;
	if (ret) {
		func_fini(fn);
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	f->nfuncs++;
	*func = fn;
	return 0;
}

int dwarf_cache__producer(struct dwarf_cache *dc, const char *path, uint64_t vaddr,
			  const char **producer)
{
	struct dwarf_file *f;
	Dwarf_Off off = 0, next;
	Dwarf_Die cu;
	size_t hsize;
	char err[256];
	bool found;
	int ret;

	ret = cache_file(dc, path, &f, err, sizeof(err));
	if (ret)
		return ret;
	if (!f->dw)
		return -ENOENT;
	found = dwarf_addrdie(f->dw, vaddr, &cu) != NULL;
	/* No .debug_aranges (Go writes none): the units' own ranges. */
	while (!found && dwarf_nextcu(f->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		found = dwarf_offdie(f->dw, off + hsize, &cu) && dwarf_haspc(&cu, vaddr) > 0;
		off = next;
	}
	*producer = found ? cu_producer(&cu) : NULL;
	return *producer ? 0 : -ENOENT;
}

int dwarf_cache__producer_prefix(struct dwarf_cache *dc, const char *path, const char *prefix,
				 const char **producer)
{
	struct dwarf_file *f;
	Dwarf_Off off = 0, next;
	Dwarf_Die cu;
	size_t hsize, n = strlen(prefix);
	char err[256];
	int ret;

	ret = cache_file(dc, path, &f, err, sizeof(err));
	if (ret)
		return ret;
	for (; f->dw && dwarf_nextcu(f->dw, off, &next, &hsize, NULL, NULL, NULL) == 0; off = next) {
		const char *p;

		if (!dwarf_offdie(f->dw, off + hsize, &cu) || !(p = cu_producer(&cu)) ||
		    strncmp(p, prefix, n))
			continue;
		*producer = p;
		return 0;
	}
	return -ENOENT;
}

const struct ctype_src *dwarf_cache__types(struct dwarf_cache *dc, const char *path)
{
	struct dwarf_file *f;
	char err[256];
	int ret;

	ret = cache_file(dc, path, &f, err, sizeof(err));
	if (ret) {
		errno = -ret;
		return NULL;
	}
	if (!f->dw) {
		errno = ENOENT;
		return NULL;
	}
	if (!f->what) {
		const char *shown = path, *root;

		/* A traced process's file (/proc/PID/root/usr/bin/x): as it
		 * names it. */
		if (!strncmp(path, "/proc/", 6) && (root = strstr(path, "/root/")))
			shown = root + 5;
		if (asprintf(&f->what, "the debug information of %s", shown) < 0) {
			f->what = NULL;
			errno = ENOMEM;
			return NULL;
		}
		f->src.what = f->what;
	}
	return &f->src;
}

int dwarf_param__to_fetch(const struct dwarf_param *p, struct fetch_param *fp)
{
	if (p->loc == DWARF_LOC_NONE || !p->fetch_type)
		return -ENOENT;
	memset(fp, 0, sizeof(*fp));
	fp->name = p->name;
	fp->type = p->fetch_type;
	fp->reg = p->loc == DWARF_LOC_REG ? p->reg : -1;
	fp->on_stack = p->loc == DWARF_LOC_STACK;
	fp->stack_off = p->stack_off;
	fp->string_object = p->string_object;
	/* A std::string stays an address: *(name+8) is its length. */
	fp->ctype = p->has_ctype && !p->string_object ? &p->ctype : NULL;
	return 0;
}
