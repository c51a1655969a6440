// SPDX-License-Identifier: GPL-2.0-only
/*
 * unwind: unwind tables from .eh_frame / .debug_frame (see unwind.h).
 *
 * The formats: DWARF 5 section 6.4 (Call Frame Information) and the LSB's
 * .eh_frame chapter (pointer encodings, the 'z' augmentation). Each FDE's
 * CFA program is run from its CIE's initial instructions; every location
 * it reaches gives a span (start, end, rule) in link-time addresses. The
 * spans are then moved to file offsets through the executable segments,
 * sorted, and turned into rows: a gap between FDEs becomes a NONE row,
 * and neighbours with the same rule become one.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/elf.h"
#include "common/unwind.h"

/* DWARF call frame instructions (DWARF 5, 6.4.2; GNU extensions). */
enum {
	DW_CFA_nop = 0x00,
	DW_CFA_set_loc = 0x01,
	DW_CFA_advance_loc1 = 0x02,
	DW_CFA_advance_loc2 = 0x03,
	DW_CFA_advance_loc4 = 0x04,
	DW_CFA_offset_extended = 0x05,
	DW_CFA_restore_extended = 0x06,
	DW_CFA_undefined = 0x07,
	DW_CFA_same_value = 0x08,
	DW_CFA_register = 0x09,
	DW_CFA_remember_state = 0x0a,
	DW_CFA_restore_state = 0x0b,
	DW_CFA_def_cfa = 0x0c,
	DW_CFA_def_cfa_register = 0x0d,
	DW_CFA_def_cfa_offset = 0x0e,
	DW_CFA_def_cfa_expression = 0x0f,
	DW_CFA_expression = 0x10,
	DW_CFA_offset_extended_sf = 0x11,
	DW_CFA_def_cfa_sf = 0x12,
	DW_CFA_def_cfa_offset_sf = 0x13,
	DW_CFA_val_offset = 0x14,
	DW_CFA_val_offset_sf = 0x15,
	DW_CFA_val_expression = 0x16,
	DW_CFA_GNU_args_size = 0x2e,
	DW_CFA_GNU_negative_offset_extended = 0x2f,
	DW_CFA_advance_loc = 0x40,
	DW_CFA_offset = 0x80,
	DW_CFA_restore = 0xc0,
};

/* DWARF expression operations the recognized expressions use. */
enum {
	DW_OP_deref = 0x06,
	DW_OP_and = 0x1a,
	DW_OP_plus = 0x22,
	DW_OP_shl = 0x24,
	DW_OP_ge = 0x2a,
	DW_OP_lit0 = 0x30,
	DW_OP_lit31 = 0x4f,
	DW_OP_breg0 = 0x70,
	DW_OP_breg31 = 0x8f,
};

/* Pointer encodings (LSB, .eh_frame). */
enum {
	DW_EH_PE_absptr = 0x00,
	DW_EH_PE_uleb128 = 0x01,
	DW_EH_PE_udata2 = 0x02,
	DW_EH_PE_udata4 = 0x03,
	DW_EH_PE_udata8 = 0x04,
	DW_EH_PE_sleb128 = 0x09,
	DW_EH_PE_sdata2 = 0x0a,
	DW_EH_PE_sdata4 = 0x0b,
	DW_EH_PE_sdata8 = 0x0c,
	DW_EH_PE_pcrel = 0x10,
	DW_EH_PE_indirect = 0x80,
	DW_EH_PE_omit = 0xff,
};

/* x86-64 DWARF register numbers. */
enum { REG_RBP = 6, REG_RSP = 7, REG_RA = 16 };

#define REMEMBER_MAX 8
#define CIE_CACHE 64

/* ---- a bounds-checked cursor ------------------------------------------------------ */

struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint8_t cur_u8(struct cur *c)
{
	if (c->p >= c->end) {
		c->bad = true;
		return 0;
	}
	return *c->p++;
}

