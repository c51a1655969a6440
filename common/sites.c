// SPDX-License-Identifier: GPL-2.0-only
/* sites: from probe specs to concrete attach points. */
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "common/attach.h"
#include "common/demangle.h"
#include "common/elf.h"
#include "common/insn.h"
#include "common/procmaps.h"
#include "common/procpath.h"
#include "common/sites.h"
#include "common/target.h"

static int set_grow(struct site_set *set)
{
	size_t ncap;
	struct site *p;

	if (set->count < set->cap)
		return 0;
	ncap = set->cap ? set->cap * 2 : 64;
	p = realloc(set->sites, ncap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	set->sites = p;
	set->cap = ncap;
	return 0;
}

static void site_fini(struct site *s)
{
	free(s->name);
	free(s->symbol);
	free(s->provider);
	free(s->path);
	free(s->display_path);
	free(s->usdt_args);
}

void site_set__fini(struct site_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		site_fini(&set->sites[i]);
	free(set->sites);
	memset(set, 0, sizeof(*set));
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Is @s among the first @limit sites? */
static bool site_exists(const struct site_set *set, const struct site *s, size_t limit)
{
	for (size_t i = 0; i < limit; i++) {
		const struct site *o = &set->sites[i];

		if (o->kind != s->kind)
			continue;
		switch (s->kind) {
		case PROBE_UPROBE:
		case PROBE_URETPROBE:
			if (o->offset == s->offset && !strcmp(o->path, s->path))
				return true;
			break;
		case PROBE_USDT:
			if (!strcmp(o->path, s->path) && !strcmp(o->provider, s->provider) &&
			    !strcmp(o->symbol, s->symbol))
				return true;
			break;
		default:
			if (!strcmp(o->symbol, s->symbol) &&
			    !strcmp(o->provider ? o->provider : "", s->provider ? s->provider : ""))
				return true;
		}
	}
	return false;
}

/*
 * Append a copy of @tmpl (strings duplicated) unless it is among the first
 * @limit sites. Returns 1 if added, 0 if a duplicate, or a negative errno.
 * Callers whose own matches are unique (one per address) pass the count
 * before their spec, so a wildcard over 20,000 functions stays linear.
 */
static int add_site(struct site_set *set, const struct site *tmpl, size_t limit)
{
	struct site *s;

	if (site_exists(set, tmpl, limit))
		return 0;
	if (set_grow(set))
		return -ENOMEM;
	s = &set->sites[set->count];
	*s = *tmpl;
	s->name = dup_or_null(tmpl->name);
	s->symbol = dup_or_null(tmpl->symbol);
	s->provider = dup_or_null(tmpl->provider);
	s->path = dup_or_null(tmpl->path);
	s->display_path = dup_or_null(tmpl->display_path);
	s->usdt_args = dup_or_null(tmpl->usdt_args);
	if ((tmpl->name && !s->name) || (tmpl->symbol && !s->symbol) ||
	    (tmpl->provider && !s->provider) || (tmpl->path && !s->path) ||
	    (tmpl->display_path && !s->display_path) || (tmpl->usdt_args && !s->usdt_args)) {
		site_fini(s);
		return -ENOMEM;
	}
	set->count++;
	return 1;
}

static int open_target(const struct probe_spec *spec, pid_t pid, struct target *t,
		       struct elf_file **ef, char *err, size_t errlen)
{
	int ret;

	ret = target__resolve(spec->target, pid, t);
	if (ret) {
		if (pid && (ret == -ELOOP || ret == -EXDEV))
			snprintf(err, errlen, "cannot resolve '%s' inside the root of process %d: "
				 "a symlink loop, or a link out of it through /proc", spec->target, pid);
		else if (pid)
			snprintf(err, errlen, "cannot find '%s' for process %d: no such file, "
				 "library mapped by it, or program in PATH", spec->target, pid);
		else
			snprintf(err, errlen, "cannot find '%s': no such file, library in "
				 "ld.so.cache, or program in PATH", spec->target);
		return ret < 0 ? ret : -ENOENT;
	}
	*ef = elf_file__open(t->path);
	if (!*ef) {
		ret = -errno;
		if (ret == -ENOEXEC)
			snprintf(err, errlen, "'%s' is not an ELF file", t->display);
		else if (ret == -EINVAL)
			snprintf(err, errlen, "'%s' is a truncated or corrupt ELF file", t->display);
		else if (ret == -ENOTSUP || ret == -EOPNOTSUPP)
			snprintf(err, errlen, "'%s' is not an x86-64 ELF file", t->display);
		else
			snprintf(err, errlen, "cannot open '%s': %s", t->display, strerror(-ret));
		return ret;
	}
	return 0;
}

/* The name to show for a symbol: demangled without ambiguity. */
static char *display_name(const char *sym)
{
	char *d = NULL;

	if (demangle__is_mangled(sym))
		d = demangle__cxx(sym);
	return d ? d : strdup(sym);
}

/*
 * IFUNC symbols (glibc's strlen, memcpy...) point at a resolver that runs
 * once, at relocation; the calls go to the implementation it picked for
 * this CPU. To count the calls, the site is that implementation, read
 * from a process that maps the same file: glibc binds its own IFUNCs at
 * load time through R_X86_64_IRELATIVE slots, so the slot of a resolver
 * holds the implementation's address.
 */
struct ifunc_ctx {
	bool tried;
	int mem_fd;		/* /proc/PID/mem of a process mapping the file */
	uint64_t bias;		/* its load address minus the link-time address */
};

/* Find @dev:@ino in the maps of @pid: the mapping of file offset 0. */
static bool maps_find(pid_t pid, dev_t dev, ino_t ino, uint64_t *start)
{
	const struct procmap_entry *e;
	struct procmaps *m = procmaps__open(pid);
	bool found = false;

	while (m && !found && procmaps__next(m, &e) > 0) {
		if (e->inode != ino || e->offset || makedev(e->dev_major, e->dev_minor) != dev)
			continue;
		*start = e->start;
		found = true;
	}
	procmaps__free(m);
	return found;
}

static void ifunc_ctx_init(struct ifunc_ctx *c, const struct elf_file *ef, const char *path,
			   pid_t pid)
{
	struct dirent *d;
	struct stat st;
	uint64_t start = 0, v0;
	pid_t found = 0;
	char mem[64];
	DIR *proc;

	c->tried = true;
	c->mem_fd = -1;
	if (procpath__stat(path, &st) || elf_file__offset_to_vaddr(ef, 0, &v0))
		return;
	/* The traced process, else any that maps the file (a -c command has
	 * not exec'd yet); every process on this CPU gets the same pick. */
	if (pid > 0 && maps_find(pid, st.st_dev, st.st_ino, &start))
		found = pid;
	if (!found && (proc = opendir("/proc"))) {
		while (!found && (d = readdir(proc))) {
			pid_t p = atoi(d->d_name);

			if (p > 0 && p != getpid() && maps_find(p, st.st_dev, st.st_ino, &start))
				found = p;
		}
		closedir(proc);
	}
	if (!found)
		return;
	snprintf(mem, sizeof(mem), "/proc/%d/mem", found);
	c->mem_fd = open(mem, O_RDONLY | O_CLOEXEC);
	c->bias = start - (v0 & ~0xfffULL);
}

/* The implementation an IFUNC resolves to, as a link-time address. */
static int ifunc_resolve(struct ifunc_ctx *c, const struct elf_file *ef, const char *path,
			 pid_t pid, uint64_t resolver, uint64_t *impl)
{
	uint64_t slot, addr, off;

	if (elf_file__irelative_slot(ef, resolver, &slot))
		return -ENOENT;
	if (!c->tried)
		ifunc_ctx_init(c, ef, path, pid);
	if (c->mem_fd < 0)
		return -ESRCH;
	if (pread(c->mem_fd, &addr, sizeof(addr), c->bias + slot) != sizeof(addr) ||
	    addr < c->bias || elf_file__vaddr_to_offset(ef, addr - c->bias, &off))
		return -ENOENT;
	*impl = addr - c->bias;
	return 0;
}

/* Does a symbol at @vaddr match @m (the implementation has its own site)? */
static bool vaddr_matches(const struct elf_sym *syms, size_t n, uint64_t vaddr,
			  const struct name_matcher *m)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].vaddr < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && syms[lo].vaddr == vaddr; lo++)
		if (name_matcher__match(m, syms[lo].name, NULL))
			return true;
	return false;
}

