// SPDX-License-Identifier: GPL-2.0-only
/*
 * argplan: argdist's specifiers to sites and their fetch programs (see
 * argplan.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/argplan.h"
#include "common/attach.h"
#include "common/cli.h"
#include "common/dwarf.h"
#include "common/kbtf.h"
#include "common/probe.h"
#include "common/sites.h"
#include "bpf/argdist.h"

/* Move the sites of @from to the end of @to, as @spec's. */
static int append_sites(struct site_set *to, struct site_set *from, int spec)
{
	size_t n = to->count + from->count;

	if (n > to->cap) {
		void *p = realloc(to->sites, n * sizeof(*to->sites));

		if (!p)
			return -ENOMEM;
		to->sites = p;
		to->cap = n;
	}
	for (size_t i = 0; i < from->count; i++) {
		from->sites[i].spec = spec;
		to->sites[to->count++] = from->sites[i];
	}
	free(from->sites);
	memset(from, 0, sizeof(*from));
	return 0;
}

/* Add the sites of @sp's function, as entry or return probes; @flags as
 * for probe_spec__init_func() (PROBE_F_UNSAFE). */
static int add_sites(struct site_set *set, const struct argspec *sp, int idx, enum probe_kind kind,
		     unsigned flags, pid_t pid, struct attach_features *feat, char *err,
		     size_t errlen)
{
	struct site_set tmp = {};
	struct probe_spec ps;
	char *text = NULL;
	int ret;

	if (kind == PROBE_TRACEPOINT || kind == PROBE_USDT) {
		/* t:CATEGORY:EVENT, u:LIB:PROBE as the other tools take them. */
		if (asprintf(&text, "%c:%s:%s", kind == PROBE_USDT ? 'u' : 't', sp->lib,
			     sp->func) < 0) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		ret = probe_spec__parse(text, 0, &ps, err, errlen);
		if (ret) {
			free(text);
			return ret;
		}
	} else {
		if (sp->kernel)
			kind = kind == PROBE_UPROBE ? PROBE_KPROBE : PROBE_KRETPROBE;
		ret = probe_spec__init_func(&ps, kind, sp->kernel ? NULL : sp->lib, sp->func,
					    sp->text, flags);
		if (ret) {
			snprintf(err, errlen, ret == -ENOMEM ? "out of memory" :
				 "'%s' has an offset that does not fit in 64 bits", sp->text);
			return ret;
		}
	}
	ret = site_set__add(&tmp, &ps, idx, pid, feat, err, errlen);
	probe_spec__fini(&ps);
	free(text);
	if (ret >= 0)
		ret = append_sites(set, &tmp, idx);
	site_set__fini(&tmp);
	return ret;
}

/* Room for every name of a site: see site_params(). */
#define MAX_NAMES (ARGSPEC_MAX_PARAMS + DWARF_MAX_PARAMS + KBTF_MAX_PARAMS + ARGSPEC_MAX_ENTRY + 1)

/* Where a site's named parameters and types come from, besides its
 * signature. */
struct site_names {
	const struct dwarf_func *df;	/* a user function's DWARF, or NULL */
	const struct kbtf_func *kf;	/* a kernel function's BTF, or NULL */
	enum callconv conv;		/* where its signature's parameters are */
	enum fetch_kind kind;		/* of the main site: entry, return, USDT, tracepoint */
	const struct tp_format *tp;	/* a tracepoint's fields */
	const struct ctype_src *types[2];	/* casts' types: DWARF, kernel BTF */
	size_t ntypes;
};

/* Why a declared parameter cannot be read under @conv (NULL: it can). */
static const char *sig_unavailable(enum callconv conv, int i)
{
	if (callconv__arg_reg(conv, i + 1) >= 0)
		return NULL;
	switch (conv) {
	case CALLCONV_SYSV:
		return "it is passed on the stack, after the six argument registers";
	case CALLCONV_GO_REGS:
		return "it is passed on the stack, after Go's nine argument registers";
	case CALLCONV_GO_STACK:
		return "this Go function was built before Go 1.17 and takes its arguments on "
		       "the stack: name a parameter from DWARF (FUNC()) or read the stack at "
		       "entry, as +8(%sp)";
	default:
		return "the calling convention of this Go program is unknown (it names no Go "
		       "version or register ABI): name a parameter from DWARF (FUNC()) or "
		       "read a register, as %ax";
	}
}

/*
 * The names a site's expressions may use: the signature's parameters,
 * then the function's parameters from DWARF (user functions) or the
 * kernel's BTF (kernel functions), then $latency and $entry() for return
 * probes. @params must hold MAX_NAMES.
 */
