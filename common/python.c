// SPDX-License-Identifier: GPL-2.0-only
/* python: Python frames in user stacks (see python.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/stacks.h"
#include "bpf/python.h"
#include "common/bpfmap.h"
#include "common/cli.h"
#include "common/elf.h"
#include "common/python.h"
#include "common/syms.h"

_Static_assert(sizeof(struct py_proc) == 24 + sizeof(struct py_offsets), "struct py_proc");
_Static_assert(sizeof(struct py_offsets) == 48, "struct py_offsets");

#define BUILD_ID_MAX 64

/* An interpreter we can read. */
struct interp {
	char *name;			/* as the process maps it */
	uint64_t eval_vaddr;		/* _PyEval_EvalFrameDefault */
	uint64_t eval_off, eval_size;	/* its file offset and size */
	uint64_t runtime_vaddr;		/* _PyRuntime */
	struct py_offsets off;
	uint32_t frame_read;
};

/* A code object the BPF side named, by id. */
struct pycode {
	uint32_t id;
	int firstlineno;
	char *name;			/* "module.qualname" */
	char *file;
	uint8_t *lt;
	size_t ltlen;
	bool lt_cut;			/* the line table was longer than what was copied */
};

struct python {
	const char *tool;
	bool verbose;
	int procs_fd, codes_fd;
	struct interp *interps;
	size_t ninterps;
	char **refused;			/* files said once not to be readable */
	size_t nrefused;
	struct pycode **codes;		/* open addressing by id; cap a power of two */
	size_t ncodes, cap_codes;
	/* Ids a scan did not find (their entry renamed since): not scanned
	 * for again. */
	uint32_t missed[64];
	unsigned nmissed;
	/* Processes gone since the last python__drop_gone(): their code
	 * objects' entries are named here, then freed in the BPF table. */
	pid_t *gone;
	size_t ngone, cap_gone;
};

/*
 * CPython 3.11's layout on x86-64, release and debug builds alike (read
 * from the DWARF of Debian 12's python3.11 and python3.11d, 3.11.2): the
 * table of known builds below uses it when a build has no debug
 * information at hand.
 */
static const struct py_offsets layout_311 = {
	.runtime_interp_head = 40, .interp_threads_head = 16, .tstate_next = 8,
	.tstate_native_tid = 160, .tstate_cframe = 56, .cframe_current = 8,
	.frame_func = 0, .frame_code = 32, .frame_previous = 48, .frame_prev_instr = 56,
	.frame_is_entry = 68, .code_filename = 112, .code_qualname = 128, .code_linetable = 136,
	.code_firstlineno = 72, .code_adaptive = 184, .func_module = 104, .bytes_size = 16,
	.bytes_data = 32, .obj_type = 8, .str_state = 32, .str_ascii_data = 48, .str_utf8 = 56,
};

/* Builds whose layout is known without DWARF, by GNU build-id. */
static const struct {
	const char *build_id;
	const char *what;
	const struct py_offsets *off;
} known_builds[] = {
	{ "c561f3aa7232f2bd6ac6d56bd475f1c154a00486", "Debian 12 python3.11 3.11.2-6+deb12u9", &layout_311 },
	{ "dc7ea6fdad516ee27906e1c1fa87c48af65bc294", "Debian 12 libpython3.11.so.1.0 3.11.2-6+deb12u9", &layout_311 },
	{ "5c771a4c12922957af14eed671bebe0179a75f44", "Debian 12 python3.11d 3.11.2-6+deb12u9", &layout_311 },
	{ "94dee84c08fd5cbfb47d84e4ade4f7914750f10c", "Debian 12 libpython3.11d.so.1.0 3.11.2-6+deb12u9", &layout_311 },
};

