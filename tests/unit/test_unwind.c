// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/unwind.c on real binaries (libc, python3, the
 * targets), each row checked against libdw's reading of the same CFI
 * (dwarf_cfi_addrframe), which shares no code with the module; the
 * special frames (PLT, __restore_rt, _start) checked by address; and
 * malformed sections, which must give an error or a table, never a crash.
 * Run from the repository root after `make targets`.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/unit_util.h"
#include <dwarf.h>
#include <elfutils/libdw.h>

#include "common/elf.h"
#include "common/unwind.h"

#define T "build/tests/targets/"
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define PYTHON "/usr/bin/python3"

/* ---- helpers ------------------------------------------------------------ */

static struct unwind_table *table_of(const char *path)
{
	struct elf_file *ef = elf_file__open(path);
	struct unwind_table *t;

	assert_non_null(ef);
	t = unwind_table__from_elf(ef);
	elf_file__free(ef);
	return t;
}

struct segs {
	struct unwind_seg v[8];
	size_t n;
};

static void load_segs(Elf *elf, struct segs *s)
{
	size_t n;

	s->n = 0;
	assert_int_equal(elf_getphdrnum(elf, &n), 0);
	for (size_t i = 0; i < n && s->n < 8; i++) {
		GElf_Phdr ph;

		assert_non_null(gelf_getphdr(elf, i, &ph));
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			s->v[s->n++] = (struct unwind_seg){ ph.p_vaddr, ph.p_offset, ph.p_filesz };
	}
	assert_true(s->n > 0);
}

static bool off_to_vaddr(const struct segs *s, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < s->n; i++) {
		if (off >= s->v[i].off && off - s->v[i].off < s->v[i].size) {
			*vaddr = off - s->v[i].off + s->v[i].vaddr;
			return true;
		}
	}
	return false;
}

static uint64_t vaddr_to_off(const struct segs *s, uint64_t vaddr)
{
	for (size_t i = 0; i < s->n; i++)
		if (vaddr >= s->v[i].vaddr && vaddr - s->v[i].vaddr < s->v[i].size)
			return vaddr - s->v[i].vaddr + s->v[i].off;
	fail_msg("vaddr %#" PRIx64 " in no segment", vaddr);
	return 0;
}

/*
 * What libdw says of @vaddr, in the terms of a row: the CFA rule and the
 * rbp rule, or NONE when no FDE covers it. Only the cases a row can
 * express are translated; anything else is UNSUPPORTED, as ours should be.
 */
static struct unwind_row libdw_row(Dwarf_CFI *cfi, uint64_t vaddr)
{
	struct unwind_row r = { .kind = UNWIND_CFA_NONE };
	Dwarf_Frame *fr = NULL;
	Dwarf_Op *ops, mem[3];
	size_t nops;
	uint8_t cfa = UNWIND_CFA_UNSUPPORTED, rbp = UNWIND_RBP_LOST;
	bool ra_ok = false, ra_undef = false, signal = false;
	Dwarf_Addr start, end;

