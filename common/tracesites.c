// SPDX-License-Identifier: GPL-2.0-only
/* tracesites: uprobe-trace's probes compiled per site (see tracesites.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/attach.h"
#include "common/callconv.h"
#include "common/dwarf.h"
#include "common/kbtf.h"
#include "common/sites.h"
#include "common/tracesites.h"

/* The conventions -v has told of: one line per Go file and convention. */
struct conv_seen {
	const char *path;	/* borrowed from the site */
	enum callconv conv;
};

/* -v: tell on stderr, once, which convention argN follows in @s's file. */
static void say_conv(struct conv_seen *seen, size_t *nseen, const struct site *s,
		     const struct callconv_info *ci)
{
	char line[512];

	for (size_t i = 0; i < *nseen; i++)
		if (seen[i].conv == ci->conv && !strcmp(seen[i].path, s->path))
			return;
	seen[(*nseen)++] = (struct conv_seen){ s->path, ci->conv };
	fprintf(stderr, "uprobe-trace: %s\n",
		callconv_info__describe(ci, s->display_path, line, sizeof(line)));
}

void trace_sites__say_conventions(const struct site_set *set)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	struct callconv_cache *cc = dc ? callconv_cache__new(dc) : NULL;
	struct conv_seen *seen = cc ? calloc(set->count ? set->count : 1, sizeof(*seen)) : NULL;
	size_t nseen = 0;

	for (size_t i = 0; seen && i < set->count; i++) {
		const struct site *s = &set->sites[i];
		struct callconv_info ci;

		if ((s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE) &&
		    !callconv_cache__get(cc, s->path, s->vaddr, &ci) && ci.go)
			say_conv(seen, &nseen, s, &ci);
	}
	free(seen);
	callconv_cache__free(cc);
	dwarf_cache__free(dc);
}

/* Kernel function @func's parameters into @kf. Returns 0, or -ENOENT with
 * why in @err. */
static int kernel_names(const char *func, struct kbtf_func *kf, char *err, size_t errlen)
{
	struct btf *btf = kbtf__vmlinux();

	if (!btf) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux) to name "
			 "the parameters of %s: use arg1..arg6", func);
		return -ENOENT;
	}
	if (kbtf__func(btf, func, kf)) {
		snprintf(err, errlen, "the kernel's BTF does not describe %s: use arg1..arg6",
			 func);
		return -ENOENT;
	}
	return 0;
}

/*
 * Compile every site's program.
 * Functions' parameters may be named: from DWARF for user functions, from
 * the kernel's BTF for kernel functions.
 */
int trace_sites__compile(const struct site_set *set, const struct trace_sites_opts *o,
			 struct fetch_plan *plans, char *err, size_t errlen)
{
	struct dwarf_cache *dc = dwarf_cache__new();
	struct callconv_cache *cc = callconv_cache__new(dc);
	struct conv_seen *seen = calloc(set->count ? set->count : 1, sizeof(*seen));
	struct kbtf_func *kf = malloc(sizeof(*kf));
	const char *root = NULL;
	size_t nseen = 0;
	int ret = 0;

	_Static_assert(KBTF_MAX_PARAMS <= DWARF_MAX_PARAMS, "params[] holds either");
	/* Types of casts and signatures: the site's debug information, then
	 * the kernel's BTF. */
	for (size_t i = 0; dc && cc && seen && kf && i < set->count; i++) {
		const struct site *s = &set->sites[i];
		const struct trace_probe *p = &o->probes[s->spec];
		struct fetch_env env = { .kind = trace_probe__fetch_kind(s->kind), .str_size = o->str_size,
					 .kernel = trace_probe__is_kernel(s->kind), .bin_cmp = o->bin_cmp };
		struct fetch_param params[DWARF_MAX_PARAMS];
		const struct dwarf_func *df = NULL;
		bool named = false;
		struct tp_format fmt = {};
		const struct ctype_src *types[2];
		char dmsg[512] = "";

		if (s->kind == PROBE_UPROBE || s->kind == PROBE_URETPROBE) {
			struct callconv_info ci;

			if (!callconv_cache__get(cc, s->path, s->vaddr, &ci)) {
				env.conv = ci.conv;
				if (o->verbose && ci.go)
					say_conv(seen, &nseen, s, &ci);
			}
			if (dwarf_cache__func(dc, s->path, s->vaddr, &df, dmsg, sizeof(dmsg)))
				df = NULL;
			for (size_t k = 0; df && k < df->nparams; k++)
				if (!dwarf_param__to_fetch(&df->params[k], &params[env.nparams]))
					env.nparams++;
			env.params = params;
			named = df;
			if ((types[env.ntypes] = dwarf_cache__types(dc, s->path)))
				env.ntypes++;
		}
		if ((types[env.ntypes] = kbtf__types()))
			env.ntypes++;
		env.types = types;
		if (trace_probe__is_kernel(s->kind) && !kernel_names(s->symbol, kf, dmsg, sizeof(dmsg))) {
			for (size_t k = 0; k < kf->nparams; k++)
				if (!kbtf_param__to_fetch(&kf->params[k], &params[env.nparams]))
					env.nparams++;
			env.params = params;
			named = true;
		}

		if (s->kind == PROBE_TRACEPOINT) {
			if (!root && !(root = tracefs__root())) {
				snprintf(err, errlen, "cannot mount tracefs: %s", strerror(errno));
				ret = -EIO;
				break;
			}
			ret = tp_format__load(&fmt, root, s->provider, s->symbol, err, errlen);
			if (ret) {
				ret = -EIO;
				break;
			}
			env.tp = &fmt;
		}
		ret = trace_probe__compile(p, &env, &plans[i], err, errlen);
		tp_format__fini(&fmt);
		if (ret) {
			/* Names need DWARF or BTF: say why a name is unknown. */
			if (!named && dmsg[0] && strstr(err, "unknown name")) {
				size_t n = strlen(err);

				snprintf(err + n, errlen - n, ": %s", dmsg);
			} else if (trace_probe__is_kernel(s->kind) && named && strstr(err, "unknown name")) {
				size_t n = strlen(err);

				snprintf(err + n, errlen - n, ": %s",
					 kbtf_func__describe(kf, dmsg, sizeof(dmsg)));
			}
			break;
		}
	}
	if (!dc || !cc || !seen || !kf) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
	free(kf);
	free(seen);
	callconv_cache__free(cc);
	dwarf_cache__free(dc);
	return ret;
}

