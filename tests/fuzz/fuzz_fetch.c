// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: argument expressions, types, filters and tracepoint
 * format files through common/fetch.c, then the compiled filter through
 * the user-space interpreter fetch_prog__pred() and every value through
 * fetch_value__format(), over a data area taken from the input.
 *
 * Input: one byte (low 2 bits: the probe kind; bit 2: a default type;
 * bits 3-7: string size), then NUL-separated parts:
 *   tracepoint format text \0 expressions, one per '\n' \0 filter \0 data
 * The format text may start with a line "!FLAGS": B for STRCMP's byte
 * lists (-B), L for names checked later (no types), T for typed
 * parameters and types from a BTF built here (members, casts), K for a
 * kernel function.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "bpf/regs.h"
#include "common/ctype.h"
#include "common/fetch.h"
#include "common/kbtf.h"

/* struct s { int a; struct s *next; char name[8]; unsigned f:3; int g:5;
 * union { long u; unsigned char b[8]; }; }, typedef int myint: the types
 * of the 'T' flag, built once. */
static struct btf *typed_btf(void)
{
	static struct btf *btf;
	int i_int, i_uint, i_char, i_uchar, i_long, i_fwd, i_ptr, i_arr, i_barr, i_union;

	if (btf)
		return btf;
	btf = btf__new_empty();
	if (!btf)
		return NULL;
	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i_uint = btf__add_int(btf, "unsigned int", 4, 0);
	i_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED | BTF_INT_CHAR);
	i_uchar = btf__add_int(btf, "unsigned char", 1, 0);
	i_long = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	i_fwd = btf__add_fwd(btf, "s", BTF_FWD_STRUCT);
	i_ptr = btf__add_ptr(btf, i_fwd);
	i_arr = btf__add_array(btf, i_int, i_char, 8);
	i_barr = btf__add_array(btf, i_int, i_uchar, 8);
	i_union = btf__add_union(btf, NULL, 8);
	btf__add_field(btf, "u", i_long, 0, 0);
	btf__add_field(btf, "b", i_barr, 0, 0);
	btf__add_struct(btf, "s", 40);
	btf__add_field(btf, "a", i_int, 0, 0);
	btf__add_field(btf, "next", i_ptr, 64, 0);
	btf__add_field(btf, "name", i_arr, 128, 0);
	btf__add_field(btf, "f", i_uint, 192, 3);
	btf__add_field(btf, "g", i_int, 195, 5);
	btf__add_field(btf, NULL, i_union, 256, 0);
	btf__add_typedef(btf, "myint", i_int);
	return btf;
}

static const struct fetch_param params[] = {
	{ .name = "count", .reg = 4, .type = "size_t" },
	{ .name = "buf", .reg = -1, .on_stack = true, .stack_off = 8, .type = "char *" },
	{ .name = "flags", .reg = 5, .type = NULL },
};

/* The next NUL-terminated part of @buf (of @len bytes, NUL at @len). */
static char *next_part(char **pos, char *end)
{
	char *p = *pos;

	if (p >= end)
		return NULL;
	*pos = p + strlen(p) + 1;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *end, *pos, *tptext, *exprs, *filter, *line, *next, err[256], out[2048];
	struct fetch_env env = { 0 };
	struct fetch_param typed[5];
	static struct ctype_src src;
	static const struct ctype_src *srcs[1] = { &src };
	struct ctype sp, ip;
	struct fetch_plan plan;
	uint8_t *mut;
	struct fetch_type t;
	struct tp_format tp = { 0 };
	bool have_tp = false;
	const uint8_t *area;
	size_t area_len, i;

	if (size < 1 || size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	end = buf + size - 1;
	pos = buf;
	tptext = next_part(&pos, end);
	exprs = next_part(&pos, end);
	filter = next_part(&pos, end);
	area = (const uint8_t *)pos;
	area_len = pos < end ? (size_t)(end - pos) : 0;

	env.kind = (enum fetch_kind)(data[0] & 3);
	env.params = params;
	env.nparams = sizeof(params) / sizeof(params[0]);
	env.str_size = (data[0] >> 3) * 40;
	if (tptext && tptext[0] == '!') {
		char *nl = strchr(tptext, '\n'), *flags = tptext + 1;

		if (nl)
			*nl = '\0';
		env.bin_cmp = strchr(flags, 'B') != NULL;
		env.names_later = strchr(flags, 'L') != NULL;
		env.kernel = strchr(flags, 'K') != NULL;
		if (strchr(flags, 'T') && typed_btf()) {
			kbtf__types_init(&src, typed_btf(), "the fuzzer's BTF");
			env.types = srcs;
			env.ntypes = 1;
			if (!ctype__parse("struct s *", srcs, 1, &sp, err, sizeof(err)) &&
			    !ctype__parse("myint", srcs, 1, &ip, err, sizeof(err))) {
				typed[0] = (struct fetch_param){ .name = "p", .reg = PT_DI, .ctype = &sp };
				typed[1] = (struct fetch_param){ .name = "n", .reg = PT_SI, .ctype = &ip };
				typed[2] = (struct fetch_param){ .name = "q", .reg = PT_DX,
								 .type = "struct s *" };
				typed[3] = (struct fetch_param){ .name = "t", .reg = PT_CX,
								 .type = "myint" };
				typed[4] = (struct fetch_param){ .name = "v", .reg = PT_R8,
								 .type = "struct nosuch *" };
				env.params = typed;
				env.nparams = 5;
			}
		}
		tptext = nl ? nl + 1 : tptext + strlen(tptext);
	}
	if (tptext && !tp_format__parse(&tp, tptext, err, sizeof(err))) {
		have_tp = true;
		env.tp = &tp;
		for (i = 0; i < tp.count; i++) {
			tp_format__find(&tp, tp.fields[i].name);
			fetch_type__parse(tp.fields[i].type, 64, &t);
		}
	}
	fetch_plan__init(&plan);
	for (line = exprs; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		fetch_type__parse(line, 80, &t);
		fetch_plan__add(&plan, line, (data[0] & 4) ? "u32" : NULL, &env, err, sizeof(err));
	}
	if (filter && *filter)
		fetch_plan__set_filter(&plan, filter, &env, err, sizeof(err));
	/* The pred operations store computed values: a copy to write into. */
	mut = malloc(area_len ? area_len : 1);
	if (mut) {
		memcpy(mut, area, area_len);
		fetch_prog__pred(&plan.prog, mut, area_len);
		free(mut);
	}
	for (i = 0; i < plan.nvalues; i++) {
		fetch_value__s64(&plan.values[i], area, area_len);
		fetch_value__u64(&plan.values[i], area, area_len);
		fetch_value__str(&plan.values[i], area, area_len, out, sizeof(out));
		fetch_value__format(&plan.values[i], area, area_len, i & 1, out, sizeof(out));
	}
	if (have_tp)
		tp_format__fini(&tp);
	free(buf);
	return 0;
}
