// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach: links for uprobes, USDT and tracepoints.
 *
 * Debian 12's libbpf 1.1.2 predates multi-uprobe links (kernel 6.6), so
 * they are created with the bpf() syscall directly, with the attribute
 * layout of the 6.6 UAPI. A whole link is refused with ENOTSUPP (524) if
 * one of its offsets cannot be probed; such sites are found by trying the
 * suspicious ones alone and by bisection, and skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/attach.h"
#include "common/kbtf.h"
#include "common/procpath.h"

/* Values from the kernel's UAPI that Debian 12's headers lack. */
#define COT_BPF_TRACE_UPROBE_MULTI 48
#define COT_BPF_TRACE_KPROBE_MULTI 42
#define COT_BPF_F_UPROBE_MULTI_RETURN 1U
#define COT_ENOTSUPP 524
#define TRACEFS_MAGIC_NR 0x74726163

/* union bpf_attr's link_create part for BPF_TRACE_UPROBE_MULTI (6.6 UAPI). */
struct link_create_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
};

_Static_assert(sizeof(struct link_create_uprobe_multi) <= sizeof(union bpf_attr),
	       "link_create attribute must fit in union bpf_attr");

struct attacher {
	struct bpf_link **links;	/* libbpf links (perf events, USDT) */
	size_t nlinks, caplinks;
	int *fds;			/* multi-uprobe link fds */
	size_t nfds, capfds;
	size_t nsingle;			/* perf-event uprobes among the links */
	struct skipped_site *skipped;
	size_t nskipped, capskipped;
	int *tprogs;			/* per-function copies of trampoline programs */
	size_t ntprogs, captprogs;
	size_t ntlinks;			/* trampoline links among the fds */
};

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int add_link(struct attacher *a, struct bpf_link *link)
{
	int err = grow((void **)&a->links, &a->caplinks, a->nlinks + 1, sizeof(*a->links));

	if (err) {
		bpf_link__destroy(link);
		return err;
	}
	a->links[a->nlinks++] = link;
	return 0;
}

static int add_fd(struct attacher *a, int fd)
{
	int err = grow((void **)&a->fds, &a->capfds, a->nfds + 1, sizeof(*a->fds));

	if (err) {
		close(fd);
		return err;
	}
	a->fds[a->nfds++] = fd;
	return 0;
}

static int add_skipped(struct attacher *a, const char *path, const struct uprobe_site *s, int err)
{
	struct skipped_site *k;
	int ret;

	ret = grow((void **)&a->skipped, &a->capskipped, a->nskipped + 1, sizeof(*a->skipped));
	if (ret)
		return ret;
	k = &a->skipped[a->nskipped];
	k->name = strdup(s->name ? s->name : "?");
	k->path = strdup(path);
	if (!k->name || !k->path) {
		free(k->name);
		free(k->path);
		return -ENOMEM;
	}
	k->offset = s->offset;
	k->err = err;
	a->nskipped++;
	return 0;
}

struct attacher *attacher__new(void)
{
	return calloc(1, sizeof(struct attacher));
}

/* Work shared by the threads that release links. */
struct release_work {
	struct attacher *a;
	atomic_size_t next;
};

static void *release_worker(void *arg)
{
	struct release_work *w = arg;
	size_t total = w->a->nlinks + w->a->nfds;
	size_t i;

	while ((i = atomic_fetch_add(&w->next, 1)) < total) {
		if (i < w->a->nlinks)
			bpf_link__destroy(w->a->links[i]);
		else
			close(w->a->fds[i - w->a->nlinks]);
	}
	return NULL;
}

/*
 * Releasing a uprobe waits for RCU grace periods (about 0.12 s each on the
 * project's 6.18 machines); grace periods overlap when the releases run
 * in parallel, so a thousand perf-event uprobes go in seconds, not minutes.
 */
static void release_all(struct attacher *a)
{
	struct release_work w = { .a = a };
	size_t total = a->nlinks + a->nfds;
	pthread_t tids[64];
	size_t nthreads, started = 0;

	nthreads = total / 4;
	if (nthreads > 64)
		nthreads = 64;
	for (; started < nthreads; started++)
		if (pthread_create(&tids[started], NULL, release_worker, &w))
			break;
	release_worker(&w);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	a->nlinks = a->nfds = a->nsingle = 0;
	/* Each link held its program; the copies go once the links are gone. */
	for (size_t i = 0; i < a->ntprogs; i++)
		close(a->tprogs[i]);
	a->ntprogs = a->ntlinks = 0;
}