/*
 * FUNC+OFFSET inside an instruction of @fn (called @name): said in the
 * function's terms ("free+0xf to free+0x13"), not in file offsets as
 * insn__check_raw_offset() says it. Returns -EINVAL with the sentence in
 * @err, 0 when the offset starts an instruction or cannot be decoded here
 * (insn__check_raw_offset() then decides), or -ENOMEM.
 */
static int func_offset_in_insn(const struct probe_spec *spec, struct elf_file *ef,
			       const struct elf_sym *fn, const char *name, char *err,
			       size_t errlen)
{
	uint64_t off = spec->func_off, fstart, start = 0;
	size_t isize = 0;
	uint8_t *buf;
	ssize_t n;
	int ret;

	if (off > INSN_SCAN_MAX || elf_file__vaddr_to_offset(ef, fn->vaddr, &fstart))
		return 0;
	buf = malloc(off + INSN_MAX_LEN);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = elf_file__read(ef, fstart, buf, off + INSN_MAX_LEN);
	ret = n < 0 ? 0 : insn__check_boundary(buf, n, 0, off, &start, &isize);
	free(buf);
	if (ret != -EINVAL)
		return 0;
	snprintf(err, errlen, "'%s': %s+0x%" PRIx64 " is inside an instruction (%s+0x%" PRIx64
		 " to %s+0x%" PRIx64 "), where a breakpoint would crash the program", spec->text,
		 name, off, name, start, name, start + isize);
	return -EINVAL;
}

