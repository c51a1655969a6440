// SPDX-License-Identifier: GPL-2.0-only
/* unwinder: unwind tables into the BPF maps of bpf/lib/unwind.bpf.h (see unwinder.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/stacks.h"
#include "bpf/unwind.h"
#include "common/bpfmap.h"
#include "common/cli.h"
#include "common/elf.h"
#include "common/procmaps.h"
#include "common/python.h"
#include "common/syms.h"
#include "common/unwind.h"
#include "common/unwinder.h"

#define BUILD_ID_MAX 64
/* With lazy tables, the code mappings at least this large wait for a walk
 * to need them (cc1: 20 MiB, libLLVM: 97 MiB; python3: 2.7 MiB, libc:
 * 1.3 MiB are built at once). */
#define UNWIND_LATE_MIN_BYTES (4ULL << 20)

_Static_assert(sizeof(struct unwind_row) == 8, "struct unwind_row must match the BPF side");
_Static_assert(sizeof(struct unwind_map) == 40, "struct unwind_map must match the BPF side");

/* A file met in some process: its table in the pool, or why it has none. */
struct ufile {
	uint64_t dev, ino;		/* the kernel's encoding; 0, 0 for the vDSO */
	uint8_t build_id[BUILD_ID_MAX];
	int build_id_len;
	struct unwind_file bf;		/* table (count 0: none) and id, as the BPF side has it */
	int py;				/* a Python interpreter (python__add_file()), or -1 */
	bool late;			/* its table is built when a walk needs it */
};

struct uproc {
	pid_t pid;
	uint32_t gen;
};

/* A shard of the pool: an array map of shard_rows rows, mmap()ed. */
struct ushard {
	int fd;
	struct unwind_row *rows;
	size_t used;
};

struct unwinder {
	struct syms *syms;		/* borrowed */
	struct python *py;		/* borrowed; NULL: no Python frames */
	int shards_fd, procs_fd, files_fd, late_fd;
	uint32_t late_max;		/* file ids below this may have late tables */
	bool lazy;
	unsigned long late_min_bytes;	/* code mappings this large wait (lazy) */
	struct ushard shards[UNWIND_MAX_SHARDS];
	size_t nshards, max_shards;	/* created, and at most */
	size_t shard_rows;		/* rows in a shard */
	size_t shard_use;		/* rows used of a shard (less with a test knob) */
	size_t shard_len;		/* bytes mapped of a shard */
	size_t rows_used;
	struct ufile *files;
	size_t nfiles, cap_files;
	struct uproc *procs;
	size_t nprocs, cap_procs;
	struct unwind_proc *scratch;	/* a process table being written */
	uint64_t last_sweep_ns;
	size_t vdso;			/* index + 1 in files of the vDSO read last; 0: none */
	size_t vdso_len;
	struct unwinder_stats st;
};

int unwinder__size(struct bpf_object *obj, bool on)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "unwind_rows");
	int err;

	if (!m)
		return -ENOENT;
	/*
	 * Not lowered by COTRACE_TEST_MAP_ENTRIES, whose tests fill the
	 * tables of stacks and counts and expect the walk as usual; the pool
	 * has its own knobs, COTRACE_TEST_UNWIND_SHARDS and
	 * COTRACE_TEST_UNWIND_ROWS (rows used in a shard), to test a full one.
	 */
	err = bpf_map__set_max_entries(m, on ? cli__test_knob("COTRACE_TEST_UNWIND_SHARDS",
							 UNWIND_MAX_SHARDS) : 1);
	if (!err)
		err = bpfmap__set_entries(obj, "unwind_procs", on ? UNWIND_DEFAULT_PROCS : 1);
	if (!err)
		err = bpfmap__set_entries(obj, "unwind_files", on ? UNWIND_DEFAULT_FILES : 1);
	if (!err)
		err = bpfmap__set_entries(obj, "unwind_late", on ? UNWIND_DEFAULT_FILES : 1);
	return err;
}

struct unwinder *unwinder__new(struct bpf_object *obj, struct syms *syms)
{
	struct bpf_map *rows = bpf_object__find_map_by_name(obj, "unwind_rows");
	struct bpf_map *procs = bpf_object__find_map_by_name(obj, "unwind_procs");
	struct bpf_map *files = bpf_object__find_map_by_name(obj, "unwind_files");
	struct bpf_map *late = bpf_object__find_map_by_name(obj, "unwind_late");
	struct unwinder *u;
	long page = sysconf(_SC_PAGESIZE);