void attacher__free(struct attacher *a)
{
	if (!a)
		return;
	release_all(a);
	for (size_t i = 0; i < a->nskipped; i++) {
		free(a->skipped[i].name);
		free(a->skipped[i].path);
	}
	free(a->skipped);
	free(a->links);
	free(a->fds);
	free(a->tprogs);
	free(a);
}

uint64_t attach__prog_misses(const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = prog ? bpf_program__fd(prog) : -1;

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

size_t attacher__link_count(const struct attacher *a)
{
	return a->nlinks + a->nfds;
}

const struct skipped_site *attacher__skipped(const struct attacher *a, size_t *count)
{
	*count = a->nskipped;
	return a->skipped;
}

bool attacher__slow_detach(const struct attacher *a)
{
	return a->nsingle > 200;
}

int attach_mode__parse(const char *s, enum attach_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = ATTACH_AUTO;
	else if (!strcmp(s, "multi"))
		*mode = ATTACH_MULTI;
	else if (!strcmp(s, "single"))
		*mode = ATTACH_SINGLE;
	else
		return -EINVAL;
	return 0;
}

/* ---- multi-uprobe links ------------------------------------------------- */

static int uprobe_multi_link_create(int prog_fd, const char *path, pid_t pid, bool retprobe,
				    const uint64_t *offsets, const uint64_t *ref_ctrs,
				    const uint64_t *cookies, size_t cnt)
{
	union bpf_attr attr;
	struct link_create_uprobe_multi lc = {
		.prog_fd = prog_fd,
		.attach_type = COT_BPF_TRACE_UPROBE_MULTI,
		.path = (__u64)(uintptr_t)path,
		.offsets = (__u64)(uintptr_t)offsets,
		.ref_ctr_offsets = (__u64)(uintptr_t)ref_ctrs,
		.cookies = (__u64)(uintptr_t)cookies,
		.cnt = cnt,
		.multi_flags = retprobe ? COT_BPF_F_UPROBE_MULTI_RETURN : 0,
		.pid = pid > 0 ? pid : 0,
	};
	int fd;

	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, &lc, sizeof(lc));
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* Arrays handed to the kernel for one multi-uprobe link. */
struct site_arrays {
	uint64_t *offsets, *ref_ctrs, *cookies;
	bool any_ref_ctr;
};

/*
 * Attach sites [lo, hi) of @idx (indexes into @sites) as one link; when
 * the kernel refuses one of them with ENOTSUPP, split the range and try
 * each half, keeping every link that succeeds.
 */
static int attach_multi_range(struct attacher *a, int prog_fd, const char *path,
			      const char *kpath, pid_t pid, bool retprobe, const struct uprobe_site *sites, const size_t *idx,
			      size_t lo, size_t hi, struct site_arrays *arr, size_t *attached)
{
	size_t n = hi - lo;
	int fd, err;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct uprobe_site *s = &sites[idx[lo + i]];

		arr->offsets[i] = s->offset;
		arr->ref_ctrs[i] = s->ref_ctr;
		arr->cookies[i] = s->cookie;
	}
	fd = uprobe_multi_link_create(prog_fd, kpath, pid, retprobe, arr->offsets,
				      arr->any_ref_ctr ? arr->ref_ctrs : NULL, arr->cookies, n);
	if (fd >= 0) {
		err = add_fd(a, fd);
		if (!err)
			*attached += n;
		return err;
	}
	if (fd != -COT_ENOTSUPP)
		return fd;
	if (n == 1)
		return add_skipped(a, path, &sites[idx[lo]], fd);
	err = attach_multi_range(a, prog_fd, path, kpath, pid, retprobe, sites, idx, lo, lo + n / 2,
				 arr, attached);
	if (err)
		return err;
	return attach_multi_range(a, prog_fd, path, kpath, pid, retprobe, sites, idx, lo + n / 2, hi,
				  arr, attached);
}

enum insn_class uprobe_insn_classify(const uint8_t *insn, size_t len)
{
	size_t i = 0;

