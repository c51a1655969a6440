// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/elf.c against the programs of tests/targets/ (run
 * from the repository root after `make targets`). Expected values come from
 * binutils (nm, readelf, objcopy, xz) or from an independent read of the
 * section headers, never from the module under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/unit_util.h"

#include "common/elf.h"

#define T "build/tests/targets/"
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/* ---- helpers ------------------------------------------------------------ */

static struct elf_file *open_loaded(const char *path, const char *root)
{
	struct elf_file *ef = open_ok(path);

	assert_int_equal(elf_file__load_symbols(ef, root), 0);
	return ef;
}

/* The preferred (non-alias if possible) symbol called @name, or NULL. */
static const struct elf_sym *find_sym(const struct elf_file *ef, const char *name)
{
	const struct elf_sym *syms, *best = NULL;
	size_t n, i;

	syms = elf_file__symbols(ef, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(syms[i].name, name))
			continue;
		if (!best || (best->alias && !syms[i].alias))
			best = &syms[i];
	}
	return best;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sorted by vaddr, no (vaddr, name) twice, alias exactly when vaddr repeats. */
static void check_order(const struct elf_file *ef)
{
	const struct elf_sym *s;
	size_t n, i, j;

	s = elf_file__symbols(ef, &n);
	for (i = 0; i < n; i++) {
		assert_true(s[i].type == STT_FUNC || s[i].type == STT_GNU_IFUNC);
		assert_true(s[i].vaddr != 0);
		assert_true(s[i].name[0] != '\0');
		if (!i) {
			assert_false(s[i].alias);
			continue;
		}
		assert_true(s[i - 1].vaddr <= s[i].vaddr);
		assert_int_equal(s[i].alias, s[i - 1].vaddr == s[i].vaddr);
		if (s[i].alias)
			assert_true(s[i - 1].source <= s[i].source);
		/* Group members are few: a local scan is cheap. */
		for (j = i; j-- > 0 && s[j].vaddr == s[i].vaddr;)
			assert_string_not_equal(s[j].name, s[i].name);
	}
}

/* ---- symbols --------------------------------------------------------------- */

static void check_calls_syms(const char *path, const char *nm_path, uint8_t want_source)
{
	static const char *const names[] = { "foo", "bar", "main", "local_helper" };
	struct elf_file *ef = open_loaded(path, NULL);
	const struct elf_sym *s;
	size_t i;

	for (i = 0; i < 4; i++) {
		s = find_sym(ef, names[i]);
		if (!s)
			fail_msg("%s: %s not found", path, names[i]);
		assert_int_equal(s->vaddr, nm_addr("", nm_path, names[i]));
		assert_int_equal(s->type, STT_FUNC);
		assert_int_equal(s->source, want_source);
		assert_true(s->size > 0);
	}
	assert_int_equal(find_sym(ef, "local_helper")->bind, STB_LOCAL);
	assert_int_equal(find_sym(ef, "foo")->bind, STB_GLOBAL);
	check_order(ef);
	elf_file__free(ef);
}

static void test_calls_symtab(void **state)
{
	check_calls_syms(T "calls", T "calls", ELF_SRC_SYMTAB);
	check_calls_syms(T "calls_nopie", T "calls_nopie", ELF_SRC_SYMTAB);
}

static void test_calls_stripped_debuglink(void **state)
{
	struct elf_file *ef;
	const char *dp;

	/* Not in the main file at all. */
	assert_int_equal(nm_addr("", T "calls_stripped", "foo"), 0);
	check_calls_syms(T "calls_stripped", T "calls_stripped.debug", ELF_SRC_DEBUGFILE);
	ef = open_loaded(T "calls_stripped", NULL);
	dp = elf_file__debug_path(ef);
	assert_non_null(dp);
	assert_string_equal(dp, T "calls_stripped.debug");
	elf_file__free(ef);
}