static uint64_t cur_le(struct cur *c, unsigned n)
{
	uint64_t v = 0;

	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		c->p = c->end;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

/* A LEB128 number; @sign: sign-extended from its last byte's bit 6. */
static uint64_t cur_leb(struct cur *c, bool sign)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		b = cur_u8(c);
		if (c->bad || shift > 63) {
			c->bad = true;
			return 0;
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		v |= ~0ULL << shift;
	return v;
}

static uint64_t cur_uleb(struct cur *c)
{
	return cur_leb(c, false);
}

static int64_t cur_sleb(struct cur *c)
{
	return (int64_t)cur_leb(c, true);
}

/* The section being parsed: its bytes and the vaddr of the first. */
struct section {
	const uint8_t *data;
	size_t len;
	uint64_t vaddr;
	bool debug_frame;
};

/* A pointer in encoding @enc; @with_base false for a range (format only). */
static uint64_t cur_ptr(struct cur *c, const struct section *s, uint8_t enc, bool with_base)
{
	uint64_t here = s->vaddr + (uint64_t)(c->p - s->data), v;

	switch (enc & 0x0f) {
	case DW_EH_PE_absptr: v = cur_le(c, 8); break;
	case DW_EH_PE_uleb128: v = cur_uleb(c); break;
	case DW_EH_PE_udata2: v = cur_le(c, 2); break;
	case DW_EH_PE_udata4: v = cur_le(c, 4); break;
	case DW_EH_PE_udata8: v = cur_le(c, 8); break;
	case DW_EH_PE_sleb128: v = (uint64_t)cur_sleb(c); break;
	case DW_EH_PE_sdata2: v = (uint64_t)(int64_t)(int16_t)cur_le(c, 2); break;
	case DW_EH_PE_sdata4: v = (uint64_t)(int64_t)(int32_t)cur_le(c, 4); break;
	case DW_EH_PE_sdata8: v = cur_le(c, 8); break;
	default:
		c->bad = true;
		return 0;
	}
	if (!with_base)
		return v;
	switch (enc & 0x70) {
	case 0:
		break;
	case DW_EH_PE_pcrel:
		v += here;
		break;
	default:
		/* textrel, datarel, funcrel, aligned: not used for code
		 * addresses on x86-64 and not resolvable here. */
		c->bad = true;
		return 0;
	}
	return v;
}

/* ---- CIEs ------------------------------------------------------------------------------ */

struct cie {
	size_t off;		/* of the entry in the section */
	bool valid;
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_reg;
	uint8_t fde_enc;
	bool aug_z;		/* FDEs have augmentation data */
	bool signal;		/* 'S': FDEs describe signal frames */
	const uint8_t *insns, *insns_end;
};

/*
 * Read the entry length at @c: 0 and the end of the entry in *@next.
 * Returns the length of the entry's body (after the length field), or -1
 * when it runs past the section; *@is64 for the 64-bit DWARF format.
 */
static int64_t entry_length(struct cur *c, bool *is64)
{
	uint64_t len = cur_le(c, 4);

	*is64 = false;
	if (len == 0xffffffff) {
		len = cur_le(c, 8);
		*is64 = true;
	}
	if (c->bad || len > (uint64_t)(c->end - c->p))
		return -1;
	return (int64_t)len;
}

static int parse_cie(const struct section *s, size_t off, struct cie *cie)
{
	struct cur c = { s->data + off, s->data + s->len, false };
	const char *aug;
	size_t auglen;
	int64_t len;
	bool is64;
	uint64_t id;
	uint8_t version;

	memset(cie, 0, sizeof(*cie));
	cie->off = off;
	cie->fde_enc = DW_EH_PE_absptr;
	if (off >= s->len)
		return -EINVAL;
	len = entry_length(&c, &is64);
	if (len < 0)
		return -EINVAL;
	c.end = c.p + len;
	id = cur_le(&c, is64 ? 8 : 4);
	if (s->debug_frame ? id != (is64 ? ~0ULL : 0xffffffffULL) : id != 0)
		return -EINVAL;
	version = cur_u8(&c);
	if (version != 1 && version != 3 && version != 4)
		return -EINVAL;
	aug = (const char *)c.p;
	auglen = strnlen(aug, (size_t)(c.end - c.p));
	if (auglen == (size_t)(c.end - c.p))
		return -EINVAL;
	c.p += auglen + 1;
	if (version == 4) {
		uint8_t asize = cur_u8(&c), ssize = cur_u8(&c);

		if (asize != 8 || ssize != 0)
			return -EINVAL;
	}
	cie->code_align = cur_uleb(&c);
	cie->data_align = cur_sleb(&c);
	cie->ra_reg = version == 1 ? cur_u8(&c) : cur_uleb(&c);
	if (c.bad)
		return -EINVAL;
	if (aug[0] == 'z') {
		uint64_t alen = cur_uleb(&c);
		struct cur a;

		if (c.bad || alen > (uint64_t)(c.end - c.p))
			return -EINVAL;
		a = (struct cur){ c.p, c.p + alen, false };
		c.p += alen;
		cie->aug_z = true;
		for (size_t i = 1; i < auglen; i++) {
			switch (aug[i]) {
			case 'L':
				cur_u8(&a);
				break;
			case 'R':
				cie->fde_enc = cur_u8(&a);
				break;
			case 'P': {
				uint8_t enc = cur_u8(&a);

				/* Read and dropped: only its length matters. */
				cur_ptr(&a, s, enc & 0x7f, false);
				break;
			}
			case 'S':
				cie->signal = true;
				break;
			case 'B':
			case 'G':
				break;
			default:
				/* Unknown: the rest of the data cannot be read,
				 * but its length is known; 'R' came before, if any. */
				i = auglen;
				break;
			}
			if (a.bad)
				return -EINVAL;
		}
	} else if (aug[0] != '\0') {
		/* An augmentation without 'z' (GCC's old "eh"): unreadable. */
		return -ENOTSUP;
	}
	cie->insns = c.p;
	cie->insns_end = c.end;
	cie->valid = true;
	return 0;
}

/* ---- the CFA program ------------------------------------------------------------------ */

enum rule_how { R_SAME, R_UNDEF, R_OFFSET, R_AT_RBP, R_OTHER };

struct rule {
	uint8_t how;
	int64_t off;
};

enum cfa_how { C_REG, C_PLT, C_DEREF, C_OTHER };

struct state {
	uint8_t cfa_how;
	uint64_t cfa_reg;
	int64_t cfa_off;
	uint8_t plt_thresh;
	struct rule rbp, ra;
};

/*
 * @v times the alignment factor @f, wrapping instead of overflowing (a
 * hostile file's values are meaningless, not undefined behaviour; rows
 * with offsets out of range are refused later).
 */
static int64_t factored(uint64_t v, int64_t f)
{
	return (int64_t)(v * (uint64_t)f);
}

/* A DW_OP_bregN operand: the register in *@reg, the offset returned. */
static bool read_breg(struct cur *c, uint64_t *reg, int64_t *off)
{
	uint8_t op = cur_u8(c);

	if (c->bad || op < DW_OP_breg0 || op > DW_OP_breg31) {
		c->bad = true;
		return false;
	}
	*reg = op - DW_OP_breg0;
	*off = cur_sleb(c);
	return !c->bad;
}

/*
 * The CFA expressions an x86-64 walk can follow: the one binutils writes
 * for lazy PLT entries (rsp + A, plus 8 once past the push at offset B of
 * the 16-byte entry) and "*(reg + K)" (a realigned stack, a signal frame).
 */
static void classify_cfa_expr(struct state *st, const uint8_t *p, size_t len)
{
	static const uint8_t plt_mid[] = { 0x80 /* breg16 */, 0x00, 0x3f /* lit15 */, DW_OP_and };
	static const uint8_t plt_tail[] = { DW_OP_ge, DW_OP_lit0 + 3, DW_OP_shl, DW_OP_plus };
	struct cur c = { p, p + len, false };
	uint64_t reg;
	int64_t off;
	uint8_t lit;

	st->cfa_how = C_OTHER;
	if (!read_breg(&c, &reg, &off))
		return;
	if (c.p == c.end - 1 && *c.p == DW_OP_deref) {
		st->cfa_how = C_DEREF;
		st->cfa_reg = reg;
		st->cfa_off = off;
		return;
	}
	if (reg != REG_RSP || (size_t)(c.end - c.p) != sizeof(plt_mid) + 1 + sizeof(plt_tail) ||
	    memcmp(c.p, plt_mid, sizeof(plt_mid)) ||
	    memcmp(c.p + sizeof(plt_mid) + 1, plt_tail, sizeof(plt_tail)))
		return;
	lit = c.p[sizeof(plt_mid)];
	if (lit < DW_OP_lit0 || lit > DW_OP_lit0 + 15)
		return;
	st->cfa_how = C_PLT;
	st->cfa_reg = REG_RSP;
	st->cfa_off = off;
	st->plt_thresh = lit - DW_OP_lit0;
}

/* A register saved by an expression: "at rbp + K" is the one followed. */
static struct rule classify_reg_expr(const uint8_t *p, size_t len)
{
	struct cur c = { p, p + len, false };
	uint64_t reg;
	int64_t off;

	if (read_breg(&c, &reg, &off) && c.p == c.end && reg == REG_RBP)
		return (struct rule){ R_AT_RBP, off };
	return (struct rule){ R_OTHER, 0 };
}

struct span {
	uint64_t start, end;
	struct unwind_row r;	/* off unused until the end */
};

struct builder {
	struct span *v;
	size_t n, cap;
	size_t nbad;
	size_t nfdes;
	bool oom;
};

static struct unwind_row row_of(const struct state *st, bool signal)
{
	struct unwind_row r = {};
	uint8_t cfa = UNWIND_CFA_UNSUPPORTED, rbp = UNWIND_RBP_LOST;

	if (st->ra.how == R_UNDEF) {
		cfa = UNWIND_CFA_END;
	} else if (signal) {
		if (st->cfa_how == C_DEREF && st->cfa_reg == REG_RSP &&
		    st->cfa_off == UNWIND_SIGNAL_RSP)
			cfa = UNWIND_CFA_SIGNAL;
	} else if (st->ra.how == R_OFFSET && st->ra.off == -8) {
		switch (st->cfa_how) {
		case C_REG:
			if ((st->cfa_reg == REG_RSP || st->cfa_reg == REG_RBP) &&
			    st->cfa_off >= 0 && st->cfa_off <= 0xffff) {
				cfa = st->cfa_reg == REG_RSP ? UNWIND_CFA_RSP : UNWIND_CFA_RBP;
				r.cfa_off = (uint16_t)st->cfa_off;
			}
			break;
		case C_DEREF:
			if (st->cfa_reg == REG_RBP && st->cfa_off >= INT16_MIN &&
			    st->cfa_off <= INT16_MAX) {
				cfa = UNWIND_CFA_DEREF_RBP;
				r.cfa_off = (uint16_t)(int16_t)st->cfa_off;
			}
			break;
		case C_PLT:
			if (st->cfa_off >= 0 && st->cfa_off <= 0xffff) {
				cfa = UNWIND_CFA_PLT;
				r.cfa_off = (uint16_t)st->cfa_off;
				r.rbp_off = (int8_t)st->plt_thresh;
			}
			break;
		}
	}
	if (cfa != UNWIND_CFA_PLT) {
		switch (st->rbp.how) {
		case R_SAME:
			rbp = UNWIND_RBP_SAME;
			break;
		case R_OFFSET:
		case R_AT_RBP:
			if (st->rbp.off % 8 == 0 && st->rbp.off >= -1024 && st->rbp.off <= 1016) {
				rbp = st->rbp.how == R_OFFSET ? UNWIND_RBP_CFA : UNWIND_RBP_RBP;
				r.rbp_off = (int8_t)(st->rbp.off / 8);
			}
			break;
		}
	} else {
		rbp = UNWIND_RBP_SAME;
	}
	if (cfa == UNWIND_CFA_END || cfa == UNWIND_CFA_SIGNAL || cfa == UNWIND_CFA_UNSUPPORTED) {
		r.cfa_off = 0;
		r.rbp_off = 0;
		rbp = UNWIND_RBP_SAME;
	}
	r.kind = cfa | rbp << 4;
	return r;
}

static void add_span(struct builder *b, uint64_t start, uint64_t end, const struct state *st,
		     bool signal)
{
	if (start >= end || b->oom)
		return;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct span *v = realloc(b->v, cap * sizeof(*v));

		if (!v) {
			b->oom = true;
			return;
		}
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = (struct span){ start, end, row_of(st, signal) };
}

static struct rule *rule_for(struct state *st, uint64_t reg)
{
	if (reg == REG_RBP)
		return &st->rbp;
	if (reg == REG_RA)
		return &st->ra;
	return NULL;
}

static void set_rule(struct state *st, uint64_t reg, uint8_t how, int64_t off)
{
	struct rule *r = rule_for(st, reg);

	if (r)
		*r = (struct rule){ how, off };
}

/*
 * Run the CFA program [p, end) from *@st at *@loc. With @b, each advance
 * of the location closes a span [*loc, new loc). @init is the state after
 * the CIE's initial instructions (for DW_CFA_restore), NULL while running
 * those. Returns 0 or -EINVAL for a malformed program.
 */
static int run_cfa(const struct section *s, const struct cie *cie, const uint8_t *p,
		   const uint8_t *end, struct state *st, const struct state *init, uint64_t *loc,
		   uint64_t fde_end, struct builder *b)
{
	struct state stack[REMEMBER_MAX];
	unsigned depth = 0;
	struct cur c = { p, end, false };

	while (c.p < c.end && !c.bad) {
		uint8_t op = cur_u8(&c), low = op & 0x3f;
		uint64_t reg, adv = 0, newloc;
		int64_t off;
		bool advance = false;

		switch (op & 0xc0) {
		case DW_CFA_advance_loc:
			adv = low;
			advance = true;
			break;
		case DW_CFA_offset:
			off = factored(cur_uleb(&c), cie->data_align);
			set_rule(st, low, R_OFFSET, off);
			continue;
		case DW_CFA_restore:
			if (init && rule_for(st, low))
				*rule_for(st, low) = *rule_for((struct state *)init, low);
			continue;
		}
		if (!advance) {
			switch (op) {
			case DW_CFA_nop:
				break;
			case DW_CFA_set_loc:
				newloc = cur_ptr(&c, s, cie->fde_enc, true);
				if (c.bad || newloc < *loc)
					return -EINVAL;
				adv = (newloc - *loc);
				if (cie->code_align > 1)
					adv /= cie->code_align;
				advance = true;
				break;
			case DW_CFA_advance_loc1:
				adv = cur_le(&c, 1);
				advance = true;
				break;
			case DW_CFA_advance_loc2:
				adv = cur_le(&c, 2);
				advance = true;
				break;
			case DW_CFA_advance_loc4:
				adv = cur_le(&c, 4);
				advance = true;
				break;
			case DW_CFA_offset_extended:
				reg = cur_uleb(&c);
				off = factored(cur_uleb(&c), cie->data_align);
				set_rule(st, reg, R_OFFSET, off);
				break;
			case DW_CFA_offset_extended_sf:
				reg = cur_uleb(&c);
				off = factored((uint64_t)cur_sleb(&c), cie->data_align);
				set_rule(st, reg, R_OFFSET, off);
				break;
			case DW_CFA_GNU_negative_offset_extended:
				reg = cur_uleb(&c);
				off = factored(0 - cur_uleb(&c), cie->data_align);
				set_rule(st, reg, R_OFFSET, off);
				break;
			case DW_CFA_restore_extended:
				reg = cur_uleb(&c);
				if (init && rule_for(st, reg))
					*rule_for(st, reg) = *rule_for((struct state *)init, reg);
				break;
			case DW_CFA_undefined:
				set_rule(st, cur_uleb(&c), R_UNDEF, 0);
				break;
			case DW_CFA_same_value:
				set_rule(st, cur_uleb(&c), R_SAME, 0);
				break;
			case DW_CFA_register:
				reg = cur_uleb(&c);
				cur_uleb(&c);
				set_rule(st, reg, R_OTHER, 0);
				break;
			case DW_CFA_val_offset:
			case DW_CFA_val_offset_sf:
				reg = cur_uleb(&c);
				if (op == DW_CFA_val_offset)
					cur_uleb(&c);
				else
					cur_sleb(&c);
				set_rule(st, reg, R_OTHER, 0);
				break;
			case DW_CFA_remember_state:
				if (depth == REMEMBER_MAX)
					return -EINVAL;
				stack[depth++] = *st;
				break;
			case DW_CFA_restore_state:
				if (!depth)
					return -EINVAL;
				*st = stack[--depth];
				break;
			case DW_CFA_def_cfa:
				st->cfa_how = C_REG;
				st->cfa_reg = cur_uleb(&c);
				st->cfa_off = (int64_t)cur_uleb(&c);
				break;
			case DW_CFA_def_cfa_sf:
				st->cfa_how = C_REG;
				st->cfa_reg = cur_uleb(&c);
				st->cfa_off = factored((uint64_t)cur_sleb(&c), cie->data_align);
				break;
			case DW_CFA_def_cfa_register:
				/* Keeps the offset; after an expression it is meaningless. */
				if (st->cfa_how != C_REG)
					st->cfa_off = 0;
				st->cfa_how = C_REG;
				st->cfa_reg = cur_uleb(&c);
				break;
			case DW_CFA_def_cfa_offset:
				st->cfa_off = (int64_t)cur_uleb(&c);
				break;
			case DW_CFA_def_cfa_offset_sf:
				st->cfa_off = factored((uint64_t)cur_sleb(&c), cie->data_align);
				break;
			case DW_CFA_def_cfa_expression: {
				uint64_t len = cur_uleb(&c);

				if (c.bad || len > (uint64_t)(c.end - c.p))
					return -EINVAL;
				classify_cfa_expr(st, c.p, len);
				c.p += len;
				break;
			}
			case DW_CFA_expression:
			case DW_CFA_val_expression: {
				uint64_t len;

				reg = cur_uleb(&c);
				len = cur_uleb(&c);
				if (c.bad || len > (uint64_t)(c.end - c.p))
					return -EINVAL;
				if (rule_for(st, reg)) {
					struct rule r = op == DW_CFA_expression ?
						classify_reg_expr(c.p, len) :
						(struct rule){ R_OTHER, 0 };

					*rule_for(st, reg) = r;
				}
				c.p += len;
				break;
			}
			case DW_CFA_GNU_args_size:
				cur_uleb(&c);
				break;
			default:
				/* An opcode we do not know: its operands' length is unknown. */
				return -EINVAL;
			}
		}
		if (c.bad)
			return -EINVAL;
		if (advance) {
			if (cie->code_align && adv > UINT64_MAX / cie->code_align)
				return -EINVAL;
			newloc = *loc + adv * cie->code_align;
			if (newloc < *loc)
				return -EINVAL;
			if (b) {
				add_span(b, *loc, newloc < fde_end ? newloc : fde_end, st, cie->signal);
			}
			*loc = newloc;
		}
	}
	return c.bad ? -EINVAL : 0;
}

/* ---- the section --------------------------------------------------------------------- */

struct cie_cache {
	struct cie v[CIE_CACHE];
	size_t n, next;
};

static const struct cie *get_cie(const struct section *s, struct cie_cache *cc, size_t off)
{
	struct cie *slot;

	for (size_t i = 0; i < cc->n; i++)
		if (cc->v[i].off == off)
			return cc->v[i].valid ? &cc->v[i] : NULL;
	if (cc->n < CIE_CACHE) {
		slot = &cc->v[cc->n++];
	} else {
		slot = &cc->v[cc->next];
		cc->next = (cc->next + 1) % CIE_CACHE;
	}
	if (parse_cie(s, off, slot)) {
		slot->off = off;
		slot->valid = false;
		return NULL;
	}
	return slot;
}

static void parse_fde(const struct section *s, struct cie_cache *cc, struct cur *c, bool is64,
		      size_t cie_field, uint64_t cie_ptr, struct builder *b)
{
	struct state st = { .cfa_how = C_REG, .cfa_reg = REG_RSP, .cfa_off = 8,
			    .rbp = { R_SAME, 0 }, .ra = { R_OFFSET, -8 } };
	struct state init;
	const struct cie *cie;
	uint64_t start, range, loc;
	size_t cie_off;

	if (s->debug_frame) {
		cie_off = cie_ptr;
	} else {
		if (cie_ptr > cie_field) {
			b->nbad++;
			return;
		}
		cie_off = cie_field - cie_ptr;
	}
	cie = get_cie(s, cc, cie_off);
	if (!cie) {
		b->nbad++;
		return;
	}
	(void)is64;
	start = cur_ptr(c, s, cie->fde_enc, true);
	range = cur_ptr(c, s, cie->fde_enc, false);
	if (cie->aug_z) {
		uint64_t alen = cur_uleb(c);

		if (c->bad || alen > (uint64_t)(c->end - c->p)) {
			b->nbad++;
			return;
		}
		c->p += alen;
	}
	if (c->bad || start + range < start) {
		b->nbad++;
		return;
	}
	if (!range)
		return;	/* a discarded function (linker-garbage FDE) */
	b->nfdes++;
	/* Defaults before the CIE: CFA = rsp + 8, RA at CFA - 8, rbp kept;
	 * every x86-64 CIE sets the first two itself. */
	loc = start;
	if (run_cfa(s, cie, cie->insns, cie->insns_end, &st, NULL, &loc, start + range, NULL)) {
		b->nbad++;
		return;
	}
	loc = start;
	init = st;
	if (run_cfa(s, cie, c->p, c->end, &st, &init, &loc, start + range, b)) {
		b->nbad++;
		return;
	}
	if (loc < start + range)
		add_span(b, loc, start + range, &st, cie->signal);
}

static int walk_section(const struct section *s, struct builder *b)
{
	struct cie_cache *cc = calloc(1, sizeof(*cc));
	struct cur c = { s->data, s->data + s->len, false };

	if (!cc)
		return -ENOMEM;
	while (c.p < c.end && !b->oom) {
		size_t entry = (size_t)(c.p - s->data), cie_field;
		struct cur body;
		int64_t len;
		bool is64;
		uint64_t id;

		len = entry_length(&c, &is64);
		if (len < 0) {
			b->nbad++;
			break;
		}
		if (len == 0) {
			/* .eh_frame's terminator; in .debug_frame, padding. */
			if (!s->debug_frame)
				break;
			continue;
		}
		body = (struct cur){ c.p, c.p + len, false };
		c.p += len;
		cie_field = (size_t)(body.p - s->data);
		id = cur_le(&body, is64 ? 8 : 4);
		if (body.bad) {
			b->nbad++;
			continue;
		}
		if (s->debug_frame ? id == (is64 ? ~0ULL : 0xffffffffULL) : id == 0)
			continue;	/* a CIE: parsed when an FDE names it */
		(void)entry;
		parse_fde(s, cc, &body, is64, cie_field, id, b);
	}
	free(cc);
	return b->oom ? -ENOMEM : 0;
}

/* ---- spans to rows ------------------------------------------------------------------- */

static int cmp_span(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->end < b->end ? -1 : a->end > b->end;
}

/*
 * Sort the spans by start, then end, as qsort() with cmp_span() would:
 * a stable radix sort on the start (32 bits after to_offsets(), three
 * passes of 11 bits), then the rare runs of one start by end. Linear
 * where qsort() took a third of a large table's build (cc1: 440k spans,
 * 60 ms to 40 ms of CPU in all).
 */
static void sort_spans(struct builder *b)
{
	enum { BITS = 11, BUCKETS = 1 << BITS };
	struct span *tmp = NULL, *src = b->v, *dst;
	size_t *count = NULL;

	if (b->n >= 256) {
		tmp = malloc(b->n * sizeof(*tmp));
		count = malloc(BUCKETS * sizeof(*count));
	}
	if (!tmp || !count) {
		free(tmp);
		free(count);
		qsort(b->v, b->n, sizeof(*b->v), cmp_span);
		return;
	}
	dst = tmp;
	for (int shift = 0; shift < 32; shift += BITS) {
		struct span *t;
		size_t sum = 0;

		memset(count, 0, BUCKETS * sizeof(*count));
		for (size_t i = 0; i < b->n; i++)
			count[(src[i].start >> shift) & (BUCKETS - 1)]++;
		for (size_t k = 0; k < BUCKETS; k++) {
			size_t c = count[k];

			count[k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < b->n; i++)
			dst[count[(src[i].start >> shift) & (BUCKETS - 1)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* Three passes: the result is in tmp, which becomes the spans. */
	if (src != b->v) {
		free(b->v);
		b->v = src;
		b->cap = b->n;
		tmp = NULL;
	}
	for (size_t i = 1; i < b->n; i++) {
		struct span x = b->v[i];
		size_t j = i;

		while (j > 0 && b->v[j - 1].start == x.start && b->v[j - 1].end > x.end) {
			b->v[j] = b->v[j - 1];
			j--;
		}
		b->v[j] = x;
	}
	free(tmp);
	free(count);
}

static bool same_rule(const struct unwind_row *a, const struct unwind_row *b)
{
	return a->kind == b->kind && a->cfa_off == b->cfa_off && a->rbp_off == b->rbp_off;
}

/* Move spans to file offsets; those outside every segment (or past 4 GiB) go. */
static void to_offsets(struct builder *b, const struct unwind_seg *segs, size_t nsegs)
{
	size_t w = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct span sp = b->v[i];
		bool kept = false;

		for (size_t k = 0; k < nsegs && !kept; k++) {
			const struct unwind_seg *g = &segs[k];
			uint64_t end;

			if (sp.start < g->vaddr || sp.start - g->vaddr >= g->size)
				continue;
			end = sp.end - g->vaddr > g->size ? g->vaddr + g->size : sp.end;
			sp.start = sp.start - g->vaddr + g->off;
			sp.end = end - g->vaddr + g->off;
			kept = sp.end <= UINT32_MAX;
		}
		if (kept)
			b->v[w++] = sp;
	}
	b->n = w;
}

static struct unwind_table *make_rows(struct builder *b)
{
	struct unwind_table *t = calloc(1, sizeof(*t));
	uint64_t prev_end = 0;
	bool any = false;

	if (!t)
		return NULL;
	/* At most two rows per span: its own and a gap before it, plus the last. */
	t->rows = malloc((2 * b->n + 1) * sizeof(*t->rows));
	if (!t->rows) {
		free(t);
		return NULL;
	}
	if (b->n > 1)
		sort_spans(b);
	for (size_t i = 0; i < b->n; i++) {
		struct span sp = b->v[i];
		struct unwind_row *last = t->nrows ? &t->rows[t->nrows - 1] : NULL;

		if (any && sp.start < prev_end) {
			/* Overlapping FDEs: the first one keeps its range. */
			if (sp.end <= prev_end)
				continue;
			sp.start = prev_end;
		}
		if (any && sp.start > prev_end) {
			t->rows[t->nrows++] = (struct unwind_row){ .off = (uint32_t)prev_end,
								   .kind = UNWIND_CFA_NONE };
			last = &t->rows[t->nrows - 1];
		}
		if (!last || !same_rule(last, &sp.r)) {
			sp.r.off = (uint32_t)sp.start;
			t->rows[t->nrows++] = sp.r;
		}
		if (UNWIND_ROW_CFA(&sp.r) == UNWIND_CFA_UNSUPPORTED)
			t->nunsupported++;
		prev_end = sp.end;
		any = true;
	}
	if (any)
		t->rows[t->nrows++] = (struct unwind_row){ .off = (uint32_t)prev_end,
							   .kind = UNWIND_CFA_NONE };
	return t;
}

struct unwind_table *unwind_table__parse(const uint8_t *data, size_t len, uint64_t vaddr,
					 bool debug_frame, const struct unwind_seg *segs,
					 size_t nsegs)
{
	struct section s = { data, len, vaddr, debug_frame };
	struct builder b = {};
	struct unwind_table *t = NULL;
	int err;

	err = walk_section(&s, &b);
	if (err)
		goto out;
	to_offsets(&b, segs, nsegs);
	if (!b.n) {
		err = -ENOENT;
		goto out;
	}
	t = make_rows(&b);
	if (!t) {
		err = -ENOMEM;
		goto out;
	}
	t->source = debug_frame ? UNWIND_SRC_DEBUG_FRAME : UNWIND_SRC_EH_FRAME;
	t->nfdes = b.nfdes;
	t->nbad = b.nbad;
out:
	free(b.v);
	if (!t)
		errno = -err;
	return t;
}

/* ---- ELF files ------------------------------------------------------------------------ */

/* The bytes of section @name of @ef, decompressed if need be. */
struct sect_bytes {
	uint8_t *data;
	size_t len;
	uint64_t addr;
};

#define SECTION_MAX (512ULL << 20)

static int read_exact(const struct elf_file *ef, uint64_t off, void *buf, size_t len)
{
	ssize_t got = elf_file__read(ef, off, buf, len);

	if (got < 0)
		return (int)got;
	return (size_t)got == len ? 0 : -EINVAL;
}

static int inflate_section(const uint8_t *in, size_t inlen, struct sect_bytes *out)
{
	Elf64_Chdr ch;
	uLongf dlen;

	if (inlen < sizeof(ch))
		return -EINVAL;
	memcpy(&ch, in, sizeof(ch));
	if (ch.ch_type != ELFCOMPRESS_ZLIB || ch.ch_size > SECTION_MAX)
		return -ENOTSUP;
	out->data = malloc(ch.ch_size ? ch.ch_size : 1);
	if (!out->data)
		return -ENOMEM;
	dlen = ch.ch_size;
	if (uncompress(out->data, &dlen, in + sizeof(ch), inlen - sizeof(ch)) != Z_OK ||
	    dlen != ch.ch_size) {
		free(out->data);
		out->data = NULL;
		return -EINVAL;
	}
	out->len = dlen;
	return 0;
}

/*
 * Find section @name in @ef's section headers and read it. Returns 0,
 * -ENOENT when there is none (or it has no bytes in the file), or
 * another negative errno.
 */
static int read_section(const struct elf_file *ef, const char *name, struct sect_bytes *out)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strsh;
	char nbuf[32];
	size_t nlen = strlen(name) + 1;
	int err;

	memset(out, 0, sizeof(*out));
	err = read_exact(ef, 0, &eh, sizeof(eh));
	if (err)
		return err;
	if (!eh.e_shoff || eh.e_shentsize != sizeof(sh) || eh.e_shstrndx >= eh.e_shnum ||
	    nlen > sizeof(nbuf))
		return -ENOENT;
	err = read_exact(ef, eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(sh), &strsh,
			 sizeof(strsh));
	if (err)
		return err;
	for (unsigned i = 1; i < eh.e_shnum; i++) {
		uint8_t *raw;

		if (read_exact(ef, eh.e_shoff + (uint64_t)i * sizeof(sh), &sh, sizeof(sh)))
			return -EINVAL;
		if (sh.sh_name >= strsh.sh_size || strsh.sh_size - sh.sh_name < nlen)
			continue;
		if (read_exact(ef, strsh.sh_offset + sh.sh_name, nbuf, nlen) ||
		    memcmp(nbuf, name, nlen))
			continue;
		if (sh.sh_type == SHT_NOBITS || !sh.sh_size)
			return -ENOENT;
		if (sh.sh_size > SECTION_MAX)
			return -EFBIG;
		raw = malloc(sh.sh_size);
		if (!raw)
			return -ENOMEM;
		err = read_exact(ef, sh.sh_offset, raw, sh.sh_size);
		if (!err && (sh.sh_flags & SHF_COMPRESSED)) {
			err = inflate_section(raw, sh.sh_size, out);
			free(raw);
			raw = NULL;
		} else if (!err) {
			out->data = raw;
			out->len = sh.sh_size;
		} else {
			free(raw);
		}
		out->addr = sh.sh_addr;
		return err;
	}
	return -ENOENT;
}

/* The executable PT_LOAD segments of @ef (file-backed part). */
static size_t exec_segs(const struct elf_file *ef, struct unwind_seg *segs, size_t max)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t n = 0;

	if (read_exact(ef, 0, &eh, sizeof(eh)) || eh.e_phentsize != sizeof(ph))
		return 0;
	for (unsigned i = 0; i < eh.e_phnum && n < max; i++) {
		if (read_exact(ef, eh.e_phoff + (uint64_t)i * sizeof(ph), &ph, sizeof(ph)))
			break;
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) || !ph.p_filesz ||
		    ph.p_vaddr + ph.p_filesz < ph.p_vaddr || ph.p_offset + ph.p_filesz < ph.p_offset)
			continue;
		segs[n++] = (struct unwind_seg){ ph.p_vaddr, ph.p_offset, ph.p_filesz };
	}
	return n;
}

