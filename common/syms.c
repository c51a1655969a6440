// SPDX-License-Identifier: GPL-2.0-only
/*
 * syms: the symbolizer.
 *
 * Three layers, each owned by the struct syms:
 * - symtabs: one per module file (keyed by build-id, else device + inode),
 *   holding the elf_file, a compact sorted range table built from its
 *   symbols, lazily demangled names and, with SYMS_F_LINES, a libdw handle;
 * - procs: one snapshot of the executable mappings of each pid, each
 *   mapping bound to its symtab when the snapshot is taken (the files are
 *   reachable through /proc/PID/ only while the process lives);
 * - kallsyms, read once.
 * Strings handed out (module paths, demangled names) are interned in a pool
 * freed with the syms object, so they outlive replaced snapshots.
 */
#include "common/syms.h"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/demangle.h"
#include "common/elf.h"
#include "common/procmaps.h"
#include "common/procpath.h"

#define BUILD_ID_MAX		64
#define NO_PARENT		UINT32_MAX
#define PROC_BUCKETS		256
/* A lookup that misses every mapping re-reads the maps at most this often
 * (a library loaded after the snapshot), per process. */
#define RESNAPSHOT_NS		(100 * 1000 * 1000ULL)

/* ---- string pool ---------------------------------------------------------- */

struct strpool {
	char **slots;		/* open addressing; NULL is empty */
	size_t cap;		/* power of two */
	size_t n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int pool_grow(struct strpool *p)
{
	size_t cap = p->cap ? p->cap * 2 : 64, i, j;
	char **slots;

	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < p->cap; i++) {
		if (!p->slots[i])
			continue;
		for (j = hash_str(p->slots[i]) & (cap - 1); slots[j]; j = (j + 1) & (cap - 1))
			;
		slots[j] = p->slots[i];
	}
	free(p->slots);
	p->slots = slots;
	p->cap = cap;
	return 0;
}

/* Intern @s; returns the pool's copy (valid until pool_free) or NULL. */
static const char *pool_add(struct strpool *p, const char *s)
{
	size_t i;

	if ((p->n + 1) * 2 > p->cap && pool_grow(p))
		return NULL;
	for (i = hash_str(s) & (p->cap - 1); p->slots[i]; i = (i + 1) & (p->cap - 1))
		if (!strcmp(p->slots[i], s))
			return p->slots[i];
	p->slots[i] = strdup(s);
	if (!p->slots[i])
		return NULL;
	p->n++;
	return p->slots[i];
}

static void pool_free(struct strpool *p)
{
	size_t i;

	for (i = 0; i < p->cap; i++)
		free(p->slots[i]);
	free(p->slots);
}

/* ---- symbol tables ------------------------------------------------------------ */

/* One function range; ranges nest (a symbol inside a bigger one). */
struct sym_range {
	uint64_t end;		/* exclusive */
	uint32_t sym;		/* index into the elf_file's symbols */
	uint32_t parent;	/* enclosing range or NO_PARENT */
};

struct symtab {
	struct symtab *next;
	struct elf_file *ef;	/* NULL for a module that could not be opened */
	uint8_t build_id[BUILD_ID_MAX];
	int build_id_len;	/* 0: none */
	const char *build_id_hex;	/* interned; NULL: none */

	bool loaded;
	const struct elf_sym *syms;
	uint64_t *starts;	/* sorted range starts (vaddr), for the binary search */
	struct sym_range *ranges;
	size_t nr_ranges;
	const char **names;	/* per range, filled lazily: demangled, unversioned */

	bool dw_tried;
	int dw_fd;
	Dwarf *dw;
};

/* A file identity as /proc/PID/maps or stat() give it, bound to its symtab. */
struct file_key {
	dev_t dev;
	ino_t ino;
	struct symtab *st;
};

/* ---- processes -------------------------------------------------------------------- */

struct pmap {
	uint64_t start, end, pgoff;
	const char *path;	/* interned; NULL for an anonymous mapping */
	struct symtab *st;	/* NULL: module known by name only */
};

struct proc {
	struct proc *next;
	pid_t pid;
	struct pmap *maps;
	size_t nr_maps;
	char *sig;		/* executable lines of the maps, to detect changes */
	uint64_t taken_ns;
	bool gone;		/* no snapshot could be taken */
};