	if (!rows || !procs || !files || !late) {
		errno = ENOENT;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->scratch = malloc(sizeof(*u->scratch));
	if (!u->scratch) {
		free(u);
		return NULL;
	}
	u->syms = syms;
	u->shards_fd = bpf_map__fd(rows);
	u->procs_fd = bpf_map__fd(procs);
	u->files_fd = bpf_map__fd(files);
	u->late_fd = bpf_map__fd(late);
	u->late_max = bpf_map__max_entries(late);
	/* Lowered by a test knob, to make small files wait too. */
	u->late_min_bytes = cli__test_knob("COTRACE_TEST_UNWIND_LATE_BYTES", UNWIND_LATE_MIN_BYTES);
	/* The shards' size is the BPF object's (libbpf frees the inner map's
	 * definition once the outer one is made); a test may use less. */
	u->shard_rows = UNWIND_DEFAULT_ROWS;
	u->shard_use = cli__test_knob("COTRACE_TEST_UNWIND_ROWS", u->shard_rows);
	u->max_shards = bpf_map__max_entries(rows);
	if (u->max_shards > UNWIND_MAX_SHARDS)
		u->max_shards = UNWIND_MAX_SHARDS;
	u->shard_len = (u->shard_rows * sizeof(struct unwind_row) + page - 1) / page * page;
	u->st.shard_rows = u->shard_use;
	u->st.max_shards = u->max_shards;
	return u;
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nshards; i++) {
		munmap(u->shards[i].rows, u->shard_len);
		close(u->shards[i].fd);
	}
	free(u->files);
	free(u->procs);
	free(u->scratch);
	free(u);
}

void unwinder__set_python(struct unwinder *u, struct python *py)
{
	u->py = py;
}

void unwinder__stats(const struct unwinder *u, struct unwinder_stats *st)
{
	*st = u->st;
	st->rows = u->rows_used;
	st->shards = u->nshards;
	st->rows_max = u->nshards * u->shard_use;
	st->waiting = 0;
	for (size_t i = 0; i < u->nfiles; i++)
		st->waiting += u->files[i].late;
}

/* ---- files ------------------------------------------------------------------------------ */

static struct ufile *find_file(struct unwinder *u, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < u->nfiles; i++)
		if (u->files[i].dev == dev && u->files[i].ino == ino && (dev || ino))
			return &u->files[i];
	return NULL;
}

static struct ufile *find_build_id(struct unwinder *u, const uint8_t *id, int len)
{
	for (size_t i = 0; i < u->nfiles; i++)
		if (len > 0 && u->files[i].build_id_len == len &&
		    !memcmp(u->files[i].build_id, id, len))
			return &u->files[i];
	return NULL;
}

static struct ufile *new_file(struct unwinder *u)
{
	struct ufile *f;

	if (u->nfiles == u->cap_files) {
		size_t cap = u->cap_files ? u->cap_files * 2 : 64;

		f = realloc(u->files, cap * sizeof(*f));
		if (!f)
			return NULL;
		u->files = f;
		u->cap_files = cap;
	}
	f = &u->files[u->nfiles++];
	memset(f, 0, sizeof(*f));
	f->py = -1;
	return f;
}

/*
 * A new shard of the pool, in the outer map. Returns 0 or a negative errno;
 * the step that failed in u->st.shard_step.
 */
static int add_shard(struct unwinder *u)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	struct ushard *sh = &u->shards[u->nshards];
	__u32 key = (__u32)u->nshards;
	int fd, err;
	void *p;

	u->st.shard_step = "creating a shard";
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "unwind_shard", sizeof(__u32),
			    sizeof(struct unwind_row), (__u32)u->shard_rows, &opts);
	if (fd < 0)
		return -errno;
	u->st.shard_step = "mapping a shard";
	p = mmap(NULL, u->shard_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	u->st.shard_step = "adding a shard to the pool";
	if (bpf_map_update_elem(u->shards_fd, &key, &fd, BPF_ANY)) {
		err = -errno;
		munmap(p, u->shard_len);
		close(fd);
		return err;
	}
	*sh = (struct ushard){ fd, p, 0 };
	u->nshards++;
	return 0;
}

/*
 * Copy @t into the pool: the last shard, or a new one when it has no room
 * left. ref.count stays 0 (frame pointers) when the table is larger than
 * a shard or no shard can be added.
 */