struct unwind_table *unwind_table__from_elf(struct elf_file *ef)
{
	struct unwind_seg segs[16];
	struct sect_bytes sb;
	struct unwind_table *t = NULL;
	struct elf_file *dbg = NULL;
	const char *dpath;
	bool debug_frame = false;
	size_t nsegs;
	int err;

	nsegs = exec_segs(ef, segs, 16);
	if (!nsegs) {
		errno = ENOENT;
		return NULL;
	}
	err = read_section(ef, ".eh_frame", &sb);
	if (err == -ENOENT) {
		debug_frame = true;
		err = read_section(ef, ".debug_frame", &sb);
	}
	if (err == -ENOENT) {
		/* The separate debug file (found with the symbols). */
		if (!elf_file__load_symbols(ef, NULL) && (dpath = elf_file__debug_path(ef)))
			dbg = elf_file__open(dpath);
		err = dbg ? read_section(dbg, ".debug_frame", &sb) : -ENOENT;
	}
	if (!err) {
		t = unwind_table__parse(sb.data, sb.len, sb.addr, debug_frame, segs, nsegs);
		if (!t)
			err = -errno;
	}
	free(sb.data);
	elf_file__free(dbg);
	if (!t)
		errno = -err;
	return t;
}

const struct unwind_row *unwind_table__find(const struct unwind_table *t, uint64_t off)
{
	size_t lo = 0, hi = t->nrows;

	/* The last row whose off <= @off. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[lo - 1] : NULL;
}

void unwind_table__free(struct unwind_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t);
}

int unwind_row__format(const struct unwind_row *r, char *buf, size_t len)
{
	static const char *const rbp_fmt[] = { "", " rbp@cfa%+d", " rbp@rbp%+d", " rbp?" };
	char tail[32];
	int n = 0;

	snprintf(tail, sizeof(tail), rbp_fmt[UNWIND_ROW_RBP(r)], r->rbp_off * 8);
	switch (UNWIND_ROW_CFA(r)) {
	case UNWIND_CFA_NONE: return snprintf(buf, len, "none");
	case UNWIND_CFA_RSP: n = snprintf(buf, len, "rsp+%u%s", r->cfa_off, tail); break;
	case UNWIND_CFA_RBP: n = snprintf(buf, len, "rbp+%u%s", r->cfa_off, tail); break;
	case UNWIND_CFA_DEREF_RBP:
		n = snprintf(buf, len, "*(rbp%+d)%s", (int16_t)r->cfa_off, tail);
		break;
	case UNWIND_CFA_PLT: n = snprintf(buf, len, "plt+%u/%d", r->cfa_off, r->rbp_off); break;
	case UNWIND_CFA_SIGNAL: return snprintf(buf, len, "signal");
	case UNWIND_CFA_END: return snprintf(buf, len, "end");
	default: return snprintf(buf, len, "unsupported");
	}
	return n;
}