	if (dwarf_cfi_addrframe(cfi, vaddr, &fr))
		return r;
	dwarf_frame_info(fr, &start, &end, &signal);
	if (!dwarf_frame_register(fr, 16, mem, &ops, &nops)) {
		/* Undefined (libdw 0.188 gives a return address column marked
		 * undefined as "same value": nothing to return to either way). */
		ra_undef = nops == 0;
		ra_ok = nops == 2 && ops[0].atom == DW_OP_call_frame_cfa &&
			ops[1].atom == DW_OP_plus_uconst && (int64_t)ops[1].number == -8;
	}
	if (!dwarf_frame_cfa(fr, &ops, &nops) && nops == 1 && ops[0].atom == DW_OP_bregx &&
	    (ops[0].number == 7 || ops[0].number == 6) && (int64_t)ops[0].number2 >= 0 &&
	    ops[0].number2 <= 0xffff && ra_ok) {
		cfa = ops[0].number == 7 ? UNWIND_CFA_RSP : UNWIND_CFA_RBP;
		r.cfa_off = ops[0].number2;
	} else if (!dwarf_frame_cfa(fr, &ops, &nops) && nops == 2 && ops[0].atom == DW_OP_breg6 &&
		   ops[1].atom == DW_OP_deref && ra_ok) {
		cfa = UNWIND_CFA_DEREF_RBP;
		r.cfa_off = (uint16_t)(int16_t)ops[0].number;
	} else if (!dwarf_frame_cfa(fr, &ops, &nops) && nops == 9 && ops[0].atom == DW_OP_breg7 &&
		   ops[1].atom == DW_OP_breg16 && ra_ok) {
		cfa = UNWIND_CFA_PLT;
		r.cfa_off = ops[0].number;
		r.rbp_off = ops[4].atom - DW_OP_lit0;
	}
	if (ra_undef)
		cfa = UNWIND_CFA_END;
	if (signal && cfa != UNWIND_CFA_END && !dwarf_frame_cfa(fr, &ops, &nops) && nops == 2 &&
	    ops[0].atom == DW_OP_breg7 && ops[0].number == UNWIND_SIGNAL_RSP &&
	    ops[1].atom == DW_OP_deref)
		cfa = UNWIND_CFA_SIGNAL;
	else if (signal && cfa != UNWIND_CFA_END)
		cfa = UNWIND_CFA_UNSUPPORTED;
	if (cfa == UNWIND_CFA_PLT) {
		rbp = UNWIND_RBP_SAME;
	} else if (!dwarf_frame_register(fr, 6, mem, &ops, &nops)) {
		/* Same value; or no rule at all, which libdw reads as
		 * undefined without the ABI's initial rules (dwarf_getcfi_elf),
		 * while the psABI keeps callee-saved %rbp: the same value. */
		if (nops == 0)
			rbp = UNWIND_RBP_SAME;
		else if (nops == 1 && ops[0].atom == DW_OP_call_frame_cfa)
			rbp = UNWIND_RBP_CFA, r.rbp_off = 0;
		else if (nops == 2 && ops[0].atom == DW_OP_call_frame_cfa &&
			 ops[1].atom == DW_OP_plus_uconst && (int64_t)ops[1].number % 8 == 0)
			rbp = UNWIND_RBP_CFA, r.rbp_off = (int64_t)ops[1].number / 8;
		else if (nops == 1 && ops[0].atom == DW_OP_breg6 && (int64_t)ops[0].number % 8 == 0)
			rbp = UNWIND_RBP_RBP, r.rbp_off = (int64_t)ops[0].number / 8;
	}
	free(fr);
	if (cfa == UNWIND_CFA_END || cfa == UNWIND_CFA_SIGNAL || cfa == UNWIND_CFA_UNSUPPORTED) {
		r.cfa_off = 0;
		r.rbp_off = 0;
		rbp = UNWIND_RBP_SAME;
	}
	r.kind = cfa | rbp << 4;
	return r;
}

static bool rows_equal(const struct unwind_row *a, const struct unwind_row *b)
{
	return a->kind == b->kind && a->cfa_off == b->cfa_off && a->rbp_off == b->rbp_off;
}

/*
 * Check @t against libdw at every row start, one byte before it, and
 * @nrandom pseudo-random offsets in the executable segments. Returns the
 * number of addresses checked; fails on the first disagreement.
 */
static size_t cross_check(const char *path, const struct unwind_table *t, size_t nrandom)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	Dwarf_CFI *cfi;
	struct segs segs;
	size_t checked = 0;
	uint64_t seed = 12345;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(elf);
	cfi = dwarf_getcfi_elf(elf);
	assert_non_null(cfi);
	load_segs(elf, &segs);
	for (size_t i = 0; i < t->nrows + nrandom; i++) {
		uint64_t off, vaddr;
		const struct unwind_row *ours;
		struct unwind_row theirs;

		if (i < t->nrows) {
			off = t->rows[i].off + (i & 1 ? 0 : 1) - (i & 2 ? 1 : 0);
		} else {
			const struct unwind_seg *g;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			g = &segs.v[(seed >> 33) % segs.n];
			off = g->off + (seed >> 20) % g->size;
		}
		if (!off_to_vaddr(&segs, off, &vaddr))
			continue;
		ours = unwind_table__find(t, off);
		theirs = libdw_row(cfi, vaddr);
		/* Before the first row: no CFI, as a NONE row says. */
		if (!ours && UNWIND_ROW_CFA(&theirs) == UNWIND_CFA_NONE)
			ours = &theirs;
		if (!ours || !rows_equal(ours, &theirs)) {
			char a[64] = "(no row)", b[64];

			if (ours)
				unwind_row__format(ours, a, sizeof(a));
			unwind_row__format(&theirs, b, sizeof(b));
			fail_msg("%s: vaddr %#" PRIx64 " (offset %#" PRIx64 "): ours '%s', libdw '%s'",
				 path, vaddr, off, a, b);
		}
		checked++;
	}
	dwarf_cfi_end(cfi);
	elf_end(elf);
	close(fd);
	return checked;
}