/* Unpack .gnu_debugdata with objcopy and xz; return the path of the ELF. */
static char *unpack_minidebug(const char *path, char *tmpdir)
{
	char *out, *elf;

	assert_non_null(mkdtemp(tmpdir));
	out = run("objcopy --dump-section .gnu_debugdata=%s/d.xz %s %s/junk && "
		  "xz -dc %s/d.xz > %s/d.elf && echo ok", tmpdir, path, tmpdir, tmpdir, tmpdir);
	assert_string_equal(out, "ok\n");
	free(out);
	assert_true(asprintf(&elf, "%s/d.elf", tmpdir) > 0);
	return elf;
}

static void test_calls_minidebug(void **state)
{
	char tmpdir[] = "/tmp/test_elf.XXXXXX", *mini, *out;

	assert_int_equal(nm_addr("", T "calls_minidebug", "local_helper"), 0);
	mini = unpack_minidebug(T "calls_minidebug", tmpdir);
	check_calls_syms(T "calls_minidebug", mini, ELF_SRC_MINIDEBUG);
	free(mini);
	out = run("rm -rf %s", tmpdir);
	free(out);
}

static void test_cxx_mangled(void **state)
{
	struct elf_file *ef = open_loaded(T "cxx", NULL);
	const struct elf_sym *s;

	s = find_sym(ef, "_ZNK6shapes6Circle4areaEv");
	assert_non_null(s);
	assert_int_equal(s->vaddr, nm_addr("", T "cxx", "_ZNK6shapes6Circle4areaEv"));
	assert_non_null(find_sym(ef, "_ZN6shapes5scaleEi"));
	assert_non_null(find_sym(ef, "_ZN6shapes5scaleEd"));
	check_order(ef);
	elf_file__free(ef);
}

/* cot_add is in .symtab and .dynsym at one vaddr: kept once, from .symtab. */
static void test_shared_lib_dedup(void **state)
{
	struct elf_file *ef = open_loaded(T "libcotarget.so", NULL);
	const struct elf_sym *s;
	size_t n, i, hits = 0;

	assert_int_equal(elf_file__type(ef), ET_DYN);
	s = elf_file__symbols(ef, &n);
	for (i = 0; i < n; i++) {
		if (!strcmp(s[i].name, "cot_add")) {
			hits++;
			assert_int_equal(s[i].source, ELF_SRC_SYMTAB);
			assert_int_equal(s[i].vaddr, nm_addr("", T "libcotarget.so", "cot_add"));
		}
	}
	assert_int_equal(hits, 1);
	check_order(ef);
	elf_file__free(ef);
}

static void test_load_idempotent(void **state)
{
	struct elf_file *ef = open_loaded(T "calls", NULL);
	const struct elf_sym *a, *b;
	size_t na, nb;

	a = elf_file__symbols(ef, &na);
	assert_int_equal(elf_file__load_symbols(ef, NULL), 0);
	b = elf_file__symbols(ef, &nb);
	assert_ptr_equal(a, b);
	assert_int_equal(na, nb);
	elf_file__free(ef);
}

static void test_libc(void **state)
{
	struct elf_file *ef;
	const struct elf_sym *s, *all;
	size_t n, i, ifunc_memcpy = 0, nonalias = 0;
	double t0, t1;

	t0 = now();
	ef = open_loaded(LIBC, NULL);
	t1 = now();
	all = elf_file__symbols(ef, &n);
	for (i = 0; i < n; i++)
		nonalias += !all[i].alias;
	print_message("libc: %zu symbols (%zu addresses) loaded in %.1f ms, debug file %s\n",
		      n, nonalias, (t1 - t0) * 1e3,
		      elf_file__debug_path(ef) ? elf_file__debug_path(ef) : "(none)");
	assert_true(n > 2000);
	/* Generous: a loaded machine must not fail this, a quadratic loop would. */
	assert_true(t1 - t0 < 2.0);

	s = find_sym(ef, "malloc");
	assert_non_null(s);
	assert_true(s->type == STT_FUNC);
	/* memcpy@@GLIBC_2.14 is an IFUNC (memcpy@GLIBC_2.2.5 is a plain one). */
	for (i = 0; i < n; i++)
		if (!strcmp(all[i].name, "memcpy") && all[i].type == STT_GNU_IFUNC)
			ifunc_memcpy++;
	assert_int_equal(ifunc_memcpy, 1);
	check_order(ef);
	elf_file__free(ef);
}