static size_t site_params(const struct argspec *sp, const struct site_names *sn, bool ret_site,
			  struct fetch_param *params, char (*names)[64])
{
	const struct dwarf_func *df = sn->df;
	const struct kbtf_func *kf = sn->kf;

	size_t n = 0;

	for (int i = 0; i < sp->nsig; i++)
		params[n++] = (struct fetch_param){ .name = sp->sig[i].name,
						    .reg = callconv__arg_reg(sn->conv, i + 1),
						    .type = sp->sig[i].type,
						    .unavailable = sig_unavailable(sn->conv, i) };
	for (size_t i = 0; df && i < df->nparams; i++) {
		if (dwarf_param__to_fetch(&df->params[i], &params[n]))
			continue;
		n++;
	}
	for (size_t i = 0; kf && i < kf->nparams; i++) {
		if (kbtf_param__to_fetch(&kf->params[i], &params[n]))
			continue;
		n++;
	}
	if (!ret_site)
		return n;
	params[n++] = (struct fetch_param){ .name = "__latency", .reg = -1, .type = "u64",
					    .in_data = true, .data_off = 0 };
	for (int j = 0; j < sp->nentry; j++) {
		const char *type = NULL;

		for (int i = 0; i < sp->nsig; i++)
			if (!strcmp(sp->sig[i].name, sp->entry[j]))
				type = sp->sig[i].type;
		snprintf(names[j], 64, "__entry_%s", sp->entry[j]);
		params[n++] = (struct fetch_param){ .name = names[j], .reg = -1, .type = type,
						    .in_data = true, .data_off = 8 * (j + 1) };
	}
	return n;
}

/* The entry twin's program: the $entry() values after a word for the time. */
static int compile_entry(const struct argplan_opts *o, const struct argspec *sp,
			 const struct site_names *sn, struct argplan_site *si, char *err,
			 size_t errlen)
{
	struct fetch_param params[MAX_NAMES];
	char names[ARGSPEC_MAX_ENTRY][64];
	struct fetch_env env = { .kind = FETCH_ENTRY, .params = params,
				 .str_size = o->str_size, .kernel = sp->kernel, .conv = sn->conv,
				 .types = sn->types, .ntypes = sn->ntypes };

	env.nparams = site_params(sp, sn, false, params, names);
	fetch_plan__init(&si->plan);
	si->plan.prog.data_size = 8;
	for (int j = 0; j < sp->nentry; j++) {
		/* The value itself: a string parameter is saved as its pointer,
		 * and read as a string at the return (STRCMP("x", $entry(f))). */
		int ret = fetch_plan__add(&si->plan, sp->entry[j], "u64", &env, err, errlen);

		if (ret < 0)
			return ret;
		if (si->plan.values[ret].type.vtype == FETCH_T_STRING ||
		    si->plan.values[ret].off != 8u * (j + 1)) {
			snprintf(err, errlen, "$entry(%s) must be a number in '%s'", sp->entry[j],
				 sp->text);
			return -EINVAL;
		}
	}
	return 0;
}

/* A main site's program: the filter's operands, then the key values. */
static int compile_main(const struct argplan_opts *o, const struct argspec *sp,
			const struct site_names *sn, struct argplan_site *si, char *err,
			size_t errlen)
{
	struct fetch_param params[MAX_NAMES];
	char names[ARGSPEC_MAX_ENTRY][64];
	bool ret_site = sp->kind == PROBE_URETPROBE;
	struct fetch_env env = { .kind = sn->kind, .tp = sn->tp, .params = params,
				 .str_size = o->str_size, .kernel = sp->kernel, .conv = sn->conv,
				 .types = sn->types, .ntypes = sn->ntypes };
	int ret;

	env.nparams = site_params(sp, sn, ret_site, params, names);
	fetch_plan__init(&si->plan);
	if (sp->latency || sp->nentry)
		si->plan.prog.data_size = 8 * (1 + sp->nentry);
	if (sp->cfilter) {
		ret = fetch_plan__set_filter(&si->plan, sp->cfilter, &env, err, errlen);
		if (ret)
			return ret;
	}
	si->key_off = (si->plan.prog.data_size + 7) & ~7u;
	si->key_first = si->plan.nvalues;
	for (int i = 0; i < sp->nexprs; i++) {
		ret = fetch_plan__add(&si->plan, sp->cexprs[i], sp->types[i], &env, err, errlen);
		if (ret < 0)
			return ret;
		if (sp->hist && si->plan.values[ret].type.vtype == FETCH_T_STRING) {
			snprintf(err, errlen, "a histogram needs a number, and '%s' is a string",
				 sp->exprs[i]);
			return -EINVAL;
		}
	}
	si->key_len = si->plan.prog.data_size - si->key_off;
	if (si->key_len > ARGDIST_KEY_MAX) {
		snprintf(err, errlen, "the values of '%s' need %u bytes, more than %d (lower -z)",
			 sp->text, si->key_len, ARGDIST_KEY_MAX);
		return -E2BIG;
	}
	return 0;
}