int python__size(struct bpf_object *obj, bool on)
{
	unsigned long codes;
	int err = bpfmap__set_entries(obj, "py_procs", on ? cli__map_entries(4096) : 1);

	/* COTRACE_TEST_PY_CODES lowers this table alone (it fills over a few
	 * processes while the others keep their sizes). */
	codes = cli__test_knob("COTRACE_TEST_PY_CODES", cli__map_entries(PY_CODES_ENTRIES));
	if (!err)
		err = bpfmap__set_entries(obj, "py_codes", on ? codes : 1);
	if (!err)
		err = bpfmap__set_entries(obj, "py_threads", on ? cli__map_entries(16384) : 1);
	return err;
}

bool python__sized(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "py_procs");

	return m && bpf_map__max_entries(m) > 1;
}

struct python *python__new(struct bpf_object *obj, const char *tool, bool verbose)
{
	struct bpf_map *procs = bpf_object__find_map_by_name(obj, "py_procs");
	struct bpf_map *codes = bpf_object__find_map_by_name(obj, "py_codes");
	struct python *py;

	if (!procs || !codes) {
		errno = ENOENT;
		return NULL;
	}
	py = calloc(1, sizeof(*py));
	if (!py)
		return NULL;
	py->tool = tool;
	py->verbose = verbose;
	py->procs_fd = bpf_map__fd(procs);
	py->codes_fd = bpf_map__fd(codes);
	return py;
}

void python__free(struct python *py)
{
	if (!py)
		return;
	for (size_t i = 0; i < py->ninterps; i++)
		free(py->interps[i].name);
	free(py->interps);
	for (size_t i = 0; i < py->nrefused; i++)
		free(py->refused[i]);
	free(py->refused);
	for (size_t i = 0; i < py->cap_codes; i++) {
		if (!py->codes[i])
			continue;
		free(py->codes[i]->name);
		free(py->codes[i]->file);
		free(py->codes[i]->lt);
		free(py->codes[i]);
	}
	free(py->codes);
	free(py->gone);
	free(py);
}

/* ---- recognising an interpreter ---------------------------------------------------------- */

struct py_syms {
	uint64_t eval, eval_size, runtime, version;
	bool has_eval, has_runtime, has_version;
};

/* The symbols of @e that make an interpreter, from .symtab and .dynsym. */
static void scan_symbols(Elf *e, struct py_syms *ps)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = d->d_size / sh.sh_entsize;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || (name[0] != '_' && name[0] != 'P'))
				continue;
			if (!strcmp(name, "_PyEval_EvalFrameDefault")) {
				ps->eval = s.st_value;
				ps->eval_size = s.st_size;
				ps->has_eval = true;
			} else if (!strcmp(name, "_PyRuntime")) {
				ps->runtime = s.st_value;
				ps->has_runtime = true;
			} else if (!strcmp(name, "Py_Version")) {
				ps->version = s.st_value;
				ps->has_version = true;
			}
		}
	}
}

/* ---- offsets from DWARF --------------------------------------------------------------- */

enum { T_RUNTIME, T_INTERP, T_TSTATE, T_CFRAME, T_FRAME, T_CODE, T_FUNC, T_BYTES, T_VAR,
       T_OBJ, T_ASCII, T_COMPACT, T_NTYPES };

static const char *const type_names[T_NTYPES] = {
	"_PyRuntimeState", "PyInterpreterState", "PyThreadState", "_PyCFrame",
	"_PyInterpreterFrame", "PyCodeObject", "PyFunctionObject", "PyBytesObject",
	"PyVarObject", "PyObject", "PyASCIIObject", "PyCompactUnicodeObject",
};

