// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/insn.c: instruction boundaries in byte strings
 * whose encodings are written out here, and raw offsets of the programs
 * of tests/targets/ (run from the repository root after `make targets`),
 * whose expected places come from binutils (objdump, readelf) or from an
 * independent read of the headers with libelf, never from the module
 * under test. Hostile input: random bytes, mutated images, a file without
 * section headers, a function larger than the decoder goes.
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
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/unit_util.h"

#include "common/elf.h"
#include "common/insn.h"

#define T "build/tests/targets/"

/* ---- helpers ------------------------------------------------------------ */

/* The file offset of @vaddr in section @sec of @path. */
static uint64_t file_off(const char *path, const char *sec, uint64_t vaddr)
{
	GElf_Shdr sh;

	section_of(path, sec, &sh);
	assert_true(vaddr >= sh.sh_addr && vaddr < sh.sh_addr + sh.sh_size);
	return vaddr - sh.sh_addr + sh.sh_offset;
}

/* The instructions of wide() per objdump: their vaddrs, and which is the movabs. */
struct wide_insns {
	uint64_t start[16];
	size_t n;
	size_t movabs;
};

static void wide_insns(const char *path, struct wide_insns *w)
{
	char *out = run("objdump -d --no-show-raw-insn %s | "
			"awk '/<wide>:/ { on = 1; next } on && /^$/ { exit } on { print }'", path);
	char *line, *save = NULL;
	unsigned long long a;
	char mn[64];

	memset(w, 0, sizeof(*w));
	w->movabs = SIZE_MAX;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, " %llx: %63s", &a, mn) != 2 || w->n == 16)
			continue;
		if (!strncmp(mn, "movabs", 6))
			w->movabs = w->n;
		w->start[w->n++] = a;
	}
	free(out);
	assert_true(w->n >= 3);
	assert_true(w->movabs != SIZE_MAX && w->movabs + 1 < w->n);
	/* A 10-byte movabs: REX.W B8+r imm64. */
	assert_int_equal(w->start[w->movabs + 1] - w->start[w->movabs], 10);
}

/* insn__check_raw_offset() must return @want with @text (NULL: any) in its
 * message: one line, and none when it accepts. */
static void check_off(struct elf_file *ef, uint64_t off, unsigned flags, int want,
		      const char *text, int line)
{
	char err[512] = "";
	int r = insn__check_raw_offset(ef, off, "F", flags, err, sizeof(err));

	if (r != want || (text && !strstr(err, text)))
		fail_msg("line %d: offset 0x%llx flags %u: got %d '%s', want %d '%s'", line,
			 (unsigned long long)off, flags, r, err, want, text ? text : "");
	if (!r && err[0])
		fail_msg("line %d: offset 0x%llx: accepted with a message '%s'", line,
			 (unsigned long long)off, err);
	if (r && (!err[0] || strchr(err, '\n')))
		fail_msg("line %d: offset 0x%llx: not one line: '%s'", line,
			 (unsigned long long)off, err);
}

#define CHECK_OFF(ef, off, flags, want, text) check_off(ef, off, flags, want, text, __LINE__)

/* ---- byte strings ----------------------------------------------------------- */

/* wide() as tests/targets/rawoff.c compiles it. */
static const uint8_t wide_code[] = {
	0x48, 0x89, 0xf8,					/* mov %rdi,%rax */
	0x48, 0xbf, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* movabs $..,%rdi */
	0x48, 0x31, 0xc7,					/* xor %rax,%rdi */
	0x48, 0x8d, 0x04, 0x7f,					/* lea (%rdi,%rdi,2),%rax */
	0xc3,							/* ret */
};

static void test_boundaries(void **state)
{
	static const size_t starts[] = { 0, 3, 13, 16, 20, 21 };
	uint64_t start;
	size_t size, k = 0;

	for (size_t t = 0; t <= sizeof(wide_code); t++) {
		int r;

		start = ~0ULL;
		size = ~(size_t)0;
		r = insn__check_boundary(wide_code, sizeof(wide_code), 0x1000, 0x1000 + t, &start,
					 &size);
		if (t == starts[k]) {
			assert_int_equal(r, 0);
			k++;
			continue;
		}
		assert_int_equal(r, -EINVAL);
		assert_int_equal(start, 0x1000 + starts[k - 1]);
		assert_int_equal(size, starts[k] - starts[k - 1]);
	}
	assert_int_equal(k, 6);
}