	/* Legacy prefixes: the kernel refuses lock and the ES/CS/SS/DS
	 * segment overrides; others are fine in front of the opcode. */
	for (; i < len; i++) {
		uint8_t b = insn[i];

		if (b == 0xf0 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e)
			return INSN_BAD_PREFIX;
		if (b != 0x66 && b != 0x67 && b != 0xf2 && b != 0xf3 && b != 0x64 && b != 0x65)
			break;
	}
	if (i < len && (insn[i] & 0xf0) == 0x40)	/* REX */
		i++;
	if (i < len && (insn[i] == 0xc4 || insn[i] == 0xc5))
		return INSN_VEX;
	if (i < len && insn[i] == 0x62)
		return INSN_EVEX;
	return INSN_PLAIN;
}

static enum insn_class site_class(int fd, const struct uprobe_site *s)
{
	uint8_t buf[16];
	ssize_t n;

	n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf), s->offset);
	return n > 0 ? uprobe_insn_classify(buf, n) : INSN_PLAIN;
}

/*
 * Ask the kernel whether it would probe the instruction @insn, without
 * touching the real file: a trial link on the file itself costs tens of
 * milliseconds, since the kernel installs the breakpoint in every process
 * that maps it (all of them, for libc) before refusing. Here the bytes go
 * into a memfd that only this process maps. Returns 1 (accepted), -1
 * (refused), or 0 when the trial itself could not be made.
 */
static int insn_verdict_memfd(int prog_fd, const uint8_t *insn, size_t len)
{
	uint8_t page[4096];
	uint64_t offset = 0;
	char path[64];
	void *map = MAP_FAILED;
	int mfd, fd, verdict = 0;

	mfd = memfd_create("cotrace-insn", MFD_CLOEXEC);
	if (mfd < 0)
		return 0;
	memset(page, 0x90, sizeof(page));	/* nops after the instruction */
	memcpy(page, insn, len < 16 ? len : 16);
	if (pwrite(mfd, page, sizeof(page), 0) != sizeof(page))
		goto out;
	map = mmap(NULL, sizeof(page), PROT_READ | PROT_EXEC, MAP_PRIVATE, mfd, 0);
	if (map == MAP_FAILED)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	fd = uprobe_multi_link_create(prog_fd, path, getpid(), false, &offset, NULL, NULL, 1);
	if (fd >= 0) {
		verdict = 1;
		close(fd);
	} else if (fd == -COT_ENOTSUPP) {
		verdict = -1;
	}
out:
	if (map != MAP_FAILED)
		munmap(map, sizeof(page));
	close(mfd);
	return verdict;
}

/* One kernel verdict on a class of first instructions, asked in a thread. */
struct class_trial {
	pthread_t tid;
	bool running;
	int prog_fd;
	uint8_t insn[16];
	int verdict;
};

static void *class_trial_run(void *arg)
{
	struct class_trial *t = arg;

	t->verdict = insn_verdict_memfd(t->prog_fd, t->insn, sizeof(t->insn));
	return NULL;
}

/*
 * Sites are first sorted by the class of their first instruction. For
 * each suspicious class, the first site's instruction is tried in a memfd
 * and the kernel's answer holds for the whole class. A refused trial
 * costs the kernel an RCU grace period (about 30 ms here), so the trials
 * run in threads while the plain sites attach as one link; accepted
 * classes then get a second link. Without a memfd trial a site is tried
 * alone; what the classes miss is found by bisection.
 */