/* ---- kernel ---------------------------------------------------------------------- */

struct ksym {
	uint64_t addr;
	const char *name;	/* into ksyms.buf */
};

struct ksyms {
	bool loaded;
	int err;
	bool hidden;		/* kptr_restrict: every address reads 0 */
	char *buf;
	struct ksym *v;
	size_t n;
};

struct syms {
	unsigned flags;
	struct strpool pool;
	struct symtab *symtabs;
	struct file_key *keys;
	size_t nr_keys, cap_keys;
	/* syms__resolve_file(): interned path → symtab, so that a batch of
	 * offsets costs no stat() each. */
	struct path_key {
		const char *path;
		struct symtab *st;
	} *paths;
	size_t nr_paths, cap_paths, last_path;
	/* syms__add_module(): modules by id. */
	struct module {
		struct symtab *st;
		const char *name;	/* interned */
	} *modules;
	size_t nr_modules, cap_modules;
	struct proc *procs[PROC_BUCKETS];
	struct ksyms k;
	/* The vDSO, read once: every process of one kernel maps the same
	 * image (a 32-bit process another: told apart by its size). */
	struct symtab *vdso;
	size_t vdso_len;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void symtab_free(struct symtab *st)
{
	size_t i;

	if (st->names) {
		for (i = 0; i < st->nr_ranges; i++)
			if (st->names[i] != st->syms[st->ranges[i].sym].name)
				free((char *)st->names[i]);
		free(st->names);
	}
	if (st->dw)
		dwarf_end(st->dw);
	if (st->dw_fd >= 0)
		close(st->dw_fd);
	free(st->starts);
	free(st->ranges);
	elf_file__free(st->ef);
	free(st);
}

/*
 * Read the executable PT_LOAD ranges [vaddr, vaddr + memsz) of @ef (at most
 * @max); a size-0 symbol must not run past the end of its segment.
 */
static size_t exec_segments(const struct elf_file *ef, uint64_t (*segs)[2], size_t max)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t i, n = 0;

	if (elf_file__read(ef, 0, &eh, sizeof(eh)) != sizeof(eh) ||
	    eh.e_phentsize != sizeof(ph))
		return 0;
	for (i = 0; i < eh.e_phnum && n < max; i++) {
		if (elf_file__read(ef, eh.e_phoff + i * sizeof(ph), &ph, sizeof(ph)) != sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) ||
		    ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			continue;
		segs[n][0] = ph.p_vaddr;
		segs[n][1] = ph.p_vaddr + ph.p_memsz;
		n++;
	}
	return n;
}

/* The end of the executable segment holding @vaddr, or UINT64_MAX. */
static uint64_t segment_end(uint64_t (*segs)[2], size_t n, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vaddr >= segs[i][0] && vaddr < segs[i][1])
			return segs[i][1];
	return UINT64_MAX;
}

/*
 * Build the range table from the sorted symbols: one range per address
 * (aliases skipped, the widest size of the group kept), a size-0 symbol
 * running to the next address, and each range's nearest enclosing range so
 * that an address past a nested symbol still finds its container.
 */
static int symtab_build(struct symtab *st, const struct elf_sym *syms, size_t n)
{
	uint64_t segs[16][2], size, end;
	uint32_t *stack = NULL;
	size_t i, j, nr = 0, depth = 0, nsegs;
	int err = 0;

	if (!n)
		return 0;
	nsegs = exec_segments(st->ef, segs, 16);
	if (n >= NO_PARENT)
		return -E2BIG;
	st->starts = malloc(n * sizeof(*st->starts));
	st->ranges = malloc(n * sizeof(*st->ranges));
	st->names = calloc(n, sizeof(*st->names));
	stack = malloc(n * sizeof(*stack));
	if (!st->starts || !st->ranges || !st->names || !stack) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i = j) {
		/* The preferred name, unless it is a size-0 label and an alias
		 * has a size (identical code folded: Foo::f at Bar::f's address). */
		size = syms[i].size;
		st->ranges[nr].sym = i;
		for (j = i + 1; j < n && syms[j].vaddr == syms[i].vaddr; j++) {
			if (syms[j].size > size) {
				if (!size)
					st->ranges[nr].sym = j;
				size = syms[j].size;
			}
		}
		st->starts[nr] = syms[i].vaddr;
		if (size)
			st->ranges[nr].end = syms[i].vaddr + size < syms[i].vaddr ?
					     UINT64_MAX : syms[i].vaddr + size;
		else {
			end = segment_end(segs, nsegs, syms[i].vaddr);
			st->ranges[nr].end = j < n && syms[j].vaddr < end ? syms[j].vaddr : end;
		}
		while (depth && st->ranges[stack[depth - 1]].end <= syms[i].vaddr)
			depth--;
		st->ranges[nr].parent = depth ? stack[depth - 1] : NO_PARENT;
		stack[depth++] = nr;
		nr++;
	}
	st->nr_ranges = nr;
	st->syms = syms;