static void test_prefixes_and_encodings(void **state)
{
	/* lock cmpxchg %rcx,(%rdx); EVEX vmovups (%rcx),%zmm0; VEX vzeroupper;
	 * notrack jmp *%rax; endbr64 */
	static const uint8_t code[] = {
		0xf0, 0x48, 0x0f, 0xb1, 0x0a,
		0x62, 0xf1, 0x7c, 0x48, 0x10, 0x01,
		0xc5, 0xf8, 0x77,
		0x3e, 0xff, 0xe0,
		0xf3, 0x0f, 0x1e, 0xfa,
	};
	static const size_t starts[] = { 0, 5, 11, 14, 17, 21 };
	uint64_t start;
	size_t size, k = 0;

	for (size_t t = 0; t <= sizeof(code); t++) {
		int r = insn__check_boundary(code, sizeof(code), 0, t, &start, &size);

		if (t == starts[k]) {
			assert_int_equal(r, 0);
			k++;
		} else {
			/* Behind a prefix is the middle of the instruction. */
			assert_int_equal(r, -EINVAL);
			assert_int_equal(start, starts[k - 1]);
		}
	}
}

static void test_undecodable_and_range(void **state)
{
	/* 0x06 (push %es) does not exist in 64-bit mode. */
	static const uint8_t bad[] = { 0x90, 0x06, 0x90, 0x90 };
	/* A movabs cut short by the end of the bytes. */
	static const uint8_t cut[] = { 0x90, 0x48, 0xb8, 0x01, 0x02 };
	uint64_t start = 0;
	size_t size = 1;

	assert_int_equal(insn__check_boundary(bad, sizeof(bad), 0, 1, &start, &size), 0);
	assert_int_equal(insn__check_boundary(bad, sizeof(bad), 0, 3, &start, &size), -EILSEQ);
	assert_int_equal(start, 1);
	assert_int_equal(size, 0);
	assert_int_equal(insn__check_boundary(cut, sizeof(cut), 0, 1, &start, &size), 0);
	assert_int_equal(insn__check_boundary(cut, sizeof(cut), 0, 4, &start, &size), -EILSEQ);
	assert_int_equal(start, 1);
	assert_int_equal(insn__check_boundary(cut, sizeof(cut), 0x10, 0xf, &start, &size),
			 -ERANGE);
	assert_int_equal(insn__check_boundary(cut, sizeof(cut), 0x10, 0x16, &start, &size),
			 -ERANGE);
	assert_int_equal(insn__check_boundary(cut, sizeof(cut), UINT64_MAX - 2, 0, &start, &size),
			 -ERANGE);
	/* Nothing to decode: the start itself is a boundary. */
	assert_int_equal(insn__check_boundary(NULL, 0, 0x10, 0x10, &start, &size), 0);
	assert_int_equal(insn__check_boundary(NULL, 0, 0x10, 0x11, &start, &size), -ERANGE);
}

/* Random bytes: every answer is consistent and nothing is read out of bounds. */
static void test_random_bytes(void **state)
{
	unsigned int seed = 4242;
	uint8_t *code;

	for (int it = 0; it < 3000; it++) {
		size_t len = 1 + rand_r(&seed) % 96, t = rand_r(&seed) % (len + 1);
		uint64_t addr = (uint64_t)rand_r(&seed) << 12, start = 0;
		size_t size = 0;
		int r;

		/* An exact-size heap copy, so that ASan sees a read past the end. */
		code = malloc(len);
		assert_non_null(code);
		for (size_t i = 0; i < len; i++)
			code[i] = rand_r(&seed);
		r = insn__check_boundary(code, len, addr, addr + t, &start, &size);
		if (r == -EINVAL) {
			assert_true(start >= addr && start < addr + t);
			assert_true(size >= 2 && size <= INSN_MAX_LEN && start + size > addr + t);
		} else if (r == -EILSEQ) {
			assert_true(start >= addr && start < addr + t);
		} else {
			assert_int_equal(r, 0);
		}
		free(code);
	}
}

/* ---- raw offsets of files --------------------------------------------------- */