static int attach_multi(struct attacher *a, struct bpf_program *prog, const char *path,
			const char *kpath, pid_t pid, bool retprobe, const struct uprobe_site *sites, size_t count, size_t *attached)
{
	struct class_trial trials[INSN_CLASSES] = {};
	struct site_arrays arr = {};
	size_t *idx, n = 0;
	int prog_fd = bpf_program__fd(prog);
	int err = -ENOMEM, fd = -1;
	enum insn_class *cls;
	int verdict[INSN_CLASSES] = {};	/* 0 unknown, 1 accepted, -1 refused */

	idx = calloc(count, sizeof(*idx));
	cls = calloc(count, sizeof(*cls));
	arr.offsets = calloc(count, sizeof(uint64_t));
	arr.ref_ctrs = calloc(count, sizeof(uint64_t));
	arr.cookies = calloc(count, sizeof(uint64_t));
	if (!idx || !cls || !arr.offsets || !arr.ref_ctrs || !arr.cookies)
		goto out_free;
	verdict[INSN_PLAIN] = 1;
	/*
	 * The 6.18 kernel accepts uprobes on EVEX-encoded instructions but
	 * executes them wrongly out of line: with libc's *_evex string
	 * functions probed, printf in every process printed its format
	 * unexpanded. Such sites are never attached.
	 */
	verdict[INSN_EVEX] = -1;
	fd = open(kpath, O_RDONLY | O_CLOEXEC);
	for (size_t i = 0; i < count; i++) {
		struct class_trial *t;

		if (sites[i].ref_ctr)
			arr.any_ref_ctr = true;
		cls[i] = site_class(fd, &sites[i]);
		t = &trials[cls[i]];
		if (verdict[cls[i]] || t->running)
			continue;
		if (pread(fd, t->insn, sizeof(t->insn), sites[i].offset) <= 0)
			continue;
		t->prog_fd = prog_fd;
		t->running = !pthread_create(&t->tid, NULL, class_trial_run, t);
		if (!t->running)
			verdict[cls[i]] = insn_verdict_memfd(prog_fd, t->insn, sizeof(t->insn));
	}
	for (size_t i = 0; i < count; i++)
		if (cls[i] == INSN_PLAIN)
			idx[n++] = i;
	err = attach_multi_range(a, prog_fd, path, kpath, pid, retprobe, sites, idx, 0, n, &arr,
				 attached);
	for (int c = 0; c < INSN_CLASSES; c++) {
		if (!trials[c].running)
			continue;
		pthread_join(trials[c].tid, NULL);
		verdict[c] = trials[c].verdict;
	}
	n = 0;
	for (size_t i = 0; i < count && !err; i++) {
		size_t before;

		if (cls[i] == INSN_PLAIN)
			continue;
		if (verdict[cls[i]] > 0) {
			idx[n++] = i;
			continue;
		}
		if (verdict[cls[i]] < 0) {
			err = add_skipped(a, path, &sites[i],
					  cls[i] == INSN_EVEX ? -EILSEQ : -COT_ENOTSUPP);
			continue;
		}
		/* No memfd trial could be made: try the site alone. */
		before = a->nskipped;
		idx[count - 1] = i;
		err = attach_multi_range(a, prog_fd, path, kpath, pid, retprobe, sites, idx, count - 1,
					 count, &arr, attached);
		verdict[cls[i]] = a->nskipped > before ? -1 : 1;
	}
	/* Sites of the suspicious classes the kernel accepted. */
	if (!err)
		err = attach_multi_range(a, prog_fd, path, kpath, pid, retprobe, sites, idx, 0, n, &arr,
					 attached);
out_free:
	/* Threads start only after the allocations and are all joined above. */
	if (fd >= 0)
		close(fd);
	free(idx);
	free(cls);
	free(arr.offsets);
	free(arr.ref_ctrs);
	free(arr.cookies);
	return err;
}

/* ---- perf-event uprobes -------------------------------------------------- */

struct single_work {
	struct bpf_program *prog;
	const char *path;
	pid_t pid;
	bool retprobe;
	const struct uprobe_site *sites;
	size_t count;
	struct bpf_link **links;	/* one per site; NULL when it failed */
	int *errs;
	bool *skip;			/* unsafe sites, not attached */
	atomic_size_t next;
	atomic_bool stop;
};

static void *single_worker(void *arg)
{
	struct single_work *w = arg;
	size_t i;

	while (!atomic_load(&w->stop) && (i = atomic_fetch_add(&w->next, 1)) < w->count) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = w->retprobe,
			    .bpf_cookie = w->sites[i].cookie,
			    .ref_ctr_offset = w->sites[i].ref_ctr);
		struct bpf_link *link;

		if (w->skip[i]) {
			w->errs[i] = -EILSEQ;
			continue;
		}
		link = bpf_program__attach_uprobe_opts(w->prog, w->pid > 0 ? w->pid : -1, w->path,
						       w->sites[i].offset, &opts);
		if (!link) {
			w->errs[i] = -errno;
			if (w->errs[i] != -COT_ENOTSUPP)
				atomic_store(&w->stop, true);
		}
		w->links[i] = link;
	}
	return NULL;
}