/* ---- debug file search --------------------------------------------------- */

static void test_debug_by_build_id(void **state)
{
	char tmpdir[] = "/tmp/test_elf.XXXXXX", *out, *want;
	struct elf_file *ef;
	uint8_t id[64];
	char hex[129];
	int len, i;

	assert_non_null(mkdtemp(tmpdir));
	ef = open_ok(T "calls_stripped");
	len = elf_file__build_id(ef, id, sizeof(id));
	elf_file__free(ef);
	assert_int_equal(len, 20);
	for (i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", id[i]);
	/* The build-id as readelf prints it. */
	out = run("readelf -n " T "calls_stripped | sed -n 's/.*Build ID: //p'");
	assert_int_equal(strncmp(out, hex, 40), 0);
	free(out);

	/* A copy without its debuglink file next to it, and a debug root. */
	out = run("mkdir -p %s/bin %s/usr/lib/debug/.build-id/%.2s && "
		  "cp " T "calls_stripped %s/bin/ && "
		  "cp " T "calls_stripped.debug %s/usr/lib/debug/.build-id/%.2s/%s.debug && echo ok",
		  tmpdir, tmpdir, hex, tmpdir, tmpdir, hex, hex + 2);
	assert_string_equal(out, "ok\n");
	free(out);
	assert_true(asprintf(&out, "%s/bin/calls_stripped", tmpdir) > 0);
	ef = open_loaded(out, tmpdir);
	free(out);
	assert_true(asprintf(&want, "%s/usr/lib/debug/.build-id/%.2s/%s.debug", tmpdir, hex,
			     hex + 2) > 0);
	assert_non_null(elf_file__debug_path(ef));
	assert_string_equal(elf_file__debug_path(ef), want);
	free(want);
	assert_non_null(find_sym(ef, "local_helper"));
	assert_int_equal(find_sym(ef, "local_helper")->source, ELF_SRC_DEBUGFILE);
	elf_file__free(ef);
	out = run("rm -rf %s", tmpdir);
	free(out);
}

static void test_debuglink_dot_debug_and_crc(void **state)
{
	char tmpdir[] = "/tmp/test_elf.XXXXXX", *out, *path, *want;
	struct elf_file *ef;

	assert_non_null(mkdtemp(tmpdir));
	/* In <dir>/.debug/. */
	out = run("mkdir -p %s/.debug && cp " T "calls_stripped %s/ && "
		  "cp " T "calls_stripped.debug %s/.debug/ && echo ok", tmpdir, tmpdir, tmpdir);
	assert_string_equal(out, "ok\n");
	free(out);
	assert_true(asprintf(&path, "%s/calls_stripped", tmpdir) > 0);
	assert_true(asprintf(&want, "%s/.debug/calls_stripped.debug", tmpdir) > 0);
	ef = open_loaded(path, tmpdir);	/* a root without .build-id */
	assert_non_null(elf_file__debug_path(ef));
	assert_string_equal(elf_file__debug_path(ef), want);
	assert_non_null(find_sym(ef, "local_helper"));
	elf_file__free(ef);

	/* A file of that name whose CRC differs (it has a .symtab) is ignored. */
	out = run("cp " T "calls %s/.debug/calls_stripped.debug && echo ok", tmpdir);
	assert_string_equal(out, "ok\n");
	free(out);
	ef = open_loaded(path, tmpdir);
	assert_null(elf_file__debug_path(ef));
	assert_null(find_sym(ef, "local_helper"));
	assert_null(find_sym(ef, "foo"));	/* not exported by a PIE */
	elf_file__free(ef);
	free(path);
	free(want);
	out = run("rm -rf %s", tmpdir);
	free(out);
}

/* ---- addresses --------------------------------------------------------------- */

static void check_offsets(const char *path, const char *func)
{
	struct elf_file *ef = open_loaded(path, NULL);
	const struct elf_sym *s = find_sym(ef, func);
	uint64_t off, vaddr, want;
	unsigned char a[16], b[16];
	GElf_Shdr text;
	int fd;

	assert_non_null(s);
	section_of(path, ".text", &text);
	assert_true(s->vaddr >= text.sh_addr && s->vaddr < text.sh_addr + text.sh_size);
	want = s->vaddr - text.sh_addr + text.sh_offset;
	assert_int_equal(elf_file__vaddr_to_offset(ef, s->vaddr, &off), 0);
	assert_int_equal(off, want);
	assert_int_equal(elf_file__offset_to_vaddr(ef, off, &vaddr), 0);
	assert_int_equal(vaddr, s->vaddr);
	assert_int_equal(elf_file__read(ef, off, a, sizeof(a)), sizeof(a));
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, b, sizeof(b), want), sizeof(b));
	close(fd);
	assert_memory_equal(a, b, sizeof(a));
	/* Unmapped addresses and offsets. */
	assert_int_equal(elf_file__vaddr_to_offset(ef, 0xffffffff00000000ULL, &off), -ENOENT);
	assert_int_equal(elf_file__offset_to_vaddr(ef, 0xffffffff00000000ULL, &vaddr), -ENOENT);
	elf_file__free(ef);
}