/* @die's type with typedefs and qualifiers stripped, into @out. */
static bool strip_type(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;
	Dwarf_Die t = *die;

	for (int i = 0; i < 16; i++) {
		int tag = dwarf_tag(&t);

		if (i && tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type) {
			*out = t;
			return true;
		}
		if (!dwarf_attr_integrate(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
			return false;
	}
	return false;
}

/* The offset of member path @path ("a.b") in struct @st, or -1. */
static long member_offset(Dwarf_Die *st, const char *path)
{
	char name[64];
	const char *dot = strchr(path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	Dwarf_Die child, sub;
	Dwarf_Attribute a;
	Dwarf_Word off;

	if (len >= sizeof(name))
		return -1;
	memcpy(name, path, len);
	name[len] = 0;
	if (dwarf_child(st, &child))
		return -1;
	do {
		const char *n;
		long rest;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		n = dwarf_diename(&child);
		if (!n || strcmp(n, name))
			continue;
		if (!dwarf_attr(&child, DW_AT_data_member_location, &a) || dwarf_formudata(&a, &off))
			return -1;
		if (!dot)
			return (long)off;
		if (!strip_type(&child, &sub))
			return -1;
		rest = member_offset(&sub, dot + 1);
		return rest < 0 ? -1 : (long)off + rest;
	} while (!dwarf_siblingof(&child, &child));
	return -1;
}

static bool is_complete(Dwarf_Die *st)
{
	Dwarf_Attribute a;

	return (dwarf_tag(st) == DW_TAG_structure_type) && !dwarf_attr(st, DW_AT_declaration, &a) &&
	       dwarf_haschildren(st);
}

/* The byte size of struct @st, or -1. */
static long type_size(Dwarf_Die *st)
{
	Dwarf_Word n;
	Dwarf_Attribute a;

	if (!dwarf_attr(st, DW_AT_byte_size, &a) || dwarf_formudata(&a, &n))
		return -1;
	return (long)n;
}

/*
 * Offsets from the DWARF of the file at @path. Returns 0, -ENOENT (no
 * debug information) or -ENODATA (a type or member is missing: @what says
 * which).
 */
static int dwarf_offsets(const char *path, struct py_offsets *o, char *what, size_t wlen)
{
	Dwarf_Die types[T_NTYPES];
	bool found[T_NTYPES] = {};
	int fd = open(path, O_RDONLY | O_CLOEXEC), nfound = 0, err = 0;
	Dwarf *dw;
	Dwarf_Off off = 0, next;
	size_t hsize;
	static const struct {
		int type;
		const char *path;
		size_t field;
	} fields[] = {
#define F(t, p, f) { t, p, offsetof(struct py_offsets, f) }
		F(T_RUNTIME, "interpreters.head", runtime_interp_head),
		F(T_INTERP, "threads.head", interp_threads_head),
		F(T_TSTATE, "next", tstate_next),
		F(T_TSTATE, "native_thread_id", tstate_native_tid),
		F(T_TSTATE, "cframe", tstate_cframe),
		F(T_CFRAME, "current_frame", cframe_current),
		F(T_FRAME, "f_func", frame_func),
		F(T_FRAME, "f_code", frame_code),
		F(T_FRAME, "previous", frame_previous),
		F(T_FRAME, "prev_instr", frame_prev_instr),
		F(T_FRAME, "is_entry", frame_is_entry),
		F(T_CODE, "co_filename", code_filename),
		F(T_CODE, "co_qualname", code_qualname),
		F(T_CODE, "co_linetable", code_linetable),
		F(T_CODE, "co_firstlineno", code_firstlineno),
		F(T_CODE, "co_code_adaptive", code_adaptive),
		F(T_FUNC, "func_module", func_module),
		F(T_VAR, "ob_size", bytes_size),
		F(T_BYTES, "ob_sval", bytes_data),
		F(T_OBJ, "ob_type", obj_type),
		F(T_ASCII, "state", str_state),
		F(T_COMPACT, "utf8", str_utf8),
#undef F
	};

	if (fd < 0)
		return -ENOENT;
	dw = dwarf_begin(fd, DWARF_C_READ);
	if (!dw) {
		close(fd);
		return -ENOENT;
	}
	/* Typedefs at the top of each unit, until every one has a complete
	 * struct behind it (a unit may see only a declaration). */
	while (nfound < T_NTYPES && !dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu, child, st;

		if (!dwarf_offdie(dw, off + hsize, &cu) || dwarf_child(&cu, &child)) {
			off = next;
			continue;
		}
		off = next;
		do {
			const char *n;

			if (dwarf_tag(&child) != DW_TAG_typedef)
				continue;
			n = dwarf_diename(&child);
			if (!n)
				continue;
			for (int t = 0; t < T_NTYPES; t++) {
				if (found[t] || strcmp(n, type_names[t]))
					continue;
				if (strip_type(&child, &st) && is_complete(&st)) {
					types[t] = st;
					found[t] = true;
					nfound++;
				}
				break;
			}
		} while (!dwarf_siblingof(&child, &child));
	}
	if (!off && !nfound) {
		err = -ENOENT;
		goto out;
	}
	for (int t = 0; t < T_NTYPES; t++) {
		if (!found[t]) {
			snprintf(what, wlen, "no type %s", type_names[t]);
			err = nfound ? -ENODATA : -ENOENT;
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		long v = member_offset(&types[fields[i].type], fields[i].path);

		if (v < 0 || v > 0xffff) {
			snprintf(what, wlen, "no member %s.%s", type_names[fields[i].type],
				 fields[i].path);
			err = -ENODATA;
			goto out;
		}
		*(uint16_t *)((char *)o + fields[i].field) = (uint16_t)v;
	}
	{
		long n = type_size(&types[T_ASCII]);

		if (n <= 0 || n > 0xffff) {
			snprintf(what, wlen, "no size of PyASCIIObject");
			err = -ENODATA;
			goto out;
		}
		o->str_ascii_data = (uint16_t)n;
	}
out:
	dwarf_end(dw);
	close(fd);
	return err;
}

/* ---- files ---------------------------------------------------------------------------------- */

static bool refused_before(struct python *py, const char *name)
{
	char **r;

	for (size_t i = 0; i < py->nrefused; i++)
		if (!strcmp(py->refused[i], name))
			return true;
	r = realloc(py->refused, (py->nrefused + 1) * sizeof(*r));
	if (r) {
		py->refused = r;
		r[py->nrefused] = strdup(name);
		if (r[py->nrefused])
			py->nrefused++;
	}
	return false;
}

/* An interpreter we cannot read: said once per file. */
static void refuse(struct python *py, const char *name, const char *why)
{
	if (!refused_before(py, name))
		fprintf(stderr, "%s: python: cannot read the interpreter %s (%s): its stacks stay "
			"native\n", py->tool, name, why);
}

int python__add_file(struct python *py, const struct elf_file *ef, const char *name)
{
	const char *path = elf_file__path(ef);
	struct py_syms ps = {};
	struct interp in = {}, *arr;
	uint8_t id[BUILD_ID_MAX];
	char hex[2 * BUILD_ID_MAX + 1] = "", dbg[PATH_MAX], what[128] = "", src[PATH_MAX + 64];
	uint32_t version = 0;
	int fd, idlen, err;
	Elf *e;

	if (!py || !path)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e)
		scan_symbols(e, &ps);
	elf_end(e);
	close(fd);
	if (!ps.has_eval || !ps.has_runtime)
		return -1;	/* not an interpreter (or not CPython) */
	if (ps.has_version) {
		uint64_t off;

		if (!elf_file__vaddr_to_offset(ef, ps.version, &off))
			elf_file__read(ef, off, &version, sizeof(version));
	}
	if (!ps.has_version || (version >> 16) != 0x030b) {
		char why[96];

		if (ps.has_version)
			snprintf(why, sizeof(why), "CPython %u.%u; only 3.11 is read", version >> 24,
				 (version >> 16) & 0xff);
		else
			snprintf(why, sizeof(why), "CPython before 3.11; only 3.11 is read");
		refuse(py, name, why);
		return -1;
	}
	if (elf_file__vaddr_to_offset(ef, ps.eval, &in.eval_off)) {
		refuse(py, name, "_PyEval_EvalFrameDefault is outside its segments");
		return -1;
	}
	in.eval_vaddr = ps.eval;
	in.eval_size = ps.eval_size;
	in.runtime_vaddr = ps.runtime;
	idlen = elf_file__build_id(ef, id, sizeof(id));
	for (int i = 0; i < idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	/* The DWARF first: the file's own, then the debug file by build-id. */
	err = -ENOENT;
	if (!getenv("COTRACE_TEST_PY_NO_DWARF")) {
		err = dwarf_offsets(path, &in.off, what, sizeof(what));
		snprintf(src, sizeof(src), "DWARF of %s", name);
		if (err == -ENOENT && idlen > 1) {
			snprintf(dbg, sizeof(dbg), "/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2);
			err = dwarf_offsets(dbg, &in.off, what, sizeof(what));
			snprintf(src, sizeof(src), "DWARF of %s", dbg);
		}
	}
	if (err == -ENODATA) {
		refuse(py, name, what);
		return -1;
	}
	if (err) {
		for (size_t i = 0; i < sizeof(known_builds) / sizeof(known_builds[0]); i++) {
			if (!strcmp(hex, known_builds[i].build_id)) {
				in.off = *known_builds[i].off;
				snprintf(src, sizeof(src), "known build: %s", known_builds[i].what);
				err = 0;
				break;
			}
		}
	}
	if (err) {
		refuse(py, name, "no debug information (install its -dbg package) and not a known "
		       "build");
		return -1;
	}
	{
		const struct py_offsets *o = &in.off;
		unsigned m = o->frame_is_entry + 1u;

		if (o->frame_func + 8u > m)
			m = o->frame_func + 8;
		if (o->frame_code + 8u > m)
			m = o->frame_code + 8;
		if (o->frame_previous + 8u > m)
			m = o->frame_previous + 8;
		if (o->frame_prev_instr + 8u > m)
			m = o->frame_prev_instr + 8;
		if (m > PY_FRAME_WINDOW) {
			refuse(py, name, "its frame layout is not 3.11's");
			return -1;
		}
		in.frame_read = (m + 7) & ~7U;
	}
	in.name = strdup(name);
	arr = in.name ? realloc(py->interps, (py->ninterps + 1) * sizeof(*arr)) : NULL;
	if (!arr) {
		free(in.name);
		return -1;
	}
	py->interps = arr;
	arr[py->ninterps] = in;
	if (py->verbose)
		fprintf(stderr, "%s: python: CPython %u.%u.%u interpreter %s: offsets from %s\n",
			py->tool, version >> 24, (version >> 16) & 0xff, (version >> 8) & 0xff, name,
			src);
	return (int)py->ninterps++;
}

int python__set_process(struct python *py, pid_t pid, int interp, uint32_t file_id,
			uint64_t bias)
{
	const struct interp *in;
	struct py_proc p = {};
	__u32 key = pid;

	if (!py || interp < 0 || (size_t)interp >= py->ninterps)
		return -EINVAL;
	in = &py->interps[interp];
	/* The load address: where the evaluation loop's file offset is,
	 * less its link-time address. */
	p.runtime = bias + in->eval_off - in->eval_vaddr + in->runtime_vaddr;
	p.file_id = file_id;
	p.eval_start = (uint32_t)in->eval_off;
	p.eval_end = (uint32_t)(in->eval_off + in->eval_size);
	p.frame_read = in->frame_read;
	p.off = in->off;
	if (bpf_map_update_elem(py->procs_fd, &key, &p, BPF_ANY))
		return -errno;
	return 0;
}

void python__clear_process(struct python *py, pid_t pid)
{
	__u32 key = pid;

	if (py)
		bpf_map_delete_elem(py->procs_fd, &key);
}

/* ---- naming frames ---------------------------------------------------------------------- */

static size_t code_slot(const struct python *py, uint32_t id)
{
	size_t i = (id * 0x9e3779b1U) & (py->cap_codes - 1);

	while (py->codes[i] && py->codes[i]->id != id)
		i = (i + 1) & (py->cap_codes - 1);
	return i;
}

static int code_put(struct python *py, struct pycode *c)
{
	if ((py->ncodes + 1) * 2 > py->cap_codes) {
		size_t cap = py->cap_codes ? py->cap_codes * 2 : 1024;
		struct pycode **old = py->codes, **n = calloc(cap, sizeof(*n));
		size_t ocap = py->cap_codes;

		if (!n)
			return -ENOMEM;
		py->codes = n;
		py->cap_codes = cap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				n[code_slot(py, old[i]->id)] = old[i];
		free(old);
	}
	py->codes[code_slot(py, c->id)] = c;
	py->ncodes++;
	return 0;
}

static struct pycode *code_find(const struct python *py, uint32_t id)
{
	return py->cap_codes ? py->codes[code_slot(py, id)] : NULL;
}

static void cstr(char *s, size_t len)
{
	s[len - 1] = 0;
}

/* The longest line table read from a process (CPython's are a few KiB). */
#define LINETABLE_MAX (1 << 20)

/*
 * A line table longer than the head the BPF side copied (@v): the whole
 * of it read from process @tgid while it lives, kept in @c when its head
 * is the copied one (else the code object was freed since).
 */
static void full_linetable(struct pycode *c, pid_t tgid, const struct py_code *v)
{
	size_t n = v->linetable_full;
	uint8_t *buf;

	if (!c->lt_cut || !v->linetable_ptr || n > LINETABLE_MAX || c->ltlen < PY_LINETABLE_LEN)
		return;
	buf = malloc(n);
	if (!buf)
		return;
	if (process_vm_readv(tgid, &(struct iovec){ buf, n }, 1,
			     &(struct iovec){ (void *)(uintptr_t)v->linetable_ptr, n }, 1, 0) !=
	    (ssize_t)n || memcmp(buf, c->lt, c->ltlen)) {
		free(buf);
		return;
	}
	free(c->lt);
	c->lt = buf;
	c->ltlen = n;
	c->lt_cut = false;
}

static bool is_gone(const struct python *py, pid_t pid)
{
	for (size_t i = 0; i < py->ngone; i++)
		if (py->gone[i] == pid)
			return true;
	return false;
}

/*
 * The code objects the BPF side has named since the last scan; with
 * @drop, the entries of the processes gone (py->gone) are deleted once
 * named here, so that the table has room for the next processes'.
 */
static void scan_codes(struct python *py, bool drop)
{
	struct py_code_key *keys = NULL;
	struct py_code v;
	size_t n = 0;

	if (bpfmap__keys(py->codes_fd, sizeof(*keys), (void **)&keys, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct pycode *c;
		size_t len;

		if (bpf_map_lookup_elem(py->codes_fd, &keys[i], &v))
			continue;
		if (code_find(py, v.id)) {
			if (drop && is_gone(py, keys[i].tgid))
				bpf_map_delete_elem(py->codes_fd, &keys[i]);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c)
			break;
		cstr(v.qualname, sizeof(v.qualname));
		cstr(v.module, sizeof(v.module));
		cstr(v.filename, sizeof(v.filename));
		c->id = v.id;
		c->firstlineno = v.firstlineno;
		len = strlen(v.module) + strlen(v.qualname) + 2;
		c->name = malloc(len);
		if (c->name)
			snprintf(c->name, len, "%s%s%s", v.module, v.module[0] ? "." : "",
				 v.qualname[0] ? v.qualname : "?");
		c->file = strdup(v.filename[0] ? v.filename : "?");
		c->ltlen = v.linetable_len <= PY_LINETABLE_LEN ? v.linetable_len : 0;
		c->lt_cut = v.linetable_full > c->ltlen;
		c->lt = malloc(c->ltlen ? c->ltlen : 1);
		if (c->lt) {
			memcpy(c->lt, v.linetable, c->ltlen);
			full_linetable(c, keys[i].tgid, &v);
		}
		if (!c->name || !c->file || !c->lt || code_put(py, c)) {
			free(c->name);
			free(c->file);
			free(c->lt);
			free(c);
			break;
		}
		if (drop && is_gone(py, keys[i].tgid))
			bpf_map_delete_elem(py->codes_fd, &keys[i]);
	}
	free(keys);
}

void python__process_gone(struct python *py, pid_t pid)
{
	struct py_proc p;
	__u32 key = pid;

	/* Only a process that ran an interpreter has code objects named. */
	if (!py || bpf_map_lookup_elem(py->procs_fd, &key, &p))
		return;
	python__clear_process(py, pid);
	if (py->ngone == py->cap_gone) {
		size_t cap = py->cap_gone ? py->cap_gone * 2 : 64;
		pid_t *g = realloc(py->gone, cap * sizeof(*g));

		/* No room: its entries stay until the run ends. */
		if (!g)
			return;
		py->gone = g;
		py->cap_gone = cap;
	}
	py->gone[py->ngone++] = pid;
}

void python__drop_gone(struct python *py)
{
	if (!py || !py->ngone)
		return;
	scan_codes(py, true);
	py->ngone = 0;
}

/* A varint of the location table (6 bits a byte, bit 6: more); -1 past the end. */
static long lt_varint(const uint8_t *lt, size_t len, size_t *i)
{
	unsigned long v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		if (*i >= len || shift > 28)
			return -1;
		b = lt[(*i)++];
		v |= (unsigned long)(b & 63) << shift;
		shift += 6;
	} while (b & 64);
	return (long)v;
}

int python__line(const uint8_t *lt, size_t len, int firstlineno, int addr)
{
	long line = firstlineno, start = 0;
	size_t i = 0;

	if (addr < 0)
		return firstlineno;
	/*
	 * CPython 3.11's location table (Objects/locations.md): entries of a
	 * first byte 1CCCCLLL (code C, L+1 code units of 2 bytes) and what
	 * the code needs after it. Only the line matters here: 15 none, 14
	 * long form and 13 no columns carry a signed varint delta, 10-12 a
	 * delta of C-10, 0-9 the same line.
	 */
	while (i < len) {
		uint8_t b = lt[i++];
		int code = (b >> 3) & 15, units = (b & 7) + 1;
		long delta = 0;
		bool none = code == 15;

		if (!(b & 128))
			return -1;	/* not at an entry: a table cut short */
		if (code == 13 || code == 14) {
			long v = lt_varint(lt, len, &i);

			if (v < 0)
				return -1;
			delta = (v & 1) ? -(v >> 1) : (v >> 1);
		} else if (code >= 10 && code <= 12) {
			delta = code - 10;
		}
		line += delta;
		/* A table that leaves the lines a file can have is not one. */
		if (line < 0 || line > 0x7fffffffL)
			return -1;
		if (addr >= start && addr < start + units * 2)
			return none ? -1 : (int)line;
		start += units * 2;
		/* The rest of the entry: up to the next first byte. */
		while (i < len && !(lt[i] & 128))
			i++;
	}
	return -1;
}

int python__resolve(struct python *py, uint64_t ip, struct sym_frame *f)
{
	uint32_t id = PY_FRAME_CODE(ip), lasti = PY_FRAME_LASTI(ip);
	struct pycode *c;
	int line;

	if (!py || !id)
		return 0;
	c = code_find(py, id);
	/* Named since the last look: a scan, once per id not found. */
	if (!c) {
		for (unsigned i = 0; i < py->nmissed && i < 64; i++)
			if (py->missed[i] == id)
				return 0;
		scan_codes(py, false);
		c = code_find(py, id);
		if (!c)
			py->missed[py->nmissed++ % 64] = id;
	}
	if (!c)
		return 0;
	line = python__line(c->lt, c->ltlen, c->firstlineno, lasti ? (int)(lasti - 1) * 2 : -1);
	memset(f, 0, sizeof(*f));
	f->name = c->name;
	f->file = c->file;
	f->line = line > 0 ? (unsigned)line : (unsigned)(c->firstlineno > 0 ? c->firstlineno : 0);
	f->interp = true;
	return 1;
}