static int attach_single(struct attacher *a, struct bpf_program *prog, const char *path,
			 const char *kpath, pid_t pid, bool retprobe, const struct uprobe_site *sites,
			 size_t count, size_t *attached)
{
	struct single_work w = {
		.prog = prog, .path = kpath, .pid = pid, .retprobe = retprobe,
		.sites = sites, .count = count,
	};
	pthread_t tids[16];
	size_t nthreads, started = 0, first = a->nlinks;
	int err = -ENOMEM, fd;

	w.links = calloc(count, sizeof(*w.links));
	w.errs = calloc(count, sizeof(*w.errs));
	w.skip = calloc(count, sizeof(*w.skip));
	if (!w.links || !w.errs || !w.skip)
		goto out_free;
	fd = open(kpath, O_RDONLY | O_CLOEXEC);
	for (size_t i = 0; i < count; i++)
		w.skip[i] = site_class(fd, &sites[i]) == INSN_EVEX;
	if (fd >= 0)
		close(fd);
	nthreads = count / 32;
	if (nthreads > 16)
		nthreads = 16;
	for (; started < nthreads; started++)
		if (pthread_create(&tids[started], NULL, single_worker, &w))
			break;
	single_worker(&w);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);

	err = 0;
	for (size_t i = 0; i < count; i++) {
		if (w.links[i]) {
			if (!err)
				err = add_link(a, w.links[i]);
			else
				bpf_link__destroy(w.links[i]);
			if (!err) {
				a->nsingle++;
				(*attached)++;
			}
		} else if (w.errs[i] == -COT_ENOTSUPP || w.errs[i] == -EILSEQ) {
			if (!err)
				err = add_skipped(a, path, &sites[i], w.errs[i]);
		} else if (w.errs[i] && !err) {
			err = w.errs[i];
		}
	}
	if (err) {
		/* Leave nothing of this call attached. */
		while (a->nlinks > first) {
			bpf_link__destroy(a->links[--a->nlinks]);
			a->nsingle--;
		}
		*attached = 0;
	}
out_free:
	free(w.links);
	free(w.errs);
	free(w.skip);
	return err;
}

/*
 * The kernel resolves the path of a uprobe itself, from our root and
 * following symlinks: "/proc/PID/root/usr/lib/libx.so" would reach the
 * host's file if the process made its libx.so an absolute symlink. A
 * rooted path is therefore opened inside the process's root (procpath.h)
 * and the kernel is given "/proc/self/fd/N" of that open file: the magic
 * link leads to exactly the file we read. @fd gets the descriptor to
 * close after the attach (-1 when @path is used as it is).
 */
static int kernel_path(const char *path, char *buf, size_t len, const char **kpath, int *fd)
{
	*fd = -1;
	*kpath = path;
	if (!procpath__is_rooted(path))
		return 0;
	*fd = procpath__open(path, O_RDONLY);
	if (*fd < 0)
		return *fd;
	snprintf(buf, len, "/proc/self/fd/%d", *fd);
	*kpath = buf;
	return 0;
}

int attacher__uprobes(struct attacher *a, struct bpf_program *multi, struct bpf_program *single,
		      enum attach_mode mode, const char *path, pid_t pid, bool retprobe,
		      const struct uprobe_site *sites, size_t count, size_t *attached)
{
	size_t first_fd = a->nfds;
	const char *kpath;
	char kbuf[32];
	int err, kfd;

	*attached = 0;
	if (!count)
		return 0;
	err = kernel_path(path, kbuf, sizeof(kbuf), &kpath, &kfd);
	if (err)
		return err;
	if (mode != ATTACH_SINGLE && multi && bpf_program__fd(multi) >= 0) {
		err = attach_multi(a, multi, path, kpath, pid, retprobe, sites, count, attached);
		if (err) {
			while (a->nfds > first_fd)
				close(a->fds[--a->nfds]);
			*attached = 0;
		}
	} else if (mode == ATTACH_MULTI) {
		err = -EOPNOTSUPP;
	} else {
		err = attach_single(a, single, path, kpath, pid, retprobe, sites, count, attached);
	}
	if (kfd >= 0)
		close(kfd);
	return err;
}