out:
	free(stack);
	return err;
}

/* Load the symbols of @st once; a module without symbols is not an error. */
static int symtab_load(struct symtab *st)
{
	const struct elf_sym *syms;
	size_t n;
	int err;

	if (st->loaded)
		return 0;
	st->loaded = true;
	if (!st->ef)
		return 0;
	err = elf_file__load_symbols(st->ef, "");
	if (err)
		return err == -ENOMEM ? err : 0;
	syms = elf_file__symbols(st->ef, &n);
	err = symtab_build(st, syms, n);
	if (err) {
		free(st->starts);
		free(st->ranges);
		free(st->names);
		st->starts = NULL;
		st->ranges = NULL;
		st->names = NULL;
		st->nr_ranges = 0;
	}
	return err;
}

/* The range holding @vaddr, or -1. */
static ssize_t symtab_find(const struct symtab *st, uint64_t vaddr)
{
	size_t lo = 0, hi = st->nr_ranges, mid;
	uint32_t i;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->starts[mid] <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	for (i = lo - 1; i != NO_PARENT; i = st->ranges[i].parent)
		if (vaddr < st->ranges[i].end)
			return i;
	return -1;
}

/*
 * The name shown for range @r: without the symbol version a .symtab may
 * carry ("mtx_timedlock@@GLIBC_2.34"), demangled with @demangle; computed
 * once per range.
 */
static const char *symtab_name(struct symtab *st, size_t r, bool demangle)
{
	const char *raw, *at;
	bool mangled;
	char *d, *plain = NULL;

	if (st->names[r])
		return st->names[r];
	raw = st->syms[st->ranges[r].sym].name;
	mangled = demangle && demangle__is_mangled(raw);
	at = strchr(raw, '@');
	if (at == raw)
		at = NULL;
	if (at) {
		plain = strndup(raw, at - raw);
		if (!plain)
			return raw;
	}
	d = mangled ? demangle__cxx(plain ? plain : raw) : NULL;
	if (d)
		free(plain);
	else
		d = plain;
	st->names[r] = d ? d : raw;
	return st->names[r];
}

static struct symtab *find_key(struct syms *s, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < s->nr_keys; i++)
		if (s->keys[i].dev == dev && s->keys[i].ino == ino)
			return s->keys[i].st;
	return NULL;
}