static void pool_add(struct unwinder *u, const struct unwind_table *t, struct unwind_table_ref *ref)
{
	struct ushard *sh = u->nshards ? &u->shards[u->nshards - 1] : NULL;

	if (!t->nrows)
		return;
	if (!sh || t->nrows > u->shard_use - sh->used) {
		int err = -ENOSPC;

		if (t->nrows <= u->shard_use && u->nshards < u->max_shards)
			err = add_shard(u);
		if (err) {
			/* Said once with -v: why the pool could not grow. */
			if (err != -ENOSPC)
				u->st.shard_err = err;
			u->st.pool_full++;
			return;
		}
		sh = &u->shards[u->nshards - 1];
	}
	memcpy(sh->rows + sh->used, t->rows, t->nrows * sizeof(*t->rows));
	ref->first = (uint32_t)((u->nshards - 1) << UNWIND_SHARD_SHIFT | sh->used);
	ref->count = (uint32_t)t->nrows;
	sh->used += t->nrows;
	u->rows_used += t->nrows;
	u->st.tables++;
}

/* Build the table of @f from @ef into the pool (ref.count 0: none). */
static void build_table(struct unwinder *u, struct ufile *f, struct elf_file *ef)
{
	struct unwind_table *t = ef ? unwind_table__from_elf(ef) : NULL;

	if (t)
		pool_add(u, t, &f->bf.table);
	else
		u->st.no_table++;
	unwind_table__free(t);
}

/*
 * The file @ef (owned, given to the symbolizer) as a ufile named @name: a
 * known build-id shares its table, else the table is built and added to
 * the pool; with @late (and lazy tables), left to be built when a walk
 * first needs it (unwinder__build_late()).
 */
static struct ufile *adopt_file(struct unwinder *u, struct elf_file *ef, const char *name,
				uint64_t dev, uint64_t ino, bool late)
{
	uint8_t id[BUILD_ID_MAX];
	struct ufile *f, *same;
	uint64_t t0 = cli__now_ns();
	int len, module;

	len = elf_file__build_id(ef, id, sizeof(id));
	f = new_file(u);
	if (!f) {
		elf_file__free(ef);
		return NULL;
	}
	same = find_build_id(u, id, len);
	f->dev = dev;
	f->ino = ino;
	if (len > 0) {
		memcpy(f->build_id, id, len);
		f->build_id_len = len;
	}
	/* An interpreter? Asked before the symbolizer owns the file. */
	f->py = u->py ? python__add_file(u->py, ef, name) : -1;
	/* Frames in the file are named by its module in the symbolizer. */
	module = syms__add_module(u->syms, ef, name);
	if (module >= 0 && (uint32_t)module < STACK_FRAME_MAX_ID)
		f->bf.id = module + 1;
	late = late && u->lazy && f->bf.id && f->bf.id < u->late_max;
	if (same && !same->late) {
		f->bf.table = same->bf.table;
	} else if (late) {
		f->late = true;
		f->bf.flags = UNWIND_FILE_LATE;
	} else if (module >= 0) {
		build_table(u, f, syms__module_elf(u->syms, module));
	} else {
		u->st.no_table++;
	}
	if ((dev || ino) && (f->bf.table.count || f->bf.id)) {
		struct unwind_file_key key = { dev, ino };

		bpf_map_update_elem(u->files_fd, &key, &f->bf, BPF_ANY);
	}
	u->st.build_ns += cli__now_ns() - t0;
	return f;
}

int unwinder__build_late(struct unwinder *u, uint32_t id)
{
	struct unwind_late late = {};
	struct ufile *f = NULL, *same;
	uint64_t t0 = cli__now_ns();

	for (size_t i = 0; i < u->nfiles && !f; i++)
		if (u->files[i].bf.id == id && u->files[i].late)
			f = &u->files[i];
	if (!f)
		return -ENOENT;
	f->late = false;
	f->bf.flags = 0;
	same = find_build_id(u, f->build_id, f->build_id_len);
	if (same && same != f && !same->late && same->bf.table.count)
		f->bf.table = same->bf.table;
	else
		build_table(u, f, syms__module_elf(u->syms, (int)id - 1));
	u->st.late++;
	/* The table by id, for the process tables written before, and by file. */
	late.table = f->bf.table;
	late.requested = 1;
	if (bpf_map_update_elem(u->late_fd, &id, &late, BPF_ANY))
		return -errno;
	if (f->dev || f->ino) {
		struct unwind_file_key key = { f->dev, f->ino };

		bpf_map_update_elem(u->files_fd, &key, &f->bf, BPF_ANY);
	}
	u->st.build_ns += cli__now_ns() - t0;
	return 0;
}

void unwinder__set_lazy(struct unwinder *u, bool lazy)
{
	u->lazy = lazy;
}