int attach__prepare_uprobe_multi(struct bpf_program *multi, bool use_multi)
{
	if (!multi)
		return 0;
	if (!use_multi)
		return bpf_program__set_autoload(multi, false);
	return bpf_program__set_expected_attach_type(multi,
						     (enum bpf_attach_type)COT_BPF_TRACE_UPROBE_MULTI);
}

/* ---- USDT and tracepoints ------------------------------------------------ */

int attacher__usdt(struct attacher *a, struct bpf_program *prog, const char *path, pid_t pid,
		   const char *provider, const char *name, uint64_t cookie)
{
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = cookie);
	struct bpf_link *link;
	const char *kpath;
	char kbuf[32];
	int err, kfd;

	/* libbpf reads the notes and attaches through this path: the same
	 * "/proc/self/fd/N" as for uprobes (see kernel_path()). */
	err = kernel_path(path, kbuf, sizeof(kbuf), &kpath, &kfd);
	if (err)
		return err;
	link = bpf_program__attach_usdt(prog, pid > 0 ? pid : -1, kpath, provider, name, &opts);
	err = link ? add_link(a, link) : -errno;
	if (kfd >= 0)
		close(kfd);
	return err;
}

int attacher__kprobes(struct attacher *a, struct bpf_program *multi, struct bpf_program *single,
		      bool retprobe, const char **syms, const uint64_t *cookies, size_t count)
{
	size_t first = a->nlinks;
	struct bpf_link *link;
	int err = 0;

	if (!count)
		return 0;
	if (multi && bpf_program__fd(multi) >= 0) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = syms,
			    .cookies = (const __u64 *)cookies,
			    .cnt = count, .retprobe = retprobe);

		link = bpf_program__attach_kprobe_multi_opts(multi, NULL, &opts);
		if (!link)
			return -errno;
		return add_link(a, link);
	}
	for (size_t i = 0; i < count && !err; i++) {
		LIBBPF_OPTS(bpf_kprobe_opts, opts, .bpf_cookie = cookies[i], .retprobe = retprobe);

		link = bpf_program__attach_kprobe_opts(single, syms[i], &opts);
		err = link ? add_link(a, link) : -errno;
		if (!err)
			a->nsingle++;
	}
	if (err) {
		while (a->nlinks > first) {
			bpf_link__destroy(a->links[--a->nlinks]);
			a->nsingle--;
		}
	}
	return err;
}

static int perf_open(uint32_t type, uint64_t config, int cpu, uint64_t freq, uint64_t period)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
	};
	int fd;

	if (freq) {
		attr.freq = 1;
		attr.sample_freq = freq;
	} else {
		attr.sample_period = period;
	}
	fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int attacher__perf_sample(struct attacher *a, struct bpf_program *prog, int cpu, uint64_t freq,
			  uint64_t period)
{
	struct bpf_link *link;
	int fd = -ENOENT, err;

	if (!freq)
		fd = perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, cpu, 0, period);
	if (fd < 0 && fd != -ENODEV)
		fd = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, cpu, freq, period);
	if (fd < 0)
		return fd;
	link = bpf_program__attach_perf_event(prog, fd);
	if (!link) {
		err = -errno;
		close(fd);
		return err;
	}
	/* The link owns the event now: destroying it closes the fd. */
	return add_link(a, link);
}

const char *tracefs__root(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	struct statfs st;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!statfs(roots[i], &st) && st.f_type == TRACEFS_MAGIC_NR)
			return roots[i];
	if (mount("tracefs", roots[0], "tracefs", 0, NULL) && errno != EBUSY)
		return NULL;
	if (!statfs(roots[0], &st) && st.f_type == TRACEFS_MAGIC_NR)
		return roots[0];
	errno = ENOENT;
	return NULL;
}

int attacher__tracepoint(struct attacher *a, struct bpf_program *prog, const char *category,
			 const char *event, uint64_t cookie)
{
	LIBBPF_OPTS(bpf_tracepoint_opts, opts, .bpf_cookie = cookie);
	struct bpf_link *link;

	if (!tracefs__root())
		return -errno;
	link = bpf_program__attach_tracepoint_opts(prog, category, event, &opts);
	if (!link)
		return -errno;
	return add_link(a, link);
}