static const struct unwind_row *row_at_vaddr(const char *path, const struct unwind_table *t,
					     uint64_t vaddr)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct segs segs;
	Elf *elf;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(elf);
	load_segs(elf, &segs);
	elf_end(elf);
	close(fd);
	return unwind_table__find(t, vaddr_to_off(&segs, vaddr));
}

static void assert_row(const struct unwind_row *r, const char *want)
{
	char buf[64];

	assert_non_null(r);
	unwind_row__format(r, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* ---- tests -------------------------------------------------------------- */

static void test_libc_matches_libdw(void **state)
{
	struct unwind_table *t = table_of(LIBC);
	size_t n;

	assert_non_null(t);
	assert_int_equal(t->source, UNWIND_SRC_EH_FRAME);
	assert_true(t->nfdes > 1000);
	assert_int_equal(t->nbad, 0);
	/* Sorted, strictly increasing, ending with NONE. */
	for (size_t i = 1; i < t->nrows; i++)
		assert_true(t->rows[i - 1].off < t->rows[i].off);
	assert_int_equal(UNWIND_ROW_CFA(&t->rows[t->nrows - 1]), UNWIND_CFA_NONE);
	n = cross_check(LIBC, t, 20000);
	assert_true(n > t->nrows / 2);
	unwind_table__free(t);
}

static void test_python_matches_libdw(void **state)
{
	struct timespec a, b;
	struct unwind_table *t;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t = table_of(PYTHON);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_non_null(t);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("python3: %zu FDEs, %zu rows, %zu unsupported spans, %.1f ms\n", t->nfdes,
		      t->nrows, t->nunsupported, ms);
	assert_int_equal(t->nbad, 0);
	cross_check(PYTHON, t, 20000);
	unwind_table__free(t);
}

static void test_targets_match_libdw(void **state)
{
	static const char *const paths[] = { T "stacks", T "stacks_nofp", T "calls_nopie",
					     T "cxx", T "libcotarget.so" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct unwind_table *t = table_of(paths[i]);

		assert_non_null(t);
		assert_int_equal(t->nbad, 0);
		cross_check(paths[i], t, 2000);
		unwind_table__free(t);
	}
}

/* The address of local symbol @name of @path, from its symbols (debug file included). */
static uint64_t sym_addr(const char *path, const char *name)
{
	struct elf_file *ef = elf_file__open(path);
	const struct elf_sym *syms;
	uint64_t addr = 0;
	size_t n;

	assert_non_null(ef);
	assert_int_equal(elf_file__load_symbols(ef, NULL), 0);
	syms = elf_file__symbols(ef, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(syms[i].name, name))
			addr = syms[i].vaddr;
	elf_file__free(ef);
	return addr;
}

/* The rows of known frames, by address. */
static void test_special_frames(void **state)
{
	struct unwind_table *t = table_of(T "stacks_nofp"), *libc = table_of(LIBC);
	uint64_t start = nm_addr("", T "stacks_nofp", "_start");
	uint64_t gamma = nm_addr("", T "stacks_nofp", "gamma");
	uint64_t restore = sym_addr(LIBC, "__restore_rt");
	size_t nsig = 0;

	assert_non_null(t);
	assert_non_null(libc);
	assert_true(start && gamma);
	/* _start: the return address is undefined (glibc's start.S). */
	assert_row(row_at_vaddr(T "stacks_nofp", t, start), "end");
	/* A frameless function: the CFA is rsp + 8 at its first byte. */
	assert_row(row_at_vaddr(T "stacks_nofp", t, gamma), "rsp+8");
	/* __restore_rt (a local symbol, named by libc6-dbg's debug file):
	 * the one signal frame of libc, from one byte before it, where a
	 * walk looks up a return address minus one. */
	for (size_t i = 0; i < libc->nrows; i++)
		nsig += UNWIND_ROW_CFA(&libc->rows[i]) == UNWIND_CFA_SIGNAL;
	assert_int_equal(nsig, 1);
	if (restore) {
		assert_row(row_at_vaddr(LIBC, libc, restore), "signal");
		assert_row(row_at_vaddr(LIBC, libc, restore - 1), "signal");
	} else {
		print_message("no symbol __restore_rt (libc6-dbg missing): address not checked\n");
	}
	unwind_table__free(t);
	unwind_table__free(libc);
}

/* A lazy .plt: the expression binutils writes, rsp+8 then +16 past the push. */
static void test_plt(void **state)
{
	struct unwind_table *t = table_of(T "stacks_nofp");
	char line[512];
	uint64_t plt = 0, size = 0;
	FILE *f;

	assert_non_null(t);
	f = popen("readelf -SW " T "stacks_nofp", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		uint64_t addr, off, sz;

		if (sscanf(strchr(line, ']') ? strchr(line, ']') + 1 : line,
			   " %63s %*s %" SCNx64 " %" SCNx64 " %" SCNx64, name, &addr, &off, &sz) == 4 &&
		    !strcmp(name, ".plt")) {
			plt = off;
			size = sz;
		}
	}
	pclose(f);
	assert_true(plt && size >= 32);
	assert_row(unwind_table__find(t, plt), "rsp+16");
	assert_row(unwind_table__find(t, plt + 6), "rsp+24");
	assert_row(unwind_table__find(t, plt + 16), "plt+8/11");
	unwind_table__free(t);
}

/* Malformed input: an error or a table, never a crash or an overread. */
static void test_malformed(void **state)
{
	struct unwind_seg seg = { 0, 0, 1 << 20 };
	struct elf_file *ef = elf_file__open(LIBC);
	uint8_t *data, *copy;
	uint64_t seed = 99;
	int fd;
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx, len = 0;

	assert_non_null(ef);
	elf_file__free(ef);
	/* The real .eh_frame of libc, then damaged copies. */
	fd = open(LIBC, O_RDONLY);
	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	data = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name), ".eh_frame")) {
			Elf_Data *d = elf_getdata(scn, NULL);

			len = d->d_size < 65536 ? d->d_size : 65536;
			data = malloc(len);
			memcpy(data, d->d_buf, len);
		}
	}
	assert_non_null(data);
	for (int round = 0; round < 2000; round++) {
		struct unwind_table *t;
		size_t cut;

		copy = malloc(len);
		memcpy(copy, data, len);
		for (int k = 0; k < 1 + round % 16; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			copy[(seed >> 24) % len] = (uint8_t)(seed >> 56);
		}
		cut = round % 3 ? len : (seed >> 8) % len;
		t = unwind_table__parse(copy, cut, 0x1000, round & 1, &seg, 1);
		if (t) {
			for (size_t i = 1; i < t->nrows; i++)
				assert_true(t->rows[i - 1].off < t->rows[i].off);
		}
		unwind_table__free(t);
		free(copy);
	}
	/* Empty and tiny inputs. */
	assert_null(unwind_table__parse(data, 0, 0, false, &seg, 1));
	assert_int_equal(errno, ENOENT);
	assert_null(unwind_table__parse(data, 3, 0, false, &seg, 1));
	free(data);
	elf_end(elf);
	close(fd);
}

static void test_no_cfi(void **state)
{
	struct elf_file *ef = elf_file__open(T "notelf");

	/* Not an ELF file: elf refuses it before unwind sees it. */
	assert_null(ef);
	unwind_table__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libc_matches_libdw),
		cmocka_unit_test(test_python_matches_libdw),
		cmocka_unit_test(test_targets_match_libdw),
		cmocka_unit_test(test_special_frames),
		cmocka_unit_test(test_plt),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_no_cfi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
