// SPDX-License-Identifier: GPL-2.0-only
/* sitelist: the -l listing of resolved sites (see sitelist.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dwarf.h"
#include "common/kbtf.h"
#include "common/output.h"
#include "common/sitelist.h"
#include "common/sites.h"

static const char *kind_prefix(enum probe_kind k)
{
	switch (k) {
	case PROBE_UPROBE: return "uprobe";
	case PROBE_URETPROBE: return "uretprobe";
	case PROBE_USDT: return "usdt";
	case PROBE_TRACEPOINT: return "tracepoint";
	case PROBE_KPROBE: return "kprobe";
	case PROBE_KRETPROBE: return "kretprobe";
	}
	return "?";
}

static bool is_uprobe(const struct site *s)
{
	return s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE;
}

/* A kernel function's parameters from the kernel's BTF, then its return
 * value, as bpftrace -lv lists a kfunc's. */
static void kernel_params(struct out *out, struct kbtf_func *kf, const struct site *s)
{
	char line[KBTF_DECL_LEN + 8];

	if (kbtf__func(kbtf__vmlinux(), s->symbol, kf))
		return;
	for (size_t i = 0; i < kf->nparams; i++) {
		snprintf(line, sizeof(line), "    %s", kf->params[i].decl);
		out__line(out, "param", line);
	}
	if (kf->varargs)
		out__line(out, "param", "    ...");
	if (kf->ret_fetch_type || strcmp(kf->ret_decl, "void")) {
		snprintf(line, sizeof(line), "    %s", kf->ret_decl);
		out__line(out, "param", line);
	}
}

/* A user function's parameters from DWARF, "    TYPE NAME". */
static void user_params(struct out *out, struct dwarf_cache *dc, const struct site *s)
{
	const struct dwarf_func *df;
	char line[1024], err[512];

	if (dwarf_cache__func(dc, s->path, s->vaddr, &df, err, sizeof(err)))
		return;
	for (size_t i = 0; i < df->nparams; i++) {
		const struct dwarf_param *p = &df->params[i];
		size_t n = strlen(p->type);

		snprintf(line, sizeof(line), "    %s%s%s", p->type,
			 n && (p->type[n - 1] == '*' || p->type[n - 1] == '&') ? "" : " ", p->name);
		out__line(out, "param", line);
	}
}

static int write_json(struct out *out, const struct site *s, const char *probe)
{
	static const struct out_col cols[] = {
		{ "PROBE", "probe", OUT_STR, 0 },
		{ "ADDRESS", "address", OUT_U64, 0 },
		{ "OFFSET", "offset", OUT_U64, 0 },
		{ "ARGS", "args", OUT_STR, 0 },
	};
	struct out_table *t = out_table__new(cols, 4);
	struct out_ctx ctx = { .record = "site" };
	struct out_val v[4];

	if (!t)
		return -ENOMEM;
	v[0].s = probe;
	v[1].u = s->vaddr;
	v[2].u = s->offset;
	v[3].s = s->usdt_args ? s->usdt_args : "";
	out_table__add(t, v);
	out__table(out, &ctx, t);
	out_table__free(t);
	return 0;
}

int site_list__write(struct out *out, const struct site_set *set, bool verbose)
{
	struct dwarf_cache *dc = verbose ? dwarf_cache__new() : NULL;
	struct kbtf_func *kf = verbose ? malloc(sizeof(*kf)) : NULL;
	bool json = out__format(out) == OUT_JSON;
	char line[8192];
	int err = 0;

	for (size_t i = 0; i < set->count && !err; i++) {
		const struct site *s = &set->sites[i];
		size_t n;

		n = snprintf(line, sizeof(line), "%s:%s%s%s", kind_prefix(s->kind),
			     s->display_path ? s->display_path : "", s->display_path ? ":" : "",
			     s->name);
		if (json) {
			err = write_json(out, s, line);
		} else {
			if (verbose && is_uprobe(s) && n < sizeof(line))
				n += snprintf(line + n, sizeof(line) - n, "  address 0x%" PRIx64
					      " offset 0x%" PRIx64, s->vaddr, s->offset);
			if (verbose && s->usdt_args && n < sizeof(line))
				snprintf(line + n, sizeof(line) - n, "  args: %s", s->usdt_args);
			out__line(out, "probe", line);
		}
		if (dc && is_uprobe(s))
			user_params(out, dc, s);
		if (kf && (s->kind == PROBE_KPROBE || s->kind == PROBE_KRETPROBE))
			kernel_params(out, kf, s);
	}
	free(kf);
	dwarf_cache__free(dc);
	return err;
}