/* ---- feature probes ---------------------------------------------------- */

/*
 * A probe's failure @err (negative errno) as its answer: 0, the kernel
 * lacks the feature (EINVAL, EOPNOTSUPP, E2BIG, ENOENT...), or @err itself
 * when the kernel was never asked: no descriptor or memory left. With few
 * descriptors (ulimit -n), taking EMFILE for "no multi-uprobe link" sent
 * users after the wrong cause. EPERM is the kernel's answer: the tools
 * check their privilege first, and the 6.18 machines refuse fentry loads
 * from root with EPERM.
 */
static int probe_answer(int err)
{
	switch (err) {
	case -EMFILE:
	case -ENFILE:
	case -ENOMEM:
		return err;
	default:
		return 0;
	}
}

static int load_trivial_prog(enum bpf_prog_type type, int expected_attach_type)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)expected_attach_type);
	int fd;

	fd = bpf_prog_load(type, NULL, "GPL", insns, sizeof(insns) / sizeof(insns[0]), &opts);
	return fd < 0 ? -errno : fd;
}

/* 1: multi-uprobe links, 0: none, or a negative errno (probe_answer()). */
static int probe_uprobe_multi(void)
{
	uint64_t offset = 0;
	int prog_fd, fd, ret;

	prog_fd = load_trivial_prog(BPF_PROG_TYPE_KPROBE, COT_BPF_TRACE_UPROBE_MULTI);
	if (prog_fd < 0)
		return probe_answer(prog_fd);
	/* "/" is not a regular file: a kernel that knows the link type
	 * answers EBADF, one that does not answers EINVAL. */
	fd = uprobe_multi_link_create(prog_fd, "/", 0, false, &offset, NULL, NULL, 1);
	ret = fd == -EBADF ? 1 : fd >= 0 ? 1 : probe_answer(fd);
	if (fd >= 0)
		close(fd);
	close(prog_fd);
	return ret;
}

/* ---- kernel functions through BPF trampolines ------------------------------ */

static int kernel_func_btf_id(const char *func)
{
	/* Shared with the tools' named parameters: one load per run. */
	return kbtf__func_id(kbtf__vmlinux(), func);
}

bool attach__kernel_func_has_btf(const char *func)
{
	return kernel_func_btf_id(func) > 0;
}

int attacher__trampolines(struct attacher *a, struct bpf_program *prog, const char **syms,
			  const uint64_t *cookies, size_t count, bool *done)
{
	const struct bpf_insn *insns;
	enum bpf_attach_type type;
	size_t ninsns, attached = 0;
	int err;

	if (!prog || bpf_program__fd(prog) < 0)
		return 0;
	insns = bpf_program__insns(prog);
	ninsns = bpf_program__insn_cnt(prog);
	type = bpf_program__expected_attach_type(prog);
	if (!insns || !ninsns)
		return 0;
	for (size_t i = 0; i < count; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, lopts, .expected_attach_type = type);
		LIBBPF_OPTS(bpf_link_create_opts, kopts, .tracing.cookie = cookies[i]);
		int id = kernel_func_btf_id(syms[i]), prog_fd, link_fd;

		done[i] = false;
		if (id < 0)
			continue;
		/*
		 * A trampoline program is verified for one function: load a
		 * copy of the loaded program (maps already bound) for each.
		 */
		lopts.attach_btf_id = id;
		prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, bpf_program__name(prog), "GPL",
					insns, ninsns, &lopts);
		if (prog_fd < 0)
			continue;
		err = grow((void **)&a->tprogs, &a->captprogs, a->ntprogs + 1, sizeof(*a->tprogs));
		if (err) {
			close(prog_fd);
			return err;
		}
		a->tprogs[a->ntprogs++] = prog_fd;
		link_fd = bpf_link_create(prog_fd, 0, type, &kopts);
		if (link_fd < 0)
			continue;	/* refused (say, a notrace function): kprobes next */
		err = add_fd(a, link_fd);
		if (err)
			return err;
		done[i] = true;
		attached++;
		a->ntlinks++;
	}
	return attached;
}

size_t attacher__trampoline_count(const struct attacher *a)
{
	return a->ntlinks;
}