static void test_offsets(void **state)
{
	check_offsets(T "calls", "foo");
	check_offsets(T "calls_nopie", "foo");
	check_offsets(T "cxx", "_ZNK6shapes6Circle4areaEv");
	check_offsets(T "libcotarget.so", "cot_mul");
}

static void test_nopie_type_and_read_eof(void **state)
{
	struct elf_file *ef = open_ok(T "calls_nopie");
	struct stat st;
	char buf[64];

	assert_int_equal(elf_file__type(ef), ET_EXEC);
	assert_false(elf_file__is_go(ef));
	assert_string_equal(elf_file__path(ef), T "calls_nopie");
	assert_int_equal(stat(T "calls_nopie", &st), 0);
	assert_int_equal(elf_file__read(ef, st.st_size - 10, buf, sizeof(buf)), 10);
	assert_int_equal(elf_file__read(ef, st.st_size + 10, buf, sizeof(buf)), 0);
	assert_int_equal(elf_file__read(ef, 0, buf, 4), 4);
	assert_memory_equal(buf, "\177ELF", 4);
	elf_file__free(ef);
	assert_int_equal(elf_file__type(ef = open_ok(T "calls")), ET_DYN);
	elf_file__free(ef);
}

/* ---- USDT ---------------------------------------------------------------- */

static void test_usdt(void **state)
{
	static const struct {
		const char *name, *args, *sema;
	} want[] = {
		{ "tick", "-8@%rax -8@%rbx", "cotrace_tick_semaphore" },
		{ "tock", "-8@%rax", "cotrace_tock_semaphore" },
		{ "guarded", "-8@%rax", "cotrace_guarded_semaphore" },
	};
	struct elf_file *ef = open_ok(T "usdt");
	const struct usdt_note *notes, *again;
	GElf_Shdr probes, base;
	size_t n, n2, i;
	unsigned char insn;

	assert_int_equal(elf_file__usdt_notes(ef, &notes, &n), 0);
	assert_int_equal(n, 3);
	section_of(T "usdt", ".probes", &probes);
	section_of(T "usdt", ".stapsdt.base", &base);
	for (i = 0; i < n; i++) {
		assert_string_equal(notes[i].provider, "cotrace");
		assert_string_equal(notes[i].name, want[i].name);
		assert_string_equal(notes[i].args, want[i].args);
		/* Not prelinked: the note's base is the section's address. */
		assert_int_equal(notes[i].base, base.sh_addr);
		assert_int_equal(notes[i].semaphore, nm_addr("", T "usdt", want[i].sema));
		assert_int_not_equal(notes[i].sema_offset, 0);
		assert_int_equal(notes[i].sema_offset,
				 notes[i].semaphore - probes.sh_addr + probes.sh_offset);
		/* <sys/sdt.h> puts a nop at the probe address. */
		assert_int_not_equal(notes[i].pc_offset, 0);
		assert_int_equal(elf_file__read(ef, notes[i].pc_offset, &insn, 1), 1);
		assert_int_equal(insn, 0x90);
	}
	assert_int_equal(elf_file__usdt_notes(ef, &again, &n2), 0);
	assert_ptr_equal(notes, again);
	assert_int_equal(n2, 3);
	elf_file__free(ef);

	ef = open_ok(T "calls");
	assert_int_equal(elf_file__usdt_notes(ef, &notes, &n), 0);
	assert_int_equal(n, 0);
	elf_file__free(ef);
}