static int add_key(struct syms *s, dev_t dev, ino_t ino, struct symtab *st)
{
	struct file_key *k;
	size_t cap;

	if (s->nr_keys == s->cap_keys) {
		cap = s->cap_keys ? s->cap_keys * 2 : 16;
		k = realloc(s->keys, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		s->keys = k;
		s->cap_keys = cap;
	}
	s->keys[s->nr_keys++] = (struct file_key){ .dev = dev, .ino = ino, .st = st };
	return 0;
}

static Dwarf *symtab_dwarf(struct symtab *st);

/*
 * Adopt the opened @ef: the symtab of the same build-id if there is one
 * (then @ef is freed), else a new symtab owning it. NULL on ENOMEM.
 */
static struct symtab *symtab_adopt(struct syms *s, struct elf_file *ef)
{
	uint8_t id[BUILD_ID_MAX];
	struct symtab *st;
	int len;

	len = elf_file__build_id(ef, id, sizeof(id));
	if (len > BUILD_ID_MAX)
		len = BUILD_ID_MAX;
	if (len > 0) {
		for (st = s->symtabs; st; st = st->next) {
			if (st->build_id_len == len && !memcmp(st->build_id, id, len)) {
				elf_file__free(ef);
				return st;
			}
		}
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		elf_file__free(ef);
		return NULL;
	}
	st->ef = ef;
	st->dw_fd = -1;
	if (len > 0) {
		char hex[2 * BUILD_ID_MAX + 1];

		memcpy(st->build_id, id, len);
		st->build_id_len = len;
		for (int i = 0; i < len; i++)
			sprintf(hex + 2 * i, "%02x", id[i]);
		/* Out of memory here only costs the frames their build-id. */
		st->build_id_hex = pool_add(&s->pool, hex);
	}
	st->next = s->symtabs;
	s->symtabs = st;
	return st;
}

/* @path opened, if it is the file @dev:@ino: checked on the open file,
 * not by a stat() before, which the process could race with a rename. */
static struct elf_file *open_same_file(const char *path, dev_t dev, ino_t ino)
{
	struct elf_file *ef = elf_file__open(path);

	if (ef && !elf_file__is_file(ef, dev, ino)) {
		elf_file__free(ef);
		errno = ESTALE;
		return NULL;
	}
	return ef;
}

/*
 * Open the file behind a mapping of @pid. The path inside the process's
 * root comes first when it is still that very file, because the separate
 * debug file is searched next to the path elf_file was given (a
 * /proc/PID/map_files/ link has no useful directory); it is resolved inside
 * that root (procpath.h), so a symlink the process planted cannot lead
 * outside. Then map_files, which reaches deleted and replaced files and
 * other mount namespaces, then the path on the host when it is the same
 * file (the process may be gone).
 */
static struct elf_file *open_mapping(pid_t pid, const struct procmap_entry *e, dev_t dev)
{
	char path[PATH_MAX + 64];
	struct elf_file *ef;
	int n;

	if (!e->deleted) {
		n = snprintf(path, sizeof(path), "/proc/%d/root%s", pid, e->path);
		if (n > 0 && (size_t)n < sizeof(path)) {
			ef = open_same_file(path, dev, e->inode);
			if (ef)
				return ef;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid, e->start, e->end);
	ef = elf_file__open(path);
	if (ef)
		return ef;
	if (!e->deleted)
		return open_same_file(e->path, dev, e->inode);
	return NULL;
}

/* The vDSO image read from the process's memory. */
static struct elf_file *open_vdso(pid_t pid, const struct procmap_entry *e)
{
	return elf_file__open_vdso(pid, e->start, e->end);
}

/* Bind a mapping to its symtab; NULL (not an error) if it cannot be read. */
static int bind_mapping(struct syms *s, pid_t pid, const struct procmap_entry *e,
			struct symtab **out)
{
	dev_t dev = makedev(e->dev_major, e->dev_minor);
	struct elf_file *ef;
	struct symtab *st;
	bool vdso = !strcmp(e->path, "[vdso]");

	*out = NULL;
	if (!vdso && (e->path[0] != '/' || !e->inode))
		return 0;
	if (!vdso) {
		st = find_key(s, dev, e->inode);
		if (st) {
			*out = st;
			return 0;
		}
	} else if (s->vdso && s->vdso_len == e->end - e->start) {
		*out = s->vdso;
		return 0;
	}
	ef = vdso ? open_vdso(pid, e) : open_mapping(pid, e, dev);
	if (!ef)
		return errno == ENOMEM ? -ENOMEM : 0;
	st = symtab_adopt(s, ef);
	if (!st)
		return -ENOMEM;
	/* Debug info is opened now, while /proc/PID/ still reaches the file:
	 * the process may have exited by the time its lines are asked for. */
	if ((s->flags & SYMS_F_LINES) && !symtab_load(st))
		symtab_dwarf(st);
	*out = st;
	if (vdso) {
		s->vdso = st;
		s->vdso_len = e->end - e->start;
		return 0;
	}
	return add_key(s, dev, e->inode, st);
}

/* ---- processes -------------------------------------------------------------------- */

static struct proc **proc_slot(struct syms *s, pid_t pid)
{
	struct proc **pp = &s->procs[(unsigned)pid % PROC_BUCKETS];

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->next;
	return pp;
}

static int build_maps(struct syms *s, pid_t pid, const char *sig, struct pmap **out, size_t *nr)
{
	const struct procmap_entry *e;
	struct pmap *maps = NULL, *m;
	size_t n = 0, cap = 0;
	struct procmaps *it;
	int err;

	*out = NULL;
	*nr = 0;
	it = procmaps__from_buf(sig, strlen(sig));
	if (!it)
		return -errno;
	while ((err = procmaps__next(it, &e)) > 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			m = realloc(maps, cap * sizeof(*m));
			if (!m) {
				err = -ENOMEM;
				goto out;
			}
			maps = m;
		}
		m = &maps[n];
		memset(m, 0, sizeof(*m));
		m->start = e->start;
		m->end = e->end;
		m->pgoff = e->offset;
		if (e->path[0]) {
			m->path = pool_add(&s->pool, e->path);
			if (!m->path) {
				err = -ENOMEM;
				goto out;
			}
		}
		err = bind_mapping(s, pid, e, &m->st);
		if (err)
			goto out;
		n++;
	}
out:
	procmaps__free(it);
	if (err) {
		free(maps);
		return err;
	}
	*out = maps;
	*nr = n;
	return 0;
}

/*
 * Take or refresh the snapshot of @pid from the executable lines of its
 * maps, @lines (NULL: read them now); *@pp is set even on failure.
 */
static int snapshot(struct syms *s, pid_t pid, const char *lines, struct proc **pp)
{
	struct proc **slot = proc_slot(s, pid), *p = *slot;
	struct pmap *maps;
	size_t nr;
	char *sig = NULL;
	int err = 0;

	*pp = p;
	if (lines) {
		sig = strdup(lines);
		if (!sig)
			err = -ENOMEM;
	} else {
		err = procmaps__read_exec(pid, &sig);
	}
	if (p)
		p->taken_ns = now_ns();
	if (err)
		return p && !p->gone ? 0 : err;
	if (p && p->sig && !strcmp(p->sig, sig)) {
		free(sig);
		return 0;
	}
	err = build_maps(s, pid, sig, &maps, &nr);
	if (err) {
		free(sig);
		return err;
	}
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			free(maps);
			free(sig);
			return -ENOMEM;
		}
		p->pid = pid;
		*slot = p;
	}
	free(p->maps);
	free(p->sig);
	p->maps = maps;
	p->nr_maps = nr;
	p->sig = sig;
	p->gone = false;
	p->taken_ns = now_ns();
	*pp = p;
	return 0;
}