/* Two sites of one specifier must lay their keys out alike. */
static bool same_layout(const struct argplan_site *a, const struct argplan_site *b, int n)
{
	if (a->key_len != b->key_len)
		return false;
	for (int i = 0; i < n; i++) {
		const struct fetch_value *x = &a->plan.values[a->key_first + i];
		const struct fetch_value *y = &b->plan.values[b->key_first + i];

		if (x->off - a->key_off != y->off - b->key_off || x->type.vtype != y->type.vtype ||
		    x->type.size != y->type.size)
			return false;
	}
	return true;
}

/* Kernel function @func's parameters into @kf. Returns 0, or -ENOENT with
 * why in @err. */
static int kernel_names(const char *func, struct kbtf_func *kf, char *err, size_t errlen)
{
	struct btf *btf = kbtf__vmlinux();
	int ret;

	if (!btf) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux) to name the "
			 "parameters of %s: declare them, as in %s(int fd)", func, func);
		return -ENOENT;
	}
	ret = kbtf__func(btf, func, kf);
	if (ret)
		snprintf(err, errlen, "the kernel's BTF does not describe %s: declare its "
			 "parameters, as in %s(int fd)", func, func);
	return ret ? -ENOENT : 0;
}

/* -v: which convention argN and signatures follow in site @i's file, once
 * per Go file and convention (an earlier site of the same file and
 * convention said it). */
static void say_conv(const struct argplan *pl, size_t i, const struct callconv_info *ci)
{
	const struct site *s = &pl->set->sites[i];
	char line[512];

	for (size_t j = 0; j < i; j++) {
		const struct site *o = &pl->set->sites[j];

		if (o->path && !strcmp(o->path, s->path) && pl->info[j].conv == ci->conv)
			return;
	}
	fprintf(stderr, "argdist: %s\n",
		callconv_info__describe(ci, s->display_path, line, sizeof(line)));
}

/*
 * Every specifier's sites, plus entry twins for $entry() and $latency,
 * and their programs.
 */