/* ---- errors and hostile input ------------------------------------------------ */

/* Macros, so that a failure names the line of the case. */
#define expect_open_errno(path, want)				\
	do {							\
		errno = 0;					\
		assert_null(elf_file__open(path));		\
		assert_int_equal(errno, (want));		\
	} while (0)

#define expect_mem_errno(buf, len, want)				\
	do {								\
		errno = 0;						\
		assert_null(elf_file__open_mem((buf), (len), "mem"));	\
		assert_int_equal(errno, (want));			\
	} while (0)

static void test_open_errors(void **state)
{
	expect_open_errno(T "does-not-exist", ENOENT);
	expect_open_errno(T "notelf", ENOEXEC);
	expect_open_errno(T "truncated", EINVAL);
	expect_open_errno(T, EISDIR);
	expect_open_errno("/dev/null", ENOEXEC);
}

static void test_mem_header_errors(void **state)
{
	unsigned char *img, *copy;
	size_t len;
	Elf64_Ehdr eh;

	img = slurp(T "calls", &len);
	copy = malloc(len);
	assert_non_null(copy);

	expect_mem_errno("", 0, ENOEXEC);
	expect_mem_errno("\177EL", 3, ENOEXEC);
	memcpy(copy, img, len);
	copy[EI_CLASS] = ELFCLASS32;
	expect_mem_errno(copy, len, ENOTSUP);
	memcpy(copy, img, len);
	copy[EI_DATA] = ELFDATA2MSB;
	expect_mem_errno(copy, len, ENOTSUP);
	memcpy(copy, img, len);
	eh.e_machine = EM_AARCH64;
	memcpy(copy + offsetof(Elf64_Ehdr, e_machine), &eh.e_machine, sizeof(eh.e_machine));
	expect_mem_errno(copy, len, ENOTSUP);
	memcpy(copy, img, len);
	eh.e_type = ET_REL;
	memcpy(copy + offsetof(Elf64_Ehdr, e_type), &eh.e_type, sizeof(eh.e_type));
	expect_mem_errno(copy, len, ENOEXEC);
	/* Section header table past the end. */
	memcpy(copy, img, len);
	eh.e_shoff = len - 64;
	memcpy(copy + offsetof(Elf64_Ehdr, e_shoff), &eh.e_shoff, sizeof(eh.e_shoff));
	expect_mem_errno(copy, len, EINVAL);
	/* Program headers past the end. */
	memcpy(copy, img, len);
	eh.e_phnum = 0xffff;
	memcpy(copy + offsetof(Elf64_Ehdr, e_phnum), &eh.e_phnum, sizeof(eh.e_phnum));
	expect_mem_errno(copy, len, EINVAL);
	/* Bad section string table index. */
	memcpy(copy, img, len);
	eh.e_shstrndx = 0xfff0;
	memcpy(copy + offsetof(Elf64_Ehdr, e_shstrndx), &eh.e_shstrndx, sizeof(eh.e_shstrndx));
	expect_mem_errno(copy, len, EINVAL);
	/* Truncated anywhere in the headers. */
	expect_mem_errno(img, 100, EINVAL);
	expect_mem_errno(img, len - 1, EINVAL);

	free(copy);
	free(img);
}