int syms__snapshot(struct syms *s, pid_t pid)
{
	struct proc *p;

	if (pid <= 0)
		return -EINVAL;
	return snapshot(s, pid, NULL, &p);
}

int syms__snapshot_lines(struct syms *s, pid_t pid, const char *lines)
{
	struct proc *p;

	if (pid <= 0 || !lines)
		return -EINVAL;
	return snapshot(s, pid, lines, &p);
}

static const struct pmap *proc_find(const struct proc *p, uint64_t addr)
{
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < p->nr_maps; i++)
		if (addr >= p->maps[i].start && addr < p->maps[i].end)
			return &p->maps[i];
	return NULL;
}

/* ---- source lines ---------------------------------------------------------------- */

static Dwarf *symtab_dwarf(struct symtab *st)
{
	const char *path;

	if (st->dw_tried)
		return st->dw;
	st->dw_tried = true;
	path = elf_file__debug_path(st->ef);
	if (!path)
		path = elf_file__path(st->ef);
	st->dw_fd = procpath__open(path, O_RDONLY);
	if (st->dw_fd < 0)
		return NULL;
	st->dw = dwarf_begin(st->dw_fd, DWARF_C_READ);
	if (!st->dw) {
		close(st->dw_fd);
		st->dw_fd = -1;
	}
	return st->dw;
}

/* The name of @die, demangled with SYMS_F_DEMANGLE; its linkage name in *@symbol. */
static const char *die_name(struct syms *s, Dwarf_Die *die, const char **symbol)
{
	Dwarf_Attribute mem;
	const char *name;
	char *d;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &mem));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &mem));
	*symbol = name;
	if (name && (s->flags & SYMS_F_DEMANGLE)) {
		d = demangle__cxx(name);
		if (d) {
			name = pool_add(&s->pool, d);
			free(d);
			if (name)
				return name;
		}
	}
	return name ? name : dwarf_diename(die);
}

