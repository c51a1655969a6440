// SPDX-License-Identifier: GPL-2.0-only
/* tool: the phases every front end shares (see tool.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "common/atomicfile.h"
#include "common/pprof.h"
#include "common/prom.h"
#include "common/tool.h"

int tool__init(struct tool *t, const char *name, const struct cli_common *cli,
	       enum out_format fmt)
{
	const char *paths[2] = { cli->prom, cli->pprof };
	char err[1024];

	t->name = name;
	t->cli = cli;
	t->out = out__new(stdout, fmt);
	if (!t->out)
		return EXIT_RUNTIME;
	/* Before anything is traced: a run is not wasted on a file it cannot write. */
	for (int i = 0; i < 2; i++) {
		if (paths[i] && atomicfile__check(paths[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", name, err);
			return EXIT_USAGE;
		}
	}
	if (cli->prom && !(t->prom = prom__new()))
		return EXIT_RUNTIME;
	if (cli->pprof && !(t->pprof = pprof__new()))
		return EXIT_RUNTIME;
	return 0;
}

int tool__start(struct tool *t, unsigned flags, pid_t pid, double interval)
{
	bool sites = !(flags & TOOL_F_NO_FEATURES);
	int ret;

	ret = cli__start(t->name, !(flags & TOOL_F_NO_PRIVILEGE), t->cli->verbose,
			 sites ? &t->feat : NULL);
	if (ret)
		return ret;
	if ((flags & TOOL_F_NEED_COOKIE) && !t->feat.bpf_cookie) {
		fprintf(stderr, "%s: this kernel has no BPF cookies (it needs Linux 5.15 or later)\n",
			t->name);
		return EXIT_RUNTIME;
	}
	ret = cli_run__init_or_say(t->name, &t->run, pid, t->cli->cmd, t->cli->duration,
				   interval);
	if (ret)
		return ret;
	t->run.out = t->out;
	t->pid = cli_run__target(&t->run, pid);
	return 0;
}

int tool__add_specs(struct tool *t, char *const *texts, int n, unsigned flags)
{
	char msg[1024];
	int err;

	if (t->cli->unsafe)
		flags |= PROBE_F_UNSAFE;
	err = site_set__add_specs(&t->set, texts, n, flags, t->pid, &t->feat, msg, sizeof(msg));
	if (!err)
		return 0;
	fprintf(stderr, "%s: %s\n", t->name, msg);
	return site_error_exit_code(err);
}

int tool__check_sites(struct tool *t, bool force)
{
	int err = site_set__check_go_returns(&t->set, force, t->name, stderr);

	if (err)
		return err == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	/* -c: a library the command cannot load would count nothing. */
	if (site_set__check_program_or_say(&t->set, t->run.cmd.exe, t->name, stderr))
		return EXIT_USAGE;
	return 0;
}

int tool__load_object(struct tool *t, struct bpf_object_skeleton *s)
{
	int err = bpf_object__load_skeleton(s);

	if (!err)
		return 0;
	fprintf(stderr, "%s: cannot load the BPF program: %s\n", t->name, strerror(-err));
	return EXIT_RUNTIME;
}

int tool__load(struct tool *t, struct bpf_object_skeleton *s, const struct site_progs *p)
{
	int err;

	if (t->cli->mode == ATTACH_MULTI && !t->feat.uprobe_multi) {
		fprintf(stderr, "%s: --attach multi: this kernel has no multi-uprobe link "
			"(it needs Linux 6.6 or later)\n", t->name);
		return EXIT_RUNTIME;
	}
	t->progs = *p;
	err = site_set__prepare_progs(&t->set, &t->progs, &t->feat, t->cli->mode);
	if (err) {
		fprintf(stderr, "%s: cannot choose the BPF programs: %s\n", t->name,
			strerror(-err));
		return EXIT_RUNTIME;
	}
	return tool__load_object(t, s);
}

/*
 * The distinct places among @n skipped sites (a function's entry and
 * return probes are one place: ulatency), their names into @names when
 * not NULL. Returns how many.
 */
static size_t skipped_distinct(const struct skipped_site *sk, size_t n, const char **names)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = sk[j].offset == sk[i].offset && !strcmp(sk[j].path, sk[i].path);
		if (dup)
			continue;
		if (names)
			names[k] = sk[i].name;
		k++;
	}
	return k;
}

int tool__attach(struct tool *t, pid_t pid)
{
	uint64_t start;

	t->att = attacher__new();
	if (!t->att) {
		fprintf(stderr, "%s: %s\n", t->name, strerror(errno));
		return EXIT_RUNTIME;
	}
	start = cli__now_ns();
	if (site_set__attach_or_say(&t->set, t->att, &t->progs, t->cli->mode, pid, t->name, stderr,
				    &t->attached))
		return EXIT_RUNTIME;
	t->skipped = attacher__skipped(t->att, &t->nskipped);
	t->nskipped = skipped_distinct(t->skipped, t->nskipped, NULL);
	if (t->cli->verbose)
		fprintf(stderr, "attached %zu sites with %zu links (%zu through trampolines) "
			"in %.3f s\n", t->attached, attacher__link_count(t->att),
			attacher__trampoline_count(t->att), (cli__now_ns() - start) / 1e9);
	return 0;
}