static uint64_t kdev(unsigned major, unsigned minor)
{
	/* The kernel's internal dev_t (MKDEV): what bpf_find_vma() sees in s_dev. */
	return (uint64_t)major << 20 | minor;
}

int unwinder__add_file(struct unwinder *u, const char *path)
{
	struct elf_file *ef;
	struct ufile *f;
	char *name;
	struct stat sb;
	uint64_t dev;

	if (stat(path, &sb))
		return -errno;
	dev = kdev(major(sb.st_dev), minor(sb.st_dev));
	if (find_file(u, dev, sb.st_ino))
		return 0;
	ef = elf_file__open(path);
	if (!ef)
		return -errno;
	/* Named as /proc/PID/maps would name it (the path may go through
	 * /proc/PID/cwd, as a -c command's does). */
	name = realpath(path, NULL);
	f = adopt_file(u, ef, name ? name : path, dev, sb.st_ino, false);
	free(name);
	return f ? 0 : -ENOMEM;
}

/* The file behind mapping @e of @pid, as the process sees it. */
static struct ufile *mapping_file(struct unwinder *u, pid_t pid, const struct procmap_entry *e)
{
	uint64_t dev = kdev(e->dev_major, e->dev_minor);
	char path[PATH_MAX + 64];
	struct elf_file *ef;
	struct ufile *f;

	f = find_file(u, dev, e->inode);
	if (f)
		return f;
	/*
	 * The path in the process's root first, when it is that very file:
	 * the symbolizer looks for the debug file next to it. Then
	 * map_files, which reaches deleted files and other mount namespaces.
	 */
	ef = NULL;
	if (!e->deleted) {
		snprintf(path, sizeof(path), "/proc/%d/root%s", pid, e->path);
		ef = elf_file__open(path);
		if (ef && !elf_file__is_file(ef, makedev(e->dev_major, e->dev_minor), e->inode)) {
			elf_file__free(ef);
			ef = NULL;
		}
	}
	if (!ef) {
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid, e->start,
			 e->end);
		ef = elf_file__open(path);
	}
	if (!ef) {
		/* Not an ELF file, or gone: remember it has no table. */
		f = new_file(u);
		if (f) {
			f->dev = dev;
			f->ino = e->inode;
			u->st.no_table++;
		}
		return f;
	}
	/* Lazy tables are for large code, whose tables take time to build;
	 * small files are built at once (their first samples stay whole). */
	return adopt_file(u, ef, e->path, dev, e->inode,
			  e->end - e->start >= u->late_min_bytes);
}

/* The vDSO of @pid, read from its memory; one table for every process. */
static struct ufile *vdso_file(struct unwinder *u, pid_t pid, const struct procmap_entry *e)
{
	size_t len = e->end > e->start ? e->end - e->start : 0;
	uint8_t id[BUILD_ID_MAX];
	struct elf_file *ef;
	struct ufile *f;
	int n;

	/* Every process of one kernel maps the same image (a 32-bit one
	 * another, of another size): read once. */
	if (u->vdso && u->vdso_len == len)
		return &u->files[u->vdso - 1];
	ef = elf_file__open_vdso(pid, e->start, e->end);
	if (!ef)
		return NULL;
	n = elf_file__build_id(ef, id, sizeof(id));
	f = find_build_id(u, id, n);
	if (f)
		elf_file__free(ef);
	else
		f = adopt_file(u, ef, "[vdso]", 0, 0, false);
	if (f) {
		u->vdso = (size_t)(f - u->files) + 1;
		u->vdso_len = len;
	}
	return f;
}

/* ---- processes -------------------------------------------------------------------------- */

/*
 * mm->exec_vm (pages) from the executable mappings: the kernel counts
 * those executable and not writable (VmExe + VmLib of /proc/PID/status).
 * [vsyscall] is no mapping of the process's own.
 */
static bool counts_in_exec_vm(const struct procmap_entry *e)
{
	return e->perms[1] != 'w' && strcmp(e->path, "[vsyscall]");
}