/* Patch field @off of section header @idx of the image. */
static void patch_shdr(unsigned char *img, size_t idx, size_t off, const void *val, size_t sz)
{
	Elf64_Ehdr eh;

	memcpy(&eh, img, sizeof(eh));
	memcpy(img + eh.e_shoff + idx * sizeof(Elf64_Shdr) + off, val, sz);
}

/* Index of section @name in @path per libelf. */
static size_t section_index(const char *path, const char *name)
{
	size_t shstrndx, idx = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	fd = open(path, O_RDONLY);
	e = elf_begin(fd, ELF_C_READ, NULL);
	elf_getshdrstrndx(e, &shstrndx);
	while ((scn = elf_nextscn(e, scn))) {
		gelf_getshdr(scn, &sh);
		if (!strcmp(elf_strptr(e, shstrndx, sh.sh_name), name))
			idx = elf_ndxscn(scn);
	}
	elf_end(e);
	close(fd);
	assert_int_not_equal(idx, 0);
	return idx;
}

static void test_hostile_sections(void **state)
{
	unsigned char *img, *copy;
	const struct usdt_note *notes;
	struct elf_file *ef;
	size_t len, n, idx;
	uint64_t big = 1ULL << 40;
	uint32_t link = 9999, u32;
	GElf_Shdr sh;

	img = slurp(T "calls", &len);
	copy = malloc(len);
	assert_non_null(copy);

	/* A section whose size runs past the end of the file. */
	idx = section_index(T "calls", ".symtab");
	memcpy(copy, img, len);
	patch_shdr(copy, idx, offsetof(Elf64_Shdr, sh_size), &big, sizeof(big));
	expect_mem_errno(copy, len, EINVAL);

	/* .symtab linked to a string table that does not exist. */
	memcpy(copy, img, len);
	patch_shdr(copy, idx, offsetof(Elf64_Shdr, sh_link), &link, sizeof(link));
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__load_symbols(ef, NULL), -EINVAL);
	elf_file__free(ef);

	/* Every st_name past the string table: no symbols, no crash. */
	section_of(T "calls", ".symtab", &sh);
	memcpy(copy, img, len);
	for (n = 1; n < sh.sh_size / sizeof(Elf64_Sym); n++) {
		u32 = 0xfffffff0;
		memcpy(copy + sh.sh_offset + n * sizeof(Elf64_Sym), &u32, sizeof(u32));
	}
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__load_symbols(ef, NULL), 0);
	assert_null(find_sym(ef, "local_helper"));
	elf_file__free(ef);

	/* Renamed .note.ABI-tag (13 characters) to .go.buildinfo. */
	memcpy(copy, img, len);
	{
		unsigned char *p = memmem(copy, len, ".note.ABI-tag", 13);

		assert_non_null(p);
		memcpy(p, ".go.buildinfo", 13);
	}
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_true(elf_file__is_go(ef));
	elf_file__free(ef);
	free(copy);
	free(img);

	/* USDT note whose name size runs past the section. */
	img = slurp(T "usdt", &len);
	section_of(T "usdt", ".note.stapsdt", &sh);
	u32 = 0x7fffffff;
	memcpy(img + sh.sh_offset, &u32, sizeof(u32));
	ef = elf_file__open_mem(img, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__usdt_notes(ef, &notes, &n), -EINVAL);
	elf_file__free(ef);
	/* Descriptor too short for three addresses. */
	free(img);
	img = slurp(T "usdt", &len);
	u32 = 8;
	memcpy(img + sh.sh_offset + 4, &u32, sizeof(u32));
	ef = elf_file__open_mem(img, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__usdt_notes(ef, &notes, &n), -EINVAL);
	elf_file__free(ef);
	free(img);
}