void tool__say_tracing(const struct tool *t, size_t n, const char *what, char *const *specs,
		       int nspecs)
{
	fprintf(stderr, "Tracing %zu %s%s for \"%s%s\"... Hit Ctrl-C to end.\n", n, what,
		n == 1 ? "" : "s", nspecs ? specs[0] : "", nspecs > 1 ? ", ..." : "");
}

int tool__begin(struct tool *t)
{
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	t->begin_real_ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	t->begin_ns = cli__now_ns();
	err = cli_run__start(&t->run);
	if (!err)
		return 0;
	/* The exec failed: the run ends now, with the user's mistake said. */
	fprintf(stderr, "%s: cannot run '%s': %s\n", t->name, t->cli->cmd, strerror(-err));
	return cli__is_exec_error(err) ? EXIT_USAGE : EXIT_RUNTIME;
}

/* Replace @path with the @len bytes of @buf (encoded since @start; freed) unless @err. */
static int export_file(struct tool *t, const char *path, int err, void *buf, size_t len,
		       uint64_t start)
{
	if (!err)
		err = atomicfile__replace(path, buf, len);
	free(buf);
	if (err) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", t->name, path, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (t->cli->verbose)
		fprintf(stderr, "wrote %zu bytes to %s in %.3f ms\n", len, path,
			(cli__now_ns() - start) / 1e6);
	return 0;
}

int tool__export(struct tool *t)
{
	uint64_t start = cli__now_ns();
	size_t len = 0;
	int err;

	if (t->prom) {
		char *text = NULL;

		err = prom__render(t->prom, &text, &len);
		if (export_file(t, t->cli->prom, err, text, len, start))
			return EXIT_RUNTIME;
	}
	if (t->pprof) {
		void *gz = NULL;

		start = cli__now_ns();
		pprof__set_time(t->pprof, t->begin_real_ns, start - t->begin_ns);
		err = pprof__encode(t->pprof, &gz, &len);
		return export_file(t, t->cli->pprof, err, gz, len, start);
	}
	return 0;
}

int tool__loop(struct tool *t, struct ring_buffer *rb, tool_report_fn report, void *ctx,
	       bool separate, const char *what)
{
	for (;;) {
		enum cli_step step = cli_run__next(&t->run);
		int err;

		/* Also after a failed write: processes the BPF side stopped
		 * must go on. */
		if (rb)
			ring_buffer__consume(rb);
		if (step == CLI_STEP_FAILED)
			return EXIT_RUNTIME;
		if (t->stop)
			step = CLI_STEP_LAST;
		if (step == CLI_STEP_EVENT)
			continue;
		err = report(ctx, step == CLI_STEP_LAST);
		if (err < 0) {
			fprintf(stderr, "%s: cannot %s: %s\n", t->name, what, strerror(-err));
			return EXIT_RUNTIME;
		}
		if (tool__export(t))
			return EXIT_RUNTIME;
		if (step == CLI_STEP_LAST || err > 0)
			return 0;
		if (separate)
			out__separator(t->out);
	}
}

void tool__summary(struct tool *t, const struct out_kv *head, size_t nhead,
		   const struct out_kv *losses, size_t nlosses, bool list_skipped)
{
	size_t n = nhead + nlosses + 2, k = 0;
	struct out_kv *kv;

	if (out__flush(t->out))
		return;
	kv = calloc(n, sizeof(*kv));
	if (list_skipped && t->nskipped && out__format(t->out) == OUT_JSON) {
		size_t all;
		const struct skipped_site *sk = attacher__skipped(t->att, &all);
		const char **names = calloc(all, sizeof(*names));

		if (names && skipped_distinct(sk, all, names) == t->nskipped)
			out__list(t->out, "skipped", "skipped", names, t->nskipped);
		free(names);
	}
	if (!kv)
		return;
	for (size_t i = 0; i < nhead; i++)
		kv[k++] = head[i];
	kv[k++] = (struct out_kv){ "skipped", "%s sites skipped (the kernel cannot probe them)",
				   OUT_U64, { .u = t->nskipped } };
	for (size_t i = 0; i < nlosses; i++)
		kv[k++] = losses[i];
	kv[k++] = (struct out_kv){ "missed", "%s hits missed: the kernel skipped the program "
				   "while another BPF program or map call was active on the CPU",
				   OUT_U64, { .u = site_progs__misses(&t->progs) +
					      (t->att ? attacher__trampoline_misses(t->att) : 0) } };
	out__summary(t->out, kv, k);
	free(kv);
}

void tool__detach(struct tool *t)
{
	if (t->att)
		cli__test_detach_delay();
	if (t->att && attacher__slow_detach(t->att))
		fprintf(stderr, "Detaching %zu probes...\n", attacher__link_count(t->att));
	attacher__free(t->att);
	t->att = NULL;
	t->skipped = NULL;
}

int tool__fini(struct tool *t, int status)
{
	cli_run__fini(&t->run);
	tool__detach(t);
	site_set__fini(&t->set);
	/* Before tool__init() there is no output to tell of. */
	if (t->name)
		status = cli__finish_output(t->name, t->out, status);
	out__free(t->out);
	t->out = NULL;
	prom__free(t->prom);
	t->prom = NULL;
	pprof__free(t->pprof);
	t->pprof = NULL;
	return status;
}