int argplan__build(struct argplan *pl, const struct argplan_opts *o, pid_t pid,
		   struct attach_features *feat)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	struct callconv_cache *cc = callconv_cache__new(dc);
	struct kbtf_func *kf = malloc(sizeof(*kf));
	char msg[1024], dmsg[512] = "";
	unsigned flags = o->unsafe ? PROBE_F_UNSAFE : 0;
	struct tp_format fmt = {};
	const char *root = NULL;
	int ret = EXIT_RUNTIME, err;

	if (!dc || !cc || !kf)
		goto out;
	for (int i = 0; i < o->nspecs; i++) {
		const struct argspec *sp = &o->specs[i];
		size_t first = pl->set->count;

		err = add_sites(pl->set, sp, i, sp->kind, flags, pid, feat, msg, sizeof(msg));
		if (err < 0) {
			fprintf(stderr, "argdist: %s\n", msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : site_error_exit_code(err);
			goto out;
		}
		pl->first_site[i] = first;
		if (!sp->latency && !sp->nentry)
			continue;
		err = add_sites(pl->set, sp, i, PROBE_UPROBE, flags, pid, feat, msg, sizeof(msg));
		if (err < 0) {
			fprintf(stderr, "argdist: %s\n", msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : site_error_exit_code(err);
			goto out;
		}
	}
	pl->info = calloc(pl->set->count, sizeof(*pl->info));
	if (!pl->info)
		goto out;
	for (size_t i = 0; i < pl->set->count; i++) {
		const struct site *s = &pl->set->sites[i];
		const struct argspec *sp = &o->specs[s->spec];
		struct argplan_site *si = &pl->info[i];
		const struct dwarf_func *df;
		struct site_names sn = {};

		si->spec = s->spec;
		sn.kind = s->kind == PROBE_USDT ? FETCH_USDT : s->kind == PROBE_TRACEPOINT ?
			  FETCH_TRACEPOINT : sp->kind == PROBE_URETPROBE ? FETCH_RETURN : FETCH_ENTRY;
		err = s->path && (s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE) ?
		      dwarf_cache__func(dc, s->path, s->vaddr, &df, dmsg, sizeof(dmsg)) : -ENOENT;
		if (err && err != -ENOENT && o->verbose)
			fprintf(stderr, "argdist: %s\n", dmsg);
		if (!err)
			sn.df = df;
		if (s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE) {
			struct callconv_info ci;

			if (!callconv_cache__get(cc, s->path, s->vaddr, &ci)) {
				sn.conv = si->conv = ci.conv;
				if (o->verbose && ci.go)
					say_conv(pl, i, &ci);
			}
			if ((sn.types[sn.ntypes] = dwarf_cache__types(dc, s->path)))
				sn.ntypes++;
		}
		if ((sn.types[sn.ntypes] = kbtf__types()))
			sn.ntypes++;
		if (s->kind == PROBE_TRACEPOINT) {
			if (!root && !(root = tracefs__root())) {
				fprintf(stderr, "argdist: cannot mount tracefs: %s\n", strerror(errno));
				goto out;
			}
			tp_format__fini(&fmt);
			if (tp_format__load(&fmt, root, s->provider, s->symbol, msg, sizeof(msg))) {
				fprintf(stderr, "argdist: %s\n", msg);
				goto out;
			}
			sn.tp = &fmt;
		}
		if (s->kind == PROBE_KPROBE || s->kind == PROBE_KRETPROBE) {
			err = kernel_names(s->symbol, kf, dmsg, sizeof(dmsg));
			if (!err)
				sn.kf = kf;
		}
		if ((s->kind == PROBE_UPROBE || s->kind == PROBE_KPROBE) &&
		    sp->kind == PROBE_URETPROBE) {
			/* An entry twin: its return site has the same file offset,
			 * or for a kernel function the same name. */
			si->flags = ARGDIST_SAVE_ENTRY;
			si->pair = UINT32_MAX;
			for (size_t j = 0; j < pl->set->count; j++) {
				const struct site *r = &pl->set->sites[j];

				if (r->spec != s->spec)
					continue;
				if (s->kind == PROBE_UPROBE && r->kind == PROBE_URETPROBE &&
				    r->offset == s->offset && !strcmp(r->path, s->path))
					si->pair = j;
				if (s->kind == PROBE_KPROBE && r->kind == PROBE_KRETPROBE &&
				    !strcmp(r->symbol, s->symbol))
					si->pair = j;
			}
			err = compile_entry(o, sp, &sn, si, msg, sizeof(msg));
		} else {
			si->flags = (sp->hist ? ARGDIST_HIST : 0) |
				    (sp->latency || sp->nentry ? ARGDIST_USE_ENTRY : 0);
			err = compile_main(o, sp, &sn, si, msg, sizeof(msg));
			if (!err && i != (size_t)pl->first_site[s->spec] &&
			    !same_layout(si, &pl->info[pl->first_site[s->spec]], sp->nexprs)) {
				snprintf(msg, sizeof(msg), "the values of '%s' have different types in "
					 "%s and %s", sp->text, s->name,
					 pl->set->sites[pl->first_site[s->spec]].name);
				err = -EINVAL;
			}
			if (!err && si->key_len > pl->key_bytes)
				pl->key_bytes = si->key_len;
		}
		if (err) {
			/* Names need DWARF or BTF: say why a name is unknown, or
			 * which names a kernel function has. */
			if (!sn.df && !sn.kf && strstr(msg, "unknown name"))
				fprintf(stderr, "argdist: %s: %s\n", msg, dmsg);
			else if (sn.kf && strstr(msg, "unknown name"))
				fprintf(stderr, "argdist: %s: %s\n", msg,
					kbtf_func__describe(sn.kf, dmsg, sizeof(dmsg)));
			else
				fprintf(stderr, "argdist: %s\n", err == -ENOMEM ? "out of memory" : msg);
			ret = err == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
			goto out;
		}
	}
	pl->key_bytes = (pl->key_bytes + 7) & ~7u;
	if (!pl->key_bytes)
		pl->key_bytes = 8;
	ret = 0;
out:
	tp_format__fini(&fmt);
	free(kf);
	callconv_cache__free(cc);
	dwarf_cache__free(dc);
	return ret;
}

void argplan__fini(struct argplan *pl)
{
	free(pl->info);
}