static void test_hostile_minidebug(void **state)
{
	unsigned char *img;
	struct elf_file *ef;
	GElf_Shdr sh;
	size_t len;

	img = slurp(T "calls_minidebug", &len);
	section_of(T "calls_minidebug", ".gnu_debugdata", &sh);
	/* Damage the middle of the xz stream: its CRC or decoder must object. */
	img[sh.sh_offset + sh.sh_size / 2] ^= 0xff;
	img[sh.sh_offset + sh.sh_size / 2 + 1] ^= 0x55;
	ef = elf_file__open_mem(img, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__load_symbols(ef, NULL), -EINVAL);
	elf_file__free(ef);
	free(img);
}

/*
 * Deterministic mutation run over real files: every result is allowed
 * except a crash (run under ASan/valgrind to see more).
 */
static void test_mutations(void **state)
{
	static const char *const files[] = { T "calls", T "calls_minidebug", T "usdt", T "cxx" };
	const struct usdt_note *notes;
	const struct elf_sym *syms;
	unsigned int seed = 12345;
	unsigned char *img, *copy;
	struct elf_file *ef;
	size_t len, f, n, it, k;
	uint64_t off;
	char buf[16];

	for (f = 0; f < 4; f++) {
		img = slurp(files[f], &len);
		copy = malloc(len);
		assert_non_null(copy);
		for (it = 0; it < 300; it++) {
			memcpy(copy, img, len);
			for (k = 0; k < 1 + it % 8; k++) {
				/* Mostly the headers, where damage hurts most. */
				size_t at = rand_r(&seed) % (it % 2 ? len : 4096 < len ? 4096 : len);

				copy[at] = rand_r(&seed);
			}
			ef = elf_file__open_mem(copy, len, files[f]);
			if (!ef)
				continue;
			elf_file__load_symbols(ef, "/nonexistent");
			syms = elf_file__symbols(ef, &n);
			if (n)
				assert_non_null(syms[n - 1].name);
			elf_file__usdt_notes(ef, &notes, &n);
			if (!elf_file__vaddr_to_offset(ef, 0x1000, &off))
				elf_file__read(ef, off, buf, sizeof(buf));
			elf_file__free(ef);
		}
		free(copy);
		free(img);
	}
}

/*
 * IRELATIVE slots: libc's strlen resolver has one (glibc binds its own
 * IFUNCs through them); a plain function does not. The expected slot comes
 * from readelf's relocation listing.
 */
static void test_irelative_slot(void **state)
{
	const struct elf_sym *syms;
	struct elf_file *ef;
	uint64_t resolver = 0, plain = 0, slot = 0, want = 0;
	size_t n;
	char *out;

	ef = elf_file__open(LIBC);
	assert_non_null(ef);
	assert_int_equal(elf_file__load_symbols(ef, NULL), 0);
	syms = elf_file__symbols(ef, &n);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(syms[i].name, "strlen") && syms[i].type == STT_GNU_IFUNC)
			resolver = syms[i].vaddr;
		if (!strcmp(syms[i].name, "malloc") && syms[i].type == STT_FUNC)
			plain = syms[i].vaddr;
	}
	assert_true(resolver && plain);
	out = run("readelf -rW " LIBC " | awk '$3 == \"R_X86_64_IRELATIVE\" && $4 == \"%llx\" "
		  "{print $1; exit}'", (unsigned long long)resolver);
	assert_non_null(out);
	want = strtoull(out, NULL, 16);
	free(out);
	assert_true(want != 0);
	assert_int_equal(elf_file__irelative_slot(ef, resolver, &slot), 0);
	assert_int_equal(slot, want);
	assert_int_equal(elf_file__irelative_slot(ef, plain, &slot), -ENOENT);
	elf_file__free(ef);
}

/*
 * The Go version of .go.buildinfo: inline (Go 1.18+, as goprog is built
 * here), and the older layout through pointers, made by rewriting goprog's
 * section in memory; corrupt headers are refused.
 */