static int track_proc(struct unwinder *u, pid_t pid, uint32_t gen)
{
	for (size_t i = 0; i < u->nprocs; i++) {
		if (u->procs[i].pid == pid) {
			u->procs[i].gen = gen;
			return 0;
		}
	}
	if (u->nprocs == u->cap_procs) {
		size_t cap = u->cap_procs ? u->cap_procs * 2 : 64;
		struct uproc *p = realloc(u->procs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		u->procs = p;
		u->cap_procs = cap;
	}
	u->procs[u->nprocs++] = (struct uproc){ pid, gen };
	return 0;
}

int unwinder__add_process(struct unwinder *u, pid_t pid, uint32_t gen)
{
	struct unwind_proc *p = u->scratch;
	const struct procmap_entry *e;
	struct procmaps *it;
	uint64_t t0 = cli__now_ns(), build0 = u->st.build_ns, exec_vm = 0, py_bias = 0;
	uint32_t py_id = 0;
	char *lines = NULL;
	bool over = false;
	int err, py_interp = -1;

	memset(p, 0, offsetof(struct unwind_proc, maps));
	p->gen = gen;
	/* One read of the maps, for the tables and the symbolizer; mm->exec_vm
	 * from the same lines, so that a library mapped since shows as a change. */
	err = procmaps__read_exec(pid, &lines);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	if (!lines[0]) {
		/* A zombie or a kernel thread: no mappings. */
		free(lines);
		return -ESRCH;
	}
	it = procmaps__from_buf(lines, strlen(lines));
	if (!it) {
		err = -errno;
		free(lines);
		return err;
	}
	while ((err = procmaps__next(it, &e)) > 0) {
		struct unwind_map *m;
		struct ufile *f = NULL;

		if (!procmap_entry__is_exec(e))
			continue;
		if (counts_in_exec_vm(e))
			exec_vm += (e->end - e->start) / 4096;
		if (p->nmaps == UNWIND_MAX_MAPS) {
			over = true;
			continue;
		}
		if (!strcmp(e->path, "[vdso]"))
			f = vdso_file(u, pid, e);
		else if (e->path[0] == '/' && e->inode)
			f = mapping_file(u, pid, e);
		/* Anything else (JIT code, [uprobes]) is walked by frame pointers. */
		m = &p->maps[p->nmaps++];
		m->start = e->start;
		m->end = e->end;
		m->bias = e->start - e->offset;
		m->file = f ? f->bf : (struct unwind_file){};
		/* The first interpreter mapped is the one the process runs. */
		if (f && f->py >= 0 && py_interp < 0) {
			py_interp = f->py;
			py_id = f->bf.id;
			py_bias = m->bias;
		}
	}
	procmaps__free(it);
	if (over)
		u->st.too_many_maps++;
	p->exec_vm = exec_vm;
	if (!err)
		syms__snapshot_lines(u->syms, pid, lines);
	free(lines);
	if (err < 0)
		return err;
	if (bpf_map_update_elem(u->procs_fd, &pid, p, BPF_ANY))
		return -errno;
	if (py_interp >= 0)
		python__set_process(u->py, pid, py_interp, py_id, py_bias);
	else
		python__clear_process(u->py, pid);
	err = track_proc(u, pid, gen);
	u->st.procs++;
	u->st.proc_ns += cli__now_ns() - t0 - (u->st.build_ns - build0);
	return err;
}

int unwinder__add_existing(struct unwinder *u, const char *comm, double max_secs)
{
	uint64_t deadline = cli__now_ns() + (uint64_t)(max_secs * 1e9);
	pid_t self = getpid();
	struct dirent *d;
	int n = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((d = readdir(dir)) && cli__now_ns() < deadline) {
		char path[64], name[32] = "";
		pid_t pid = (pid_t)strtol(d->d_name, NULL, 10);
		FILE *f;

		if (pid <= 0 || pid == self)
			continue;
		if (comm) {
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			f = fopen(path, "re");
			if (!f)
				continue;
			if (!fgets(name, sizeof(name), f))
				name[0] = '\0';
			fclose(f);
			name[strcspn(name, "\n")] = '\0';
			if (strcmp(name, comm))
				continue;
		}
		/* Kernel threads and zombies fail here: no mappings. */
		if (!unwinder__add_process(u, pid, UNWIND_GEN_ANY))
			n++;
	}
	closedir(dir);
	return n;
}

void unwinder__sweep(struct unwinder *u)
{
	uint64_t now = cli__now_ns();
	size_t w = 0;

	if (now - u->last_sweep_ns < 1000000000ULL)
		return;
	u->last_sweep_ns = now;
	for (size_t i = 0; i < u->nprocs; i++) {
		pid_t pid = u->procs[i].pid;

		if (kill(pid, 0) && errno == ESRCH) {
			bpf_map_delete_elem(u->procs_fd, &pid);
			python__process_gone(u->py, pid);
			continue;
		}
		u->procs[w++] = u->procs[i];
	}
	u->nprocs = w;
	python__drop_gone(u->py);
}