/*
 * FUNC+OFFSET: the site @spec->func_off bytes into the one function that
 * @m matches in @ef, checked as a raw offset is (common/insn.h): inside
 * the function's size and at an instruction's start; never for a return
 * probe, whose trampoline takes the top of the stack for the return
 * address. Fills @s: its name allocated (the caller frees it), its
 * symbol borrowed from @ef.
 * Returns 0 or a negative errno with one sentence in @err.
 */
static int func_offset_site(const struct probe_spec *spec, struct elf_file *ef,
			    const struct name_matcher *m, const char *display, struct site *s,
			    char *err, size_t errlen)
{
	const struct elf_sym *syms, *fn = NULL;
	size_t nsyms, others = 0;
	uint64_t off = spec->func_off;
	unsigned iflags = spec->unsafe ? INSN_F_UNSAFE : 0;
	char *name;
	int ret;

	if (off && (spec->kind == PROBE_URETPROBE || spec->with_return)) {
		snprintf(err, errlen, "'%s': a return probe must be at the function's start, not "
			 "0x%" PRIx64 " bytes into it: its trampoline takes the top of the stack for "
			 "the return address, which only the start guarantees", spec->text, off);
		return -EINVAL;
	}
	if (probe_pattern__is_wild(spec->pattern)) {
		snprintf(err, errlen, "'%s': an offset needs one function, not a pattern",
			 spec->text);
		return -EINVAL;
	}
	syms = elf_file__symbols(ef, &nsyms);
	for (size_t i = 0; i < nsyms; i++) {
		if (!name_matcher__match(m, syms[i].name, NULL))
			continue;
		if (!fn)
			fn = &syms[i];
		else if (syms[i].vaddr != fn->vaddr)
			others++;
	}
	if (!fn) {
		snprintf(err, errlen, "no function matches '%s' in %s", spec->pattern, display);
		return -ENOENT;
	}
	name = display_name(fn->name);
	if (!name) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (others) {
		snprintf(err, errlen, "'%s': %zu functions of %s are named %s, at different "
			 "addresses: an offset needs one", spec->text, others + 1, display, name);
		ret = -EINVAL;
	} else if (fn->type == STT_GNU_IFUNC) {
		snprintf(err, errlen, "'%s': %s is an IFUNC, whose code only picks the function "
			 "that calls will run: give that function's name", spec->text, name);
		ret = -EINVAL;
	} else if (!fn->size && off && !spec->unsafe) {
		snprintf(err, errlen, "'%s': the symbol of %s gives no size, so the offset "
			 "cannot be checked to be inside it: --unsafe probes it anyway",
			 spec->text, name);
		ret = -ENODATA;
	} else if (fn->size && off >= fn->size) {
		snprintf(err, errlen, "'%s': offset 0x%" PRIx64 " is past the end of %s, "
			 "which is 0x%" PRIx64 " bytes long", spec->text, off, name, fn->size);
		ret = -EINVAL;
	} else if (fn->vaddr + off < fn->vaddr ||
		   elf_file__vaddr_to_offset(ef, fn->vaddr + off, &s->offset)) {
		snprintf(err, errlen, "'%s': offset 0x%" PRIx64 " of %s is in no loaded segment "
			 "of %s", spec->text, off, name, display);
		ret = -EINVAL;
	} else if (!(ret = func_offset_in_insn(spec, ef, fn, name, err, errlen))) {
		/* And the raw offset's checks (code, not data; the instruction
		 * from the symbol that holds it), after the spec as typed. */
		int n = snprintf(err, errlen, "'%s': ", spec->text);

		if (n < 0 || (size_t)n >= errlen)
			n = 0;
		ret = insn__check_raw_offset(ef, s->offset, display, iflags, err + n, errlen - n);
	}
	if (!ret) {
		s->vaddr = fn->vaddr + off;
		s->symbol = (char *)fn->name;
		if ((off ? asprintf(&s->name, "%s+0x%" PRIx64, name, off) :
			   asprintf(&s->name, "%s", name)) < 0) {
			s->name = NULL;
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
		}
	}
	free(name);
	return ret;
}