static void test_go_version(void **state)
{
	struct elf_file *ef;
	GElf_Shdr sh;
	uint64_t vaddr, u64;
	unsigned char *img, *copy;
	char ver[64], real[64];
	size_t len;

	ef = elf_file__open(T "goprog");
	assert_non_null(ef);
	assert_true(elf_file__is_go(ef));
	assert_int_equal(elf_file__go_version(ef, real, sizeof(real)), 0);
	assert_memory_equal(real, "go1.", 4);
	elf_file__free(ef);
	for (int i = 0; i < 2; i++) {
		ef = elf_file__open(i ? T "fakego" : T "calls");
		assert_non_null(ef);
		assert_int_equal(elf_file__go_version(ef, ver, sizeof(ver)), -ENOENT);
		elf_file__free(ef);
	}

	img = slurp(T "goprog", &len);
	copy = malloc(len);
	assert_non_null(copy);
	section_of(T "goprog", ".go.buildinfo", &sh);
	assert_true(sh.sh_size >= 96);
	vaddr = sh.sh_addr;

	/* Go 1.16's layout: flags 0, at 16 the address of a string header. */
	memcpy(copy, img, len);
	copy[sh.sh_offset + 15] = 0;
	u64 = vaddr + 48;
	memcpy(copy + sh.sh_offset + 16, &u64, 8);
	u64 = vaddr + 64;
	memcpy(copy + sh.sh_offset + 48, &u64, 8);
	u64 = 8;
	memcpy(copy + sh.sh_offset + 56, &u64, 8);
	memcpy(copy + sh.sh_offset + 64, "go1.16.2", 8);
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__go_version(ef, ver, sizeof(ver)), 0);
	assert_string_equal(ver, "go1.16.2");
	/* Cut to the buffer. */
	assert_int_equal(elf_file__go_version(ef, ver, 5), 0);
	assert_string_equal(ver, "go1.");
	elf_file__free(ef);

	/* The string header's address outside any segment. */
	u64 = 0x10;
	memcpy(copy + sh.sh_offset + 16, &u64, 8);
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__go_version(ef, ver, sizeof(ver)), -EINVAL);
	elf_file__free(ef);

	/* A length past the version's limit, a version not printable. */
	u64 = vaddr + 48;
	memcpy(copy + sh.sh_offset + 16, &u64, 8);
	u64 = 1 << 20;
	memcpy(copy + sh.sh_offset + 56, &u64, 8);
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__go_version(ef, ver, sizeof(ver)), -EINVAL);
	elf_file__free(ef);
	u64 = 8;
	memcpy(copy + sh.sh_offset + 56, &u64, 8);
	copy[sh.sh_offset + 66] = '\n';
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__go_version(ef, ver, sizeof(ver)), -EINVAL);
	elf_file__free(ef);

	/* Inline: a length running past the section read, a bad magic. */
	memcpy(copy, img, len);
	copy[sh.sh_offset + 32] = 0x7f;
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_int_equal(elf_file__go_version(ef, ver, sizeof(ver)), -EINVAL);
	elf_file__free(ef);
	memcpy(copy, img, len);
	copy[sh.sh_offset + 1] = 'X';
	ef = elf_file__open_mem(copy, len, "mem");
	assert_non_null(ef);
	assert_true(elf_file__is_go(ef));
	assert_int_equal(elf_file__go_version(ef, ver, sizeof(ver)), -EINVAL);
	elf_file__free(ef);
	free(copy);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_symtab),
		cmocka_unit_test(test_calls_stripped_debuglink),
		cmocka_unit_test(test_calls_minidebug),
		cmocka_unit_test(test_cxx_mangled),
		cmocka_unit_test(test_shared_lib_dedup),
		cmocka_unit_test(test_load_idempotent),
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_irelative_slot),
		cmocka_unit_test(test_debug_by_build_id),
		cmocka_unit_test(test_debuglink_dot_debug_and_crc),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_nopie_type_and_read_eof),
		cmocka_unit_test(test_usdt),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_mem_header_errors),
		cmocka_unit_test(test_hostile_sections),
		cmocka_unit_test(test_hostile_minidebug),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_go_version),
	};

	elf_version(EV_CURRENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