/*
 * Fill @frames (at least 1 slot; frames[n-1] is the function frame already
 * resolved from the symbol table) with inline frames and source lines.
 * Returns the number of frames.
 */
static size_t add_lines(struct syms *s, struct symtab *st, uint64_t vaddr,
			struct sym_frame *frames, size_t max)
{
	struct sym_frame fn = frames[0];
	Dwarf_Die cu, *scopes = NULL;
	Dwarf_Attribute amem;
	Dwarf_Files *files = NULL;
	Dwarf_Word idx, lno;
	Dwarf_Line *ln;
	const char *file = NULL, *name, *symbol;
	size_t nfiles = 0, n = 0;
	int line = 0, ns, i;
	Dwarf *dw;

	dw = symtab_dwarf(st);
	if (!dw || !dwarf_addrdie(dw, vaddr, &cu))
		return 1;
	ln = dwarf_getsrc_die(&cu, vaddr);
	if (ln) {
		file = dwarf_linesrc(ln, NULL, NULL);
		dwarf_lineno(ln, &line);
	}
	ns = dwarf_getscopes(&cu, vaddr, &scopes);
	for (i = 0; i < ns && n + 1 < max; i++) {
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram)
			break;
		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		name = die_name(s, &scopes[i], &symbol);
		frames[n] = (struct sym_frame){
			.name = name,
			.symbol = symbol,
			.module = fn.module,
			.module_offset = fn.module_offset,
			.build_id = fn.build_id,
			.file = file,
			.line = line > 0 ? line : 0,
			.inlined = true,
		};
		n++;
		/* The caller's position is the call site of this inline copy. */
		file = NULL;
		line = 0;
		if (!dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &amem), &idx) &&
		    (files || !dwarf_getsrcfiles(&cu, &files, &nfiles)) && idx < nfiles)
			file = dwarf_filesrc(files, idx, NULL, NULL);
		if (!dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &amem), &lno))
			line = lno;
	}
	free(scopes);
	fn.file = file;
	fn.line = line > 0 ? line : 0;
	frames[n++] = fn;
	return n;
}

/* ---- resolving ------------------------------------------------------------------------ */

static int resolve_in(struct syms *s, struct symtab *st, const char *module, uint64_t off,
		      struct sym_frame *frames, size_t max)
{
	uint64_t vaddr;
	ssize_t r;
	int err;

	frames[0] = (struct sym_frame){ .module = module, .module_offset = off,
					.build_id = st ? st->build_id_hex : NULL };
	if (!st || !st->ef)
		return 1;
	err = symtab_load(st);
	if (err)
		return err;
	if (elf_file__offset_to_vaddr(st->ef, off, &vaddr))
		return 1;
	r = symtab_find(st, vaddr);
	if (r >= 0) {
		frames[0].name = symtab_name(st, r, s->flags & SYMS_F_DEMANGLE);
		frames[0].symbol = st->syms[st->ranges[r].sym].name;
		frames[0].offset = vaddr - st->starts[r];
	}
	if (!(s->flags & SYMS_F_LINES))
		return 1;
	return add_lines(s, st, vaddr, frames, max);
}

int syms__resolve_user(struct syms *s, pid_t pid, uint64_t addr, struct sym_frame *frames,
		       size_t max)
{
	const struct pmap *m;
	struct proc *p;
	int err;

	if (!max)
		return -EINVAL;
	frames[0] = (struct sym_frame){};
	p = *proc_slot(s, pid);
	if (!p) {
		err = snapshot(s, pid, NULL, &p);
		if (err == -ENOMEM)
			return err;
		if (err && !p) {
			/* Remember the miss: do not re-read /proc for every frame. */
			p = calloc(1, sizeof(*p));
			if (!p)
				return -ENOMEM;
			p->pid = pid;
			p->gone = true;
			p->taken_ns = now_ns();
			*proc_slot(s, pid) = p;
		}
	}
	m = proc_find(p, addr);
	if (!m && p && now_ns() - p->taken_ns >= RESNAPSHOT_NS) {
		err = snapshot(s, pid, NULL, &p);
		if (err == -ENOMEM)
			return err;
		m = proc_find(p, addr);
	}
	if (!m)
		return 1;
	return resolve_in(s, m->st, m->path, addr - m->start + m->pgoff, frames, max);
}