static int add_uprobes(struct site_set *set, const struct probe_spec *spec, size_t spec_idx,
		       pid_t pid, char *err, size_t errlen)
{
	struct name_matcher *m = NULL;
	struct elf_file *ef = NULL;
	const struct elf_sym *syms;
	struct target t;
	struct site s = { .kind = spec->kind, .spec = spec_idx };
	size_t nsyms, added = 0, start = set->count, limit;
	uint64_t last_vaddr = UINT64_MAX, impl;
	struct ifunc_ctx ifunc = { .mem_fd = -1 };
	int ret;

	ret = open_target(spec, pid, &t, &ef, err, errlen);
	if (ret)
		return ret;
	s.path = t.path;
	s.display_path = t.display;

	if (spec->is_offset) {
		unsigned iflags = (spec->unsafe ? INSN_F_UNSAFE : 0) |
				  (spec->kind == PROBE_URETPROBE || spec->with_return ?
				   INSN_F_FUNC_START : 0);
		char name[64];

		/* Never a breakpoint in data or inside an instruction. */
		ret = insn__check_raw_offset(ef, spec->offset, t.display, iflags, err, errlen);
		if (ret)
			goto out;
		elf_file__offset_to_vaddr(ef, spec->offset, &s.vaddr);
		snprintf(name, sizeof(name), "0x%" PRIx64, spec->offset);
		s.offset = spec->offset;
		s.name = name;
		s.symbol = name;
		ret = add_site(set, &s, start);
		ret = ret < 0 ? ret : 1;
		goto out;
	}

	ret = elf_file__load_symbols(ef, NULL);
	if (ret) {
		snprintf(err, errlen, "cannot read the symbols of '%s': %s", t.display,
			 strerror(-ret));
		goto out;
	}
	m = name_matcher__new(spec->pattern, spec->regex, spec->cpp);
	if (!m) {
		ret = -errno;
		snprintf(err, errlen, "'%s' is not a valid regular expression", spec->pattern);
		goto out;
	}
	if (spec->has_func_off) {
		ret = func_offset_site(spec, ef, m, t.display, &s, err, errlen);
		if (!ret) {
			ret = add_site(set, &s, start);
			free(s.name);
			ret = ret < 0 ? ret : 1;
		}
		goto out;
	}
	syms = elf_file__symbols(ef, &nsyms);
	for (size_t i = 0; i < nsyms; i++) {
		const struct elf_sym *sym = &syms[i];
		char *demangled = NULL;
		bool match;

		/* One site per address: the first matching name at it wins. */
		if (sym->vaddr == last_vaddr)
			continue;
		if (demangle__is_mangled(sym->name))
			demangled = demangle__cxx(sym->name);
		match = name_matcher__match(m, sym->name, demangled);
		free(demangled);
		if (!match)
			continue;
		last_vaddr = sym->vaddr;
		s.vaddr = sym->vaddr;
		limit = start;
		if (sym->type == STT_GNU_IFUNC &&
		    !ifunc_resolve(&ifunc, ef, t.path, pid, sym->vaddr, &impl)) {
			/* Counted under the implementation's own name if it matches too. */
			if (vaddr_matches(syms, nsyms, impl, m))
				continue;
			s.vaddr = impl;
			/* Several IFUNCs may share an implementation (memcpy, memmove). */
			limit = set->count;
		}
		if (elf_file__vaddr_to_offset(ef, s.vaddr, &s.offset))
			continue;
		s.symbol = (char *)sym->name;
		s.name = display_name(sym->name);
		if (!s.name) {
			ret = -ENOMEM;
			goto out;
		}
		ret = add_site(set, &s, limit);
		free(s.name);
		if (ret < 0)
			goto out;
		/* A site already there (another spec, a shared IFUNC
		 * implementation) still counts as matched. */
		added++;
	}
	if (!added) {
		snprintf(err, errlen, "no function matches '%s' in %s", spec->pattern, t.display);
		ret = -ENOENT;
		goto out;
	}
	ret = added;
out:
	if (ifunc.mem_fd >= 0)
		close(ifunc.mem_fd);
	name_matcher__free(m);
	elf_file__free(ef);
	return ret;
}

static int add_usdt(struct site_set *set, const struct probe_spec *spec, size_t spec_idx,
		    pid_t pid, char *err, size_t errlen)
{
	struct name_matcher *mname = NULL, *mprov = NULL;
	const struct usdt_note *notes;
	struct elf_file *ef = NULL;
	struct target t;
	struct site s = { .kind = PROBE_USDT, .spec = spec_idx };
	size_t nnotes, added = 0;
	int ret;

	ret = open_target(spec, pid, &t, &ef, err, errlen);
	if (ret)
		return ret;
	ret = elf_file__usdt_notes(ef, &notes, &nnotes);
	if (ret) {
		snprintf(err, errlen, "'%s' has a corrupt USDT note section", t.display);
		goto out;
	}
	mname = name_matcher__new(spec->pattern, spec->regex, false);
	mprov = name_matcher__new(spec->provider ? spec->provider : "*", spec->regex, false);
	if (!mname || !mprov) {
		ret = -EINVAL;
		snprintf(err, errlen, "'%s' is not a valid pattern", spec->text);
		goto out;
	}
	s.path = t.path;
	s.display_path = t.display;
	for (size_t i = 0; i < nnotes; i++) {
		char name[512];

		if (!name_matcher__match_plain(mname, notes[i].name) ||
		    !name_matcher__match_plain(mprov, notes[i].provider))
			continue;
		snprintf(name, sizeof(name), "%s:%s", notes[i].provider, notes[i].name);
		s.name = name;
		s.symbol = (char *)notes[i].name;
		s.provider = (char *)notes[i].provider;
		s.usdt_args = (char *)notes[i].args;
		s.vaddr = notes[i].pc;
		s.offset = notes[i].pc_offset;
		/* A probe name may have many locations: libbpf attaches them all. */
		ret = add_site(set, &s, set->count);
		if (ret < 0)
			goto out;
		/* One already in the set (an earlier spec) still counts as matched. */
		added++;
	}
	if (!added) {
		snprintf(err, errlen, "no USDT probe matches '%s%s%s' in %s",
			 spec->provider ? spec->provider : "", spec->provider ? ":" : "",
			 spec->pattern, t.display);
		ret = -ENOENT;
		goto out;
	}
	ret = added;
out:
	name_matcher__free(mname);
	name_matcher__free(mprov);
	elf_file__free(ef);
	return ret;
}