uint64_t attacher__trampoline_misses(const struct attacher *a)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < a->ntprogs; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(a->tprogs[i], &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

/* 1: kprobe-multi links, 0: none, or a negative errno (probe_answer()). */
static int probe_kprobe_multi(void)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	const char *sym = "cotrace_no_such_function";
	int prog_fd, fd, ret;

	prog_fd = load_trivial_prog(BPF_PROG_TYPE_KPROBE, COT_BPF_TRACE_KPROBE_MULTI);
	if (prog_fd < 0)
		return probe_answer(prog_fd);
	opts.kprobe_multi.syms = &sym;
	opts.kprobe_multi.cnt = 1;
	fd = bpf_link_create(prog_fd, 0, (enum bpf_attach_type)COT_BPF_TRACE_KPROBE_MULTI, &opts);
	/* An unknown symbol gives ENOENT or ESRCH once the kernel got that far. */
	if (fd >= 0 || errno == ENOENT || errno == ESRCH)
		ret = 1;
	else
		ret = probe_answer(-errno);
	if (fd >= 0)
		close(fd);
	close(prog_fd);
	return ret;
}

/*
 * fentry needs BPF trampolines: load a fentry program for a kernel
 * function and attach it. Kernels without trampolines refuse the load or
 * the attach (the 6.18 machines answer ENOTSUPP at attach).
 */
static int probe_trampoline(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id, prog_fd, fd, ret;

	id = kernel_func_btf_id("bpf_fentry_test1");
	if (id < 0)
		id = kernel_func_btf_id("do_sys_openat2");
	if (id < 0)
		return probe_answer(id);
	opts.attach_btf_id = id;
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns,
				sizeof(insns) / sizeof(insns[0]), &opts);
	if (prog_fd < 0)
		return probe_answer(-errno);
	fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	ret = fd >= 0 ? 1 : probe_answer(-errno);
	if (fd >= 0)
		close(fd);
	close(prog_fd);
	return ret;
}

/* Probe @ret's feature into *@has, or keep the first error in f->error. */
static void probe_into(struct attach_features *f, bool *has, int ret)
{
	*has = ret > 0;
	if (ret < 0 && !f->error)
		f->error = ret;
}

/* 1: BPF ring buffers, 0: none, or a negative errno (probe_answer()).
 * libbpf's libbpf_probe_bpf_map_type() says 0 for a want of descriptors. */
static int probe_ringbuf(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, getpagesize(), NULL);

	if (fd < 0)
		return probe_answer(-errno);
	close(fd);
	return 1;
}

static bool path_exists(const char *path)
{
	return !access(path, F_OK);
}

bool attach_features__kernel_functions(struct attach_features *f)
{
	if (!f->trampoline_probed) {
		probe_into(f, &f->trampoline, probe_trampoline());
		f->trampoline_probed = true;
	}
	return f->kprobe || f->trampoline;
}

void attach_features__report(struct attach_features *f, FILE *fp)
{
	attach_features__kernel_functions(f);
	fprintf(fp, "kernel features: uprobe_multi=%d kprobe=%d kprobe_multi=%d fentry=%d "
		"bpf_cookie=%d ringbuf=%d\n", f->uprobe_multi, f->kprobe, f->kprobe_multi,
		f->trampoline, f->bpf_cookie, f->ringbuf);
}

int attach_features__probe(struct attach_features *f)
{
	const char *tr;
	char path[PATH_MAX];

	memset(f, 0, sizeof(*f));
	probe_into(f, &f->uprobe_multi, probe_uprobe_multi());
	f->kprobe = path_exists("/sys/bus/event_source/devices/kprobe/type");
	if (!f->kprobe && (tr = tracefs__root())) {
		snprintf(path, sizeof(path), "%s/kprobe_events", tr);
		f->kprobe = path_exists(path);
	}
	if (f->kprobe)
		probe_into(f, &f->kprobe_multi, probe_kprobe_multi());
	/* libbpf 1.1.2 assumes a helper is there when the load fails for
	 * another reason than the verifier's "unknown func". */
	f->bpf_cookie = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
						BPF_FUNC_get_attach_cookie, NULL) == 1;
	probe_into(f, &f->ringbuf, probe_ringbuf());
	return f->error;
}