static int add_path(struct syms *s, const char *path, struct symtab *st)
{
	struct path_key *k;
	size_t cap;

	if (s->nr_paths == s->cap_paths) {
		cap = s->cap_paths ? s->cap_paths * 2 : 8;
		k = realloc(s->paths, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		s->paths = k;
		s->cap_paths = cap;
	}
	s->paths[s->nr_paths++] = (struct path_key){ .path = path, .st = st };
	return 0;
}

int syms__resolve_file(struct syms *s, const char *path, uint64_t offset,
		       struct sym_frame *frames, size_t max)
{
	struct symtab *st = NULL;
	struct elf_file *ef;
	const char *module;
	struct stat sb;
	size_t i;
	int err;

	if (!max)
		return -EINVAL;
	/* A batch of offsets in one file: skip the hash. */
	if (s->nr_paths && !strcmp(s->paths[s->last_path].path, path))
		return resolve_in(s, s->paths[s->last_path].st, s->paths[s->last_path].path,
				  offset, frames, max);
	module = pool_add(&s->pool, path);
	if (!module)
		return -ENOMEM;
	for (i = 0; i < s->nr_paths && !st; i++)
		if (s->paths[i].path == module)
			st = s->paths[i].st;
	if (st) {
		s->last_path = i - 1;
		return resolve_in(s, st, module, offset, frames, max);
	}
	err = procpath__stat(path, &sb);
	if (err)
		return err;
	st = find_key(s, sb.st_dev, sb.st_ino);
	if (!st) {
		ef = elf_file__open(path);
		if (!ef)
			return -errno;
		st = symtab_adopt(s, ef);
		if (!st)
			return -ENOMEM;
		err = add_key(s, sb.st_dev, sb.st_ino, st);
		if (err)
			return err;
	}
	err = add_path(s, module, st);
	if (err)
		return err;
	s->last_path = s->nr_paths - 1;
	return resolve_in(s, st, module, offset, frames, max);
}

int syms__add_module(struct syms *s, struct elf_file *ef, const char *name)
{
	struct symtab *st;
	const char *iname;

	if (s->nr_modules == s->cap_modules) {
		size_t cap = s->cap_modules ? s->cap_modules * 2 : 16;
		struct module *m = realloc(s->modules, cap * sizeof(*m));

		if (!m) {
			elf_file__free(ef);
			return -ENOMEM;
		}
		s->modules = m;
		s->cap_modules = cap;
	}
	iname = pool_add(&s->pool, name);
	if (!iname) {
		elf_file__free(ef);
		return -ENOMEM;
	}
	st = symtab_adopt(s, ef);
	if (!st)
		return -ENOMEM;
	/* Debug info is opened now, as bind_mapping() does. */
	if ((s->flags & SYMS_F_LINES) && !symtab_load(st))
		symtab_dwarf(st);
	s->modules[s->nr_modules] = (struct module){ st, iname };
	return (int)s->nr_modules++;
}

struct elf_file *syms__module_elf(struct syms *s, int id)
{
	if (id < 0 || (size_t)id >= s->nr_modules)
		return NULL;
	return s->modules[id].st->ef;
}

int syms__resolve_module(struct syms *s, int id, uint64_t offset, struct sym_frame *frames,
			 size_t max)
{
	if (!max)
		return -EINVAL;
	if (id < 0 || (size_t)id >= s->nr_modules)
		return -ENOENT;
	return resolve_in(s, s->modules[id].st, s->modules[id].name, offset, frames, max);
}

int syms__module_address(struct syms *s, pid_t pid, int id, uint64_t offset, uint64_t *addr)
{
	const struct proc *p;
	struct symtab *st;

	if (id < 0 || (size_t)id >= s->nr_modules)
		return -ENOENT;
	st = s->modules[id].st;
	p = *proc_slot(s, pid);
	for (size_t i = 0; p && st && i < p->nr_maps; i++) {
		const struct pmap *m = &p->maps[i];

		if (m->st == st && offset >= m->pgoff && offset - m->pgoff < m->end - m->start) {
			*addr = m->start + (offset - m->pgoff);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- kernel ----------------------------------------------------------------------- */

static int cmp_ksym(const void *pa, const void *pb)
{
	const struct ksym *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int read_all(const char *path, char **out)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *p;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			p = realloc(buf, cap + 1);
			if (!p) {
				err = -ENOMEM;
				break;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int kallsyms__parse_line(char *line, uint64_t *addr, char *type, char **name)
{
	char *end, *n;

	*addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return -EINVAL;
	n = end + 3;
	n[strcspn(n, "\t ")] = '\0';
	if (!*n)
		return -EINVAL;
	*type = end[1];
	*name = n;
	if (*type != 't' && *type != 'T' && *type != 'w' && *type != 'W')
		return -ENOENT;
	return 0;
}

/* Parse /proc/kallsyms in place: "ffffffff81000000 T _stext\t[mod]". */
static int load_kallsyms(struct ksyms *k)
{
	size_t n = 0, cap = 0;
	char *line, *next, *name, type;
	bool nonzero = false;
	struct ksym *v;
	uint64_t addr;
	int err;

	err = read_all("/proc/kallsyms", &k->buf);
	if (err)
		return err;
	for (line = k->buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (kallsyms__parse_line(line, &addr, &type, &name))
			continue;
		if (addr)
			nonzero = true;
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			v = realloc(k->v, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			k->v = v;
		}
		k->v[n++] = (struct ksym){ .addr = addr, .name = name };
	}
	k->n = n;
	k->hidden = !nonzero;
	if (n > 1)	/* k->v is NULL for an empty kallsyms: qsort(NULL, 0) is UB */
		qsort(k->v, n, sizeof(*k->v), cmp_ksym);
	return 0;
}

int syms__resolve_kernel(struct syms *s, uint64_t addr, struct sym_frame *frame)
{
	struct ksyms *k = &s->k;
	size_t lo = 0, hi, mid;

	if (!k->loaded) {
		k->loaded = true;
		k->err = load_kallsyms(k);
	}
	if (k->err)
		return k->err;
	if (k->hidden)
		return 0;
	*frame = (struct sym_frame){ .module = "[kernel]", .module_offset = addr };
	hi = k->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo) {
		frame->name = k->v[lo - 1].name;
		frame->offset = addr - k->v[lo - 1].addr;
	}
	return 1;
}

/* ---- object --------------------------------------------------------------------------- */

struct syms *syms__new(unsigned flags)
{
	struct syms *s;

	if (flags & ~(SYMS_F_DEMANGLE | SYMS_F_LINES)) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->flags = flags;
	return s;
}

void syms__free(struct syms *s)
{
	struct symtab *st, *nst;
	struct proc *p, *np;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < PROC_BUCKETS; i++) {
		for (p = s->procs[i]; p; p = np) {
			np = p->next;
			free(p->maps);
			free(p->sig);
			free(p);
		}
	}
	for (st = s->symtabs; st; st = nst) {
		nst = st->next;
		symtab_free(st);
	}
	free(s->keys);
	free(s->paths);
	free(s->modules);
	free(s->k.v);
	free(s->k.buf);
	pool_free(&s->pool);
	free(s);
}

int sym_frame__format(const struct sym_frame *f, bool offsets, char *buf, size_t len)
{
	const char *base;
	int n, m;

	if (f->name && offsets && !f->inlined && !f->interp)
		n = snprintf(buf, len, "%s+0x%" PRIx64, f->name, f->offset);
	else if (f->name)
		n = snprintf(buf, len, "%s", f->name);
	else if (f->module) {
		base = strrchr(f->module, '/');
		base = base ? base + 1 : f->module;
		n = snprintf(buf, len, "%s+0x%" PRIx64, base, f->module_offset);
	} else {
		n = snprintf(buf, len, "[unknown]");
	}
	if (n < 0 || !f->file)
		return n;
	m = snprintf((size_t)n < len ? buf + n : NULL, (size_t)n < len ? len - n : 0,
		     " (%s:%u)", f->file, f->line);
	return m < 0 ? m : n + m;
}