static int add_tracepoints(struct site_set *set, const struct probe_spec *spec, size_t spec_idx,
			   char *err, size_t errlen)
{
	struct name_matcher *mcat = NULL, *mev = NULL;
	const char *root = tracefs__root();
	char path[PATH_MAX];
	struct site s = { .kind = PROBE_TRACEPOINT, .spec = spec_idx };
	size_t added = 0, start = set->count;
	DIR *cats = NULL;
	struct dirent *c;
	int ret;

	if (!root) {
		snprintf(err, errlen, "tracefs is not mounted and cannot be mounted at "
			 "/sys/kernel/tracing: %s", strerror(errno));
		return -errno;
	}
	mcat = name_matcher__new(spec->provider, spec->regex, false);
	mev = name_matcher__new(spec->pattern, spec->regex, false);
	if (!mcat || !mev) {
		ret = -EINVAL;
		snprintf(err, errlen, "'%s' is not a valid pattern", spec->text);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/events", root);
	cats = opendir(path);
	if (!cats) {
		ret = -errno;
		snprintf(err, errlen, "cannot list %s: %s", path, strerror(errno));
		goto out;
	}
	while ((c = readdir(cats))) {
		struct dirent *e;
		DIR *evs;

		if (c->d_name[0] == '.' || c->d_type != DT_DIR ||
		    !name_matcher__match_plain(mcat, c->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", root, c->d_name);
		evs = opendir(path);
		if (!evs)
			continue;
		while ((e = readdir(evs))) {
			char name[512];

			if (e->d_name[0] == '.' || e->d_type != DT_DIR ||
			    !name_matcher__match_plain(mev, e->d_name))
				continue;
			snprintf(name, sizeof(name), "%s:%s", c->d_name, e->d_name);
			s.name = name;
			s.provider = c->d_name;
			s.symbol = e->d_name;
			ret = add_site(set, &s, start);
			if (ret < 0) {
				closedir(evs);
				goto out;
			}
			added++;
		}
		closedir(evs);
	}
	if (!added) {
		snprintf(err, errlen, "no tracepoint matches '%s:%s'", spec->provider, spec->pattern);
		ret = -ENOENT;
		goto out;
	}
	ret = added;
out:
	if (cats)
		closedir(cats);
	name_matcher__free(mcat);
	name_matcher__free(mev);
	return ret;
}

/* Kernel functions that can be probed: available_filter_functions. */
static int add_kernel(struct site_set *set, const struct probe_spec *spec, size_t spec_idx,
		      char *err, size_t errlen)
{
	struct name_matcher *m = NULL;
	const char *root = tracefs__root();
	struct site s = { .kind = spec->kind, .spec = spec_idx };
	char path[PATH_MAX], line[512];
	size_t added = 0;
	FILE *f = NULL;
	int ret;

	if (!root) {
		snprintf(err, errlen, "tracefs is not mounted and cannot be mounted: %s",
			 strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/available_filter_functions", root);
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return ret;
	}
	m = name_matcher__new(spec->pattern, spec->regex, false);
	if (!m) {
		ret = -EINVAL;
		snprintf(err, errlen, "'%s' is not a valid pattern", spec->pattern);
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\n")] = 0;
		if (!line[0] || !name_matcher__match_plain(m, line))
			continue;
		s.name = line;
		s.symbol = line;
		ret = add_site(set, &s, set->count);
		if (ret < 0)
			goto out;
		added++;
	}
	if (!added) {
		snprintf(err, errlen, "no kernel function matches '%s'", spec->pattern);
		ret = -ENOENT;
		goto out;
	}
	ret = added;
out:
	name_matcher__free(m);
	fclose(f);
	return ret;
}

int site_set__add(struct site_set *set, const struct probe_spec *spec, size_t spec_idx,
		  pid_t pid, struct attach_features *feat, char *err, size_t errlen)
{
	switch (spec->kind) {
	case PROBE_UPROBE:
	case PROBE_URETPROBE:
		return add_uprobes(set, spec, spec_idx, pid, err, errlen);
	case PROBE_USDT:
		return add_usdt(set, spec, spec_idx, pid, err, errlen);
	case PROBE_TRACEPOINT:
		return add_tracepoints(set, spec, spec_idx, err, errlen);
	case PROBE_KPROBE:
	case PROBE_KRETPROBE:
		if (spec->has_func_off) {
			snprintf(err, errlen, "'%s': offsets into kernel functions are not "
				 "supported: probe the function's start", spec->text);
			return -EINVAL;
		}
		if (!attach_features__kernel_functions(feat)) {
			if (feat->error) {
				snprintf(err, errlen, "cannot probe kernel function '%s': cannot "
					 "probe the kernel's features: %s", spec->pattern,
					 strerror(-feat->error));
				return feat->error;
			}
			snprintf(err, errlen, "cannot probe kernel function '%s': this kernel has "
				 "neither kprobes nor BPF trampolines", spec->pattern);
			return -EOPNOTSUPP;
		}
		return add_kernel(set, spec, spec_idx, err, errlen);
	}
	snprintf(err, errlen, "unknown probe kind in '%s'", spec->text);
	return -EINVAL;
}

int site_set__check_program(const struct site_set *set, const char *exe, char *err,
			    size_t errlen)
{
	int exe_class, exe_machine, cls, machine;
	const char *last = NULL;

	/* A script runs in its interpreter: nothing to compare with. */
	if (!exe || !*exe || elf__machine(exe, &exe_class, &exe_machine))
		return 0;
	for (size_t i = 0; i < set->count; i++) {
		const struct site *s = &set->sites[i];
		char a[64], b[64];

		if (!s->path || (last && !strcmp(last, s->path)))
			continue;
		last = s->path;
		if (elf__machine(s->path, &cls, &machine) ||
		    (cls == exe_class && machine == exe_machine))
			continue;
		snprintf(err, errlen, "'%s' is a program for %s and cannot load %s, which is "
			 "for %s: no probe there would ever fire", exe,
			 elf__machine_name(exe_class, exe_machine, a, sizeof(a)),
			 s->display_path ? s->display_path : s->path,
			 elf__machine_name(cls, machine, b, sizeof(b)));
		return -ENOEXEC;
	}
	return 0;
}

int site_set__check_program_or_say(const struct site_set *set, const char *exe,
				   const char *tool, FILE *f)
{
	char msg[PATH_MAX * 2 + 256];
	int err = site_set__check_program(set, exe, msg, sizeof(msg));

	if (err)
		fprintf(f, "%s: %s\n", tool, msg);
	return err;
}

bool site_set__single_file(const struct site_set *set)
{
	const char *path = NULL;

	for (size_t i = 0; i < set->count; i++) {
		if (!set->sites[i].path)
			continue;
		if (path && strcmp(path, set->sites[i].path))
			return false;
		path = set->sites[i].path;
	}
	return true;
}

/*
 * Load @prog for the first site of @kind the kernel's BTF describes: a
 * trampoline program is verified for one function, and the attacher
 * copies it for the others.
 */
static int prepare_trampoline(const struct site_set *set, struct bpf_program *prog,
			      enum probe_kind kind)
{
	if (!prog)
		return 0;
	for (size_t i = 0; i < set->count; i++) {
		const struct site *s = &set->sites[i];
		int err;

		if (s->kind != kind || !attach__kernel_func_has_btf(s->symbol))
			continue;
		err = bpf_program__set_attach_target(prog, 0, s->symbol);
		if (err)
			return err;
		return bpf_program__set_autoload(prog, true);
	}
	return 0;
}

int site_set__prepare_progs(const struct site_set *set, const struct site_progs *p,
			    const struct attach_features *feat, enum attach_mode mode)
{
	bool uprobe = false, usdt = false, tp = false, kernel = false, multi;
	struct bpf_program *all[] = { p->uprobe, p->uprobe_multi, p->usdt, p->tracepoint,
				      p->kprobe, p->kprobe_multi, p->fentry, p->fexit };
	int err;

	for (size_t i = 0; i < set->count; i++) {
		enum probe_kind k = set->sites[i].kind;

		uprobe |= k == PROBE_UPROBE || k == PROBE_URETPROBE;
		usdt |= k == PROBE_USDT;
		tp |= k == PROBE_TRACEPOINT;
		kernel |= k == PROBE_KPROBE || k == PROBE_KRETPROBE;
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i])
			bpf_program__set_autoload(all[i], false);
	multi = uprobe && feat->uprobe_multi && mode != ATTACH_SINGLE && p->uprobe_multi;
	if (uprobe) {
		err = attach__prepare_uprobe_multi(p->uprobe_multi, multi);
		if (err)
			return err;
		if (multi)
			bpf_program__set_autoload(p->uprobe_multi, true);
		else if (p->uprobe)
			bpf_program__set_autoload(p->uprobe, true);
	}
	if (usdt && p->usdt)
		bpf_program__set_autoload(p->usdt, true);
	if (tp && p->tracepoint)
		bpf_program__set_autoload(p->tracepoint, true);
	if (kernel && feat->kprobe_multi && p->kprobe_multi && mode != ATTACH_SINGLE)
		bpf_program__set_autoload(p->kprobe_multi, true);
	else if (kernel && p->kprobe)
		bpf_program__set_autoload(p->kprobe, true);
	if (kernel && feat->trampoline && mode != ATTACH_SINGLE) {
		err = prepare_trampoline(set, p->fentry, PROBE_KPROBE);
		if (!err)
			err = prepare_trampoline(set, p->fexit, PROBE_KRETPROBE);
		if (err)
			return err;
	}
	return 0;
}

static bool prog_loaded(struct bpf_program *p)
{
	return p && bpf_program__fd(p) >= 0;
}

static int attach_uprobe_groups(const struct site_set *set, struct attacher *a,
				const struct site_progs *p, enum attach_mode mode, pid_t pid,
				size_t *attached, char *err, size_t errlen)
{
	struct uprobe_site *us;
	bool *grouped;
	int ret = -ENOMEM;

	us = calloc(set->count ? set->count : 1, sizeof(*us));
	grouped = calloc(set->count ? set->count : 1, sizeof(*grouped));
	if (!us || !grouped) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = 0;
	/* One call per (binary, entry-or-return) group, in site order. */
	for (size_t i = 0; i < set->count && !ret; i++) {
		const struct site *first = &set->sites[i];
		size_t n = 0, got = 0;

		if (grouped[i] || (first->kind != PROBE_UPROBE && first->kind != PROBE_URETPROBE))
			continue;
		for (size_t j = i; j < set->count; j++) {
			const struct site *s = &set->sites[j];

			if (grouped[j] || s->kind != first->kind || strcmp(s->path, first->path))
				continue;
			grouped[j] = true;
			us[n++] = (struct uprobe_site){ .name = s->name, .offset = s->offset,
							.cookie = j };
		}
		ret = attacher__uprobes(a, prog_loaded(p->uprobe_multi) ? p->uprobe_multi : NULL,
					p->uprobe, mode, first->path, pid,
					first->kind == PROBE_URETPROBE, us, n, &got);
		if (ret)
			snprintf(err, errlen, "cannot attach to %s: %s%s", first->display_path,
				 ret == -EOPNOTSUPP && mode == ATTACH_MULTI ?
				 "this kernel has no multi-uprobe link" : strerror(-ret),
				 ret == -EMFILE ? " (every probe link takes a file descriptor: raise "
				 "ulimit -n)" : "");
		*attached += got;
	}
out:
	free(us);
	free(grouped);
	return ret;
}

static int attach_kernel_groups(const struct site_set *set, struct attacher *a,
				const struct site_progs *p, size_t *attached, char *err,
				size_t errlen)
{
	const char **syms = calloc(set->count ? set->count : 1, sizeof(*syms));
	uint64_t *cookies = calloc(set->count ? set->count : 1, sizeof(*cookies));
	bool *done = calloc(set->count ? set->count : 1, sizeof(*done));
	int ret = -ENOMEM;

	if (!syms || !cookies || !done) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = 0;
	for (int r = 0; r < 2 && !ret; r++) {
		enum probe_kind kind = r ? PROBE_KRETPROBE : PROBE_KPROBE;
		size_t n = 0, left = 0, got;

		for (size_t i = 0; i < set->count; i++) {
			if (set->sites[i].kind != kind)
				continue;
			syms[n] = set->sites[i].symbol;
			cookies[n++] = i;
		}
		/* Trampolines first; what they cannot take goes to kprobes. */
		ret = attacher__trampolines(a, r ? p->fexit : p->fentry, syms, cookies, n, done);
		if (ret < 0) {
			snprintf(err, errlen, "cannot attach to kernel functions: %s",
				 strerror(-ret));
			break;
		}
		got = ret;
		for (size_t i = 0; i < n; i++) {
			if (ret > 0 && done[i])
				continue;
			syms[left] = syms[i];
			cookies[left++] = cookies[i];
		}
		*attached += got;
		n = left;
		ret = attacher__kprobes(a, prog_loaded(p->kprobe_multi) ? p->kprobe_multi : NULL,
					p->kprobe, r, syms, cookies, n);
		if (ret)
			snprintf(err, errlen, "cannot attach to kernel functions: %s",
				 strerror(-ret));
		else
			*attached += n;
	}
out:
	free(syms);
	free(cookies);
	free(done);
	return ret;
}

int site_set__attach(const struct site_set *set, struct attacher *a, const struct site_progs *p,
		     enum attach_mode mode, pid_t pid, size_t *attached, char *err, size_t errlen)
{
	int ret;

	*attached = 0;
	ret = attach_uprobe_groups(set, a, p, mode, pid, attached, err, errlen);
	for (size_t i = 0; i < set->count && !ret; i++) {
		const struct site *s = &set->sites[i];

		if (s->kind == PROBE_USDT) {
			ret = attacher__usdt(a, p->usdt, s->path, pid, s->provider, s->symbol, i);
			if (ret)
				snprintf(err, errlen, "cannot attach to USDT probe %s of %s: %s",
					 s->name, s->display_path, strerror(-ret));
		} else if (s->kind == PROBE_TRACEPOINT) {
			ret = attacher__tracepoint(a, p->tracepoint, s->provider, s->symbol, i);
			if (ret)
				snprintf(err, errlen, "cannot attach to tracepoint %s: %s", s->name,
					 strerror(-ret));
		} else {
			continue;
		}
		if (!ret)
			(*attached)++;
	}
	if (!ret)
		ret = attach_kernel_groups(set, a, p, attached, err, errlen);
	return ret;
}

int site_set__attach_or_say(const struct site_set *set, struct attacher *a,
			    const struct site_progs *p, enum attach_mode mode, pid_t pid,
			    const char *tool, FILE *f, size_t *attached)
{
	const struct skipped_site *sk;
	size_t nskipped;
	char msg[1024];
	int err;

	err = site_set__attach(set, a, p, mode, pid, attached, msg, sizeof(msg));
	if (err) {
		fprintf(f, "%s: %s\n", tool, msg);
		return err;
	}
	sk = attacher__skipped(a, &nskipped);
	for (size_t i = 0; i < nskipped; i++) {
		bool dup = false;

		/* A function's entry and return probes are refused together. */
		for (size_t j = 0; j < i && !dup; j++)
			dup = sk[j].offset == sk[i].offset && !strcmp(sk[j].path, sk[i].path);
		if (!dup)
			fprintf(f, "%s: skipped %s (%s+0x%" PRIx64 "): %s\n", tool, sk[i].name,
				sk[i].path, sk[i].offset, skipped_site__reason(&sk[i]));
	}
	if (!*attached) {
		fprintf(f, "%s: no probe could be attached\n", tool);
		return -ENOENT;
	}
	return 0;
}

uint64_t site_progs__misses(const struct site_progs *p)
{
	return attach__prog_misses(p->uprobe) + attach__prog_misses(p->uprobe_multi) +
	       attach__prog_misses(p->usdt) + attach__prog_misses(p->tracepoint) +
	       attach__prog_misses(p->kprobe) + attach__prog_misses(p->kprobe_multi);
}

const char *skipped_site__reason(const struct skipped_site *s)
{
	if (s->err == -EILSEQ)
		return "its first instruction is EVEX-encoded, which uprobes execute wrongly";
	return "the kernel cannot probe its first instruction";
}

/* Move the sites of @from to the end of @to; @from is left empty. */
static int move_sites(struct site_set *to, struct site_set *from)
{
	for (size_t i = 0; i < from->count; i++) {
		if (set_grow(to))
			return -ENOMEM;
		to->sites[to->count++] = from->sites[i];
		from->sites[i] = (struct site){};
	}
	from->count = 0;
	return 0;
}

int site_set__add_specs(struct site_set *set, char *const *texts, int n, unsigned flags,
			pid_t pid, struct attach_features *feat, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		struct probe_spec spec;
		int ret;

		ret = probe_spec__parse(texts[i], flags, &spec, err, errlen);
		if (ret)
			return -EINVAL;
		if (flags & PROBE_F_EACH_SPEC) {
			struct site_set one = {};

			ret = site_set__add(&one, &spec, i, pid, feat, err, errlen);
			if (ret >= 0 && move_sites(set, &one))
				ret = -ENOMEM;
			site_set__fini(&one);
		} else {
			ret = site_set__add(set, &spec, i, pid, feat, err, errlen);
		}
		probe_spec__fini(&spec);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int site_set__add_returns(struct site_set *set)
{
	size_t n = set->count;
	int added = 0;

	for (size_t i = 0; i < n; i++) {
		/* A copy: add_site() may move the array; the strings stay put. */
		struct site twin = set->sites[i];
		int ret;

		if (twin.kind == PROBE_UPROBE)
			twin.kind = PROBE_URETPROBE;
		else if (twin.kind == PROBE_KPROBE)
			twin.kind = PROBE_KRETPROBE;
		else
			continue;
		ret = add_site(set, &twin, 0);
		if (ret < 0)
			return ret;
		added++;
	}
	return added;
}

/* Has @path been seen (it is among the first @n of @seen)? */
static bool path_seen(const char *const *seen, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(seen[i], path))
			return true;
	return false;
}

int site_set__check_go_returns(const struct site_set *set, bool force, const char *tool,
			       FILE *f)
{
	const char **seen = calloc(set->count ? set->count : 1, sizeof(*seen));
	size_t nseen = 0;
	int ret = 0;

	if (!seen) {
		fprintf(f, "%s: out of memory\n", tool);
		return -ENOMEM;
	}
	/* Distinct files are few: the list stays short whatever the sites. */
	for (size_t i = 0; i < set->count && !ret; i++) {
		const struct site *s = &set->sites[i];
		struct elf_file *ef;
		bool go;

		if (s->kind != PROBE_URETPROBE || !s->path || path_seen(seen, nseen, s->path))
			continue;
		seen[nseen++] = s->path;
		ef = elf_file__open(s->path);
		if (!ef) {
			ret = -errno;
			fprintf(f, "%s: cannot read '%s' again: %s\n", tool, s->display_path,
				strerror(errno));
			break;
		}
		go = elf_file__is_go(ef);
		elf_file__free(ef);
		if (!go)
			continue;
		if (!force) {
			fprintf(f, "%s: %s is a Go program, and return probes corrupt Go stacks (the "
				"Go runtime crashes when a goroutine's stack grows); use --force to "
				"place them anyway\n", tool, s->display_path);
			ret = -EINVAL;
		} else {
			fprintf(f, "%s: warning: %s is a Go program: return probes may crash it "
				"(--force)\n", tool, s->display_path);
		}
	}
	free(seen);
	return ret;
}

int site_error_exit_code(int err)
{
	return err == -EOPNOTSUPP || err == -ENOMEM || err == -EPERM || err == -EACCES ||
	       err == -EMFILE || err == -ENFILE ? 1 : 2;
}