static void test_rawoff(void **state)
{
	const char *bin = T "rawoff";
	struct elf_file *ef = open_ok(bin);
	struct wide_insns w;
	GElf_Shdr ro;
	uint64_t f0, fm, fn, banner;
	char want[256];

	wide_insns(bin, &w);
	f0 = file_off(bin, ".text", w.start[0]);
	fm = file_off(bin, ".text", w.start[w.movabs]);
	fn = file_off(bin, ".text", w.start[w.movabs + 1]);
	section_of(bin, ".rodata", &ro);
	banner = ro.sh_offset;

	/* Data: the ELF header, .rodata, past the end of every segment. */
	CHECK_OFF(ef, 0, 0, -ENOEXEC, "is not in an executable segment");
	CHECK_OFF(ef, 1, INSN_F_UNSAFE, -ENOEXEC, "is not in an executable segment");
	CHECK_OFF(ef, banner, INSN_F_UNSAFE, -ENOEXEC, "would corrupt data");
	CHECK_OFF(ef, 0x40000000, 0, -ENOENT, "is not in a loaded segment");
	/* Every instruction start of wide() is accepted; every other byte refused. */
	for (size_t i = 0; i + 1 < w.n; i++) {
		uint64_t a = file_off(bin, ".text", w.start[i]);
		uint64_t b = file_off(bin, ".text", w.start[i + 1]);

		CHECK_OFF(ef, a, 0, 0, NULL);
		snprintf(want, sizeof(want), "inside an instruction of wide, where a breakpoint "
			 "would crash the program (the nearest instructions start at 0x%llx and "
			 "0x%llx)", (unsigned long long)a, (unsigned long long)b);
		for (uint64_t o = a + 1; o < b; o++) {
			CHECK_OFF(ef, o, 0, -EINVAL, want);
			/* --unsafe does not skip a check that can be done. */
			CHECK_OFF(ef, o, INSN_F_UNSAFE, -EINVAL, want);
		}
	}
	assert_int_equal(fn - fm, 10);
	/* Return probes: only at the function's start. */
	CHECK_OFF(ef, f0, INSN_F_FUNC_START, 0, NULL);
	snprintf(want, sizeof(want), "is inside wide, not at its start (0x%llx), and a return "
		 "probe takes the top of the stack for the return address",
		 (unsigned long long)f0);
	CHECK_OFF(ef, fn, INSN_F_FUNC_START, -EINVAL, want);
	CHECK_OFF(ef, fn, INSN_F_FUNC_START | INSN_F_UNSAFE, -EINVAL, want);
	elf_file__free(ef);
}

/* Headers and .rodata in the executable segment (-z noseparate-code). */
static void test_rawoff_oldstyle(void **state)
{
	const char *bin = T "rawoff_oldstyle";
	struct elf_file *ef = open_ok(bin);
	struct wide_insns w;
	GElf_Shdr ro;

	wide_insns(bin, &w);
	section_of(bin, ".rodata", &ro);
	assert_true(elf_file__is_exec_offset(ef, 0));
	assert_true(elf_file__is_exec_offset(ef, ro.sh_offset));
	CHECK_OFF(ef, 0, INSN_F_UNSAFE, -ENOEXEC, "is in no section of code");
	CHECK_OFF(ef, ro.sh_offset, INSN_F_UNSAFE, -ENOEXEC,
		  "is in section .rodata, which is not code");
	CHECK_OFF(ef, file_off(bin, ".text", w.start[w.movabs + 1]), 0, 0, NULL);
	CHECK_OFF(ef, file_off(bin, ".text", w.start[w.movabs]) + 1, 0, -EINVAL,
		  "inside an instruction of wide");
	elf_file__free(ef);
}

/* No symbol at all: the boundary cannot be checked without --unsafe. */
static void test_rawoff_nosyms(void **state)
{
	const char *bin = T "rawoff_nosyms";
	struct elf_file *ef = open_ok(bin);
	struct wide_insns w;
	GElf_Shdr ro;
	uint64_t fm;

	/* The instructions are those of rawoff: the strip moved no code. */
	wide_insns(T "rawoff", &w);
	fm = file_off(T "rawoff", ".text", w.start[w.movabs]);
	section_of(bin, ".rodata", &ro);
	CHECK_OFF(ef, fm, 0, -ENODATA, "cannot be checked to be the start of an instruction "
		  "(no function symbol holds it): --unsafe probes it anyway");
	CHECK_OFF(ef, fm, INSN_F_UNSAFE, 0, NULL);
	CHECK_OFF(ef, fm + 2, INSN_F_UNSAFE, 0, NULL);	/* what --unsafe means */
	CHECK_OFF(ef, fm, INSN_F_FUNC_START, -ENODATA, "cannot be checked to be the start of a "
		  "function");
	CHECK_OFF(ef, fm, INSN_F_FUNC_START | INSN_F_UNSAFE, 0, NULL);
	/* Never in data, --unsafe or not. */
	CHECK_OFF(ef, 0, INSN_F_UNSAFE, -ENOEXEC, "is not in an executable segment");
	CHECK_OFF(ef, ro.sh_offset, INSN_F_UNSAFE, -ENOEXEC, "is not in an executable segment");
	elf_file__free(ef);
}

/* Without section headers only the segments tell code from data. */
static void test_no_section_headers(void **state)
{
	const char *bin = T "rawoff_oldstyle";
	unsigned char *img;
	struct elf_file *ef;
	struct wide_insns w;
	Elf64_Ehdr *eh;
	GElf_Shdr ro;
	size_t len;

	wide_insns(bin, &w);
	section_of(bin, ".rodata", &ro);
	img = slurp(bin, &len);
	eh = (Elf64_Ehdr *)img;
	eh->e_shoff = 0;
	eh->e_shnum = 0;
	eh->e_shstrndx = 0;
	ef = elf_file__open_mem(img, len, "/nonexistent/cotrace/rawoff");
	assert_non_null(ef);
	/* .rodata shares the executable segment: nothing tells it from code. */
	CHECK_OFF(ef, ro.sh_offset, 0, -ENODATA, "no function symbol holds it");
	CHECK_OFF(ef, file_off(bin, ".text", w.start[1]), 0, -ENODATA, NULL);
	CHECK_OFF(ef, 0x40000000, INSN_F_UNSAFE, -ENOENT, "is not in a loaded segment");
	elf_file__free(ef);
	free(img);
}

/*
 * A function of 6 MiB of nops: an offset at its end is beyond what the
 * decoder reads (INSN_SCAN_MAX), one within that distance is checked.
 */
static void test_huge_function(void **state)
{
	char dir[] = "/tmp/cotrace-insn.XXXXXX", *out;
	char src[128], bin[128];
	unsigned long long a;
	struct elf_file *ef;
	uint64_t f0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/big.c", dir);
	snprintf(bin, sizeof(bin), "%s/big", dir);
	f = fopen(src, "w");
	assert_non_null(f);
	fputs("__attribute__((noinline)) void big(void)\n"
	      "{ __asm__ volatile(\".fill 6291456, 1, 0x90\"); }\n"
	      "int main(void) { big(); return 0; }\n", f);
	fclose(f);
	out = run("cc -O1 -o %s %s 2>&1 && nm %s | awk '$3 == \"big\" { print $1 }'", bin, src,
		  bin);
	assert_int_equal(sscanf(out, "%llx", &a), 1);
	free(out);
	f0 = file_off(bin, ".text", a);
	ef = open_ok(bin);
	CHECK_OFF(ef, f0 + INSN_SCAN_MAX, 0, 0, NULL);
	CHECK_OFF(ef, f0 + INSN_SCAN_MAX + 1, 0, -ENODATA, "it is more than 4 MiB into big");
	CHECK_OFF(ef, f0 + INSN_SCAN_MAX + 1, INSN_F_UNSAFE, 0, NULL);
	elf_file__free(ef);
	free(run("rm -rf %s", dir));
}

/* Damaged images: any answer but a crash, and a sentence with every refusal. */
static void test_mutations(void **state)
{
	static const char *const files[] = { T "rawoff", T "rawoff_oldstyle" };
	unsigned int seed = 777;
	unsigned char *img, *copy;
	struct elf_file *ef;
	size_t len;

	for (size_t f = 0; f < 2; f++) {
		img = slurp(files[f], &len);
		copy = malloc(len);
		assert_non_null(copy);
		for (int it = 0; it < 300; it++) {
			memcpy(copy, img, len);
			for (int k = 0; k < 1 + it % 8; k++)
				copy[rand_r(&seed) % (it % 2 ? len : len < 4096 ? len : 4096)] =
					rand_r(&seed);
			ef = elf_file__open_mem(copy, len, "/nonexistent/cotrace/m");
			if (!ef)
				continue;
			for (int k = 0; k < 16; k++) {
				char err[512] = "";
				uint64_t off = rand_r(&seed) % (len + 64);
				int r = insn__check_raw_offset(ef, off, "m", k % 4, err,
							       sizeof(err));

				assert_true(r <= 0);
				if (r)
					assert_true(err[0] != '\0');
			}
			elf_file__free(ef);
		}
		free(copy);
		free(img);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_prefixes_and_encodings),
		cmocka_unit_test(test_undecodable_and_range),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_rawoff),
		cmocka_unit_test(test_rawoff_oldstyle),
		cmocka_unit_test(test_rawoff_nosyms),
		cmocka_unit_test(test_no_section_headers),
		cmocka_unit_test(test_huge_function),
		cmocka_unit_test(test_mutations),
	};

	elf_version(EV_CURRENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
